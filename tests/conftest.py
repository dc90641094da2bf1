"""Shared test set-up: offline hub, deterministic seeds and the golden fixtures folder."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# Idle OpenMP workers spin by default and starve the other process on 2-core machines (subprocess tests).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

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
