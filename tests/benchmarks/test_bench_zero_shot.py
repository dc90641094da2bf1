"""Smoke test of :mod:`hf_spiking.benchmarks.bench_zero_shot`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import pytest

from hf_spiking.benchmarks import bench_zero_shot

from .testing_utils import assert_positive, read_json


def test_bench_zero_shot(tmp_path):
    from hf_spiking.assets import default_model_path

    output = tmp_path / "bench_zero_shot.json"
    # The shipped checkpoint (committed under src/hf_spiking/assets) doubles as the "trained ANN twin" weights,
    # which exercises the --ann-checkpoint loading path without any other file.
    argv = ["--threads", "1", "--points", "1024", "--repeats", "1", "--ann-checkpoint", str(default_model_path()),
            "--output", str(output)]
    assert bench_zero_shot.main(argv) == 0
    report = read_json(output)
    assert (report["threads"], report["points"]) == (1, 1024)
    assert [(row["model"], row["batch_size"]) for row in report["rows"]] == [
        (model, batch) for model in ("svl-default (SNN)", "ANN twin (ReLU)") for batch in (1, 16)
    ]
    for row in report["rows"]:
        assert_positive(row["ms_per_batch"], row["ms_per_cloud"], row["clouds_per_second"], row["peak_rss_mib"])
        assert row["ms_per_cloud"] == pytest.approx(row["ms_per_batch"] / row["batch_size"], rel=1e-12)
        assert row["clouds_per_second"] == pytest.approx(1000 * row["batch_size"] / row["ms_per_batch"], rel=1e-12)
    peaks = [row["peak_rss_mib"] for row in report["rows"]] + [report["peak_rss_mib"]]
    assert peaks == sorted(peaks)  # the process peak never decreases
    shipped_batch_16 = report["rows"][1]
    assert report["target_met"] == (shipped_batch_16["ms_per_cloud"] < report["target_ms_per_cloud"])
