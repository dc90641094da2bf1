"""Confidence intervals for reported accuracies."""

from __future__ import annotations

import math


def wilson_interval(correct: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95 % for the default ``z``), as fractions in [0, 1]."""
    if total == 0:
        return (0.0, 1.0)
    p = correct / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


# Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom (beyond 30 the normal quantile is within 4 %).
_T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
          2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def mean_t_interval(values: list[float]) -> tuple[float, float, float]:
    """(mean, low, high): the mean of a few measurements (e.g. one per seed) and its 95 % Student-t interval."""
    values = [float(value) for value in values]
    if len(values) < 2:
        raise ValueError(f"A t interval needs at least 2 measurements, got {len(values)}.")
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((value - mean) ** 2 for value in values) / (len(values) - 1))
    degrees = len(values) - 1
    half = (_T_975[degrees - 1] if degrees <= len(_T_975) else 1.96) * spread / math.sqrt(len(values))
    return mean, mean - half, mean + half


__all__ = ["mean_t_interval", "wilson_interval"]
