"""CenterPoint-style 3D object detection on the E-3DSNN sparse backbone (the SVL paper's detection setting).

LiDAR points ``(x, y, z, intensity)`` in metres are voxelised in a fixed point-cloud range (not normalised: a detector
must see where things are), run through E-3DSNN's stem and stages, and the sites of one stage are scattered into a
dense bird's-eye-view (BEV) grid, keeping each column's maximum over z. A small 2D neck and two heads, built from
E-3DSNN's unit (integer spike, convolution, BatchNorm; ReLU in the ANN twin), predict per BEV cell

* one heatmap per class, trained with CenterNet's focal loss against Gaussians drawn around each object's centre cell;
* eight regression channels: the centre's offset inside its cell (2), z (1), log length, width, height (3) and the
  yaw as sin, cos (2), trained with L1 at the ground-truth centre cells only.

Decoding keeps the local maxima of the heatmaps (a 3x3 max pool, CenterNet's NMS), takes the top K over classes and
cells and reads the boxes ``(x, y, z, l, w, h, yaw)`` from the regression at those cells. Rotated NMS per class
(:func:`post_process_detections`) then removes the remaining overlaps.

BEV arrays are indexed ``[batch, channel, ix, iy]``: cell ``(ix, iy)`` covers ``x_min + [ix, ix + 1) * cell_size``
and ``y_min + [iy, iy + 1) * cell_size``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .sparse_conv import SparseVoxelTensor, scatter_mean, unique_coordinates
from .spiking import MultiSpike

# Rotated NMS lives in hf_spiking.metrics, outside this family's folder: imported absolutely, and in a try block, so
# this file still saves and loads as remote code (where only sibling modules are copied); there, the model runs and
# post-processing says what it needs.
try:
    from hf_spiking.metrics.detection import rotated_nms
except ImportError:
    rotated_nms = None

REGRESSION_CHANNELS = 8
"""Per cell: centre offset in the cell (x, y), z, log(l), log(w), log(h), sin(yaw), cos(yaw)."""

HEATMAP_PRIOR = 0.1
HEATMAP_PRIOR_BIAS = math.log(HEATMAP_PRIOR / (1 - HEATMAP_PRIOR))
"""Initial bias of the heatmap logits: every cell starts at probability ``HEATMAP_PRIOR``, as in CenterNet /
CenterPoint (with a 0 bias the focal loss of the many background cells swamps the first steps)."""

GAUSSIAN_OVERLAP = 0.1
MIN_GAUSSIAN_RADIUS = 2
"""CenterPoint's heatmap targets: the CornerNet radius for an IoU of ``GAUSSIAN_OVERLAP`` with the box (in cells),
at least ``MIN_GAUSSIAN_RADIUS``, so small objects still get a few positive-ish cells."""

MAX_BEV_CELLS = 1 << 22
"""Largest BEV grid (cells per cloud) a detector builds: 2048 x 2048; beyond it the dense 2D neck would dominate
memory and time with no gain (raise ``voxel_size`` or ``detection_bev_stage`` instead)."""

MAX_VOXELS = 1 << 50
"""Most voxels a detection range may hold: keys ``((cloud * X + x) * Y + y) * Z + z`` then stay in int64 for batches
of up to 4096 clouds, with room for the sparse convolutions' kernel margins."""

_MAX_LOG_SIZE = 6.0  # exp(6) = 403 m: keeps untrained regressions from overflowing to inf sizes


@dataclass(frozen=True)
class DetectionGrid:
    """The voxel grid and the BEV grid of a detector.

    ``point_cloud_range`` is ``(x_min, y_min, z_min, x_max, y_max, z_max)`` in metres; points outside it are dropped.
    ``stride`` voxels along x and y make one BEV cell (``2 ** detection_bev_stage``).
    """

    point_cloud_range: tuple[float, ...]
    voxel_size: float
    stride: int

    def __post_init__(self):
        if math.prod(self.voxel_shape) > MAX_VOXELS:
            raise ValueError(
                f"`detection_point_cloud_range` {self.point_cloud_range} at `voxel_size` {self.voxel_size:g} holds "
                f"{' x '.join(map(str, self.voxel_shape))} voxels, more than int64 voxel keys address "
                f"({MAX_VOXELS:.3g}); use a larger `voxel_size` (metres) or a smaller range."
            )
        nx, ny = self.bev_shape
        if nx * ny > MAX_BEV_CELLS:
            raise ValueError(
                f"The BEV grid of `detection_point_cloud_range` {self.point_cloud_range} at cells of "
                f"{self.cell_size:g} m (voxel_size {self.voxel_size:g} x stride {self.stride}) has {nx} x {ny} cells, "
                f"more than {MAX_BEV_CELLS:,}; use a larger `voxel_size` or `detection_bev_stage`, or a smaller range."
            )

    @property
    def cell_size(self) -> float:
        return self.voxel_size * self.stride

    @property
    def low(self) -> tuple[float, float, float]:
        return tuple(float(value) for value in self.point_cloud_range[:3])

    @property
    def voxel_shape(self) -> tuple[int, int, int]:
        """Voxels per axis (x, y, z) inside the range."""
        return tuple(self._cells(axis, self.voxel_size) for axis in range(3))

    @property
    def bev_shape(self) -> tuple[int, int]:
        """BEV cells along x and y."""
        return self._cells(0, self.cell_size), self._cells(1, self.cell_size)

    def _cells(self, axis: int, size: float) -> int:
        extent = float(self.point_cloud_range[axis + 3]) - float(self.point_cloud_range[axis])
        # The tolerance keeps 80 m / 0.8 m from rounding up to 101 cells.
        return max(1, math.ceil(extent / size - 1e-6))


def detection_grid(config) -> DetectionGrid:
    """The grid of ``config`` (``detection_point_cloud_range``, ``voxel_size``, ``detection_bev_stage``)."""
    return DetectionGrid(tuple(config.detection_point_cloud_range), float(config.voxel_size), 2 ** bev_stage(config))


def bev_stage(config) -> int:
    """The E-3DSNN feature map scattered into the BEV grid: 0 is the stem, i the output of stage i (default: last)."""
    return len(config.encoder_channels) if config.detection_bev_stage is None else config.detection_bev_stage


def bev_stage_channels(config) -> int:
    stage = bev_stage(config)
    return config.stem_channels if stage == 0 else config.encoder_channels[stage - 1]


def _check_point_mask(point_mask, point_values: torch.Tensor) -> torch.Tensor | None:
    if point_mask is None:
        return None
    expected = f"a boolean tensor of shape {tuple(point_values.shape[:2])} (True for real points, False for padding)"
    if not isinstance(point_mask, torch.Tensor):
        raise ValueError(f"`point_mask` must be {expected}, got {type(point_mask).__name__}.")
    if point_mask.shape != point_values.shape[:2] or point_mask.is_floating_point() or point_mask.is_complex():
        raise ValueError(f"`point_mask` must be {expected}, got {point_mask.dtype} {tuple(point_mask.shape)}.")
    return point_mask.to(point_values.device, torch.bool)


def voxelize_in_range(
    point_values: torch.Tensor, grid: DetectionGrid, point_mask: torch.Tensor | None = None
) -> SparseVoxelTensor:
    """Sparse voxels of the points of ``point_values [B, N, C]`` (xyz first, metres) inside the grid's range.

    Coordinates are ``floor((xyz - range_min) / voxel_size)``: a fixed origin, so a voxel (and a BEV cell) is the same
    place in every cloud, unlike the encoder's batch-minimum origin. ``point_mask [B, N]`` (True = real point) drops
    padding. Each occupied (cloud, voxel) is one site holding the mean of its points' features (SECOND's mean voxel
    feature), sorted by ``(batch, x, y, z)``.
    """
    batch_size, num_points, channels = point_values.shape
    point_mask = _check_point_mask(point_mask, point_values)
    features = point_values.reshape(batch_size * num_points, channels)
    xyz = features[:, :3].detach()
    low = xyz.new_tensor(grid.point_cloud_range[:3])
    high = xyz.new_tensor(grid.point_cloud_range[3:])
    keep = ((xyz >= low) & (xyz < high)).all(dim=1)
    if point_mask is not None:
        keep &= point_mask.reshape(-1)
    cells = torch.floor((xyz[keep] - low) / grid.voxel_size).long()
    # A point a rounding error below the upper bound can land one voxel past the grid.
    cells = torch.minimum(cells, cells.new_tensor(grid.voxel_shape) - 1)
    batch_index = torch.arange(batch_size, device=xyz.device).repeat_interleave(num_points)[keep]
    coords, site = unique_coordinates(torch.cat([batch_index.unsqueeze(1), cells], dim=1))
    return SparseVoxelTensor(scatter_mean(features[keep], site, coords.shape[0]), coords, batch_size)


def scatter_to_bev(sparse: SparseVoxelTensor, bev_shape: tuple[int, int]) -> torch.Tensor:
    """Dense BEV features ``[B, C, nx, ny]``: per channel, the maximum over the sites of each (x, y) column.

    The maximum (as PointPillars pools a pillar) rather than the sum, which would grow with the number of occupied
    height cells, i.e. with an object's height and point density. Empty cells hold 0 (no input to the next spike).
    """
    nx, ny = bev_shape
    features = sparse.features
    coords = sparse.coords
    index = (coords[:, 0] * nx + coords[:, 1]) * ny + coords[:, 2]
    dense = features.new_zeros(sparse.batch_size * nx * ny, features.shape[1])
    dense = dense.scatter_reduce(0, index.unsqueeze(1).expand_as(features), features, "amax", include_self=False)
    return dense.view(sparse.batch_size, nx, ny, -1).permute(0, 3, 1, 2).contiguous()


class SpikeConvNorm2d(nn.Sequential):
    """E-3DSNN's unit on the dense BEV map: integer spike, 2D convolution, BatchNorm (the model swaps the spikes for
    ReLUs in the ANN twin)."""

    def __init__(self, config, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__(
            MultiSpike(config.max_level),
            nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(out_channels, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum),
        )


class BEVNeckUnit(nn.Module):
    """One neck unit; residual (as E-3DSNN's blocks) when it keeps the width."""

    def __init__(self, config, in_channels: int, out_channels: int):
        super().__init__()
        self.unit = SpikeConvNorm2d(config, in_channels, out_channels)
        self.residual = in_channels == out_channels

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        out = self.unit(features)
        return out + features if self.residual else out


class HeatmapLogits(nn.Conv2d):
    """The 1x1 convolution giving the heatmap logits: a class of its own so that the model's weight initialisation can
    find it and start its bias at :data:`HEATMAP_PRIOR_BIAS`."""


class BEVDetectionHead(nn.Module):
    """The 2D neck and the heatmap and regression heads on the BEV map ``[B, C, nx, ny]``.

    Each head: a shared-width 3x3 unit, then a spike and a 1x1 convolution with bias to its outputs (real-valued
    logits and regressions, as the official encoders end in a real-valued layer).
    """

    def __init__(self, config, in_channels: int):
        super().__init__()
        widths = (in_channels, *config.detection_neck_channels)
        self.neck = nn.Sequential(*(BEVNeckUnit(config, a, b) for a, b in zip(widths[:-1], widths[1:])))
        head = config.detection_head_channels

        def branch(output_layer: nn.Conv2d) -> nn.Sequential:
            return nn.Sequential(SpikeConvNorm2d(config, widths[-1], head), MultiSpike(config.max_level), output_layer)

        self.heatmap = branch(HeatmapLogits(head, config.num_labels, 1))
        self.regression = branch(nn.Conv2d(head, REGRESSION_CHANNELS, 1))

    def forward(self, bev: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.neck(bev)
        return self.heatmap(features), self.regression(features)


# --- targets and loss -----------------------------------------------------------------------------------------------


def gaussian_radius(length: float, width: float, min_overlap: float = GAUSSIAN_OVERLAP) -> float:
    """CornerNet's radius (as CenterPoint uses it, in cells) within which a box centre may move and keep an IoU of
    ``min_overlap`` with a ``length x width`` box: the smallest root of its three cases."""
    a1, b1 = 1.0, length + width
    c1 = width * length * (1 - min_overlap) / (1 + min_overlap)
    r1 = (b1 + math.sqrt(b1**2 - 4 * a1 * c1)) / 2
    a2, b2 = 4.0, 2 * (length + width)
    c2 = (1 - min_overlap) * width * length
    r2 = (b2 + math.sqrt(b2**2 - 4 * a2 * c2)) / 2
    a3, b3 = 4 * min_overlap, -2 * min_overlap * (length + width)
    c3 = (min_overlap - 1) * width * length
    r3 = (b3 + math.sqrt(b3**2 - 4 * a3 * c3)) / 2
    return min(r1, r2, r3)


def draw_gaussian(heatmap: torch.Tensor, ix: int, iy: int, radius: int) -> None:
    """Raises ``heatmap [nx, ny]`` in place to a Gaussian of peak 1 at ``(ix, iy)`` (sigma = (2 radius + 1) / 6),
    clipped to the grid; overlapping objects keep the maximum."""
    offsets = torch.arange(-radius, radius + 1, device=heatmap.device, dtype=heatmap.dtype)
    sigma = (2 * radius + 1) / 6
    kernel = torch.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * sigma**2))
    nx, ny = heatmap.shape
    left, right = min(ix, radius), min(nx - ix, radius + 1)
    bottom, top = min(iy, radius), min(ny - iy, radius + 1)
    region = heatmap[ix - left : ix + right, iy - bottom : iy + top]
    torch.maximum(region, kernel[radius - left : radius + right, radius - bottom : radius + top], out=region)


@dataclass
class DetectionTargets:
    """Training targets of a batch: ``heatmap [B, classes, nx, ny]`` and, per object whose centre lies in the grid,
    its cloud ``batch_index [M]``, flat centre cell ``cell_index [M]`` (``ix * ny + iy``) and ``regression [M, 8]``."""

    heatmap: torch.Tensor
    batch_index: torch.Tensor
    cell_index: torch.Tensor
    regression: torch.Tensor


def _checked_target(target, index: int, num_classes: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    expected = (
        f"a dict {{'boxes': [M, 7] (x, y, z, l, w, h, yaw), 'class_labels': [M] class indices in [0, {num_classes})}}"
    )
    if not isinstance(target, Mapping) or "boxes" not in target or "class_labels" not in target:
        raise ValueError(f"`labels[{index}]` must be {expected}, got {type(target).__name__}.")
    boxes = torch.as_tensor(target["boxes"], device=device)
    classes = torch.as_tensor(target["class_labels"], device=device)
    if boxes.numel() == 0:
        boxes = boxes.reshape(0, 7)
    if boxes.dim() != 2 or boxes.shape[1] != 7 or classes.shape != (boxes.shape[0],):
        raise ValueError(
            f"`labels[{index}]` must be {expected}, got boxes {tuple(boxes.shape)} and class_labels "
            f"{tuple(classes.shape)}."
        )
    if classes.is_floating_point() or classes.dtype == torch.bool:
        raise ValueError(f"`labels[{index}]['class_labels']` must hold integer class indices, got {classes.dtype}.")
    boxes = boxes.double()
    if not torch.isfinite(boxes).all() or (boxes[:, 3:6] <= 0).any():
        raise ValueError(f"`labels[{index}]['boxes']` must be finite with positive sizes l, w, h.")
    if len(classes) and (classes.min() < 0 or classes.max() >= num_classes):
        raise ValueError(
            f"`labels[{index}]['class_labels']` must lie in [0, {num_classes}) (the model's id2label), got "
            f"{sorted(set(classes.tolist()))}."
        )
    return boxes, classes.long()


def encode_detection_targets(
    labels, grid: DetectionGrid, num_classes: int, batch_size: int, device=None
) -> DetectionTargets:
    """CenterPoint targets for ``labels``: a list with one ``{"boxes": [M, 7], "class_labels": [M]}`` per cloud.

    Boxes whose centre lies outside the BEV grid get no target (the detector cannot see them).
    """
    if not isinstance(labels, (list, tuple)) or len(labels) != batch_size:
        got = f"{len(labels)} entries" if isinstance(labels, (list, tuple)) else type(labels).__name__
        raise ValueError(
            f"`labels` must be a list with one dict {{'boxes': [M, 7], 'class_labels': [M]}} per cloud ({batch_size}), "
            f"got {got}."
        )
    nx, ny = grid.bev_shape
    heatmap = torch.zeros(len(labels), num_classes, nx, ny, device=device)
    batch_index, cell_index, regression = [], [], []
    x_min, y_min, _ = grid.low
    for index, target in enumerate(labels):
        boxes, classes = _checked_target(target, index, num_classes, device)
        for box, label in zip(boxes.tolist(), classes.tolist()):
            x, y, z, length, width, height, yaw = box
            cx, cy = (x - x_min) / grid.cell_size, (y - y_min) / grid.cell_size
            ix, iy = math.floor(cx), math.floor(cy)
            if not (0 <= ix < nx and 0 <= iy < ny):
                continue
            radius = max(MIN_GAUSSIAN_RADIUS, int(gaussian_radius(length / grid.cell_size, width / grid.cell_size)))
            draw_gaussian(heatmap[index, label], ix, iy, radius)
            batch_index.append(index)
            cell_index.append(ix * ny + iy)
            regression.append([cx - ix, cy - iy, z, math.log(length), math.log(width), math.log(height),
                               math.sin(yaw), math.cos(yaw)])
    return DetectionTargets(
        heatmap=heatmap,
        batch_index=torch.tensor(batch_index, dtype=torch.long, device=device),
        cell_index=torch.tensor(cell_index, dtype=torch.long, device=device),
        regression=torch.tensor(regression, dtype=torch.float32, device=device).reshape(-1, REGRESSION_CHANNELS),
    )


def focal_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss (alpha 2, beta 4) over heatmap ``logits`` and Gaussian ``target``,
    normalised by the number of peaks (cells where the target is 1). Computed from log-sigmoids, so confident logits
    neither overflow nor need CenterNet's clamp."""
    positive = target == 1
    log_p, log_not_p = F.logsigmoid(logits), F.logsigmoid(-logits)
    probability = log_p.exp()
    positive_loss = (log_p * (1 - probability) ** 2)[positive].sum()
    negative_loss = (log_not_p * probability**2 * (1 - target) ** 4)[~positive].sum()
    return -(positive_loss + negative_loss) / positive.sum().clamp_min(1)


def regression_at(regression: torch.Tensor, batch_index: torch.Tensor, cell_index: torch.Tensor) -> torch.Tensor:
    """The regression channels ``[M, 8]`` of map ``[B, 8, nx, ny]`` at the given clouds and flat cells."""
    batch_size, channels = regression.shape[:2]
    flat = regression.reshape(batch_size, channels, -1)
    return flat[batch_index, :, cell_index]


def detection_loss(
    heatmap_logits: torch.Tensor, regression: torch.Tensor, targets: DetectionTargets, regression_weight: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(loss, heatmap loss, regression loss)``: focal loss + ``regression_weight`` x L1 at the object centres
    (summed over the 8 channels, averaged over objects; 0 for a batch without objects in the grid)."""
    heatmap_loss = focal_loss(heatmap_logits.float(), targets.heatmap)
    predicted = regression_at(regression, targets.batch_index, targets.cell_index).float()
    regression_loss = (predicted - targets.regression).abs().sum() / max(len(targets.regression), 1)
    return heatmap_loss + regression_weight * regression_loss, heatmap_loss, regression_loss


# --- decoding and post-processing -----------------------------------------------------------------------------------


def decode_boxes(
    regression: torch.Tensor, batch_index: torch.Tensor, cell_index: torch.Tensor, grid: DetectionGrid
) -> torch.Tensor:
    """Boxes ``[M, 7]`` (x, y, z, l, w, h, yaw) read from the regression map at the given clouds and cells."""
    values = regression_at(regression, batch_index, cell_index).float()
    ny = grid.bev_shape[1]
    ix, iy = cell_index // ny, cell_index % ny
    x_min, y_min, _ = grid.low
    x = (ix + values[:, 0]) * grid.cell_size + x_min
    y = (iy + values[:, 1]) * grid.cell_size + y_min
    sizes = values[:, 3:6].clamp(max=_MAX_LOG_SIZE).exp()
    yaw = torch.atan2(values[:, 6], values[:, 7])
    return torch.cat([x[:, None], y[:, None], values[:, 2:3], sizes, yaw[:, None]], dim=1)


def decode_detections(
    heatmap_logits: torch.Tensor, regression: torch.Tensor, grid: DetectionGrid, max_detections: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The top ``max_detections`` heatmap peaks per cloud (over classes and cells) as ``(boxes [B, K, 7], scores
    [B, K], labels [B, K])``, sorted by decreasing score; only 3x3 local maxima of each class's heatmap count."""
    batch_size, num_classes, nx, ny = heatmap_logits.shape
    scores = heatmap_logits.detach().float().sigmoid()
    peaks = F.max_pool2d(scores, 3, stride=1, padding=1) == scores
    scores = torch.where(peaks, scores, torch.zeros_like(scores)).reshape(batch_size, -1)
    top_scores, top_index = scores.topk(min(max_detections, scores.shape[1]), dim=1)
    labels = torch.div(top_index, nx * ny, rounding_mode="floor")
    cells = top_index % (nx * ny)
    batch_index = torch.arange(batch_size, device=cells.device).repeat_interleave(cells.shape[1])
    boxes = decode_boxes(regression.detach(), batch_index, cells.reshape(-1), grid)
    return boxes.view(batch_size, -1, 7), top_scores, labels


def _check_fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"`{name}` must be a number in [0, 1], got {value!r}.")
    return float(value)


def post_process_detections(
    pred_boxes: torch.Tensor, scores: torch.Tensor, pred_labels: torch.Tensor, threshold: float, nms_iou: float
) -> list[dict[str, torch.Tensor]]:
    """Per cloud ``{"scores" [K'], "labels" [K'], "boxes" [K', 7]}``: the detections scoring above ``threshold``,
    then greedy rotated NMS per class (BEV IoU above ``nms_iou`` suppressed), sorted by decreasing score."""
    threshold = _check_fraction(threshold, "threshold")
    nms_iou = _check_fraction(nms_iou, "nms_iou")
    if rotated_nms is None:
        raise ImportError(
            "post-processing needs rotated NMS from hf_spiking.metrics.detection: install hf_spiking (pip install "
            "hf_spiking) to post-process this remote-code model's detections."
        )
    results = []
    for boxes, cloud_scores, labels in zip(pred_boxes.detach(), scores.detach(), pred_labels.detach()):
        chosen = cloud_scores > threshold
        boxes, cloud_scores, labels = boxes[chosen], cloud_scores[chosen], labels[chosen]
        kept = [torch.zeros(0, dtype=torch.long, device=boxes.device)]
        for label in labels.unique().tolist():
            members = (labels == label).nonzero().flatten()
            order = rotated_nms(boxes[members].cpu().numpy(), cloud_scores[members].cpu().numpy(), nms_iou)
            kept.append(members[torch.as_tensor(order, dtype=torch.long, device=boxes.device)])
        kept = torch.cat(kept)
        kept = kept[torch.argsort(cloud_scores[kept], descending=True, stable=True)]
        results.append({"scores": cloud_scores[kept], "labels": labels[kept], "boxes": boxes[kept]})
    return results


def random_points_in_range(grid: DetectionGrid, batch_size: int, num_points: int, channels: int,
                           generator: torch.Generator | None = None) -> torch.Tensor:
    """Uniform points ``[B, N, C]`` inside the range (extra channels, e.g. intensity, uniform in [0, 1])."""
    points = torch.rand(batch_size, num_points, channels, generator=generator)
    low = torch.tensor(grid.point_cloud_range[:3], dtype=points.dtype)
    high = torch.tensor(grid.point_cloud_range[3:], dtype=points.dtype)
    points[..., :3] = low + points[..., :3] * (high - low) * (1 - 1e-6)
    return points


__all__ = [
    "BEVDetectionHead",
    "DetectionGrid",
    "DetectionTargets",
    "decode_detections",
    "detection_grid",
    "detection_loss",
    "encode_detection_targets",
    "post_process_detections",
]
