"""Smoke test of :mod:`hf_spiking.benchmarks.bench_lvc`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import math

import pytest

from hf_spiking.benchmarks import bench_lvc

from .testing_utils import assert_positive, read_json


def test_bench_lvc(tmp_path):
    pytest.importorskip("psutil", reason="bench_lvc measures CPU peak memory with psutil")
    output = tmp_path / "bench_lvc.json"
    # M = 64, w = 8 is the configuration the benchmark's ratio target reads; w = 1 has no sparse twin.
    argv = ["--frames", "64", "--windows", "1", "8", "--repeats", "1", "--image-size", "32", "--patch-size", "8",
            "--vision-hidden", "16", "--vision-layers", "1", "--text-hidden", "32", "--text-layers", "1",
            "--text-heads", "2", "--threads", "1", "--device", "cpu", "--output", str(output)]
    bench_lvc.main(argv)
    report = read_json(output)
    t = report["tokens_per_frame"]
    assert t == (32 // 8 // 2) ** 2
    assert report["device"] == "cpu"
    rows = {(row["M"], row["w"], row["mode"]): row for row in report["rows"]}
    assert set(rows) == {(64, 1, "dense"), (64, 8, "dense"), (64, 8, "sparse")}
    for (frames, window, mode), row in rows.items():
        assert row["frames_encoded"] == (frames if mode == "dense" else frames // window)
        assert row["visual_tokens"] == row["expected_tokens"] == frames // window * t
        assert row["prompt_tokens"] > row["visual_tokens"]
        assert_positive(row["vision_ms"], row["compress_ms"], row["lm_prefill_ms"])
        # With one repeat the medians are the single run's values, so the benchmark's sums hold exactly.
        assert row["prefill_ms"] == pytest.approx(row["compress_ms"] + row["lm_prefill_ms"])
        assert row["total_ms"] == pytest.approx(row["vision_ms"] + row["prefill_ms"])
        assert math.isfinite(row["peak_mem_mb"]) and row["peak_mem_mb"] >= 0
    dense, sparse = rows[(64, 8, "dense")], rows[(64, 8, "sparse")]
    targets = report["targets"]
    assert targets["tokens_exactly_M_over_w_times_t"] is True
    assert targets["prefill_ratio_w8_m64_vs_8_sparse"] == pytest.approx(dense["prefill_ms"] / sparse["prefill_ms"])
    assert targets["total_ratio_w8_m64_vs_8_sparse"] == pytest.approx(dense["total_ms"] / sparse["total_ms"])
    assert targets["prefill_ratio_target_met"] == (targets["prefill_ratio_w8_m64_vs_8_sparse"] <= 1.25)
