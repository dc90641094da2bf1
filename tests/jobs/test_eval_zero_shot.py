"""hf_spiking.jobs.eval_zero_shot: metrics and the loaders of every supported dataset on tiny folders in the released
formats, end to end with a tiny checkpoint and the real all-MiniLM-L6-v2 teacher."""

import json

import numpy as np
import pytest
import torch

import hf_spiking
from hf_spiking.jobs import eval_zero_shot
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification


def test_accuracy_metrics_match_hand_counts():
    logits = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1], [0.1, 0.2, 0.7]])
    labels = torch.tensor([0, 1, 1, 0])
    metrics = eval_zero_shot.accuracy_metrics(logits, labels, num_classes=3)
    assert metrics["top1"] == pytest.approx(50.0)  # rows 0 and 1
    assert metrics["top5"] == pytest.approx(100.0)  # K = 3 < 5: every label is in the top 3
    assert metrics["mean_per_class"] == pytest.approx(50.0)  # class 0: 1/2, class 1: 1/2 (class 2 absent)
    with pytest.raises(ValueError, match="one row of logits per label"):
        eval_zero_shot.accuracy_metrics(logits[:2], labels, 3)


def _box_off(size) -> str:
    vertices = [[x * size[0], y * size[1], z * size[2]] for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    lines = [f"OFF\n8 {len(quads)} 0"] + [" ".join(map(str, v)) for v in vertices] + [f"4 {' '.join(map(str, q))}" for q in quads]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_ckpt")
    config = hf_spiking.get_config("svl-pointformer-test", prompt_templates=("a {}.", "a 3D model of a {}."))
    SpikingPointEncoderForZeroShotClassification(config).eval().save_pretrained(folder)
    return folder


def _run(tiny_checkpoint, tmp_path, *args):
    output = tmp_path / "metrics.json"
    code = eval_zero_shot.main(
        ["--checkpoint", str(tiny_checkpoint), "--num-points", "64", "--source-points", "128", "--threads", "1",
         "--output", str(output), *args]
    )
    assert code == 0
    return json.loads(output.read_text())


def test_modelnet40_off_folder(tiny_checkpoint, tmp_path):
    root = tmp_path / "ModelNet40"
    for name, size in (("chair", (1, 1, 2)), ("airplane", (4, 1, 0.5)), ("vase", (1, 1, 3))):
        for split in ("train", "test"):
            (root / name / split).mkdir(parents=True)
            for index in range(2 if split == "test" else 1):
                (root / name / split / f"{name}_{index:04d}.off").write_text(_box_off(size))
    metrics = _run(tiny_checkpoint, tmp_path, "--dataset", "modelnet40", "--data-dir", str(root), "--energy")
    assert metrics["num_samples"] == 6 and metrics["num_classes"] == 40  # ModelNet40 class list
    assert 0.0 <= metrics["top1"] <= metrics["top5"] <= 100.0
    assert (metrics["top5"] * 6 / 100) == pytest.approx(round(metrics["top5"] * 6 / 100))  # whole clouds of 6
    assert metrics["templates"] == ["a {}.", "a 3D model of a {}."] and not metrics["folded_head"]
    assert metrics["energy"]["total_energy_mj"] > 0


def test_openshape_modelnet40_and_scanobjectnn_files(tiny_checkpoint, tmp_path):
    generator = np.random.default_rng(0)
    meta = tmp_path / "meta_data"
    (meta / "modelnet40").mkdir(parents=True)
    split = [{"name": f"shape_{i}", "category": category} for i, category in enumerate(["chair", "lamp", "chair"])]
    (meta / "modelnet40" / "test_split.json").write_text(json.dumps(split))
    clouds = np.empty(3, dtype=object)
    for i in range(3):
        clouds[i] = {"xyz": generator.random((200, 3)), "rgb": generator.integers(0, 256, (200, 3))}
    np.save(meta / "modelnet40" / "test_pc.npy", clouds, allow_pickle=True)
    metrics = _run(tiny_checkpoint, tmp_path, "--dataset", "openshape-modelnet40", "--data-dir", str(meta), "--allow-pickle")
    assert metrics["num_samples"] == 3 and metrics["num_classes"] == 40

    (meta / "scanobjectnn").mkdir()
    data = {"xyz": [generator.random((150, 3)) for _ in range(2)], "label": [0, 5]}
    np.save(meta / "scanobjectnn" / "xyz_label.npy", np.array(data, dtype=object), allow_pickle=True)
    metrics = _run(tiny_checkpoint, tmp_path, "--dataset", "openshape-scanobjectnn", "--data-dir", str(meta), "--allow-pickle")
    assert metrics["num_samples"] == 2 and metrics["num_classes"] == 15


def test_pickled_files_need_explicit_trust(tiny_checkpoint, tmp_path, capsys):
    meta = tmp_path / "meta_data" / "modelnet40"
    meta.mkdir(parents=True)
    (meta / "test_split.json").write_text(json.dumps([{"name": "a", "category": "chair"}]))
    np.save(meta / "test_pc.npy", np.array([{"xyz": np.zeros((4, 3))}], dtype=object), allow_pickle=True)
    code = eval_zero_shot.main(
        ["--checkpoint", str(tiny_checkpoint), "--dataset", "openshape-modelnet40", "--data-dir", str(meta.parent)]
    )
    assert code == 2 and "allow_pickle" in capsys.readouterr().err


def test_predictions_are_written_per_batch_and_a_rerun_resumes(tiny_checkpoint, tmp_path, monkeypatch):
    args = ["--dataset", "synthetic", "--num-per-category", "1", "--batch-size", "8", "--limit", "20"]
    clean = _run(tiny_checkpoint, tmp_path, *args)
    predictions = tmp_path / f"metrics.{tiny_checkpoint.name}.jsonl"
    lines = predictions.read_text().splitlines()
    assert len(lines) == 1 + 3 and json.loads(lines[0])["num_samples"] == 20  # header + batches of 8, 8, 4
    assert [json.loads(line)["start"] for line in lines[1:]] == [0, 8, 16]

    # A crash after the first batch, mid-way through writing the second line.
    predictions.write_text("\n".join(lines[:2]) + "\n" + lines[2][:30])
    scored = []
    original = eval_zero_shot.zero_shot_logits
    monkeypatch.setattr(
        eval_zero_shot, "zero_shot_logits", lambda *a, **k: scored.append(a[-1].shape[0]) or original(*a, **k)
    )
    resumed = _run(tiny_checkpoint, tmp_path, *args)
    assert scored == [8, 4]  # only the batches not yet on file
    assert {k: v for k, v in resumed.items() if k != "seconds"} == {k: v for k, v in clean.items() if k != "seconds"}
    assert predictions.read_text().splitlines() == lines

    # Another run's file is started afresh, never mixed in.
    scored.clear()
    _run(tiny_checkpoint, tmp_path, *args[:-1], "12")
    assert scored == [8, 4] and json.loads(predictions.read_text().splitlines()[0])["num_samples"] == 12
