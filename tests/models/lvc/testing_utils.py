"""Helpers shared by the LVC tests (and the LVC job tests): tiny offline models, processors and video files."""

import numpy as np
from transformers.models.got_ocr2.image_processing_pil_got_ocr2 import GotOcr2ImageProcessorPil

from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer
from hf_spiking.models.lvc import LVCConfig, LVCForVideoQA, LVCProcessor
from hf_spiking.models.lvc.presets import tiny_internvl_config

IMAGE_SIZE = 16  # 16 / patch 4 = 4x4 patches -> pixel shuffle -> 4 tokens per frame
TOKENS_PER_FRAME = 4


def write_video(path, num_frames: int, size=(32, 24)):
    """Writes an mpeg4 video whose frame i has brightness 8 * i, with PyAV."""
    import av

    width, height = size
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(num_frames):
            image = np.full((height, width, 3), 8 * index, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def tiny_vlm_config(tokenizer):
    return tiny_internvl_config(
        len(tokenizer), tokenizer.context_image_token_id, hidden_size=32, image_size=IMAGE_SIZE, vision_hidden_size=16
    )


def make_lvc_model(vlm_config, num_frames=8, window_size=4, **options):
    config = LVCConfig(vlm_config=vlm_config, num_frames=num_frames, window_size=window_size, **options)
    return LVCForVideoQA(config).eval()


def make_lvc_processor(tokenizer, num_frames=8, window_size=4, **options):
    image_processor = GotOcr2ImageProcessorPil(size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})
    return LVCProcessor(
        image_processor, tokenizer, num_frames=num_frames, window_size=window_size,
        tokens_per_frame=TOKENS_PER_FRAME, **options,
    )


def save_tiny_lvc(folder, num_frames=4, window_size=2):
    """A tiny random LVC model and its processor saved in ``folder`` (for the job tests)."""
    tokenizer = build_lvc_test_tokenizer()
    make_lvc_model(tiny_vlm_config(tokenizer), num_frames, window_size).save_pretrained(folder)
    make_lvc_processor(tokenizer, num_frames, window_size).save_pretrained(folder)
    return folder
