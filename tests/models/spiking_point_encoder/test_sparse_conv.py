"""Pure-PyTorch sparse convolutions against dense Conv3d on the densified grid, energy counts and the spconv backend."""

import pytest
import torch
import torch.nn.functional as F

from hf_spiking.models.spiking_point_encoder.sparse_conv import (
    SparseConv3d,
    SparseVoxelTensor,
    SubmanifoldConv3d,
    is_spconv_available,
    scatter_mean,
    scatter_plan,
    scatter_sum,
    unique_coordinates,
)

GRID = (7, 6, 5)


def random_sites(batch_size=2, occupancy=0.35, channels=4, generator_seed=0, dtype=torch.float64):
    """Unique random sites of a small grid, in shuffled row order, with random features."""
    g = torch.Generator().manual_seed(generator_seed)
    occupied = torch.rand(batch_size, *GRID, generator=g) < occupancy
    coords = occupied.nonzero()
    coords = coords[torch.randperm(coords.shape[0], generator=g)]
    features = torch.randn(coords.shape[0], channels, generator=g, dtype=dtype)
    return SparseVoxelTensor(features, coords, batch_size)


def densify(sparse, channels, grid=GRID):
    """Dense [B, C, *grid] tensor holding, per voxel, the sum of its rows."""
    dense = sparse.features.new_zeros(sparse.batch_size, *grid, channels)
    dense = dense.index_put((*sparse.coords.unbind(1),), sparse.features, accumulate=True)
    return dense.permute(0, 4, 1, 2, 3)


def dense_weight(conv):
    return conv.weight.permute(0, 4, 1, 2, 3)


@pytest.mark.parametrize("kernel_size", [1, 3, 5])
def test_submanifold_matches_dense_conv_at_active_sites(kernel_size):
    sparse = random_sites()
    conv = SubmanifoldConv3d(4, 5, kernel_size, bias=True).double()
    out = conv(sparse)
    dense = F.conv3d(densify(sparse, 4), dense_weight(conv), conv.bias, padding=kernel_size // 2)
    b, x, y, z = sparse.coords.unbind(1)
    torch.testing.assert_close(out.features, dense[b, :, x, y, z], atol=1e-5, rtol=0)
    assert torch.equal(out.coords, sparse.coords)


@pytest.mark.parametrize("kernel_size", [3, 5])
def test_submanifold_gradients_match_dense_conv(kernel_size):
    sparse = random_sites()
    features = sparse.features.clone().requires_grad_(True)
    conv = SubmanifoldConv3d(4, 3, kernel_size).double()
    out = conv(sparse.replace_features(features)).features
    upstream = torch.randn_like(out)
    (out * upstream).sum().backward()
    grad_features, grad_weight = features.grad, conv.weight.grad

    dense_features = features.detach().clone().requires_grad_(True)
    weight = conv.weight.detach().clone().requires_grad_(True)
    dense_in = densify(sparse.replace_features(dense_features), 4)
    dense = F.conv3d(dense_in, weight.permute(0, 4, 1, 2, 3), padding=kernel_size // 2)
    b, x, y, z = sparse.coords.unbind(1)
    (dense[b, :, x, y, z] * upstream).sum().backward()
    torch.testing.assert_close(grad_features, dense_features.grad, atol=1e-5, rtol=0)
    torch.testing.assert_close(grad_weight, weight.grad, atol=1e-5, rtol=0)


def test_strided_matches_dense_conv_and_sorts_output_sites():
    sparse = random_sites()
    conv = SparseConv3d(4, 6, kernel_size=2, stride=2, bias=True).double()
    out = conv(sparse)
    padded_grid = tuple(s + s % 2 for s in GRID)
    dense = F.conv3d(densify(sparse, 4, padded_grid), dense_weight(conv), conv.bias, stride=2)
    expected_sites = torch.unique(torch.cat([sparse.coords[:, :1], sparse.coords[:, 1:] // 2], 1), dim=0)
    assert torch.equal(out.coords, expected_sites)  # torch.unique(dim=0) sorts lexicographically
    b, x, y, z = out.coords.unbind(1)
    torch.testing.assert_close(out.features, dense[b, :, x, y, z], atol=1e-5, rtol=0)


def with_duplicates(base):
    """``base`` plus a second row, with its own features, at every third site."""
    duplicated = torch.arange(0, base.coords.shape[0], 3)
    extra = torch.randn(duplicated.shape[0], base.features.shape[1], dtype=base.features.dtype)
    return SparseVoxelTensor(torch.cat([base.features, extra]), torch.cat([base.coords, base.coords[duplicated]]),
                             base.batch_size)


def duplicate_reference(sparse, weight):
    """Dense reference on the grid holding the per-voxel sums; each row then swaps the voxel's centre tap for its
    own."""
    dense = F.conv3d(densify(sparse, 4), weight.permute(0, 4, 1, 2, 3), padding=1)
    b, x, y, z = sparse.coords.unbind(1)
    centre = weight[:, 1, 1, 1, :]
    voxel_sum = densify(sparse, 4)[b, :, x, y, z]
    return dense[b, :, x, y, z] - voxel_sum @ centre.T + sparse.features @ centre.T


def test_duplicate_sites_keep_own_centre_tap_and_sum_neighbours():
    sparse = with_duplicates(random_sites(batch_size=1))
    conv = SubmanifoldConv3d(4, 5).double()
    torch.testing.assert_close(conv(sparse).features, duplicate_reference(sparse, conv.weight), atol=1e-5, rtol=0)

    strided = SparseConv3d(4, 5).double()
    down = strided(sparse)
    dense_down = F.conv3d(densify(sparse, 4, tuple(s + s % 2 for s in GRID)), dense_weight(strided), stride=2)
    b, x, y, z = down.coords.unbind(1)
    torch.testing.assert_close(down.features, dense_down[b, :, x, y, z], atol=1e-5, rtol=0)


def test_duplicate_sites_gradients_match_dense_reference():
    sparse = with_duplicates(random_sites(batch_size=1))
    features = sparse.features.clone().requires_grad_(True)
    conv = SubmanifoldConv3d(4, 5).double()
    out = conv(sparse.replace_features(features)).features
    upstream = torch.randn_like(out)
    (out * upstream).sum().backward()

    reference_features = sparse.features.clone().requires_grad_(True)
    weight = conv.weight.detach().clone().requires_grad_(True)
    (duplicate_reference(sparse.replace_features(reference_features), weight) * upstream).sum().backward()
    torch.testing.assert_close(features.grad, reference_features.grad, atol=1e-5, rtol=0)
    torch.testing.assert_close(conv.weight.grad, weight.grad, atol=1e-5, rtol=0)


def test_sites_without_neighbours_get_their_centre_tap_only():
    coords = torch.tensor([[0, 0, 0, 0], [0, 2, 0, 0], [0, 2, 0, 0], [1, 0, 0, 0]])  # one duplicated site
    sparse = SparseVoxelTensor(torch.randn(4, 4, dtype=torch.float64), coords, 2)
    conv = SubmanifoldConv3d(4, 5).double()
    torch.testing.assert_close(conv(sparse).features, sparse.features @ conv.weight[:, 1, 1, 1, :].T)


@pytest.mark.parametrize("duplicates", [False, True])
def test_energy_counts_match_brute_force_pair_counts(duplicates):
    sparse = random_sites(channels=3)
    if duplicates:
        sparse = with_duplicates(sparse)
    spikes = torch.randint(0, 5, sparse.features.shape).double()
    sparse = sparse.replace_features(spikes)
    conv = SubmanifoldConv3d(3, 7)
    rows_at = {}
    for row, site in enumerate(sparse.coords.tolist()):
        rows_at.setdefault(tuple(site), []).append(row)
    pairs = []  # (input row, output row): every row at a neighbouring site, and at the centre only the row itself
    for out_row, (b, x, y, z) in enumerate(sparse.coords.tolist()):
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    if (dx, dy, dz) == (0, 0, 0):
                        pairs.append((out_row, out_row))
                    else:
                        pairs += [(in_row, out_row) for in_row in rows_at.get((b, x + dx, y + dy, z + dz), [])]
    macs, accumulates = conv.energy_counts((sparse,), None)
    assert macs == len(pairs) * 3 * 7
    assert accumulates == int(sum(spikes[i].sum() for i, _ in pairs)) * 7

    down = SparseConv3d(3, 8)
    macs, accumulates = down.energy_counts((sparse,), None)
    assert macs == sparse.coords.shape[0] * 3 * 8
    assert accumulates == int(spikes.sum()) * 8


def test_unique_coordinates_matches_unique_rows():
    coords = torch.randint(-3, 3, (200, 4), generator=torch.Generator().manual_seed(2))  # duplicates, negatives
    for rows in (coords, coords[:1], coords[:0]):
        expected = torch.unique(rows, dim=0, sorted=True, return_inverse=True)
        for actual, wanted in zip(unique_coordinates(rows), expected):
            assert torch.equal(actual, wanted)


def test_scatter_sum_and_mean_match_index_add():
    g = torch.Generator().manual_seed(1)
    index = torch.randint(0, 9, (40,), generator=g)
    values = torch.randn(40, 3, generator=g, dtype=torch.float64)
    expected = torch.zeros(11, 3, dtype=torch.float64).index_add_(0, index, values)
    plan = scatter_plan(index, 11)
    assert plan.rounds is not None and sum(r.shape[0] for r in plan.rounds) == 40
    torch.testing.assert_close(scatter_sum(values, plan), expected)
    assert scatter_plan(torch.tensor([3, 0, 2]), 4).rounds is None
    counts = torch.bincount(index, minlength=11).clamp_min(1).unsqueeze(1)
    torch.testing.assert_close(scatter_mean(values, index, 11), expected / counts)


def test_scatter_mean_and_bad_arguments():
    values = torch.tensor([[1.0], [3.0], [5.0]])
    torch.testing.assert_close(scatter_mean(values, torch.tensor([0, 0, 2]), 3), torch.tensor([[2.0], [0.0], [5.0]]))
    with pytest.raises(ValueError, match="odd"):
        SubmanifoldConv3d(2, 2, kernel_size=2)
    with pytest.raises(ValueError, match="kernel_size == stride"):
        SparseConv3d(2, 2, kernel_size=3, stride=2)
    with pytest.raises(ValueError, match="backend"):
        SubmanifoldConv3d(2, 2, backend="minkowski")
    with pytest.raises(ValueError, match="input channels"):
        SubmanifoldConv3d(3, 2)(random_sites(channels=4))
    with pytest.raises(ValueError, match="coords"):
        SparseVoxelTensor(torch.zeros(3, 2), torch.zeros(3, 3, dtype=torch.long), 1)


@pytest.mark.skipif(not is_spconv_available(), reason="spconv (optional sparse-conv backend) is not installed")
def test_spconv_backend_matches_torch_backend():
    sparse = random_sites(dtype=torch.float32)
    for torch_conv in (SubmanifoldConv3d(4, 5), SparseConv3d(4, 5)):
        spconv_conv = type(torch_conv)(4, 5, backend="spconv")
        spconv_conv.load_state_dict(torch_conv.state_dict())
        expected, actual = torch_conv(sparse), spconv_conv(sparse)
        assert torch.equal(actual.coords, expected.coords)
        torch.testing.assert_close(actual.features, expected.features, atol=1e-4, rtol=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    sparse = random_sites(dtype=torch.float32)
    for conv in (SubmanifoldConv3d(4, 5), SparseConv3d(4, 5)):
        expected = conv(sparse)
        actual = conv.cuda()(SparseVoxelTensor(sparse.features.cuda(), sparse.coords.cuda(), sparse.batch_size))
        assert torch.equal(actual.coords.cpu(), expected.coords)
        torch.testing.assert_close(actual.features.cpu(), expected.features, atol=1e-4, rtol=0)
