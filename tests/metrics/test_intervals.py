"""Confidence intervals for reported accuracies."""

import math

import pytest

from hf_spiking.metrics.intervals import mean_t_interval, wilson_interval


def test_wilson_interval_matches_the_closed_form():
    low, high = wilson_interval(40, 100)
    # Reference: Wilson score interval for 40/100 at z = 1.96 is [0.3094, 0.4980].
    assert math.isclose(low, 0.30938, abs_tol=1e-4) and math.isclose(high, 0.49804, abs_tol=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0


def test_mean_t_interval_matches_students_t():
    mean, low, high = mean_t_interval([1.0, 2.0, 3.0])  # s = 1, n = 3: half-width 4.303 / sqrt(3)
    assert mean == 2.0 and high - mean == pytest.approx(4.303 / 3**0.5) and mean - low == pytest.approx(high - mean)
    assert mean_t_interval([5.0, 5.0]) == (5.0, 5.0, 5.0)
    with pytest.raises(ValueError, match="at least 2 measurements, got 1"):
        mean_t_interval([1.0])
