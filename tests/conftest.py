"""Shared test set-up: offline hub, deterministic seeds and the golden fixtures folder."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = REPO_ROOT.parent / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``../shared/fixtures`` (golden outputs of the official implementations); skips the test when it is absent."""
    if not FIXTURES_DIR.is_dir():
        pytest.skip(f"golden fixtures folder {FIXTURES_DIR} is absent (it exists only beside this repo's CI checkout)")
    return FIXTURES_DIR
