"""SpikingPointLLMProcessor: prompts with point placeholders, answer labels, save/load, errors."""

import pytest
from transformers import AutoProcessor, AutoTokenizer

from hf_spiking.models.spiking_point_llm import SpikingPointLLMProcessor


def test_prompt_holds_the_chat_template_and_num_point_tokens_placeholders(processor, clouds):
    prompt = processor.build_prompt("what colour is it?")
    assert prompt == "<|im_start|>user\n<point>\nwhat colour is it?<|im_end|>\n<|im_start|>assistant\n"
    inputs = processor(point_clouds=clouds[:2], text=["what colour is it?", "how many legs does it have?"])
    assert inputs["point_values"].shape == (2, 256, 6)
    assert (inputs["input_ids"] == processor.point_token_id).sum(-1).tolist() == [17, 17]
    assert inputs["attention_mask"][0, 0] == 0 and inputs["attention_mask"][1, 0] == 1  # left padding


def test_save_and_auto_load_round_trip(processor, clouds, tmp_path):
    processor.save_pretrained(tmp_path)
    loaded = AutoProcessor.from_pretrained(tmp_path)
    assert type(loaded) is SpikingPointLLMProcessor and loaded.num_point_tokens == 17
    expected = processor(point_clouds=clouds[0], text="what is it used for?", answers="sitting")
    got = loaded(point_clouds=clouds[0], text="what is it used for?", answers="sitting")
    for key in expected:
        assert (expected[key] == got[key]).all()


def test_bad_inputs_name_the_argument(processor, clouds):
    with pytest.raises(ValueError, match=r"got 2 cloud\(s\) for 1 question"):
        processor(point_clouds=clouds[:2], text="what is it?")
    with pytest.raises(ValueError, match="`text` must be a question"):
        processor(point_clouds=clouds[0], text=None)
    with pytest.raises(ValueError, match=r"got 1 answer\(s\) for 2 question"):
        processor(point_clouds=clouds[:2], text=["a?", "b?"], answers=["x"])
    with pytest.raises(ValueError, match="must not contain the point placeholder"):
        processor(point_clouds=clouds[0], text="<point> what?")
    with pytest.raises(ValueError, match="num_point_tokens"):
        SpikingPointLLMProcessor(processor.feature_extractor, processor.tokenizer, num_point_tokens=0)


def test_a_tokenizer_without_the_point_token_is_refused(processor, tmp_path):
    processor.tokenizer.save_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    with pytest.raises(ValueError, match=r"splits point_token '<pt>' .* tokenizer.add_tokens"):
        SpikingPointLLMProcessor(processor.feature_extractor, tokenizer, point_token="<pt>")
