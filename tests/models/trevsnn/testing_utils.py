"""Helpers shared by the T-RevSNN tests: the tiny config, a randomisation that makes every spike site fire, and a
random RGB image."""

import numpy as np
import torch
from PIL import Image


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


def random_image(seed=0, size=(40, 48)):
    return Image.fromarray((np.random.RandomState(seed).rand(*size, 3) * 255).astype("uint8"))
