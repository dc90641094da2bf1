"""Image processor for T-RevSNN: the official evaluation transform (resize the shortest side to 232, centre-crop 224,
ImageNet mean and std), on the PIL/NumPy backend so that torchvision is not needed."""

from transformers.image_processing_backends import PilBackend
from transformers.image_utils import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, PILImageResampling


class TRevSNNImageProcessor(PilBackend):
    r"""
    Resizes the shortest side to `size["shortest_edge"]` (232) with bilinear resampling, centre-crops to `crop_size`
    (224 x 224), rescales to [0, 1] and normalises with the ImageNet mean and std; every step is configurable through
    the usual keyword arguments (`do_resize`, `size`, `resample`, `do_center_crop`, `crop_size`, `do_rescale`,
    `rescale_factor`, `do_normalize`, `image_mean`, `image_std`). Returns `pixel_values` of shape
    `(batch_size, 3, crop_height, crop_width)`.
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


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
TRevSNNImageProcessor.register_for_auto_class("AutoImageProcessor")

__all__ = ["TRevSNNImageProcessor"]
