"""Fixtures shared by the SVL tests: the conversion script as a module and the PointFormer fixture's settings."""

import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def svl_convert():
    """scripts/convert_svl_original_to_hf.py imported as a module."""
    spec = importlib.util.spec_from_file_location(
        "convert_svl_original_to_hf", REPO_ROOT / "scripts" / "convert_svl_original_to_hf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pointformer_small_overrides():
    """The fixture's grouping/head settings, which are not stored in its weights."""
    return {"num_groups": 16, "group_size": 8, "num_attention_heads": 3}
