"""Offline `evaluate` metric scripts shipped with hf_spiking (``evaluate.load("accuracy")`` needs the network)."""

from pathlib import Path

_METRICS_DIR = Path(__file__).resolve().parent


def accuracy_metric_path() -> str:
    """Folder of the vendored accuracy metric, for ``evaluate.load(accuracy_metric_path())``."""
    return str(_METRICS_DIR / "accuracy")


__all__ = ["accuracy_metric_path"]
