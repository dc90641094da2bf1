"""Configuration of a native Phi-3.5-Vision (``model_type="phi3_v"``).

The field names follow the official ``microsoft/Phi-3.5-vision-instruct`` ``config.json`` so that file loads as is:
the Phi-3 text fields at the top level, plus the ``img_processor`` and ``embd_layer`` dicts of the remote code. The
official code hard-codes its CLIP ViT-L/14-336 tower; here it is the ``vision_config`` sub-config (defaulting to exactly
that tower), so tiny test models can shrink it.
"""

import math

from huggingface_hub.dataclasses import strict
from huggingface_hub.errors import StrictDataclassClassValidationError
from transformers import CLIPVisionConfig
from transformers.configuration_utils import SubConfigSpec
from transformers.models.phi3.configuration_phi3 import Phi3Config

from .config_validation import checked_config

# CLIP ViT-L/14-336, the tower of every official Phi-3(.5)-Vision checkpoint.
CLIP_VIT_L14_336_KWARGS = {
    "hidden_size": 1024,
    "intermediate_size": 4096,
    "num_hidden_layers": 24,
    "num_attention_heads": 16,
    "image_size": 336,
    "patch_size": 14,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
    "projection_dim": 768,
}

DEFAULT_EMBD_LAYER = {
    "embedding_cls": "image",
    "hd_transform_order": "sub_glb",
    "projection_cls": "mlp",
    "use_hd_transform": True,
    "with_learnable_separator": True,
}

DEFAULT_IMG_PROCESSOR = {
    "model_name": "openai/clip-vit-large-patch14-336",
    "name": "clip_vision_model",
    "layer_idx": -2,
    "type_feature": "patch",
}


class Phi3VConfigError(ValueError, StrictDataclassClassValidationError):
    """A bad `Phi3VConfig` value: a ValueError naming the argument (also @strict's validation error)."""


@checked_config(Phi3VConfigError)
@strict
class Phi3VConfig(Phi3Config):
    r"""
    Phi-3.5-Vision: a Phi-3 language model fed with CLIP image features arranged by the HD transform.

    Args (beyond [`Phi3Config`]):
        embd_layer (`dict`, *optional*):
            As in the official config: `hd_transform_order` (`"sub_glb"`, the released order, or `"glb_sub"`),
            `projection_cls` (`"mlp"`: Linear(4C->H), GELU, Linear(H->H); or `"linear"`), `use_hd_transform` and
            `with_learnable_separator` (both must be true: only the HD path of Phi-3(.5)-Vision is implemented).
            Missing keys take the Phi-3.5-vision-instruct values.
        img_processor (`dict`, *optional*):
            As in the official config: `name` (`"clip_vision_model"`), `layer_idx` (hidden state of the CLIP tower
            used, default -2: the second-to-last layer), `type_feature` (`"patch"`: CLS token dropped),
            `image_dim_out` (must equal `vision_config.hidden_size`) and `num_img_tokens` (tokens of one merged crop,
            `(image_size / patch_size / 2) ** 2`). Missing keys are filled in from `vision_config`.
        vision_config (`dict` or `CLIPVisionConfig`, *optional*):
            The CLIP vision tower; defaults to CLIP ViT-L/14-336 (the official tower).
        image_token_id (`int`, *optional*):
            Placeholder id of an image token in `input_ids` (a token added to the tokenizer), which keeps `input_ids`
            valid for every generation utility. Negative ids are always placeholders too (the official processor
            writes `-k` for the tokens of the k-th image), so official prompts work unchanged with the default `None`.
    """

    model_type = "phi3_v"
    sub_configs_defaults = {"vision_config": SubConfigSpec(CLIPVisionConfig, init_kwargs=CLIP_VIT_L14_336_KWARGS)}

    embd_layer: dict | None = None
    img_processor: dict | None = None
    vision_config: dict | CLIPVisionConfig | None = None
    image_token_id: int | None = None

    def __post_init__(self, **kwargs):
        self.embd_layer = {**DEFAULT_EMBD_LAYER, **(self.embd_layer or {})}
        self.img_processor = {**DEFAULT_IMG_PROCESSOR, **(self.img_processor or {})}
        super().__post_init__(**kwargs)
        self.img_processor.setdefault("image_dim_out", self.vision_config.hidden_size)
        self.img_processor.setdefault("num_img_tokens", self.tokens_per_crop_side**2)

    def convert_rope_params_to_dict(self, default_theta: int | float = 10_000.0, ignore_keys=None, **kwargs):
        # Phi-3-vision configs call long RoPE "su"; Phi3Config renames it only after standardising, which then misses
        # original_max_position_embeddings, so rename it first.
        def renamed(params):
            if not isinstance(params, dict):
                return params
            return {k: "longrope" if k in ("type", "rope_type") and v == "su" else v for k, v in params.items()}

        if kwargs.get("rope_scaling") is not None:
            kwargs["rope_scaling"] = renamed(kwargs["rope_scaling"])
        self.rope_parameters = renamed(self.rope_parameters)
        return super().convert_rope_params_to_dict(default_theta=default_theta, ignore_keys=ignore_keys, **kwargs)

    @property
    def tokens_per_crop_side(self) -> int:
        """Side of the merged token grid of one crop: 336 / 14 / 2 = 12 for the official tower."""
        return self.vision_config.image_size // self.vision_config.patch_size // 2

    @property
    def vision_feature_layer(self) -> int:
        return self.img_processor["layer_idx"]

    @property
    def hd_transform_order(self) -> str:
        return self.embd_layer["hd_transform_order"]

    @property
    def projection_cls(self) -> str:
        return self.embd_layer["projection_cls"]

    def validate_phi3_v(self):
        """The options of the official code that this implementation supports, and a consistent CLIP tower."""
        embd, img = self.embd_layer, self.img_processor
        for name in ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)}")
        for name in ("attention_dropout", "resid_pdrop", "embd_pdrop"):
            if not 0 <= getattr(self, name, 0.0) < 1:
                raise ValueError(f"{name} must be a dropout probability in [0, 1), got {getattr(self, name)}")
        # Checked here, not first met as a reshape error in the attention forward.
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"hidden_size ({self.hidden_size}) must be divisible by num_attention_heads ({self.num_attention_heads})"
            )
        if self.num_attention_heads % (self.num_key_value_heads or self.num_attention_heads):
            raise ValueError(
                f"num_attention_heads ({self.num_attention_heads}) must be divisible by num_key_value_heads "
                f"({self.num_key_value_heads})"
            )
        for name, value in (self.rope_parameters or {}).items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"rope_parameters[{name!r}] must be a finite number, got {value!r}")
        if not (embd.get("use_hd_transform") and embd.get("with_learnable_separator")):
            raise ValueError(
                "embd_layer: only the HD transform with learnable separators (Phi-3/3.5-Vision) is implemented; "
                f"expected use_hd_transform=True and with_learnable_separator=True, got {embd}"
            )
        if embd.get("embedding_cls", "image") != "image":
            raise ValueError(f"embd_layer['embedding_cls'] must be 'image', got {embd.get('embedding_cls')!r}")
        if embd["hd_transform_order"] not in ("sub_glb", "glb_sub"):
            raise ValueError(
                f"embd_layer['hd_transform_order'] must be 'sub_glb' or 'glb_sub', got {embd['hd_transform_order']!r}"
            )
        if embd["projection_cls"] not in ("mlp", "linear"):
            raise ValueError(f"embd_layer['projection_cls'] must be 'mlp' or 'linear', got {embd['projection_cls']!r}")
        if img.get("name") != "clip_vision_model":
            raise ValueError(f"img_processor['name'] must be 'clip_vision_model', got {img.get('name')!r}")
        if img.get("type_feature") != "patch":
            raise ValueError(
                f"img_processor['type_feature'] must be 'patch' (CLS dropped), got {img['type_feature']!r}"
            )
        vision = self.vision_config
        grid, remainder = divmod(vision.image_size, vision.patch_size)
        if remainder or grid % 2:
            raise ValueError(
                "vision_config: image_size / patch_size must be an even integer for the 2x2 token merge, got "
                f"image_size={vision.image_size}, patch_size={vision.patch_size}"
            )
        if img.get("image_dim_out", vision.hidden_size) != vision.hidden_size:
            raise ValueError(
                f"img_processor['image_dim_out']={img['image_dim_out']} must equal vision_config.hidden_size="
                f"{vision.hidden_size}"
            )
        if img.get("num_img_tokens", (grid // 2) ** 2) != (grid // 2) ** 2:
            raise ValueError(
                f"img_processor['num_img_tokens']={img['num_img_tokens']} must equal (image_size / patch_size / 2)^2 "
                f"= {(grid // 2) ** 2}"
            )


__all__ = ["Phi3VConfig", "Phi3VConfigError", "CLIP_VIT_L14_336_KWARGS"]
