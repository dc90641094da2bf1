"""Spike PointNet backbone: parity with a hand-written channels-first reference (T-Nets included), shapes, config
checks, parameter counts, the feature-transform regulariser, save/load, a training step of the classification head,
and energy accounting."""

import math

import pytest
import torch
import torch.nn.functional as F

import hf_spiking
from hf_spiking import (
    SpikingPointEncoderConfig,
    SpikingPointEncoderConfigError,
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderModel,
)
from hf_spiking.models.spiking_point_encoder.pointnet import pointnet_feature_transform_regularizer
from hf_spiking.snn import MultiSpike

TINY = {
    "backbone": "pointnet",
    "in_channels": 6,
    "pointnet_channels": (8, 8, 12, 16, 20),
    "hidden_size": 24,  # differs from the last width: the projection is exercised
    "initializer_range": 0.5,
    "text_embed_dim": 16,
    "image_embed_dim": 16,
}
TRANSFORMS = {
    "pointnet_input_transform": True,
    "pointnet_feature_transform": True,
    "pointnet_transform_channels": (8, 12, 16, 10, 6),
}
TINY_WITH_TRANSFORMS = {**TINY, **TRANSFORMS}


def reference_spike_pointnet(state, points, config, training):
    """PointNet as its papers write it, channels first: per layer a 1x1 convolution ``W x + b`` on ``[B, C, N]``,
    BatchNorm over (batch, points), ``floor(clamp(x, 0, D) + 0.5)`` (or ReLU for the ANN twin) except after the last
    layer, a max over the points and the optional projection; the T-Nets' fully connected layers are the same layer
    on ``[B, C, 1]``. The input T-Net's 3x3 matrix multiplies the xyz row vectors (colour passes unchanged), the
    feature T-Net's matrix the first layer's spikes. Returns (pooled, last per-point features [B, N, C], input
    matrix or None, feature matrix or None)."""

    def layer(prefix, x, spike):
        x = torch.einsum("oc,bcn->bon", state[prefix + "linear.weight"], x) + state[prefix + "linear.bias"][:, None]
        if training:
            mean, var = x.mean(dim=(0, 2)), x.var(dim=(0, 2), unbiased=False)
        else:
            mean, var = state[prefix + "norm.running_mean"], state[prefix + "norm.running_var"]
        x = (x - mean[:, None]) / torch.sqrt(var[:, None] + config.batch_norm_eps)
        x = x * state[prefix + "norm.weight"][:, None] + state[prefix + "norm.bias"][:, None]
        if not spike:
            return x
        if config.spike_activation == "multispike":
            return torch.floor(torch.clamp(x, 0, config.max_level) + 0.5)
        return torch.relu(x)

    def t_net(prefix, x, size):
        for index in range(3):
            x = layer(f"{prefix}point_layers.{index}.", x, spike=True)
        x = x.max(dim=2, keepdim=True).values
        for index in range(2):
            x = layer(f"{prefix}cloud_layers.{index}.", x, spike=True)
        entries = x[:, :, 0] @ state[prefix + "matrix.weight"].t() + state[prefix + "matrix.bias"]
        return entries.reshape(-1, size, size) + torch.eye(size, dtype=x.dtype)

    x = points.transpose(1, 2)
    input_matrix = feature_matrix = None
    if config.pointnet_input_transform:
        input_matrix = t_net("encoder.input_transform.", x, 3)
        x = torch.cat([torch.einsum("bcn,bcd->bdn", x[:, :3], input_matrix), x[:, 3:]], dim=1)
    num_layers = len(config.pointnet_channels)
    for index in range(num_layers):
        x = layer(f"encoder.layers.{index}.", x, spike=index < num_layers - 1)
        if index == 0 and config.pointnet_feature_transform:
            feature_matrix = t_net("encoder.feature_transform.", x, config.pointnet_channels[0])
            x = torch.einsum("bcn,bcd->bdn", x, feature_matrix)
    pooled = x.max(dim=2).values
    if "encoder.projection.weight" in state:
        pooled = pooled @ state["encoder.projection.weight"].t() + state["encoder.projection.bias"]
    return pooled, x.transpose(1, 2), input_matrix, feature_matrix


def _calibrated_model(config):
    """A float64 model whose BatchNorm running statistics are those of one batch and whose affine parameters are
    random, so that the spikes take several levels (a silent network would make parity trivial)."""
    torch.manual_seed(0)
    model = SpikingPointEncoderModel(config).double()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            torch.nn.init.uniform_(module.weight, 0.5, 2.0)
            torch.nn.init.normal_(module.bias, 0.5, 0.5)
    model.train()
    with torch.no_grad():
        model(torch.rand(4, 64, config.in_channels, dtype=torch.float64))
    return model.eval()


def _hand_regularizer(matrices):
    """mean over clouds of sqrt(sum_ij ((A A^T)_ij - delta_ij)^2), entry by entry."""
    norms = []
    for matrix in matrices.tolist():
        size = len(matrix)
        squares = sum(
            (sum(matrix[i][k] * matrix[j][k] for k in range(size)) - (i == j)) ** 2
            for i in range(size)
            for j in range(size)
        )
        norms.append(math.sqrt(squares))
    return sum(norms) / len(norms)


@pytest.mark.parametrize("transforms", [{}, TRANSFORMS], ids=["no_t_net", "t_nets"])
@pytest.mark.parametrize("spike_activation", ["multispike", "relu"])
@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
def test_forward_matches_the_hand_written_reference(transforms, spike_activation, training):
    # momentum 1: the running statistics become exactly those of the calibration batch
    config = SpikingPointEncoderConfig(
        **TINY, **transforms, spike_activation=spike_activation, batch_norm_momentum=1.0
    )
    model = _calibrated_model(config).train(training)
    points = torch.rand(3, 50, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) * 2 - 1
    state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    with torch.no_grad():
        output = model(points, output_hidden_states=True)
    expected_pooled, expected_points, input_matrix, feature_matrix = reference_spike_pointnet(
        state, points, config, training
    )
    torch.testing.assert_close(output.pooler_output, expected_pooled, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(output.last_hidden_state, expected_points, rtol=1e-10, atol=1e-10)
    first_spikes = output.hidden_states[0]
    if transforms:
        torch.testing.assert_close(output.input_transform, input_matrix, rtol=1e-10, atol=1e-10)
        torch.testing.assert_close(output.feature_transform, feature_matrix, rtol=1e-10, atol=1e-10)
        assert output.feature_transform.shape == (3, 8, 8)
        # the matrices differ from the identity and between clouds: the transforms are not a no-op
        assert not torch.allclose(output.input_transform[0], torch.eye(3, dtype=torch.float64), atol=0.1)
        assert not torch.allclose(output.feature_transform[0], output.feature_transform[1], atol=0.1)
    else:
        assert output.input_transform is None and output.feature_transform is None
    if spike_activation == "multispike":
        assert len(first_spikes.unique()) >= 3, "the spikes should take several levels"
    else:
        assert not any(isinstance(module, MultiSpike) for module in model.modules())
        assert (first_spikes > 0).any() and not torch.equal(first_spikes, first_spikes.round())


def test_shapes_hidden_states_and_spike_values():
    config = SpikingPointEncoderConfig(**TINY_WITH_TRANSFORMS)
    model = _calibrated_model(config)
    with torch.no_grad():
        output = model(torch.rand(3, 40, 6, dtype=torch.float64), output_hidden_states=True)
    assert output.pooler_output.shape == (3, 24)
    assert output.last_hidden_state.shape == (3, 40, 20)
    assert output.input_transform.shape == (3, 3, 3)
    assert [tuple(state.shape) for state in output.hidden_states] == [(3, 40, w) for w in config.pointnet_channels]
    for spikes in output.hidden_states[:-1]:  # the first layer's spikes as they leave it, before the transform
        assert torch.equal(spikes, spikes.round()) and spikes.min() >= 0 and spikes.max() <= config.max_level
    assert torch.equal(output.hidden_states[-1], output.last_hidden_state)
    assert output.center_indices is None and output.attentions is None
    with pytest.raises(ValueError, match=r"output_attentions=True.*'pointnet' backbone has no attention"):
        model(torch.rand(1, 8, 6, dtype=torch.float64), output_attentions=True)


def _layer_parameters(c_in, c_out):
    return c_in * c_out + 3 * c_out  # Linear weight + bias, BatchNorm weight + bias


def _t_net_parameters(c_in, size, widths=(64, 128, 1024, 512, 256)):
    inputs = (c_in,) + widths[:-1]
    return sum(map(_layer_parameters, inputs, widths)) + widths[-1] * size * size + size * size


def _parameters(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("in_channels", [6, 3], ids=["xyz_rgb", "xyz"])
def test_paper_size_preset_parameters_match_the_hand_formula(in_channels):
    with torch.device("meta"):
        model = hf_spiking.create_model("svl-pointnet-s", in_channels=in_channels)
    widths = (64, 128, 1024)
    t_nets = _t_net_parameters(in_channels, 3) + _t_net_parameters(64, 64)
    layers = sum(map(_layer_parameters, (in_channels,) + widths[:-1], widths))
    assert _parameters(model.encoder.input_transform) + _parameters(model.encoder.feature_transform) == t_nets
    assert _parameters(model) == t_nets + layers
    assert model.encoder.projection is None and model.config.hidden_size == 1024
    if in_channels == 3:
        # The official 40-class classifier on xyz adds fc 1024-512-256-40 with BatchNorm: 3.47 M in all.
        official_head = _layer_parameters(1024, 512) + _layer_parameters(512, 256) + 256 * 40 + 40
        assert (_parameters(model), t_nets, _parameters(model) + official_head) == (2_803_529, 2_660_425, 3_471_473)
    else:
        assert (_parameters(model), t_nets) == (2_803_913, 2_660_617)


def test_default_config_keeps_the_no_t_net_backbone():
    # Saved configs without the T-Net fields load as before: no T-Net, PointNet's five widths, 0.15 M parameters.
    config = SpikingPointEncoderConfig(backbone="pointnet", hidden_size=1024)
    assert not config.pointnet_input_transform and not config.pointnet_feature_transform
    with torch.device("meta"):
        model = SpikingPointEncoderModel(config)
    widths = (64, 64, 64, 128, 1024)
    assert _parameters(model) == sum(map(_layer_parameters, (6,) + widths[:-1], widths)) == 151_872
    assert model.encoder.input_transform is None and model.encoder.feature_transform is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("pointnet_channels", ()),
        ("pointnet_channels", (64, 0)),
        ("pointnet_channels", (64, -3)),
        ("pointnet_channels", (64, 2.5)),
        ("pointnet_transform_channels", (64, 128, 1024, 512)),
        ("pointnet_transform_channels", (64, 128, 0, 512, 256)),
        ("pointnet_feature_transform_weight", -0.1),
    ],
    ids=["empty", "zero", "negative", "float", "transform_four_widths", "transform_zero", "negative_weight"],
)
def test_bad_pointnet_fields_are_refused_naming_the_field(field, value):
    with pytest.raises(SpikingPointEncoderConfigError, match=field):
        SpikingPointEncoderConfig(backbone="pointnet", **{field: value})


def test_feature_transform_needs_a_second_layer():
    with pytest.raises(SpikingPointEncoderConfigError, match=r"pointnet_feature_transform=True.*\(64,\)"):
        SpikingPointEncoderConfig(backbone="pointnet", pointnet_channels=(64,), pointnet_feature_transform=True)
    # the input transform alone works with one layer
    config = SpikingPointEncoderConfig(
        backbone="pointnet", pointnet_channels=(16,), hidden_size=16, pointnet_input_transform=True,
        pointnet_transform_channels=(4, 4, 4, 4, 4),
    )
    output = SpikingPointEncoderModel(config).eval()(torch.rand(2, 10, 6))
    assert output.pooler_output.shape == (2, 16) and output.input_transform.shape == (2, 3, 3)


def test_one_cloud_training_batch_is_refused_and_evaluation_accepts_it():
    model = SpikingPointEncoderModel(SpikingPointEncoderConfig(**TINY_WITH_TRANSFORMS)).train()
    with pytest.raises(ValueError, match=r"`point_values` holds 1 cloud.*two or more clouds.*dataloader_drop_last"):
        model(torch.rand(1, 20, 6))
    with torch.no_grad():
        assert model.eval()(torch.rand(1, 20, 6)).pooler_output.shape == (1, 24)


def test_regularizer_of_known_matrices():
    angle = 0.3
    rotation = torch.tensor(
        [[math.cos(angle), -math.sin(angle), 0.0], [math.sin(angle), math.cos(angle), 0.0], [0.0, 0.0, 1.0]],
        dtype=torch.float64,
    )
    # 2I: A A^T - I = 3I, Frobenius norm 3 sqrt(3); a rotation: 0; the mean over the two clouds
    matrices = torch.stack([rotation, 2 * torch.eye(3, dtype=torch.float64)])
    value = pointnet_feature_transform_regularizer(matrices)
    assert value.item() == pytest.approx(1.5 * math.sqrt(3), abs=1e-12)
    random = torch.randn(4, 5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert pointnet_feature_transform_regularizer(random).item() == pytest.approx(_hand_regularizer(random), 1e-12)


@pytest.mark.parametrize("feature_transform", [True, False], ids=["feature_t_net", "input_t_net_only"])
def test_classification_loss_adds_the_weighted_regularizer(feature_transform):
    config = SpikingPointEncoderConfig(
        **{**TINY_WITH_TRANSFORMS, "pointnet_feature_transform": feature_transform},
        pointnet_feature_transform_weight=0.5,
        num_labels=3,
    )
    torch.manual_seed(0)
    model = SpikingPointEncoderForPointCloudClassification(config).double().eval()
    points = torch.rand(4, 30, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    labels = torch.tensor([0, 2, 1, 2])
    output = model(points, labels=labels)
    cross_entropy = F.cross_entropy(output.logits, labels)
    with torch.no_grad():
        matrices = model.point_encoder(points).feature_transform
    if not feature_transform:
        assert matrices is None and output.loss.item() == cross_entropy.item()
        return
    expected = cross_entropy.item() + 0.5 * _hand_regularizer(matrices)
    assert output.loss.item() == pytest.approx(expected, rel=1e-12)
    assert _hand_regularizer(matrices) > 1.0  # the term is not negligible in this check
    output.loss.backward()
    assert model.point_encoder.encoder.feature_transform.matrix.weight.grad.abs().sum() > 0


def test_save_load_round_trip_keeps_outputs_and_config(tmp_path):
    config = SpikingPointEncoderConfig(**TINY_WITH_TRANSFORMS, num_labels=5)
    torch.manual_seed(0)
    model = SpikingPointEncoderForPointCloudClassification(config).eval()
    points = torch.rand(2, 30, 6)
    with torch.no_grad():
        expected = model(points).logits
    model.save_pretrained(tmp_path)
    reloaded = SpikingPointEncoderForPointCloudClassification.from_pretrained(tmp_path).eval()
    # tuples again after JSON
    assert reloaded.config.pointnet_channels == config.pointnet_channels
    assert reloaded.config.pointnet_transform_channels == config.pointnet_transform_channels
    assert reloaded.config.pointnet_input_transform and reloaded.config.pointnet_feature_transform
    with torch.no_grad():
        torch.testing.assert_close(reloaded(points).logits, expected, rtol=0, atol=0)


def test_classification_head_fits_a_fixed_batch():
    config = SpikingPointEncoderConfig(**{**TINY_WITH_TRANSFORMS, "initializer_range": 0.02}, num_labels=4)
    torch.manual_seed(0)
    model = SpikingPointEncoderForPointCloudClassification(config).train()
    labels = torch.arange(8) % 4
    points = (torch.rand(8, 64, 6) * 2 - 1) * (labels[:, None, None] + 1) / 4  # class k: clouds of extent (k+1)/4
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(10):
        loss = model(points, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0] and losses[-1] == min(losses), losses


def _firing_test_preset():
    """svl-pointnet-test (both T-Nets) with the running statistics of one real batch, not the silent random-init
    ones, so that every spiking layer fires."""
    torch.manual_seed(0)
    model = hf_spiking.create_model("svl-pointnet-test").train()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.momentum = None  # a cumulative average: after one batch, that batch's statistics
    with torch.no_grad():
        model(torch.rand(4, 200, 6))
    return model.eval()


# Under both conventions: layers fed coordinates are MACs, layers fed spikes accumulates.
_MAC_ROWS = {"encoder.input_transform.point_layers.0.linear", "encoder.input_transform.product"}
_T_NET_LAYERS = (
    "point_layers.0.linear", "point_layers.1.linear", "point_layers.2.linear", "cloud_layers.0.linear",
    "cloud_layers.1.linear", "matrix", "product",
)
_AC_ROWS = {
    *(f"encoder.input_transform.{name}" for name in _T_NET_LAYERS[1:-1]),
    *(f"encoder.feature_transform.{name}" for name in _T_NET_LAYERS),
    "encoder.layers.2.linear", "encoder.layers.3.linear", "encoder.layers.4.linear",
}


@pytest.mark.parametrize("convention", ["measured", "paper"])
def test_energy_charges_coordinates_as_macs_and_spikes_as_accumulates(convention):
    model = _firing_test_preset()
    points = torch.rand(2, 200, 6)
    with torch.no_grad():
        first_spikes = model(points, output_hidden_states=True).hidden_states[0]  # [2, 200, 8], before the transform
    report = hf_spiking.estimate_energy(model, points, convention=convention)
    kinds = {row.name: row.kind for row in report.layers}
    rows = {row.name: row for row in report.layers}
    assert len(kinds) == len(report.layers) == 20  # one kind per layer: 7 per T-Net, 5 layers, the projection
    assert [name for name in sorted(_MAC_ROWS) if kinds[name] != "MAC"] == []
    assert [name for name in sorted(_AC_ROWS) if kinds[name] != "AC"] == []
    # a max over the points fires more than the points do: up to max_level spikes per element
    assert all(0 < rows[name].sops <= model.config.max_level * rows[name].macs for name in _AC_ROWS)
    assert all(rows[f"encoder.layers.{i}.linear"].sops < rows[f"encoder.layers.{i}.linear"].macs for i in (2, 3, 4))
    assert 0 < report.total_energy_mj < report.dense_energy_mj
    # per sample: every point's in_channels x width multiply-accumulates; the 3x3 product 9 per point
    assert rows["encoder.input_transform.point_layers.0.linear"].macs == 200 * 6 * 8
    assert rows["encoder.input_transform.product"].macs == 200 * 3 * 3
    assert rows["encoder.feature_transform.product"].macs == 200 * 8 * 8
    second = rows["encoder.layers.1.linear"]
    if convention == "measured":
        # each spike adds one 8-wide row of the feature matrix; its real-valued output makes layer 1 a MAC layer
        assert rows["encoder.feature_transform.product"].sops == first_spikes.sum().item() * 8 / 2
        assert second.kind == kinds["encoder.layers.0.linear"] == kinds["encoder.projection"] == "MAC"
    else:
        # the product and layer 1 fold into one spike-driven layer, charged at the rate of the first layer's spikes
        assert second.kind == "AC" and second.firing_rate == pytest.approx(first_spikes.mean().item(), rel=1e-6)
        assert kinds["encoder.projection"] == "AC"


def test_paper_convention_charges_the_transformed_coordinates_as_macs():
    model = _firing_test_preset()
    report = hf_spiking.estimate_energy(model, torch.rand(2, 200, 6), convention="paper")
    assert {row.name: row.kind for row in report.layers}["encoder.layers.0.linear"] == "MAC"
