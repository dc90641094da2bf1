"""Checks shared by the benchmark tests."""

import json
import math
from pathlib import Path


def assert_positive(*values):
    for value in values:
        assert isinstance(value, (int, float)) and not isinstance(value, bool), value
        assert math.isfinite(value) and value > 0, value


def read_json(path: Path) -> dict:
    assert path.is_file(), f"{path} was not written"
    return json.loads(path.read_text())
