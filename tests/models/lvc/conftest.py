"""Tiny offline LVC building blocks shared by the LVC tests."""

import numpy as np
import pytest
from transformers import InternVLForConditionalGeneration

from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer

from .testing_utils import make_lvc_model, make_lvc_processor, tiny_vlm_config


@pytest.fixture(scope="session")
def tokenizer():
    return build_lvc_test_tokenizer()


@pytest.fixture(scope="session")
def vlm_config(tokenizer):
    return tiny_vlm_config(tokenizer)


@pytest.fixture
def make_vlm(vlm_config):
    def make():
        return InternVLForConditionalGeneration(vlm_config).eval()

    return make


@pytest.fixture
def make_model(vlm_config):
    def make(num_frames=8, window_size=4, **options):
        return make_lvc_model(vlm_config, num_frames, window_size, **options)

    return make


@pytest.fixture
def make_processor(tokenizer):
    def make(num_frames=8, window_size=4, **options):
        return make_lvc_processor(tokenizer, num_frames, window_size, **options)

    return make


@pytest.fixture
def video_array():
    """A (12, 20, 24, 3) uint8 video whose frame i is filled with value 10 * i (frame identity is visible)."""
    return (np.arange(12, dtype=np.uint8)[:, None, None, None] * 10 * np.ones((1, 20, 24, 3), dtype=np.uint8))
