"""Named presets, their official parameter counts, and the deprecated preset names."""

import pytest
import torch

import hf_spiking
from hf_spiking.models.trevsnn import TRevSNNForImageClassification
from hf_spiking.models.trevsnn.presets import TREVSNN_SMALL_NUM_PARAMETERS


def _num_parameters(name: str, **overrides) -> int:
    with torch.device("meta"):  # counts only, no memory
        model = TRevSNNForImageClassification(hf_spiking.get_config(name, **overrides))
    return sum(p.numel() for p in model.parameters())


def test_presets_are_registered():
    assert {"trevsnn-tiny", "trevsnn-small", "trevsnn-dvs-tiny", "trevsnn-test", "trevsnn-dvs-test"} <= set(
        hf_spiking.list_models("trevsnn*")
    )
    dvs = hf_spiking.get_config("trevsnn-dvs-tiny")
    assert dvs.dvs and dvs.num_columns == 8 and dvs.num_channels == 2 and dvs.hidden_sizes == (32, 64, 128, 256)


def test_deprecated_preset_names_still_resolve():
    with pytest.warns(FutureWarning, match="'trevsnn-tiny-dvs' is deprecated; use 'trevsnn-dvs-tiny'"):
        old = hf_spiking.get_config("trevsnn-tiny-dvs")
    assert old.to_dict() == hf_spiking.get_config("trevsnn-dvs-tiny").to_dict()
    assert "trevsnn-tiny-dvs" not in hf_spiking.list_models("trevsnn*")


def test_official_parameter_counts():
    # The official log's "number of params" for small; 514,000 per auxiliary head (3 of them).
    assert TREVSNN_SMALL_NUM_PARAMETERS == 32_331_312
    assert _num_parameters("trevsnn-small") == 32_331_312
    assert _num_parameters("trevsnn-small", intermediate_supervision=False) == 32_331_312 - 3 * 514_000
    assert _num_parameters("trevsnn-tiny") == 17_203_856
    assert _num_parameters("trevsnn-test") == 252_464
