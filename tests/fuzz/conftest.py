"""Hypothesis profiles of the fuzzing suite: "ci" (default, 25 examples per property) and "long" (500 each), picked
with HF_SPIKING_FUZZ_PROFILE. Each example has a deadline, so a hang fails the run instead of stalling it."""

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

_COMMON = {"deadline": timedelta(seconds=5), "suppress_health_check": [HealthCheck.too_slow], "derandomize": False}
settings.register_profile("ci", max_examples=25, **_COMMON)
settings.register_profile("long", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("HF_SPIKING_FUZZ_PROFILE", "ci"))
