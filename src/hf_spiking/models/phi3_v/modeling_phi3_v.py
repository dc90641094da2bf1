"""Native Phi-3.5-Vision (``microsoft/Phi-3.5-vision-instruct``) with the official checkpoint's parameter names.

The official model exists only as remote code; this module re-implements its architecture on transformers' native
CLIP and Phi-3 blocks so the released ``model.safetensors`` loads without ``trust_remote_code``:

    model.embed_tokens / model.layers.* / model.norm / lm_head               Phi-3 language model
    model.vision_embed_tokens.img_processor.vision_model.*                    CLIP ViT-L/14-336 (on disk)
    model.vision_embed_tokens.glb_GN, model.vision_embed_tokens.sub_GN        learnable separators
    model.vision_embed_tokens.img_projection.{0,2}                            Linear(4096->H), GELU, Linear(H->H)

In memory the CLIP tower is transformers 5's ``CLIPVisionModel``, whose parameters drop the ``vision_model.`` level
(``...img_processor.embeddings.*``); transformers' own checkpoint conversion for ``CLIPVisionModel`` adds it back when
saving and strips it when loading, so files on disk use the official names. A checkpoint's alias
``model.vision_embed_tokens.wte.weight`` (the remote code shares ``embed_tokens`` under that name) is ignored.

Image path (the HD transform of ``image_embedding_phi3_v.py``): each image arrives as a global view plus
``h x w`` sub-crops of ``S x S`` pixels (``S = vision_config.image_size``, 336). CLIP features come from hidden layer
``img_processor['layer_idx']`` (-2) with the CLS token dropped; every 2x2 patch block is merged into one token of
``4 C`` channels (``m = S / patch / 2`` tokens per side, 12). The sub-crops form an ``(h m) x (w m)`` grid and the
global view an ``m x m`` grid; ``sub_GN`` ends every row of both, ``glb_GN`` separates them
(``sub, glb_GN, global`` for the released ``"sub_glb"`` order), and ``img_projection`` maps to the LM width:
``(h w + 1) m^2 + 1 + (h + 1) m`` tokens per image (757 for 2x2 crops, 313 for one crop).

Entry point for wrappers (e.g. LVC's backbone adapter)::

    out = model.get_image_features(pixel_values, image_sizes)   # also on Phi3VModel
    out.pooler_output      # list with one [num_tokens_i, hidden_size] tensor per image, projected, in prompt order

``pixel_values`` is ``[num_images, max_crops, 3, S, S]`` (global view first, then the row-major sub-crops, then
zero padding) and ``image_sizes`` ``[num_images, 2]`` the (height, width) in pixels of each padded HD image, exactly
as ``Phi3VImageProcessor`` returns them. Precomputed (e.g. compressed) features can be fed back with
``forward(..., mm_encoder_outputs={"image": BaseModelOutputWithPooling(pooler_output=[...])})``; their total token
count must equal the number of image placeholders in ``input_ids`` (any negative id, and ``config.image_token_id``
when set).

The alignment layer (what LVC trains) is ``model.vision_embed_tokens.img_projection`` plus the ``glb_GN`` / ``sub_GN``
parameters. A released folder loads with ``Phi3VForCausalLM.from_pretrained(folder, attn_implementation="sdpa")``
(its ``config.json`` may ask for flash_attention_2). ``import hf_spiking`` registers ``phi3_v`` with AutoConfig,
AutoModel, AutoModelForCausalLM, AutoModelForImageTextToText and AutoImageProcessor.
"""

import torch
from torch import nn
from transformers import CLIPVisionModel, GenerationMixin
from transformers import initialization as init
from transformers.conversion_mapping import get_model_conversion_mapping
from transformers.modeling_outputs import (
    BaseModelOutputWithPooling,
    MultimodalBaseModelOutputWithPast,
    MultimodalCausalLMOutputWithPast,
)
from transformers.models.phi3.modeling_phi3 import Phi3Model, Phi3PreTrainedModel
from transformers.utils.generic import can_return_tuple

from .checkpoints import StrictLoadingMixin
from .configuration_phi3_v import Phi3VConfig


def merge_2x2_patches(patch_features: torch.Tensor) -> torch.Tensor:
    """``[n, g*g, C]`` patch tokens -> ``[n, g/2, g/2, 4C]``: each 2x2 block concatenated, row-major inside it."""
    num_crops, num_patches, channels = patch_features.shape
    grid = int(num_patches**0.5)
    blocks = patch_features.reshape(num_crops, grid // 2, 2, grid // 2, 2, channels)
    return blocks.permute(0, 1, 3, 2, 4, 5).reshape(num_crops, grid // 2, grid // 2, 4 * channels)


def image_placeholder_mask(ids: torch.Tensor, image_token_id: int | None) -> torch.Tensor:
    """Image positions: negative ids (the official processor's convention) and ``image_token_id`` when set."""
    mask = ids < 0
    return mask if image_token_id is None else mask | (ids == image_token_id)


class Phi3VImageEmbedding(nn.Module):
    """The official ``vision_embed_tokens``: CLIP tower, HD transform with separators, projection to the LM width."""

    def __init__(self, config: Phi3VConfig):
        super().__init__()
        self.config = config
        self.img_processor = CLIPVisionModel(config.vision_config)
        merged_dim = 4 * config.vision_config.hidden_size
        self.glb_GN = nn.Parameter(torch.zeros(1, 1, merged_dim))
        self.sub_GN = nn.Parameter(torch.zeros(1, 1, 1, merged_dim))
        if config.projection_cls == "mlp":
            self.img_projection = nn.Sequential(
                nn.Linear(merged_dim, config.hidden_size), nn.GELU(), nn.Linear(config.hidden_size, config.hidden_size)
            )
        else:
            self.img_projection = nn.Linear(merged_dim, config.hidden_size)

    def check_inputs(self, pixel_values: torch.Tensor, image_sizes: torch.Tensor) -> list[tuple[int, int]]:
        """Validates the processor's layout and returns the (rows, cols) sub-crop grid of each image."""
        crop = self.config.vision_config.image_size
        if pixel_values.ndim != 5 or pixel_values.shape[-2:] != (crop, crop):
            raise ValueError(
                f"pixel_values must be [num_images, max_crops, 3, {crop}, {crop}] (global view + sub-crops), got "
                f"{tuple(pixel_values.shape)}"
            )
        if image_sizes is None:
            raise ValueError("image_sizes ([num_images, 2] padded HD (height, width) in pixels) is required")
        sizes = torch.as_tensor(image_sizes).reshape(-1, 2).tolist()
        if len(sizes) != pixel_values.shape[0]:
            raise ValueError(f"image_sizes has {len(sizes)} entries for {pixel_values.shape[0]} images")
        grids = []
        for height, width in sizes:
            rows, cols = int(height) // crop, int(width) // crop
            if rows * crop != height or cols * crop != width or rows < 1 or cols < 1:
                raise ValueError(f"image_sizes entries must be positive multiples of {crop}, got ({height}, {width})")
            if rows * cols + 1 > pixel_values.shape[1]:
                raise ValueError(
                    f"an image of {height}x{width} needs {rows * cols + 1} crops but pixel_values holds only "
                    f"{pixel_values.shape[1]} per image"
                )
            grids.append((rows, cols))
        return grids

    def hd_transform(self, merged: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
        """Merged crops ``[1 + rows*cols, m, m, 4C]`` of one image -> its token sequence ``[num_tokens, 4C]``."""
        side, dim = merged.shape[1], merged.shape[-1]
        global_grid = merged[:1]
        sub_grid = merged[1:].reshape(rows, cols, side, side, dim).permute(0, 2, 1, 3, 4)
        sub_grid = sub_grid.reshape(1, rows * side, cols * side, dim)

        def with_newlines(grid):
            newline = self.sub_GN.expand(1, grid.shape[1], 1, dim)
            return torch.cat([grid, newline], dim=2).reshape(-1, dim)

        sub_tokens, global_tokens = with_newlines(sub_grid), with_newlines(global_grid)
        separator = self.glb_GN.reshape(1, dim)
        if self.config.hd_transform_order == "sub_glb":
            return torch.cat([sub_tokens, separator, global_tokens])
        return torch.cat([global_tokens, separator, sub_tokens])

    def forward(self, pixel_values: torch.Tensor, image_sizes: torch.Tensor, **kwargs) -> BaseModelOutputWithPooling:
        grids = self.check_inputs(pixel_values, image_sizes)
        # Only the real crops go through CLIP (the processor zero-pads every image to max_crops).
        crops = torch.cat([pixel_values[i, : rows * cols + 1] for i, (rows, cols) in enumerate(grids)])
        crops = crops.to(self.glb_GN.dtype)
        vision_outputs = self.img_processor(pixel_values=crops, output_hidden_states=True, return_dict=True, **kwargs)
        patch_features = vision_outputs.hidden_states[self.config.vision_feature_layer][:, 1:]
        merged = merge_2x2_patches(patch_features).split([rows * cols + 1 for rows, cols in grids])
        sequences = [self.hd_transform(crops_of_image, *grid) for crops_of_image, grid in zip(merged, grids)]
        projected = self.img_projection(torch.cat(sequences)).split([len(sequence) for sequence in sequences])
        return BaseModelOutputWithPooling(
            last_hidden_state=vision_outputs.last_hidden_state,
            pooler_output=list(projected),
            hidden_states=vision_outputs.hidden_states,
            attentions=vision_outputs.attentions,
        )


class Phi3VPreTrainedModel(StrictLoadingMixin, Phi3PreTrainedModel):
    config: Phi3VConfig
    base_model_prefix = "model"
    input_modalities = ("image", "text")
    _no_split_modules = ["Phi3DecoderLayer", "CLIPEncoderLayer"]
    # The remote code shares embed_tokens as vision_embed_tokens.wte; some checkpoints store that alias.
    _keys_to_ignore_on_load_unexpected = [r"vision_embed_tokens\.wte\.weight"]

    def post_init(self):
        super().post_init()
        # transformers re-adds CLIP's `vision_model.` level on save only for models it loaded; record the mapping for
        # freshly built models too, so every saved file uses the official names.
        self._weight_conversions = get_model_conversion_mapping(self, add_legacy=False)

    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, Phi3VImageEmbedding):
            init.zeros_(module.glb_GN)
            init.zeros_(module.sub_GN)


class Phi3VModel(Phi3VPreTrainedModel, Phi3Model):
    """Phi-3 decoder whose input embeddings carry projected image tokens at the placeholder positions."""

    def __init__(self, config: Phi3VConfig):
        super().__init__(config)
        self.vision_embed_tokens = Phi3VImageEmbedding(config)
        self.post_init()

    @can_return_tuple
    def get_image_features(
        self, pixel_values: torch.Tensor, image_sizes: torch.Tensor, **kwargs
    ) -> BaseModelOutputWithPooling:
        """Projected image tokens: ``pooler_output`` is a list of ``[num_tokens_i, hidden_size]``, one per image."""
        return self.vision_embed_tokens(pixel_values, image_sizes, **kwargs)

    def get_placeholder_mask(self, input_ids: torch.LongTensor | None, inputs_embeds: torch.Tensor) -> torch.Tensor:
        """``[batch, seq]`` bool mask of image placeholders: any negative id, and ``config.image_token_id`` when set."""
        if input_ids is not None:
            return image_placeholder_mask(input_ids, self.config.image_token_id)
        if self.config.image_token_id is None:
            raise ValueError(
                "inputs_embeds without input_ids cannot mark image positions when config.image_token_id is None; pass "
                "input_ids, or set config.image_token_id"
            )
        placeholder = self.embed_tokens.weight[self.config.image_token_id].to(inputs_embeds.dtype)
        return (inputs_embeds == placeholder).all(-1)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values: torch.Tensor | None = None,
        image_sizes: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache=None,
        inputs_embeds: torch.Tensor | None = None,
        use_cache: bool | None = None,
        mm_encoder_outputs: dict[str, BaseModelOutputWithPooling] | None = None,
        num_img_tokens: torch.Tensor | None = None,
        **kwargs,
    ) -> MultimodalBaseModelOutputWithPast:
        r"""
        pixel_values (`torch.Tensor` of shape `(num_images, max_crops, 3, S, S)`):
            Global view and sub-crops of every image, as returned by `Phi3VImageProcessor`.
        image_sizes (`torch.Tensor` of shape `(num_images, 2)`):
            (height, width) in pixels of each padded HD image.
        mm_encoder_outputs (`dict`, *optional*):
            `{"image": BaseModelOutputWithPooling}` whose `pooler_output` holds precomputed image tokens (a list of
            `[num_tokens, hidden_size]` or a `[num_images, num_tokens, hidden_size]` tensor) instead of pixels.
        num_img_tokens (`torch.Tensor` of shape `(num_images,)`, *optional*):
            Tokens per image as `Phi3VImageProcessor` counted them; checked against the image encoder's output.
        """
        if (input_ids is None) ^ (inputs_embeds is not None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if pixel_values is not None and mm_encoder_outputs is not None and mm_encoder_outputs.get("image") is not None:
            raise ValueError("Pass either pixel_values or mm_encoder_outputs['image'], not both")
        if inputs_embeds is None:
            # Negative ids are image placeholders (official convention); embed them as token 0, they are replaced.
            inputs_embeds = self.embed_tokens(input_ids.clamp_min(0))

        mm_encoder_outputs = dict(mm_encoder_outputs or {})
        if mm_encoder_outputs.get("image") is None and pixel_values is not None:
            mm_encoder_outputs["image"] = self.get_image_features(pixel_values, image_sizes, return_dict=True)
        image_outputs = mm_encoder_outputs.get("image")
        if image_outputs is not None:
            features = image_outputs.pooler_output
            if num_img_tokens is not None:
                encoded = [len(image) for image in features]
                if torch.as_tensor(num_img_tokens).flatten().tolist() != encoded:
                    raise ValueError(
                        f"num_img_tokens {torch.as_tensor(num_img_tokens).tolist()} from the processor does not match "
                        f"the image encoder's tokens per image {encoded}; process images with the model's crop size"
                    )
            features = torch.cat(list(features)) if isinstance(features, (list, tuple)) else features.flatten(0, -2)
            mask = self.get_placeholder_mask(input_ids, inputs_embeds)
            if int(mask.sum()) != features.shape[0]:
                raise ValueError(
                    f"Image features and image placeholders do not match: {int(mask.sum())} placeholder tokens in the "
                    f"prompt, {features.shape[0]} image tokens from the vision encoder"
                )
            features = features.to(inputs_embeds.device, inputs_embeds.dtype)
            inputs_embeds = inputs_embeds.masked_scatter(mask.unsqueeze(-1), features)

        outputs = Phi3Model.forward(
            self,
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            use_cache=use_cache,
            **kwargs,
        )
        return MultimodalBaseModelOutputWithPast(
            last_hidden_state=outputs.last_hidden_state,
            cache=outputs.cache,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            image_outputs=image_outputs,
        )


class Phi3VForCausalLM(Phi3VPreTrainedModel, GenerationMixin):
    """Phi-3.5-Vision with its language-modelling head (the official ``Phi3VForCausalLM``)."""

    _tied_weights_keys = {"lm_head.weight": "model.embed_tokens.weight"}

    def __init__(self, config: Phi3VConfig):
        super().__init__(config)
        self.model = Phi3VModel(config)
        self.vocab_size = config.vocab_size
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def get_output_embeddings(self) -> nn.Module:
        return self.lm_head

    def get_image_features(self, pixel_values: torch.Tensor, image_sizes: torch.Tensor, **kwargs):
        """See `Phi3VModel.get_image_features`."""
        return self.model.get_image_features(pixel_values, image_sizes, **kwargs)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values: torch.Tensor | None = None,
        image_sizes: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache=None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        mm_encoder_outputs: dict[str, BaseModelOutputWithPooling] | None = None,
        num_img_tokens: torch.Tensor | None = None,
        **kwargs,
    ) -> MultimodalCausalLMOutputWithPast:
        r"""
        labels (`torch.LongTensor` of shape `(batch_size, sequence_length)`, *optional*):
            Next-token targets (shifted inside the loss); -100 and image placeholders (negative ids, the image token)
            are ignored,
            so a copy of `input_ids` with the prompt masked is a valid target.

        See `Phi3VModel.forward` for the image arguments.
        """
        outputs = self.model(
            input_ids=input_ids,
            pixel_values=pixel_values,
            image_sizes=image_sizes,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            inputs_embeds=inputs_embeds,
            use_cache=use_cache,
            mm_encoder_outputs=mm_encoder_outputs,
            num_img_tokens=num_img_tokens,
            **kwargs,
        )
        hidden_states = outputs.last_hidden_state
        keep = slice(-logits_to_keep, None) if isinstance(logits_to_keep, int) else logits_to_keep
        logits = self.lm_head(hidden_states[:, keep, :])

        loss = None
        if labels is not None:
            labels = labels.masked_fill(image_placeholder_mask(labels, self.config.image_token_id), -100)
            loss = self.loss_function(logits=logits, labels=labels, vocab_size=self.config.vocab_size, **kwargs)

        return MultimodalCausalLMOutputWithPast(
            loss=loss,
            logits=logits,
            cache=outputs.cache,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            image_outputs=outputs.image_outputs,
        )

    def prepare_inputs_for_generation(self, input_ids, cache=None, **kwargs):
        # As Phi-3 does: crossing the short/long RoPE switch point changes every cached key, so recompute the cache.
        original_max = self.config.original_max_position_embeddings
        if cache is not None and input_ids.shape[1] > original_max and cache.get_seq_length() <= original_max:
            if self.config.rope_parameters.get("rope_type") == "longrope":
                cache = None
                kwargs["next_sequence_length"] = None
        return super().prepare_inputs_for_generation(input_ids, cache=cache, **kwargs)


__all__ = [
    "Phi3VPreTrainedModel",
    "Phi3VModel",
    "Phi3VForCausalLM",
    "Phi3VImageEmbedding",
    "image_placeholder_mask",
    "merge_2x2_patches",
]
