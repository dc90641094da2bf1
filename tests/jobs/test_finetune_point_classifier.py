"""Point-cloud classification fine-tuning on tiny trees in the real layouts (ModelNet40 .npy, N-MNIST-style events)."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoFeatureExtractor

import hf_spiking
from hf_spiking.jobs.finetune_point_classifier import (
    PointCloudSplit,
    augment_xyz,
    finetune,
    load_event_clouds,
    parse_arguments,
)
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForPointCloudClassification

CLASSES = ("airplane", "chair", "lamp")


def _blob(rng, label: int, count: int = 128) -> np.ndarray:
    """A class-dependent shape: a line (airplane), a plane (chair) or a ball (lamp), plus noise."""
    points = rng.normal(size=(count, 3)) * 0.05
    points[:, label] += np.linspace(-1, 1, count)
    if label:
        points[:, 0] += rng.uniform(-1, 1, count)
    return points.astype(np.float32)


@pytest.fixture
def modelnet_npy(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "ModelNet40"
    for name in CLASSES:
        label = CLASSES.index(name)
        for split, count in (("train", 10), ("test", 4)):
            folder = root / name / split
            folder.mkdir(parents=True)
            for index in range(count):
                np.save(folder / f"{name}_{index:04d}.npy", _blob(rng, label))
    return root


def _arguments(tmp_path, data_dir, *extra):
    return parse_arguments(
        ["--model_name_or_path", "svl-pointformer-test", "--dataset", "modelnet40-npy", "--data_dir", str(data_dir),
         "--output_dir", str(tmp_path / "run"), "--num_points", "64", "--max_steps", "4",
         "--per_device_train_batch_size", "4", "--use_cpu", "true", "--save_strategy", "no",
         "--eval_strategy", "no", "--load_best_model_at_end", "false", "--do_train", *extra]
    )


def test_trains_saves_a_loadable_classifier_and_reports_validation_and_test_once(tmp_path, modelnet_npy):
    args, training_args = _arguments(tmp_path, modelnet_npy, "--do_predict", "--votes", "2", "--energy_samples", "4")
    results = finetune(args, training_args)
    assert results["validation"]["num_samples"] == 3  # a stratified 10% (at least one per class) of 30 train files
    assert results["test"]["num_samples"] == 12 and results["test"]["votes"] == 2
    low, high = results["test"]["accuracy_95ci"]
    assert 0 <= low <= results["test"]["accuracy"] <= high <= 100
    assert 0 < results["test"]["energy_mj_per_sample"] < results["test"]["dense_energy_mj_per_sample"]
    assert results["test"]["energy_mj_per_sample"] == pytest.approx(2 * results["test"]["energy_mj_per_forward"])
    assert json.loads((tmp_path / "run" / "results.json").read_text())["test"] == results["test"]
    per_class = results["test"]["per_class"]
    assert list(per_class) == list(CLASSES) and sum(per_class.values()) / 3 == pytest.approx(results["test"]["mean_per_class"])
    card = (tmp_path / "run" / "README.md").read_text()
    assert f"Test OA **{results['test']['accuracy']:.2f}%**" in card and "academic use" in card

    model = SpikingPointEncoderForPointCloudClassification.from_pretrained(tmp_path / "run")
    assert model.config.num_labels == 40 and model.config.in_channels == 6  # the official 40 labels, alphabetical
    assert (model.config.id2label[0], model.config.id2label[8], model.config.id2label[19]) == CLASSES
    extractor = AutoFeatureExtractor.from_pretrained(tmp_path / "run")
    assert extractor.num_points == 64 and extractor.sampling == "random"
    assert extractor.use_color and not extractor.use_input_color  # trained on grey clouds: real colours are replaced
    # the same preprocessing in the config, for use without the extractor
    assert (model.config.num_points, model.config.point_sampling) == (64, "random")


def test_validation_fraction_zero_trains_on_every_training_file_and_refuses_best_model_selection(tmp_path, modelnet_npy):
    args, training_args = _arguments(tmp_path, modelnet_npy, "--validation_fraction", "0", "--do_predict",
                                     "--energy_samples", "4")
    results = finetune(args, training_args)
    assert "validation" not in results and results["test"]["num_samples"] == 12
    assert results["train"]["train_samples_per_second"] > 0
    assert "final checkpoint, chosen by nothing" in (tmp_path / "run" / "README.md").read_text()

    args, training_args = _arguments(tmp_path, modelnet_npy, "--validation_fraction", "0", "--eval_strategy", "steps",
                                     "--eval_steps", "2")
    with pytest.raises(ValueError, match="--validation_fraction 0 leaves nothing to evaluate.*--eval_strategy steps"):
        finetune(args, training_args)
    with pytest.raises(ValueError, match=r"--validation_fraction must lie in \[0, 1\), got 1.0"):
        _arguments(tmp_path, modelnet_npy, "--validation_fraction", "1")


def test_evaluation_votes_draw_their_own_points_reproducibly():
    cloud = np.arange(40 * 4, dtype=np.float32).reshape(40, 4)
    split = PointCloudSplit([(cloud, 3)], [0], num_points=8, train=False, rotate=False, seed=0)
    first, again, second_vote = split[0], split.draw(0), split.draw(0, vote=1)
    assert torch.equal(first["point_values"], again["point_values"]) and first["labels"] == 3
    assert torch.equal(second_vote["point_values"], split.draw(0, vote=1)["point_values"])
    assert not torch.equal(first["point_values"], second_vote["point_values"])


def test_identical_runs_give_identical_weights(tmp_path, modelnet_npy):
    weights = []
    for run in ("a", "b"):
        args, training_args = _arguments(tmp_path / run, modelnet_npy)
        finetune(args, training_args)
        weights.append(load_file(tmp_path / run / "run" / "model.safetensors"))
    assert weights[0].keys() == weights[1].keys()
    for key in weights[0]:
        torch.testing.assert_close(weights[0][key], weights[1][key], rtol=0, atol=0)


def test_a_saved_encoder_is_loaded_unless_from_scratch(tmp_path, modelnet_npy):
    torch.manual_seed(1)
    encoder = hf_spiking.create_model("svl-pointformer-test")
    encoder.save_pretrained(tmp_path / "encoder")
    for from_scratch in (False, True):
        extra = ["--from_scratch", "true"] if from_scratch else []
        args, training_args = _arguments(tmp_path / str(from_scratch), modelnet_npy, "--max_steps", "1", *extra)
        args.model_name_or_path = str(tmp_path / "encoder")
        training_args.learning_rate = 0.0  # keep the initial weights to compare them
        finetune(args, training_args)
        saved = load_file(tmp_path / str(from_scratch) / "run" / "model.safetensors")
        reference = encoder.state_dict()["encoder.tokenizer.first_conv.weight"]
        same = torch.equal(saved["point_encoder.encoder.tokenizer.first_conv.weight"], reference)
        assert same is not from_scratch


def test_a_folder_with_another_label_set_gets_a_new_head_and_config_overrides_apply(tmp_path, modelnet_npy):
    torch.manual_seed(1)
    config = hf_spiking.get_config("svl-pointformer-test", num_labels=5)
    SpikingPointEncoderForPointCloudClassification(config).save_pretrained(tmp_path / "five")
    args, training_args = _arguments(tmp_path, modelnet_npy, "--max_steps", "1", "--config_overrides", "num_groups=8")
    args.model_name_or_path = str(tmp_path / "five")
    finetune(args, training_args)
    model = SpikingPointEncoderForPointCloudClassification.from_pretrained(tmp_path / "run")
    assert model.config.num_labels == 40 and model.config.num_groups == 8
    assert model.classifier.weight.shape[0] == 40

def _nmnist_event_bytes(rng, digit: int, count: int = 60) -> bytes:
    out = bytearray()
    for t in np.sort(rng.integers(0, 300_000, count)):
        x, y = (digit * 10 + rng.integers(0, 5)) % 34, rng.integers(0, 34)
        out += bytes([x, y, (int(rng.integers(0, 2)) << 7) | (int(t) >> 16), (int(t) >> 8) & 0xFF, int(t) & 0xFF])
    return bytes(out)


def test_event_recordings_become_event_clouds_with_their_labels(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "NMNISTsmall"
    root.mkdir()
    (root / "train1K.txt").write_text("#sample #class\n" + "".join(f"{i}\t{i % 3}\n" for i in range(1, 13)))
    (root / "test100.txt").write_text("#sample #class\n60001\t2\n60002\t0\n")
    for recording in [*range(1, 13), 60001, 60002]:
        label = recording % 3 if recording < 60000 else {60001: 2, 60002: 0}[recording]
        (root / f"{recording}.bs2").write_bytes(_nmnist_event_bytes(rng, label))
    train = load_event_clouds(root, "train1K.txt", (34, 34))
    points, label = train[3]
    assert len(train) == 12 and label == 4 % 3 and points.shape == (60, 4)
    assert points.min() >= -1 and points.max() <= 1 and set(np.unique(points[:, 3])) <= {-1.0, 1.0}
    args, training_args = parse_arguments(
        ["--model_name_or_path", "svl-pointformer-test", "--dataset", "events", "--data_dir", str(root),
         "--output_dir", str(tmp_path / "run"), "--num_points", "32", "--max_steps", "2", "--use_cpu", "true",
         "--save_strategy", "no", "--eval_strategy", "no", "--load_best_model_at_end", "false", "--do_train",
         "--do_predict", "--energy_samples", "2"]
    )
    results = finetune(args, training_args)
    assert results["test"]["num_samples"] == 2 and results["validation"]["num_samples"] == 3
    assert SpikingPointEncoderForPointCloudClassification.from_pretrained(tmp_path / "run").config.in_channels == 4


def test_augmentation_keeps_the_point_count_and_bounds_the_scale():
    rng = np.random.default_rng(0)
    xyz = np.random.default_rng(1).uniform(-1, 1, (256, 3)).astype(np.float32)
    augmented = augment_xyz(xyz.copy(), rng, rotate=False)
    assert augmented.shape == xyz.shape and augmented.dtype == np.float32
    kept = ~np.all(augmented == augmented[0], axis=1)
    ratio = (augmented[kept] - augmented[kept].mean(0)).std(0) / (xyz[kept] - xyz[kept].mean(0)).std(0)
    assert np.all((ratio > 2 / 3 - 0.05) & (ratio < 3 / 2 + 0.05))
    rotated = augment_xyz(xyz.copy(), np.random.default_rng(0), rotate=True)
    assert rotated.shape == xyz.shape
