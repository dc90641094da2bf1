"""LiDAR 3D-detection training on tiny synthetic scenes and a tiny tree in KITTI's layout, the augmentation, and the
non-learned clustering baseline on hand-made scenes."""

import json
import math

import numpy as np
import pytest
import torch
from huggingface_hub import ModelCard
from transformers import pipeline

import hf_spiking
from hf_spiking.data.kitti import KittiObject, write_kitti_labels, write_semantickitti_scan
from hf_spiking.jobs.finetune_point_detection import (
    augment_frame,
    build_model,
    cluster_baseline_detections,
    euclidean_clusters,
    finetune,
    minimum_area_rectangle,
    points_in_boxes,
    read_kitti_frame,
)
from hf_spiking.jobs.finetune_point_detection import parse_arguments
from hf_spiking.jobs.finetune_point_segmentation import format_percent
from hf_spiking.metrics.detection import rotated_iou_bev
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForObjectDetection, SpikingPointEncoderModel

CAR = np.array([8.0, 3.0, -0.98, 4.2, 1.8, 1.5, 0.5])  # standing on the ground at z = -1.73


def _box_surface(box, spacing: float = 0.1) -> np.ndarray:
    """Points on the four sides and the top of a box ``(x, y, z, l, w, h, yaw)``."""
    x, y, z, length, width, height, yaw = box
    along = np.arange(-length / 2, length / 2 + 1e-9, spacing)
    across = np.arange(-width / 2, width / 2 + 1e-9, spacing)
    up = np.arange(-height / 2, height / 2 + 1e-9, spacing)
    sides = [np.stack(np.meshgrid(along, [s * width / 2], up), -1).reshape(-1, 3) for s in (-1, 1)]
    sides += [np.stack(np.meshgrid([s * length / 2], across, up), -1).reshape(-1, 3) for s in (-1, 1)]
    sides.append(np.stack(np.meshgrid(along, across, [height / 2]), -1).reshape(-1, 3))
    local = np.concatenate(sides)
    cos, sin = math.cos(yaw), math.sin(yaw)
    xy = local[:, :2] @ np.array([[cos, -sin], [sin, cos]]).T
    return np.c_[xy + [x, y], local[:, 2] + z]


def _ground(low: float, high: float, z: float = -1.73, spacing: float = 0.25) -> np.ndarray:
    axis = np.arange(low, high, spacing)
    xx, yy = np.meshgrid(axis, axis)
    return np.c_[xx.ravel(), yy.ravel(), np.full(xx.size, z)]


def _with_intensity(xyz: np.ndarray) -> np.ndarray:
    return np.c_[xyz, np.full(len(xyz), 0.3)].astype(np.float32)


def test_the_baseline_finds_a_hand_made_car():
    points = _with_intensity(np.concatenate([_ground(-15, 15), _box_surface(CAR), _box_surface([-6, -6, -1.4, 0.3,
                                                                                                  0.3, 0.6, 0])]))
    found = cluster_baseline_detections(points, ["car", "person", "bicycle", "traffic cone"])
    assert found["labels"].tolist() == [0, 3]  # the car, then the cone (sizes tell them apart)
    car = found["boxes"][0]
    assert rotated_iou_bev(car[None], CAR[None])[0, 0] > 0.9
    assert car[2] == pytest.approx(CAR[2], abs=0.05) and car[5] == pytest.approx(CAR[5], abs=0.05)
    assert 0 < found["scores"][1] < found["scores"][0] < 1  # more points, a higher score
    assert cluster_baseline_detections(_with_intensity(_ground(-5, 5)), ["Car"])["boxes"].shape == (0, 7)


def test_clusters_and_minimum_area_rectangles():
    rng = np.random.default_rng(0)
    blobs = np.concatenate([rng.uniform(0, 1, (50, 2)), rng.uniform(5, 6, (40, 2))])
    clusters = euclidean_clusters(blobs, 0.4)
    assert len(set(clusters[:50])) == 1 and len(set(clusters[50:])) == 1 and clusters[0] != clusters[50]
    x, y, length, width, yaw = minimum_area_rectangle(_box_surface(CAR)[:, :2])
    assert (x, y, length, width) == pytest.approx((CAR[0], CAR[1], CAR[3], CAR[4]), abs=1e-6)
    assert yaw == pytest.approx(CAR[6], abs=1e-6)


def test_augmentation_moves_points_and_boxes_together():
    boxes = np.stack([CAR, [-3.0, 5.0, -1.0, 0.6, 0.6, 1.7, 3.0]])
    shrunk = boxes * [1, 1, 1, 0.95, 0.95, 0.95, 1]  # surface points just inside each box, and some outside
    points = _with_intensity(np.concatenate([_box_surface(box, 0.2) for box in shrunk] + [_ground(-10, 10, 0.5, 1.0)]))
    inside = points_in_boxes(points, boxes)
    assert inside.tolist() == [len(_box_surface(shrunk[0], 0.2)), len(_box_surface(shrunk[1], 0.2))]
    for seed in range(4):
        moved_points, moved_boxes = augment_frame(points, boxes, np.random.default_rng(seed), 45.0)
        assert not np.allclose(moved_points, points)
        assert (moved_boxes[:, 6] >= -math.pi).all() and (moved_boxes[:, 6] < math.pi).all()
        assert points_in_boxes(moved_points, moved_boxes).tolist() == inside.tolist()
        np.testing.assert_allclose(moved_points[:, 3], points[:, 3])  # intensity untouched


def _job_arguments(tmp_path, *extra):
    return parse_arguments(
        ["--dataset", "synthetic-scenes", "--model_name_or_path", "svl-e3dsnn-det-test", "--point_cloud_range",
         "-40", "-40", "-3", "40", "40", "1", "--num_train_scenes", "2", "--num_eval_scenes", "1",
         "--azimuth_step_degrees", "2.0", "--cache_dir", str(tmp_path / "cache"), "--output_dir",
         str(tmp_path / "run"), "--max_points", "4096", "--per_device_train_batch_size", "2", "--use_cpu", "true",
         "--eval_strategy", "no", "--load_best_model_at_end", "false", "--save_strategy", "steps", "--save_steps",
         "1", "--do_train", *extra]
    )


def test_the_job_trains_resumes_evaluates_and_saves_a_pipeline_ready_detector_and_its_card(tmp_path):
    results = finetune(*_job_arguments(tmp_path, "--max_steps", "1", "--do_predict"))
    validation, test = results["validation"], results["test"]
    assert validation["validation_num_scans"] == 1 and "validation_bev_ap_car_0.7" in validation
    assert "validation_3d_ap_traffic_cone_0.5" in validation and math.isfinite(validation["validation_loss"])
    assert test["test_num_scans"] == 1 and "test_3d_ap_car_0.7" in test
    assert 0 < results["energy"]["energy_mj_per_scan"] < results["energy"]["dense_energy_mj_per_scan"]
    assert json.loads((tmp_path / "run" / "results.json").read_text())["validation"] == validation

    card = (tmp_path / "run" / "README.md").read_text()
    assert f"Test car BEV AP@0.7 **{format_percent(test['test_bev_ap_car_0.7'])}**" in card
    assert f"| person | 0.5 | {format_percent(test['test_bev_ap_person_0.5'])} |" in card
    assert f"**{results['energy']['energy_mj_per_scan']:.4g} mJ per scan**" in card
    assert "generated by hf_spiking.data.synthetic_scenes (docs/synthetic_scenes.md), seeded; no real data" in card
    index = ModelCard.load(tmp_path / "run" / "README.md").data.eval_results or []  # none without counted cars
    expected = {f"car {kind} AP@0.7 (R40)": test[f"test_{kind.lower()}_ap_car_0.7"] for kind in ("BEV", "3D")}
    assert {result.metric_name: result.metric_value for result in index} == {
        name: round(100 * value, 2) for name, value in expected.items() if value is not None}

    baseline = tmp_path / "baseline"
    finetune(*_job_arguments(tmp_path, "--baseline", "--do_predict", "--output_dir", str(baseline)))
    assert (baseline / "results.json").exists() and not (baseline / "README.md").exists()

    resumed = finetune(*_job_arguments(tmp_path, "--max_steps", "2", "--resume_from_checkpoint", "latest"))
    state = json.loads((tmp_path / "run" / "checkpoint-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 2 and resumed["train"]["epoch"] == 2

    model = SpikingPointEncoderForObjectDetection.from_pretrained(tmp_path / "run")
    assert model.config.id2label == {0: "car", 1: "person", 2: "bicycle", 3: "traffic cone"}
    assert model.config.detection_point_cloud_range == (-40.0, -40.0, -3.0, 40.0, 40.0, 1.0)
    found = pipeline("3d-object-detection", model=str(tmp_path / "run"))(np.zeros((100, 4)) + np.arange(100)[:, None]
                                                                          * 0.01, threshold=0.0)
    assert all(set(item["box"]) == {"x", "y", "z", "l", "w", "h", "yaw"} for item in found)


def test_init_from_loads_an_encoder_with_other_input_channels(tmp_path):
    encoder = SpikingPointEncoderModel(hf_spiking.get_config("svl-e3dsnn-det-test", in_channels=6, hidden_size=32))
    encoder.save_pretrained(tmp_path / "encoder")
    args, _ = _job_arguments(tmp_path, "--init_from", str(tmp_path / "encoder"))
    model = build_model(args, ["car", "person"], None)
    assert model.config.num_labels == 2 and model.config.in_channels == 4
    weights = model.point_encoder.state_dict()
    for key, value in encoder.state_dict().items():
        if key in weights and key != "encoder.stem.0.conv.weight":  # the first convolution takes 4 channels here
            torch.testing.assert_close(weights[key], value, rtol=0, atol=0)


# --- KITTI ----------------------------------------------------------------------------------------------------------

# Camera: 700 px focal length, principal point (621, 187); LiDAR -> camera: x_cam = -y, y_cam = -z, z_cam = x.
CALIBRATION = """P0: 700 0 621 0 0 700 187 0 0 0 1 0
P1: 700 0 621 0 0 700 187 0 0 0 1 0
P2: 700 0 621 0 0 700 187 0 0 0 1 0
P3: 700 0 621 0 0 700 187 0 0 0 1 0
R0_rect: 1 0 0 0 1 0 0 0 1
Tr_velo_to_cam: 0 -1 0 0 0 0 -1 0 1 0 0 0
"""
KITTI_CAR = np.array([12.0, 1.0, -0.98, 3.9, 1.6, 1.5, 0.0])  # LiDAR frame
KITTI_VAN = np.array([20.0, -3.0, -0.73, 5.0, 2.0, 2.0, 0.0])


def _kitti_object(kind: str, box) -> KittiObject:
    x, y, z, length, width, height, yaw = box
    # Camera bottom centre (x = -y, y = -(z - h / 2), z = x), rotation_y = -yaw - pi / 2.
    return KittiObject(kind, 0.0, 0, 0.0, (0.0, 0.0, 50.0, 50.0), (height, width, length),
                       (-y, -(z - height / 2), x), -yaw - math.pi / 2)


@pytest.fixture
def kitti_root(tmp_path):
    root = tmp_path / "kitti"
    for folder in ("velodyne", "label_2", "calib"):
        (root / "training" / folder).mkdir(parents=True)
    behind = _ground(-20, -5)  # x < 0: outside the camera's field of view
    ahead = _ground(5, 35)
    ahead = ahead[np.abs(ahead[:, 1]) < 10]
    points = _with_intensity(np.concatenate([ahead, behind, _box_surface(KITTI_CAR), _box_surface(KITTI_VAN)]))
    for frame in ("000000", "000001"):
        write_semantickitti_scan(root / "training" / "velodyne" / f"{frame}.bin", points)
        (root / "training" / "calib" / f"{frame}.txt").write_text(CALIBRATION)
        dont_care = KittiObject("DontCare", -1, -1, -10, (0, 0, 1, 1), (-1, -1, -1), (-1000, -1000, -1000), -10)
        write_kitti_labels(root / "training" / "label_2" / f"{frame}.txt",
                           [_kitti_object("Car", KITTI_CAR), _kitti_object("Van", KITTI_VAN), dont_care])
    return root


def test_kitti_frames_give_lidar_boxes_of_the_field_of_view(kitti_root):
    frame = read_kitti_frame(kitti_root / "training", "000000", min_points_in_box=1)
    np.testing.assert_allclose(frame.boxes, np.stack([KITTI_CAR, KITTI_VAN]), atol=1e-6)
    assert frame.class_labels.tolist() == [0, 0] and frame.ignore.tolist() == [False, True]  # Van: ignored Car
    assert (frame.points[:, 0] > 0).all() and frame.points.shape[1] == 4


def test_the_baseline_job_on_kitti_reports_the_same_metrics(kitti_root, tmp_path):
    args, training_args = parse_arguments(
        ["--dataset", "kitti", "--data_dir", str(kitti_root), "--baseline", "--validation_fraction", "0.5",
         "--model_name_or_path", "svl-e3dsnn-det-test", "--output_dir", str(tmp_path / "run")]
    )
    results = finetune(args, training_args)
    assert results["point_cloud_range"] == [0.0, -40.0, -3.0, 70.4, 40.0, 1.0]
    baseline = results["baseline_validation"]
    assert baseline["num_scans"] == 1 and baseline["bev_ap_Car_0.7"] == 1.0 and baseline["3d_ap_Car_0.7"] == 1.0
    assert baseline["bev_ap_Pedestrian_0.5"] is None  # no pedestrian to find
    with pytest.raises(ValueError, match="--dataset kitti needs --data_dir"):
        parse_arguments(["--dataset", "kitti", "--output_dir", str(tmp_path)])
