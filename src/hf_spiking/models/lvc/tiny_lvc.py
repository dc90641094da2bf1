"""Tiny, fully offline LVC building blocks (word-level tokenizer, random InternVL configs) for tests, examples and
benchmarks. Nothing here downloads anything."""

from __future__ import annotations

from transformers import InternVLConfig, PreTrainedTokenizerFast

INTERNVL_SPECIAL_TOKENS = {
    "start_image_token": "<img>",
    "end_image_token": "</img>",
    "context_image_token": "<IMG_CONTEXT>",
    "video_token": "<video>",
}
DEFAULT_WORDS = (
    "what is the person doing in this video ? a cat dog ball runs jumps sits red blue green yes no "
    "answer question frame the of and to with on left right up down color how many one two three four"
).split()


def build_word_tokenizer(words=DEFAULT_WORDS, chat_template: bool = True) -> PreTrainedTokenizerFast:
    """A whitespace/punctuation word-level tokenizer with InternVL's special tokens, built in memory.

    Unknown words map to ``<unk>``. With ``chat_template`` a minimal ``user``/``assistant`` template is attached.
    """
    from tokenizers import Regex, Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel

    chat_tokens = ["<|user|>", "<|assistant|>", "<|end|>"]
    specials = ["<pad>", "<unk>", "<s>", "</s>", *INTERNVL_SPECIAL_TOKENS.values(), *chat_tokens]
    vocabulary = {token: index for index, token in enumerate(dict.fromkeys([*specials, *words, ":", "Frame"]))}
    for number in range(1, 1025):  # "Frame12" is split into "Frame" + digits by the pre-tokenizer
        vocabulary.setdefault(str(number), len(vocabulary))
    backend = Tokenizer(WordLevel(vocabulary, unk_token="<unk>"))
    word_or_symbol = Regex(r"<[^>]+>|\d+|[^\W\d]+|[^\w\s]")
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(word_or_symbol, behavior="isolated")]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        extra_special_tokens=dict(INTERNVL_SPECIAL_TOKENS),
        padding_side="left",
    )
    tokenizer.add_tokens(chat_tokens, special_tokens=True)  # already in the vocabulary; marks them special
    if chat_template:
        tokenizer.chat_template = (
            "{% for message in messages %}"
            "{{ '<|' + message['role'] + '|> ' + message['content'] + ' <|end|> ' }}"
            "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|> ' }}{% endif %}"
        )
    return tokenizer


def tiny_internvl_config(
    vocab_size: int,
    image_token_id: int,
    hidden_size: int = 64,
    num_hidden_layers: int = 2,
    vision_hidden_size: int = 32,
    vision_layers: int = 1,
    image_size: int = 32,
    patch_size: int = 4,
    **text_overrides,
) -> InternVLConfig:
    """A random InternVL config (Qwen2 text model); ``(image_size / patch_size / 2) ** 2`` tokens per frame."""
    text_config = {
        "model_type": "qwen2",
        "vocab_size": vocab_size,
        "hidden_size": hidden_size,
        "intermediate_size": 2 * hidden_size,
        "num_hidden_layers": num_hidden_layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 8192,
        "tie_word_embeddings": True,
        **text_overrides,
    }
    vision_config = {
        "hidden_size": vision_hidden_size,
        "num_hidden_layers": vision_layers,
        "num_attention_heads": 4,
        "intermediate_size": 2 * vision_hidden_size,
        "image_size": image_size,
        "patch_size": patch_size,
        "hidden_act": "quick_gelu",
    }
    tokens_per_frame = (image_size // patch_size // 2) ** 2
    return InternVLConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=image_token_id,
        image_seq_length=tokens_per_frame,
        downsample_ratio=0.5,
    )


__all__ = ["build_word_tokenizer", "tiny_internvl_config"]
