"""Smoke test of :mod:`hf_spiking.benchmarks.bench_trevsnn_memory`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import pytest

from hf_spiking.benchmarks import bench_trevsnn_memory

from .testing_utils import assert_positive, read_json


def test_bench_trevsnn_memory(tmp_path):
    output = tmp_path / "memory.json"
    # T = 4 is the column count the ratios read; a second T gives the per-column growth.
    bench_trevsnn_memory.main(["--settings", "tiny", "--columns", "1", "4", "--repeats", "1", "--no-energy", "--output", str(output)])
    report = read_json(output)
    assert report["complete"] is True and report["energy"] is None and report["repeats"] == 1
    rows = {(row["columns"], row["mode"]): row for row in report["rows"]}
    assert set(rows) == {(c, m) for c in (1, 4) for m in ("reversible", "plain", "bptt")}
    for row in rows.values():
        assert (row["setting"], row["preset"], row["image_size"], row["batch_size"]) == ("tiny", "trevsnn-tiny", 32, 2)
        assert_positive(row["saved_mb"], row["peak_mb"], row["step_s"], row["parameter_mb"], row["parameters"])
        assert row["weight_derived_mb"] >= 0

    def saved(columns, mode):
        return rows[(columns, mode)]["saved_mb"]

    def retained(columns, mode):
        return rows[(columns, mode)]["saved_mb"] + rows[(columns, mode)]["weight_derived_mb"]

    def field(mode, key):
        return rows[(4, mode)][key]

    summary = report["summary"]["tiny"]
    per_column = {mode: (saved(4, mode) - saved(1, mode)) / 3 for mode in ("reversible", "plain")}
    expected = {
        "saved_ratio_plain_T4": saved(4, "plain") / saved(4, "reversible"),
        "retained_ratio_plain_T4": retained(4, "plain") / retained(4, "reversible"),
        "step_time_ratio_T4": field("reversible", "step_s") / field("plain", "step_s"),
        "saved_ratio_bptt_T4": saved(4, "bptt") / saved(4, "reversible"),
        "retained_ratio_bptt_T4": retained(4, "bptt") / retained(4, "reversible"),
        "peak_ratio_plain_T4": field("plain", "peak_mb") / field("reversible", "peak_mb"),
        "saved_mb_per_column_reversible": per_column["reversible"],
        "saved_mb_per_column_plain": per_column["plain"],
        "per_column_fraction": per_column["reversible"] / per_column["plain"],
    }
    assert set(summary) == {*expected, "targets"}
    for key, value in expected.items():
        assert summary[key] == pytest.approx(value, rel=1e-12), key

    # --merge re-summarises stored rows without measuring: same rows, same summary.
    merged_output = tmp_path / "merged.json"
    bench_trevsnn_memory.main(["--merge", str(output), "--no-energy", "--output", str(merged_output)])
    merged = read_json(merged_output)
    assert merged["rows"] == report["rows"] and merged["summary"] == report["summary"]
    assert merged["merged_from"] == [str(output)] and merged["interleaved_timing"] == []

    # --interleave times one step of each mode in turn (here one round of reversible, plain and BPTT).
    interleaved_output = tmp_path / "interleaved.json"
    bench_trevsnn_memory.main(["--settings", "tiny", "--columns", "4", "--interleave", "1", "--output", str(interleaved_output)])
    (timing,) = read_json(interleaved_output)["interleaved_timing"]
    (round_,) = timing["rounds"]
    assert set(round_) == {"reversible", "plain", "bptt"}
    assert_positive(*round_.values())
    for mode in ("plain", "bptt"):
        assert timing[f"{mode}_s"] == round_[mode]
        assert timing[f"ratio_to_{mode}"] == pytest.approx(round_["reversible"] / round_[mode], rel=1e-12)
