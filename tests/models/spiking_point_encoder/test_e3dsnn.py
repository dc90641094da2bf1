"""E-3DSNN encoder: parity with the official E_3DSNN_T fixture, parameter counts, voxelisation options, input checks."""

import types

import pytest
import torch
from safetensors.torch import load_file

from hf_spiking.models.spiking_point_encoder.e3dsnn import (
    E3DSNN_VARIANTS,
    E3DSNNEncoder,
    batch_norm_sites,
    voxelize_points,
)
from hf_spiking.models.spiking_point_encoder.convert_svl_original_to_hf import convert_e3dsnn_state_dict
from hf_spiking.models.spiking_point_encoder.sparse_conv import is_spconv_available
from hf_spiking.snn import MultiSpike


def make_config(variant="t", **overrides):
    values = {"in_channels": 6, "max_level": 4, "voxel_size": 0.02, "merge_duplicate_voxels": False,
              "sparse_conv_backend": "torch", **E3DSNN_VARIANTS[variant]}
    values.update(overrides)
    return types.SimpleNamespace(**values)


def tiny_config(**overrides):
    values = {"stem_channels": 4, "encoder_channels": (4, 6), "encoder_depths": (1, 2), "hidden_size": 5,
              "voxel_size": 0.25, **overrides}
    return make_config(**values)


def tiny_encoder(seed=0, **overrides):
    """A tiny encoder whose BatchNorm shifts keep the spikes firing (default initialisation leaves them silent)."""
    torch.manual_seed(seed)
    encoder = E3DSNNEncoder(tiny_config(**overrides))
    g = torch.Generator().manual_seed(seed)
    for module in encoder.modules():
        if isinstance(module, torch.nn.BatchNorm1d):
            module.weight.data = 0.5 + torch.rand(module.weight.shape, generator=g)
            module.bias.data = 2.0 * torch.rand(module.bias.shape, generator=g) - 0.5
    return encoder


def sphere_cloud(batch_size, num_points, seed):
    g = torch.Generator().manual_seed(seed)
    xyz = torch.randn(batch_size, num_points, 3, generator=g)
    xyz = xyz / xyz.norm(dim=-1, keepdim=True) * torch.rand(batch_size, num_points, 1, generator=g) ** (1 / 3)
    return torch.cat([xyz, torch.rand(batch_size, num_points, 3, generator=g)], dim=-1)


@pytest.fixture(scope="module")
def fixture(fixtures_dir):
    return load_file(str(fixtures_dir / "e3dsnn_t.safetensors"))


def official_state_dict(fixture):
    return {key.removeprefix("state_dict."): value for key, value in fixture.items() if key.startswith("state_dict.")}


def run_with_stage_capture(encoder, point_values):
    captured = {}
    encoder.stem.register_forward_hook(lambda module, args, out: captured.__setitem__("stem", out))
    for index, stage in enumerate(encoder.stages):
        stage.register_forward_hook(lambda module, args, out, index=index: captured.__setitem__(f"enc{index}", out))
    with torch.no_grad():
        embedding = encoder(point_values)
    return embedding, captured


@pytest.mark.parametrize("backend", ["torch", "spconv"])
def test_official_e3dsnn_t_parity(fixture, backend):
    if backend == "spconv" and not is_spconv_available():
        pytest.skip("spconv (optional sparse-conv backend) is not installed")
    encoder = E3DSNNEncoder(make_config("t", sparse_conv_backend=backend)).eval()
    encoder.load_state_dict(convert_e3dsnn_state_dict(official_state_dict(fixture)), strict=True)
    point_values = fixture["inputs.features"]
    # The official model receives xyz separately; its features are the same xyz followed by rgb.
    torch.testing.assert_close(point_values[..., :3], fixture["inputs.xyz"], atol=0, rtol=0)

    voxels = encoder.voxelize(point_values)
    assert torch.equal(voxels.coords[:, 1:].int(), fixture["intermediate.grid_coord"])
    assert torch.equal(voxels.coords[:, 0], torch.arange(2).repeat_interleave(512))

    embedding, captured = run_with_stage_capture(encoder, point_values)
    stem_rows = fixture["intermediate.stem_feature_rows"]
    torch.testing.assert_close(captured["stem"].features[stem_rows], fixture["intermediate.stem_features"],
                               atol=1e-4, rtol=0)
    for stage in range(4):
        out = captured[f"enc{stage}"]
        assert torch.equal(out.coords.int(), fixture[f"intermediate.enc{stage}.indices"]), f"site set of stage {stage}"
        rows = fixture[f"intermediate.enc{stage}.feature_rows"]
        torch.testing.assert_close(out.features[rows], fixture[f"intermediate.enc{stage}.features"], atol=1e-4, rtol=0)
    torch.testing.assert_close(embedding, fixture["outputs.embedding"], atol=1e-4, rtol=0)


def test_final_weight_is_reshaped_not_transposed(fixture):
    converted = convert_e3dsnn_state_dict({"module." + k: v for k, v in official_state_dict(fixture).items()})
    official = fixture["state_dict.final.weight"]
    assert torch.equal(converted["final.weight"], official.reshape(128, 1280).T)
    assert not torch.equal(converted["final.weight"], official[:, 0, 0, 0, :])
    assert torch.equal(converted["stages.3.blocks.0.conv_pair.1.conv.weight"],
                       fixture["state_dict.enc.3.blocks.0.voxel_block.4.weight"])
    with pytest.raises(ValueError, match="Unexpected keys"):
        convert_e3dsnn_state_dict({"decoder.0.weight": official})


@pytest.mark.parametrize(
    "variant, backbone, with_head",
    [("t", 1_869_056, 2_034_176), ("s", 3_264_704, 3_470_784), ("l", 17_320_320, 17_649_280),
     ("h", 46_558_848, 47_051_648)],
)
def test_parameter_counts_match_official(variant, backbone, with_head):
    with torch.device("meta"):
        encoder = E3DSNNEncoder(make_config(variant))
    total = sum(p.numel() for p in encoder.parameters())
    head = sum(p.numel() for p in encoder.final.parameters())
    assert (total - head, total) == (backbone, with_head)


def test_spikes_are_integers_where_the_official_code_has_them():
    encoder = tiny_encoder().eval()
    spikes = []
    for module in encoder.modules():
        if isinstance(module, MultiSpike):
            module.register_forward_hook(lambda m, args, out: spikes.append(out))
    with torch.no_grad():
        encoder(sphere_cloud(2, 64, seed=3))
    # 2 in the stem, then per stage 1 before the downsampling and 3 per residual block.
    assert len(spikes) == 2 + (1 + 3) + (1 + 3 * 2)
    for out in spikes:
        assert torch.equal(out, out.round()) and out.min() >= 0 and out.max() <= 4
    counts = torch.cat([out.flatten() for out in spikes])
    assert 0.05 < (counts > 0).double().mean() < 0.95 and counts.max() >= 2


def test_training_step_gives_finite_gradients_everywhere():
    encoder = tiny_encoder().train()
    embedding = encoder(sphere_cloud(2, 96, seed=4))
    assert embedding.shape == (2, 5)
    embedding.square().mean().backward()
    for name, parameter in encoder.named_parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all(), name


def test_forward_features_feed_final_and_mean_pool():
    encoder = tiny_encoder().eval()
    point_values = sphere_cloud(3, 80, seed=5)
    with torch.no_grad():
        features, batch_index = encoder.forward_features(point_values)
        pooled = torch.stack([encoder.final(features[batch_index == b]).mean(0) for b in range(3)])
        torch.testing.assert_close(encoder(point_values), pooled, atol=1e-6, rtol=0)
    assert features.shape[1] == 6 and batch_index.shape == (features.shape[0],)


def test_voxelisation_keeps_duplicates_by_default_and_merges_on_request():
    g = torch.Generator().manual_seed(6)
    cloud = sphere_cloud(1, 40, seed=6)
    copies = cloud[:, :10].clone()
    copies[..., 3:] = torch.rand(1, 10, 3, generator=g)  # same positions, other colours
    with_copies = torch.cat([cloud, copies], dim=1)

    faithful = voxelize_points(with_copies, 0.25)
    assert faithful.coords.shape[0] == 50
    torch.testing.assert_close(faithful.features, with_copies[0])

    merged = voxelize_points(with_copies, 0.25, merge_duplicates=True)
    unique_sites, site = torch.unique(faithful.coords, dim=0, return_inverse=True)
    assert torch.equal(merged.coords, unique_sites)
    for index in range(unique_sites.shape[0]):
        torch.testing.assert_close(merged.features[index], with_copies[0][site == index].mean(0))

    # Exact duplicate points change nothing once merged, but do change the faithful (official) result.
    exact = torch.cat([cloud, cloud[:, :10]], dim=1)
    merged_encoder = tiny_encoder(merge_duplicate_voxels=True).eval()
    faithful_encoder = tiny_encoder().eval()
    with torch.no_grad():
        torch.testing.assert_close(merged_encoder(exact), merged_encoder(cloud), atol=1e-5, rtol=0)
        assert not torch.allclose(faithful_encoder(exact), faithful_encoder(cloud), atol=1e-3)


def test_batch_wide_origin_is_the_faithful_default():
    first, second = sphere_cloud(1, 30, seed=7), sphere_cloud(1, 30, seed=8) - 0.3
    together = voxelize_points(torch.cat([first, second]), 0.02)
    alone = voxelize_points(first, 0.02)
    batch_min = torch.cat([first, second])[..., :3].reshape(-1, 3).min(0).values
    expected = torch.div(first[0, :, :3] - batch_min, 0.02, rounding_mode="trunc").long()
    assert torch.equal(together.coords[:30, 1:], expected)
    assert not torch.equal(together.coords[:30, 1:], alone.coords[:, 1:])


@pytest.mark.parametrize(
    "bad, message",
    [
        (torch.zeros(64, 6), r"\[batch, num_points, 6\]"),
        (torch.zeros(2, 64, 3), r"got \(2, 64, 3\)"),
        (torch.zeros(2, 0, 6), "at least one"),
        (torch.zeros(2, 8, 6, dtype=torch.long), "floating-point"),
        (torch.full((1, 8, 6), float("nan")), "finite"),
        ([[0.0] * 6], "torch.Tensor"),
    ],
)
def test_bad_inputs_raise_clear_errors(bad, message):
    encoder = E3DSNNEncoder(tiny_config())
    with pytest.raises(ValueError, match=message):
        encoder(bad)


def test_bad_configs_raise():
    with pytest.raises(ValueError, match="equal length"):
        E3DSNNEncoder(tiny_config(encoder_depths=(1,)))
    with pytest.raises(ValueError, match="in_channels"):
        E3DSNNEncoder(tiny_config(in_channels=2))
    with pytest.raises(ValueError, match="backend"):
        E3DSNNEncoder(tiny_config(sparse_conv_backend="minkowski"))


def test_eval_batch_norm_of_sites_equals_batch_norm():
    norm = torch.nn.BatchNorm1d(5, eps=1e-3)
    with torch.no_grad():
        norm.running_mean.uniform_(-1, 1), norm.running_var.uniform_(0.1, 2), norm.weight.normal_(), norm.bias.normal_()
    features = torch.randn(37, 5)
    torch.testing.assert_close(batch_norm_sites(norm.eval(), features), norm(features))
    norm.train()
    running_mean = norm.running_mean.clone()
    torch.testing.assert_close(batch_norm_sites(norm, features), torch.nn.functional.batch_norm(
        features, None, None, norm.weight, norm.bias, training=True, eps=norm.eps))
    assert not torch.equal(norm.running_mean, running_mean)  # training mode still updates the statistics
