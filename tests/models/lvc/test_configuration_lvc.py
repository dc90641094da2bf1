"""LVCConfig validation."""

import pytest
from huggingface_hub.errors import StrictDataclassClassValidationError

from hf_spiking.models.lvc import LVCConfig


def test_config_validation(vlm_config):
    with pytest.raises(StrictDataclassClassValidationError, match="divisible by window_size"):
        LVCConfig(vlm_config=vlm_config, num_frames=10, window_size=4)
    with pytest.raises(StrictDataclassClassValidationError, match="query_pooling"):
        LVCConfig(vlm_config=vlm_config, query_pooling="max")
    assert LVCConfig(vlm_config=vlm_config).get_text_config().model_type == "qwen2"
