"""Smoke test of :mod:`hf_spiking.benchmarks.train_trevsnn_digits`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import pytest

import hf_spiking
from hf_spiking.benchmarks import train_trevsnn_digits

from .testing_utils import assert_positive, read_json


def test_train_trevsnn_digits(tmp_path):
    pytest.importorskip("sklearn", reason="the digits data set ships with scikit-learn")
    output = tmp_path / "digits.json"
    # A zero time limit stops after the first epoch: one epoch of training, and the time-limit branch exercised.
    argv = ["--preset", "trevsnn-test", "--epochs", "2", "--batch-size", "256", "--time-limit", "0",
            "--output", str(output)]
    train_trevsnn_digits.main(argv)
    report = read_json(output)
    assert report["epochs_run"] == len(report["history"]) == 1
    (epoch,) = report["history"]
    assert epoch["epoch"] == 1
    assert (report["train_samples"], report["test_samples"]) == (1437, 360)  # stratified 80/20 of 1,797 digits
    assert report["test_top1"] == epoch["test_top1"] and report["train_seconds"] == epoch["seconds"]
    correct = report["test_top1"] * report["test_samples"]
    assert 0 <= report["test_top1"] <= 1 and correct == pytest.approx(round(correct))  # a count of right answers
    assert_positive(epoch["train_loss"], epoch["seconds"], report["parameters"])
    model = hf_spiking.create_model("trevsnn-test", num_labels=10)
    assert report["parameters"] == sum(p.numel() for p in model.parameters())
