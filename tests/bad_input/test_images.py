"""Bad-input corpus, images: value ranges read from dtype and values, refusals that say what was expected.

Every encoding of one grey-level image (8/16/32-bit integers, PIL modes I;16, I, F, LA, P, RGBA, floats in [0, 1]
or [0, 255], tensors, channels-first layouts, batches) must give exactly the pixels of its 8-bit RGB PIL image, in
the Phi-3.5-Vision image processor and in the T-RevSNN one (whose own tests cover the encodings marked below); what
has no meaningful reading is refused naming the argument, the offending value and the expected form.
"""

import numpy as np
import pytest
import torch
from PIL import Image

from hf_spiking.models.phi3_v.image_processing_phi3_v import Phi3VImageProcessor
from hf_spiking.models.trevsnn import TRevSNNImageProcessor

PROCESSORS = {
    "phi3_v": lambda: Phi3VImageProcessor(num_crops=4, crop_size={"height": 56, "width": 56}, patch_size=14),
    "trevsnn": lambda: TRevSNNImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
}

# A 40 x 48 grey gradient (10..200): structure in both directions, no value at 0 or 1 that would blur the ranges.
GREY = (10 + (np.add.outer(np.arange(40) * 3, np.arange(48) * 1.5))).round().astype(np.uint8)
RGB = np.repeat(GREY[..., None], 3, axis=-1)

ENCODINGS = {
    # name: (encoding of GREY, covered by tests/models/trevsnn/test_image_processing_trevsnn.py)
    "uint8 (H, W)": (GREY, True),
    "uint8 (H, W, 1)": (GREY[..., None], False),
    "uint8 (H, W, 3)": (RGB, True),
    "uint8 (3, H, W)": (np.moveaxis(RGB, -1, 0).copy(), True),
    "uint8 tensor (3, H, W)": (torch.from_numpy(np.moveaxis(RGB, -1, 0).copy()), False),
    "uint16 array": (GREY.astype(np.uint16) * 257, False),
    "I;16 PIL image": (Image.fromarray(GREY.astype(np.uint16) * 257), True),
    "int32 array up to 65535": (GREY.astype(np.int32) * 257, False),
    "I (int32) PIL image": (Image.fromarray(GREY.astype(np.int32) * 257), True),
    "int32 array in 0-255": (GREY.astype(np.int32), False),
    "int64 array in 0-255": (GREY.astype(np.int64), False),
    "float32 array in [0, 1]": (GREY.astype(np.float32) / 255, False),
    "float64 array in [0, 1]": (RGB / 255.0, True),
    "float16 array in [0, 1]": ((GREY / 255.0).astype(np.float16), False),
    "float64 array in [0, 255]": (GREY.astype(np.float64), False),
    "F PIL image in [0, 1]": (Image.fromarray(GREY.astype(np.float32) / 255), True),
    "F PIL image in [0, 255]": (Image.fromarray(GREY.astype(np.float32)), False),
    "float32 tensor (3, H, W) in [0, 1]": (torch.from_numpy(np.moveaxis(RGB, -1, 0) / 255.0).float(), False),
    "LA PIL image": (Image.fromarray(np.stack([GREY, np.full_like(GREY, 255)], axis=-1), mode="LA"), False),
    "P PIL image (grey palette)": (Image.fromarray(GREY).convert("P"), False),
    "RGBA PIL image, opaque": (Image.fromarray(np.dstack([RGB, np.full_like(GREY, 255)])), False),
    "L PIL image": (Image.fromarray(GREY), False),
}

ACCEPTED = [
    pytest.param(processor, name, id=f"{processor}-{name}")
    for processor in PROCESSORS
    for name, (_, covered_for_trevsnn) in ENCODINGS.items()
    if processor == "phi3_v" or not covered_for_trevsnn
]


@pytest.fixture(scope="module")
def reference():
    """``{processor: pixel_values}`` of GREY as an 8-bit RGB PIL image, the encoding every other one must match."""
    image = Image.fromarray(RGB)
    return {name: make()(image, return_tensors="pt")["pixel_values"] for name, make in PROCESSORS.items()}


@pytest.mark.parametrize(("processor", "encoding"), ACCEPTED)
def test_every_encoding_gives_the_pixels_of_the_8_bit_image(reference, processor, encoding):
    image = ENCODINGS[encoding][0]
    pixels = PROCESSORS[processor]()(image, return_tensors="pt")["pixel_values"]
    torch.testing.assert_close(pixels, reference[processor], rtol=0, atol=1e-6)


@pytest.mark.parametrize("processor", PROCESSORS)
def test_a_batch_array_and_a_mixed_list_give_each_image_its_pixels(reference, processor):
    make = PROCESSORS[processor]
    batch = make()(np.stack([RGB, RGB / 255.0]), return_tensors="pt")["pixel_values"]
    mixed = make()([Image.fromarray(RGB), GREY.astype(np.uint16) * 257], return_tensors="pt")["pixel_values"]
    for pixels in (*batch, *mixed):
        torch.testing.assert_close(pixels, reference[processor][0], rtol=0, atol=1e-6)


@pytest.mark.parametrize("processor", PROCESSORS)
def test_boolean_masks_are_black_and_white(processor):
    mask = GREY > 100
    make = PROCESSORS[processor]
    expected = make()(np.where(mask, 255, 0).astype(np.uint8), return_tensors="pt")["pixel_values"]
    torch.testing.assert_close(make()(mask, return_tensors="pt")["pixel_values"], expected, rtol=0, atol=0)


def test_phi3_v_one_pixel_image_fills_its_hd_crops_with_its_colour():
    processor = PROCESSORS["phi3_v"]()
    batch = processor(np.full((1, 1, 3), 255, np.uint8), return_tensors="pt")
    assert batch["image_sizes"].tolist() == [[112, 112]]  # square: 2 x 2 crops of 56, as any square image
    white = (1.0 - torch.tensor(processor.image_mean)) / torch.tensor(processor.image_std)
    torch.testing.assert_close(batch["pixel_values"][0], white.view(1, 3, 1, 1).expand(5, 3, 56, 56))


REFUSED = {
    # name: (image, fragments naming the argument, the value and the expected form)
    "NaN": (np.full((8, 8), np.nan), ["image", "NaN or infinite", "finite"]),
    "+inf": (np.full((8, 8, 3), np.inf), ["image", "NaN or infinite", "finite"]),
    "-inf float32 tensor": (torch.full((3, 8, 8), -float("inf")), ["image", "NaN or infinite", "finite"]),
    "negative floats": (-np.ones((8, 8)), ["image", "negative values (min -1.0)", "[0, 1] (floats), 0-255 or 0-65535"]),
    "negative int8": (np.full((8, 8), -3, np.int8), ["image", "min -3", "0-255 or 0-65535"]),
    "floats above 255": (np.full((8, 8), 300.0), ["image", "float values up to 300.0", "[0, 1] or [0, 255]"]),
    "F PIL image above 255": (Image.fromarray(np.full((8, 8), 300, np.float32)), ["image", "300.0", "[0, 255]"]),
    "uint32 beyond 16 bits": (np.full((8, 8), 2**20, np.uint32), ["image", "1048576", "beyond 16 bits",
                                                                  "uint8, uint16 or floats"]),
    "1-D array": (np.zeros(5, np.uint8), ["image array", "shape (5,)", "(H, W), (H, W, C) or (C, H, W)"]),
    "5-D array": (np.zeros((1, 1, 4, 4, 3), np.uint8), ["image array", "shape (1, 1, 4, 4, 3)", "(C, H, W)"]),
    "2 channels": (np.zeros((8, 8, 2), np.uint8), ["image array", "shape (8, 8, 2)", "C in 1, 3 or 4"]),
    "zero-height image": (np.zeros((0, 4), np.uint8), ["image", "shape (0, 4)", "at least 1 x 1 pixels"]),
    "empty list": ([], ["`images`", "empty list", "at least one image"]),
    "empty batch": (np.zeros((0, 4, 4, 3), np.uint8), ["`images`", "shape (0, 4, 4, 3)", "at least one image"]),
    "None": (None, ["images", "NoneType", "numeric or boolean pixels"]),
    "a string": ("not an image", ["images", "str", "numeric or boolean pixels"]),
    "object array": (np.array([[None, 1]], dtype=object), ["images", "dtype object", "numeric or boolean pixels"]),
    "complex array": (np.zeros((4, 4, 3), np.complex64), ["images", "complex64", "real pixel values"]),
}


@pytest.mark.parametrize(
    ("processor", "name"),
    [pytest.param(processor, name, id=f"{processor}-{name}") for processor in PROCESSORS for name in REFUSED
     if processor == "phi3_v" or name not in {"NaN", "negative floats", "floats above 255", "empty list"}],
)
def test_images_without_a_meaningful_reading_are_refused(processor, name):
    image, fragments = REFUSED[name]
    with pytest.raises(ValueError) as caught:
        PROCESSORS[processor]()(image, return_tensors="pt")
    for fragment in fragments:
        assert fragment in str(caught.value), f"{fragment!r} not in {str(caught.value)!r}"
