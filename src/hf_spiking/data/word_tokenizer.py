"""An offline word-level tokenizer for tiny vision-language models trained on the synthetic videos.

``build_word_tokenizer()`` returns a ``transformers.PreTrainedTokenizerFast`` whose vocabulary is the closed vocabulary
of ``hf_spiking.data.synthetic_videos`` (colours, shapes, directions, numbers, question and caption words) plus a few
prompt words and the special tokens that transformers' ``InternVLProcessor`` reads from its tokenizer:
``start_image_token`` ``<img>``, ``end_image_token`` ``</img>``, ``context_image_token`` ``<IMG_CONTEXT>`` (the image
placeholder, expanded to ``image_seq_length`` copies) and ``video_token`` ``<video>``. Text is lower-cased, split on
whitespace and punctuation, and digits are split one by one, so InternVL's ``"Frame12: "`` prefixes stay in the
vocabulary. The chat template is Qwen2-like (``<|im_start|>role ... <|im_end|>``); ``<|im_end|>`` is also the eos
token, so generation stops at the end of the assistant's turn.
"""

from __future__ import annotations

from typing import Iterable

from .synthetic_videos import vocabulary

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"
BOS_TOKEN = "<s>"
EOS_TOKEN = "<|im_end|>"
TURN_START_TOKEN = "<|im_start|>"
# Keys become tokenizer attributes (``tokenizer.context_image_token``, ``..._id``) that InternVLProcessor reads.
MULTIMODAL_TOKENS: dict[str, str] = {
    "start_image_token": "<img>",
    "end_image_token": "</img>",
    "context_image_token": "<IMG_CONTEXT>",
    "video_token": "<video>",
}
SPECIAL_TOKENS: tuple[str, ...] = (PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, EOS_TOKEN, TURN_START_TOKEN,
                                   *MULTIMODAL_TOKENS.values())  # fmt: skip
# Role names of the chat template, InternVL's "Frame{i}:" video prefix, and words for multiple-choice prompts.
PROMPT_WORDS: tuple[str, ...] = (
    "system", "user", "assistant", "frame", ":", "(", ")", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "question", "answer", "options", "option", "choose", "describe", "video", "image", "b", "c", "d", "with", "word",
)  # fmt: skip

CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' -}}"
    "{%- if message['content'] is string -%}{{- message['content'] -}}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'image' -%}{{- '<IMG_CONTEXT>\\n' -}}"
    "{%- elif part['type'] == 'video' -%}{{- '<video>\\n' -}}"
    "{%- elif part['type'] == 'text' -%}{{- part['text'] -}}"
    "{%- endif -%}{%- endfor -%}{%- endif -%}"
    "{{- '<|im_end|>\\n' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)


def word_vocabulary(extra_words: Iterable[str] = ()) -> list[str]:
    """Special tokens first (fixed ids 0..8), then the sorted lower-case words."""
    words = {word.lower() for word in (*vocabulary(), *PROMPT_WORDS, *extra_words)}
    if any(not word or any(ch.isspace() for ch in word) for word in words):
        raise ValueError("extra_words must be single non-empty words without whitespace")
    return [*SPECIAL_TOKENS, *sorted(words - set(SPECIAL_TOKENS))]


def build_word_tokenizer(extra_words: Iterable[str] = (), *, model_max_length: int = 4096):
    """A ``PreTrainedTokenizerFast`` over ``word_vocabulary(extra_words)``, built offline; save it with
    ``save_pretrained`` and reload with ``AutoTokenizer.from_pretrained``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: index for index, token in enumerate(word_vocabulary(extra_words))}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK_TOKEN))
    backend.normalizer = normalizers.Lowercase()
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=True)]
    )
    backend.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    backend.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD_TOKEN,
        unk_token=UNK_TOKEN,
        bos_token=BOS_TOKEN,
        eos_token=EOS_TOKEN,
        extra_special_tokens=dict(MULTIMODAL_TOKENS),
        chat_template=CHAT_TEMPLATE,
        padding_side="left",
        model_max_length=model_max_length,
    )


__all__ = [
    "BOS_TOKEN",
    "CHAT_TEMPLATE",
    "EOS_TOKEN",
    "MULTIMODAL_TOKENS",
    "PAD_TOKEN",
    "PROMPT_WORDS",
    "SPECIAL_TOKENS",
    "TURN_START_TOKEN",
    "UNK_TOKEN",
    "build_word_tokenizer",
    "word_vocabulary",
]
