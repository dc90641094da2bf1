"""The lvc-internvl-test preset and its deprecated name."""

import pytest

import hf_spiking
from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer
from hf_spiking.models.lvc import LVCForVideoQA


def test_test_preset_matches_the_test_tokenizer():
    model = hf_spiking.create_model("lvc-internvl-test")
    tokenizer = build_lvc_test_tokenizer()
    assert isinstance(model, LVCForVideoQA)
    assert model.config.vlm_config.text_config.vocab_size == len(tokenizer)
    assert model.config.vlm_config.image_token_id == tokenizer.context_image_token_id
    assert (model.config.num_frames, model.config.window_size) == (16, 4)


def test_deprecated_tiny_name_still_resolves():
    with pytest.warns(FutureWarning, match="lvc-internvl-test"):
        config = hf_spiking.get_config("lvc-internvl-tiny")
    assert config.to_dict() == hf_spiking.get_config("lvc-internvl-test").to_dict()
