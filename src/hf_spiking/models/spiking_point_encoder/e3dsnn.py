"""E-3DSNN: the sparse-convolution spiking ResNet point encoder of SVL (variants T, S, L, H).

Voxelisation -> stem (3 submanifold k3 convs with BatchNorm, integer spikes between them) -> 4 stages (spike, k2 s2
sparse conv, BatchNorm, then residual blocks) -> per-site linear layer (the official 1x1 submanifold conv) -> mean
over each cloud's active sites (computed as the mean, then the linear layer: the same result, one row per cloud).
Spikes are SVL's stateless integer multi-spikes in {0..D} (D = ``max_level`` = 4).

Voxelisation follows the official code by default: coordinates are truncated offsets from the minimum over the whole
batch (so one cloud's grid phase depends on the others in its batch) and every point becomes its own site, duplicates
included. ``merge_duplicate_voxels=True`` instead averages the features of the points of one cloud that share a voxel.
How the sparse convolutions treat duplicate sites is described in :mod:`.sparse_conv`; spconv treats them
asymmetrically, so on clouds with duplicates the official numbers are reproduced only approximately by any
re-implementation (the golden fixture has none; its clouds match to about 1e-6).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .sparse_conv import SparseConv3d, SparseVoxelTensor, SubmanifoldConv3d, scatter_mean, unique_coordinates
from .spiking import MultiSpike


# The official norm_fn: BatchNorm1d(eps=1e-3, momentum=0.01) in every variant.
BATCH_NORM_EPS = 1e-3
BATCH_NORM_MOMENTUM = 0.01

# Official sizes (bollossom/SVL model/spike_e3dsnn.py); the pooled embedding is the 1280-wide CLIP space.
E3DSNN_VARIANTS = {
    variant: {"stem_channels": stem, "encoder_channels": channels, "encoder_depths": depths, "hidden_size": 1280}
    for variant, stem, channels, depths in (
        ("t", 16, (16, 32, 64, 128), (1, 1, 1, 1)),
        ("s", 24, (24, 48, 96, 160), (1, 1, 1, 1)),
        ("l", 64, (64, 128, 128, 256), (2, 2, 2, 2)),
        ("h", 64, (96, 192, 288, 384), (2, 2, 2, 2)),
    )
}


def _check_point_values(point_values, in_channels: int) -> None:
    if not isinstance(point_values, torch.Tensor):
        raise ValueError(
            f"`point_values` must be a torch.Tensor [B, N, {in_channels}], got {type(point_values).__name__}."
        )
    if point_values.dim() != 3 or point_values.shape[-1] != in_channels:
        raise ValueError(
            f"`point_values` must have shape [batch, num_points, {in_channels}] (xyz first), got "
            f"{tuple(point_values.shape)}."
        )
    if point_values.shape[0] == 0 or point_values.shape[1] == 0:
        raise ValueError(
            f"`point_values` must hold at least one cloud of at least one point, got {tuple(point_values.shape)}."
        )
    if not point_values.is_floating_point():
        raise ValueError(f"`point_values` must be a floating-point tensor, got dtype {point_values.dtype}.")
    if not torch.isfinite(point_values[..., :3]).all():
        raise ValueError("`point_values` xyz coordinates must be finite (found NaN or inf).")


# The sparse convolutions linearise (batch, x, y, z) into int64 keys over the grid plus a kernel margin of 3 cells per
# axis; 2^62 leaves room for the neighbour offsets added to the keys.
MAX_VOXEL_KEYS = 2**62


def _check_voxel_key_space(cells: torch.Tensor, xyz: torch.Tensor, voxel_size: float, batch_size: int) -> None:
    """Refuses a grid whose voxel keys would overflow int64 (unnormalised clouds spanning far more than
    ``voxel_size``): the keys would wrap around and the convolutions would fail or mix up neighbours."""
    span = cells.amax(dim=0).double()
    key_space = batch_size * torch.prod(span + 3).item()
    if math.isfinite(key_space) and key_space <= MAX_VOXEL_KEYS:
        return
    extent = (xyz.amax(dim=0).double() - xyz.amin(dim=0).double()).tolist()
    raise ValueError(
        f"`point_values` span {', '.join(f'{side:.3g}' for side in extent)} in x, y, z: at voxel_size {voxel_size} "
        f"that is {' x '.join(f'{side + 1:.3g}' for side in span.tolist())} voxels, more than int64 voxel keys can "
        f"address ({batch_size} cloud(s) x voxels <= 2^62). E-3DSNN expects clouds normalised to the unit sphere "
        "(SpikingPointFeatureExtractor does it); normalise them or use a larger voxel_size."
    )


def voxelize_points(point_values: torch.Tensor, voxel_size: float, merge_duplicates: bool = False) -> SparseVoxelTensor:
    """Sparse voxel tensor of a batch of clouds ``[B, N, C]`` (xyz in the first three channels).

    Site coordinates are ``trunc((xyz - min) / voxel_size)`` with the minimum over all B*N points, as in the official
    code. Features are all C channels. Without merging, row ``b * N + i`` is point i of cloud b (duplicates kept);
    with merging, each (cloud, voxel) is one site holding the mean of its points, rows sorted by coordinate.
    """
    batch_size, num_points, channels = point_values.shape
    features = point_values.reshape(batch_size * num_points, channels)
    xyz = features[:, :3].detach()
    cells = torch.div(xyz - xyz.min(dim=0, keepdim=True).values, voxel_size, rounding_mode="trunc")
    _check_voxel_key_space(cells, xyz, voxel_size, batch_size)
    grid = cells.long()
    batch_index = torch.arange(batch_size, device=grid.device).repeat_interleave(num_points)
    coords = torch.cat([batch_index.unsqueeze(1), grid], dim=1)
    if merge_duplicates:
        coords, site = unique_coordinates(coords)
        features = scatter_mean(features, site, coords.shape[0])
    return SparseVoxelTensor(features, coords, batch_size)


class SpikeConvNorm(nn.Module):
    """Optional integer spike, then a sparse convolution, then BatchNorm over the active sites.

    Further positional arguments go to the convolution unchanged (an inverse convolution's ``target`` sites).
    """

    def __init__(self, conv: nn.Module, max_level: int | None, eps: float, momentum: float):
        super().__init__()
        self.spike = MultiSpike(max_level) if max_level is not None else None
        self.conv = conv
        self.norm = nn.BatchNorm1d(conv.out_channels, eps=eps, momentum=momentum)

    def forward(self, sparse: SparseVoxelTensor, *conv_args) -> SparseVoxelTensor:
        if self.spike is not None:
            sparse = sparse.replace_features(self.spike(sparse.features))
        out = self.conv(sparse, *conv_args)
        return out.replace_features(batch_norm_sites(self.norm, out.features))


def batch_norm_sites(norm: nn.BatchNorm1d, features: torch.Tensor) -> torch.Tensor:
    """``norm(features)`` for ``[sites, C]`` features. In eval mode it is the per-channel affine map of the running
    statistics, computed as one multiply-add: on CPU, BatchNorm's own kernel is several times slower at these widths."""
    if norm.training or not norm.track_running_stats or not norm.affine:
        return norm(features)
    scale = norm.weight * torch.rsqrt(norm.running_var + norm.eps)
    return torch.addcmul(norm.bias - norm.running_mean * scale, features, scale)


class E3DSNNBasicBlock(nn.Module):
    """Spiking residual block: ``h = unit(x) + x``; ``out = pair(h) + h`` with k3 submanifold convolutions."""

    def __init__(self, make_unit):
        super().__init__()
        self.conv_unit = make_unit()
        self.conv_pair = nn.Sequential(make_unit(), make_unit())

    def forward(self, sparse: SparseVoxelTensor) -> SparseVoxelTensor:
        hidden = sparse.replace_features(self.conv_unit(sparse).features + sparse.features)
        return hidden.replace_features(self.conv_pair(hidden).features + hidden.features)


class E3DSNNStage(nn.Module):
    """Spike -> k2 s2 sparse convolution -> BatchNorm, then ``depth`` residual blocks at the new resolution."""

    def __init__(self, in_channels: int, channels: int, depth: int, max_level: int, eps: float, momentum: float,
                 backend: str):
        super().__init__()

        def make_unit():
            return SpikeConvNorm(SubmanifoldConv3d(channels, channels, 3, backend=backend), max_level, eps, momentum)

        self.downsample = SpikeConvNorm(SparseConv3d(in_channels, channels, 2, 2, backend=backend), max_level, eps,
                                        momentum)
        self.blocks = nn.ModuleList(E3DSNNBasicBlock(make_unit) for _ in range(depth))

    def forward(self, sparse: SparseVoxelTensor) -> SparseVoxelTensor:
        sparse = self.downsample(sparse)
        for block in self.blocks:
            sparse = block(sparse)
        return sparse


class E3DSNNEncoder(nn.Module):
    """E-3DSNN point encoder: ``point_values [B, N, in_channels] -> [B, hidden_size]``.

    Reads from ``config``: ``in_channels``, ``hidden_size``, ``max_level``, ``stem_channels``, ``encoder_channels``,
    ``encoder_depths``, ``voxel_size``, ``merge_duplicate_voxels``, ``sparse_conv_backend`` and, when present,
    ``batch_norm_eps`` / ``batch_norm_momentum`` (official 1e-3 / 0.01 when absent or None).
    """

    def __init__(self, config):
        super().__init__()
        encoder_channels = tuple(config.encoder_channels)
        encoder_depths = tuple(config.encoder_depths)
        if len(encoder_channels) == 0 or len(encoder_channels) != len(encoder_depths):
            raise ValueError(
                f"`encoder_channels` and `encoder_depths` must be non-empty and of equal length, got "
                f"{encoder_channels} and {encoder_depths}."
            )
        if config.in_channels < 3:
            raise ValueError(f"`in_channels` must be at least 3 (xyz first), got {config.in_channels}.")
        if not config.voxel_size > 0:
            raise ValueError(f"`voxel_size` must be positive, got {config.voxel_size}.")
        self.in_channels = config.in_channels
        self.voxel_size = float(config.voxel_size)
        self.merge_duplicate_voxels = bool(config.merge_duplicate_voxels)
        backend = config.sparse_conv_backend
        max_level = config.max_level
        eps = getattr(config, "batch_norm_eps", None)
        eps = BATCH_NORM_EPS if eps is None else eps
        momentum = getattr(config, "batch_norm_momentum", None)
        momentum = BATCH_NORM_MOMENTUM if momentum is None else momentum
        stem = config.stem_channels

        def stem_unit(in_channels, spike_level):
            return SpikeConvNorm(SubmanifoldConv3d(in_channels, stem, 3, backend=backend), spike_level, eps, momentum)

        # The stem's first convolution sees the raw point features (a real-valued, MAC layer).
        self.stem = nn.Sequential(stem_unit(config.in_channels, None), stem_unit(stem, max_level),
                                  stem_unit(stem, max_level))
        stage_inputs = (stem,) + encoder_channels[:-1]
        self.stages = nn.ModuleList(
            E3DSNNStage(c_in, c_out, depth, max_level, eps, momentum, backend)
            for c_in, c_out, depth in zip(stage_inputs, encoder_channels, encoder_depths)
        )
        # The official final layer is a 1x1 submanifold convolution with bias: a per-site linear layer.
        self.final = nn.Linear(encoder_channels[-1], config.hidden_size)

    def voxelize(self, point_values: torch.Tensor) -> SparseVoxelTensor:
        _check_point_values(point_values, self.in_channels)
        return voxelize_points(point_values, self.voxel_size, self.merge_duplicate_voxels)

    def feature_maps(self, point_values: torch.Tensor) -> list[SparseVoxelTensor]:
        """The sparse feature maps leaving the stem and each stage."""
        return self.sparse_feature_maps(self.voxelize(point_values))

    def sparse_feature_maps(self, sparse: SparseVoxelTensor) -> list[SparseVoxelTensor]:
        """The feature maps leaving the stem and each stage for sites voxelised by the caller (segmentation
        voxelises with a point-to-site map of its own)."""
        maps = [self.stem(sparse)]
        for stage in self.stages:
            maps.append(stage(maps[-1]))
        return maps

    def forward_features(self, point_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Last-stage site features ``[M, C_last]`` (the input of ``final``) and their cloud index ``[M]``."""
        last = self.feature_maps(point_values)[-1]
        return last.features, last.batch_index

    def forward(self, point_values: torch.Tensor, output_hidden_states: bool = False):
        """The embedding ``[B, hidden_size]``; with ``output_hidden_states``, ``(embedding, feature maps)``."""
        # The official order is final layer per site, then the mean over the cloud's sites. Both are linear, so the
        # mean is taken first: the same embedding, with the wide final layer run once per cloud instead of per site.
        if output_hidden_states:
            maps = self.feature_maps(point_values)
            pooled = self.final(scatter_mean(maps[-1].features, maps[-1].batch_index, point_values.shape[0]))
            return pooled, tuple(maps)
        features, batch_index = self.forward_features(point_values)
        return self.final(scatter_mean(features, batch_index, point_values.shape[0]))


__all__ = [
    "BATCH_NORM_EPS",
    "BATCH_NORM_MOMENTUM",
    "E3DSNNBasicBlock",
    "E3DSNNEncoder",
    "E3DSNNStage",
    "E3DSNN_VARIANTS",
    "SpikeConvNorm",
    "batch_norm_sites",
    "voxelize_points",
]
