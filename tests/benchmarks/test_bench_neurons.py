"""Smoke test of :mod:`hf_spiking.benchmarks.bench_neurons`: ``main(argv)`` runs at its smallest setting and writes
its JSON into ``tmp_path``; the test checks the JSON's structure and arithmetic (every reported ratio or sum equals
the one recomputed from the row fields it was computed from). Timings are noise: no speed target is asserted.
"""

import pytest

from hf_spiking.benchmarks import bench_neurons

from .testing_utils import assert_positive, read_json


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
    output = tmp_path / "bench_neurons.json"
    argv = ["--shape", "2", "2", "8", "--repeats", "1", "--warmup", "0", "--skip-compiled", "--only", "LIF",
            "--allocators", "default", "--output", str(output)]
    bench_neurons.main(argv)
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
    output = tmp_path / "bench_neurons.json"
    argv = ["--shape", "2", "2", "8", "--repeats", "1", "--warmup", "1", "--only", "floor", "--allocators", "default",
            "--output", str(output)]
    bench_neurons.main(argv)
    (row,) = read_json(output)["rows"]
    assert (row["neuron"], row["family"], row["compiled"]) == ("floor: x * 2", "floor", True)
    check_neuron_ratios([row])  # no eager twin and no spikingjelly reference: no ratios


def test_bench_neurons_ratios_pair_rows_of_one_allocator():
    """``_add_ratios`` on synthetic times (two allocators, compiled and eager rows, an unavailable library)."""
    times = iter(float(n) for n in range(1, 100))
    rows = []
    for allocator in ("default", "huge-pages"):
        for name, family, _, _, modes in bench_neurons.NEURONS:
            for compiled in modes:
                row = {"allocator": allocator, "neuron": name, "family": family, "compiled": compiled}
                if name == "snntorch Leaky" and compiled:
                    row["error"] = "No module named 'snntorch'"
                else:
                    row.update(forward_s=next(times), forward_backward_s=next(times))
                rows.append(row)
    bench_neurons._add_ratios(rows)
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
    table = bench_neurons.format_table({
        "shape": [2], "repeats": 1, "torch_threads": 1, "allocators": bench_neurons.ALLOCATORS, "rows": rows,
        "load_average_1_5_15_min": {"before": [0.0] * 3, "after": [0.0] * 3},
    })
    assert table.count("hf_spiking LIFNeuron") == 4  # eager and compiled, per allocator
    assert "snntorch Leaky                 compiled  unavailable: No module named 'snntorch'" in table
