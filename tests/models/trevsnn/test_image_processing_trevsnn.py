"""TRevSNNImageProcessor: the official evaluation transform on the PIL/NumPy backend."""

import numpy as np
import pytest
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


def _grey(level: int) -> Image.Image:
    return Image.fromarray(np.full((40, 48, 3), level, np.uint8))


SMALL = {"size": {"shortest_edge": 32}, "crop_size": {"height": 32, "width": 32}, "return_tensors": "pt"}
MID_GREY = {
    "I;16 PIL image": Image.fromarray(np.full((40, 48), 128 * 257, np.uint16)),
    "I (int32) PIL image": Image.fromarray(np.full((40, 48), 128 * 257, np.int32)),
    "F PIL image in [0, 1]": Image.fromarray(np.full((40, 48), 128 / 255, np.float32)),
    "2-D uint8 grayscale array": np.full((40, 48), 128, np.uint8),
    "uint8 HWC array": np.full((40, 48, 3), 128, np.uint8),
    "uint8 CHW array": np.full((3, 40, 48), 128, np.uint8),
    "float64 array in [0, 1]": np.full((40, 48, 3), 128 / 255),
    "float32 array in [0, 255]": np.full((40, 48, 1), 128.0, np.float32),
    "bfloat16 tensor in [0, 1]": __import__("torch").full((3, 40, 48), 128 / 255).bfloat16(),
}


@pytest.mark.parametrize("name", MID_GREY)
def test_every_encoding_of_mid_grey_gives_the_uint8_pixels(name):
    processor = TRevSNNImageProcessor()
    expected = processor(_grey(128), **SMALL)["pixel_values"]
    got = processor(MID_GREY[name], **SMALL)["pixel_values"]
    # bfloat16 rounds 128/255 to 0.5 (127.5 -> 128 after rounding), every other encoding is exact.
    np.testing.assert_allclose(got.numpy(), expected.numpy(), atol=1e-6)


def test_boolean_mask_and_batches():
    processor = TRevSNNImageProcessor()
    white = processor(_grey(255), **SMALL)["pixel_values"]
    np.testing.assert_allclose(processor(np.ones((40, 48), bool), **SMALL)["pixel_values"], white, atol=1e-6)
    assert processor(np.zeros((2, 40, 48, 3), np.uint8), **SMALL)["pixel_values"].shape == (2, 3, 32, 32)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.full((8, 8), np.nan), "NaN or infinite"),
        (-np.ones((8, 8)), "negative values"),
        (np.full((8, 8), 300.0), r"float values up to 300.0"),
        (np.full((8, 8), 70000, np.int64), "beyond 16 bits"),
        (np.zeros((5, 6, 7)), r"\(H, W\), \(H, W, C\) or \(C, H, W\)"),
        (np.zeros((0, 4)), "at least 1 x 1 pixels"),
        ([], "empty list"),
        (np.array([["a"]]), "numeric or boolean"),
    ],
)
def test_unreadable_images_are_refused_naming_the_problem(image, message):
    with pytest.raises(ValueError, match=message):
        TRevSNNImageProcessor()(image, **SMALL)
