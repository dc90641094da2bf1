"""MTA pretraining with Trainer under `accelerate launch`: two CPU processes (MULTI_CPU, gloo), precomputed teacher
embeddings, InfoNCE negatives gathered across processes, evaluation loss reported without labels."""

import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("accelerate_driver.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_mta_pretraining_under_accelerate_launch_gathers_negatives(tmp_path):
    # accelerate 1.15 starts several CPU processes through its torchrun launcher (`--multi_gpu`, which needs no GPU:
    # the Trainer's `use_cpu=True` then selects MULTI_CPU with gloo) or through mpirun; `--cpu --num_processes 2`
    # starts a single process.
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines",
        "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
        str(DRIVER), str(tmp_path),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]

    ranks = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in range(2)]
    for rank in ranks:
        assert rank["world_size"] == 2
        assert rank["distributed_type"] == "DistributedType.MULTI_CPU" and rank["backend"] == "gloo"
        # Every training step's InfoNCE saw the global batch: both processes' rows.
        assert rank["train_info_nce_rows"] == [2 * rank["per_process_batch"]] * 2
        assert math.isfinite(rank["eval_loss"]) and rank["eval_loss"] > 0
    assert ranks[0]["eval_loss"] == ranks[1]["eval_loss"]  # one loss over the gathered evaluation set
