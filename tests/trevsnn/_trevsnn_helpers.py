"""Shared helpers for the T-RevSNN tests: the converter script and the golden fixture."""

import importlib.util
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str):
    """Imports ``scripts/<name>.py`` (scripts are not a package)."""
    path = REPO_ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_trevsnn_script_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tiny_config(**overrides):
    from hf_spiking import get_config

    return get_config("trevsnn-test", **overrides)


def randomise_(model, seed: int = 0, alpha_range=(0.3, 0.7)):
    """Makes every spike site fire sometimes (depthwise weights x20, as the fixture does) and draws alphas in range."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("alpha"):
                p.copy_(alpha_range[0] + (alpha_range[1] - alpha_range[0]) * torch.rand(p.shape, generator=generator))
            elif "dwconv" in name and name.endswith("weight"):
                p.mul_(20)
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=generator))
    return model
