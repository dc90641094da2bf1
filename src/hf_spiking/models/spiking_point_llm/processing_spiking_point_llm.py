"""SpikingPointLLMProcessor: a point-cloud feature extractor and a language model's tokenizer (and chat template)."""

import torch
from transformers import BatchFeature, ProcessorMixin

from .checkpoints import ProcessorFileMixin, require_bool, require_positive_integer

IGNORE_INDEX = -100
POINT_TOKEN = "<point>"


class SpikingPointLLMProcessor(ProcessorFileMixin, ProcessorMixin):
    r"""
    Turns ``(point cloud, question[, answer])`` into [`SpikingPointLLMForConditionalGeneration`] inputs.

    Each cloud goes through the feature extractor (``point_values``); each prompt is ``point_token`` and the question
    (``"<point>\nwhat colour is it?"``), wrapped in the chat template when the tokenizer has one, and the point token
    is expanded to ``num_point_tokens`` placeholders. Without ``answers`` the prompts are left-padded for
    ``generate()``; with ``answers`` the answer (plus EOS) is appended, rows are right-padded and ``labels`` keep only
    the answer tokens (the prompt and the placeholders are -100).

    Args:
        feature_extractor: a [`SpikingPointFeatureExtractor`] matching the encoder (e.g. xyz + rgb).
        tokenizer: the language model's tokenizer; it must hold ``point_token`` as one token
            (``tokenizer.add_tokens(["<point>"], special_tokens=True)``, then resize the model's embeddings).
        num_point_tokens (`int`, defaults to 1): the model's ``config.num_point_tokens``.
        point_token (`str`, defaults to ``"<point>"``): the placeholder.
        use_chat_template (`bool`, defaults to `True`): wrap prompts in the chat template if there is one.
    """

    def __init__(
        self,
        feature_extractor=None,
        tokenizer=None,
        num_point_tokens: int = 1,
        point_token: str = POINT_TOKEN,
        use_chat_template: bool = True,
        chat_template=None,
        **kwargs,
    ):
        require_positive_integer("num_point_tokens", num_point_tokens)
        require_bool("use_chat_template", use_chat_template)
        super().__init__(feature_extractor, tokenizer, chat_template=chat_template, **kwargs)
        token_ids = tokenizer(point_token, add_special_tokens=False)["input_ids"]
        if len(token_ids) != 1 or token_ids[0] == tokenizer.unk_token_id:
            raise ValueError(
                f"the tokenizer splits point_token {point_token!r} into {token_ids}; add it as one token with "
                f"tokenizer.add_tokens([{point_token!r}], special_tokens=True) and resize the model's embeddings."
            )
        self.num_point_tokens = num_point_tokens
        self.point_token = point_token
        self.use_chat_template = use_chat_template

    @property
    def point_token_id(self) -> int:
        return self.tokenizer.convert_tokens_to_ids(self.point_token)

    def build_prompt(self, question: str) -> str:
        """The prompt for one question: the point token, a newline and the question, in the chat template."""
        if self.point_token in question:
            raise ValueError(f"the question must not contain the point placeholder {self.point_token!r}: {question!r}")
        content = f"{self.point_token}\n{question}"
        template = self.chat_template or getattr(self.tokenizer, "chat_template", None)
        if self.use_chat_template and template:
            return self.tokenizer.apply_chat_template(
                [{"role": "user", "content": content}], chat_template=template, add_generation_prompt=True,
                tokenize=False,
            )
        return content

    def encode_prompt(self, question: str) -> list[int]:
        prompt = self.build_prompt(question).replace(self.point_token, self.point_token * self.num_point_tokens)
        return self.tokenizer(prompt, add_special_tokens=False)["input_ids"]

    def __call__(
        self,
        point_clouds=None,
        text: str | list[str] | None = None,
        answers: str | list[str] | None = None,
        return_tensors: str = "pt",
        **kwargs,
    ) -> BatchFeature:
        """``point_clouds``: one cloud (array, file) or a list; ``text``: the question(s); ``answers``: targets."""
        questions = [text] if isinstance(text, str) else text
        if not questions or not all(isinstance(question, str) for question in questions):
            raise ValueError(f"`text` must be a question (a string) or a non-empty list of them, got {text!r}.")
        if point_clouds is None:
            raise ValueError("SpikingPointLLMProcessor needs `point_clouds`: one cloud per question.")
        data = dict(self.feature_extractor(point_clouds, return_tensors="pt", **kwargs))
        if data["point_values"].shape[0] != len(questions):
            raise ValueError(
                f"got {data['point_values'].shape[0]} cloud(s) for {len(questions)} question(s) in `text`; pass one "
                "cloud per question."
            )
        prompts = [self.encode_prompt(question) for question in questions]
        if answers is None:
            data.update(self._pad(prompts, left=self.tokenizer.padding_side == "left"))
        else:
            answer_list = [answers] if isinstance(answers, str) else list(answers)
            if len(answer_list) != len(questions):
                raise ValueError(f"got {len(answer_list)} answer(s) for {len(questions)} question(s).")
            eos = [self.tokenizer.eos_token_id]
            targets = [self.tokenizer(answer, add_special_tokens=False)["input_ids"] + eos for answer in answer_list]
            data.update(self._pad([p + t for p, t in zip(prompts, targets)], left=False))
            labels = [[IGNORE_INDEX] * len(p) + t for p, t in zip(prompts, targets)]
            data["labels"] = self._pad(labels, left=False, pad_id=IGNORE_INDEX)["input_ids"]
        return BatchFeature(data, tensor_type=return_tensors)

    def _pad(self, rows: list[list[int]], left: bool, pad_id: int | None = None) -> dict:
        pad_id = self.tokenizer.pad_token_id if pad_id is None else pad_id
        length = max(len(row) for row in rows)
        ids, mask = [], []
        for row in rows:
            padding = length - len(row)
            ids.append([pad_id] * padding + row if left else row + [pad_id] * padding)
            mask.append([0] * padding + [1] * len(row) if left else [1] * len(row) + [0] * padding)
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask)}

    def batch_decode(self, *args, **kwargs):
        return self.tokenizer.batch_decode(*args, **kwargs)

    def decode(self, *args, **kwargs):
        return self.tokenizer.decode(*args, **kwargs)

    @property
    def model_input_names(self) -> list[str]:
        return ["input_ids", "attention_mask", "point_values"]


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
SpikingPointLLMProcessor.register_for_auto_class()

__all__ = ["IGNORE_INDEX", "POINT_TOKEN", "SpikingPointLLMProcessor"]
