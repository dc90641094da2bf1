"""Named presets and their official parameter counts."""

import torch

import hf_spiking
from hf_spiking.models.trevsnn import TRevSNNForImageClassification
from hf_spiking.models.trevsnn.presets import TREVSNN_SMALL_NUM_PARAMETERS


def _num_parameters(name: str, **overrides) -> int:
    with torch.device("meta"):  # counts only, no memory
        model = TRevSNNForImageClassification(hf_spiking.get_config(name, **overrides))
    return sum(p.numel() for p in model.parameters())


def test_presets_are_registered():
    assert {"trevsnn-tiny", "trevsnn-small", "trevsnn-tiny-dvs", "trevsnn-test", "trevsnn-test-dvs"} <= set(
        hf_spiking.list_models("trevsnn*")
    )
    dvs = hf_spiking.get_config("trevsnn-tiny-dvs")
    assert dvs.dvs and dvs.num_columns == 8 and dvs.num_channels == 2 and dvs.hidden_sizes == (32, 64, 128, 256)


def test_official_parameter_counts():
    # The official log's "number of params" for small; 514,000 per auxiliary head (3 of them).
    assert TREVSNN_SMALL_NUM_PARAMETERS == 32_331_312
    assert _num_parameters("trevsnn-small") == 32_331_312
    assert _num_parameters("trevsnn-small", intermediate_supervision=False) == 32_331_312 - 3 * 514_000
    assert _num_parameters("trevsnn-tiny") == 17_203_856
    assert _num_parameters("trevsnn-test") == 252_464
