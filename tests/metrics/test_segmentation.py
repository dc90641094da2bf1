"""Segmentation confusion matrix and IoUs against a hand-computed case."""

import math

import numpy as np
import pytest
import torch

from hf_spiking.metrics.segmentation import SegmentationMetric, mean_iou, segmentation_confusion_matrix

LABELS = [0, 0, 1, 1, 2, 255]
PREDICTIONS = [0, 1, 1, 1, 0, 2]  # the last point is ignored whatever its prediction
# Rows are labels, columns predictions.
CONFUSION = [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_confusion_matrix_by_hand_numpy_and_torch():
    assert segmentation_confusion_matrix(np.array(PREDICTIONS), np.array(LABELS), 3).tolist() == CONFUSION
    as_tensors = segmentation_confusion_matrix(torch.tensor(PREDICTIONS), torch.tensor(LABELS).view(2, 3), 3)
    assert as_tensors.dtype == np.int64 and as_tensors.tolist() == CONFUSION


def test_ious_by_hand():
    # class 0: TP 1 / (2 predicted + 2 labelled - 1) = 1/3; class 1: 2 / (3 + 2 - 2) = 2/3; class 2: 0 / 1.
    result = mean_iou(CONFUSION)
    assert np.allclose(result["per_class_iou"], [1 / 3, 2 / 3, 0.0])
    assert result["miou"] == pytest.approx(1 / 3) and result["overall_accuracy"] == pytest.approx(3 / 5)


def test_a_class_absent_from_labels_and_predictions_is_nan_and_left_out_of_the_mean():
    result = mean_iou(segmentation_confusion_matrix(PREDICTIONS, LABELS, num_classes=4))
    assert math.isnan(result["per_class_iou"][3]) and result["miou"] == pytest.approx(1 / 3)
    empty = mean_iou(np.zeros((2, 2), dtype=np.int64))
    assert math.isnan(empty["miou"]) and math.isnan(empty["overall_accuracy"])


def test_ignore_index_none_counts_every_point():
    confusion = segmentation_confusion_matrix([1, 0], [1, 1], num_classes=2, ignore_index=None)
    assert confusion.tolist() == [[0, 0], [1, 1]]


def test_metric_accumulates_over_batches_like_one_pass():
    metric = SegmentationMetric(3, class_names=["car", "road", "pole"])
    metric.update(torch.tensor(PREDICTIONS[:3]), torch.tensor(LABELS[:3]))
    metric.update(np.array(PREDICTIONS[3:]), np.array(LABELS[3:]))
    assert metric.confusion.tolist() == CONFUSION
    result = metric.compute()
    assert result["iou_car"] == pytest.approx(1 / 3) and result["iou_pole"] == 0.0
    assert result["miou"] == pytest.approx(1 / 3)
    metric.reset()
    assert metric.confusion.sum() == 0


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: segmentation_confusion_matrix([0, 1], [0, 5], 3), "labels must be class ids in 0..2 or ignore_index 255, got .5.$"),
        (lambda: segmentation_confusion_matrix([0, -1], [0, 1], 3), "predictions must be class ids in 0..2, got .-1.$"),
        (lambda: segmentation_confusion_matrix([0, 1, 2], [0, 1], 3), "as many ids, got 3 and 2"),
        (lambda: segmentation_confusion_matrix([0.2, 0.8], [0, 1], 3), "integer class ids, got dtype float64"),
        (lambda: segmentation_confusion_matrix([0], [0], 0), "num_classes must be a positive integer, got 0"),
        (lambda: mean_iou(np.zeros((2, 3))), r"square \[C, C\] matrix, got shape \(2, 3\)"),
        (lambda: SegmentationMetric(2, class_names=["a"]), "name the 2 classes, got 1 names"),
    ],
)  # fmt: skip
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
