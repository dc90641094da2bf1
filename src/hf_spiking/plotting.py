"""matplotlib for the jobs that draw plots: an optional dependency (the ``dev`` extra), so that the library itself
installs and runs without it."""

from __future__ import annotations

import importlib.util


def require_matplotlib(purpose: str) -> None:
    """Raises a clear ImportError naming ``purpose`` when matplotlib is missing (call it before the long work that
    ends with the plot, so that a run fails at once, not after hours)."""
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(f"{purpose}: pip install matplotlib (or the dev extra)")


def agg_pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend: the jobs only write image files, and Agg needs no
    display (servers, CI)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


__all__ = ["agg_pyplot", "require_matplotlib"]
