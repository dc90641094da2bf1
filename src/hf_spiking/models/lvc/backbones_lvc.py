"""Backbone adapters: the small interface through which LVC drives a wrapped vision-language model.

An adapter is stateless. It builds the VLM's top-level modules under the VLM's own attribute names (so checkpoints
of the plain VLM load into ``LVCForVideoQA`` without renaming) and then, given the LVC model that holds them, knows how
to (1) encode frames into ``[frames, t, d]`` tokens through the vision tower and alignment layer, (2) embed tokens,
(3) run the language model on ``inputs_embeds`` and (4) name the alignment module that LVC trains. Adding a backbone
means subclassing :class:`LVCBackbone` and calling :func:`register_lvc_backbone`.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import PreTrainedConfig


class LVCBackbone:
    """Interface every LVC backbone adapter implements (``model`` below is the ``LVCForVideoQA`` instance)."""

    model_type: str = ""
    alignment_modules: tuple[str, ...] = ()
    """Module names inside the LVC model that form the alignment layer (the only part LVC trains)."""

    def build_modules(self, vlm_config: PreTrainedConfig) -> dict[str, nn.Module]:
        """Top-level modules of the VLM, keyed by the attribute names its checkpoints use."""
        raise NotImplementedError

    def tied_weights_keys(self, vlm_config: PreTrainedConfig) -> dict[str, str]:
        return {}

    def tokens_per_frame(self, vlm_config: PreTrainedConfig) -> int:
        """t: tokens one frame contributes to the language model."""
        raise NotImplementedError

    def placeholder_token_id(self, vlm_config: PreTrainedConfig) -> int:
        """Token id whose positions in ``input_ids`` receive the (compressed) visual tokens."""
        raise NotImplementedError

    def encode_frames(self, model: nn.Module, pixel_values: torch.Tensor) -> torch.Tensor:
        """``[frames, C, H, W]`` -> ``[frames, t, d]`` in the language model's width (after the alignment layer)."""
        raise NotImplementedError

    def input_embeddings(self, model: nn.Module) -> nn.Module:
        raise NotImplementedError

    def output_embeddings(self, model: nn.Module) -> nn.Module:
        raise NotImplementedError

    def language_model(self, model: nn.Module) -> nn.Module:
        """Decoder stack called as ``language_model(inputs_embeds=..., attention_mask=..., cache=..., ...)``,
        returning a ``BaseModelOutputWithPast``."""
        raise NotImplementedError


class InternVLBackbone(LVCBackbone):
    """transformers' native InternVL (``InternVLModel`` under ``model`` plus ``lm_head``, as in the ``-hf`` repos)."""

    model_type = "internvl"
    alignment_modules = ("model.multi_modal_projector",)

    def build_modules(self, vlm_config):
        from transformers import InternVLModel

        text_config = vlm_config.text_config
        return {
            "model": InternVLModel(vlm_config),
            "lm_head": nn.Linear(text_config.hidden_size, text_config.vocab_size, bias=False),
        }

    def tied_weights_keys(self, vlm_config):
        return {"lm_head.weight": "model.language_model.embed_tokens.weight"}

    def tokens_per_frame(self, vlm_config):
        vision = vlm_config.vision_config
        patches_per_side = vision.image_size[0] // vision.patch_size[0]
        return int(patches_per_side * vlm_config.downsample_ratio) ** 2

    def placeholder_token_id(self, vlm_config):
        return vlm_config.image_token_id

    def encode_frames(self, model, pixel_values):
        return model.model.get_image_features(pixel_values=pixel_values, return_dict=True).pooler_output

    def input_embeddings(self, model):
        return model.model.get_input_embeddings()

    def output_embeddings(self, model):
        return model.lm_head

    def language_model(self, model):
        return model.model.language_model


_BACKBONES: dict[str, LVCBackbone] = {}


def register_lvc_backbone(backbone: LVCBackbone) -> LVCBackbone:
    """Makes ``LVCConfig(vlm_config=<config of backbone.model_type>)`` buildable."""
    _BACKBONES[backbone.model_type] = backbone
    return backbone


def get_lvc_backbone(model_type: str) -> LVCBackbone:
    try:
        return _BACKBONES[model_type]
    except KeyError:
        raise ValueError(
            f"LVC has no backbone adapter for VLM model_type {model_type!r}; supported: {sorted(_BACKBONES)}."
        ) from None


register_lvc_backbone(InternVLBackbone())

__all__ = ["InternVLBackbone", "LVCBackbone", "get_lvc_backbone", "register_lvc_backbone"]
