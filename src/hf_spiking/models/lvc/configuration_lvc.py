"""Configuration of LVC: a video-QA wrapper around a VLM with query-attention temporal compression."""

from huggingface_hub.dataclasses import strict
from huggingface_hub.errors import StrictDataclassClassValidationError
from transformers import AutoConfig, PreTrainedConfig
from transformers.configuration_utils import SubConfigSpec

from .config_validation import checked_config

QUERY_POOLINGS = ("mean", "last")
COMPRESSION_MODES = ("query_attention", "mean")
LVC_OPTIONS = (
    "num_frames", "window_size", "query_pooling", "compression_mode", "learn_temperature", "initial_temperature"
)


class LVCConfigError(ValueError, StrictDataclassClassValidationError):
    """A bad `LVCConfig` value: a ValueError naming the argument (also @strict's validation error)."""


@checked_config(LVCConfigError)
@strict
class LVCConfig(PreTrainedConfig):
    r"""
    LVC samples ``num_frames`` (M) frames densely, encodes each with the wrapped VLM's vision tower and alignment
    layer, and merges every window of ``window_size`` (w) consecutive frames into one pseudo-frame, per spatial token,
    with weights ``softmax(V_i q / sqrt(d))`` where ``q`` pools the question's token embeddings. The language model
    then sees ``M / w`` pseudo-frames.

    Args:
        vlm_config (`dict` or `PreTrainedConfig`):
            Config of the wrapped vision-language model (any model type with a registered LVC backbone adapter,
            e.g. ``internvl``), resolved with ``AutoConfig``.
        num_frames (`int`, defaults to 16): frames M sampled densely from each video.
        window_size (`int`, defaults to 4): consecutive frames w merged into one pseudo-frame; ``1`` disables
            compression.
        query_pooling (`str`, defaults to ``"mean"``): ``"mean"`` over the question tokens or ``"last"`` token.
        compression_mode (`str`, defaults to ``"query_attention"``): ``"query_attention"`` or ``"mean"`` (plain
            temporal mean pooling, the ablation without the query).
        learn_temperature (`bool`, defaults to `False`): adds one trainable softmax temperature; the compression is
            parameter-free otherwise.
        initial_temperature (`float`, defaults to 1.0): the (initial) softmax temperature.
        tie_word_embeddings (`bool`, *optional*): mirrors the wrapped VLM's setting when left unset.
    """

    model_type = "lvc"
    sub_configs_defaults = {"vlm_config": SubConfigSpec(config_class=AutoConfig, model_type="internvl")}

    vlm_config: dict | PreTrainedConfig | None = None
    num_frames: int = 16
    window_size: int = 4
    query_pooling: str = "mean"
    compression_mode: str = "query_attention"
    learn_temperature: bool = False
    initial_temperature: float = 1.0
    tie_word_embeddings: bool | None = None

    def __post_init__(self, **kwargs):
        model_type = self.vlm_config.get("model_type") if isinstance(self.vlm_config, dict) else None
        try:
            super().__post_init__(**kwargs)
        except ValueError as error:  # transformers lists every registered model type: name the field instead
            if model_type is None or "Unrecognized model type" not in str(error):
                raise
            raise LVCConfigError(
                f"`vlm_config` has model_type {model_type!r}, which transformers does not know; expected the config "
                "of a vision-language model with an LVC backbone adapter (e.g. 'internvl')."
            ) from None
        if self.tie_word_embeddings is None:
            self.tie_word_embeddings = bool(getattr(self.vlm_config, "tie_word_embeddings", False))

    def validate_lvc(self):
        if self.window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {self.window_size}.")
        if self.num_frames < 1:
            raise ValueError(f"num_frames must be >= 1, got {self.num_frames}.")
        if self.num_frames % self.window_size != 0:
            raise ValueError(
                f"num_frames ({self.num_frames}) must be divisible by window_size ({self.window_size}): "
                "LVC merges whole windows of consecutive frames into pseudo-frames."
            )
        if self.query_pooling not in QUERY_POOLINGS:
            raise ValueError(f"query_pooling must be one of {QUERY_POOLINGS}, got {self.query_pooling!r}.")
        if self.compression_mode not in COMPRESSION_MODES:
            raise ValueError(f"compression_mode must be one of {COMPRESSION_MODES}, got {self.compression_mode!r}.")
        if not self.initial_temperature > 0:
            raise ValueError(f"initial_temperature must be > 0, got {self.initial_temperature}.")

    def get_text_config(self, decoder=None, encoder=None) -> PreTrainedConfig:
        """The wrapped VLM's language-model config (generation sizes its cache from it)."""
        return self.vlm_config.get_text_config(decoder=decoder, encoder=encoder)

    @property
    def num_pseudo_frames(self) -> int:
        """M' = M / w, the pseudo-frames the language model sees per video."""
        return self.num_frames // self.window_size


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
LVCConfig.register_for_auto_class()

__all__ = ["COMPRESSION_MODES", "LVC_OPTIONS", "LVCConfig", "LVCConfigError", "QUERY_POOLINGS"]
