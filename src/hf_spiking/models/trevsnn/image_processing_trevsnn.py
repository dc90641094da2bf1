"""Image processor for T-RevSNN: the official evaluation transform (resize the shortest side to 232, centre-crop 224,
ImageNet mean and std), on the PIL/NumPy backend so that torchvision is not needed."""

import numpy as np
from PIL import Image
from transformers.image_processing_backends import PilBackend
from transformers.image_utils import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, PILImageResampling

from .pixel_range import as_numpy_pixels, to_uint8_pixels

# PIL modes whose pixels are 8-bit already; any other mode (I;16, I, F, ...) is rescaled from its actual range.
_EIGHT_BIT_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"})


class TRevSNNImageProcessor(PilBackend):
    r"""
    Resizes the shortest side to `size["shortest_edge"]` (232) with bilinear resampling, centre-crops to `crop_size`
    (224 x 224), rescales to [0, 1] and normalises with the ImageNet mean and std; every step is configurable through
    the usual keyword arguments (`do_resize`, `size`, `resample`, `do_center_crop`, `crop_size`, `do_rescale`,
    `rescale_factor`, `do_normalize`, `image_mean`, `image_std`). Returns `pixel_values` of shape
    `(batch_size, 3, crop_height, crop_width)`.

    With `do_rescale` (the default) every image is first brought to 8-bit RGB, its scale read from the dtype and the
    values (see `hf_spiking.pixel_range`): 16/32-bit PIL images (`I;16`, `I`) and float images (`F`, float arrays or
    tensors, bfloat16 included) in [0, 1] or [0, 255], boolean masks, and 2-D grayscale arrays all work; arrays are
    `(H, W)`, `(H, W, C)` or `(C, H, W)` with C in {1, 3, 4}, or a `(B, ...)` batch of those. Anything else raises a
    `ValueError` saying what was expected.
    """

    model_input_names = ["pixel_values"]
    resample = PILImageResampling.BILINEAR
    size = {"shortest_edge": 232}
    default_to_square = False
    crop_size = {"height": 224, "width": 224}
    do_resize = True
    do_center_crop = True
    do_rescale = True
    rescale_factor = 1 / 255
    do_normalize = True
    image_mean = IMAGENET_DEFAULT_MEAN
    image_std = IMAGENET_DEFAULT_STD
    do_convert_rgb = True

    def preprocess(self, images, *args, **kwargs):
        if kwargs.get("do_rescale", self.do_rescale):
            images = [_to_rgb_image(image) for image in _image_list(images)]
        return super().preprocess(images, *args, **kwargs)


def _image_list(images) -> list:
    """One image or a batch (list, or an array/tensor with one more dimension than an image) as a list."""
    if isinstance(images, (list, tuple)):
        if not images:
            raise ValueError("`images` is an empty list; pass at least one image.")
        return list(images)
    if isinstance(images, Image.Image):
        return [images]
    array = as_numpy_pixels(images, "images")
    if array.ndim == 4 and len(array) == 0:
        raise ValueError(f"`images` is an empty batch (shape {array.shape}); pass at least one image.")
    return list(array) if array.ndim == 4 else [array]


def _to_rgb_image(image) -> Image.Image:
    """An 8-bit RGB PIL image from any supported image encoding."""
    if isinstance(image, Image.Image):
        if image.mode in _EIGHT_BIT_MODES:
            return image.convert("RGB")
        pixels = np.asarray(image)
    else:
        pixels = as_numpy_pixels(image, "image")
        if pixels.ndim == 3 and pixels.shape[-1] not in (1, 3, 4) and pixels.shape[0] in (1, 3, 4):
            pixels = np.moveaxis(pixels, 0, -1)
        if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[-1] in (1, 3, 4))):
            raise ValueError(
                f"an image array must be (H, W), (H, W, C) or (C, H, W) with C in 1, 3 or 4, got shape {pixels.shape}."
            )
        if pixels.ndim == 3 and pixels.shape[-1] == 1:
            pixels = pixels[..., 0]
    if min(pixels.shape[:2]) < 1:
        raise ValueError(f"an image must be at least 1 x 1 pixels, got shape {pixels.shape}.")
    return Image.fromarray(to_uint8_pixels(pixels, "image")).convert("RGB")


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
TRevSNNImageProcessor.register_for_auto_class("AutoImageProcessor")

__all__ = ["TRevSNNImageProcessor"]
