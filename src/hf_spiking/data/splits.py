"""Held-out splits taken from a training set (model and recipe choices are made on them, never on the test split)."""

from __future__ import annotations

import numpy as np


def stratified_split(labels, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Indices (train, validation): a seeded ``fraction`` of every class goes to validation (at least one item of each
    class that has two or more, none of a class with one)."""
    if not 0 < fraction < 1:
        raise ValueError(f"the validation fraction must lie in (0, 1), got {fraction}")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, validation = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        count = min(len(members) - 1, max(1, round(fraction * len(members)))) if len(members) > 1 else 0
        validation += members[:count].tolist()
        train += members[count:].tolist()
    return sorted(train), sorted(validation)


__all__ = ["stratified_split"]
