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


class ZeroShot3DClassificationPipeline(Pipeline):
    r"""
    Zero-shot 3D classification with a [`SpikingPointEncoderForZeroShotClassification`] (or any checkpoint of this
    family: a saved pre-training model is loaded with its zero-shot head).

    Inputs: one point cloud (numpy array / tensor of shape (N, 3) or (N, 6), or a file path) or a list of them.
    Parameters: `candidate_labels` (list of class names), `hypothesis_template` (default "a point cloud of a {}."),
    `top_k`. A Rep-VLI folded model needs no `candidate_labels` and no text encoder: it scores its stored classes
    (`candidate_labels` that are all among them select a subset, still without a text encoder).

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
            # pipeline(model=<folder>) loads the folder with AutoModel (the bare encoder): reload it with the head.
            source = getattr(model, "name_or_path", "")
            if getattr(model.config, "model_type", None) != "spiking_point_encoder" or not os.path.isdir(str(source)):
                raise ValueError(
                    "zero-shot-3d-classification needs a SpikingPointEncoderForZeroShotClassification model or a "
                    f"saved folder of the spiking_point_encoder family; got {type(model).__name__}."
                )
            model = SpikingPointEncoderForZeroShotClassification.from_pretrained(source)
        if feature_extractor is None:
            feature_extractor = SpikingPointFeatureExtractor(
                num_points=max(8192, model.config.num_groups, model.config.group_size),
                use_color=model.config.in_channels == 6,
            )
        super().__init__(model=model, feature_extractor=feature_extractor, tokenizer=tokenizer, **kwargs)

    def _sanitize_parameters(self, candidate_labels=None, hypothesis_template=None, top_k=None, **kwargs):
        preprocess_params = {}
        if candidate_labels is not None:
            preprocess_params["candidate_labels"] = candidate_labels
        if hypothesis_template is not None:
            preprocess_params["hypothesis_template"] = hypothesis_template
        postprocess_params = {}
        if top_k is not None:
            if not isinstance(top_k, int) or top_k < 1:
                raise ValueError(f"`top_k` must be a positive integer, got {top_k!r}.")
            postprocess_params["top_k"] = top_k
        return preprocess_params, {}, postprocess_params

    def __call__(self, point_clouds, **kwargs):
        """Classifies one cloud (array, tensor or path) or a list of clouds."""
        if isinstance(point_clouds, (list, tuple)) and not point_clouds:
            raise ValueError("Got an empty list of point clouds.")
        return super().__call__(point_clouds, **kwargs)

    def _text_tokenizer(self):
        if self.tokenizer is not None:
            return self.tokenizer
        return self.model._teacher("tokenizer", self.device)

    def preprocess(self, point_cloud, candidate_labels=None, hypothesis_template="a point cloud of a {}."):
        config = self.model.config
        if isinstance(candidate_labels, str):
            candidate_labels = [label.strip() for label in candidate_labels.split(",") if label.strip()]
        if candidate_labels is not None and not candidate_labels:
            raise ValueError("`candidate_labels` must be a non-empty list of class names.")
        if not isinstance(hypothesis_template, str) or "{}" not in hypothesis_template:
            raise ValueError(f"`hypothesis_template` must be a string containing '{{}}', got {hypothesis_template!r}.")
        inputs = {"point_values": self.feature_extractor(point_cloud, return_tensors="pt")["point_values"]}
        folded = config.rep_vli_fold is not None
        if candidate_labels is None:
            if not folded:
                raise ValueError(
                    "`candidate_labels` are required: this model has no folded text classifier (see "
                    "`fold_text_classifier`)."
                )
            inputs["candidate_labels"] = [config.id2label[i] for i in range(config.num_labels)]
            inputs["class_indices"] = None
        elif folded and all(label in config.label2id for label in candidate_labels):
            inputs["candidate_labels"] = list(candidate_labels)
            inputs["class_indices"] = torch.tensor([config.label2id[label] for label in candidate_labels])
        else:
            prompts = [hypothesis_template.format(label) for label in candidate_labels]
            inputs.update(self._text_tokenizer()(prompts, padding=True, truncation=True, return_tensors="pt"))
            inputs["candidate_labels"] = list(candidate_labels)
            inputs["class_indices"] = None
        return inputs

    def _forward(self, model_inputs):
        candidate_labels = model_inputs.pop("candidate_labels")
        class_indices = model_inputs.pop("class_indices")
        model_inputs.pop("token_type_ids", None)
        logits = self.model(**model_inputs).logits[0]
        if class_indices is not None:
            logits = logits[class_indices.to(logits.device)]
        return {"logits": logits, "candidate_labels": candidate_labels}

    def postprocess(self, model_outputs, top_k=None):
        scores = model_outputs["logits"].float().softmax(dim=-1).tolist()
        ranked = sorted(zip(scores, model_outputs["candidate_labels"]), key=lambda pair: -pair[0])
        if top_k is not None:
            ranked = ranked[:top_k]
        return [{"label": label, "score": score} for score, label in ranked]


__all__ = ["ZeroShot3DClassificationPipeline"]
