"""SpikingPointLLMForConditionalGeneration: point tokens from a spiking point encoder, projected into a causal
language model's embedding space, answer questions about and describe 3D point clouds (PointLLM with SVL's
encoders)."""

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from transformers import AutoModelForCausalLM, GenerationMixin, PreTrainedModel
from transformers import initialization as init
from transformers.activations import ACT2FN
from transformers.cache_utils import Cache
from transformers.utils import ModelOutput
from transformers.utils.generic import can_return_tuple

from .checkpoints import StrictLoadingMixin
from .configuration_spiking_point_llm import SpikingPointLLMConfig
from .point_encoder import SpikingPointEncoderModel, scatter_mean, write_point_encoder_modules

# Inputs that describe the clouds: used on the first generation step only, when the placeholders are in the prompt.
POINT_INPUTS = ("point_values", "point_features")


@dataclass
class SpikingPointLLMOutputWithPast(ModelOutput):
    r"""
    loss (`torch.FloatTensor`, *optional*): mean next-token cross-entropy over the tokens whose label is not -100.
    logits (`torch.FloatTensor` of shape `(batch, sequence, vocab)`): language-model logits.
    cache (`Cache`, *optional*): key/value cache for generation.
    hidden_states, attentions: the language model's, when requested.
    point_features (`torch.FloatTensor` of shape `(batch, num_point_tokens, text_hidden_size)`, *optional*): the
        projected point tokens that filled the placeholders.
    """

    loss: torch.FloatTensor | None = None
    logits: torch.FloatTensor | None = None
    cache: Cache | None = None
    hidden_states: tuple[torch.FloatTensor, ...] | None = None
    attentions: tuple[torch.FloatTensor, ...] | None = None
    point_features: torch.FloatTensor | None = None


class SpikingPointLLMProjector(nn.Module):
    """Point token -> language-model embedding: Linear, activation, Linear (LLaVA's and PointLLM's projector)."""

    def __init__(self, config: SpikingPointLLMConfig):
        super().__init__()
        text_hidden_size = config.text_config.hidden_size
        self.linear_1 = nn.Linear(config.point_token_size, text_hidden_size)
        self.act = ACT2FN[config.projector_hidden_act]
        self.linear_2 = nn.Linear(text_hidden_size, text_hidden_size)

    def forward(self, point_tokens: torch.Tensor) -> torch.Tensor:
        return self.linear_2(self.act(self.linear_1(point_tokens)))


class SpikingPointLLMPreTrainedModel(StrictLoadingMixin, PreTrainedModel):
    config: SpikingPointLLMConfig
    base_model_prefix = ""
    main_input_name = "input_ids"
    input_modalities = ("text",)
    supports_gradient_checkpointing = True
    accepts_loss_kwargs = False
    _supports_sdpa = True
    _supports_flash_attn = True
    _supports_flex_attn = True
    _supports_attention_backend = True

    def _init_weights(self, module):
        super()._init_weights(module)
        if isinstance(module, SpikingPointLLMProjector):
            for linear in (module.linear_1, module.linear_2):
                init.trunc_normal_(linear.weight, std=0.02)
                init.zeros_(linear.bias)

    def save_pretrained(self, save_directory, *args, **kwargs):
        super().save_pretrained(save_directory, *args, **kwargs)
        # trust_remote_code copies: the copied point-encoder shim imports hf_spiking; give the folder the encoder.
        if (Path(save_directory) / "point_encoder.py").is_file():
            write_point_encoder_modules(save_directory)


class SpikingPointLLMForConditionalGeneration(SpikingPointLLMPreTrainedModel, GenerationMixin):
    """A [`SpikingPointEncoderModel`] (``point_encoder``), a [`SpikingPointLLMProjector`] (``projector``) and any
    causal language model (``language_model``).

    Each cloud of ``point_values [batch, N, C]`` gives ``config.num_point_tokens`` tokens that replace, in order, the
    ``point_token_id`` placeholders of ``input_ids`` (one cloud per prompt, as [`SpikingPointLLMProcessor`] builds
    them); ``generate()`` computes them once, on the first step.
    """

    def __init__(self, config: SpikingPointLLMConfig):
        super().__init__(config)
        self.point_encoder = SpikingPointEncoderModel(config.point_config)
        self.projector = SpikingPointLLMProjector(config)
        self.language_model = AutoModelForCausalLM.from_config(config.text_config)
        self.post_init()

    def get_input_embeddings(self):
        return self.language_model.get_input_embeddings()

    def set_input_embeddings(self, value):
        self.language_model.set_input_embeddings(value)

    def get_output_embeddings(self):
        return self.language_model.get_output_embeddings()

    def set_output_embeddings(self, value):
        self.language_model.set_output_embeddings(value)

    def set_trainable(self, point_encoder: bool, projector: bool, language_model: bool) -> int:
        """Freezes or unfreezes each part (stage 1 of PointLLM trains the projector, stage 2 the projector and the
        language model); returns the number of trainable parameters."""
        for module, trainable in (
            (self.point_encoder, point_encoder), (self.projector, projector), (self.language_model, language_model)
        ):
            module.requires_grad_(trainable)
        return sum(parameter.numel() for parameter in self.parameters() if parameter.requires_grad)

    def train(self, mode: bool = True):
        super().train(mode)
        # A frozen encoder is a fixed feature extractor: its BatchNorm statistics must not drift while the rest trains.
        if mode and not any(parameter.requires_grad for parameter in self.point_encoder.parameters()):
            self.point_encoder.eval()
        return self

    def point_tokens(self, point_values: torch.Tensor) -> torch.Tensor:
        """The encoder's tokens ``[batch, num_point_tokens, point_token_size]`` (see [`SpikingPointLLMConfig`])."""
        backbone = self.config.point_config.backbone
        if backbone == "pointformer":
            return self.point_encoder(point_values).last_hidden_state
        if backbone == "pointnet":
            return self.point_encoder(point_values).pooler_output.unsqueeze(1)
        last = self.point_encoder(point_values, output_hidden_states=True).hidden_states[-1]
        grid, batch = self.config.point_token_grid, point_values.shape[0]
        cell_features = scatter_mean(last.features, grid_cells(last.coords, grid, batch), batch * grid**3)
        return self.point_encoder.encoder.final(cell_features.view(batch, grid**3, -1))

    def get_point_features(self, point_values: torch.Tensor) -> torch.Tensor:
        """``[batch, N, C]`` clouds -> projected point tokens ``[batch, num_point_tokens, text_hidden_size]``."""
        return self.projector(self.point_tokens(point_values))

    def _merge_point_features(self, input_ids, inputs_embeds, point_features):
        placeholders = input_ids == self.config.point_token_id
        found = int(placeholders.sum())
        expected = point_features.shape[0] * point_features.shape[1]
        if found != expected:
            raise ValueError(
                f"the prompts hold {found} point placeholder tokens (id {self.config.point_token_id}) but "
                f"{point_features.shape[0]} cloud(s) x {point_features.shape[1]} point tokens = {expected}; build the "
                "prompts with SpikingPointLLMProcessor (one cloud per prompt, num_point_tokens placeholders each)."
            )
        features = point_features.reshape(-1, point_features.shape[-1]).to(inputs_embeds.device, inputs_embeds.dtype)
        return inputs_embeds.masked_scatter(placeholders.unsqueeze(-1).to(inputs_embeds.device), features)

    @can_return_tuple
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        point_values: torch.Tensor | None = None,
        point_features: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        position_ids: torch.LongTensor | None = None,
        cache: Cache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        logits_to_keep: int | torch.Tensor = 0,
        **kwargs,
    ) -> SpikingPointLLMOutputWithPast:
        r"""
        point_values (`torch.FloatTensor` of shape `(batch, num_points, in_channels)`, *optional*):
            One cloud per prompt, as [`SpikingPointFeatureExtractor`] returns them (xyz + rgb for a colour encoder).
        point_features (`torch.FloatTensor` of shape `(batch, num_point_tokens, text_hidden_size)`, *optional*):
            Projected point tokens from `get_point_features`, instead of `point_values`.
        labels (`torch.LongTensor` of shape `(batch, sequence)`, *optional*):
            Target ids aligned with `input_ids`; -100 on the prompt (and the point placeholders), so only the answer
            is learned.
        """
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("pass exactly one of input_ids or inputs_embeds.")
        if inputs_embeds is None:
            inputs_embeds = self.get_input_embeddings()(input_ids)
        if point_values is not None:
            if point_features is not None:
                raise ValueError("pass either point_values or point_features, not both.")
            point_features = self.get_point_features(point_values)
        if point_features is not None:
            if input_ids is None:
                raise ValueError("point inputs need input_ids to locate the point placeholder tokens.")
            inputs_embeds = self._merge_point_features(input_ids, inputs_embeds, point_features)
        elif input_ids is not None and (cache is None or cache.get_seq_length() == 0):
            if bool((input_ids == self.config.point_token_id).any()):
                raise ValueError("the prompt contains point placeholder tokens but no point_values were given.")

        outputs = self.language_model(
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=cache,
            labels=labels,
            use_cache=use_cache,
            logits_to_keep=logits_to_keep,
            **kwargs,
        )
        return SpikingPointLLMOutputWithPast(
            loss=outputs.loss,
            logits=outputs.logits,
            cache=getattr(outputs, "cache", None),
            hidden_states=outputs.hidden_states,
            attentions=outputs.attentions,
            point_features=point_features,
        )

    def prepare_inputs_for_generation(self, input_ids, cache=None, is_first_iteration=False, **kwargs):
        point_inputs = {name: kwargs.pop(name) for name in POINT_INPUTS if kwargs.get(name) is not None}
        model_inputs = super().prepare_inputs_for_generation(
            input_ids, cache=cache, is_first_iteration=is_first_iteration, **kwargs
        )
        # Later steps feed only the new token, which is never a placeholder: the clouds are in the cache already.
        if is_first_iteration or not kwargs.get("use_cache", True):
            model_inputs.update(point_inputs)
        return model_inputs


def grid_cells(coords: torch.Tensor, grid: int, batch_size: int) -> torch.Tensor:
    """Cell index ``[M]`` in ``[0, batch_size * grid**3)`` of each sparse site (``coords`` ``[M, 4]``: batch, x, y,
    z), the grid spanning each cloud's occupied box."""
    batch_index, xyz = coords[:, 0], coords[:, 1:]
    expanded = batch_index.unsqueeze(1).expand_as(xyz)
    low = xyz.new_full((batch_size, 3), torch.iinfo(xyz.dtype).max).scatter_reduce(0, expanded, xyz, "amin")
    high = xyz.new_zeros((batch_size, 3)).scatter_reduce(0, expanded, xyz, "amax")
    extent = (high - low + 1)[batch_index]
    cell = torch.div((xyz - low[batch_index]) * grid, extent, rounding_mode="floor").clamp_(0, grid - 1)
    return batch_index * grid**3 + (cell[:, 0] * grid + cell[:, 1]) * grid + cell[:, 2]


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
SpikingPointLLMForConditionalGeneration.register_for_auto_class("AutoModel")

__all__ = [
    "SpikingPointLLMForConditionalGeneration",
    "SpikingPointLLMOutputWithPast",
    "SpikingPointLLMPreTrainedModel",
    "SpikingPointLLMProjector",
    "grid_cells",
]
