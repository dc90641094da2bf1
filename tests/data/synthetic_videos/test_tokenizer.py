"""The offline word-level tokenizer: closed vocabulary, InternVL special tokens, chat template, save/load."""

from types import SimpleNamespace

import numpy as np
import pytest
from transformers import AutoTokenizer
from transformers.models.internvl.processing_internvl import InternVLProcessor

from hf_spiking.data import synthetic_videos as sv
from hf_spiking.data.synthetic_videos.tokenizer import (
    MULTIMODAL_TOKENS,
    SPECIAL_TOKENS,
    build_word_tokenizer,
    word_vocabulary,
)


@pytest.fixture(scope="module")
def tokenizer():
    return build_word_tokenizer()


def generated_texts(count: int = 24) -> list[str]:
    texts = []
    for i in range(count):
        for example in (sv.generate_video_example(i, config=sv.SHORT_VIDEO_CONFIG, split="short"),
                        sv.generate_image_example(i)):  # fmt: skip
            texts += [example["question"], example["caption"], *example["options"]]
    return texts


def test_every_generated_text_is_in_vocabulary(tokenizer):
    ids = tokenizer(generated_texts())["input_ids"]
    assert all(tokenizer.unk_token_id not in row for row in ids)
    assert len(tokenizer) == len(word_vocabulary()) < 120  # small and closed


def test_special_tokens_have_fixed_ids_and_internvl_attributes(tokenizer):
    assert tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == list(range(len(SPECIAL_TOKENS)))
    assert (tokenizer.pad_token_id, tokenizer.unk_token_id) == (0, 1)
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.padding_side == "left"
    for name, token in MULTIMODAL_TOKENS.items():
        assert getattr(tokenizer, name) == token
        assert getattr(tokenizer, f"{name}_id") == tokenizer.convert_tokens_to_ids(token)


def test_internvl_prompt_expansion_tokenizes_to_placeholders(tokenizer):
    # The attributes InternVLProcessor.__init__ copies from its tokenizer, then its own expansion methods.
    processor = SimpleNamespace(
        start_image_token=tokenizer.start_image_token, end_image_token=tokenizer.end_image_token,
        image_token=tokenizer.context_image_token, image_seq_length=4,
    )  # fmt: skip
    video = InternVLProcessor.replace_video_token(processor, {"pixel_values_videos": [np.zeros((12, 3, 8, 8))]}, 0)
    image = InternVLProcessor.replace_image_token(processor, {"num_patches": [1]}, 0)
    ids = tokenizer(f"{video}\n{image} What color is the circle?")["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert ids.count(tokenizer.context_image_token_id) == 13 * 4
    assert ids.count(tokenizer.start_image_token_id) == ids.count(tokenizer.end_image_token_id) == 13
    tokens = tokenizer.convert_ids_to_tokens(ids)
    assert tokens[:5] == ["frame", "1", ":", "<img>", "<IMG_CONTEXT>"]
    assert tokens[-22:-17] == ["frame", "1", "2", ":", "<img>"]


def test_chat_template_marks_turns_and_media(tokenizer):
    question = "Which direction did the red circle move?"
    messages = [
        {"role": "user", "content": [{"type": "video"}, {"type": "text", "text": question}]},
        {"role": "assistant", "content": "left"},
    ]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    assert text == ("<|im_start|>user\n<video>\nWhich direction did the red circle move?<|im_end|>\n"
                    "<|im_start|>assistant\nleft<|im_end|>\n")  # fmt: skip
    prompt_ids = tokenizer.apply_chat_template(messages[:1], add_generation_prompt=True)["input_ids"]
    assert tokenizer.convert_ids_to_tokens(prompt_ids[-2:]) == ["<|im_start|>", "assistant"]
    assert tokenizer.unk_token_id not in prompt_ids
    answer_ids = tokenizer("left")["input_ids"]
    assert tokenizer.decode(answer_ids) == "left"
    assert tokenizer.decode(tokenizer("How many shapes are there?")["input_ids"]) == "how many shapes are there?"


def test_save_and_load_round_trip(tokenizer, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    texts = generated_texts(8) + ["Frame7: <img><IMG_CONTEXT></img> <video>"]
    assert loaded(texts)["input_ids"] == tokenizer(texts)["input_ids"]
    assert loaded.get_vocab() == tokenizer.get_vocab()
    assert loaded.chat_template == tokenizer.chat_template and loaded.padding_side == "left"
    assert loaded.context_image_token_id == tokenizer.context_image_token_id
    assert loaded.video_token == "<video>" and loaded.eos_token_id == tokenizer.eos_token_id


def test_extra_words_extend_the_vocabulary():
    tokenizer = build_word_tokenizer(["Bounce"])
    assert tokenizer.unk_token_id not in tokenizer("the circle bounce")["input_ids"]
    with pytest.raises(ValueError, match="single non-empty words"):
        build_word_tokenizer(["two words"])
