"""hf_spiking.jobs.train_lvc on tiny video-text pairs (with the former script's flags)."""

import json

import pytest
import torch
from safetensors.torch import load_file

from hf_spiking.jobs.train_lvc import parse_arguments, train

from ..models.lvc.testing_utils import save_tiny_lvc, write_video


def run_job(argv):
    return train(*parse_arguments(argv))


@pytest.fixture
def lvc_folder(tmp_path):
    return save_tiny_lvc(tmp_path / "lvc", num_frames=4, window_size=2)


def test_train_updates_only_the_projector(lvc_folder, tmp_path):
    for index in range(2):
        write_video(tmp_path / f"pair{index}.mp4", num_frames=8)
    pairs = [{"video": f"pair{i}.mp4", "question": "what is the cat doing ?", "answer": "the cat jumps"} for i in (0, 1)]
    (tmp_path / "pairs.json").write_text(json.dumps(pairs))
    run_job(["--model", str(lvc_folder), "--data", str(tmp_path / "pairs.json"), "--output-dir",
                 str(tmp_path / "out"), "--max-steps", "2", "--batch-size", "2", "--learning-rate", "0.01"])
    before, after = load_file(lvc_folder / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    assert before.keys() == after.keys()
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    assert changed and all("multi_modal_projector" in name for name in changed)
    assert (tmp_path / "out" / "processor_config.json").is_file()
