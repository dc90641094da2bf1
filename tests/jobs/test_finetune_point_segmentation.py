"""LiDAR segmentation training on coarse generated scenes and a tiny SemanticKITTI tree: a resumable smoke run whose
model the pipeline loads, the non-learned baseline, encoder initialisation, and the data helpers."""

import json
import math

import numpy as np
import pytest
import torch
from transformers import pipeline

import hf_spiking
from hf_spiking.data.kitti import write_semantickitti_labels, write_semantickitti_scan
from hf_spiking.jobs.finetune_point_segmentation import (
    augment_scan,
    collate_scans,
    finetune,
    height_above_ground,
    load_sources,
    parse_arguments,
)

# 60 columns instead of the benchmark's 1,800: about 1,500 points per scene.
SCENES = ["--dataset", "synthetic-scenes", "--num_train_scenes", "3", "--num_eval_scenes", "2",
          "--azimuth_step_degrees", "6.0"]


@pytest.fixture(scope="module")
def scene_cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("scenes"))


def _arguments(output_dir, *extra):
    return parse_arguments(
        ["--model_name_or_path", "svl-e3dsnn-seg-test", "--output_dir", str(output_dir), "--num_points", "1024",
         "--use_cpu", "true", "--logging_steps", "1", "--energy_scans", "1", *extra]
    )


def test_trains_resumes_evaluates_and_saves_a_model_the_pipeline_loads(tmp_path, scene_cache):
    output = tmp_path / "run"
    args, training_args = _arguments(output, *SCENES, "--cache_dir", scene_cache, "--max_steps", "2",
                                     "--eval_steps", "2", "--save_steps", "2", "--do_train", "--do_predict")
    results = finetune(args, training_args)
    saved = json.loads((output / "results.json").read_text())
    assert saved["train"]["train_loss"] > 0 and saved["class_names"][0] == "road"
    for split in ("validation", "test"):
        metrics = results[split]
        assert 0 <= metrics[f"{split}_miou"] <= 1 and 0 <= metrics[f"{split}_overall_accuracy"] <= 1
        assert f"{split}_iou_traffic_cone" in metrics and math.isfinite(metrics[f"{split}_loss"])
    energy = results["energy"]
    assert 0 < energy["energy_mj_per_scan"] < energy["dense_energy_mj_per_scan"]

    args, training_args = _arguments(output, *SCENES, "--cache_dir", scene_cache, "--max_steps", "3",
                                     "--eval_strategy", "no", "--save_strategy", "no", "--load_best_model_at_end",
                                     "false", "--do_train", "--resume_from_checkpoint", "latest")
    resumed = finetune(args, training_args)
    assert resumed["train"]["resumed_from_checkpoint"] == str(output / "checkpoint-2")
    assert resumed["train"]["epoch"] > results["train"]["epoch"]

    segmenter = pipeline("point-cloud-segmentation", model=str(output))
    cloud = np.random.default_rng(0).uniform(-20, 20, (300, 4)).astype(np.float32)
    assert len(segmenter(cloud)["labels"]) == 300


def test_baseline_reports_the_same_metrics_without_training(tmp_path, scene_cache):
    args, training_args = _arguments(tmp_path, *SCENES, "--cache_dir", scene_cache, "--baseline", "--do_predict")
    results = finetune(args, training_args)
    for split in ("validation", "test"):
        metrics = results[f"baseline_{split}"]
        assert metrics["num_scans"] == 2 and 0 < metrics["miou"] <= 1 and 0 < metrics["overall_accuracy"] <= 1
        assert set(metrics) >= {f"iou_{name}" for name in ("road", "building", "traffic_cone")}
    # Flat ground and buildings are the easy part: the road is found.
    assert results["baseline_validation"]["iou_road"] > 0.3
    assert not (tmp_path / "model.safetensors").exists()


@pytest.fixture
def kitti_root(tmp_path):
    """Sequences 00 (training) and 08 (validation), two scans each: a road plane (raw id 40), a car box (10) and
    unlabeled points (0)."""
    rng = np.random.default_rng(0)
    for sequence in ("00", "08"):
        for frame in range(2):
            ground = np.c_[rng.uniform(-20, 20, (400, 2)), np.full(400, -1.7), rng.uniform(0, 0.3, 400)]
            car = np.c_[rng.uniform(4, 8, (100, 1)), rng.uniform(-1, 1, (100, 1)), rng.uniform(-1.5, 0, (100, 1)),
                        rng.uniform(0.5, 1, (100, 1))]
            noise = rng.uniform(-20, 20, (20, 4))
            for folder in ("velodyne", "labels"):
                (tmp_path / "sequences" / sequence / folder).mkdir(parents=True, exist_ok=True)
            write_semantickitti_scan(tmp_path / "sequences" / sequence / "velodyne" / f"{frame:06d}.bin",
                                     np.concatenate([ground, car, noise]))
            write_semantickitti_labels(tmp_path / "sequences" / sequence / "labels" / f"{frame:06d}.label",
                                       np.r_[np.full(400, 40), np.full(100, 10), np.zeros(20, int)])
    return tmp_path


def test_semantickitti_layout_trains_with_unlabeled_points_ignored(tmp_path, kitti_root):
    kitti = ["--dataset", "semantickitti", "--data_dir", str(kitti_root), "--sequences", "00", "--eval_sequences", "08"]
    args, training_args = _arguments(tmp_path / "run", *kitti, "--max_steps", "1", "--eval_strategy", "no",
                                     "--save_strategy", "no", "--load_best_model_at_end", "false", "--do_train")
    class_names, sources = load_sources(args, do_predict=False)
    points, labels = sources["train"].load(0)
    assert len(class_names) == 19 and points.shape == (520, 4)
    assert labels.tolist() == [8] * 400 + [0] * 100 + [255] * 20  # road, car, unlabeled (ignored)
    results = finetune(args, training_args)
    assert results["validation"]["validation_iou_motorcycle"] is None  # absent from labels and predictions
    assert 0 <= results["validation"]["validation_miou"] <= 1

    args, training_args = _arguments(tmp_path / "baseline", *kitti, "--baseline")
    baseline = finetune(args, training_args)["baseline_validation"]
    assert baseline["iou_road"] > 0.9 and baseline["iou_car"] > 0.5


def test_init_from_loads_an_encoder_and_refuses_one_of_another_architecture(tmp_path, kitti_root):
    kitti = ["--dataset", "semantickitti", "--data_dir", str(kitti_root), "--sequences", "00", "--eval_sequences", "08"]
    torch.manual_seed(0)
    encoder = hf_spiking.create_model("svl-e3dsnn-test", in_channels=6, voxel_size=0.2)  # xyz + rgb input
    encoder.save_pretrained(tmp_path / "encoder")
    args, _ = _arguments(tmp_path / "run", *kitti, "--init_from", str(tmp_path / "encoder"))
    from hf_spiking.jobs.finetune_point_segmentation import build_model

    model = build_model(args, ["a", "b"], in_channels=4)
    stage = "encoder.stages.1.blocks.0.conv_pair.0.conv.weight"
    assert torch.equal(model.point_encoder.get_parameter(stage), encoder.get_parameter(stage))
    assert model.point_encoder.encoder.stem[0].conv.weight.shape[-1] == 4  # the 6-channel stem conv is new

    hf_spiking.create_model("svl-e3dsnn-test", in_channels=4, encoder_channels=(8, 32)).save_pretrained(tmp_path / "wide")
    args, _ = _arguments(tmp_path / "run", *kitti, "--init_from", str(tmp_path / "wide"))
    with pytest.raises(ValueError, match="its encoder does not fit the model's .*stages.1"):
        build_model(args, ["a", "b"], in_channels=4)


def test_augmentation_keeps_the_scan_rigid_up_to_one_scale():
    xyz = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32) * 10
    moved = augment_scan(xyz, np.random.default_rng(1))
    scale = moved[:, 2] / xyz[:, 2]
    assert np.allclose(scale, scale[0], rtol=1e-4) and 0.95 <= scale[0] <= 1.05
    assert np.allclose(np.linalg.norm(moved[:, :2], axis=1), scale[0] * np.linalg.norm(xyz[:, :2], axis=1), rtol=1e-4)


def test_collate_pads_shorter_scans_with_ignored_repeats():
    items = [{"point_values": torch.ones(3, 4), "labels": torch.tensor([1, 2, 3])},
             {"point_values": torch.zeros(5, 4), "labels": torch.zeros(5, dtype=torch.long)}]
    batch = collate_scans(items)
    assert batch["point_values"].shape == (2, 5, 4) and batch["labels"][0].tolist() == [1, 2, 3, 255, 255]


def test_height_above_ground_recovers_a_tilted_ground_plane():
    rng = np.random.default_rng(0)
    ground = np.c_[rng.uniform(-30, 30, (500, 2)), np.zeros(500)]
    ground[:, 2] = 0.02 * ground[:, 0] - 0.01 * ground[:, 1] - 1.7
    objects = ground[:100] + [0, 0, 2.0]
    height = height_above_ground(np.concatenate([ground, objects]))
    assert np.allclose(height[:500], 0, atol=1e-6) and np.allclose(height[500:], 2.0, atol=1e-6)
