"""MTA pretraining on OpenShape-format data with precomputed teacher features: the shipped recipes mirror the official
configs, the schedule is SVL's, and a toy run trains in one process and under `accelerate launch` with two CPU
processes (gloo) on a tiny corpus in the released layout."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from hf_spiking.jobs import pretrain_svl_openshape as job
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForPreTraining

from ..data.openshape_fixture import write_openshape_corpus
from ..models.spiking_point_encoder.test_accelerate import free_port

TOY_ARGUMENTS = [
    "--preset", "svl-pointformer-test", "--config_overrides", '{"text_embed_dim": 32, "image_embed_dim": 32}',
    "--num_points", "32", "--per_device_train_batch_size", "4", "--dataloader_num_workers", "0",
    "--save_strategy", "no", "--logging_steps", "1", "--use_cpu", "--threads", "1", "--allow_pickle",
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("openshape")
    write_openshape_corpus(root, num_shapes=16, num_points=64, dim=32)
    return root


@pytest.fixture(scope="module")
def toy_recipe(tmp_path_factory):
    """The E-3DSNN-H recipe with a one-epoch warm-up (toy runs are a few epochs long)."""
    recipe = job.load_recipe("svl-e3dsnn-h-openshape")
    recipe["schedule"]["warmup_epochs"] = 1
    path = tmp_path_factory.mktemp("recipe") / "toy.json"
    path.write_text(json.dumps(recipe))
    return path


def test_shipped_recipes_mirror_the_official_configs(tmp_path):
    args, training_args, recipe = job.parse_arguments(["--openshape_root", str(tmp_path), "--output_dir", str(tmp_path)])
    assert recipe["preset"] == "svl-e3dsnn-h" and recipe["data"]["num_points"] == 10000
    assert recipe["data"]["split"] == "train_all" and recipe["data"]["color_drop"] == 0.5
    assert (training_args.learning_rate, training_args.weight_decay, training_args.num_train_epochs) == (2e-3, 1e-4, 250)
    assert (training_args.adam_beta1, training_args.adam_beta2, training_args.per_device_train_batch_size) == (0.9, 0.98, 128)
    _, bert_args, bert = job.parse_arguments(
        ["--openshape_root", "x", "--output_dir", "y", "--recipe", "svl-pointformer-l-openshape", "--learning_rate", "1e-3"]
    )
    assert bert["preset"] == "svl-pointformer-l" and bert["data"]["num_points"] == 8192
    assert bert_args.weight_decay == 0.1 and bert_args.learning_rate == 1e-3  # the command line overrides the recipe
    with pytest.raises(ValueError, match="neither a shipped recipe"):
        job.parse_arguments(["--openshape_root", "x", "--output_dir", "y", "--recipe", "no-such-recipe"])


def test_schedule_warms_up_linearly_then_follows_a_cosine():
    lrs = job.warmup_cosine_factors(total_steps=10, warmup_steps=4, base_lr=2e-3, start_lr=1e-6, final_lr=1e-5) * 2e-3
    np.testing.assert_allclose(lrs[:4], np.linspace(1e-6, 2e-3, 4))
    np.testing.assert_allclose(lrs[4], 2e-3)  # cosine start
    np.testing.assert_allclose(lrs[7], 1e-5 + 0.5 * (2e-3 - 1e-5) * (1 + math.cos(math.pi * 3 / 6)))
    assert lrs[-1] > 1e-5 and np.all(np.diff(lrs[4:]) < 0)


def test_toy_run_in_one_process_saves_a_loadable_model(corpus, toy_recipe, tmp_path):
    argv = ["--openshape_root", str(corpus), "--output_dir", str(tmp_path), "--recipe", str(toy_recipe),
            "--num_train_epochs", "2", *TOY_ARGUMENTS]
    summary = job.pretrain(*job.parse_arguments(argv))
    assert summary["world_size"] == 1 and summary["steps"] == 8  # 16 shapes / batch 4 x 2 epochs
    assert len(summary["loss_curve"]) == 8 and all(math.isfinite(e["loss"]) for e in summary["loss_curve"])
    assert summary["loss_curve"][0]["learning_rate"] == pytest.approx(1e-6)  # warm-up starts at the recipe's 1e-6
    model = SpikingPointEncoderForPreTraining.from_pretrained(tmp_path)
    assert model.text_proj.in_features == 32
    assert json.loads((tmp_path / "preprocessor_config.json").read_text())["num_points"] == 32


@pytest.mark.slow
@pytest.mark.parametrize("streaming", [False, True], ids=["map-style", "streamed"])
def test_toy_run_under_accelerate_launch_with_two_processes(corpus, toy_recipe, tmp_path, streaming):
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines",
        "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
        "-m", "hf_spiking.jobs.pretrain_svl_openshape", "--openshape_root", str(corpus), "--output_dir", str(tmp_path),
        "--recipe", str(toy_recipe), "--num_train_epochs", "4", *TOY_ARGUMENTS,
        *(["--streaming", "--num_shards", "4"] if streaming else []),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    summary = json.loads((tmp_path / "training_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["global_batch"] == 8
    losses = [entry["loss"] for entry in summary["loss_curve"]]
    assert summary["steps"] == len(losses) == 8  # 16 shapes / (2 processes x 4) x 4 epochs
    assert all(math.isfinite(loss) and loss > 0 for loss in losses)
    print(f"{'streamed' if streaming else 'map-style'} 2-process loss curve:", [round(loss, 4) for loss in losses])
    model = SpikingPointEncoderForPreTraining.from_pretrained(tmp_path)
    assert torch.isfinite(model.logit_scale)
