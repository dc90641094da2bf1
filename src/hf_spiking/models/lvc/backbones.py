"""Backbone adapters: the small interface through which LVC drives a wrapped vision-language model.

An adapter is stateless. It builds the VLM's top-level modules under the VLM's own attribute names (so checkpoints
of the plain VLM load into ``LVCForVideoQA`` without renaming) and then, given the LVC model that holds them, knows how
to (1) encode frames into ``[frames, t, d]`` tokens through the vision tower and alignment layer, (2) embed tokens and
find the visual placeholders, (3) run the language model on ``inputs_embeds`` and (4) name the alignment module that
LVC trains. Adding a backbone means subclassing :class:`LVCBackbone` and calling :func:`register_lvc_backbone`.
"""

from __future__ import annotations

import importlib

import torch
from torch import nn
from transformers import PreTrainedConfig


class LVCBackbone:
    """Interface every LVC backbone adapter implements (``model`` below is the ``LVCForVideoQA`` instance)."""

    model_type: str = ""
    alignment_modules: tuple[str, ...] = ()
    """Module or parameter names inside the LVC model that form the alignment layer (the only part LVC trains)."""
    lora_target_modules: str = ""
    """PEFT ``target_modules`` regex for LoRA on the language model's attention only (not the vision tower's)."""

    def build_modules(self, vlm_config: PreTrainedConfig) -> dict[str, nn.Module]:
        """Top-level modules of the VLM, keyed by the attribute names its checkpoints use."""
        raise NotImplementedError

    def tied_weights_keys(self, vlm_config: PreTrainedConfig) -> dict[str, str]:
        return {}

    def tokens_per_frame(self, vlm_config: PreTrainedConfig) -> int:
        """t: tokens one frame contributes to the language model."""
        raise NotImplementedError

    def placeholder_token_id(self, vlm_config: PreTrainedConfig) -> int | None:
        """Token id whose positions in ``input_ids`` receive the (compressed) visual tokens."""
        raise NotImplementedError

    def placeholder_mask(self, vlm_config: PreTrainedConfig, input_ids: torch.Tensor) -> torch.Tensor:
        """``[batch, seq]`` bool mask of the visual placeholder positions."""
        return input_ids == self.placeholder_token_id(vlm_config)

    def encode_frames(
        self, model: nn.Module, pixel_values: torch.Tensor, image_sizes: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Frames (``[frames, ...]`` as the backbone's image processor returns them, plus their ``image_sizes`` where
        the backbone needs them) -> ``[frames, t, d]`` in the language model's width (after the alignment layer)."""
        raise NotImplementedError

    def input_embeddings(self, model: nn.Module) -> nn.Module:
        raise NotImplementedError

    def embed_tokens(self, model: nn.Module, input_ids: torch.Tensor) -> torch.Tensor:
        return self.input_embeddings(model)(input_ids)

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
    lora_target_modules = r".*language_model.*\.(q_proj|v_proj)"

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

    def encode_frames(self, model, pixel_values, image_sizes=None):
        return model.model.get_image_features(pixel_values=pixel_values, return_dict=True).pooler_output

    def input_embeddings(self, model):
        return model.model.get_input_embeddings()

    def output_embeddings(self, model):
        return model.lm_head

    def language_model(self, model):
        return model.model.language_model


def _phi3_v_modeling():
    # Imported by name, not with ``from ..phi3_v...``: a saved LVC folder carries this file for trust_remote_code, and
    # transformers would try to copy every relative import into it. Phi-3.5-V backbones need hf_spiking anyway (it
    # registers the ``phi3_v`` config), InternVL ones do not.
    return importlib.import_module("hf_spiking.models.phi3_v.modeling_phi3_v")


class Phi3VBackbone(LVCBackbone):
    """hf_spiking's native Phi-3.5-Vision (``Phi3VModel`` under ``model`` plus ``lm_head``, the official names).

    Frames come from ``Phi3VImageProcessor``: ``[frames, crops, 3, S, S]`` plus ``image_sizes`` ``[frames, 2]``; all
    frames of a video must share one crop grid so that token positions line up across time. The alignment layer is
    ``img_projection`` together with the ``glb_GN`` / ``sub_GN`` separators.
    """

    model_type = "phi3_v"
    alignment_modules = (
        "model.vision_embed_tokens.img_projection",
        "model.vision_embed_tokens.glb_GN",
        "model.vision_embed_tokens.sub_GN",
    )
    lora_target_modules = r"model\.layers\.\d+\.self_attn\.(qkv_proj|o_proj)"  # Phi-3's attention is fused

    def build_modules(self, vlm_config):
        return {
            "model": _phi3_v_modeling().Phi3VModel(vlm_config),
            "lm_head": nn.Linear(vlm_config.hidden_size, vlm_config.vocab_size, bias=False),
        }

    def tied_weights_keys(self, vlm_config):
        return {"lm_head.weight": "model.embed_tokens.weight"}

    def tokens_per_frame(self, vlm_config):
        """Tokens of a frame processed with ``num_crops=1`` (a 1 x 1 sub-crop grid plus the global view)."""
        side = vlm_config.vision_config.image_size // vlm_config.vision_config.patch_size // 2
        return 2 * side**2 + 1 + 2 * side

    def placeholder_token_id(self, vlm_config):
        return vlm_config.image_token_id

    def placeholder_mask(self, vlm_config, input_ids):
        return _phi3_v_modeling().image_placeholder_mask(input_ids, vlm_config.image_token_id)

    def encode_frames(self, model, pixel_values, image_sizes=None):
        if image_sizes is None:
            raise ValueError("Phi-3.5-V frames need image_sizes_videos ([batch, frames, 2], from Phi3VImageProcessor).")
        tokens = model.model.get_image_features(pixel_values, image_sizes, return_dict=True).pooler_output
        if len({frame.shape[0] for frame in tokens}) != 1:
            raise ValueError("all frames of a video must have the same size (one crop grid) for LVC's windows.")
        return torch.stack(list(tokens))

    def input_embeddings(self, model):
        return model.model.embed_tokens

    def embed_tokens(self, model, input_ids):
        # Negative ids are Phi-3.5-V's image placeholders; they are replaced by visual tokens after embedding.
        return model.model.embed_tokens(input_ids.clamp_min(0))

    def output_embeddings(self, model):
        return model.lm_head

    def language_model(self, model):
        return model.model  # Phi3VModel without pixels is the plain Phi-3 decoder


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
register_lvc_backbone(Phi3VBackbone())

__all__ = ["InternVLBackbone", "LVCBackbone", "Phi3VBackbone", "get_lvc_backbone", "register_lvc_backbone"]
