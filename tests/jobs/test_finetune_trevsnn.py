"""hf_spiking.jobs.finetune_trevsnn: Trainer on an image folder, vendored accuracy metric, checkpoints, resume, and a
two-process CPU run."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file
from transformers import AutoFeatureExtractor

from hf_spiking.jobs.finetune_trevsnn import finetune, load_event_splits, parse_arguments, translated


def test_vendored_accuracy_metric_loads_offline():
    import evaluate

    from hf_spiking.metrics import accuracy_metric_path

    metric = evaluate.load(accuracy_metric_path())
    assert metric.compute(predictions=[0, 1, 1, 2], references=[0, 1, 0, 2]) == {"accuracy": 0.75}
    assert metric.compute(predictions=[0, 1], references=[0, 0], normalize=False) == {"accuracy": 1}


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    """Two classes (dark and bright images) of small PNGs, 4 per class for training and 2 for validation."""
    root = tmp_path_factory.mktemp("trevsnn_images")
    rng = np.random.RandomState(0)
    for split, count in [("train", 4), ("val", 2)]:
        for label, level in [("dark", 40), ("bright", 200)]:
            (root / split / label).mkdir(parents=True)
            for i in range(count):
                pixels = np.clip(rng.randn(20, 24, 3) * 20 + level, 0, 255).astype("uint8")
                Image.fromarray(pixels).save(root / split / label / f"{i}.png")
    return root


def _args(folder, output_dir, max_steps, evaluate=True, batch_size=4):
    validation = ["--validation_dir", str(folder / "val"), "--per_device_eval_batch_size", "4"] if evaluate else []
    return [
        "--model_name_or_path", "trevsnn-test", "--train_dir", str(folder / "train"), *validation,
        "--image_size", "32", "--output_dir", str(output_dir), "--max_steps", str(max_steps),
        "--per_device_train_batch_size", str(batch_size), "--save_steps", "1", "--logging_steps", "1",
        "--report_to", "none", "--use_cpu", "true", "--disable_tqdm", "true", "--seed", "0", "--learning_rate", "1e-3",
    ]


def _weights(folder):
    return load_file(str(folder / "model.safetensors"))


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_finetune_trains_checkpoints_and_resumes_to_the_uninterrupted_weights(image_folder, tmp_path):
    # A constant schedule: the interrupted run's first half then has the same learning rates as the whole run.
    constant = ["--lr_scheduler_type", "constant"]
    uninterrupted = tmp_path / "uninterrupted"
    finetune(*parse_arguments(_args(image_folder, uninterrupted, max_steps=2) + constant))
    output_dir = tmp_path / "run"
    results = finetune(*parse_arguments(_args(image_folder, output_dir, max_steps=1) + constant))
    assert 0.0 <= results["eval_accuracy"] <= 1.0 and np.isfinite(results["train_loss"])
    assert (output_dir / "checkpoint-1" / "model.safetensors").exists()
    saved = json.loads((output_dir / "config.json").read_text())
    assert saved["id2label"] == {"0": "bright", "1": "dark"}
    assert json.loads((output_dir / "preprocessor_config.json").read_text())["crop_size"] == {"height": 32, "width": 32}
    # Resume continues from the last checkpoint instead of starting over.
    resume_args = _args(image_folder, output_dir, max_steps=2) + constant + ["--resume_from_checkpoint", "latest"]
    resumed = finetune(*parse_arguments(resume_args))
    state = json.loads((output_dir / "trainer_state.json").read_text())
    assert state["global_step"] == 2 and [h["step"] for h in state["log_history"] if "loss" in h] == [1, 2]
    assert resumed["epoch"] > 0
    _assert_same_weights(_weights(output_dir), _weights(uninterrupted))


def test_same_seed_gives_identical_weights(image_folder, tmp_path):
    runs = [tmp_path / "a", tmp_path / "b"]
    for run in runs:
        finetune(*parse_arguments(_args(image_folder, run, max_steps=1, evaluate=False) + ["--save_strategy", "no"]))
    _assert_same_weights(_weights(runs[0]), _weights(runs[1]))


def test_eval_strategy_trains_and_do_eval_alone_only_evaluates(image_folder, tmp_path):
    trained = tmp_path / "trained"
    args = _args(image_folder, trained, max_steps=2) + ["--eval_strategy", "steps", "--eval_steps", "1", "--save_strategy", "no"]
    results = finetune(*parse_arguments(args))
    state = json.loads((trained / "trainer_state.json").read_text())
    assert state["global_step"] == 2 and [h["step"] for h in state["log_history"] if "eval_loss" in h] == [1, 2]
    assert np.isfinite(results["train_loss"])
    # --do_eval alone: evaluates the saved model, trains nothing.
    evaluated = tmp_path / "evaluated"
    eval_args = _args(image_folder, evaluated, max_steps=2) + ["--do_eval", "--save_strategy", "no"]
    eval_args[eval_args.index("trevsnn-test")] = str(trained)
    only_eval = finetune(*parse_arguments(eval_args))
    assert "train_loss" not in only_eval and not (evaluated / "model.safetensors").exists()
    assert only_eval["eval_loss"] == pytest.approx(results["eval_loss"], rel=1e-5)


def test_imagenet_recipe_trains_with_lamb_agc_ema_and_augmentation(image_folder, tmp_path):
    output_dir = tmp_path / "recipe"
    # Linear lr scaling makes batch 4 tiny; a large base lr (per 1024 images) and a short warm-up let 6 steps move.
    args = _args(image_folder, output_dir, max_steps=6) + [
        "--recipe", "imagenet", "--base_learning_rate", "2.0", "--warmup_epochs", "1", "--num_train_epochs", "3",
        "--ema_decay", "0.5", "--save_strategy", "no",
    ]
    args[args.index("--max_steps") + 1] = "-1"
    job_args, training_args = parse_arguments(args)
    assert (job_args.agc_clip, job_args.rand_augment, job_args.random_erasing) == (0.02, "rand-m9-mstd0.5-inc1", 0.25)
    results = finetune(job_args, training_args)
    state = json.loads((output_dir / "trainer_state.json").read_text())
    assert state["global_step"] == 6  # 8 images, batch 4, 3 epochs
    rates = [h["learning_rate"] for h in state["log_history"] if "loss" in h]
    peak, start, end = 2.0 * 4 / 1024, 1e-5 * 4 / 1024, 1e-6 * 4 / 1024
    # The rate each step used: a linear warm-up over 2 steps (1 epoch), then a cosine over the remaining 4.
    expected = [start, (start + peak) / 2] + [end + 0.5 * (peak - end) * (1 + np.cos(np.pi * k / 4)) for k in range(4)]
    assert rates == pytest.approx(expected, rel=1e-6)
    assert np.isfinite(results["train_loss"])
    assert results["eval_best_accuracy"] == max(results["eval_accuracy"], results["eval_ema_accuracy"])
    assert (output_dir / "ema" / "model.safetensors").exists()
    ema, raw = _weights(output_dir / "ema"), _weights(output_dir)
    assert any(not torch.equal(ema[name], raw[name]) for name in raw)
    initial = _weights_of_fresh_model()
    changed = [name for name in initial if not torch.equal(initial[name], raw[name])]
    assert len(changed) > len(initial) // 2  # LAMB moved most tensors


def _weights_of_fresh_model():
    import hf_spiking
    from transformers import set_seed

    set_seed(0)
    model = hf_spiking.create_model("trevsnn-test", num_labels=2)
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


@pytest.mark.slow
def test_finetune_two_cpu_processes(image_folder, tmp_path):
    launcher = shutil.which("accelerate")
    if launcher is None:
        pytest.skip("accelerate launcher not on PATH")
    output_dir = tmp_path / "ddp"
    # Checkpoints are covered in-process above; here: BatchNorm statistics agree across the 2 processes, so the
    # in-run evaluation (each process evaluates half of the 4 validation images) is that of the saved model.
    job_args = _args(image_folder, output_dir, max_steps=2, batch_size=2) + ["--save_strategy", "no",
                                                                              "--per_device_eval_batch_size", "2"]
    command = [launcher, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--main_process_port", "29517",
               "-m", "hf_spiking.jobs.finetune_trevsnn", *job_args]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((output_dir / "all_results.json").read_text())
    assert results["world_size"] == 2 and np.isfinite(results["train_loss"])
    assert (output_dir / "model.safetensors").exists()
    reevaluated = tmp_path / "reevaluated"
    eval_args = _args(image_folder, reevaluated, max_steps=1) + ["--do_eval", "--save_strategy", "no"]
    eval_args[eval_args.index("trevsnn-test")] = str(output_dir)
    single = finetune(*parse_arguments(eval_args))
    assert single["eval_loss"] == pytest.approx(results["eval_loss"], rel=1e-5)
    assert single["eval_accuracy"] == results["eval_accuracy"]


def test_dvs_model_trains_on_event_recordings_with_a_held_out_share(tmp_path):
    rng = np.random.default_rng(0)
    labels = [i % 2 for i in range(12)]
    (tmp_path / "train1K.txt").write_text("#sample #class\n" + "".join(f"{i}\t{label}\n" for i, label in enumerate(labels)))
    for recording, label in enumerate(labels):
        x = rng.integers(0, 17, 80) + 17 * label  # class 0 fires on the left half, class 1 on the right
        events = np.stack([x, rng.integers(0, 34, 80), np.sort(rng.integers(0, 10_000, 80)), rng.integers(0, 2, 80)], 1)
        np.save(tmp_path / f"{recording}.npy", events)
    args, training_args = parse_arguments(
        ["--model_name_or_path", "trevsnn-dvs-test", "--event_dir", str(tmp_path), "--validation_fraction", "0.25",
         "--output_dir", str(tmp_path / "run"), "--max_steps", "2", "--per_device_train_batch_size", "4",
         "--eval_strategy", "no", "--save_strategy", "no", "--use_cpu", "true", "--report_to", "none"]
    )
    train, evaluation, names, _ = load_event_splits(args, num_frames=4, seed=training_args.seed)
    assert (len(train), len(evaluation), names) == (8, 4, ["0", "1"])  # 2 of each class's 6 recordings held out
    assert train[0]["pixel_values"].shape == (4, 2, 34, 34)
    results = finetune(args, training_args)
    assert 0 <= results["eval_accuracy"] <= 1

    extractor = AutoFeatureExtractor.from_pretrained(tmp_path / "run")  # saved with the model
    assert extractor.num_frames == 4 and extractor.sensor_size == (34, 34)
    with pytest.raises(ValueError, match="needs a DVS-mode model"):
        finetune(*parse_arguments(["--model_name_or_path", "trevsnn-test", "--event_dir", str(tmp_path),
                                   "--output_dir", str(tmp_path / "bad"), "--use_cpu", "true"]))


def test_translated_moves_frames_and_fills_with_zeros():
    frames = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(2, 3, 4)
    moved = translated(frames, 1, -2)
    assert torch.equal(moved[:, 1:, :2], frames[:, :2, 2:])
    assert moved[:, 0].abs().sum() == 0 and moved[:, :, 2:].abs().sum() == 0
    assert torch.equal(translated(frames, 0, 0), frames)
    assert translated(frames, 3, 0).abs().sum() == 0  # moved off the sensor entirely


def test_event_training_shift_keeps_events_and_refuses_negative_shifts(tmp_path):
    (tmp_path / "train1K.txt").write_text("".join(f"{i}\t{i % 2}\n" for i in range(4)))
    for recording in range(4):  # one event in the middle of the sensor per recording
        np.save(tmp_path / f"{recording}.npy", np.array([[17, 17, 0, 1], [17, 17, 10, 1]]))
    arguments = ["--model_name_or_path", "trevsnn-dvs-test", "--event_dir", str(tmp_path), "--output_dir",
                 str(tmp_path / "run"), "--use_cpu", "true", "--event_max_shift"]
    args, training_args = parse_arguments(arguments + ["2"])
    train, *_ = load_event_splits(args, num_frames=2, seed=0)
    torch.manual_seed(0)
    positions = {tuple(torch.nonzero(train[0]["pixel_values"].sum((0, 1)))[0].tolist()) for _ in range(40)}
    assert len(positions) > 1 and all(abs(y - 17) <= 2 and abs(x - 17) <= 2 for y, x in positions)
    assert train[0]["pixel_values"].sum() == 2  # a shift within the sensor loses no event
    with pytest.raises(ValueError, match="--event_max_shift must be a whole number of pixels >= 0, got -1"):
        finetune(*parse_arguments(arguments + ["-1"]))
