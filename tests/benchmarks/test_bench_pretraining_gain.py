"""The pretraining-gain benchmark on a tiny ModelNet40-layout tree with a tiny saved encoder."""

import numpy as np
import pytest

import hf_spiking
from hf_spiking.benchmarks.bench_pretraining_gain import main, parse_arguments, summarise
from tests.benchmarks.testing_utils import read_json


def test_summary_pairs_the_seeds_and_gives_t_intervals():
    summary = summarise({"pretrained": {0: 80.0, 1: 82.0}, "scratch": {0: 70.0, 1: 74.0}})
    assert summary["pretrained"]["mean"] == 81.0 and summary["scratch"]["mean"] == 72.0
    gain = summary["pretrained - scratch"]  # paired gains 10 and 8: mean 9, s = sqrt(2), t(1) = 12.706
    assert gain["mean"] == 9.0 and gain["high"] - 9.0 == pytest.approx(12.706 * 2**0.5 / 2**0.5)


def test_runs_every_variant_per_seed_and_resumes_from_finished_runs(tmp_path):
    rng = np.random.default_rng(0)
    for label, name in enumerate(("airplane", "chair")):
        for split, count in (("train", 10), ("test", 2)):  # the test split is never read by the benchmark
            folder = tmp_path / "ModelNet40" / name / split
            folder.mkdir(parents=True)
            for index in range(count):
                points = rng.normal(size=(64, 3)).astype(np.float32) * 0.1
                points[:, label] += np.linspace(-1, 1, 64, dtype=np.float32)
                np.save(folder / f"{name}_{index:04d}.npy", points)
    encoder = tmp_path / "encoder"
    hf_spiking.create_model("svl-pointformer-test").save_pretrained(encoder)
    argv = ["--model", str(encoder), "--data-dir", str(tmp_path / "ModelNet40"), "--epochs", "1", "--seeds", "0", "1",
            "--num-points", "32", "--output-dir", str(tmp_path / "runs"), "--output", str(tmp_path / "gain.json")]
    result = main(argv)
    assert read_json(tmp_path / "gain.json") == result
    assert set(result["summary"]) == {"pretrained", "scratch", "ann-scratch", "pretrained - scratch"}
    for variant in ("pretrained", "scratch", "ann-scratch"):
        accuracies = result["validation_accuracy"][variant]
        assert len(accuracies) == 2 and all(0 <= value <= 100 for value in accuracies.values())
        assert (tmp_path / "runs" / f"{variant}-seed1" / "results.json").is_file()
    ann = read_json(tmp_path / "runs" / "ann-scratch-seed0" / "config.json")
    assert ann["spike_activation"] == "relu"
    assert main(argv)["validation_accuracy"] == result["validation_accuracy"]  # reads the finished runs back


def test_refuses_a_single_seed_and_a_non_positive_budget():
    with pytest.raises(ValueError, match="at least two different seeds"):
        parse_arguments(["--data-dir", "x", "--seeds", "3", "3"])
    with pytest.raises(ValueError, match="--epochs must be positive, got 0.0"):
        parse_arguments(["--data-dir", "x", "--epochs", "0"])
