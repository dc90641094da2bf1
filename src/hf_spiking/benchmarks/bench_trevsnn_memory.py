"""Training memory and speed of T-RevSNN: reversible columns vs the plain-autograd path vs a conventional
multi-step spiking network of similar size trained with BPTT over T (built from ``hf_spiking.snn.LIFNeuron``).

For T in {4, 8, 16} and each setting (``trevsnn-small`` at 224x224, batch 2; ``trevsnn-tiny`` at 32x32, batch 2) it
measures one training step (forward + backward):

* **saved bytes**: what autograd keeps for backward after the forward pass (saved-tensor hooks), in distinct
  storages, split into *activations* (values computed from the input batch) and *weight-derived* tensors (computed
  from the weights alone, e.g. a standardised weight); the model's own parameters and buffers are not counted;
* **peak memory**: ``torch.cuda.max_memory_allocated`` on a GPU, else the peak of the CPU allocator events recorded by
  ``torch.profiler(profile_memory=True)``, both relative to the memory held before the step;
* **step time**: median wall time of ``--repeats`` steps after one warm-up.

Targets (issue): retained activations at T = 4 at least 13x below the plain path and 8.6x below BPTT; each extra
column adds at most 1/20 of what it adds on the plain path (measured over the whole range of T); reversible step time
at most 1.5x the plain path. It also prints the inference energy per 224x224 image of ``trevsnn-small`` and of the
BPTT baseline at T = 4 (``hf_spiking.energy.estimate_energy``, random weights) under both conventions, next to the
paper's 2.8 mJ and its 1.6x claim. The JSON is rewritten after every row, so a stopped run keeps what it measured.

    python scripts/benchmarks/bench_trevsnn_memory.py --output outputs/bench_trevsnn_memory.json
    python scripts/benchmarks/bench_trevsnn_memory.py --settings tiny --columns 4 8   # quick
    python scripts/benchmarks/bench_trevsnn_memory.py --settings small --columns 4 8 16 --interleave 5   # step times
    python scripts/benchmarks/bench_trevsnn_memory.py --energy-only   # the energy rows alone

``--interleave N`` times N rounds of one training step of each mode in turn (reversible, plain, BPTT), so that a
changing load affects all alike: run it on an otherwise idle machine.

The table is printed: it is this program's output.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils._pytree import tree_leaves
from torch.utils._python_dispatch import TorchDispatchMode

import hf_spiking
from hf_spiking.snn import LIFNeuron, fold_time, unfold_time

SETTINGS = {"small": ("trevsnn-small", 224), "tiny": ("trevsnn-tiny", 32)}
BATCH_SIZE = 2
MB = 2**20


class _SpikingConv(nn.Module):
    """``[T, B, C, H, W]`` -> LIF -> conv (time folded) -> optional BatchNorm."""

    def __init__(self, conv: nn.Conv2d, norm: bool = False):
        super().__init__()
        self.lif = LIFNeuron(tau=2.0, surrogate="atan")
        self.conv = conv
        self.norm = nn.BatchNorm2d(conv.out_channels) if norm else nn.Identity()

    def forward(self, x):
        return unfold_time(self.norm(self.conv(fold_time(self.lif(x)))), x.shape[0])


class _BPTTBlock(nn.Module):
    """The T-RevSNN block with LIF neurons instead of the stateless quantiser, run over T with BPTT."""

    def __init__(self, channels: int, kernel_size: int):
        super().__init__()
        hidden = 4 * channels
        self.first = _SpikingConv(nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels))
        self.pw1 = nn.Conv2d(channels, hidden, 1)
        self.second = _SpikingConv(nn.Conv2d(hidden, channels, 1))
        self.dw2 = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)

    def forward(self, x):
        h = unfold_time(self.pw1(fold_time(self.first(x))), x.shape[0])
        h = self.second(h)
        return x + unfold_time(self.dw2(fold_time(h)), x.shape[0])


class BPTTSpikingConvNet(nn.Module):
    """A conventional multi-step spiking ConvNeXt-style network: the same stem and channel widths as T-RevSNN, a
    stack of ``depth`` LIF blocks per stage, the static stem output repeated over T, trained with BPTT."""

    def __init__(self, hidden_sizes, kernel_size: int, depth: int, num_labels: int, time_steps: int):
        super().__init__()
        self.time_steps = time_steps
        c0 = hidden_sizes[0]
        self.stem = nn.Sequential(nn.Conv2d(3, c0, 7, 2, 3), nn.Conv2d(c0, c0, 3, 2, 1))
        stages = []
        for level, channels in enumerate(hidden_sizes):
            layers = []
            if level > 0:
                stride, k = (1, 1) if level == 3 else (2, 3)
                layers.append(_SpikingConv(nn.Conv2d(hidden_sizes[level - 1], channels, k, stride, k // 2, bias=False), norm=True))
            layers += [_BPTTBlock(channels, kernel_size) for _ in range(depth)]
            stages.append(nn.Sequential(*layers))
        self.stages = nn.Sequential(*stages)
        self.head_lif = LIFNeuron(tau=2.0, surrogate="atan")
        self.head = nn.Linear(hidden_sizes[-1], num_labels)

    def forward(self, pixel_values, labels=None):
        x = self.stem(pixel_values).unsqueeze(0).expand(self.time_steps, -1, -1, -1, -1)
        x = self.head_lif(self.stages(x))
        logits = self.head(x.mean(dim=(-2, -1))).mean(0)
        return F.cross_entropy(logits, labels)


def bptt_baseline(config, time_steps: int) -> BPTTSpikingConvNet:
    """The baseline depth whose parameter count is closest to the T-RevSNN model's (auxiliary heads excluded)."""
    def build(depth):
        return BPTTSpikingConvNet(config.hidden_sizes, config.kernel_size, depth, config.num_labels, time_steps)

    with torch.device("meta"):  # parameter counts only
        target = sum(p.numel() for p in hf_spiking.TRevSNNModel(config).parameters())
        sizes = {depth: sum(p.numel() for p in build(depth).parameters()) for depth in range(1, 9)}
    return build(min(sizes, key=lambda depth: abs(sizes[depth] - target)))


class _InputDependence(TorchDispatchMode):
    """Tracks which storages hold values computed from the input batch: an operation's outputs depend on the input
    when any of its tensor arguments does. Out-of-place outputs are fresh storages, so their mark is overwritten
    (a freed address may be reused); in-place outputs alias an argument, so they keep its mark."""

    def __init__(self, inputs):
        super().__init__()
        self.dependent = {t.untyped_storage().data_ptr() for t in inputs}

    def depends_on_input(self, tensor: torch.Tensor) -> bool:
        return tensor.untyped_storage().data_ptr() in self.dependent

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        arguments = [t for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        dependent = any(self.depends_on_input(t) for t in arguments)
        for tensor in tree_leaves(out):
            if isinstance(tensor, torch.Tensor) and tensor.untyped_storage().nbytes():
                pointer = tensor.untyped_storage().data_ptr()
                if dependent:
                    self.dependent.add(pointer)
                else:
                    self.dependent.discard(pointer)
        return out


def saved_bytes(step_forward, model: nn.Module, inputs) -> dict:
    """Memory autograd keeps for backward after ``step_forward()``, from saved-tensor hooks, in distinct storages
    (a saved view keeps its whole storage alive; several views of one storage count once):

    * ``activation``: storages whose values depend on the input batch (tracked by :class:`_InputDependence`);
    * ``weight_derived``: other saved storages that are not the model's own parameters or buffers, i.e. computed
      from the weights alone (e.g. a standardised weight) - retained memory, but not activations;
    * the model's parameters and buffers (saved by reference, no extra memory) are not counted.
    """
    model_storages = {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}
    kinds = {}
    tracker = _InputDependence(inputs)

    def pack(tensor):
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in model_storages and storage.nbytes():
            kind = "activation" if tracker.depends_on_input(tensor) else "weight_derived"
            kinds[storage.data_ptr()] = (kind, storage.nbytes())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), tracker:
        loss = step_forward()
    del loss
    return {kind: sum(n for k, n in kinds.values() if k == kind) for kind in ("activation", "weight_derived")}


def peak_step_memory(step, device: torch.device) -> int:
    """Peak bytes allocated during ``step()`` above what was allocated before it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        base = torch.cuda.memory_allocated(device)
        torch.cuda.reset_peak_memory_stats(device)
        step()
        torch.cuda.synchronize(device)
        return torch.cuda.max_memory_allocated(device) - base
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step()
    # The raw allocator events: the aggregated `prof.events()` attributes most allocations to their operators.
    deltas = sorted((e.start_ns(), e.nbytes()) for e in prof.profiler.kineto_results.events() if e.name() == "[memory]")
    current = peak = 0
    for _, delta in deltas:
        current += delta
        peak = max(peak, current)
    return peak


def measure(model, pixel_values, labels, device, repeats: int, peak: bool = True) -> dict:
    model.to(device).train()

    def forward():
        out = model(pixel_values, labels=labels)
        return out if isinstance(out, torch.Tensor) else out.loss

    def step():
        forward().backward()
        model.zero_grad(set_to_none=True)

    saved = saved_bytes(forward, model, (pixel_values, labels))
    result = {"saved_mb": saved["activation"] / MB, "weight_derived_mb": saved["weight_derived"] / MB}
    # The first full step (parameter gradients allocated in it) is the profiled one and warms up the timed steps.
    if peak:
        result["peak_mb"] = peak_step_memory(step, device) / MB
    else:
        result["peak_mb"] = None
        if repeats:
            step()
    result["parameter_mb"] = sum(p.numel() * p.element_size() for p in model.parameters()) / MB
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    result["step_s"] = statistics.median(times) if times else None
    result["load_average"] = os.getloadavg()[0]
    result["parameters"] = sum(p.numel() for p in model.parameters())
    model.to("cpu")
    return result


def build_mode(preset: str, columns: int, mode: str) -> nn.Module:
    """The T-RevSNN model (``reversible`` or ``plain``) or the BPTT baseline (``bptt``) for ``columns`` steps."""
    torch.manual_seed(0)
    if mode == "bptt":
        return bptt_baseline(hf_spiking.get_config(preset), columns)
    return hf_spiking.create_model(preset, num_columns=columns, reversible=mode == "reversible")


def interleaved_step_times(preset: str, columns: int, pixel_values, labels, device, repeats: int,
                           modes=("reversible", "plain", "bptt")) -> dict:
    """One training step of each mode in turn, ``repeats`` rounds (after one warm-up step each), so that a changing
    load on a shared machine affects all alike; returns each mode's median and the median per-round ratio of the
    reversible step to each other mode's."""
    models = {mode: build_mode(preset, columns, mode).to(device).train() for mode in modes}

    def step(model):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        out = model(pixel_values, labels=labels)
        (out if isinstance(out, torch.Tensor) else out.loss).backward()
        model.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    for model in models.values():
        step(model)
    rounds = [{mode: step(model) for mode, model in models.items()} for _ in range(repeats)]
    result = {f"{mode}_s": statistics.median(r[mode] for r in rounds) for mode in modes}
    for mode in modes:
        if mode != "reversible" and "reversible" in modes:
            result[f"ratio_to_{mode}"] = statistics.median(r["reversible"] / r[mode] for r in rounds)
    return {**result, "rounds": rounds, "load_average": os.getloadavg()[0]}


def _format_s(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def _format_mb(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def energy_rows(columns: int = 4) -> dict:
    """Inference energy per 224x224 image of ``trevsnn-small`` and of the BPTT baseline (T = ``columns``) under both
    conventions of :func:`hf_spiking.energy.estimate_energy`, with random weights (no checkpoint is released, so the
    firing rates are those of random weights)."""
    from hf_spiking.energy import CONVENTIONS, estimate_energy

    torch.manual_seed(0)
    pixel_values = torch.randn(1, 3, 224, 224)
    inputs = {"pixel_values": pixel_values, "labels": torch.zeros(1, dtype=torch.long)}
    rows = {}
    for mode in ("reversible", "bptt"):
        model = build_mode("trevsnn-small", columns, mode).eval()
        for convention in CONVENTIONS:
            report = estimate_energy(model, inputs, convention=convention)
            rows[f"{mode}_{convention}"] = {
                "energy_mj": report.total_energy_mj, "mac_energy_mj": report.mac_energy_mj,
                "ac_energy_mj": report.ac_energy_mj, "mean_firing_rate": report.mean_firing_rate,
            }
    for convention in CONVENTIONS:
        rows[f"bptt_over_trevsnn_{convention}"] = rows[f"bptt_{convention}"]["energy_mj"] / rows[f"reversible_{convention}"]["energy_mj"]
    return {"columns": columns, "paper_mj": 2.8, "paper_ratio_vs_spike_driven_transformer": 1.6,
            "firing_rates": "random weights (no trained checkpoint)", **rows}


def _print_row(row: dict) -> None:
    print(f"| {row['preset']} {row['image_size']}px | {row['columns']} | {row['mode']} | {row['parameters'] / 1e6:.1f} M "
          f"| {row['saved_mb']:.2f} | {row['weight_derived_mb']:.2f} | {_format_mb(row['peak_mb'])} | {_format_s(row['step_s'])} |",
          flush=True)


def _print_energy(energy: dict) -> None:
    for convention in ("measured", "paper"):
        rev, bptt = energy[f"reversible_{convention}"], energy[f"bptt_{convention}"]
        print(f"energy per 224x224 image, {convention} convention (random weights): trevsnn-small "
              f"{rev['energy_mj']:.2f} mJ (MAC {rev['mac_energy_mj']:.2f}), BPTT T = {energy['columns']} "
              f"{bptt['energy_mj']:.2f} mJ (MAC {bptt['mac_energy_mj']:.2f}); BPTT / T-RevSNN "
              f"{energy[f'bptt_over_trevsnn_{convention}']:.2f} (paper: 2.8 mJ, 1.6x vs Spike-driven Transformer)",
              flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--columns", nargs="+", type=int, default=[4, 8, 16])
    parser.add_argument("--modes", nargs="+", default=["reversible", "plain", "bptt"], choices=["reversible", "plain", "bptt"])
    parser.add_argument("--repeats", type=int, default=2, help="timed steps (0 with --no-peak: saved bytes only)")
    parser.add_argument("--no-energy", action="store_true")
    parser.add_argument("--energy-only", action="store_true", help="only the energy rows (no training steps)")
    parser.add_argument("--no-peak", action="store_true", help="skip the (slow on CPU) profiler peak measurement")
    parser.add_argument("--output", default="outputs/bench_trevsnn_memory.json")
    parser.add_argument("--interleave", type=int, default=0, metavar="N",
                        help="only time N alternating reversible/plain step pairs per setting and T (no memory)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="summarise the rows of earlier runs (e.g. settings or T measured in separate processes) "
                        "instead of measuring")
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> dict:
    args = parse_arguments(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if args.energy_only:
        energy = energy_rows()
        _print_energy(energy)
        output.write_text(json.dumps({"energy": energy, "complete": True}, indent=2))
        return {"energy": energy}
    if args.interleave:
        timings = []
        for setting in args.settings:
            preset, size = SETTINGS[setting]
            torch.manual_seed(0)
            pixel_values = torch.randn(BATCH_SIZE, 3, size, size, device=device)
            labels = torch.randint(0, 1000, (BATCH_SIZE,), device=device)
            for columns in args.columns:
                timing = {"setting": setting, "preset": preset, "image_size": size, "columns": columns,
                          **interleaved_step_times(preset, columns, pixel_values, labels, device, args.interleave,
                                                   args.modes)}
                timings.append(timing)
                times = ", ".join(f"{mode} {timing[f'{mode}_s']:.2f} s" for mode in args.modes)
                ratios = ", ".join(f"{k} {v:.2f}" for k, v in timing.items() if k.startswith("ratio_to_"))
                print(f"{preset} {size}px T = {columns}: {times}; {ratios} (load {timing['load_average']:.1f})", flush=True)
                output.write_text(json.dumps({"device": str(device), "interleaved_timing": timings}, indent=2))
        return {"interleaved_timing": timings}
    rows = []
    print("| setting | T | mode | params | activations MB | weight-derived MB | peak MB | step s |\n"
          "|---|---|---|---|---|---|---|---|", flush=True)
    if args.merge:
        merged = [json.loads(path.read_text()) for path in args.merge]
        rows = [row for run in merged for row in run.get("rows", [])]
        timings = [timing for run in merged for timing in run.get("interleaved_timing", [])]
        args.settings = list(dict.fromkeys(row["setting"] for row in rows))
        args.columns = sorted({row["columns"] for row in rows})
        for row in rows:
            _print_row(row)
    for setting in args.settings if not args.merge else []:
        preset, size = SETTINGS[setting]
        torch.manual_seed(0)
        pixel_values = torch.randn(BATCH_SIZE, 3, size, size, device=device)
        labels = torch.randint(0, 1000, (BATCH_SIZE,), device=device)
        for columns in args.columns:
            for mode in args.modes:
                model = build_mode(preset, columns, mode)
                row = {"setting": setting, "preset": preset, "image_size": size, "batch_size": BATCH_SIZE,
                       "columns": columns, "mode": mode, **measure(model, pixel_values, labels, device, args.repeats, not args.no_peak)}
                del model
                rows.append(row)
                # Written after every row, so a long run that is stopped keeps what it measured.
                output.write_text(json.dumps({"device": str(device), "rows": rows, "complete": False}, indent=2))
                _print_row(row)

    def get(setting, columns, mode, key):
        return next((r[key] for r in rows if (r["setting"], r["columns"], r["mode"]) == (setting, columns, mode)), None)

    def retained(setting, columns, mode):
        return get(setting, columns, mode, "saved_mb") + get(setting, columns, mode, "weight_derived_mb")

    checks = {}
    for setting in args.settings:
        rev4, plain4, bptt4 = (get(setting, 4, m, "saved_mb") for m in ("reversible", "plain", "bptt"))
        summary = {}
        if rev4 and plain4:
            summary["saved_ratio_plain_T4"] = plain4 / rev4
            summary["retained_ratio_plain_T4"] = retained(setting, 4, "plain") / retained(setting, 4, "reversible")
            if get(setting, 4, "reversible", "step_s") and get(setting, 4, "plain", "step_s"):
                summary["step_time_ratio_T4"] = get(setting, 4, "reversible", "step_s") / get(setting, 4, "plain", "step_s")
        if rev4 and bptt4:
            summary["saved_ratio_bptt_T4"] = bptt4 / rev4
            summary["retained_ratio_bptt_T4"] = retained(setting, 4, "bptt") / retained(setting, 4, "reversible")
        if get(setting, 4, "reversible", "peak_mb") and get(setting, 4, "plain", "peak_mb"):
            summary["peak_ratio_plain_T4"] = get(setting, 4, "plain", "peak_mb") / get(setting, 4, "reversible", "peak_mb")
        # Growth per column over the whole measured range of T.
        col = [min(args.columns), max(args.columns)]
        if col[1] > col[0] and all(get(setting, c, m, "saved_mb") is not None for c in col for m in ("reversible", "plain")):
            per_rev = (get(setting, col[1], "reversible", "saved_mb") - get(setting, col[0], "reversible", "saved_mb")) / (col[1] - col[0])
            per_plain = (get(setting, col[1], "plain", "saved_mb") - get(setting, col[0], "plain", "saved_mb")) / (col[1] - col[0])
            summary["saved_mb_per_column_reversible"] = per_rev
            summary["saved_mb_per_column_plain"] = per_plain
            summary["per_column_fraction"] = per_rev / per_plain
        summary["targets"] = {"saved_ratio_plain_T4": ">= 13", "saved_ratio_bptt_T4": ">= 8.6",
                              "per_column_fraction": "<= 0.05", "step_time_ratio_T4": "<= 1.5"}
        checks[setting] = summary
        print(f"{setting}: " + ", ".join(f"{k} = {v:.3g}" for k, v in summary.items() if isinstance(v, float)))

    energy = None if args.no_energy else energy_rows()
    if energy:
        _print_energy(energy)
    result = {"device": str(device), "torch_threads": torch.get_num_threads(), "repeats": args.repeats,
              "load_average_end": os.getloadavg(), "rows": rows, "summary": checks, "energy": energy}
    if args.merge:
        result["merged_from"] = [str(path) for path in args.merge]
        result["interleaved_timing"] = timings
    output.write_text(json.dumps({**result, "complete": True}, indent=2))
    return result


__all__ = []


if __name__ == "__main__":
    main()
