"""TRevSNNConfig: head placement over the columns and the validators (plus the model's input-shape check)."""

import pytest
import torch
from huggingface_hub.errors import StrictDataclassClassValidationError

from hf_spiking.models.trevsnn import TRevSNNForImageClassification

from .testing_utils import tiny_config


def test_heads_are_evenly_spaced_over_columns():
    # T = 8 keeps the official placement (after every second column); other T extend it.
    assert tiny_config(num_columns=8).head_columns == (1, 3, 5, 7)
    assert tiny_config(num_columns=4).head_columns == (0, 1, 2, 3)
    assert tiny_config(num_columns=6).head_columns == (0, 2, 3, 5)
    assert tiny_config(num_columns=8, intermediate_supervision=False).head_columns == (7,)


def test_invalid_configs_and_inputs_are_rejected():
    # The strict config dataclass wraps the validators' ValueError, keeping its message.
    for overrides, message in [
        (dict(hidden_sizes=(8, 16, 32)), "four positive channel counts"),
        (dict(kernel_size=4), "positive odd integer"),
        (dict(alpha_clamp=0.0), "alpha_clamp"),
        (dict(dvs=True), "intermediate_supervision=False"),
    ]:
        with pytest.raises(StrictDataclassClassValidationError, match=message):
            tiny_config(**overrides)
    model = TRevSNNForImageClassification(tiny_config())
    with pytest.raises(ValueError, match=r"\[batch, 3, height, width\]"):
        model(torch.randn(3, 32, 32))
