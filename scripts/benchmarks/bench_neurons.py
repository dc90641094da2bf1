"""CPU speed of hf_spiking's multi-step neurons against spikingjelly 2.x and snnTorch, eager and torch.compile.

Every configuration runs in this one process on the same input (default ``[T=4, 32, 128, 32, 32]`` fp32). Each
figure is the median of ``--repeats`` timed runs after ``--warmup`` untimed ones (the first warm-up of a compiled
configuration includes compilation). "fwd" runs under ``torch.no_grad``; "fwd+bwd" backpropagates a fixed random
output gradient into the input.

Pairs compared (same dynamics within each pair):
  LIF:   hf_spiking LIFNeuron()          vs spikingjelly LIFNode(step_mode='m')   (tau 2, hard reset, Sigmoid)
  I-LIF: hf_spiking IntegerLIFNeuron(rounding='half_to_even', grad_window='closed') vs spikingjelly ILIFNode
  snnTorch Leaky(beta=0.5) in a loop over T is listed for reference (different dynamics: no input decay, soft reset).

Targets: ours eager fwd+bwd at least as fast as spikingjelly eager (ratio >= 1), ours compiled >= 4x ours eager.

Every call writes fresh [T, ...] tensors (64 MB each at the default shape), and on a VM the page faults of fresh
memory can cost more than the arithmetic, by an amount that varies with the machine's state. Compiled kernels are
memory-bound and suffer most. ``THP_MEM_ALLOC_ENABLE=1`` (read by torch at start-up) makes torch's CPU allocator ask
for transparent huge pages, which removes most of that cost for every row alike; the JSON records whether it was set.

    python scripts/benchmarks/bench_neurons.py [--output outputs/bench_neurons.json] [--shape 4 32 128 32 32]
        [--only I-LIF]   (neuron families: LIF, I-LIF, Leaky)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch

from hf_spiking.snn import IntegerLIFNeuron, LIFNeuron


def _ours_lif() -> Callable:
    return LIFNeuron()


def _ours_ilif() -> Callable:
    return IntegerLIFNeuron(rounding="half_to_even", grad_window="closed")


def _stateful(node) -> Callable:
    """spikingjelly neurons keep their membrane between calls; reset it so each call starts from rest."""

    def run(x_seq):
        node.reset()
        return node(x_seq)

    return run


def _spikingjelly_lif() -> Callable:
    from spikingjelly.activation_based import neuron

    return neuron.LIFNode(step_mode="m")


def _spikingjelly_ilif() -> Callable:
    from spikingjelly.activation_based import neuron

    return neuron.ILIFNode(step_mode="m")


def _snntorch_leaky() -> Callable:
    import snntorch

    leaky = snntorch.Leaky(beta=0.5)

    def run(x_seq):
        mem = torch.zeros_like(x_seq[0])
        spikes = []
        for x in x_seq:
            spike, mem = leaky(x, mem)
            spikes.append(spike)
        return torch.stack(spikes)

    return run


# name, neuron family (for ratios), builder, whether the module is stateful across calls
NEURONS = (
    ("hf_spiking LIFNeuron", "LIF", _ours_lif, False),
    ("spikingjelly LIFNode", "LIF", _spikingjelly_lif, True),
    ("hf_spiking IntegerLIFNeuron", "I-LIF", _ours_ilif, False),
    ("spikingjelly ILIFNode", "I-LIF", _spikingjelly_ilif, True),
    ("snntorch Leaky", "Leaky", _snntorch_leaky, False),
)


def _median_time(fn: Callable[[], None], warmup: int, repeats: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(build, stateful, compiled, x, grad_out, warmup, repeats) -> dict:
    module = build()
    call = _stateful(module) if stateful else module
    if compiled:
        # Compile the neuron itself; the state reset of stateful modules stays outside the graph.
        compiled_module = torch.compile(module)
        call = _stateful_compiled(module, compiled_module) if stateful else compiled_module

    def forward():
        with torch.no_grad():
            call(x)

    x_grad = x.detach().clone().requires_grad_()

    def forward_backward():
        x_grad.grad = None
        call(x_grad).backward(grad_out)

    return {
        "forward_s": _median_time(forward, warmup, repeats),
        "forward_backward_s": _median_time(forward_backward, warmup, repeats),
    }


def _stateful_compiled(module, compiled_module) -> Callable:
    def run(x_seq):
        module.reset()
        return compiled_module(x_seq)

    return run


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs="+", default=[4, 32, 128, 32, 32], help="input shape [T, B, ...]")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--output", type=Path, default=Path("outputs/bench_neurons.json"))
    parser.add_argument("--skip-compiled", action="store_true", help="eager configurations only")
    parser.add_argument(
        "--only",
        choices=sorted({family for _, family, _, _ in NEURONS}),
        nargs="+",
        help="neuron families to run (default: all)",
    )
    args = parser.parse_args(argv)

    load_before = os.getloadavg()  # eager suffers more than compiled code from a busy machine: record how busy
    torch.manual_seed(0)
    x = torch.randn(*args.shape) * 1.5
    grad_out = torch.randn(*args.shape)
    rows = []
    for compiled in (False,) if args.skip_compiled else (False, True):
        for name, family, build, stateful in NEURONS:
            if args.only and family not in args.only:
                continue
            try:
                timing = measure(build, stateful, compiled, x, grad_out, args.warmup, args.repeats)
            except ImportError as error:  # an optional library is missing: report it, keep going
                timing = {"error": str(error)}
            rows.append({"neuron": name, "family": family, "compiled": compiled, **timing})
            print(f"  measured {name} ({'compiled' if compiled else 'eager'}): {timing}", flush=True)

    _add_ratios(rows)
    report = {
        "shape": args.shape,
        "dtype": "float32",
        "repeats": args.repeats,
        "warmup": args.warmup,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "load_average_1_5_15_min": {"before": load_before, "after": os.getloadavg()},
        "huge_page_allocations": os.environ.get("THP_MEM_ALLOC_ENABLE") == "1",
        "rows": rows,
    }
    print(format_table(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.output}")
    return report


def _add_ratios(rows: list[dict]) -> None:
    """speedup_vs_spikingjelly_eager: spikingjelly eager time / this time (same family; > 1 means faster).
    speedup_vs_own_eager: this configuration's eager time / its compiled time."""
    by_key = {(r["neuron"], r["compiled"]): r for r in rows if "error" not in r}
    reference = {r["family"]: r for r in rows if r["neuron"].startswith("spikingjelly") and not r["compiled"]}
    for row in rows:
        if "error" in row:
            continue
        ref = reference.get(row["family"])
        if ref is not None and "error" not in ref:
            for key in ("forward_s", "forward_backward_s"):
                row[f"{key[:-2]}_speedup_vs_spikingjelly_eager"] = ref[key] / row[key]
        eager = by_key.get((row["neuron"], False))
        if row["compiled"] and eager is not None:
            for key in ("forward_s", "forward_backward_s"):
                row[f"{key[:-2]}_speedup_vs_own_eager"] = eager[key] / row[key]


def format_table(report: dict) -> str:
    header = (
        f"{'neuron':30s} {'mode':9s} {'fwd s':>8s} {'fwd+bwd s':>10s} "
        f"{'fwd x SJ':>9s} {'f+b x SJ':>9s} {'fwd x own':>10s} {'f+b x own':>10s}"
    )
    load = report["load_average_1_5_15_min"]
    setting = f"input {report['shape']} fp32, median of {report['repeats']}, {report['torch_threads']} threads"
    if report["huge_page_allocations"]:
        setting += ", THP_MEM_ALLOC_ENABLE=1"
    load_text = f"1-min load average {load['before'][0]:.2f} before / {load['after'][0]:.2f} after"
    lines = [f"{setting}, {load_text}", header]
    lines.append("-" * len(header))

    def fmt(value, spec):
        return format(value, spec) if value is not None else "-"

    for row in report["rows"]:
        mode = "compiled" if row["compiled"] else "eager"
        if "error" in row:
            lines.append(f"{row['neuron']:30s} {mode:9s} unavailable: {row['error']}")
            continue
        lines.append(
            f"{row['neuron']:30s} {mode:9s} {row['forward_s']:8.3f} {row['forward_backward_s']:10.3f} "
            f"{fmt(row.get('forward_speedup_vs_spikingjelly_eager'), '9.2f'):>9s} "
            f"{fmt(row.get('forward_backward_speedup_vs_spikingjelly_eager'), '9.2f'):>9s} "
            f"{fmt(row.get('forward_speedup_vs_own_eager'), '10.2f'):>10s} "
            f"{fmt(row.get('forward_backward_speedup_vs_own_eager'), '10.2f'):>10s}"
        )
    lines.append("x SJ: spikingjelly eager time / this time, same neuron family; x own: own eager time / compiled time.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
