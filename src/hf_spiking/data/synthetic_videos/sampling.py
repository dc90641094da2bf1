"""Which frames uniform sampling picks, and whether they show the events a question's answer depends on."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np

# One sampling rule for the corpus and the LVC processor (InternVL's bin middles); it lives with the processor, whose
# file must stay self-contained for trust_remote_code.
from ...models.lvc.processing_lvc import uniform_frame_indices

# Least number of sampled frames inside every relevant event for the answer to be readable from the samples:
# a direction needs two positions of the moving object, every other type one sight of each event.
REQUIRED_HITS: dict[str, int] = {"needle": 1, "order": 1, "count": 1, "direction": 2}


def evidence_hits(event_spans: Sequence[Sequence[int]], frame_indices: Iterable[int]) -> list[int]:
    """Number of sampled frames that fall inside each ``[start, stop)`` event span."""
    indices = np.asarray(list(frame_indices))
    return [int(np.count_nonzero((indices >= start) & (indices < stop))) for start, stop in event_spans]


def evidence_visible(example: Mapping[str, Any], frame_indices: Iterable[int]) -> bool:
    """Whether the sampled frames show every event the answer depends on (``REQUIRED_HITS`` frames each)."""
    required = REQUIRED_HITS[example["question_type"]]
    return all(hits >= required for hits in evidence_hits(example["event_spans"], frame_indices))


def coverage_by_num_frames(examples: Iterable[Mapping[str, Any]], sample_counts: Sequence[int] = (8, 16, 32, 64, 128)):
    """Fraction of questions whose evidence is visible with N uniform frames, per question type and ``"all"``."""
    totals: dict[str, dict[int, list[bool]]] = {}
    for example in examples:
        for count in sample_counts:
            seen = evidence_visible(example, uniform_frame_indices(example["num_frames"], count))
            for key in (example["question_type"], "all"):
                totals.setdefault(key, {}).setdefault(count, []).append(seen)
    return {key: {count: float(np.mean(flags)) for count, flags in per.items()} for key, per in totals.items()}


__all__ = ["REQUIRED_HITS", "coverage_by_num_frames", "evidence_hits", "evidence_visible", "uniform_frame_indices"]
