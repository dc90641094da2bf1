"""SpikingPointProcessor: the point-cloud feature extractor paired with the text teacher's tokenizer."""

import json
from pathlib import Path

from transformers import AutoTokenizer, BatchFeature, ProcessorMixin

from .checkpoints import ProcessorFileMixin
from .text_teacher import resolve_text_teacher

# Files one of which a folder holding a saved tokenizer has.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.txt", "vocab.json")


class SpikingPointProcessor(ProcessorFileMixin, ProcessorMixin):
    r"""
    Wraps a [`SpikingPointFeatureExtractor`] and the tokenizer of the text teacher (e.g. all-MiniLM-L6-v2 or CLIP's
    text tower) into one processor. ``processor(point_clouds=..., text=...)`` returns ``point_values`` and, when
    text is given, ``input_ids`` / ``attention_mask`` ready for [`SpikingPointEncoderForPreTraining`] or
    [`SpikingPointEncoderForZeroShotClassification`].

    `from_pretrained` (and `AutoProcessor`) on a model folder without tokenizer files (e.g. the shipped zero-shot
    checkpoint) use the tokenizer of the text teacher the folder's config names (`text_teacher`).
    """

    def __init__(self, feature_extractor=None, tokenizer=None, **kwargs):
        super().__init__(feature_extractor, tokenizer, **kwargs)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
        folder = Path(pretrained_model_name_or_path)
        if kwargs.get("tokenizer") is None and folder.is_dir() and not any((folder / f).is_file() for f in TOKENIZER_FILES):
            kwargs["tokenizer"] = text_teacher_tokenizer(folder)
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)

    def __call__(self, point_clouds=None, text=None, return_tensors="pt", **kwargs) -> BatchFeature:
        if point_clouds is None and text is None:
            raise ValueError("Pass `point_clouds`, `text` or both.")
        data = {}
        if point_clouds is not None:
            data.update(self.feature_extractor(point_clouds, return_tensors=return_tensors))
        if text is not None:
            kwargs.setdefault("padding", True)
            kwargs.setdefault("truncation", True)
            data.update(self.tokenizer(text, return_tensors=return_tensors, **kwargs))
        return BatchFeature(data, tensor_type=return_tensors)

    @property
    def model_input_names(self):
        return ["point_values", *self.tokenizer.model_input_names]


def text_teacher_tokenizer(folder: Path):
    """The tokenizer of the text teacher named by ``folder/config.json`` (for folders saved without a tokenizer)."""
    config_file = folder / "config.json"
    text_teacher = json.loads(config_file.read_text())["text_teacher"] if config_file.is_file() else None
    if text_teacher is None:
        raise ValueError(
            f"{str(folder)!r} holds no tokenizer (none of {', '.join(TOKENIZER_FILES)}) and its config.json names no "
            "`text_teacher` whose tokenizer could be used: pass `tokenizer=` (the text teacher's tokenizer), or load "
            "only the point-cloud side with AutoFeatureExtractor.from_pretrained(folder)."
        )
    return AutoTokenizer.from_pretrained(resolve_text_teacher(text_teacher))


__all__ = ["SpikingPointProcessor", "TOKENIZER_FILES", "text_teacher_tokenizer"]
