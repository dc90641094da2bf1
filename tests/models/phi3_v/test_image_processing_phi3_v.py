"""Phi3VImageProcessor: the HD crops, their zero padding and the white padding of the resized image."""

import torch

from .testing_utils import CROP


def test_processor_crops_and_padding(processor, images):
    batch = processor(images, return_tensors="pt")
    pixels = batch["pixel_values"]
    assert pixels.shape == (3, 5, 3, CROP, CROP)
    assert torch.count_nonzero(pixels[0, 3:]) == 0 and torch.count_nonzero(pixels[1, 3:]) == 0  # zero padding crops
    assert torch.count_nonzero(pixels[2, 4]) > 0
    mean = torch.tensor(processor.image_mean).view(3, 1, 1)
    std = torch.tensor(processor.image_std).view(3, 1, 1)
    # 130x60 portrait -> resized to 112x51, padded with white to 112x56: 2 white columns on the left (floor of 5 / 2)
    white = ((1.0 - mean) / std).expand(3, CROP, 2)
    for sub_crop in (1, 2):
        torch.testing.assert_close(pixels[1, sub_crop, :, :, :2], white)
        assert not torch.allclose(pixels[1, sub_crop, :, :, 2:4], white)
