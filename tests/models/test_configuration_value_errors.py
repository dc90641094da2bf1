"""Every hf_spiking config raises a ValueError naming the argument for an out-of-range value (SVL, T-RevSNN, LVC,
Phi-3-Vision), and valid configs still save and load unchanged."""

import pytest
from huggingface_hub.errors import StrictDataclassClassValidationError

from hf_spiking.models.lvc.configuration_lvc import LVCConfig
from hf_spiking.models.phi3_v.configuration_phi3_v import Phi3VConfig
from hf_spiking.models.spiking_point_encoder.configuration_spiking_point_encoder import SpikingPointEncoderConfig
from hf_spiking.models.trevsnn.configuration_trevsnn import TRevSNNConfig

BAD_VALUES = [
    (SpikingPointEncoderConfig, {"hidden_size": 0}, "`hidden_size` must be a positive integer, got 0"),
    (SpikingPointEncoderConfig, {"backbone": "pointnet"}, r"`backbone` must be one of \('pointformer', 'e3dsnn'\)"),
    (SpikingPointEncoderConfig, {"voxel_size": -0.02}, r"`voxel_size` must be > 0"),
    (SpikingPointEncoderConfig, {"batch_norm_momentum": 1.5}, r"`batch_norm_momentum` in \[0, 1\]"),
    (SpikingPointEncoderConfig, {"lambda_mse": -1.0}, "`lambda_mse` must be >= 0"),
    (SpikingPointEncoderConfig, {"prompt_templates": ("no slot",)}, "`prompt_templates` must be"),
    (TRevSNNConfig, {"kernel_size": 4}, "`kernel_size` must be a positive odd integer"),
    (TRevSNNConfig, {"drop_path_rate": 1.0}, r"`drop_path_rate` must lie in \[0, 1\)"),
    (LVCConfig, {"window_size": 0}, "window_size must be >= 1"),
    (LVCConfig, {"query_pooling": "max"}, "query_pooling must be one of"),
    (Phi3VConfig, {"embd_layer": {"projection_cls": "conv"}}, "embd_layer\\['projection_cls'\\] must be"),
]


@pytest.mark.parametrize(
    ("config_class", "kwargs", "message"), BAD_VALUES, ids=lambda v: v.__name__ if isinstance(v, type) else None
)
def test_bad_value_raises_value_error_naming_the_argument(config_class, kwargs, message):
    with pytest.raises(ValueError, match=message) as raised:
        config_class(**kwargs)
    # Still the error type huggingface_hub's @strict raises for a failed check, for callers that catch that.
    assert isinstance(raised.value, StrictDataclassClassValidationError)


@pytest.mark.parametrize("config_class", [SpikingPointEncoderConfig, TRevSNNConfig, LVCConfig, Phi3VConfig])
def test_valid_configs_save_and_load_unchanged(config_class, tmp_path):
    config = config_class()
    config.save_pretrained(tmp_path)
    assert config_class.from_pretrained(tmp_path).to_dict() == config.to_dict()
