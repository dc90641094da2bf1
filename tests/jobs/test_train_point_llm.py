"""hf-spiking train-point-llm: the alignment stage trains the projector only; the instruction stage with LoRA saves a
plain, merged model."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import hf_spiking
from hf_spiking.jobs import train_point_llm as job
from hf_spiking.models.spiking_point_llm.presets import point_qa_test_processor


@pytest.fixture(scope="module")
def model_and_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("point_llm")
    torch.manual_seed(0)
    model = hf_spiking.create_model("svl-qa-pointformer-test")
    model.save_pretrained(root / "model")
    point_qa_test_processor(model.config).save_pretrained(root / "model")
    rng = np.random.default_rng(0)
    (root / "clouds").mkdir()
    rows = []
    for index, (question, answer) in enumerate([("what colour is it?", "red"), ("describe this object.", "a red chair"),
                                                ("what is it?", "chair"), ("how many legs does it have?", "four")]):
        np.save(root / "clouds" / f"{index}.npy", rng.random((200, 6), dtype=np.float32))
        rows.append({"point_cloud": f"clouds/{index}.npy", "question": question, "answer": answer})
    (root / "data.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return root


def _weights(folder):
    return load_file(folder / "model.safetensors")


def _changed(before, after, prefix):
    keys = [key for key in before if key.startswith(prefix)]
    assert keys
    return [key for key in keys if not torch.equal(before[key], after[key])]


def test_alignment_stage_trains_only_the_projector(model_and_data):
    root = model_and_data
    job.main(["--model", str(root / "model"), "--data", str(root / "data.jsonl"), "--stage", "alignment",
              "--output_dir", str(root / "aligned"), "--max_steps", "2", "--per_device_train_batch_size", "2",
              "--learning_rate", "1e-2", "--use_cpu", "true"])
    before, after = _weights(root / "model"), _weights(root / "aligned")
    assert _changed(before, after, "projector.")
    assert not _changed(before, after, "language_model.")
    assert not _changed(before, after, "point_encoder.")
    assert (root / "aligned" / "processor_config.json").is_file()


def test_instruction_stage_with_lora_saves_a_merged_plain_model(model_and_data):
    root = model_and_data
    job.main(["--model", str(root / "model"), "--data", str(root / "data.jsonl"), "--stage", "instruction",
              "--lora_rank", "2", "--output_dir", str(root / "lora"), "--max_steps", "2",
              "--per_device_train_batch_size", "2", "--learning_rate", "1e-2", "--use_cpu", "true"])
    before, after = _weights(root / "model"), _weights(root / "lora")
    assert set(after) == set(before)  # no adapter tensors: merged
    assert _changed(before, after, "language_model.model.layers.0.self_attn.q_proj")
    assert _changed(before, after, "projector.")
    assert not _changed(before, after, "point_encoder.")


def test_bad_stage_arguments_are_refused():
    with pytest.raises(ValueError, match="--stage must be one of"):
        job.TrainPointLLMArguments(model="m", data="d.jsonl", stage="pretraining")
    with pytest.raises(ValueError, match="--lora_rank must be 0, or positive with --stage instruction"):
        job.TrainPointLLMArguments(model="m", data="d.jsonl", stage="alignment", lora_rank=4)


@pytest.mark.slow
def test_alignment_stage_under_accelerate_launch_with_two_processes(model_and_data, tmp_path):
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = model_and_data
    # accelerate's torchrun launcher (`--multi_gpu`) needs no GPU: Trainer's use_cpu then runs MULTI_CPU with gloo.
    command = [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines",
        "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(port),
        "-m", "hf_spiking.jobs.train_point_llm", "--model", str(root / "model"), "--data", str(root / "data.jsonl"),
        "--stage", "alignment", "--output_dir", str(tmp_path / "out"), "--max_steps", "2",
        "--per_device_train_batch_size", "1", "--learning_rate", "1e-2", "--use_cpu", "true",
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    before, after = _weights(root / "model"), _weights(tmp_path / "out")
    assert _changed(before, after, "projector.")
    assert not _changed(before, after, "language_model.")
