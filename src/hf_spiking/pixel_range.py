"""Pixel value ranges read from the dtype and the values, never assumed: any image or video array -> uint8 0-255.

Image and video processors rescale by 1/255, which is right only for 8-bit input: a float image in [0, 1], a boolean
mask or a 16-bit PNG would come out black or saturated. :func:`to_uint8_pixels` maps every supported encoding to the
8-bit scale first (booleans to {0, 255}; uint16 by 65535; other integers by 255 when they fit in 8 bits, by 65535 when
they fit in 16; floats by 1 when they lie in [0, 1], by 255 when in [0, 255]) and refuses what has no meaningful
reading (NaN/inf, negative values, out-of-range floats, empty arrays) with a `ValueError` naming the input.
:func:`to_rgb_image` (with :func:`image_list` for batches) applies it to a whole image, giving the 8-bit RGB PIL
image the image processors start from.

Processor modules are copied into saved folders for `trust_remote_code`, where hf_spiking is not installed, so this
module needs only NumPy (torch tensors are read through their own methods; PIL inside the image helpers) and each
family reaches it through a same-folder symbolic link, `models/<family>/pixel_range.py`. (No `__all__`, so the links
export nothing twice.)
"""

from __future__ import annotations

import numpy as np

_UINT16_MAX = 65535


def as_numpy_pixels(pixels, name: str) -> np.ndarray:
    """A NumPy view of an array, PIL image or torch tensor (bfloat16 and other torch-only dtypes go to float32)."""
    if hasattr(pixels, "detach"):
        pixels = pixels.detach().cpu()
        if pixels.is_floating_point():
            pixels = pixels.float()
        pixels = pixels.numpy()
    try:
        array = np.asarray(pixels)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} could not be read as a pixel array ({type(pixels).__name__}): {error}") from error
    if array.dtype == object or not (array.dtype == bool or np.issubdtype(array.dtype, np.number)):
        raise ValueError(
            f"{name} must hold numeric or boolean pixels (a PIL image, array or tensor), got a "
            f"{type(pixels).__name__} of dtype {array.dtype}."
        )
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ValueError(f"{name} must hold real pixel values, got dtype {array.dtype}.")
    return array


def to_uint8_pixels(pixels, name: str = "image") -> np.ndarray:
    """``pixels`` (any shape) on the 0-255 scale as uint8, the scale read from its dtype and value range."""
    array = as_numpy_pixels(pixels, name)
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    if array.dtype == np.uint8:
        return array
    if array.dtype == bool:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values; pixels must be finite.")
    low, high = array.min(), array.max()
    if low < 0:
        raise ValueError(
            f"{name} has negative values (min {low}); expected intensities in [0, 1] (floats), 0-255 or 0-65535."
        )
    if np.issubdtype(array.dtype, np.integer):
        if array.dtype == np.uint16 or 255 < high <= _UINT16_MAX:
            full_scale = _UINT16_MAX
        elif high <= 255:
            full_scale = 255
        else:
            raise ValueError(f"{name} has integer values up to {high}, beyond 16 bits; pass uint8, uint16 or floats.")
    elif high <= 1:
        full_scale = 1
    elif high <= 255:
        full_scale = 255
    else:
        raise ValueError(f"{name} has float values up to {high}; expected [0, 1] or [0, 255].")
    return np.rint(array.astype(np.float64) * (255 / full_scale)).astype(np.uint8)


# PIL modes whose pixels are 8-bit already; any other mode (I;16, I, F, ...) is rescaled from its actual range.
_EIGHT_BIT_PIL_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV"})


def image_list(images) -> list:
    """One image or a batch (list, or an array/tensor with one more dimension than an image) as a list."""
    from PIL import Image

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


def to_rgb_image(image):
    """An 8-bit RGB PIL image from any supported image encoding: a PIL image of any mode, or an `(H, W)`, `(H, W, C)`
    or `(C, H, W)` array or tensor with C in {1, 3, 4}, its scale read from its dtype and values."""
    from PIL import Image

    if isinstance(image, Image.Image):
        if image.mode in _EIGHT_BIT_PIL_MODES:
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
