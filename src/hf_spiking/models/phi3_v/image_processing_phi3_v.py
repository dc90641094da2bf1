"""Image processor of Phi-3.5-Vision: the HD crop transform of the official ``image_processing_phi3_v.py``.

Re-implemented on PIL and torch (no torchvision).

Per image: the longer side is laid along the width (transposing portrait images), the image is scaled so that
``scale`` crops fit along the width with at most ``num_crops`` crops in total (the largest ``scale`` with
``scale * ceil(scale / aspect) <= num_crops``), resized (bilinear) to ``scale * S`` wide, padded with white to a
multiple of ``S`` in height (centred), transposed back, rescaled to [0, 1] and normalised with the CLIP mean/std. The
global view is that HD image resized (bicubic) to ``S x S``. Outputs:

- ``pixel_values``: ``[num_images, num_crops + 1, 3, S, S]``: global view, the row-major ``S x S`` sub-crops, zeros;
- ``image_sizes``: ``[num_images, 2]``: (height, width) of each padded HD image in pixels;
- ``num_img_tokens``: image tokens per image, ``(h w + 1) m^2 + 1 + (h + 1) m`` with ``h, w`` the crop rows/columns and
  ``m = S / patch_size / 2`` (12 for the official 336 / 14).

``S`` is ``crop_size`` (336) and must match the model's ``vision_config.image_size``.
"""

import math

import numpy as np
import torch
from PIL import Image
from transformers.feature_extraction_utils import BatchFeature
from transformers.image_processing_backends import PilBackend
from transformers.image_utils import OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, PILImageResampling
from transformers.processing_utils import ImagesKwargs, Unpack

from .checkpoints import ProcessorFileMixin, check_image_processor_settings, require_positive_integer
from .pixel_range import image_list, to_rgb_image


class Phi3VImageProcessorKwargs(ImagesKwargs, total=False):
    """num_crops: the most sub-crops per image (official: 4 for video frames / multi-image, 16 for one image).
    patch_size: the vision tower's patch size, used for the token count."""

    num_crops: int
    patch_size: int


def phi3_v_num_image_tokens(height: int, width: int, crop_size: int = 336, tokens_per_side: int = 12) -> int:
    """Image tokens of one padded HD image of ``height x width`` pixels: ``(h w + 1) m^2 + 1 + (h + 1) m``."""
    rows, cols = height // crop_size, width // crop_size
    return (rows * cols + 1) * tokens_per_side**2 + 1 + (rows + 1) * tokens_per_side


def hd_target_size(width: int, height: int, num_crops: int, crop_size: int) -> tuple[int, int, int, int]:
    """``(resized_w, resized_h, padded_w, padded_h)`` of the HD transform for an image of ``width x height``."""
    transposed = width < height
    if transposed:
        width, height = height, width
    aspect = width / height
    scale = 1
    while (scale + 1) * math.ceil((scale + 1) / aspect) <= num_crops:
        scale += 1
    resized_w = scale * crop_size
    resized_h = max(1, int(resized_w / aspect))
    padded_h = math.ceil(resized_h / crop_size) * crop_size
    if transposed:
        return resized_h, resized_w, padded_h, resized_w
    return resized_w, resized_h, resized_w, padded_h


class Phi3VImageProcessor(ProcessorFileMixin, PilBackend):
    r"""
    HD crop image processor of Phi-3(.5)-Vision (see the module docstring for the transform).

    Args:
        num_crops (`int`, *optional*, defaults to 4):
            The most sub-crops per image; `pixel_values` holds `num_crops + 1` crops per image.
        crop_size (`dict`, *optional*, defaults to `{"height": 336, "width": 336}`):
            Crop side `S`, the vision tower's input size (square).
        patch_size (`int`, *optional*, defaults to 14):
            The vision tower's patch size (for `num_img_tokens`).
        image_mean, image_std: CLIP's normalisation.

    Images are PIL images of any mode, or `(H, W)`, `(H, W, C)` / `(C, H, W)` (C in 1, 3, 4) arrays or tensors, or a
    list or `(B, ...)` batch of those. Each is first brought to 8-bit RGB with its value range read from its dtype and
    values (see `hf_spiking.pixel_range`): uint8, uint16 and `I;16`, int32 `I` up to 65535, float `F` / float arrays
    in [0, 1] or [0, 255], booleans. NaN/inf, negative or out-of-range values, empty images and other shapes raise a
    `ValueError` saying what was expected.
    """

    valid_kwargs = Phi3VImageProcessorKwargs
    model_input_names = ["pixel_values", "image_sizes"]
    num_crops = 4
    patch_size = 14
    crop_size = {"height": 336, "width": 336}
    image_mean = OPENAI_CLIP_MEAN
    image_std = OPENAI_CLIP_STD
    resample = PILImageResampling.BILINEAR
    do_convert_rgb = True

    def __init__(self, **kwargs: Unpack[Phi3VImageProcessorKwargs]):
        super().__init__(**kwargs)
        check_image_processor_settings(self)
        self.validate_settings(self.num_crops, self.crop_size.height, self.crop_size.width, self.patch_size)

    @staticmethod
    def validate_settings(num_crops, crop_height, crop_width, patch_size):
        require_positive_integer("num_crops", num_crops)
        require_positive_integer("patch_size", patch_size)
        if crop_height != crop_width:
            raise ValueError(f"crop_size must be square (the vision tower's input), got {crop_height}x{crop_width}")
        if crop_height % patch_size or (crop_height // patch_size) % 2:
            raise ValueError(
                f"crop_size / patch_size must be an even integer for the 2x2 token merge, got {crop_height} / "
                f"{patch_size}"
            )

    def preprocess(self, images, *args, **kwargs):
        # The HD transform works on 8-bit RGB: every encoding is brought there with its range read, not assumed.
        return super().preprocess([to_rgb_image(image) for image in image_list(images)], *args, **kwargs)

    def calc_num_image_tokens_from_image_size(self, width: int, height: int, num_crops: int | None = None) -> int:
        """Image tokens the model produces for an input image of ``width x height`` pixels (official name)."""
        crop = self.crop_size.height
        _, _, padded_w, padded_h = hd_target_size(width, height, num_crops or self.num_crops, crop)
        return phi3_v_num_image_tokens(padded_h, padded_w, crop, crop // self.patch_size // 2)

    def hd_image(self, image: np.ndarray, num_crops: int, crop: int) -> np.ndarray:
        """Channels-first uint8 image -> the resized, white-padded HD image (channels-first, float in [0, 1])."""
        pil = Image.fromarray(np.ascontiguousarray(np.moveaxis(image, 0, -1)))
        # Work in landscape orientation as the official code does (resampling is not exactly transpose-invariant).
        transposed = pil.width < pil.height
        if transposed:
            pil = pil.transpose(Image.Transpose.TRANSPOSE)
        resized_w, resized_h, padded_w, padded_h = hd_target_size(pil.width, pil.height, num_crops, crop)
        pil = pil.resize((resized_w, resized_h), Image.BILINEAR)
        canvas = Image.new("RGB", (padded_w, padded_h), (255, 255, 255))
        canvas.paste(pil, (0, (padded_h - resized_h) // 2))  # white padding, centred, floor of half above
        if transposed:
            canvas = canvas.transpose(Image.Transpose.TRANSPOSE)
        return np.moveaxis(np.asarray(canvas, dtype=np.float32) / 255.0, -1, 0)

    def _preprocess(
        self,
        images: list[np.ndarray],
        crop_size,
        image_mean,
        image_std,
        return_tensors=None,
        num_crops: int | None = None,
        patch_size: int | None = None,
        **kwargs,
    ) -> BatchFeature:
        crop = crop_size.height
        self.validate_settings(num_crops, crop, crop_size.width, patch_size)
        mean = torch.tensor(image_mean, dtype=torch.float32).view(3, 1, 1)
        std = torch.tensor(image_std, dtype=torch.float32).view(3, 1, 1)
        pixel_values, image_sizes, num_img_tokens = [], [], []
        for image in images:
            hd = (torch.from_numpy(self.hd_image(image, num_crops, crop)) - mean) / std
            height, width = hd.shape[1:]
            global_view = torch.nn.functional.interpolate(hd[None], size=(crop, crop), mode="bicubic")
            sub_crops = hd.reshape(3, height // crop, crop, width // crop, crop).permute(1, 3, 0, 2, 4)
            crops = torch.cat([global_view, sub_crops.reshape(-1, 3, crop, crop)])
            padding = crops.new_zeros(num_crops + 1 - crops.shape[0], 3, crop, crop)
            pixel_values.append(torch.cat([crops, padding]))
            image_sizes.append([height, width])
            num_img_tokens.append(phi3_v_num_image_tokens(height, width, crop, crop // patch_size // 2))
        data = {
            "pixel_values": torch.stack(pixel_values).numpy(),
            "image_sizes": np.array(image_sizes, dtype=np.int64),
            "num_img_tokens": np.array(num_img_tokens, dtype=np.int64),
        }
        return BatchFeature(data=data, tensor_type=return_tensors)


__all__ = ["Phi3VImageProcessor", "phi3_v_num_image_tokens", "hd_target_size"]
