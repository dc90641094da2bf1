"""Energy accounting: exact MAC / SOP counts against hand-computed values and a brute-force convolution oracle."""

import math

import pytest
import torch
from torch import nn

from hf_spiking.energy import ENERGY_PRESETS, EnergyReport, conv_energy_counts, estimate_energy
from hf_spiking.snn import LIFNeuron, MultiSpike, fold_time


def _row(report: EnergyReport, name: str, kind: str | None = None):
    rows = [r for r in report.layers if r.name == name and (kind is None or r.kind == kind)]
    assert len(rows) == 1, report.layers
    return rows[0]


def test_real_valued_layer_is_charged_dense_macs():
    layer = nn.Linear(3, 4)
    report = estimate_energy(layer, torch.randn(2, 3))
    row = _row(report, "Linear")
    assert row.kind == "MAC"
    assert row.macs == 12  # 3 * 4 per sample
    assert row.sops == 0 and row.firing_rate is None
    assert row.energy_pj == pytest.approx(12 * 4.6)
    assert report.total_energy_mj == pytest.approx(12 * 4.6e-9)


def test_binary_and_integer_spikes_are_charged_count_times_fan_out():
    net = nn.Sequential(nn.Linear(3, 5))
    binary = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    report = estimate_energy(net, binary)
    row = _row(report, "0")
    assert (row.kind, row.sops, row.macs) == ("AC", 3 * 5 / 2, 15)
    assert row.firing_rate == pytest.approx(0.5)
    assert row.energy_pj == pytest.approx(7.5 * 0.9)

    counts = torch.tensor([[2.0, 0.0, 4.0], [1.0, 3.0, 0.0]])
    report = estimate_energy(net, counts, batch_size=1)
    row = _row(report, "0")
    assert row.sops == 10 * 5
    assert row.firing_rate == pytest.approx(10 / 6)
    assert report.mean_firing_rate == pytest.approx(10 / 6)


def test_conv_with_padding_counts_each_tap_that_reads_a_spike():
    conv = nn.Conv2d(1, 2, kernel_size=3, padding=1)
    x = torch.zeros(1, 1, 3, 3)
    x[0, 0, 0, 0] = 1.0  # a corner: read by the 4 output windows that cover it
    x[0, 0, 1, 1] = 2.0  # the centre: read by all 9 windows, count 2
    row = _row(estimate_energy(conv, x), "Conv2d")
    assert row.kind == "AC"
    assert row.sops == (4 * 1 + 9 * 2) * 2
    assert row.macs == 2 * 3 * 3 * (1 * 9)  # output elements x C_in x kernel


@pytest.mark.parametrize(
    "conv",
    [
        nn.Conv1d(4, 6, 3, stride=2, padding=1),
        nn.Conv1d(4, 6, 5, padding="same", padding_mode="circular"),
        nn.Conv2d(4, 6, 3, stride=2, dilation=2, padding=2, groups=2),
        nn.Conv2d(4, 8, (3, 2), padding=1, padding_mode="reflect", groups=4),
        nn.Conv3d(2, 4, 3, stride=(1, 2, 2), padding=1),
    ],
    ids=lambda c: repr(c),
)
def test_conv_sops_equal_a_brute_force_all_ones_convolution(conv):
    spatial = (9,) * len(conv.kernel_size)
    x = torch.randint(0, 5, (2, conv.in_channels, *spatial)).float() * (torch.rand(2, conv.in_channels, *spatial) < 0.3)
    report = estimate_energy(conv, x)
    ones = type(conv)(
        conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride, padding=conv.padding,
        dilation=conv.dilation, groups=conv.groups, bias=False, padding_mode=conv.padding_mode,
    )
    nn.init.ones_(ones.weight)
    with torch.no_grad():
        out = ones(x.double().float())
        expected_sops = out.double().sum().item()
    row = _row(report, type(conv).__name__)
    assert row.sops * 2 == round(expected_sops)
    assert row.macs * 2 == out.numel() * (conv.in_channels // conv.groups) * math.prod(conv.kernel_size)


class _TinySNN(nn.Module):
    """Real-valued encoder -> integer spikes -> LIF over T -> binary-spike head, time-folded like the models."""

    def __init__(self, time_steps=3):
        super().__init__()
        self.time_steps = time_steps
        self.encoder = nn.Linear(4, 6)
        self.quantise = MultiSpike(max_level=4)
        self.hidden = nn.Linear(6, 5)
        self.neuron = LIFNeuron()
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        x = x.unsqueeze(0).expand(self.time_steps, *x.shape)  # static input repeated over T
        counts = self.quantise(self.encoder(fold_time(x)) * 3)
        spikes = self.neuron(self.hidden(counts).unflatten(0, (self.time_steps, -1)))
        return self.head(fold_time(spikes)).mean(0)


def test_small_network_rows_totals_and_dict():
    torch.manual_seed(0)
    net = _TinySNN()
    x = torch.randn(2, 4)
    seen = {}
    for name in ("encoder", "hidden", "head"):
        getattr(net, name).register_forward_hook(lambda m, i, o, name=name: seen.__setitem__(name, i[0].clone()))
    report = estimate_energy(net, x)
    assert report.batch_size == 2
    assert [r.name for r in report.layers] == ["encoder", "hidden", "head"]
    enc, hid, head = report.layers
    T, B = 3, 2
    assert (enc.kind, enc.macs) == ("MAC", T * B * 4 * 6 / B)
    assert hid.kind == head.kind == "AC"
    assert hid.sops == seen["hidden"].sum().item() * 5 / B
    assert head.sops == seen["head"].sum().item() * 2 / B
    assert hid.firing_rate == pytest.approx(seen["hidden"].mean().item())
    spikes = seen["hidden"].sum() + seen["head"].sum()
    assert report.mean_firing_rate == pytest.approx((spikes / (seen["hidden"].numel() + seen["head"].numel())).item())
    expected_pj = enc.macs * 4.6 + (hid.sops + head.sops) * 0.9
    assert report.total_energy_mj == pytest.approx(expected_pj * 1e-9)
    assert report.dense_energy_mj == pytest.approx((enc.macs + hid.macs + head.macs) * 4.6e-9)
    summary = report.to_dict()
    assert summary["total_energy_mj"] == pytest.approx(report.total_energy_mj)
    assert [row["name"] for row in summary["layers"]] == ["encoder", "hidden", "head"]
    text = str(report)
    assert "hidden" in text and "total energy" in text and "mJ" in text
    assert net.training  # the training flag is restored


def test_precision_presets_custom_costs_and_forced_mac_layers():
    layer = nn.Linear(3, 4)
    spikes = torch.tensor([[1.0, 1.0, 0.0]])
    for precision, costs in ENERGY_PRESETS.items():
        row = estimate_energy(layer, spikes, precision=precision).layers[0]
        assert row.energy_pj == pytest.approx(8 * costs.e_ac)
    assert ENERGY_PRESETS["fp16"].e_mac == 1.5 and ENERGY_PRESETS["int8"].e_ac == 0.03
    custom = estimate_energy(layer, spikes, e_ac=2.0, e_mac=10.0)
    assert custom.layers[0].energy_pj == pytest.approx(16.0) and custom.e_mac_pj == 10.0
    forced = estimate_energy(nn.Sequential(layer), spikes, mac_layers=["0"])
    assert forced.layers[0].kind == "MAC" and forced.layers[0].energy_pj == pytest.approx(12 * 4.6)


class _SparseFeatures:
    def __init__(self, features):
        self.features = features


class _GatherConv(nn.Module):
    """A sparse-conv-shaped layer implementing the energy protocol; its inner Linear must not be counted twice."""

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(3, 2)
        self.neighbours = torch.tensor([[0, 1], [1, 2], [2, 0]])

    def energy_counts(self, inputs, output):
        features = inputs[0].features
        return 3 * 2 * 3 * 2, int(features[self.neighbours].sum()) * 2

    def forward(self, sparse):
        gathered = sparse.features[self.neighbours]  # [N, K, C]
        return self.inner(gathered).sum(1)


def test_protocol_layer_is_charged_its_own_counts_and_shadows_inner_layers():
    features = torch.tensor([[1.0, 0.0, 2.0], [0.0, 0.0, 1.0], [3.0, 1.0, 0.0]])
    report = estimate_energy(_GatherConv(), (_SparseFeatures(features),), batch_size=1)
    assert [r.name for r in report.layers] == ["_GatherConv"]
    row = report.layers[0]
    assert row.kind == "AC" and row.macs == 36
    assert row.sops == features[torch.tensor([[0, 1], [1, 2], [2, 0]])].sum().item() * 2
    assert row.firing_rate == pytest.approx(features.mean().item())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"precision": "fp64"}, "precision"),
        ({"e_mac": -1.0}, "e_mac"),
        ({"e_ac": 0}, "e_ac"),
        ({"batch_size": 0}, "batch_size"),
        ({"convention": "papers"}, "convention"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        estimate_energy(nn.Linear(2, 2), torch.ones(1, 2), **kwargs)


def test_batch_size_cannot_be_inferred_without_a_batched_tensor():
    with pytest.raises(ValueError, match="batch_size"):
        estimate_energy(nn.Linear(1, 1), {"input": torch.tensor(1.0)})


class _StandardisedConv(nn.Module):
    """A conv-like layer that is not an nn.Conv2d (weight standardisation) and reuses the built-in conv counting."""

    energy_counts = conv_energy_counts

    def __init__(self):
        super().__init__()
        self.in_channels, self.out_channels, self.kernel_size = 2, 3, (3, 3)
        self.stride, self.padding, self.dilation, self.groups = (1, 1), (1, 1), (1, 1), 1
        self.weight = nn.Parameter(torch.randn(3, 2, 3, 3))

    def forward(self, x):
        w = (self.weight - self.weight.mean()) / self.weight.std()
        return nn.functional.conv2d(x, w, None, self.stride, self.padding)


def test_conv_like_layer_reuses_conv_energy_counts():
    x = torch.zeros(1, 2, 3, 3)
    x[0, 0, 0, 0] = 1.0
    x[0, 1, 1, 1] = 1.0
    row = estimate_energy(nn.Sequential(_StandardisedConv()), x).layers[0]
    assert (row.kind, row.sops, row.macs) == ("AC", (4 + 9) * 3, 3 * 9 * 2 * 9)


class _EncodeSpikeFold(nn.Module):
    """Encoding layer -> integer spikes -> layer fed spikes -> layer fed their real-valued product, plus a layer on
    the raw input that runs after the spikes (a position MLP)."""

    def __init__(self):
        super().__init__()
        self.encode, self.spike, self.mix = nn.Linear(3, 4), MultiSpike(max_level=4), nn.Linear(4, 5)
        self.fold, self.position = nn.Linear(5, 2), nn.Linear(3, 2)

    def forward(self, x):
        return self.fold(self.mix(self.spike(self.encode(x) * 3))) + self.position(x)


def test_paper_convention_charges_encoding_layers_as_macs_and_the_rest_at_firing_rates():
    torch.manual_seed(0)
    net, x = _EncodeSpikeFold(), torch.randn(6, 3)
    with torch.no_grad():
        rate = net.spike(net.encode(x) * 3).mean().item()
    assert 0 < rate < 4
    paper = estimate_energy(net, x, convention="paper")
    assert paper.convention == "paper" and paper.to_dict()["convention"] == "paper" and "paper convention" in str(paper)
    assert {(r.name, r.kind) for r in paper.layers} == {("encode", "MAC"), ("mix", "AC"), ("fold", "AC"), ("position", "MAC")}
    assert _row(paper, "encode").energy_pj == pytest.approx(12 * 4.6)
    assert _row(paper, "position").energy_pj == pytest.approx(6 * 4.6)  # raw input, although it runs after the spikes
    for name, macs in [("mix", 20), ("fold", 10)]:  # SOPs = firing rate x dense MACs; fold reads mix's real output
        row = _row(paper, name)
        assert (row.macs, row.firing_rate) == (macs, pytest.approx(rate))
        assert row.sops == pytest.approx(rate * macs) and row.energy_pj == pytest.approx(rate * macs * 0.9)
    assert paper.total_energy_mj == pytest.approx((18 * 4.6 + rate * 30 * 0.9) * 1e-9)

    measured = estimate_energy(net, x)  # the default: fold's real-valued input is charged its MACs
    assert measured.convention == "measured"
    assert {(r.name, r.kind) for r in measured.layers} == {("encode", "MAC"), ("mix", "AC"), ("fold", "MAC"), ("position", "MAC")}
    assert _row(measured, "mix").sops == _row(paper, "mix").sops  # a Linear fed spikes: both rules agree


class _SitePooled(nn.Module):
    """E-3DSNN's layout: per-site features, a mean over each sample's sites, then the linear ``final`` layer."""

    def __init__(self):
        super().__init__()
        self.encode, self.spike, self.site = nn.Linear(3, 4), MultiSpike(max_level=4), nn.Linear(4, 6)
        self.final = nn.Linear(6, 5)

    def forward_features(self, x):
        features = self.site(self.spike(self.encode(x) * 3)).flatten(0, 1)
        return features, torch.arange(x.shape[0]).repeat_interleave(x.shape[1])

    def forward(self, x):
        features, index = self.forward_features(x)
        pooled = torch.zeros(x.shape[0], features.shape[1]).index_add_(0, index, features) / x.shape[1]
        return self.final(pooled)


def test_paper_convention_charges_a_site_pooled_final_layer_per_site():
    torch.manual_seed(0)
    net, x = _SitePooled(), torch.randn(2, 7, 3)  # 2 samples of 7 sites
    with torch.no_grad():
        rate = net.spike(net.encode(x) * 3).mean().item()
    paper = _row(estimate_energy(net, x, convention="paper"), "final")
    assert (paper.kind, paper.macs) == ("AC", 7 * 6 * 5)  # per sample: every site through the 6 -> 5 layer
    assert paper.sops == pytest.approx(rate * 7 * 6 * 5)
    assert _row(estimate_energy(net, x), "final").macs == 6 * 5  # measured: once per sample, as it runs here
    assert "forward_features" not in vars(net)  # the recording wrapper is removed
