"""CPU speed of hf_spiking's multi-step neurons against spikingjelly 2.x and snnTorch, eager and torch.compile.

Every configuration is measured on the same input (default ``[T=4, 32, 128, 32, 32]`` fp32), each in a fresh Python
process started by this run (see "Allocators" below for why). Each figure is the median of ``--repeats`` timed runs
after ``--warmup`` untimed ones (the first warm-up of a compiled configuration includes compilation). "fwd" runs under
``torch.no_grad``; "fwd+bwd" backpropagates a fixed random output gradient into the input.

Pairs compared (same dynamics within each pair):
  LIF:   hf_spiking LIFNeuron()          vs spikingjelly LIFNode(step_mode='m')   (tau 2, hard reset, Sigmoid)
  I-LIF: hf_spiking IntegerLIFNeuron(rounding='half_to_even', grad_window='closed') vs spikingjelly ILIFNode
  snnTorch Leaky(beta=0.5) in a loop over T is listed for reference (different dynamics: no input decay, soft reset).
  Floor: a compiled ``x * 2``, which writes one fresh [T, ...] tensor forward and one backward, as every neuron must;
  no neuron can beat it, so "own eager / floor" is the largest compiled speed-up this machine allows.

Targets: ours eager fwd+bwd at least as fast as spikingjelly eager (ratio >= 1), ours compiled >= 4x ours eager.

Allocators. The compiled kernels are memory-bound, and what they cost is mostly the page faults of their fresh
64 MB outputs. glibc serves allocations above 32 MB with a fresh ``mmap`` each time (every page faults on first write),
while smaller blocks are recycled from its heap, so the cost of a call depends on what the process allocated before:
measured one after another in one process, a configuration could be 1.5-2x faster or slower depending on the rows
before it. A fresh process per configuration removes that order dependence. The whole table is measured twice:
with torch's default CPU allocator, and with ``THP_MEM_ALLOC_ENABLE=1`` (torch's setting for transparent huge pages,
read at start-up), which makes faulting fresh memory cheap.

    python scripts/benchmarks/bench_neurons.py [--output outputs/bench_neurons.json] [--shape 4 32 128 32 32]
        [--only I-LIF]   (neuron families: LIF, I-LIF, Leaky, floor)   [--allocators default huge-pages]

Each configuration runs as ``python -m hf_spiking.benchmarks.bench_neurons --measure-one ...``. The table is printed:
it is this program's output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
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


def _times_two() -> Callable:
    return lambda x_seq: x_seq * 2


# name, neuron family (for ratios), builder, whether the module is stateful across calls, modes it runs in
NEURONS = (
    ("hf_spiking LIFNeuron", "LIF", _ours_lif, False, (False, True)),
    ("spikingjelly LIFNode", "LIF", _spikingjelly_lif, True, (False, True)),
    ("hf_spiking IntegerLIFNeuron", "I-LIF", _ours_ilif, False, (False, True)),
    ("spikingjelly ILIFNode", "I-LIF", _spikingjelly_ilif, True, (False, True)),
    ("snntorch Leaky", "Leaky", _snntorch_leaky, False, (False, True)),
    ("floor: x * 2", "floor", _times_two, False, (True,)),
)
ALLOCATORS = {"default": {}, "huge-pages": {"THP_MEM_ALLOC_ENABLE": "1"}}


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


def measure_in_this_process(name: str, compiled: bool, shape, warmup: int, repeats: int) -> dict:
    _, _, build, stateful, _ = next(entry for entry in NEURONS if entry[0] == name)
    torch.manual_seed(0)
    x = torch.randn(*shape) * 1.5
    grad_out = torch.randn(*shape)
    try:
        return measure(build, stateful, compiled, x, grad_out, warmup, repeats)
    except ImportError as error:  # an optional library is missing: report it, keep going
        return {"error": str(error)}


def measure_in_fresh_process(name: str, compiled: bool, args, allocator: str) -> dict:
    command = [
        sys.executable, "-m", "hf_spiking.benchmarks.bench_neurons", "--measure-one", name, "compiled" if compiled else "eager",
        "--shape", *map(str, args.shape), "--warmup", str(args.warmup), "--repeats", str(args.repeats),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ALLOCATORS["huge-pages"]} | ALLOCATORS[allocator]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"measuring {name} ({allocator} allocator) failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs="+", default=[4, 32, 128, 32, 32], help="input shape [T, B, ...]")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--output", type=Path, default=Path("outputs/bench_neurons.json"))
    parser.add_argument("--skip-compiled", action="store_true", help="eager configurations only")
    parser.add_argument(
        "--only",
        choices=sorted({family for _, family, _, _, _ in NEURONS}),
        nargs="+",
        help="neuron families to run (default: all)",
    )
    parser.add_argument("--allocators", choices=sorted(ALLOCATORS), nargs="+", default=list(ALLOCATORS))
    parser.add_argument("--measure-one", nargs=2, metavar=("NEURON", "MODE"), help=argparse.SUPPRESS)
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> dict:
    args = parse_arguments(argv)
    if args.measure_one:  # a child process started below: print one JSON line
        name, mode = args.measure_one
        print(json.dumps(measure_in_this_process(name, mode == "compiled", args.shape, args.warmup, args.repeats)))
        return {}

    load_before = os.getloadavg()  # eager suffers more than compiled code from a busy machine: record how busy
    rows = []
    for allocator in args.allocators:
        for name, family, _, _, modes in NEURONS:
            if args.only and family not in args.only:
                continue
            for compiled in modes:
                if compiled and args.skip_compiled:
                    continue
                timing = measure_in_fresh_process(name, compiled, args, allocator)
                rows.append({"allocator": allocator, "neuron": name, "family": family, "compiled": compiled, **timing})
                print(f"  measured {name} ({'compiled' if compiled else 'eager'}, {allocator}): {timing}", flush=True)

    _add_ratios(rows)
    report = {
        "shape": args.shape,
        "dtype": "float32",
        "repeats": args.repeats,
        "warmup": args.warmup,
        "isolation": "one fresh process per configuration",
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "load_average_1_5_15_min": {"before": load_before, "after": os.getloadavg()},
        "allocators": {name: ALLOCATORS[name] for name in args.allocators},
        "rows": rows,
    }
    print(format_table(report))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"wrote {args.output}")
    return report


def _add_ratios(rows: list[dict]) -> None:
    """Within each allocator:
    speedup_vs_spikingjelly_eager: spikingjelly eager time / this time (same family; > 1 means faster);
    speedup_vs_own_eager: this configuration's eager time / its compiled time;
    forward_backward_ceiling: own eager fwd+bwd / the floor's, the largest compiled speed-up possible."""
    valid = [r for r in rows if "error" not in r]
    by_key = {(r["allocator"], r["neuron"], r["compiled"]): r for r in valid}
    reference = {
        (r["allocator"], r["family"]): r for r in valid if r["neuron"].startswith("spikingjelly") and not r["compiled"]
    }
    floors = {r["allocator"]: r for r in valid if r["family"] == "floor"}
    for row in valid:
        ref = reference.get((row["allocator"], row["family"]))
        if ref is not None:
            for key in ("forward_s", "forward_backward_s"):
                row[f"{key[:-2]}_speedup_vs_spikingjelly_eager"] = ref[key] / row[key]
        eager = by_key.get((row["allocator"], row["neuron"], False))
        if row["compiled"] and eager is not None:
            for key in ("forward_s", "forward_backward_s"):
                row[f"{key[:-2]}_speedup_vs_own_eager"] = eager[key] / row[key]
            floor = floors.get(row["allocator"])
            if floor is not None:
                row["forward_backward_ceiling"] = eager["forward_backward_s"] / floor["forward_backward_s"]


def format_table(report: dict) -> str:
    header = (
        f"{'neuron':30s} {'mode':9s} {'fwd s':>8s} {'fwd+bwd s':>10s} "
        f"{'fwd x SJ':>9s} {'f+b x SJ':>9s} {'fwd x own':>10s} {'f+b x own':>10s} {'f+b ceiling':>12s}"
    )
    load = report["load_average_1_5_15_min"]
    setting = f"input {report['shape']} fp32, median of {report['repeats']}, {report['torch_threads']} threads"
    load_text = f"1-min load average {load['before'][0]:.2f} before / {load['after'][0]:.2f} after"
    lines = [f"{setting}, one fresh process per configuration, {load_text}"]

    def fmt(value, spec):
        return format(value, spec) if value is not None else "-"

    for allocator, env in report["allocators"].items():
        settings = " ".join(f"{k}={v}" for k, v in env.items()) or "torch's default CPU allocator"
        lines += ["", f"allocator: {allocator} ({settings})", header, "-" * len(header)]
        for row in report["rows"]:
            if row["allocator"] != allocator:
                continue
            mode = "compiled" if row["compiled"] else "eager"
            if "error" in row:
                lines.append(f"{row['neuron']:30s} {mode:9s} unavailable: {row['error']}")
                continue
            lines.append(
                f"{row['neuron']:30s} {mode:9s} {row['forward_s']:8.3f} {row['forward_backward_s']:10.3f} "
                f"{fmt(row.get('forward_speedup_vs_spikingjelly_eager'), '9.2f'):>9s} "
                f"{fmt(row.get('forward_backward_speedup_vs_spikingjelly_eager'), '9.2f'):>9s} "
                f"{fmt(row.get('forward_speedup_vs_own_eager'), '10.2f'):>10s} "
                f"{fmt(row.get('forward_backward_speedup_vs_own_eager'), '10.2f'):>10s} "
                f"{fmt(row.get('forward_backward_ceiling'), '12.2f'):>12s}"
            )
    lines.append(
        "x SJ: spikingjelly eager time / this time, same neuron family; x own: own eager time / compiled time;\n"
        "ceiling: own eager fwd+bwd / floor fwd+bwd, the largest compiled speed-up the fresh outputs allow."
    )
    return "\n".join(lines)


__all__ = []


if __name__ == "__main__":
    main()
