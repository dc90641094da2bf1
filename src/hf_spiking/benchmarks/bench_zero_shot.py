"""Throughput of the shipped zero-shot model (svl-default) and its ANN twin: clouds per second from 8192-point
clouds (feature extraction included: random sampling to the model's points), batch 1 and 16, and peak memory.

Target: the shipped model classifies a cloud in under 100 ms on 2 CPU cores at batch 16.

    python scripts/benchmarks/bench_zero_shot.py --threads 2 --output bench_zero_shot.json

The ANN twin is the same checkpoint with ``spike_activation="relu"`` (its throughput does not depend on the weights;
pass ``--ann-checkpoint`` to time trained ANN weights instead). ``OMP_WAIT_POLICY=PASSIVE`` is set unless already
set: spinning OpenMP workers multiply latency on a shared CPU. The load average is printed and stored with the results.
The table is printed: it is this program's output.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch starts its OpenMP runtime

import numpy as np  # noqa: E402
import torch  # noqa: E402

TARGET_MS_PER_CLOUD = 100.0


def load_models(ann_checkpoint: str | None):
    from hf_spiking.assets import default_model_path
    from hf_spiking.models.spiking_point_encoder import (
        SpikingPointEncoderForZeroShotClassification,
        SpikingPointFeatureExtractor,
    )

    path = default_model_path()
    snn = SpikingPointEncoderForZeroShotClassification.from_pretrained(path).eval()
    # The twin keeps the shipped folded head; a trained ANN checkpoint (pretraining or zero-shot) gives its encoder.
    ann = SpikingPointEncoderForZeroShotClassification.from_pretrained(path, spike_activation="relu").eval()
    if ann_checkpoint is not None:
        from safetensors.torch import load_file

        weights = load_file(f"{ann_checkpoint}/model.safetensors")
        encoder = {k: v for k, v in weights.items() if k.startswith("point_encoder.")}
        missing = [k for k in ann.state_dict() if k.startswith("point_encoder.") and k not in encoder]
        if missing:
            raise ValueError(f"{ann_checkpoint} lacks encoder weights, e.g. {missing[:3]}.")
        ann.load_state_dict(encoder, strict=False)
    return {"svl-default (SNN)": snn, "ANN twin (ReLU)": ann}, SpikingPointFeatureExtractor.from_pretrained(path)


def time_model(model, feature_extractor, clouds, batch_size: int, repeats: int) -> dict:
    """Median seconds per batch (feature extraction + forward) over ``repeats`` runs after one warm-up, and the
    process's peak resident memory so far (it never decreases: run order is SNN batch 1, 16, then the ANN)."""
    batch = clouds[:batch_size]
    timings = []
    for run in range(repeats + 1):
        started = time.perf_counter()
        with torch.inference_mode():
            point_values = feature_extractor(batch, return_tensors="pt")["point_values"]
            model(point_values)
        if run:
            timings.append(time.perf_counter() - started)
    seconds = float(np.median(timings))
    return {
        "batch_size": batch_size,
        "ms_per_batch": 1000 * seconds,
        "ms_per_cloud": 1000 * seconds / batch_size,
        "clouds_per_second": batch_size / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--points", type=int, default=8192, help="points per input cloud before sampling")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ann-checkpoint", help="folder of trained ANN-twin weights (default: the shipped weights)")
    parser.add_argument("--output", help="write the results as JSON here")
    return parser


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def main(argv=None) -> int:
    args = parse_arguments(argv)
    torch.set_num_threads(args.threads)

    from hf_spiking.data.synthetic_shapes import category_names, generate_instance

    clouds = [
        generate_instance(i % len(category_names()), seed=i, num_points=args.points, with_image=False).points
        for i in range(16)
    ]
    models, feature_extractor = load_models(args.ann_checkpoint)
    rows = []
    for name, model in models.items():
        for batch_size in (1, 16):
            rows.append({"model": name, **time_model(model, feature_extractor, clouds, batch_size, args.repeats)})
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    load_average = os.getloadavg()
    print(f"zero-shot 3D classification, {args.points}-point clouds -> {feature_extractor.num_points} points, "
          f"{args.threads} threads, load average {load_average[0]:.2f} {load_average[1]:.2f} {load_average[2]:.2f}")
    print(f"{'model':20s} {'batch':>5s} {'ms/batch':>9s} {'ms/cloud':>9s} {'clouds/s':>9s} {'peak RSS MiB':>12s}")
    for row in rows:
        print(f"{row['model']:20s} {row['batch_size']:5d} {row['ms_per_batch']:9.1f} {row['ms_per_cloud']:9.1f} "
              f"{row['clouds_per_second']:9.1f} {row['peak_rss_mib']:12.0f}")
    shipped_b16 = next(r for r in rows if r["model"].startswith("svl-default") and r["batch_size"] == 16)
    meets = shipped_b16["ms_per_cloud"] < TARGET_MS_PER_CLOUD
    print(f"process peak RSS {peak_rss_mib:.0f} MiB; target < {TARGET_MS_PER_CLOUD:.0f} ms per cloud at batch 16: "
          f"{'met' if meets else 'NOT met'} ({shipped_b16['ms_per_cloud']:.1f} ms)")
    if args.output:
        results = {"threads": args.threads, "points": args.points, "load_average": list(load_average),
                   "omp_wait_policy": os.environ["OMP_WAIT_POLICY"], "rows": rows, "peak_rss_mib": peak_rss_mib,
                   "target_ms_per_cloud": TARGET_MS_PER_CLOUD, "target_met": meets}
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=2)
    return 0


__all__ = []


if __name__ == "__main__":
    sys.exit(main())
