"""Shared test set-up: offline hub, deterministic seeds, the golden fixtures folder and the scripts as modules."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# Idle OpenMP workers spin by default and starve the other process on 2-core machines (subprocess tests).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import importlib.util  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = REPO_ROOT.parent / "shared" / "fixtures"
SCRIPTS_DIR = REPO_ROOT / "scripts"


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``../shared/fixtures`` (golden outputs of the official implementations); skips the test when it is absent."""
    if not FIXTURES_DIR.is_dir():
        pytest.skip(f"golden fixtures folder {FIXTURES_DIR} is absent (it exists only beside this repo's CI checkout)")
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def load_script():
    """``load_script("pretrain_svl")`` or ``load_script("benchmarks/bench_neurons")``: ``scripts/<name>.py`` imported
    as a module (once per session; scripts are not a package)."""

    def load(name: str):
        module_name = "hf_spiking_scripts." + name.replace("/", ".")
        if module_name not in sys.modules:
            spec = importlib.util.spec_from_file_location(module_name, SCRIPTS_DIR / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module  # dataclasses and pickling look the module up by name
            spec.loader.exec_module(module)
        return sys.modules[module_name]

    return load
