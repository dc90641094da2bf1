"""The shipped svl-default checkpoint: offline loading (pipeline, create_model), its folded vocabulary, the bundled
samples it classifies, the demo and the zero-shot command."""

import json

import numpy as np
import pytest
import torch
from transformers import pipeline

import hf_spiking
from hf_spiking.assets import default_model_path, sample_clouds_dir
from hf_spiking.cli import main as cli_main
from hf_spiking.data.synthetic_shapes import category_names
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification


@pytest.fixture(scope="module")
def classifier():
    torch.set_num_threads(2)
    return pipeline("zero-shot-3d-classification", model=str(default_model_path()))


def test_checkpoint_files_and_size():
    folder = default_model_path()
    for name in ("config.json", "model.safetensors", "preprocessor_config.json", "README.md"):
        assert (folder / name).is_file(), name
    assert (folder / "model.safetensors").stat().st_size <= 10 * 2**20
    config = json.loads((folder / "config.json").read_text())
    assert config["rep_vli_fold"] == "classifier" and config["spike_activation"] == "multispike"
    labels = set(config["id2label"].values())
    # Folded over the categories it was trained on (recorded by its training run) and a general vocabulary.
    trained_on = json.loads((folder / "training_summary.json").read_text())["training_categories"]
    assert set(trained_on) <= set(category_names())
    assert set(trained_on) <= labels and len(labels) >= len(trained_on) + 20


def test_create_model_pretrained_equals_the_pipeline_model(classifier):
    model = hf_spiking.create_model("svl-default", pretrained=True)
    assert isinstance(model, SpikingPointEncoderForZeroShotClassification)
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, classifier.model.state_dict()[key])
    with pytest.raises(ValueError, match="has no shipped weights"):
        hf_spiking.create_model("svl-pointformer-test", pretrained=True)


def test_bundled_samples_are_classified(classifier):
    samples = sorted(sample_clouds_dir().glob("*.npy"))
    assert len(samples) >= 6
    predictions = classifier([str(path) for path in samples], top_k=3)
    correct = sum(p[0]["label"] == path.stem.replace("_", " ") for p, path in zip(predictions, samples))
    assert correct >= len(samples) - 1, [p[0]["label"] for p in predictions]
    scores = [s["score"] for s in predictions[0]]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1


def test_candidate_labels_from_the_folded_vocabulary_need_no_text_encoder(classifier):
    cloud = np.load(sample_clouds_dir() / "mug.npy")
    result = classifier(cloud, candidate_labels=["mug", "airplane", "tree"])
    assert [r["label"] for r in result][0] == "mug" and sum(r["score"] for r in result) == pytest.approx(1.0)


def test_demo_prints_label_score_alternatives_and_energy(capsys):
    assert cli_main(["demo"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if " mJ " in line]
    assert len(rows) == len(list(sample_clouds_dir().glob("*.npy")))
    assert any(line.split()[0] == "airplane" and "airplane" in line.split()[1:3] for line in rows)
    assert "samples classified as their true category" in out


def test_zero_shot_command_with_new_labels_and_bad_files(tmp_path, capsys):
    assert cli_main(["zero-shot", str(sample_clouds_dir() / "chair.npy"), "--labels", "chair,spaceship,banana"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chair.npy: chair") and "estimated energy" in out
    assert cli_main(["zero-shot", str(tmp_path / "missing.npy")]) == 2
    assert "does not exist" in capsys.readouterr().err
    broken = tmp_path / "broken.npy"
    broken.write_bytes(b"not a numpy file")
    assert cli_main(["zero-shot", str(broken)]) == 2
    assert "Could not read point-cloud file" in capsys.readouterr().err
