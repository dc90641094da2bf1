"""Tiny Phi-3.5-Vision image processor and images shared by the phi3_v tests."""

import numpy as np
import pytest

from hf_spiking.models.phi3_v.image_processing_phi3_v import Phi3VImageProcessor

from .testing_utils import CROP, PATCH


@pytest.fixture(scope="module")
def processor():
    return Phi3VImageProcessor(num_crops=4, crop_size={"height": CROP, "width": CROP}, patch_size=PATCH)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    # landscape (1x2 crops after HD), portrait (transposed path, 2x1), square (2x2)
    return [rng.integers(0, 256, size, dtype=np.uint8) for size in [(60, 120, 3), (130, 60, 3), (40, 40, 3)]]
