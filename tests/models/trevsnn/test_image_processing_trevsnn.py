"""TRevSNNImageProcessor: the official evaluation transform on the PIL/NumPy backend."""

import numpy as np
from PIL import Image

from hf_spiking.models.trevsnn import TRevSNNImageProcessor

from .testing_utils import random_image


def test_image_processor_matches_the_official_eval_transform():

    processor = TRevSNNImageProcessor()
    image = random_image(size=(300, 400))
    pixels = processor(image, return_tensors="pt")["pixel_values"]
    assert pixels.shape == (1, 3, 224, 224)
    # Reference: PIL bilinear resize of the short side to 232, centre crop 224, ImageNet normalisation.
    resized = np.asarray(image.resize((309, 232), Image.BILINEAR), dtype=np.float32)
    top, left = (232 - 224) // 2, (309 - 224) // 2
    crop = resized[top : top + 224, left : left + 224] / 255.0
    reference = (crop - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(pixels[0].permute(1, 2, 0).numpy(), reference, atol=2e-2)
    assert processor(image, crop_size={"height": 64, "width": 96}, return_tensors="pt")["pixel_values"].shape == (1, 3, 64, 96)
