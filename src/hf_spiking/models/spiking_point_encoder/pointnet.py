"""Spike PointNet (Ren et al., NeurIPS 2023, "Spiking PointNet"; the third backbone of SVL).

PointNet's shared per-point MLP, ``Linear -> BatchNorm -> spike`` per layer (widths ``pointnet_channels``), the last
layer without a spike (PointNet has no activation before its pool), a max over the points, and a Linear to
``hidden_size`` when it differs from the last width (as the PointFormer's ``projection``). Optionally PointNet's two
T-Nets, as the official Spiking PointNet code (``models/pointnet_utils.py``) builds them:

- the **input transform** (``pointnet_input_transform``): a T-Net reads every input channel of every point and
  regresses one 3x3 matrix per cloud that multiplies the xyz row vectors; colour channels are read by the T-Net but
  pass unchanged (the official code does the same with its normals);
- the **feature transform** (``pointnet_feature_transform``): a T-Net reads the first layer's spikes and regresses a
  ``C_0 x C_0`` matrix (``C_0 = pointnet_channels[0]``, 64) that multiplies them before the second layer; its
  orthogonality penalty ``mean_b ||A_b A_b^T - I||_F`` (:func:`pointnet_feature_transform_regularizer`) enters the
  classification loss with weight ``pointnet_feature_transform_weight`` (0.001).

A T-Net (:class:`PointNetTransformNet`) is three shared per-point layers (64, 128, 1024), a max over the points, two
fully connected layers (512, 256), each ``Linear -> BatchNorm -> spike``, then a Linear to the ``k * k`` matrix
entries with the identity added. Every one of its activations spikes, as in the official code, where every ReLU of
the network becomes a LIF neuron. With both transforms, widths (64, 128, 1024), 40 classes and xyz input, the
official classifier has 3.47 M parameters, 2.66 M of them in the T-Nets.

Design choices, each stated because it departs from PointNet or from the Spiking PointNet code:

- **Widths.** ``pointnet_channels`` defaults to PointNet's (64, 64) + (64, 128, 1024) MLPs (without the feature
  transform that sits between them in PointNet); the official Spiking PointNet code, and the ``svl-pointnet-s``
  preset, use three layers (64, 128, 1024) with the feature transform after the first.
- **Neuron.** The family's stateless integer multi-spike (``MultiSpike``, spikes in ``{0..max_level}``): the
  I-LIF neuron at T = 1 (:class:`hf_spiking.snn.IntegerLIFNeuron`). Spiking PointNet instead trains binary LIF
  neurons at T = 1 and infers at larger T, averaging over time. Here an integer spike ``s`` stands for ``s`` binary
  events (:func:`hf_spiking.snn.expand_spikes`, and so in the energy count), and there is no time axis.
- **The 1x1 convolutions are Linear layers** on channels-last points, and BatchNorm normalises every channel over
  all points of all clouds of the batch (over all clouds for the T-Nets' fully connected layers), as PointNet's
  ``Conv1d`` / ``Linear`` + ``BatchNorm1d`` do. So a T-Net in training mode needs two or more clouds per batch
  (a one-cloud training batch is refused with a ValueError; the official code drops incomplete last batches).
- **Regulariser.** The Frobenius norm itself, as the official code computes it (PointNet's paper writes its square).

Energy (:mod:`hf_spiking.energy`): the first layers that see coordinates (the main first layer and the input T-Net's
first layer) are dense real-valued MAC layers; the layers fed spikes are accumulates, the T-Nets' fully connected
layers included (a max over spikes is a spike). The matrix products are :class:`PointNetMatrixProduct` layers:
coordinates times the 3x3 matrix are ``9`` MACs per point, spikes times the feature matrix are accumulates (each
spike adds one row of the matrix). The transformed features entering the second layer are real-valued, so the
measured convention charges that layer MACs; the paper convention charges it accumulates at its spikes' rate (the
product and the layer behind one neuron fold into one spike-driven layer with a per-cloud weight). The projection
sees the max-pooled, real-valued last-layer features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from .spiking import MultiSpike


class PointNetLayer(nn.Module):
    """One shared layer on ``[..., C]``: ``Linear -> BatchNorm`` (statistics over every leading position: every point
    of every cloud, or every cloud), then an integer spike unless ``spiking`` is False."""

    def __init__(self, in_features: int, out_features: int, config, spiking: bool):
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = nn.BatchNorm1d(out_features, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum)
        self.spike = MultiSpike(config.max_level) if spiking else None

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        hidden = self.linear(features)
        # BatchNorm1d on [M, C] pools over all M rows, as channels-first BatchNorm1d over [B, C, N] does.
        hidden = self.norm(hidden.reshape(-1, hidden.shape[-1])).reshape(hidden.shape)
        return hidden if self.spike is None else self.spike(hidden)


def pointnet_layer_stack(in_features: int, widths: Sequence[int], config, spike_last: bool) -> nn.ModuleList:
    """``PointNetLayer``s of the given widths, chained from ``in_features``; all spike but the last unless
    ``spike_last``."""
    inputs = (in_features, *widths[:-1])
    return nn.ModuleList(
        PointNetLayer(c_in, c_out, config, spiking=spike_last or index < len(widths) - 1)
        for index, (c_in, c_out) in enumerate(zip(inputs, widths))
    )


class PointNetMatrixProduct(nn.Module):
    """``points[b, n, :k] @ matrix[b]`` for every point (row vectors, as PointNet multiplies them), the channels after
    the first ``k`` passed through unchanged. Parameter-free; a layer of its own so the energy count sees it."""

    # The output is as dense as ``points``: the spike history of the transform matrix does not make the transformed
    # coordinates spikes (read by hf_spiking.energy's paper convention).
    energy_activation_lineage = True

    def forward(self, points: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
        size = matrix.shape[-1]
        transformed = torch.bmm(points[..., :size], matrix)
        return transformed if points.shape[-1] == size else torch.cat([transformed, points[..., size:]], dim=-1)

    def energy_counts(self, inputs: tuple, output: torch.Tensor) -> tuple[int, int]:
        """(dense MACs: ``k`` per transformed input value; SOPs: each input spike adds one ``k``-wide matrix row)."""
        points, matrix = inputs
        size = matrix.shape[-1]
        transformed = points[..., :size]
        return transformed.numel() * size, round(transformed.double().sum().item()) * size


class PointNetTransformNet(nn.Module):
    """PointNet's T-Net: ``forward(points [B, N, C]) -> (transformed points [B, N, C], matrix [B, k, k])``.

    Shared per-point layers (``pointnet_transform_channels[:3]``), a max over the points, fully connected layers
    (``[3:]``), every one spiking, then ``matrix`` (a Linear to the ``k * k`` entries, row-major) plus the identity,
    so a zero ``matrix`` layer leaves the points unchanged. ``product`` multiplies the first ``k`` channels of every
    point by its cloud's matrix.
    """

    def __init__(self, in_features: int, size: int, config):
        super().__init__()
        widths = tuple(config.pointnet_transform_channels)
        self.size = size
        self.point_layers = pointnet_layer_stack(in_features, widths[:3], config, spike_last=True)
        self.cloud_layers = pointnet_layer_stack(widths[2], widths[3:], config, spike_last=True)
        self.matrix = nn.Linear(widths[-1], size * size)
        self.product = PointNetMatrixProduct()

    def forward(self, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.training and points.shape[0] < 2:
            raise ValueError(
                f"`point_values` holds {points.shape[0]} cloud; in training, Spike PointNet's T-Nets normalise their "
                "fully connected layers over the clouds of the batch (BatchNorm, as PointNet does), so a training "
                "batch needs two or more clouds (use a batch size >= 2 and drop an incomplete last batch, e.g. "
                "`--dataloader_drop_last`)."
            )
        hidden = points
        for layer in self.point_layers:
            hidden = layer(hidden)
        hidden = hidden.max(dim=1).values
        for layer in self.cloud_layers:
            hidden = layer(hidden)
        identity = torch.eye(self.size, dtype=hidden.dtype, device=hidden.device)
        matrix = self.matrix(hidden).reshape(-1, self.size, self.size) + identity
        return self.product(points, matrix), matrix


def pointnet_feature_transform_regularizer(matrix: torch.Tensor) -> torch.Tensor:
    """Spiking PointNet's orthogonality penalty on the feature transform ``matrix [B, k, k]``: the mean over clouds
    of the Frobenius norm ``||A A^T - I||_F`` (zero exactly when every matrix is orthogonal)."""
    identity = torch.eye(matrix.shape[-1], dtype=matrix.dtype, device=matrix.device)
    return torch.linalg.matrix_norm(matrix @ matrix.transpose(1, 2) - identity).mean()


@dataclass
class PointNetFeatures:
    """Per-point features ``[B, N, C_last]`` of the last layer (after its BatchNorm, before the max pool); when asked
    for, the per-point states ``[B, N, C_i]`` leaving every layer (spikes, then the last layer's features; the first
    layer's spikes as they leave it, before the feature transform); and the T-Nets' matrices, when built
    (``input_transform [B, 3, 3]``, ``feature_transform [B, C_0, C_0]``)."""

    last_hidden_state: torch.Tensor
    hidden_states: tuple[torch.Tensor, ...] | None = None
    input_transform: torch.Tensor | None = None
    feature_transform: torch.Tensor | None = None


class SpikePointNetEncoder(nn.Module):
    """Spike PointNet: ``forward(point_values [B, N, in_channels]) -> [B, hidden_size]``.

    Reads from ``config``: ``in_channels``, ``pointnet_channels``, ``pointnet_input_transform``,
    ``pointnet_feature_transform``, ``pointnet_transform_channels``, ``hidden_size``, ``max_level``,
    ``batch_norm_eps`` and ``batch_norm_momentum``.
    """

    def __init__(self, config):
        super().__init__()
        widths = tuple(config.pointnet_channels)
        self.input_transform = (
            PointNetTransformNet(config.in_channels, 3, config) if config.pointnet_input_transform else None
        )
        self.layers = pointnet_layer_stack(config.in_channels, widths, config, spike_last=False)
        self.feature_transform = (
            PointNetTransformNet(widths[0], widths[0], config) if config.pointnet_feature_transform else None
        )
        self.projection = nn.Linear(widths[-1], config.hidden_size) if widths[-1] != config.hidden_size else None

    def forward_features(self, point_values: torch.Tensor, output_hidden_states: bool = False) -> PointNetFeatures:
        input_matrix = feature_matrix = None
        hidden = point_values
        if self.input_transform is not None:
            hidden, input_matrix = self.input_transform(hidden)
        all_hidden_states = []
        for index, layer in enumerate(self.layers):
            hidden = layer(hidden)
            if output_hidden_states:
                all_hidden_states.append(hidden)
            if index == 0 and self.feature_transform is not None:
                hidden, feature_matrix = self.feature_transform(hidden)
        return PointNetFeatures(
            hidden, tuple(all_hidden_states) if output_hidden_states else None, input_matrix, feature_matrix
        )

    def pool(self, last_hidden_state: torch.Tensor) -> torch.Tensor:
        """Max over the points ``[B, N, C_last] -> [B, C_last]``, then ``projection`` to ``hidden_size``."""
        pooled = last_hidden_state.max(dim=1).values
        return pooled if self.projection is None else self.projection(pooled)

    def forward(self, point_values: torch.Tensor) -> torch.Tensor:
        return self.pool(self.forward_features(point_values).last_hidden_state)


__all__ = [
    "PointNetFeatures",
    "PointNetLayer",
    "PointNetMatrixProduct",
    "PointNetTransformNet",
    "SpikePointNetEncoder",
    "pointnet_feature_transform_regularizer",
    "pointnet_layer_stack",
]
