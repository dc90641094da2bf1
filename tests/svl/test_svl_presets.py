"""SVL presets: parameter counts against the reference (built on the meta device: no memory, no init time)."""

import pytest
import torch

import hf_spiking

# (preset, parameters of SpikingPointEncoderModel)
EXPECTED_PARAMETERS = {
    "svl-pointformer-l": 21_915_520,  # official PointTransformer minus its unused 768->1024 `project` (reference §3.3)
}


def _count(name, **overrides):
    with torch.device("meta"):
        model = hf_spiking.create_model(name, **overrides)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_preset_parameter_count(name):
    assert _count(name) == EXPECTED_PARAMETERS[name]


def test_pointformer_l_with_official_projection_matches_official_total():
    # hidden_size 1024 brings back the official `project` layer: 22,702,976 parameters in the official model.
    assert _count("svl-pointformer-l", hidden_size=1024) == 22_702_976


def test_svl_presets_are_listed_and_tiny_preset_runs():
    assert {"svl-pointformer-l", "svl-pointformer-tiny"} <= set(hf_spiking.list_models("svl-*"))
    model = hf_spiking.create_model("svl-pointformer-tiny").eval()
    with torch.no_grad():
        output = model(torch.rand(2, 40, 6))
    assert output.pooler_output.shape == (2, model.config.hidden_size)
    assert output.last_hidden_state.shape == (2, 1 + model.config.num_groups, model.config.transformer_hidden_size)
