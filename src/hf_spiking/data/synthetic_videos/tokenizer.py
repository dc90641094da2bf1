"""Offline word-level tokenizers for tiny vision-language models, built in memory (nothing is downloaded).

Both carry the special tokens that transformers' ``InternVLProcessor`` reads from its tokenizer (``MULTIMODAL_TOKENS``:
``start_image_token`` ``<img>``, ``end_image_token`` ``</img>``, ``context_image_token`` ``<IMG_CONTEXT>``, the image
placeholder expanded to ``image_seq_length`` copies, and ``video_token`` ``<video>``), and both are built by one
function, ``word_level_tokenizer``; they differ in vocabulary, text normalisation and chat template:

- ``build_word_tokenizer()``: the closed vocabulary of the synthetic videos (:func:`.generation.vocabulary`: colours,
  shapes, directions, numbers, question and caption words) plus a few prompt words. Text is lower-cased, split on
  whitespace and punctuation, and digits are split one by one, so InternVL's ``"Frame12: "`` prefixes stay in the
  vocabulary. The chat template is Qwen2-like (``<|im_start|>role ... <|im_end|>``); ``<|im_end|>`` is also the eos
  token, so generation stops at the end of the assistant's turn.
- ``build_lvc_test_tokenizer()``: the tokenizer of the ``lvc-internvl-test`` preset and the LVC tests: a few dozen
  case-kept words plus ``Frame`` and the numbers 1-1024 (LVC's ``Frame{i}:`` prompt layout), and a minimal
  ``<|user|>`` / ``<|assistant|>`` chat template; unknown words map to ``<unk>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .generation import vocabulary

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

LVC_TEST_WORDS: tuple[str, ...] = tuple(
    "what is the person doing in this video ? a cat dog ball runs jumps sits red blue green yes no "
    "answer question frame the of and to with on left right up down color how many one two three four".split()
)
LVC_TEST_CHAT_TOKENS: tuple[str, ...] = ("<|user|>", "<|assistant|>", "<|end|>")
LVC_TEST_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|' + message['role'] + '|> ' + message['content'] + ' <|end|> ' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|> ' }}{% endif %}"
)


def word_level_tokenizer(
    vocabulary: Sequence[str], special_tokens: Sequence[str], *, pre_tokenizer, eos_token: str, chat_template: str,
    lowercase: bool = False, decoder=None, **tokenizer_kwargs,
):
    """A ``PreTrainedTokenizerFast`` over ``vocabulary`` (ids in order) with ``<pad>`` / ``<unk>`` / ``<s>``, the given
    eos, ``MULTIMODAL_TOKENS`` as extra special tokens and left padding; ``special_tokens`` are never split."""
    from tokenizers import Tokenizer, models, normalizers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel(vocab={token: index for index, token in enumerate(vocabulary)},
                                         unk_token=UNK_TOKEN))  # fmt: skip
    if lowercase:
        backend.normalizer = normalizers.Lowercase()
    backend.pre_tokenizer = pre_tokenizer
    if decoder is not None:
        backend.decoder = decoder
    backend.add_special_tokens(list(special_tokens))
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token=PAD_TOKEN,
        unk_token=UNK_TOKEN,
        bos_token=BOS_TOKEN,
        eos_token=eos_token,
        extra_special_tokens=dict(MULTIMODAL_TOKENS),
        chat_template=chat_template,
        padding_side="left",
        **tokenizer_kwargs,
    )


def word_vocabulary(extra_words: Iterable[str] = ()) -> list[str]:
    """Special tokens first (fixed ids 0..8), then the sorted lower-case words."""
    words = {word.lower() for word in (*vocabulary(), *PROMPT_WORDS, *extra_words)}
    if any(not word or any(ch.isspace() for ch in word) for word in words):
        raise ValueError("extra_words must be single non-empty words without whitespace")
    return [*SPECIAL_TOKENS, *sorted(words - set(SPECIAL_TOKENS))]


def build_word_tokenizer(extra_words: Iterable[str] = (), *, model_max_length: int = 4096):
    """The synthetic videos' tokenizer over ``word_vocabulary(extra_words)``; save it with ``save_pretrained`` and
    reload with ``AutoTokenizer.from_pretrained``."""
    from tokenizers import decoders, pre_tokenizers

    return word_level_tokenizer(
        word_vocabulary(extra_words), SPECIAL_TOKENS, eos_token=EOS_TOKEN, chat_template=CHAT_TEMPLATE,
        lowercase=True,
        pre_tokenizer=pre_tokenizers.Sequence(
            [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=True)]
        ),
        decoder=decoders.WordPiece(prefix="##", cleanup=True),
        model_max_length=model_max_length,
    )


def build_lvc_test_tokenizer():
    """The ``lvc-internvl-test`` preset's tokenizer (``LVC_TEST_WORDS``, ``Frame``, numbers 1-1024, case kept)."""
    from tokenizers import Regex, pre_tokenizers

    special_tokens = [PAD_TOKEN, UNK_TOKEN, BOS_TOKEN, "</s>", *MULTIMODAL_TOKENS.values(), *LVC_TEST_CHAT_TOKENS]
    words = list(dict.fromkeys([*special_tokens, *LVC_TEST_WORDS, ":", "Frame"]))
    # "Frame12" is split into "Frame" + digits by the pre-tokenizer.
    words += [str(number) for number in range(1, 1025) if str(number) not in words]
    word_or_symbol = Regex(r"<[^>]+>|\d+|[^\W\d]+|[^\w\s]")
    return word_level_tokenizer(
        words, special_tokens, eos_token="</s>", chat_template=LVC_TEST_CHAT_TEMPLATE,
        pre_tokenizer=pre_tokenizers.Sequence(
            [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(word_or_symbol, behavior="isolated")]
        ),
    )


__all__ = [
    "BOS_TOKEN",
    "CHAT_TEMPLATE",
    "EOS_TOKEN",
    "LVC_TEST_CHAT_TEMPLATE",
    "LVC_TEST_WORDS",
    "MULTIMODAL_TOKENS",
    "PAD_TOKEN",
    "PROMPT_WORDS",
    "SPECIAL_TOKENS",
    "TURN_START_TOKEN",
    "UNK_TOKEN",
    "build_lvc_test_tokenizer",
    "build_word_tokenizer",
    "word_level_tokenizer",
    "word_vocabulary",
]
