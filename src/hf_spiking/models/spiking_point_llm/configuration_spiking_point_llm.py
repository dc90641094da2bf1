"""Configuration of SpikingPointLLM: a spiking point encoder whose tokens a projector maps into a causal language
model's embedding space (PointLLM's layout with SVL's encoders)."""

from huggingface_hub.dataclasses import strict
from huggingface_hub.errors import StrictDataclassClassValidationError
from transformers import AutoConfig, PreTrainedConfig
from transformers.configuration_utils import SubConfigSpec

from .config_validation import checked_config
from .point_encoder import SpikingPointEncoderConfig

PROJECTOR_ACTIVATIONS = ("gelu", "relu", "silu")


class SpikingPointLLMConfigError(ValueError, StrictDataclassClassValidationError):
    """A bad `SpikingPointLLMConfig` value: a ValueError naming the argument (also @strict's validation error)."""


@checked_config(SpikingPointLLMConfigError)
@strict
class SpikingPointLLMConfig(PreTrainedConfig):
    r"""
    Configuration for [`SpikingPointLLMForConditionalGeneration`]: point tokens from a [`SpikingPointEncoderModel`]
    replace the ``point_token_id`` placeholders of the prompt after a two-layer MLP projector, and any causal language
    model (``AutoModelForCausalLM``: Qwen2, Llama, Phi-3...) continues the text.

    Point tokens per cloud (``num_point_tokens``), by backbone:

    - ``"pointformer"``: the token states after the last block, the cls token and one per group
      (``1 + num_groups`` tokens of ``transformer_hidden_size``);
    - ``"e3dsnn"``: the last stage's sparse sites averaged within a ``point_token_grid``\ :sup:`3` grid over each
      cloud's occupied box, then the encoder's final per-site layer (``point_token_grid ** 3`` tokens of
      ``hidden_size``; an empty cell gives a zero site feature);
    - ``"pointnet"``: the global (max-pooled) feature, one token of ``hidden_size``.

    Args:
        point_config (`dict` or `SpikingPointEncoderConfig`): the point encoder's config.
        text_config (`dict` or `PreTrainedConfig`): the language model's config (default type ``qwen2``).
        point_token_id (`int`): id of the placeholder token (``"<point>"``) in the language model's vocabulary.
        projector_hidden_act (`str`, defaults to ``"gelu"``): activation between the projector's two layers.
        point_token_grid (`int`, defaults to 2): cells per axis of the E-3DSNN token grid.
        tie_word_embeddings (`bool`, *optional*): mirrors the language model's setting when left unset.
    """

    model_type = "spiking_point_llm"
    sub_configs_defaults = {
        "point_config": SubConfigSpec(config_class=SpikingPointEncoderConfig),
        "text_config": SubConfigSpec(config_class=AutoConfig, model_type="qwen2"),
    }

    point_config: dict | PreTrainedConfig | None = None
    text_config: dict | PreTrainedConfig | None = None
    point_token_id: int = 0
    projector_hidden_act: str = "gelu"
    point_token_grid: int = 2
    tie_word_embeddings: bool | None = None

    def __post_init__(self, **kwargs):
        super().__post_init__(**kwargs)
        if self.tie_word_embeddings is None:
            self.tie_word_embeddings = bool(getattr(self.text_config, "tie_word_embeddings", False))

    def validate_spiking_point_llm(self):
        if self.projector_hidden_act not in PROJECTOR_ACTIVATIONS:
            raise ValueError(
                f"`projector_hidden_act` must be one of {PROJECTOR_ACTIVATIONS}, got {self.projector_hidden_act!r}."
            )
        if self.point_token_grid < 1:
            raise ValueError(f"`point_token_grid` must be a positive integer, got {self.point_token_grid}.")
        vocab_size = getattr(self.text_config, "vocab_size", None)
        if not 0 <= self.point_token_id < (vocab_size or 2**31):
            raise ValueError(
                f"`point_token_id` must be the id of the point placeholder token in the language model's vocabulary "
                f"[0, {vocab_size}), got {self.point_token_id}."
            )

    def get_text_config(self, decoder=None, encoder=None) -> PreTrainedConfig:
        """The language model's config (generation sizes its cache from it)."""
        return self.text_config

    @property
    def point_token_size(self) -> int:
        """Width of one point token before the projector."""
        point = self.point_config
        return point.transformer_hidden_size if point.backbone == "pointformer" else point.hidden_size

    @property
    def num_point_tokens(self) -> int:
        """Placeholders one cloud fills (see the class docstring)."""
        point = self.point_config
        if point.backbone == "pointformer":
            return 1 + point.num_groups
        if point.backbone == "e3dsnn":
            return self.point_token_grid**3
        return 1


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
SpikingPointLLMConfig.register_for_auto_class()

__all__ = ["PROJECTOR_ACTIVATIONS", "SpikingPointLLMConfig", "SpikingPointLLMConfigError"]
