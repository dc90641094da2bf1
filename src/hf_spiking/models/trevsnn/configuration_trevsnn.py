"""Configuration of T-RevSNN (Hu et al., ICML 2024): temporal reversible spiking columns for image classification."""

from huggingface_hub.dataclasses import strict
from huggingface_hub.errors import StrictDataclassClassValidationError
from transformers import PreTrainedConfig

from .config_validation import checked_config


class TRevSNNConfigError(ValueError, StrictDataclassClassValidationError):
    """A bad `TRevSNNConfig` value: a ValueError naming the argument (also @strict's validation error)."""


@checked_config(TRevSNNConfigError)
@strict
class TRevSNNConfig(PreTrainedConfig):
    r"""
    T-RevSNN runs a linear stem once and feeds its output to `num_columns` columns, one per time step. Each column has
    four levels; level `l` of column `t` updates its state as `c_l[t] = F_l(c_{l-1}[t], c_{l+1}[t-1]) + alpha_l *
    c_l[t-1]`, where `F_l` is a fusion (bottom-up from the current column, top-down from the previous one) followed by
    two spiking ConvNeXt-style blocks, the second of which shares its last two convolutions across columns.

    Args:
        num_channels (`int`, defaults to 3): input channels (2 for event frames in DVS mode).
        hidden_sizes (`tuple[int, ...]`, defaults to `(64, 128, 256, 384)`): channels of the four levels.
        kernel_size (`int`, defaults to 3): depthwise kernel size (odd).
        mlp_ratio (`int`, defaults to 4): hidden expansion of the pointwise convolutions in each block.
        num_columns (`int`, defaults to 4): columns, i.e. the paper's time steps T (alias `time_steps`).
        intermediate_supervision (`bool`, defaults to `True`): attach up to three float auxiliary heads to evenly
            spaced earlier columns (the official loss weights head `i` of `n` by `(i + 1) / n` and adds the final
            head once more); `False` keeps only the final spiking head.
        label_smoothing (`float`, defaults to 0.1): label smoothing of every cross-entropy term.
        alpha_init (`float`, defaults to 0.5): initial per-channel leak `alpha` of every level.
        alpha_clamp (`float`, defaults to 1e-3): `|alpha|` is clamped (sign kept) to at least this before every
            forward so the coupling stays invertible; reconstruction loses precision near the floor.
        layer_scale_init_value (`float`, defaults to 1.0): initial layer scale of the first block of each level.
        drop_path_rate (`float`, defaults to 0.0): stochastic depth on every block branch (the official code keeps 0).
        reversible (`bool`, defaults to `True`): train through the reversible autograd function that keeps only the
            column states; `False` runs plain autograd with identical maths (for checking and benchmarks).
        dvs (`bool`, defaults to `False`): event-camera mode: input `[T, B, 2, H, W]`, one 3x3 stem per column, and
            the spiking head applied to every column (per-step logits, TET-style loss averaged over steps).
        initializer_range (`float`, defaults to 0.02): std of the truncated-normal convolution initialisation.

    The first column has no previous state, so its `alpha` parameters (kept for the official parameter count and
    key layout) receive no gradient.
    """

    model_type = "trevsnn"
    attribute_map = {"time_steps": "num_columns"}
    # Per-head logits are a training aid; evaluation (and Trainer's compute_metrics) only sees `logits`.
    keys_to_ignore_at_inference = ["head_logits", "hidden_states"]

    num_channels: int = 3
    hidden_sizes: list[int] | tuple[int, ...] = (64, 128, 256, 384)
    kernel_size: int = 3
    mlp_ratio: int = 4
    num_columns: int = 4
    intermediate_supervision: bool = True
    label_smoothing: float = 0.1
    alpha_init: float = 0.5
    alpha_clamp: float = 1e-3
    layer_scale_init_value: float = 1.0
    drop_path_rate: float = 0.0
    reversible: bool = True
    dvs: bool = False
    initializer_range: float = 0.02

    def __post_init__(self, **kwargs):
        self.hidden_sizes = tuple(int(c) for c in self.hidden_sizes)
        super().__post_init__(**kwargs)

    def validate_trevsnn(self):
        if len(self.hidden_sizes) != 4 or any(c < 1 for c in self.hidden_sizes):
            raise ValueError(f"`hidden_sizes` must be four positive channel counts (one per level), got {self.hidden_sizes}.")
        if self.kernel_size < 1 or self.kernel_size % 2 == 0:
            raise ValueError(f"`kernel_size` must be a positive odd integer, got {self.kernel_size}.")
        if self.mlp_ratio < 1:
            raise ValueError(f"`mlp_ratio` must be >= 1, got {self.mlp_ratio}.")
        if self.num_columns < 1:
            raise ValueError(f"`num_columns` (time steps T) must be >= 1, got {self.num_columns}.")
        if self.num_channels < 1:
            raise ValueError(f"`num_channels` must be >= 1, got {self.num_channels}.")
        if self.num_labels < 1:
            raise ValueError(f"`num_labels` (classes of the heads) must be >= 1, got {self.num_labels}.")
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"`label_smoothing` must lie in [0, 1), got {self.label_smoothing}.")
        if not self.alpha_clamp > 0.0:
            raise ValueError(f"`alpha_clamp` must be > 0 (alpha is divided by in the reverse pass), got {self.alpha_clamp}.")
        if abs(self.alpha_init) < self.alpha_clamp:
            raise ValueError(f"`|alpha_init|` ({self.alpha_init}) must be at least `alpha_clamp` ({self.alpha_clamp}).")
        if self.initializer_range < 0:
            raise ValueError(f"`initializer_range` must be >= 0 (a standard deviation), got {self.initializer_range}.")
        if not 0.0 <= self.drop_path_rate < 1.0:
            raise ValueError(f"`drop_path_rate` must lie in [0, 1), got {self.drop_path_rate}.")
        if self.dvs and self.intermediate_supervision:
            raise ValueError(
                "DVS mode applies the single spiking head to every column (per-step outputs); "
                "set `intermediate_supervision=False` with `dvs=True`."
            )

    @property
    def head_columns(self) -> tuple[int, ...]:
        """Indices of the columns followed by a classification head; the last one carries the spiking head."""
        if self.dvs:
            return tuple(range(self.num_columns))
        num_heads = min(4, self.num_columns) if self.intermediate_supervision else 1
        # Evenly spaced as in the official `(i + 1) % (T // 4) == 0` rule, which it extends to any T.
        return tuple((k + 1) * self.num_columns // num_heads - 1 for k in range(num_heads))


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
TRevSNNConfig.register_for_auto_class()

__all__ = ["TRevSNNConfig", "TRevSNNConfigError"]
