"""E-3DSNN as a sparse U-Net for 3D semantic segmentation: voxelisation with a point-to-voxel map, the spiking decoder
(inverse sparse convolutions up, skip connections from the encoder stages) and the per-point labels' checks.

SVL's downstream segmentation builds E-3DSNN as an encoder-decoder on voxels, as the sparse U-Nets of LiDAR
segmentation (MinkowskiNet, SPVNAS) are built: strided sparse convolutions down, inverse sparse convolutions up, skip
connections, per-voxel logits mapped back to the points. The encoder is E-3DSNN's own (:mod:`.e3dsnn`); each up step
here is

    spike -> inverse k2 s2 sparse conv -> BatchNorm               (back onto the sites of the encoder map below)
    spike -> k3 submanifold conv on [upsampled, skip] -> BatchNorm (skip fusion by concatenation)
    depth x E-3DSNN residual block

so every convolution reads integer multi-spikes, as in the encoder; the per-voxel classifier reads the real-valued
BatchNorm output, as E-3DSNN's final 1x1 layer does.

Voxelisation differs from the encoder's faithful copy of the official one (:func:`.e3dsnn.voxelize_points`): every
voxel is one site holding the mean of its points' features, and each point's row of the output is its voxel's
logits (duplicate points get identical rows). The grid is ``floor(xyz / voxel_size)`` shifted by a multiple of the
coarsest stride, so voxel boundaries and every stage's grouping depend on a cloud's own coordinates only, never on the
other clouds of its batch.
"""

from __future__ import annotations

import torch
from torch import nn

from .e3dsnn import E3DSNNBasicBlock, SpikeConvNorm, _check_voxel_key_space
from .sparse_conv import SparseInverseConv3d, SparseVoxelTensor, SubmanifoldConv3d, scatter_mean, unique_coordinates

SEGMENTATION_IGNORE_INDEX = 255
"""Label of points that count in neither the loss nor the metrics (SemanticKITTI's unlabeled points, padding)."""


def voxelize_point_sites(
    point_values: torch.Tensor, voxel_size: float, grid_multiple: int
) -> tuple[SparseVoxelTensor, torch.Tensor]:
    """One site per occupied (cloud, voxel) of ``point_values [B, N, C]`` and the site of every point ``[B * N]``.

    Sites hold the mean features of their points and are sorted by ``(batch, x, y, z)``. Coordinates are
    ``floor(xyz / voxel_size)`` minus the batch's smallest cell rounded down to a multiple of ``grid_multiple`` (the
    coarsest stride), which keeps every coordinate non-negative without moving any voxel or stride boundary.
    """
    batch_size, num_points, channels = point_values.shape
    features = point_values.reshape(batch_size * num_points, channels)
    xyz = features[:, :3].detach()
    cells = torch.floor(xyz / voxel_size)
    cells = cells - torch.div(cells.amin(dim=0), grid_multiple, rounding_mode="floor") * grid_multiple
    _check_voxel_key_space(cells, xyz, voxel_size, batch_size)
    batch_index = torch.arange(batch_size, device=cells.device).repeat_interleave(num_points)
    coords = torch.cat([batch_index.unsqueeze(1), cells.long()], dim=1)
    site_coords, point_sites = unique_coordinates(coords)
    sites = SparseVoxelTensor(scatter_mean(features, point_sites, site_coords.shape[0]), site_coords, batch_size)
    return sites, point_sites


def decoder_layout(config) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(decoder_channels, decoder_depths)`` with ``None`` resolved to the encoder's mirror image."""
    encoder_channels, encoder_depths = tuple(config.encoder_channels), tuple(config.encoder_depths)
    channels = config.decoder_channels
    if channels is None:
        channels = tuple(reversed((config.stem_channels,) + encoder_channels[:-1]))
    depths = config.decoder_depths if config.decoder_depths is not None else tuple(reversed(encoder_depths))
    return tuple(channels), tuple(depths)


class E3DSNNUpStage(nn.Module):
    """One up step: inverse k2 s2 sparse convolution onto the skip map's sites, concatenation with the skip features,
    a k3 fusion convolution, then ``depth`` E-3DSNN residual blocks (every convolution behind an integer spike)."""

    def __init__(self, in_channels: int, skip_channels: int, channels: int, depth: int, max_level: int, eps: float,
                 momentum: float, backend: str):
        super().__init__()

        def make_unit():
            return SpikeConvNorm(SubmanifoldConv3d(channels, channels, 3, backend=backend), max_level, eps, momentum)

        self.upsample = SpikeConvNorm(SparseInverseConv3d(in_channels, channels, 2), max_level, eps, momentum)
        self.fuse = SpikeConvNorm(
            SubmanifoldConv3d(channels + skip_channels, channels, 3, backend=backend), max_level, eps, momentum
        )
        self.blocks = nn.ModuleList(E3DSNNBasicBlock(make_unit) for _ in range(depth))

    def forward(self, sparse: SparseVoxelTensor, skip: SparseVoxelTensor) -> SparseVoxelTensor:
        upsampled = self.upsample(sparse, skip)
        fused = self.fuse(skip.replace_features(torch.cat([upsampled.features, skip.features], dim=1)))
        for block in self.blocks:
            fused = block(fused)
        return fused


class E3DSNNSegmentationDecoder(nn.Module):
    """The up path of the E-3DSNN U-Net and the per-voxel classifier: the encoder's feature maps (stem output first,
    deepest stage last) -> logits ``[sites of the stem map, num_labels]``.

    Reads from ``config``: ``stem_channels``, ``encoder_channels``, ``encoder_depths``, ``decoder_channels``,
    ``decoder_depths``, ``max_level``, ``num_labels``, ``sparse_conv_backend``, ``batch_norm_eps`` and
    ``batch_norm_momentum``.
    """

    def __init__(self, config):
        super().__init__()
        channels, depths = decoder_layout(config)
        eps, momentum = config.batch_norm_eps, config.batch_norm_momentum
        # Skip widths from the deepest up step to the shallowest: the encoder maps one level below each input.
        skip_channels = tuple(reversed((config.stem_channels,) + tuple(config.encoder_channels)[:-1]))
        in_channels = (config.encoder_channels[-1],) + channels[:-1]
        self.stages = nn.ModuleList(
            E3DSNNUpStage(c_in, c_skip, c_out, depth, config.max_level, eps, momentum, config.sparse_conv_backend)
            for c_in, c_skip, c_out, depth in zip(in_channels, skip_channels, channels, depths)
        )
        self.classifier = nn.Linear(channels[-1], config.num_labels)

    def forward(self, feature_maps: list[SparseVoxelTensor]) -> tuple[torch.Tensor, tuple[SparseVoxelTensor, ...]]:
        """``(logits [sites of feature_maps[0], num_labels], the map leaving each up step)``."""
        if len(feature_maps) != len(self.stages) + 1:
            raise ValueError(
                f"The decoder expects {len(self.stages) + 1} feature maps (stem and {len(self.stages)} stages), got "
                f"{len(feature_maps)}."
            )
        sparse, decoded = feature_maps[-1], []
        for stage, skip in zip(self.stages, reversed(feature_maps[:-1])):
            sparse = stage(sparse, skip)
            decoded.append(sparse)
        return self.classifier(sparse.features), tuple(decoded)


def checked_point_labels(labels, num_labels: int, shape: tuple[int, int], device) -> torch.Tensor:
    """``labels`` as a long tensor on ``device`` of ``shape`` ``(batch, num_points)`` holding class ids in
    ``[0, num_labels)`` or :data:`SEGMENTATION_IGNORE_INDEX`; anything else is refused naming the expected form."""
    expected = (
        f"an integer tensor of shape {tuple(shape)} (one class id per point) with ids in [0, {num_labels}) or "
        f"{SEGMENTATION_IGNORE_INDEX} (ignored)"
    )
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"`labels` must be {expected}, got {type(labels).__name__}.")
    if labels.dtype == torch.bool or labels.is_floating_point() or labels.is_complex():
        raise ValueError(f"`labels` must be {expected}, got dtype {labels.dtype}.")
    if tuple(labels.shape) != tuple(shape):
        raise ValueError(f"`labels` must be {expected}, got shape {tuple(labels.shape)}.")
    invalid = ((labels < 0) | (labels >= num_labels)) & (labels != SEGMENTATION_IGNORE_INDEX)
    if invalid.any():
        found = sorted(set(labels[invalid].tolist()))[:10]
        raise ValueError(f"`labels` must be {expected}, got ids {found}.")
    return labels.to(device, torch.long)


__all__ = [
    "E3DSNNSegmentationDecoder",
    "E3DSNNUpStage",
    "SEGMENTATION_IGNORE_INDEX",
    "checked_point_labels",
    "decoder_layout",
    "voxelize_point_sites",
]
