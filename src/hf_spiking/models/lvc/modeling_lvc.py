"""LVCForVideoQA: a VLM answering questions about densely sampled videos through query-attention compression."""

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from transformers import AutoConfig, GenerationMixin, PreTrainedModel
from transformers import initialization as init
from transformers.cache_utils import Cache
from transformers.conversion_mapping import get_checkpoint_conversion_mapping, register_checkpoint_conversion_mapping
from transformers.utils import ModelOutput
from transformers.utils.generic import can_return_tuple

from .backbones import LVCBackbone, get_lvc_backbone
from .checkpoints import StrictLoadingMixin
from .compression import QueryAttentionCompressor, pool_query
from .configuration_lvc import LVC_OPTIONS, LVCConfig

_HUB_KWARGS = ("cache_dir", "force_download", "local_files_only", "token", "revision", "subfolder", "trust_remote_code")


@dataclass
class LVCCausalLMOutputWithPast(ModelOutput):
    r"""
    loss (`torch.FloatTensor`, *optional*): mean next-token cross-entropy over the answer tokens (labels != -100).
    logits (`torch.FloatTensor` of shape `(batch, sequence, vocab)`): language-model logits.
    cache (`Cache`, *optional*): key/value cache for generation.
    hidden_states, attentions: the language model's, when requested.
    video_features (`torch.FloatTensor` of shape `(batch, M / w, t, d)`, *optional*): the compressed pseudo-frames
        that filled the video placeholders.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    cache: Cache | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None
    video_features: torch.FloatTensor | None = None


class LVCPreTrainedModel(StrictLoadingMixin, PreTrainedModel):
    config: LVCConfig
    base_model_prefix = "model"
    main_input_name = "input_ids"
    input_modalities = ("video", "text")
    supports_gradient_checkpointing = True
    accepts_loss_kwargs = False
    _supports_sdpa = True
    _supports_flash_attn = True
    _supports_flex_attn = True
    _supports_attention_backend = True

    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, QueryAttentionCompressor) and module.log_temperature is not None:
            init.constant_(module.log_temperature, torch.tensor(module.initial_temperature).log().item())


class LVCForVideoQA(LVCPreTrainedModel, GenerationMixin):
    """The wrapped VLM's own modules (same attribute names as its checkpoints) plus a :class:`QueryAttentionCompressor`.

    Inputs: ``input_ids`` whose video placeholders number ``batch x M/w x t``, ``pixel_values_videos``
    ``[batch, M, ...]`` (each frame as the backbone's image processor returns it) and the question's
    ``query_input_ids`` / ``query_attention_mask`` (see ``LVCProcessor``).
    """

    def __init__(self, config: LVCConfig):
        super().__init__(config)
        for name, module in self.backbone.build_modules(config.vlm_config).items():
            self.add_module(name, module)
        self.compressor = QueryAttentionCompressor(
            window_size=config.window_size,
            mode=config.compression_mode,
            learn_temperature=config.learn_temperature,
            initial_temperature=config.initial_temperature,
        )
        self._tied_weights_keys = self.backbone.tied_weights_keys(config.vlm_config)
        self.post_init()

    @property
    def backbone(self) -> LVCBackbone:
        return get_lvc_backbone(self.config.vlm_config.model_type)

    @property
    def tokens_per_frame(self) -> int:
        return self.backbone.tokens_per_frame(self.config.vlm_config)

    @property
    def placeholder_token_id(self) -> int:
        return self.backbone.placeholder_token_id(self.config.vlm_config)

    def get_input_embeddings(self):
        return self.backbone.input_embeddings(self)

    def get_output_embeddings(self):
        return self.backbone.output_embeddings(self)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path, *model_args, config=None, **kwargs):
        """Loads an LVC checkpoint, or a plain VLM checkpoint (e.g. an InternVL ``-hf`` folder) whose weights then
        fill the wrapped modules directly. LVC options (``num_frames``, ``window_size``, ...) may be passed as
        keyword arguments."""
        lvc_options = {key: kwargs.pop(key) for key in list(kwargs) if key in LVC_OPTIONS}
        if config is None:
            hub_kwargs = {key: kwargs[key] for key in _HUB_KWARGS if key in kwargs}
            config_dict, _ = LVCConfig.get_config_dict(pretrained_model_name_or_path, **hub_kwargs)
            if config_dict.get("model_type") == LVCConfig.model_type:
                config = LVCConfig.from_pretrained(pretrained_model_name_or_path, **hub_kwargs, **lvc_options)
            else:
                vlm_config = AutoConfig.from_pretrained(pretrained_model_name_or_path, **hub_kwargs)
                config = LVCConfig(vlm_config=vlm_config, **lvc_options)
        elif lvc_options:
            raise ValueError(f"pass LVC options {sorted(lvc_options)} either in `config` or as keywords, not both.")
        return super().from_pretrained(pretrained_model_name_or_path, *model_args, config=config, **kwargs)

    def freeze_except_alignment(self) -> int:
        """Trains only the alignment layer (the VLM's projector) and any learned temperature; returns the number of
        trainable parameters."""
        alignment = self.backbone.alignment_modules
        trainable_prefixes = tuple(f"{name}." for name in alignment) + ("compressor.",)
        trainable = 0
        for name, parameter in self.named_parameters():
            parameter.requires_grad_(name in alignment or name.startswith(trainable_prefixes))
            trainable += parameter.numel() if parameter.requires_grad else 0
        return trainable

    def get_query(self, query_input_ids: torch.LongTensor, query_attention_mask: torch.Tensor | None = None):
        """The question's pooled token embedding ``[batch, d]`` from the language model's own embedding table."""
        embeddings = self.backbone.embed_tokens(self, query_input_ids)
        return pool_query(embeddings, query_attention_mask, self.config.query_pooling)

    def get_video_features(
        self,
        pixel_values_videos: torch.Tensor,
        query_input_ids: torch.LongTensor | None = None,
        query_attention_mask: torch.Tensor | None = None,
        image_sizes_videos: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``[batch, M, ...]`` frames (plus ``[batch, M, 2]`` sizes where the backbone needs them) ->
        ``[batch, M / w, t, d]`` pseudo-frames."""
        if pixel_values_videos.ndim < 5:
            raise ValueError(
                "pixel_values_videos must be [batch, frames, ...] with each frame as the backbone's image processor "
                f"returns it (e.g. [batch, frames, 3, H, W]), got shape {tuple(pixel_values_videos.shape)}."
            )
        batch, frames = pixel_values_videos.shape[:2]
        if frames % self.config.window_size != 0:
            raise ValueError(
                f"the video has {frames} frames, which is not divisible by window_size={self.config.window_size}."
            )
        image_sizes = image_sizes_videos.flatten(0, 1) if image_sizes_videos is not None else None
        frame_tokens = self.backbone.encode_frames(self, pixel_values_videos.flatten(0, 1), image_sizes)
        frame_tokens = frame_tokens.reshape(batch, frames, *frame_tokens.shape[1:])
        query = None
        if self.config.compression_mode == "query_attention":
            if query_input_ids is None:
                raise ValueError(
                    "query-attention compression needs the question: pass `query_input_ids` "
                    "(LVCProcessor returns them)."
                )
            query = self.get_query(query_input_ids, query_attention_mask)
        return self.compressor(frame_tokens, query)

    def _merge_video_features(self, input_ids, inputs_embeds, video_features):
        placeholders = self.backbone.placeholder_mask(self.config.vlm_config, input_ids)
        num_placeholders = int(placeholders.sum())
        num_features = video_features.shape[0] * video_features.shape[1] * video_features.shape[2]
        if num_placeholders != num_features:
            batch, pseudo_frames, tokens = video_features.shape[:3]
            raise ValueError(
                f"the prompt has {num_placeholders} video placeholder tokens but the "
                f"compressed video fills {num_features} = {batch} video(s) x {pseudo_frames} pseudo-frames (M/w) x "
                f"{tokens} tokens per frame; build the prompt with LVCProcessor using the model's num_frames and "
                "window_size."
            )
        features = video_features.reshape(-1, video_features.shape[-1]).to(inputs_embeds.device, inputs_embeds.dtype)
        return inputs_embeds.masked_scatter(placeholders.unsqueeze(-1).to(inputs_embeds.device), features)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        pixel_values_videos: torch.Tensor | None = None,
        query_input_ids: torch.LongTensor | None = None,
        query_attention_mask: torch.Tensor | None = None,
        image_sizes_videos: torch.Tensor | None = None,
        video_features: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache: Cache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        frame_indices: torch.Tensor | None = None,
        **kwargs,
    ) -> LVCCausalLMOutputWithPast:
        r"""
        pixel_values_videos (`torch.Tensor` of shape `(batch, M, ...)`, *optional*):
            Densely sampled frames of one video per batch item, each as the backbone's image processor returns it
            (InternVL: `(3, H, W)`; Phi-3.5-V: `(crops, 3, S, S)`).
        query_input_ids (`torch.LongTensor` of shape `(batch, length)`, *optional*):
            The question's token ids, pooled into the compression query.
        query_attention_mask (`torch.Tensor` of shape `(batch, length)`, *optional*):
            Mask of the question tokens (1 = real token).
        image_sizes_videos (`torch.Tensor` of shape `(batch, M, 2)`, *optional*):
            Per-frame padded (height, width), for backbones whose image processor returns them (Phi-3.5-V).
        video_features (`torch.Tensor` of shape `(batch, M / w, t, d)`, *optional*):
            Pseudo-frames already computed by `get_video_features`, instead of `pixel_values_videos` (e.g. to score
            several answers for one video).
        labels (`torch.LongTensor` of shape `(batch, sequence)`, *optional*):
            Target ids aligned with `input_ids`; -100 everywhere except the answer tokens.
        frame_indices (`torch.Tensor`, *optional*):
            The sampled frame indices `LVCProcessor` returns; accepted so `model(**inputs)` works, not used.
        """
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("pass exactly one of input_ids or inputs_embeds.")
        if inputs_embeds is None:
            inputs_embeds = self.backbone.embed_tokens(self, input_ids)
        if pixel_values_videos is not None:
            if video_features is not None:
                raise ValueError("pass either pixel_values_videos or video_features, not both.")
            video_features = self.get_video_features(
                pixel_values_videos, query_input_ids, query_attention_mask, image_sizes_videos
            )
        if video_features is not None:
            if input_ids is None:
                raise ValueError("video inputs need input_ids to locate the video placeholder tokens.")
            inputs_embeds = self._merge_video_features(input_ids, inputs_embeds, video_features)
        elif (
            input_ids is not None
            and (cache is None or cache.get_seq_length() == 0)
            and bool(self.backbone.placeholder_mask(self.config.vlm_config, input_ids).any())
        ):
            raise ValueError("the prompt contains video placeholder tokens but no pixel_values_videos were given.")

        outputs = self.backbone.language_model(self)(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            use_cache=use_cache,
            **kwargs,
        )
        hidden_states = outputs.last_hidden_state
        if isinstance(logits_to_keep, int) and logits_to_keep > 0:
            hidden_states = hidden_states[:, -logits_to_keep:]
        elif isinstance(logits_to_keep, torch.Tensor):
            hidden_states = hidden_states[:, logits_to_keep]
        logits = self.get_output_embeddings()(hidden_states)

        loss = None
        if labels is not None:
            loss = answer_token_loss(logits, labels)
        return LVCCausalLMOutputWithPast(
            loss=loss,
            logits=logits,
            cache=outputs.cache if hasattr(outputs, "cache") else None,
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            video_features=video_features,
        )


def answer_token_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy over positions whose label is not -100 (the answer tokens)."""
    if labels.shape != logits.shape[:2]:
        raise ValueError(f"labels must be [batch, sequence] = {tuple(logits.shape[:2])}, got {tuple(labels.shape)}.")
    shifted_logits = logits[:, :-1].float().reshape(-1, logits.shape[-1])
    shifted_labels = labels[:, 1:].reshape(-1).to(logits.device)
    return F.cross_entropy(shifted_logits, shifted_labels, ignore_index=-100)


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
LVCForVideoQA.register_for_auto_class("AutoModel")
# Hub InternVL "-hf" checkpoints use the legacy LLaVA key layout; loading them into LVC needs the same renaming.
if get_checkpoint_conversion_mapping(LVCConfig.model_type) is None:
    register_checkpoint_conversion_mapping(LVCConfig.model_type, get_checkpoint_conversion_mapping("internvl"))

__all__ = ["LVCCausalLMOutputWithPast", "LVCForVideoQA", "LVCPreTrainedModel", "answer_token_loss"]
