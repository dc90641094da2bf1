"""Rotated IoU, NMS and R40 average precision against hand-computed values (and grid-sampled areas for random boxes)."""

import math

import numpy as np
import pytest
import torch

from hf_spiking.metrics.detection import (
    R40_RECALL_POINTS,
    average_precision,
    box_corners_bev,
    evaluate_detection,
    iou_3d,
    rotated_iou_bev,
    rotated_nms,
)


def box(x=0.0, y=0.0, z=0.0, l=1.0, w=1.0, h=1.0, yaw=0.0):  # noqa: E741 - l is the box length in every paper
    return [x, y, z, l, w, h, yaw]


def bev(a, b) -> float:
    return float(rotated_iou_bev([a], [b])[0, 0])


def test_corners_are_counter_clockwise_from_front_left():
    corners = box_corners_bev([box(1, 2, l=4, w=2, yaw=math.pi / 2)])
    assert np.allclose(corners[0], [[0, 4], [0, 0], [2, 0], [2, 4]])


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (box(), box(), 1.0),
        (box(), box(x=0.5), 1 / 3),  # intersection 0.5, union 1.5
        (box(x=1, y=0.5, l=2), box(x=2, y=0.5, l=2), 1 / 3),  # [0, 2] x [0, 1] and [1, 3] x [0, 1]: coincident edges
        (box(l=4), box(l=4, yaw=math.pi / 2), 1 / 7),  # a cross: the unit square in the middle over 4 + 4 - 1
        (box(yaw=0.3), box(l=4, w=2, yaw=1.1), 1 / 8),  # a unit square well inside a 4 x 2 rectangle
        # 45 degrees: the octagon is the square less 4 corner triangles of legs h = (sqrt 2 - 1) / 2, area
        # 1 - 4 h^2 = 2 sqrt 2 - 2; IoU = (2 sqrt 2 - 2) / (4 - 2 sqrt 2) = 1 / sqrt 2.
        (box(), box(yaw=math.pi / 4), 1 / math.sqrt(2)),
        (box(), box(x=1.0), 0.0),  # touching along an edge
        (box(), box(x=1.0, y=1.0), 0.0),  # touching at a corner
        (box(), box(x=3.0, yaw=0.4), 0.0),
        (box(), box(l=0.0, w=0.0), 0.0),  # a point box
        (box(l=0.0), box(l=0.0), 0.0),  # two zero-area boxes: no union, IoU 0
    ],
)
def test_bev_iou_by_hand(a, b, expected):
    assert bev(a, b) == pytest.approx(expected, abs=1e-12)
    assert bev(b, a) == pytest.approx(expected, abs=1e-12)


def _grid_iou(a, b, steps=700) -> float:
    corners = np.concatenate([box_corners_bev([a])[0], box_corners_bev([b])[0]])
    low, high = corners.min(axis=0), corners.max(axis=0)
    xs, ys = np.meshgrid(*(np.linspace(low[i], high[i], steps) for i in range(2)), indexing="ij")

    def inside(boxes):
        dx, dy = xs - boxes[0], ys - boxes[1]
        along = dx * math.cos(boxes[6]) + dy * math.sin(boxes[6])
        across = -dx * math.sin(boxes[6]) + dy * math.cos(boxes[6])
        return (np.abs(along) <= boxes[3] / 2) & (np.abs(across) <= boxes[4] / 2)

    in_a, in_b = inside(a), inside(b)
    return (in_a & in_b).sum() / (in_a | in_b).sum()


def test_random_boxes_match_a_grid_sampled_iou_and_are_symmetric_and_pi_periodic():
    rng = np.random.default_rng(0)
    boxes = np.column_stack(
        [rng.uniform(-1, 1, (12, 2)), np.zeros(12), rng.uniform(0.5, 3, (12, 3)), rng.uniform(-np.pi, np.pi, 12)]
    )
    iou = rotated_iou_bev(boxes, boxes)
    assert np.allclose(np.diag(iou), 1.0) and np.allclose(iou, iou.T, atol=1e-12)
    flipped = boxes.copy()
    flipped[:, 6] += np.pi
    assert np.allclose(rotated_iou_bev(boxes, flipped), iou, atol=1e-12)
    pairs = [(i, j) for i in range(6) for j in range(6, 12)]
    assert any(0 < iou[i, j] < 1 for i, j in pairs)
    for i, j in pairs:
        assert iou[i, j] == pytest.approx(_grid_iou(boxes[i], boxes[j]), abs=1e-2), (i, j)


def test_3d_iou_with_half_vertical_overlap_and_torch_input():
    # Same unit footprint, heights 2 with centres 1 apart: overlap 1 x 1 x 1 over 2 + 2 - 1.
    a, b = torch.tensor([box(h=2.0)]), torch.tensor([box(z=1.0, h=2.0)])
    assert iou_3d(a, b)[0, 0] == pytest.approx(1 / 3)
    assert iou_3d([box(h=2.0)], [box(x=0.5, z=1.0, h=2.0)])[0, 0] == pytest.approx(0.5 / (4 - 0.5))
    assert iou_3d([box()], [box(z=1.0)])[0, 0] == 0.0  # stacked, touching
    assert rotated_iou_bev(np.zeros((0, 7)), [box()]).shape == (0, 1)


def test_nms_suppresses_duplicates_and_breaks_ties_by_index():
    boxes = [box(), box(x=0.1), box(x=5.0), box(x=5.0), box(x=0.5)]
    scores = [0.9, 0.8, 0.7, 0.7, 0.6]  # box 4 overlaps box 0 with IoU 1/3
    assert rotated_nms(boxes, scores, 0.5).tolist() == [0, 2, 4]
    assert rotated_nms(boxes, scores, 0.3).tolist() == [0, 2]
    assert rotated_nms(boxes, [0.1, 0.2, 0.7, 0.9, 0.0], 0.5).tolist() == [3, 1, 4]
    assert rotated_nms(np.zeros((0, 7)), [], 0.5).tolist() == []


def test_r40_recall_points():
    assert len(R40_RECALL_POINTS) == 40 and R40_RECALL_POINTS[0] == 1 / 40 and R40_RECALL_POINTS[-1] == 1.0


TRUTHS = [box(), box(x=10.0)]
FALSE = box(x=50.0, y=50.0)


def _ap(predictions, scores, truths=TRUTHS, **kwargs) -> float:
    kwargs.setdefault("iou_threshold", 0.7)
    return average_precision([np.array(predictions)], [np.array(scores)], [np.array(truths)], **kwargs)


def test_perfect_predictions_have_ap_one():
    assert _ap(TRUTHS, [0.9, 0.8]) == 1.0
    assert _ap(TRUTHS, [0.9, 0.8], iou="3d") == 1.0


def test_hand_computed_r40_ap_with_a_false_positive_in_the_middle():
    # Ranked TP, FP, TP: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1. The best precision at recall >= r is 1 for the
    # 20 points r <= 1/2 and 2/3 for the 20 above: AP = (20 + 20 * 2/3) / 40 = 5/6.
    assert _ap([TRUTHS[0], FALSE, TRUTHS[1]], [0.9, 0.8, 0.7]) == pytest.approx(5 / 6)
    # A duplicate of the first ground truth is that false positive too: each ground truth is matched once.
    assert _ap([TRUTHS[0], TRUTHS[0], TRUTHS[1]], [0.9, 0.8, 0.7]) == pytest.approx(5 / 6)
    # FP first: precision 0, 1/2, 2/3; the envelope is 2/3 everywhere.
    assert _ap([FALSE, TRUTHS[0], TRUTHS[1]], [0.9, 0.8, 0.7]) == pytest.approx(2 / 3)
    # One of two found: precision 1 up to recall 1/2, nothing above.
    assert _ap([TRUTHS[0]], [0.9]) == pytest.approx(0.5)
    assert _ap(np.zeros((0, 7)), []) == 0.0


def test_ranking_is_global_across_frames_and_matching_per_frame():
    predictions = [np.array([TRUTHS[0]]), np.array([TRUTHS[0], TRUTHS[1]])]  # frame 1 has nothing at the origin
    ap = average_precision(predictions, [[0.9], [0.8, 0.7]], [[TRUTHS[0]], [TRUTHS[1]]], iou_threshold=0.5)
    assert ap == pytest.approx(5 / 6)


def test_iou_threshold_and_kind():
    shifted = box(x=0.5)  # BEV IoU 1/3 with the first ground truth
    assert _ap([shifted, TRUTHS[1]], [0.9, 0.8], iou_threshold=0.3) == 1.0
    # At 0.5 the shifted box is a false positive ranked first: precision 0, then 1/2 at recall 1/2: AP 20 / 40 / 2.
    assert _ap([shifted, TRUTHS[1]], [0.9, 0.8], iou_threshold=0.5) == pytest.approx(0.25)
    lifted = [box(z=0.5), box(x=10.0, z=0.5)]  # same footprint, 3D IoU 0.5 / 1.5
    assert _ap(lifted, [0.9, 0.8], iou="bev") == 1.0 and _ap(lifted, [0.9, 0.8], iou="3d") == 0.0
    assert _ap(lifted, [0.9, 0.8], iou=lambda a, b: np.ones((len(a), len(b)))) == 1.0


def test_ignored_ground_truths_neither_reward_nor_penalise():
    # The top prediction hits the ignored box: dropped, not a false positive (else AP would be 1/2).
    ignore = [np.array([False, True])]
    assert _ap([TRUTHS[1], TRUTHS[0]], [0.9, 0.8], ground_truth_ignore=ignore) == 1.0
    assert _ap([TRUTHS[1], TRUTHS[1], TRUTHS[0]], [0.9, 0.8, 0.7], ground_truth_ignore=ignore) == 1.0
    assert math.isnan(_ap([TRUTHS[0]], [0.9], ground_truth_ignore=[np.array([True, True])]))


def test_evaluate_detection_per_class_and_threshold():
    predictions = [
        {"boxes": np.array([TRUTHS[0], box(x=10.5, z=0.0), FALSE]), "scores": np.array([0.9, 0.8, 0.7]),
         "labels": np.array([0, 0, 1])},
        {"boxes": torch.tensor([box(x=3.0, l=0.5, w=0.5, h=1.8)]), "scores": torch.tensor([0.6]),
         "labels": torch.tensor([1])},
    ]  # fmt: skip
    ground_truths = [
        {"boxes": np.array(TRUTHS), "class_labels": np.array([0, 0])},
        {"boxes": np.array([box(x=3.0, l=0.5, w=0.5, h=1.8)]), "class_labels": np.array([1])},
    ]
    thresholds = {"car": [0.7, 0.3], "pedestrian": 0.5}
    results = evaluate_detection(predictions, ground_truths, ["Car", "Pedestrian"], thresholds)
    # Car: the second prediction has IoU 1/3 with its box: a miss at 0.7 (AP 1/2), a hit at 0.3 (AP 1).
    assert results["bev_ap_Car_0.7"] == pytest.approx(0.5) and results["3d_ap_Car_0.7"] == pytest.approx(0.5)
    assert results["bev_ap_Car_0.3"] == 1.0 and results["3d_ap_Car_0.3"] == 1.0
    # Pedestrian: a false positive scored 0.7 in frame 0 ranks above the hit in frame 1: precision 0 then 1/2.
    assert results["bev_ap_Pedestrian_0.5"] == pytest.approx(0.5)
    assert results["bev_map"] == pytest.approx(0.5) and set(results) == {
        "bev_ap_Car_0.7", "bev_ap_Car_0.3", "3d_ap_Car_0.7", "3d_ap_Car_0.3", "bev_ap_Pedestrian_0.5",
        "3d_ap_Pedestrian_0.5", "bev_map", "3d_map",
    }  # fmt: skip
    default = evaluate_detection(predictions, ground_truths, ["Car", "Pedestrian"])
    assert set(default) == {"bev_ap_Car_0.7", "3d_ap_Car_0.7", "bev_ap_Pedestrian_0.5", "3d_ap_Pedestrian_0.5",
                            "bev_map", "3d_map"}  # fmt: skip


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rotated_iou_bev(np.zeros((3, 5)), [box()]),
         r"boxes_a must be \[M, 7\] \(x, y, z, l, w, h, yaw\), got shape \(3, 5\)"),
        (lambda: rotated_iou_bev([box(l=-1.0)], [box()]),
         r"boxes_a sizes l, w, h must be non-negative, got \[-1.0, 1.0, 1.0\] in row 0"),
        (lambda: iou_3d([box()], [box(x=math.nan)]), "boxes_b must be finite"),
        (lambda: rotated_nms([box()], [0.5, 0.4], 0.5), r"scores must be \[M\] with one score per box \(M = 1\)"),
        (lambda: rotated_nms([box()], [0.5], 1.5), r"iou_threshold must be a number in \[0, 1\], got 1.5"),
        (lambda: _ap(TRUTHS, [0.9, 0.8], iou="2d"), "iou must be 'bev', '3d' or a function"),
        (lambda: average_precision([], [], [[box()]], iou_threshold=0.5), "one entry per frame, got 0, 0, 1 and 1"),
        (lambda: _ap(TRUTHS, [0.9, 0.8], ground_truth_ignore=[[True]]), r"ignore\[0\] must be \[M\] for the 2"),
        (lambda: evaluate_detection([{"boxes": [box()], "scores": [1.0], "labels": [2]}],
                                    [{"boxes": [box()], "class_labels": [0]}], ["Car"]),
         r"predictions\[0\]\['labels'\] must be in 0..0 \(indices into class_names\), got \[2\]"),
        (lambda: evaluate_detection([{"boxes": [box()], "labels": [0]}], [{"boxes": [], "class_labels": []}], ["Car"]),
         r"predictions\[0\] must be a dict with keys \['boxes', 'scores', 'labels'\]"),
        (lambda: evaluate_detection([], [], ["Tram"]), r"iou_thresholds has no entry for class 'Tram'"),
    ],
)  # fmt: skip
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
