"""Semantic-segmentation metrics (point clouds or images): the confusion matrix and the IoU numbers read off it.

The confusion matrix is accumulated over a whole split and the IoUs computed once at the end, as the SemanticKITTI
and ScanNet benchmarks do: averaging per-frame IoUs instead would weight a frame with ten points like one with ten
thousand. Rows are ground truth, columns predictions. A class absent from both the labels and the predictions has no
IoU (nan) and is left out of the mean rather than counted as 0 or 1.
"""

from __future__ import annotations

import numpy as np


def _ids(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):  # a torch tensor, possibly on an accelerator
        values = values.detach().cpu().numpy()
    values = np.asarray(values)
    if not (np.issubdtype(values.dtype, np.integer) or values.dtype == bool):
        raise ValueError(
            f"{name} must be integer class ids, got dtype {values.dtype} (take the argmax of logits first)"
        )
    return values.reshape(-1).astype(np.int64)


def _check_num_classes(num_classes) -> None:
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")


def segmentation_confusion_matrix(predictions, labels, num_classes: int, ignore_index: int | None = 255) -> np.ndarray:
    """The int64 ``[num_classes, num_classes]`` confusion matrix (row: label, column: prediction).

    ``predictions`` and ``labels`` are same-shaped integer arrays or tensors of class ids (any shape, flattened);
    points labelled ``ignore_index`` are skipped whatever their prediction. Any other id outside ``0..num_classes-1``
    raises.
    """
    _check_num_classes(num_classes)
    predictions, labels = _ids(predictions, "predictions"), _ids(labels, "labels")
    if predictions.shape != labels.shape:
        raise ValueError(f"predictions and labels must hold as many ids, got {predictions.size} and {labels.size}")
    keep = labels != ignore_index if ignore_index is not None else np.ones(labels.shape, dtype=bool)
    predictions, labels = predictions[keep], labels[keep]
    for name, values in (("labels", labels), ("predictions", predictions)):
        outside = (values < 0) | (values >= num_classes)
        if outside.any():
            ignore = f" or ignore_index {ignore_index}" if name == "labels" and ignore_index is not None else ""
            found = sorted(set(values[outside].tolist()))[:10]
            raise ValueError(f"{name} must be class ids in 0..{num_classes - 1}{ignore}, got {found}")
    counts = np.bincount(labels * num_classes + predictions, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def mean_iou(confusion) -> dict:
    """``{"per_class_iou": float [C] (nan for classes absent from labels and predictions), "miou": mean over the
    present classes (nan if none), "overall_accuracy": correct / labelled points (nan if none)}``."""
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1] or confusion.shape[0] == 0:
        raise ValueError(f"confusion must be a square [C, C] matrix, got shape {confusion.shape}")
    if (confusion < 0).any():
        raise ValueError("confusion must hold non-negative counts, found a negative entry")
    confusion = confusion.astype(np.float64)
    true_positives = np.diag(confusion)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - true_positives
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(union > 0, true_positives / union, np.nan)
    total = confusion.sum()
    return {
        "per_class_iou": per_class,
        "miou": float(np.nanmean(per_class)) if np.isfinite(per_class).any() else float("nan"),
        "overall_accuracy": float(true_positives.sum() / total) if total > 0 else float("nan"),
    }


class SegmentationMetric:
    """Accumulates a confusion matrix over batches: ``update(predictions, labels)`` per batch, ``compute()`` at the end.

    ``compute()`` returns :func:`mean_iou`'s dict; with ``class_names`` it also holds ``"iou_<name>"`` floats, so that
    ``{k: v for k, v in metric.compute().items() if k != "per_class_iou"}`` is a Trainer ``compute_metrics`` result.
    """

    def __init__(self, num_classes: int, ignore_index: int | None = 255, class_names: list[str] | None = None):
        _check_num_classes(num_classes)
        if class_names is not None and len(class_names) != num_classes:
            raise ValueError(f"class_names must name the {num_classes} classes, got {len(class_names)} names")
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.class_names = None if class_names is None else list(class_names)
        self.confusion = np.zeros((num_classes, num_classes), dtype=np.int64)

    def reset(self) -> None:
        """Forgets every batch seen so far."""
        self.confusion[:] = 0

    def update(self, predictions, labels) -> None:
        """Adds a batch of predicted and true class ids (same shape, any layout)."""
        self.confusion += segmentation_confusion_matrix(predictions, labels, self.num_classes, self.ignore_index)

    def compute(self) -> dict:
        """The metrics of everything seen since construction or the last :meth:`reset`."""
        result = mean_iou(self.confusion)
        if self.class_names is not None:
            result.update({f"iou_{name}": float(iou) for name, iou in zip(self.class_names, result["per_class_iou"])})
        return result


__all__ = ["SegmentationMetric", "mean_iou", "segmentation_confusion_matrix"]
