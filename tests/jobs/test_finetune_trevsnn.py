"""hf_spiking.jobs.finetune_trevsnn: Trainer on an image folder, vendored accuracy metric, checkpoints, resume, and a
two-process CPU run."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from hf_spiking.jobs.finetune_trevsnn import finetune, parse_arguments


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


def test_finetune_trains_checkpoints_and_resumes(image_folder, tmp_path):
    output_dir = tmp_path / "run"
    results = finetune(*parse_arguments(_args(image_folder, output_dir, max_steps=1)))
    assert 0.0 <= results["eval_accuracy"] <= 1.0 and np.isfinite(results["train_loss"])
    assert (output_dir / "checkpoint-1" / "model.safetensors").exists()
    saved = json.loads((output_dir / "config.json").read_text())
    assert saved["id2label"] == {"0": "bright", "1": "dark"}
    assert json.loads((output_dir / "preprocessor_config.json").read_text())["crop_size"] == {"height": 32, "width": 32}
    # Resume continues from the last checkpoint instead of starting over.
    resume_args = _args(image_folder, output_dir, max_steps=2) + ["--resume_from_checkpoint", "latest"]
    resumed = finetune(*parse_arguments(resume_args))
    state = json.loads((output_dir / "trainer_state.json").read_text())
    assert state["global_step"] == 2 and [h["step"] for h in state["log_history"] if "loss" in h] == [1, 2]
    assert resumed["epoch"] > 0


@pytest.mark.slow
def test_finetune_two_cpu_processes(image_folder, tmp_path):
    launcher = shutil.which("accelerate")
    if launcher is None:
        pytest.skip("accelerate launcher not on PATH")
    output_dir = tmp_path / "ddp"
    # Training only (evaluation, metric and checkpoints are covered in-process above): each process's startup
    # dominates the runtime, and the metric's `evaluate` import is the slowest part of it.
    job_args = _args(image_folder, output_dir, max_steps=1, evaluate=False, batch_size=2) + ["--save_strategy", "no"]
    command = [launcher, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1", "--main_process_port", "29517",
               "-m", "hf_spiking.jobs.finetune_trevsnn", *job_args]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    results = json.loads((output_dir / "all_results.json").read_text())
    assert results["world_size"] == 2 and np.isfinite(results["train_loss"])
    assert (output_dir / "model.safetensors").exists()
