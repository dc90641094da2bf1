"""Spike-driven execution: integer spikes played out as binary slots give the integer-input layer's result."""

import pytest
import torch
from torch import nn

from hf_spiking.snn import expand_spikes, fold_time, spike_driven_forward, unfold_time

D = 4


def _counts(*shape):
    return torch.randint(0, D + 1, shape).float()


def test_expand_spikes_gives_binary_thermometer_slots_summing_to_the_counts():
    counts = _counts(3, 5, 7)
    slots = expand_spikes(counts, D)
    assert slots.shape == (D, 3, 5, 7) and slots.dtype == counts.dtype
    assert set(slots.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(slots.sum(0), counts)
    for d in range(D):
        assert torch.equal(slots[d], (counts > d).float())


@pytest.mark.parametrize(
    "layer, shape",
    [
        (nn.Linear(12, 5), (6, 12)),
        (nn.Conv1d(3, 4, 3, padding=1), (2, 3, 10)),
        (nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 9, 9)),
        (nn.Conv2d(4, 6, 3, groups=2, bias=False), (2, 4, 7, 7)),
    ],
    ids=["linear", "conv1d", "conv2d", "conv2d-groups-no-bias"],
)
def test_spike_driven_forward_equals_the_layer_on_integer_input(layer, shape):
    counts = _counts(*shape)
    with torch.no_grad():
        expected = layer(counts)
        result = spike_driven_forward(layer, counts, D)
    torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)


def test_spike_driven_forward_on_a_sparse_conv_shaped_gather():
    # A submanifold sparse conv on active sites: features [N, C_in], a neighbour table [N, K] (-1 = no neighbour,
    # mapped to an all-zero row), one weight matrix per kernel offset, and a bias added once per output site.
    n_sites, k_offsets, c_in, c_out = 20, 5, 6, 3
    neighbours = torch.randint(-1, n_sites, (n_sites, k_offsets))
    weight = torch.randn(k_offsets, c_in, c_out)
    bias = torch.randn(c_out)

    def sparse_conv(features):
        padded = torch.cat([features, features.new_zeros(1, c_in)])  # row -1 is the zero row
        gathered = padded[neighbours]  # [N, K, C_in]
        return torch.einsum("nkc,kco->no", gathered, weight) + bias

    counts = _counts(n_sites, c_in)
    result = spike_driven_forward(sparse_conv, counts, D, bias=bias, channel_dim=-1)
    torch.testing.assert_close(result, sparse_conv(counts), rtol=1e-5, atol=1e-5)


def test_each_slot_is_binary_and_carries_bias_over_d():
    layer = nn.Linear(4, 2)
    seen = []
    layer.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0]))
    counts = torch.tensor([[0.0, 1.0, 3.0, 4.0]])
    spike_driven_forward(layer, counts, D)
    assert len(seen) == D
    assert all(set(slot.unique().tolist()) <= {0.0, 1.0} for slot in seen)


@pytest.mark.parametrize(
    "spikes, max_level, match",
    [
        (torch.tensor([0.0, 5.0]), 4, r"`spikes` must hold integers in \[0, 4\]"),
        (torch.tensor([-1.0, 1.0]), 4, r"`spikes` must hold integers in \[0, 4\]"),
        (torch.tensor([0.5, 1.0]), 4, r"`spikes` must hold integers"),
        (torch.tensor([1.0]), 0, "`max_level` must be an integer >= 1"),
    ],
)
def test_expand_spikes_rejects_bad_input(spikes, max_level, match):
    with pytest.raises(ValueError, match=match):
        expand_spikes(spikes, max_level)


def test_fold_and_unfold_time_round_trip():
    x = torch.randn(3, 2, 4, 5)
    folded = fold_time(x)
    assert folded.shape == (6, 4, 5)
    assert torch.equal(folded[2], x[1, 0])  # step-major order: index t * B + b
    assert torch.equal(unfold_time(folded, 3), x)
