"""SVL presets: parameter counts against the reference (built on the meta device: no memory, no init time)."""

import pytest
import torch

import hf_spiking

# (preset, parameters of SpikingPointEncoderModel)
EXPECTED_PARAMETERS = {
    "svl-pointformer-l": 21_915_520,  # official PointTransformer minus its unused 768->1024 `project` (reference §3.3)
}

# E-3DSNN (reference §4.1, measured on the official code): (backbone, backbone + final 1x1 layer to 1280).
EXPECTED_E3DSNN_PARAMETERS = {
    "svl-e3dsnn-t": (1_869_056, 2_034_176),
    "svl-e3dsnn-s": (3_264_704, 3_470_784),
    "svl-e3dsnn-l": (17_320_320, 17_649_280),
    "svl-e3dsnn-h": (46_558_848, 47_051_648),
}


def _count(name, **overrides):
    with torch.device("meta"):
        model = hf_spiking.create_model(name, **overrides)
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_preset_parameter_count(name):
    assert _count(name) == EXPECTED_PARAMETERS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_E3DSNN_PARAMETERS))
def test_e3dsnn_preset_parameter_counts(name):
    with torch.device("meta"):
        model = hf_spiking.create_model(name)
    total = sum(p.numel() for p in model.parameters())
    head = sum(p.numel() for p in model.encoder.final.parameters())
    assert (total - head, total) == EXPECTED_E3DSNN_PARAMETERS[name]
    assert model.config.hidden_size == 1280


def test_pointformer_l_with_official_projection_matches_official_total():
    # hidden_size 1024 brings back the official `project` layer: 22,702,976 parameters in the official model.
    assert _count("svl-pointformer-l", hidden_size=1024) == 22_702_976


def test_svl_presets_are_listed_and_tiny_preset_runs():
    assert {"svl-pointformer-l", "svl-pointformer-test", "svl-e3dsnn-test", *EXPECTED_E3DSNN_PARAMETERS} <= set(
        hf_spiking.list_models("svl-*")
    )
    model = hf_spiking.create_model("svl-pointformer-test").eval()
    with torch.no_grad():
        output = model(torch.rand(2, 40, 6))
    assert output.pooler_output.shape == (2, model.config.hidden_size)
    assert output.last_hidden_state.shape == (2, 1 + model.config.num_groups, model.config.transformer_hidden_size)


@pytest.mark.parametrize("old_name, new_name", [("svl-pointformer-tiny", "svl-pointformer-test")])
def test_deprecated_preset_name_still_resolves_with_a_future_warning(old_name, new_name):
    with pytest.warns(FutureWarning, match=new_name):
        config = hf_spiking.get_config(old_name)
    assert config.to_dict() == hf_spiking.get_config(new_name).to_dict()


@pytest.mark.parametrize("name", ["svl-pointformer-test", "svl-e3dsnn-test"])
def test_estimate_energy_covers_the_spiking_layers(name):
    model = hf_spiking.create_model(name)
    for module in model.modules():  # random-init BatchNorm statistics would leave the network silent
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.fill_(0.01)
    report = hf_spiking.estimate_energy(model, torch.rand(2, 200, 6)).to_dict()
    kinds = {layer["name"]: layer["kind"] for layer in report["layers"]}
    assert report["total_energy_mj"] > 0 and 0 < report["mean_firing_rate"]
    assert report["total_energy_mj"] < report["dense_energy_mj"]
    if name.startswith("svl-pointformer"):
        # The real-valued inputs are MAC layers; the spike-spike attention products are counted as accumulates.
        assert kinds["encoder.tokenizer.first_conv"] == kinds["encoder.position_embedding.fc1"] == "MAC"
        assert kinds["encoder.layers.0.attention.score_matmul"] == kinds["encoder.layers.1.mlp.fc2"] == "AC"
