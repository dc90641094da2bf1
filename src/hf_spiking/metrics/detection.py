"""3D object-detection metrics on LiDAR boxes: rotated bird's-eye-view (BEV) and 3D IoU, rotated NMS, and KITTI-style
average precision with 40 recall points (R40).

Boxes are float ``[M, 7]`` rows ``(x, y, z, l, w, h, yaw)`` in the LiDAR frame (x forward, y left, z up): ``(x, y,
z)`` is the box centre, ``l`` runs along the heading, ``w`` across it, ``h`` vertically, and ``yaw`` is the heading
about +z from +x (what :func:`hf_spiking.data.kitti.camera_boxes_to_lidar` returns). Inputs may be numpy arrays or
torch tensors; results are numpy.

The BEV intersection is exact: one rectangle is clipped by the four edge half-planes of the other (Sutherland-Hodgman),
vectorised over box pairs, then measured with the shoelace formula. Clipping by half-planes has no special case for
parallel, touching or coincident edges (a vertex on an edge counts as inside, and a crossing is only interpolated
between points on opposite sides), so those come out right without tolerances.

:func:`average_precision` follows the KITTI benchmark's R40 protocol (Simonelli et al., 2019) with two documented
simplifications: one "all objects" level instead of the easy/moderate/hard difficulty filters (pass an ``ignore`` mask
per ground truth to leave objects out), and the usual interpolated precision, the maximum precision at any recall >= r,
rather than the devkit's precision at score thresholds sampled from the true positives. Matching is per frame, by
descending score: a prediction takes the unmatched ground truth with the highest IoU >= the threshold (a true
positive); otherwise, if it overlaps an ignored ground truth that much, it is dropped (neither true nor false
positive; an ignored box may absorb several predictions, as KITTI's DontCare regions do); otherwise it is a false
positive. APs are fractions in [0, 1] (the KITTI server prints percentages), nan for a class without ground truth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

KITTI_IOU_THRESHOLDS = {"car": 0.7, "van": 0.7, "truck": 0.7, "pedestrian": 0.5, "person_sitting": 0.5, "cyclist": 0.5}
R40_RECALL_POINTS = np.arange(1, 41) / 40  # k / 40 exactly, so that a recall of 1/2 meets the point 20/40

# Corners of a unit box in its own frame, counter-clockwise: front-left, rear-left, rear-right, front-right.
_UNIT_CORNERS = np.array([[0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5], [0.5, -0.5]])
_PAIRS_PER_CHUNK = 65536  # bounds the clipping buffers ([pairs, 16, 2] floats) to a few tens of MB


def _numpy(values) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, possibly on an accelerator
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def _boxes(boxes, name: str = "boxes") -> np.ndarray:
    array = _numpy(boxes)
    if array.ndim == 1 and array.size == 0:  # an empty list: no boxes
        array = array.reshape(0, 7)
    if array.ndim != 2 or array.shape[1] != 7 or not (np.issubdtype(array.dtype, np.number) or array.size == 0):
        raise ValueError(f"{name} must be [M, 7] (x, y, z, l, w, h, yaw), got shape {array.shape} ({array.dtype})")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        row = int(np.argwhere(~np.isfinite(array))[0, 0])
        raise ValueError(f"{name} must be finite, found NaN or infinity in row {row}: {array[row].tolist()}")
    negative = (array[:, 3:6] < 0).any(axis=1)
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(f"{name} sizes l, w, h must be non-negative, got {array[row, 3:6].tolist()} in row {row}")
    return array


def box_corners_bev(boxes) -> np.ndarray:
    """The BEV corners ``[M, 4, 2]`` of boxes ``[M, 7]``, counter-clockwise from the front-left one (at yaw 0,
    ``(x + l/2, y + w/2)``), then rear-left, rear-right, front-right."""
    boxes = _boxes(boxes)
    local = _UNIT_CORNERS[None] * boxes[:, None, 3:5]
    cos, sin = np.cos(boxes[:, 6])[:, None], np.sin(boxes[:, 6])[:, None]
    x = cos * local[..., 0] - sin * local[..., 1] + boxes[:, None, 0]
    y = sin * local[..., 0] + cos * local[..., 1] + boxes[:, None, 1]
    return np.stack([x, y], axis=-1)


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _convex_intersection_area(subject: np.ndarray, clip: np.ndarray) -> np.ndarray:
    """Areas ``[P]`` of the intersections of counter-clockwise quadrilaterals ``subject`` and ``clip`` (``[P, 4, 2]``).

    The polygon is kept as a ``[P, K, 2]`` buffer whose first ``count`` vertices are valid; each clip edge turns
    vertex i (with its predecessor) into up to two output vertices, the crossing point then vertex i itself, which
    are packed to the front again.
    """
    polygon, count = subject, np.full(len(subject), 4)
    for edge in range(4):
        start = clip[:, None, edge]
        direction = clip[:, None, (edge + 1) % 4] - start
        slots = np.arange(polygon.shape[1])[None]
        valid = slots < count[:, None]
        side = _cross(direction, polygon - start)  # >= 0: on the inner (left) side of the edge or on it
        previous_index = (slots - 1) % np.maximum(count, 1)[:, None]
        previous = np.take_along_axis(polygon, previous_index[..., None], axis=1)
        previous_side = np.take_along_axis(side, previous_index, axis=1)
        inside, previous_inside = side >= 0, previous_side >= 0
        crossing = valid & (inside != previous_inside)
        # Only crossings use the ratio, and there the two sides have opposite signs, so the denominator is non-zero.
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(crossing, previous_side / (previous_side - side), 0.0)
        crossing_point = previous + fraction[..., None] * (polygon - previous)
        candidates = np.stack([crossing_point, polygon], axis=2).reshape(len(polygon), -1, 2)
        keep = np.stack([crossing, valid & inside], axis=2).reshape(len(polygon), -1)
        order = np.argsort(~keep, axis=1, kind="stable")
        count = keep.sum(axis=1)
        polygon = np.take_along_axis(candidates, order[..., None], axis=1)[:, : max(int(count.max(initial=0)), 1)]
    slots = np.arange(polygon.shape[1])[None]
    following = np.take_along_axis(polygon, ((slots + 1) % np.maximum(count, 1)[:, None])[..., None], axis=1)
    twice_area = np.where(slots < count[:, None], _cross(polygon, following), 0.0).sum(axis=1)
    return np.abs(twice_area) / 2


def _bev_intersections(boxes_a: np.ndarray, boxes_b: np.ndarray) -> np.ndarray:
    """Pairwise BEV intersection areas ``[A, B]``; pairs whose circumscribed circles are apart are skipped (0)."""
    areas = np.zeros((len(boxes_a), len(boxes_b)))
    radius_a, radius_b = np.hypot(boxes_a[:, 3], boxes_a[:, 4]) / 2, np.hypot(boxes_b[:, 3], boxes_b[:, 4]) / 2
    distance = np.hypot(boxes_a[:, None, 0] - boxes_b[None, :, 0], boxes_a[:, None, 1] - boxes_b[None, :, 1])
    rows, columns = np.nonzero(distance <= radius_a[:, None] + radius_b[None])
    if len(rows):
        corners_a, corners_b = box_corners_bev(boxes_a), box_corners_bev(boxes_b)
        for begin in range(0, len(rows), _PAIRS_PER_CHUNK):
            row, column = rows[begin : begin + _PAIRS_PER_CHUNK], columns[begin : begin + _PAIRS_PER_CHUNK]
            areas[row, column] = _convex_intersection_area(corners_a[row], corners_b[column])
    # Clipping by a zero-length edge (a box with l = w = 0) removes nothing; the true intersection is within both.
    box_area_a, box_area_b = boxes_a[:, 3] * boxes_a[:, 4], boxes_b[:, 3] * boxes_b[:, 4]
    return np.minimum(areas, np.minimum(box_area_a[:, None], box_area_b[None]))


def _ratio(intersection: np.ndarray, union: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, intersection / union, 0.0)


def rotated_iou_bev(boxes_a, boxes_b) -> np.ndarray:
    """Pairwise BEV IoU ``[A, B]`` of rotated boxes ``[A, 7]`` and ``[B, 7]`` (0 where both areas are 0)."""
    boxes_a, boxes_b = _boxes(boxes_a, "boxes_a"), _boxes(boxes_b, "boxes_b")
    intersection = _bev_intersections(boxes_a, boxes_b)
    area_a, area_b = boxes_a[:, 3] * boxes_a[:, 4], boxes_b[:, 3] * boxes_b[:, 4]
    return _ratio(intersection, area_a[:, None] + area_b[None] - intersection)


def iou_3d(boxes_a, boxes_b) -> np.ndarray:
    """Pairwise 3D IoU ``[A, B]``: BEV intersection x vertical overlap over the union of volumes (z is the centre)."""
    boxes_a, boxes_b = _boxes(boxes_a, "boxes_a"), _boxes(boxes_b, "boxes_b")
    top_a, bottom_a = boxes_a[:, 2] + boxes_a[:, 5] / 2, boxes_a[:, 2] - boxes_a[:, 5] / 2
    top_b, bottom_b = boxes_b[:, 2] + boxes_b[:, 5] / 2, boxes_b[:, 2] - boxes_b[:, 5] / 2
    overlap = np.clip(np.minimum(top_a[:, None], top_b[None]) - np.maximum(bottom_a[:, None], bottom_b[None]), 0, None)
    intersection = _bev_intersections(boxes_a, boxes_b) * overlap
    volume_a, volume_b = np.prod(boxes_a[:, 3:6], axis=1), np.prod(boxes_b[:, 3:6], axis=1)
    return _ratio(intersection, volume_a[:, None] + volume_b[None] - intersection)


def _check_threshold(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def _scores(scores, count: int, name: str = "scores") -> np.ndarray:
    array = _numpy(scores)
    if array.shape != (count,):
        raise ValueError(f"{name} must be [M] with one score per box (M = {count}), got shape {array.shape}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, found NaN or infinity")
    return array


def rotated_nms(boxes, scores, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression by BEV rotated IoU: the int64 indices of the kept boxes, best score first.

    A box is suppressed when its IoU with a kept, higher-ranked box exceeds ``iou_threshold``. Equal scores rank by
    index (a stable sort), so the result is deterministic.
    """
    boxes = _boxes(boxes)
    scores = _scores(scores, len(boxes))
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    remaining = np.argsort(-scores, kind="stable")
    kept = []
    # One row of IoUs per kept box rather than the full [M, M] matrix: memory stays linear in M.
    while len(remaining):
        best, remaining = remaining[0], remaining[1:]
        kept.append(best)
        if len(remaining):
            remaining = remaining[rotated_iou_bev(boxes[best : best + 1], boxes[remaining])[0] <= iou_threshold]
    return np.array(kept, dtype=np.int64)


_IOU_FUNCTIONS = {"bev": rotated_iou_bev, "3d": iou_3d}


def average_precision(
    predicted_boxes: Sequence,
    predicted_scores: Sequence,
    ground_truth_boxes: Sequence,
    *,
    iou_threshold: float,
    iou: str | Callable = "bev",
    ground_truth_ignore: Sequence | None = None,
) -> float:
    """R40 average precision of one class over frames (see the module docstring for the matching rules).

    Each argument is a sequence with one entry per frame: predicted boxes ``[K, 7]`` with scores ``[K]``,
    ground-truth boxes ``[M, 7]`` and, optionally, a boolean ``[M]`` mask of ground truths to ignore. ``iou`` is
    ``"bev"``, ``"3d"`` or a function ``(boxes_a, boxes_b) -> [A, B]``; a match needs IoU >= ``iou_threshold``.
    Returns nan when no ground truth counts (all ignored or none).
    """
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    if isinstance(iou, str):
        if iou not in _IOU_FUNCTIONS:
            raise ValueError(f"iou must be 'bev', '3d' or a function (boxes_a, boxes_b) -> [A, B], got {iou!r}")
        iou = _IOU_FUNCTIONS[iou]
    frames = len(ground_truth_boxes)
    ignores = [None] * frames if ground_truth_ignore is None else list(ground_truth_ignore)
    if not len(predicted_boxes) == len(predicted_scores) == frames == len(ignores):
        raise ValueError(
            f"predicted_boxes, predicted_scores, ground_truth_boxes (and ground_truth_ignore) need one entry per "
            f"frame, "
            f"got {len(predicted_boxes)}, {len(predicted_scores)}, {frames} and {len(ignores)}"
        )
    all_scores, all_true, counted = [], [], 0
    for frame in range(frames):
        predictions = _boxes(predicted_boxes[frame], f"predicted_boxes[{frame}]")
        scores = _scores(predicted_scores[frame], len(predictions), f"predicted_scores[{frame}]")
        truths = _boxes(ground_truth_boxes[frame], f"ground_truth_boxes[{frame}]")
        ignore = np.zeros(len(truths), dtype=bool) if ignores[frame] is None else _numpy(ignores[frame]).astype(bool)
        if ignore.shape != (len(truths),):
            raise ValueError(
                f"ground_truth_ignore[{frame}] must be [M] for the {len(truths)} boxes, got shape {ignore.shape}"
            )
        counted += int((~ignore).sum())
        order = np.argsort(-scores, kind="stable")
        overlaps = np.asarray(iou(predictions[order], truths)) if len(truths) else np.zeros((len(order), 0))
        matched = np.zeros(len(truths), dtype=bool)
        for row, prediction in enumerate(order):
            close = overlaps[row] >= iou_threshold
            available = close & ~matched & ~ignore
            if available.any():
                matched[np.argmax(np.where(available, overlaps[row], -1.0))] = True
                is_true = True
            elif (close & ignore).any():
                continue
            else:
                is_true = False
            all_scores.append(scores[prediction])
            all_true.append(is_true)
    if counted == 0:
        return float("nan")
    if not all_true:
        return 0.0
    ranked = np.array(all_true, dtype=bool)[np.argsort(-np.array(all_scores), kind="stable")]
    true_positives = np.cumsum(ranked)
    recall = true_positives / counted
    precision = true_positives / np.arange(1, len(ranked) + 1)
    # Interpolated precision: the best precision at this recall or any higher one.
    envelope = np.append(np.maximum.accumulate(precision[::-1])[::-1], 0.0)  # 0 past the highest recall reached
    interpolated = envelope[np.searchsorted(recall, R40_RECALL_POINTS, side="left")]
    return float(interpolated.mean())


def _frame_arrays(entry, keys: tuple[str, str], frame: int, name: str, class_count: int) -> tuple[np.ndarray, ...]:
    if not isinstance(entry, Mapping) or any(key not in entry for key in keys):
        raise ValueError(f"{name}[{frame}] must be a dict with keys {list(keys)}, got {entry!r:.100}")
    boxes = _boxes(entry["boxes"], f"{name}[{frame}]['boxes']")
    labels = _numpy(entry[keys[-1]])
    if labels.shape != (len(boxes),) or not (np.issubdtype(labels.dtype, np.integer) or labels.size == 0):
        raise ValueError(
            f"{name}[{frame}]['{keys[-1]}'] must be integer class ids [M] for the {len(boxes)} boxes, got "
            f"{labels.dtype} {labels.shape}"
        )
    labels = labels.astype(np.int64)
    outside = (labels < 0) | (labels >= class_count)
    if outside.any():
        raise ValueError(
            f"{name}[{frame}]['{keys[-1]}'] must be in 0..{class_count - 1} (indices into class_names), got "
            f"{sorted(set(labels[outside].tolist()))}"
        )
    return boxes, labels


def evaluate_detection(
    predictions: Sequence[Mapping],
    ground_truths: Sequence[Mapping],
    class_names: Sequence[str],
    iou_thresholds: Mapping[str, float | Sequence[float]] | None = None,
) -> dict[str, float]:
    """BEV and 3D R40 AP per class, as a flat dict of floats (a Trainer ``compute_metrics`` result).

    ``predictions`` has one dict per frame, ``{"boxes": [K, 7], "scores": [K], "labels": [K]}``, and
    ``ground_truths`` one ``{"boxes": [M, 7], "class_labels": [M]}`` (optionally ``"ignore": bool [M]``); labels index
    ``class_names``. ``iou_thresholds`` maps class names (case-insensitive) to one threshold or several; by default
    :data:`KITTI_IOU_THRESHOLDS` (0.7 for cars, vans, trucks, 0.5 for pedestrians and cyclists). Keys are
    ``"bev_ap_<class>_<threshold>"`` and ``"3d_ap_<class>_<threshold>"`` (e.g. ``"3d_ap_Car_0.7"``), plus
    ``"bev_map"`` and ``"3d_map"``, the mean over classes at each class's first threshold (nan-skipping).
    """
    if isinstance(class_names, str) or not len(class_names):
        raise ValueError(f"class_names must be a non-empty sequence of names, got {class_names!r}")
    if len(predictions) != len(ground_truths):
        raise ValueError(
            f"predictions and ground_truths need one entry per frame, got {len(predictions)} and {len(ground_truths)}"
        )
    given = KITTI_IOU_THRESHOLDS if iou_thresholds is None else iou_thresholds
    lookup = {name.lower(): value for name, value in given.items()}
    thresholds = {}
    for name in class_names:
        if name.lower() not in lookup:
            raise ValueError(f"iou_thresholds has no entry for class {name!r} (given for {sorted(given)})")
        value = lookup[name.lower()]
        values = [value] if np.ndim(value) == 0 else list(value)
        thresholds[name] = [_check_threshold(threshold, f"iou_thresholds[{name!r}]") for threshold in values]
    frames_predicted = []
    for frame, entry in enumerate(predictions):
        boxes, labels = _frame_arrays(entry, ("boxes", "scores", "labels"), frame, "predictions", len(class_names))
        scores = _scores(entry["scores"], len(boxes), f"predictions[{frame}]['scores']")
        frames_predicted.append((boxes, labels, scores))
    frames_true = []
    for frame, entry in enumerate(ground_truths):
        boxes, labels = _frame_arrays(entry, ("boxes", "class_labels"), frame, "ground_truths", len(class_names))
        ignore = entry.get("ignore")
        ignore = np.zeros(len(boxes), dtype=bool) if ignore is None else _numpy(ignore).astype(bool)
        if ignore.shape != (len(boxes),):
            raise ValueError(
                f"ground_truths[{frame}]['ignore'] must be bool [M] for its {len(boxes)} boxes, got shape "
                f"{ignore.shape}"
            )
        frames_true.append((boxes, labels, ignore))
    results: dict[str, float] = {}
    primary: dict[str, list[float]] = {"bev": [], "3d": []}
    for index, name in enumerate(class_names):
        predicted = [(boxes[labels == index], scores[labels == index]) for boxes, labels, scores in frames_predicted]
        truths = [(boxes[labels == index], ignore[labels == index]) for boxes, labels, ignore in frames_true]
        for kind in ("bev", "3d"):
            for position, threshold in enumerate(thresholds[name]):
                value = average_precision(
                    [boxes for boxes, _ in predicted],
                    [scores for _, scores in predicted],
                    [boxes for boxes, _ in truths],
                    iou_threshold=threshold,
                    iou=kind,
                    ground_truth_ignore=[ignore for _, ignore in truths],
                )
                results[f"{kind}_ap_{name}_{threshold:g}"] = value
                if position == 0:
                    primary[kind].append(value)
    for kind, values in primary.items():
        results[f"{kind}_map"] = float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")
    return results


__all__ = [
    "KITTI_IOU_THRESHOLDS",
    "R40_RECALL_POINTS",
    "average_precision",
    "box_corners_bev",
    "evaluate_detection",
    "iou_3d",
    "rotated_iou_bev",
    "rotated_nms",
]
