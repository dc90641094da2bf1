"""Tiny offline LVC building blocks shared by the LVC tests."""

import numpy as np
import pytest
from transformers import InternVLForConditionalGeneration
from transformers.models.got_ocr2.image_processing_pil_got_ocr2 import GotOcr2ImageProcessorPil

from lvc_testing import IMAGE_SIZE, TOKENS_PER_FRAME

from hf_spiking.models.lvc import LVCConfig, LVCForVideoQA, LVCProcessor
from hf_spiking.models.lvc.tiny_lvc import build_word_tokenizer, tiny_internvl_config


@pytest.fixture(scope="session")
def tokenizer():
    return build_word_tokenizer()


@pytest.fixture(scope="session")
def vlm_config(tokenizer):
    return tiny_internvl_config(
        len(tokenizer), tokenizer.context_image_token_id, hidden_size=32, image_size=IMAGE_SIZE, vision_hidden_size=16
    )


@pytest.fixture
def make_vlm(vlm_config):
    def make():
        return InternVLForConditionalGeneration(vlm_config).eval()

    return make


@pytest.fixture
def make_model(vlm_config):
    def make(num_frames=8, window_size=4, **options):
        config = LVCConfig(vlm_config=vlm_config, num_frames=num_frames, window_size=window_size, **options)
        return LVCForVideoQA(config).eval()

    return make


@pytest.fixture
def make_processor(tokenizer):
    def make(num_frames=8, window_size=4, **options):
        image_processor = GotOcr2ImageProcessorPil(size={"height": IMAGE_SIZE, "width": IMAGE_SIZE})
        return LVCProcessor(
            image_processor, tokenizer, num_frames=num_frames, window_size=window_size,
            tokens_per_frame=TOKENS_PER_FRAME, **options,
        )

    return make


@pytest.fixture
def video_array():
    """A (12, 20, 24, 3) uint8 video whose frame i is filled with value 10 * i (frame identity is visible)."""
    return (np.arange(12, dtype=np.uint8)[:, None, None, None] * 10 * np.ones((1, 20, 24, 3), dtype=np.uint8))
