"""Confidence intervals for reported accuracies."""

import math

from hf_spiking.metrics.intervals import wilson_interval


def test_wilson_interval_matches_the_closed_form():
    low, high = wilson_interval(40, 100)
    # Reference: Wilson score interval for 40/100 at z = 1.96 is [0.3094, 0.4980].
    assert math.isclose(low, 0.30938, abs_tol=1e-4) and math.isclose(high, 0.49804, abs_tol=1e-4)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
