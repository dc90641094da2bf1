"""hf_spiking.jobs.eval_zero_shot: metrics and the loaders of every supported dataset on tiny folders in the released
formats, end to end with a tiny checkpoint and the real all-MiniLM-L6-v2 teacher."""

import json
import logging
import re
import shlex
import shutil

import numpy as np
import pytest
import torch

import hf_spiking
from hf_spiking.console import show_info_logs
from hf_spiking.data.modelnet import MODELNET40_CLASSES
from hf_spiking.data.synthetic_shapes import category_names
from hf_spiking.jobs import eval_zero_shot, pretrain_svl
from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification
from hf_spiking.models.spiking_point_encoder.modeling_spiking_point_encoder import prompt_ensemble_embeddings
from hf_spiking.models.spiking_point_encoder.zero_shot import class_prompt_features, load_text_teacher, zero_shot_logits


def test_accuracy_metrics_match_hand_counts():
    logits = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1], [0.1, 0.2, 0.7]])
    labels = torch.tensor([0, 1, 1, 0])
    metrics = eval_zero_shot.accuracy_metrics(logits, labels, num_classes=3)
    assert metrics["top1"] == pytest.approx(50.0)  # rows 0 and 1
    assert metrics["top5"] == pytest.approx(100.0)  # K = 3 < 5: every label is in the top 3
    assert metrics["mean_per_class"] == pytest.approx(50.0)  # class 0: 1/2, class 1: 1/2 (class 2 absent)
    with pytest.raises(ValueError, match="one row of logits per label"):
        eval_zero_shot.accuracy_metrics(logits[:2], labels, 3)


def test_per_class_accuracy_and_confusion_counts_match_hand_counts():
    logits = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1], [0.1, 0.2, 0.7], [0.1, 0.2, 0.3]])
    labels = torch.tensor([0, 1, 1, 0, 0])  # top-1 predictions: 0, 1, 0, 2, 2
    metrics = eval_zero_shot.per_class_metrics(logits, labels, ["chair", "lamp", "vase"])
    assert metrics["class_names"] == ["chair", "lamp", "vase"]
    assert metrics["per_class"] == {"chair": {"top1": pytest.approx(100 / 3), "count": 3},
                                    "lamp": {"top1": pytest.approx(50.0), "count": 2}}  # vase: no sample
    assert metrics["confusion_matrix"] == [[1, 0, 2], [1, 1, 0], [0, 0, 0]]  # rows true, columns predicted
    diagonal = sum(metrics["confusion_matrix"][c][c] for c in range(3))
    assert 100 * diagonal / 5 == pytest.approx(eval_zero_shot.accuracy_metrics(logits, labels, 3)["top1"])
    with pytest.raises(ValueError, match="one column per class name"):
        eval_zero_shot.per_class_metrics(logits, labels, ["chair", "lamp"])
    with pytest.raises(ValueError, match="index the 3 class names"):
        eval_zero_shot.per_class_metrics(logits, torch.tensor([0, 1, 3, 0, 0]), ["chair", "lamp", "vase"])


def test_covered_and_uncovered_classes_match_hand_counts():
    assert eval_zero_shot.normalized_class_name("Flower_pot") == eval_zero_shot.normalized_class_name("flower-pot")
    names = ["flower pot", "cone", "chair", "xbox"]  # ModelNet40's prompt words
    confusion = [[3, 1, 0, 0],  # flower pot: 3 of 4 right
                 [0, 0, 2, 0],  # cone: 0 of 2
                 [0, 0, 1, 1],  # chair: 1 of 2
                 [0, 0, 0, 0]]  # xbox: no sample
    training = eval_zero_shot.resolve_training_categories(["chair", "flowerpot", "traffic cone", "chair"])
    assert training == ["chair", "flowerpot", "traffic cone"]  # duplicates dropped
    metrics = eval_zero_shot.coverage_metrics(confusion, names, training)
    assert metrics["training_categories"] == training
    assert metrics["covered_classes"] == ["flower pot", "chair"]  # flowerpot = flower pot after normalising
    assert metrics["uncovered_classes"] == ["cone", "xbox"]  # exact normalised equality: cone is not traffic cone
    assert metrics["covered"] == {"top1": pytest.approx(100 * 4 / 6), "mean_per_class": pytest.approx(100 * 1.25 / 2),
                                  "num_samples": 6, "num_classes_present": 2}
    assert metrics["uncovered"] == {"top1": 0.0, "mean_per_class": 0.0, "num_samples": 2, "num_classes_present": 1}
    nothing = eval_zero_shot.coverage_metrics(confusion, names, ["bicycle"])["covered"]
    assert nothing == {"top1": None, "mean_per_class": None, "num_samples": 0, "num_classes_present": 0}


def test_training_category_sets_and_unknown_names():
    from hf_spiking.data.synthetic_shapes import first_release_categories

    assert eval_zero_shot.resolve_training_categories(["all"]) == category_names()
    assert eval_zero_shot.resolve_training_categories(["first_release", "flowerpot"]) == [
        *first_release_categories(), "flowerpot"]
    # Unknown names are refused when the flags are parsed, not skipped: a typo would move a class to "not covered".
    with pytest.raises(ValueError, match=r"--training_categories 'flower_pot' is not a synthetic corpus category; "
                                         r"did you mean 'flowerpot'\? .*'table', 'chair'.* all, first_release"):
        eval_zero_shot.parse_arguments(["--checkpoint", "x", "--training_categories", "chair", "flower_pot"])
    with pytest.raises(ValueError, match="--training_categories 'spaceship' is not a synthetic corpus category"):
        eval_zero_shot.parse_arguments(["--checkpoint", "x", "--training-categories", "spaceship"])


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


def test_synthetic_test_split_of_the_training_categories_with_their_realism(tiny_checkpoint, tmp_path, monkeypatch):
    scored = []
    original = eval_zero_shot.synthetic_test_set

    def recording(*args, **kwargs):
        clouds, labels, names = original(*args, **kwargs)
        scored.append(clouds)
        return clouds, labels, names

    monkeypatch.setattr(eval_zero_shot, "synthetic_test_set", recording)
    metrics = _run(tiny_checkpoint, tmp_path, "--num_per_category", "1", "--training_categories", "mug", "kettle",
                   "--realism", '{"drop_color": true}')
    assert metrics["num_classes"] == 2 and metrics["num_samples"] == 2 and metrics["class_names"] == ["mug", "kettle"]
    assert metrics["realism"]["drop_color"] is True
    np.testing.assert_array_equal(scored[0][..., 3:], np.float32(0.4))  # every point the grey of colourless scans
    default = _run(tiny_checkpoint, tmp_path, "--num_per_category", "1")
    assert default["num_classes"] == 28 and default["realism"] is None  # the first release's clean test split
    with pytest.raises(ValueError, match="--realism"):
        eval_zero_shot.parse_arguments(["--checkpoint", str(tiny_checkpoint), "--realism", '{"colour": 1}'])


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


@pytest.fixture
def job_info_logs(caplog, monkeypatch):
    """caplog receiving the job's INFO lines."""
    show_info_logs()  # now, so that main() leaves the library logger propagating to caplog
    monkeypatch.setattr(logging.getLogger("hf_spiking"), "propagate", True)
    caplog.set_level(logging.INFO, logger="hf_spiking.jobs.eval_zero_shot")
    return caplog


def _modelnet40_npy_tree(root, counts: dict) -> None:
    """``root/<class>/<split>/<class>_NNNN.npy`` (100 random points each), ``counts[(class, split)]`` files per folder."""
    generator = np.random.default_rng(0)
    for (name, split), count in counts.items():
        (root / name / split).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            np.save(root / name / split / f"{name}_{index:04d}.npy", generator.random((100, 3)).astype(np.float32))


def test_modelnet40_npy_train_split_is_read_for_validation_only_when_asked(tiny_checkpoint, tmp_path, job_info_logs):
    caplog = job_info_logs
    root = tmp_path / "ModelNet40"
    _modelnet40_npy_tree(root, {("chair", "train"): 3, ("chair", "test"): 1, ("vase", "train"): 1, ("vase", "test"): 2})
    chair, vase = MODELNET40_CLASSES.index("chair"), MODELNET40_CLASSES.index("vase")
    predictions = tmp_path / f"metrics.{tiny_checkpoint.name}.jsonl"

    def scored_labels():
        return sorted(label for line in predictions.read_text().splitlines()[1:] for label in json.loads(line)["labels"])

    args = ["--dataset", "modelnet40-npy", "--data-dir", str(root)]
    train = _run(tiny_checkpoint, tmp_path, *args, "--split", "train")
    assert (train["split"], train["split_use"], train["num_samples"]) == ("train", "validation", 4)
    assert scored_labels() == sorted([chair] * 3 + [vase])
    assert "validation use of the train split" in caplog.text
    caplog.clear()

    test = _run(tiny_checkpoint, tmp_path, *args)
    assert (test["split"], test["split_use"], test["num_samples"]) == ("test", "test", 3)
    assert scored_labels() == sorted([chair] + [vase] * 2)
    assert "(test split)" in caplog.text and "validation use" not in caplog.text


def test_split_train_is_refused_for_evaluation_only_datasets(tiny_checkpoint, capsys):
    code = eval_zero_shot.main(["--checkpoint", str(tiny_checkpoint), "--dataset", "synthetic", "--split", "train"])
    assert code == 2
    assert "--split train applies to modelnet40 and modelnet40-npy only" in capsys.readouterr().err


def test_prompt_templates_are_ensembled_like_clip_by_hand():
    torch.manual_seed(0)
    text_proj = torch.nn.Linear(4, 3)
    features = torch.randn(2, 3, 4)  # 2 classes x 3 templates
    weight, bias = text_proj.weight.detach().double().numpy(), text_proj.bias.detach().double().numpy()
    expected = []
    for per_template in features.double().numpy():
        embeddings = [weight @ feature + bias for feature in per_template]
        mean = np.mean([e / np.linalg.norm(e) for e in embeddings], axis=0)
        expected.append(mean / np.linalg.norm(mean))
    with torch.no_grad():
        ensembled = prompt_ensemble_embeddings(text_proj, features)
        averaged_features = torch.nn.functional.normalize(text_proj(features.mean(1)), dim=-1)
        one_template = prompt_ensemble_embeddings(text_proj, features[:, :1])
        single = torch.nn.functional.normalize(text_proj(features[:, 0]), dim=-1)
    np.testing.assert_allclose(ensembled.numpy(), np.array(expected), rtol=1e-5, atol=1e-6)
    assert (ensembled - averaged_features).abs().max() > 1e-3  # not the plain average of the teacher features
    assert torch.equal(one_template, single)  # a one-template checkpoint scores as before


def test_the_job_and_the_folded_head_build_the_same_class_embeddings(tiny_checkpoint):
    text_encoder, tokenizer = load_text_teacher()
    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(tiny_checkpoint).eval()
    names = ["chair", "lamp", "vase"]
    features = class_prompt_features(names, model.config.prompt_templates, text_encoder, tokenizer)
    assert features.shape == (3, 2, model.config.text_embed_dim)  # one row per template, ensembled after text_proj
    points = torch.rand(4, 64, 6)
    job_logits = zero_shot_logits(model.point_encoder, model.text_proj, features, points)
    model.fold_text_classifier(names, text_encoder, tokenizer)
    with torch.no_grad():
        folded_logits = model(points).logits / model.logit_scale.exp()
    torch.testing.assert_close(folded_logits, job_logits, rtol=1e-5, atol=1e-6)


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


def test_per_class_coverage_and_confusion_plot_end_to_end(tiny_checkpoint, tmp_path, job_info_logs):
    caplog = job_info_logs
    root = tmp_path / "ModelNet40"
    _modelnet40_npy_tree(root, {("flower_pot", "test"): 2, ("cone", "test"): 1, ("chair", "test"): 3})
    plot = tmp_path / "plots" / "confusion.png"
    metrics = _run(tiny_checkpoint, tmp_path, "--dataset", "modelnet40-npy", "--data-dir", str(root),
                   "--training-categories", "first_release", "flowerpot", "--confusion-plot", str(plot))

    names = metrics["class_names"]
    assert len(names) == 40 and names[MODELNET40_CLASSES.index("flower_pot")] == "flower pot"
    assert {name: row["count"] for name, row in metrics["per_class"].items()} == {"flower pot": 2, "cone": 1, "chair": 3}
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.shape == (40, 40) and confusion.sum() == 6
    for name, row in metrics["per_class"].items():
        c = names.index(name)
        assert confusion[c].sum() == row["count"] and row["top1"] == pytest.approx(100 * confusion[c, c] / row["count"])
    assert metrics["top1"] == pytest.approx(100 * np.trace(confusion) / 6)

    covered = metrics["covered_classes"]
    assert "flower pot" in covered and "chair" in covered and "cone" in metrics["uncovered_classes"]
    assert "xbox" in metrics["uncovered_classes"] and len(covered) + len(metrics["uncovered_classes"]) == 40
    assert (metrics["covered"]["num_samples"], metrics["uncovered"]["num_samples"]) == (5, 1)
    right = confusion[names.index("flower pot"), names.index("flower pot")] + confusion[names.index("chair"),
                                                                                        names.index("chair")]
    assert metrics["covered"]["top1"] == pytest.approx(100 * right / 5)
    assert "classes covered by --training_categories: top-1" in caplog.text
    assert "classes not covered (open vocabulary): top-1" in caplog.text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_matplotlib_is_reported_before_scoring(tiny_checkpoint, tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else find_spec(name, *a))
    monkeypatch.setattr(eval_zero_shot, "evaluate_checkpoint", lambda args: pytest.fail("scored before the check"))
    with pytest.raises(ImportError, match="--confusion_plot.*pip install matplotlib"):
        eval_zero_shot.main(["--checkpoint", str(tiny_checkpoint), "--confusion_plot", str(tmp_path / "c.png")])


# The recipe of issue #14's default, as training_summary.json records it (pretrain-svl writes every field; the card
# reads the ones it states and counts missing ones as defaults).
REALISM = '{"drop_color": true, "noise_std": 0.005, "anisotropic_scale": [0.85, 1.18]}'
SUMMARY = {
    "args": {"spike_energy_weight": 2.0, "categories": ["all"], "num_per_category": 200, "realism": REALISM,
             "realism_config": {"drop_color": True, "partial_view_probability": 0.0, "noise_std": 0.005,
                                "density_falloff": 0.0, "anisotropic_scale": [0.85, 1.18]},
             "threads": 1, "fold_to": None},
    "training_args": {"num_train_epochs": 16.0, "per_device_train_batch_size": 64, "learning_rate": 0.002,
                      "warmup_steps": 225, "output_dir": "runs/snn"},
}


def _card_inputs(checkpoint):
    """(snn, ann) synthetic-split metrics as the card reads them, with a real energy report of the tiny encoder."""
    from hf_spiking.energy import estimate_energy

    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(checkpoint).eval()
    energy = estimate_energy(model.point_encoder, {"point_values": torch.rand(2, 64, 6)}).to_dict()
    snn = {"top1": 93.2, "top5": 99.6, "mean_per_class": 93.0, "num_samples": 1120, "num_classes": 28,
           "templates": list(model.config.prompt_templates), "energy": energy}
    ann = {**snn, "top1": 94.1, "energy": {**energy, "total_energy_mj": 9 * energy["total_energy_mj"]}}
    return snn, ann


def _reproduce_commands(card: str) -> list[str]:
    """The card's reproduce commands, one line each."""
    block = card.split("\n```bash\n", 1)[1].split("\n```", 1)[0]
    return block.replace(" \\\n    ", " ").splitlines()


def test_card_without_a_training_summary_keeps_the_first_release_text(tiny_checkpoint, tmp_path):
    snn, ann = _card_inputs(tiny_checkpoint)
    card_path = str(tmp_path / "a.md")
    args = eval_zero_shot.parse_arguments(["--checkpoint", str(tiny_checkpoint), "--model_card", card_path])
    eval_zero_shot.write_model_card(args, snn, ann)
    card = (tmp_path / "a.md").read_text()
    assert "objects of 28 everyday\ncategories (random proportions, colours, poses, part counts), 100 instances" in card
    assert "batch 64, 8 epochs" in card and "colours dropped to 0.4 grey with p = 0.5;" in card
    assert eval_zero_shot.REPRODUCE_COMMANDS in card and "ModelNet40 zero-shot" not in card


def test_card_states_the_recorded_recipe_and_the_commands_that_reproduce_it(tiny_checkpoint, tmp_path):
    checkpoint = tmp_path / "svl-default"
    shutil.copytree(tiny_checkpoint, checkpoint)
    (checkpoint / "training_summary.json").write_text(json.dumps(SUMMARY))
    snn, ann = _card_inputs(checkpoint)
    args = eval_zero_shot.parse_arguments(["--checkpoint", str(checkpoint), "--model_card", str(tmp_path / "a.md")])
    eval_zero_shot.write_model_card(args, snn, ann)
    card = (tmp_path / "a.md").read_text()
    text = " ".join(card.split())  # the paragraphs are wrapped
    everything = category_names()  # `--categories all` with no recorded names: the corpus as it is now
    for stated in [
        f"objects of {len(everything)} everyday categories (every corpus category, `--categories all`: table, chair,",
        f"{everything[-2]}, {everything[-1]})", "200 instances per category", "1024 points per instance",
        "(xyz; rgb replaced by 0.4 grey)",
        "Scan-like realism (`--realism`): colour dropped (every point the 0.4 grey that colourless scans get); "
        "Gaussian jitter of standard deviation 0.005 (unit-sphere units); each object stretched along its own axes by "
        "factors drawn log-uniformly in [0.85, 1.18]",
        "512 input points", "Firing-rate regulariser (SNN only, `--spike_energy_weight 2`): the loss adds 2 x",
        "AdamW (lr 0.002, betas 0.9/0.98, weight decay 0.05), batch 64, 16 epochs, 225 warm-up steps then cosine, "
        "seed 0", "colours dropped to 0.4 grey with p = 0.5 (moot here: the realism already drops every colour)",
        f"for the {len(everything)} training categories and",
    ]:
        assert stated in text, stated
    assert "100 instances" not in text and "8 epochs" not in text and eval_zero_shot.REPRODUCE_COMMANDS not in card
    recipe = (f"--spike_energy_weight 2 --categories all --num_per_category 200 --realism '{REALISM}' "
              "--num_train_epochs 16")
    assert _reproduce_commands(card) == [
        f"hf-spiking pretrain-svl --output_dir runs/snn {recipe}",
        f"hf-spiking pretrain-svl --output_dir runs/snn {recipe} --skip_training "
        "--fold_to src/hf_spiking/assets/svl-default",
        "hf-spiking pretrain-svl --output_dir runs/ann --spike_activation relu --categories all --num_per_category 200 "
        f"--realism '{REALISM}' --num_train_epochs 16",
        "hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --compare_ann runs/ann "
        "--num_per_category 40 --energy --output zero_shot.json "
        "--model_card model_cards/svl-default.md src/hf_spiking/assets/svl-default/README.md",
    ]
    assert all(len(line) <= 120 for line in card.split("```bash")[1].split("```")[0].splitlines())


def _modelnet40_npy(root, counts, split):
    generator = np.random.default_rng(0)
    for name, count in counts.items():
        (root / name / split).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            np.save(root / name / split / f"{name}_{index:04d}.npy", generator.random((100, 3)).astype(np.float32))


@pytest.fixture(scope="module")
def modelnet40_results(tiny_checkpoint, tmp_path_factory):
    """ROLE -> path of eval-zero-shot --dataset modelnet40-npy results: real runs of the tiny checkpoint (snn, test
    split; validation, train split) and, from the snn one, an ANN twin and a previous default with set numbers."""
    folder = tmp_path_factory.mktemp("modelnet40_results")
    root = folder / "ModelNet40"
    _modelnet40_npy(root, {"chair": 3, "flower_pot": 2, "xbox": 1}, "test")
    _modelnet40_npy(root, {"chair": 2, "xbox": 2}, "train")
    common = ["--checkpoint", str(tiny_checkpoint), "--num-points", "64", "--threads", "1", "--dataset",
              "modelnet40-npy", "--data-dir", str(root)]
    paths = {"snn": folder / "snn.json", "validation": folder / "validation.json"}
    assert eval_zero_shot.main([*common, "--training-categories", "all", "--output", str(paths["snn"])]) == 0
    assert eval_zero_shot.main([*common, "--split", "train", "--output", str(paths["validation"])]) == 0
    snn = json.loads(paths["snn"].read_text())
    per_class = {name: {"top1": top1, "count": snn["per_class"][name]["count"]}
                 for name, top1 in (("chair", 66.7), ("flower pot", 50.0), ("xbox", 0.0))}
    ann = {**snn, "top1": 41.2, "top5": 71.3, "mean_per_class": 38.9, "checkpoint": "runs/ann"}
    previous = {key: value for key, value in snn.items() if key not in ("covered", "uncovered", "covered_classes",
                                                                        "uncovered_classes", "training_categories")}
    previous.update(top1=12.3, top5=45.6, mean_per_class=11.1, per_class=per_class, checkpoint="old/svl-default")
    for role, result in (("ann", ann), ("previous", previous)):
        paths[role] = folder / f"{role}.json"
        paths[role].write_text(json.dumps(result))
    return paths


def test_card_modelnet40_section_end_to_end(tiny_checkpoint, modelnet40_results, tmp_path, monkeypatch):
    checkpoint = tmp_path / "svl-default"
    shutil.copytree(tiny_checkpoint, checkpoint)
    (checkpoint / "training_summary.json").write_text(json.dumps(SUMMARY))
    cards, shipped = tmp_path / "model_cards", tmp_path / "shipped"
    cards.mkdir(), shipped.mkdir()
    figure = cards / "svl-default_modelnet40_confusion.png"
    drawn, plot = [], eval_zero_shot.plot_confusion_matrix

    def drawing(metrics, path):
        drawn.append(metrics)
        plot(metrics, path)

    monkeypatch.setattr(eval_zero_shot, "plot_confusion_matrix", drawing)
    roles = [f"{role}={path}" for role, path in modelnet40_results.items()]
    code = eval_zero_shot.main(
        ["--checkpoint", str(checkpoint), "--compare_ann", str(checkpoint), "--energy", "--num-per-category", "1",
         "--num-points", "64", "--source-points", "128", "--threads", "1", "--modelnet40_results", *roles,
         "--confusion_plot", str(figure), "--model_card", str(cards / "svl-default.md"), str(shipped / "README.md")]
    )
    assert code == 0
    card = (cards / "svl-default.md").read_text()
    assert (shipped / "README.md").read_text() == card
    # The figure is the new default's ModelNet40 confusion matrix, next to every card under the name the card shows.
    assert [metrics["dataset"] for metrics in drawn] == ["modelnet40-npy"]
    assert (shipped / figure.name).read_bytes() == figure.read_bytes()
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"![ModelNet40 confusion matrix]({figure.name})" in card

    snn, validation = (json.loads(modelnet40_results[role].read_text()) for role in ("snn", "validation"))
    assert ("## ModelNet40 zero-shot (6 test shapes, 40 classes, class-name prompts through the checkpoint's templates "
            "and text teacher)") in card
    text = " ".join(card.split())
    assert "no ModelNet40 shape was used for training, and the test split is read once per released model" in text
    rows = {line.split(" | ")[0][2:]: line for line in card.splitlines() if line.startswith("| ")}
    assert rows["New default (SNN)"].startswith(
        f"| New default (SNN) | {snn['top1']:.1f}% | {snn['top5']:.1f}% | {snn['mean_per_class']:.1f}% | ")
    covered, uncovered = snn["covered"], snn["uncovered"]  # chair and flower pot are corpus categories, xbox is not
    assert f"| {covered['top1']:.1f}% (2 classes, 5 shapes) | {uncovered['top1']:.1f}% (1 class, 1 shape) |" in (
        rows["New default (SNN)"])
    assert rows["Its ANN twin (ReLU in place of spikes)"].startswith("| Its ANN twin (ReLU in place of spikes) | 41.2% "
                                                                    "| 71.3% | 38.9% | ")
    assert rows["Previous default (SNN)"].startswith("| Previous default (SNN) | 12.3% | 45.6% | 11.1% | – | – |")
    for anchor in ("| PointCLIP (training-free CLIP on depth maps) | 20.2% | not reported here | not reported here |",
                   "| ULIP (Point-BERT, ShapeNet55 + CLIP) | 60.4% |", "| OpenShape (",
                   "| SVL E-3DSNN-H (spiking) | 85.4% |",
                   "arXiv 2112.02413", "arXiv 2212.05171", "arXiv 2305.10764", "arXiv 2505.17674"):
        assert anchor in card, anchor
    per_class = card.split("### Per class (test split, top-1)")[1].split("###")[0]
    assert "| Class | Test shapes | Trained category | New default | Previous default |" in per_class
    for name, count, trained, old in (("chair", 3, "yes", "66.7%"), ("flower pot", 2, "yes", "50.0%"),
                                      ("xbox", 1, "no", "0.0%")):
        assert f"| {name} | {count} | {trained} | {snn['per_class'][name]['top1']:.1f}% | {old} |" in per_class
    assert len([line for line in per_class.splitlines() if line.startswith("|")]) == 2 + 3  # the classes with shapes
    assert "### Validation runs (ModelNet40 train split)" in card
    assert (f"- `{'/'.join(tiny_checkpoint.parts[-2:])}`: top-1 "
            f"{validation['top1']:.1f}%, top-5 {validation['top5']:.1f}%, mean per-class "
            f"{validation['mean_per_class']:.1f}% (4 train shapes)") in card
    commands = _reproduce_commands(card)
    assert commands[3:5] == [
        "hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --dataset modelnet40-npy "
        "--data_dir ModelNet40 --training_categories all --output snn.json",
        "hf-spiking eval-zero-shot --checkpoint runs/ann --dataset modelnet40-npy --data_dir ModelNet40 "
        "--training_categories all --output ann.json",
    ]
    assert ("--modelnet40_results snn=snn.json validation=validation.json ann=ann.json previous=previous.json "
            "--confusion_plot model_cards/svl-default_modelnet40_confusion.png --model_card") in commands[5]
    for command in commands:  # every generated command parses with its job's own parser
        words = shlex.split(command)
        module = {"pretrain-svl": pretrain_svl, "eval-zero-shot": eval_zero_shot}[words[1]]
        module.parse_arguments(words[2:])
    assert "| ModelNet40 | test | zero-shot top-1 (SNN) |" in card


@pytest.mark.parametrize(
    "entries, message",
    [
        (["snn"], "--modelnet40_results 'snn' is not ROLE=PATH; expected ROLE one of snn, ann, previous, validation"),
        (["snn=a.json", "best=b.json"], "--modelnet40_results 'best=b.json': unknown role 'best'; expected one of snn"),
        (["snn=a.json", "ann=b.json", "ann=c.json"], "gives ann= 2 times"),
        (["ann=a.json", "validation=b.json"], "needs a snn=PATH entry"),
    ],
)
def test_modelnet40_results_entries_are_refused_when_parsed(entries, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        eval_zero_shot.parse_arguments(["--checkpoint", "x", "--model_card", "c.md", "--modelnet40_results", *entries])


def test_modelnet40_result_files_are_refused_before_scoring(tiny_checkpoint, modelnet40_results, tmp_path, capsys,
                                                            monkeypatch):
    monkeypatch.setattr(eval_zero_shot, "evaluate_checkpoint", lambda args: pytest.fail("scored before the check"))
    snn, validation = modelnet40_results["snn"], modelnet40_results["validation"]
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "synthetic.json").write_text(json.dumps({**json.loads(snn.read_text()), "dataset": "synthetic"}))
    (tmp_path / "pair.json").write_text(json.dumps({"snn": {}, "ann": {}}))  # a --compare_ann result
    old = {key: value for key, value in json.loads(snn.read_text()).items() if key != "per_class"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    fewer = {**json.loads(snn.read_text()), "num_samples": 5}
    (tmp_path / "fewer.json").write_text(json.dumps(fewer))
    cases = [
        ([f"snn={tmp_path / 'missing.json'}"], "snn=" + str(tmp_path / "missing.json") + ": no such file; expected the "
         "JSON that `hf-spiking eval-zero-shot --dataset modelnet40-npy --output PATH` writes"),
        ([f"snn={tmp_path / 'broken.json'}"], "broken.json is not JSON"),
        ([f"snn={tmp_path / 'synthetic.json'}"], "synthetic.json is not a modelnet40-npy result (dataset 'synthetic')"),
        ([f"snn={tmp_path / 'pair.json'}"], "pair.json is not a modelnet40-npy result (dataset None)"),
        ([f"snn={tmp_path / 'old.json'}"], "old.json lacks ['per_class']"),
        ([f"snn={validation}"], "is a result on the train split; a snn result must be on the test split "
                                "(--split test, the final evaluation)"),
        ([f"snn={snn}", f"ann={validation}"], "a ann result must be on the test split"),
        ([f"snn={snn}", f"previous={validation}"], "a previous result must be on the test split"),
        ([f"snn={snn}", f"validation={snn}"], "is a result on the test split; a validation result must be on the "
                                              "train split (--split train, the validation use)"),
        ([f"snn={snn}", f"previous={tmp_path / 'fewer.json'}"], "previous= scored 5 shapes of 40 classes, snn= 6 of "
                                                                "40: the rows of one table must score the same"),
    ]
    common = ["--checkpoint", str(tiny_checkpoint), "--compare_ann", str(tiny_checkpoint), "--energy",
              "--model_card", str(tmp_path / "card.md")]
    for entries, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            eval_zero_shot.main([*common, "--modelnet40_results", *entries])
    assert eval_zero_shot.main(["--checkpoint", str(tiny_checkpoint), "--modelnet40_results", f"snn={snn}"]) == 2
    assert "--modelnet40_results needs --model_card" in capsys.readouterr().err
    assert not (tmp_path / "card.md").exists()
