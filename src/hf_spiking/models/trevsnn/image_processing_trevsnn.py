"""Image processor for T-RevSNN: the official evaluation transform (resize the shortest side to 232, centre-crop 224,
ImageNet mean and std), on the PIL/NumPy backend so that torchvision is not needed."""

from transformers.image_processing_backends import PilBackend
from transformers.image_utils import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, PILImageResampling

from .checkpoints import ProcessorFileMixin, check_image_processor_settings
from .pixel_range import image_list, to_rgb_image


class TRevSNNImageProcessor(ProcessorFileMixin, PilBackend):
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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        check_image_processor_settings(self)

    def preprocess(self, images, *args, **kwargs):
        if kwargs.get("do_rescale", self.do_rescale):
            images = [to_rgb_image(image) for image in image_list(images)]
        return super().preprocess(images, *args, **kwargs)


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
TRevSNNImageProcessor.register_for_auto_class("AutoImageProcessor")

__all__ = ["TRevSNNImageProcessor"]
