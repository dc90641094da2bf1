"""LVC token budget, prefill latency and peak memory: dense M frames with window w vs sparse sampling of M/w frames.

A tiny-but-not-trivial random InternVL (Qwen2 text model) is wrapped in LVC. For each M in --frames and w in
--windows, one video question is run through a single prefill forward (no generation) in two ways, in the same run:

- ``dense``:  M frames encoded by the vision tower + projector, compressed by query attention to M/w pseudo-frames;
- ``sparse``: M/w frames encoded and passed uncompressed (w = 1), i.e. the VLM's usual sparse sampling.

Both reach the language model with exactly M/w x t visual tokens. Reported per run (median of --repeats):
``vision_ms`` (frame encoding), ``compress_ms`` (query pooling + window attention), ``lm_prefill_ms`` (merging the
tokens and the language model's prefill over the whole prompt), ``prefill_ms`` = compress + LM prefill (the cost LVC
adds to / saves in the language model), ``total_ms`` = everything, and ``peak_mem_mb`` (CUDA: peak allocated; CPU:
peak RSS growth, sampled every millisecond). Targets checked: tokens == M/w x t for every run, and for w = 8, M = 64:
dense ``prefill_ms`` <= 1.25 x sparse ``prefill_ms`` (dense encoding of 8x more frames is reported separately in
``vision_ms`` / ``total_ms``).

Run from the command line (``main()`` without ``argv``), the program re-executes itself once with
``MALLOC_MMAP_THRESHOLD_`` set on Linux, so glibc returns freed tensor memory to the OS and RSS growth follows the
live tensors instead of the allocator's cache, and it exits with status 1 when a run's visual tokens differ from
M/w x t. The table is printed: it is this program's output.

    python scripts/benchmarks/bench_lvc.py --output bench_lvc.json
    python -m hf_spiking.benchmarks.bench_lvc --output bench_lvc.json
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import torch


class PeakMemory:
    """Peak memory growth during a block: CUDA allocator peak, or process RSS sampled every millisecond on CPU."""

    def __init__(self, device: torch.device):
        self.device = device
        self.peak_mb = 0.0

    def __enter__(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self._base = torch.cuda.memory_allocated()
        else:
            import psutil

            self._process = psutil.Process()
            self._base = self._process.memory_info().rss
            self._peak = self._base
            self._running = True
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while self._running:
            self._peak = max(self._peak, self._process.memory_info().rss)
            time.sleep(0.001)

    def __exit__(self, *exc):
        if self.device.type == "cuda":
            torch.cuda.synchronize()
            self.peak_mb = (torch.cuda.max_memory_allocated() - self._base) / 2**20
        else:
            self._running = False
            self._thread.join()
            self._peak = max(self._peak, self._process.memory_info().rss)
            self.peak_mb = (self._peak - self._base) / 2**20
        return False


def build_model(args, device):
    from hf_spiking.data.synthetic_videos.tokenizer import build_lvc_test_tokenizer
    from hf_spiking.models.lvc import LVCConfig, LVCForVideoQA
    from hf_spiking.models.lvc.presets import tiny_internvl_config

    tokenizer = build_lvc_test_tokenizer()
    vlm_config = tiny_internvl_config(
        len(tokenizer), tokenizer.context_image_token_id, hidden_size=args.text_hidden, num_hidden_layers=args.text_layers,
        vision_hidden_size=args.vision_hidden, vision_layers=args.vision_layers, image_size=args.image_size,
        patch_size=args.patch_size, num_attention_heads=args.text_heads, num_key_value_heads=2,
        max_position_embeddings=65536,
    )
    config = LVCConfig(vlm_config=vlm_config, num_frames=max(args.frames), window_size=1)
    model = LVCForVideoQA(config).to(device=device, dtype=args.dtype).eval()
    return model, tokenizer


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def run_prefill(model, tokenizer, num_frames: int, window_size: int, args, device) -> dict:
    """One prefill forward with timings of its three stages."""
    t = model.tokens_per_frame
    question = tokenizer("what is the cat doing ?", add_special_tokens=False, return_tensors="pt")["input_ids"].to(device)
    frame_ids = tokenizer("Frame 1 : <img>", add_special_tokens=False)["input_ids"]
    end_ids = tokenizer("</img>", add_special_tokens=False)["input_ids"]
    pseudo_frames = num_frames // window_size
    ids = []
    for _ in range(pseudo_frames):
        ids += frame_ids + [tokenizer.context_image_token_id] * t + end_ids
    input_ids = torch.tensor([ids + question[0].tolist()], device=device)
    pixel_values = torch.randn(1, num_frames, 3, args.image_size, args.image_size, device=device, dtype=args.dtype)
    model.compressor.window_size = window_size  # the compressor is parameter-free: any w reuses the same weights

    timings = {}
    with torch.inference_mode():
        synchronize(device)
        start = time.perf_counter()
        frame_tokens = model.backbone.encode_frames(model, pixel_values.flatten(0, 1))
        frame_tokens = frame_tokens.reshape(1, num_frames, *frame_tokens.shape[1:])
        synchronize(device)
        timings["vision_ms"] = (time.perf_counter() - start) * 1e3
        start = time.perf_counter()
        video_features = model.compressor(frame_tokens, model.get_query(question))
        synchronize(device)
        timings["compress_ms"] = (time.perf_counter() - start) * 1e3
        start = time.perf_counter()
        out = model(input_ids=input_ids, video_features=video_features, logits_to_keep=1, use_cache=True)
        synchronize(device)
        timings["lm_prefill_ms"] = (time.perf_counter() - start) * 1e3
    timings["prefill_ms"] = timings["compress_ms"] + timings["lm_prefill_ms"]
    timings["total_ms"] = timings["vision_ms"] + timings["prefill_ms"]
    timings["visual_tokens"] = int(video_features.shape[1] * video_features.shape[2])
    timings["prompt_tokens"] = int(input_ids.shape[1])
    del out
    return timings


def measure(model, tokenizer, configurations, args, device) -> list[dict]:
    """Median over ``--repeats`` of each (frames, window) configuration; the configurations are run alternately within
    each repeat so that load from other processes affects all of them alike."""
    for frames, window in configurations:  # warm-up
        run_prefill(model, tokenizer, frames, window, args, device)
    runs = [[] for _ in configurations]
    for _ in range(args.repeats):
        for index, (frames, window) in enumerate(configurations):
            with PeakMemory(device) as memory:
                result = run_prefill(model, tokenizer, frames, window, args, device)
            runs[index].append({**result, "peak_mem_mb": memory.peak_mb})
    return [{key: statistics.median(run[key] for run in config_runs) for key in config_runs[0]} for config_runs in runs]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--windows", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--patch-size", type=int, default=8)
    parser.add_argument("--vision-hidden", type=int, default=192)
    parser.add_argument("--vision-layers", type=int, default=4)
    parser.add_argument("--text-hidden", type=int, default=384)
    parser.add_argument("--text-layers", type=int, default=6)
    parser.add_argument("--text-heads", type=int, default=6)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1: steadier on shared machines)")
    parser.add_argument("--output", type=Path, default=Path("bench_lvc.json"))
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse_args(argv)
    args.dtype = getattr(torch, args.dtype)
    return args


def _reexecute_with_mmap_threshold() -> None:
    """Start this very command again (``sys.orig_argv``: a script path or ``-m`` module alike) with glibc's
    ``MALLOC_MMAP_THRESHOLD_`` set, unless it already is."""
    if sys.platform.startswith("linux") and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        environment = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "65536"}
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], environment)


def main(argv=None) -> dict:
    command_line = argv is None
    if command_line:
        _reexecute_with_mmap_threshold()
    args = parse_arguments(argv)
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)

    model, tokenizer = build_model(args, device)
    t = model.tokens_per_frame
    rows = []
    header = (f"{'M':>4} {'w':>2} {'mode':>6} {'frames':>6} {'tokens':>7} {'vision_ms':>10} {'compress_ms':>11} "
              f"{'lm_ms':>9} {'prefill_ms':>10} {'total_ms':>9} {'peak_MB':>8}")
    print(f"device={device} dtype={args.dtype} tokens/frame t={t} "
          f"params={sum(p.numel() for p in model.parameters()) / 1e6:.1f}M")
    print(header, flush=True)
    for num_frames in args.frames:
        for window_size in args.windows:
            if num_frames % window_size:
                continue
            modes = [("dense", num_frames, window_size)]
            if window_size > 1:  # with w = 1 the sparse run would be identical to the dense one
                modes.append(("sparse", num_frames // window_size, 1))
            results = measure(model, tokenizer, [(frames, window) for _, frames, window in modes], args, device)
            for (mode, frames, _), result in zip(modes, results):
                row = {"M": num_frames, "w": window_size, "mode": mode, "frames_encoded": frames, **result,
                       "expected_tokens": num_frames // window_size * t}
                rows.append(row)
                print(f"{num_frames:>4} {window_size:>2} {mode:>6} {frames:>6} {row['visual_tokens']:>7} "
                      f"{row['vision_ms']:>10.1f} {row['compress_ms']:>11.2f} {row['lm_prefill_ms']:>9.1f} "
                      f"{row['prefill_ms']:>10.1f} {row['total_ms']:>9.1f} {row['peak_mem_mb']:>8.1f}", flush=True)

    tokens_exact = all(row["visual_tokens"] == row["expected_tokens"] for row in rows)
    targets = {"tokens_exactly_M_over_w_times_t": tokens_exact}
    dense = next((r for r in rows if (r["M"], r["w"], r["mode"]) == (64, 8, "dense")), None)
    sparse = next((r for r in rows if (r["M"], r["w"], r["mode"]) == (64, 8, "sparse")), None)
    if dense and sparse:
        ratio = dense["prefill_ms"] / sparse["prefill_ms"]
        targets.update(
            prefill_ratio_w8_m64_vs_8_sparse=ratio,
            prefill_ratio_target_met=ratio <= 1.25,
            total_ratio_w8_m64_vs_8_sparse=dense["total_ms"] / sparse["total_ms"],
        )
    print("targets:", json.dumps(targets))
    results = {"device": str(device), "dtype": str(args.dtype), "tokens_per_frame": t,
               "config": {k: v for k, v in vars(args).items() if k not in ("dtype", "output")}, "rows": rows,
               "targets": targets}
    args.output.write_text(json.dumps(results, indent=2))
    if command_line and not tokens_exact:
        sys.exit(1)
    return results


__all__ = []


if __name__ == "__main__":
    main()
