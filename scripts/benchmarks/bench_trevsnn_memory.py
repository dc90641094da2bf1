#!/usr/bin/env python
"""Training memory and speed of T-RevSNN: reversible columns vs the plain-autograd path vs a conventional
multi-step spiking network of similar size trained with BPTT over T (built from ``hf_spiking.snn.LIFNeuron``).

For T in {4, 8, 16} and each setting (``trevsnn-small`` at 224x224, batch 2; ``trevsnn-tiny`` at 32x32, batch 2) it
measures one training step (forward + backward):

* **saved bytes**: distinct tensors autograd keeps for backward after the forward pass (saved-tensor hooks),
  parameters excluded;
* **peak memory**: ``torch.cuda.max_memory_allocated`` on a GPU, else the peak of the CPU allocator events recorded by
  ``torch.profiler(profile_memory=True)``, both relative to the memory held before the step;
* **step time**: median wall time of ``--repeats`` steps after one warm-up.

Targets (issue): saved bytes at T = 4 at least 13x below the plain path and 8.6x below BPTT; each extra column adds at
most 1/20 of what it adds on the plain path; reversible step time at most 1.5x the plain path. It also prints the
energy estimate of ``trevsnn-small`` at 224x224 (``hf_spiking.energy.estimate_energy``) next to the paper's 2.8 mJ.

    python scripts/benchmarks/bench_trevsnn_memory.py --output outputs/bench_trevsnn_memory.json
    python scripts/benchmarks/bench_trevsnn_memory.py --settings tiny --columns 4 8   # quick
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

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


def saved_bytes(step_forward, model: nn.Module) -> int:
    """Bytes of the distinct activation tensors saved for backward by ``step_forward()``: views of one storage count
    once, and the model's own parameters (saved by reference, no extra memory) not at all."""
    seen = {}
    parameter_storages = {p.untyped_storage().data_ptr() for p in model.parameters()}

    def pack(tensor):
        if tensor.untyped_storage().data_ptr() in parameter_storages:
            return tensor
        key = (tensor.untyped_storage().data_ptr(), tensor.storage_offset(), tuple(tensor.shape), tensor.dtype)
        seen[key] = tensor.numel() * tensor.element_size()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = step_forward()
    del loss
    return sum(seen.values())


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
    deltas = sorted(
        (event.time_range.start, event.cpu_memory_usage) for event in prof.events() if event.name == "[memory]"
    )
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

    step()  # warm-up (and parameter gradients allocated once)
    result = {"saved_mb": saved_bytes(forward, model) / MB}
    result["peak_mb"] = peak_step_memory(step, device) / MB if peak else None
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    result["step_s"] = statistics.median(times)
    result["parameters"] = sum(p.numel() for p in model.parameters())
    model.to("cpu")
    return result


def _format_mb(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def energy_row(device) -> dict | None:
    try:
        from hf_spiking.energy import estimate_energy
    except ImportError:
        return None
    torch.manual_seed(0)
    model = hf_spiking.create_model("trevsnn-small").eval()
    report = estimate_energy(model, torch.randn(1, 3, 224, 224))
    return {
        "energy_mj": report.total_energy_mj,
        "mac_energy_mj": report.mac_energy_mj,
        "ac_energy_mj": report.ac_energy_mj,
        "mean_firing_rate": report.mean_firing_rate,
        "paper_mj": 2.8,
        "note": "random weights (no checkpoint is released); MACs of analog-input convs (stem, pwconv1, dwconv2) "
        "are charged as MACs, the paper folds the dw/pw pairs and counts them as ACs",
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--columns", nargs="+", type=int, default=[4, 8, 16])
    parser.add_argument("--modes", nargs="+", default=["reversible", "plain", "bptt"], choices=["reversible", "plain", "bptt"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-energy", action="store_true")
    parser.add_argument("--no-peak", action="store_true", help="skip the (slow on CPU) profiler peak measurement")
    parser.add_argument("--output", default="outputs/bench_trevsnn_memory.json")
    args = parser.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    rows = []
    print("| setting | T | mode | params | saved MB | peak MB | step s |\n|---|---|---|---|---|---|---|")
    for setting in args.settings:
        preset, size = SETTINGS[setting]
        torch.manual_seed(0)
        pixel_values = torch.randn(BATCH_SIZE, 3, size, size, device=device)
        labels = torch.randint(0, 1000, (BATCH_SIZE,), device=device)
        for columns in args.columns:
            for mode in args.modes:
                torch.manual_seed(0)
                if mode == "bptt":
                    model = bptt_baseline(hf_spiking.get_config(preset), columns)
                else:
                    model = hf_spiking.create_model(preset, num_columns=columns, reversible=mode == "reversible")
                row = {"setting": setting, "preset": preset, "image_size": size, "batch_size": BATCH_SIZE,
                       "columns": columns, "mode": mode, **measure(model, pixel_values, labels, device, args.repeats, not args.no_peak)}
                del model
                rows.append(row)
                print(f"| {preset} {size}px | {columns} | {mode} | {row['parameters'] / 1e6:.1f} M | {row['saved_mb']:.1f} "
                      f"| {_format_mb(row['peak_mb'])} | {row['step_s']:.2f} |", flush=True)

    def get(setting, columns, mode, key):
        return next((r[key] for r in rows if (r["setting"], r["columns"], r["mode"]) == (setting, columns, mode)), None)

    checks = {}
    for setting in args.settings:
        rev4, plain4, bptt4 = (get(setting, 4, m, "saved_mb") for m in ("reversible", "plain", "bptt"))
        summary = {}
        if rev4 and plain4:
            summary["saved_ratio_plain_T4"] = plain4 / rev4
            summary["step_time_ratio_T4"] = get(setting, 4, "reversible", "step_s") / get(setting, 4, "plain", "step_s")
        if rev4 and bptt4:
            summary["saved_ratio_bptt_T4"] = bptt4 / rev4
        col = sorted(args.columns)
        if len(col) > 1 and all(get(setting, c, m, "saved_mb") is not None for c in col[:2] for m in ("reversible", "plain")):
            per_rev = (get(setting, col[1], "reversible", "saved_mb") - get(setting, col[0], "reversible", "saved_mb")) / (col[1] - col[0])
            per_plain = (get(setting, col[1], "plain", "saved_mb") - get(setting, col[0], "plain", "saved_mb")) / (col[1] - col[0])
            summary["saved_mb_per_column_reversible"] = per_rev
            summary["saved_mb_per_column_plain"] = per_plain
            summary["per_column_fraction"] = per_rev / per_plain
        summary["targets"] = {"saved_ratio_plain_T4": ">= 13", "saved_ratio_bptt_T4": ">= 8.6",
                              "per_column_fraction": "<= 0.05", "step_time_ratio_T4": "<= 1.5"}
        checks[setting] = summary
        print(f"{setting}: " + ", ".join(f"{k} = {v:.3g}" for k, v in summary.items() if isinstance(v, float)))

    energy = None if args.no_energy else energy_row(device)
    if energy:
        print(f"energy trevsnn-small 224px: {energy['energy_mj']:.2f} mJ (MAC {energy['mac_energy_mj']:.2f}, "
              f"AC {energy['ac_energy_mj']:.2f}; paper 2.8 mJ)")
    result = {"device": str(device), "torch_threads": torch.get_num_threads(), "rows": rows, "summary": checks,
              "energy": energy}
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
