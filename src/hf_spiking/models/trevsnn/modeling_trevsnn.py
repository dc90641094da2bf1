"""T-RevSNN: temporal reversible spiking columns (Hu et al., "High-Performance Temporal Reversible Spiking Neural
Networks with O(L) Training Memory and O(1) Inference Cost", ICML 2024), re-implemented from the paper and the
official BICLab/T-RevSNN code.

Each column t updates four level states ``c_l[t] = F_l(c_{l-1}[t], c_{l+1}[t-1]) + alpha_l * c_l[t-1]``. Because the
update is invertible, :class:`TRevSNNReversibleColumn` keeps only each column's output states for backward,
recomputes the column there and reconstructs the previous states as ``c_l[t-1] = (c_l[t] - F_l(...)) / alpha_l``.
Compared with the official code this implementation fixes: BatchNorm running statistics updated twice per step (the
recomputation now leaves them untouched), ``intermediate_supervision=False`` and T < 4 (heads are placed by
``config.head_columns``), the DVS head (per-step outputs), and the missing plain-autograd path (``reversible=False``).
"""

import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers import initialization as init
from transformers.utils import ModelOutput
from transformers.utils.generic import can_return_tuple

from .checkpoints import StrictLoadingMixin
from .config_validation import checked_class_labels
from .configuration_trevsnn import TRevSNNConfig

from .spiking import BinarySpike, write_standalone_module


class TRevSNNAlphaPrecisionWarning(UserWarning):
    """Some leak ``alpha`` sits at the clamp floor, where the reversible reconstruction ``/ alpha`` loses precision."""


# ----------------------------------------------------------------------------------------------------------------
# Layers
# ----------------------------------------------------------------------------------------------------------------


def _standardize_weight(weight: torch.Tensor, gain: torch.Tensor, scale: float, eps: float) -> torch.Tensor:
    """Per output channel ``gain * scale * (W - mean(W)) / sqrt(var(W) + eps)`` (biased variance over the fan-in)."""
    out_channels = weight.shape[0]
    standardized = F.batch_norm(
        weight.reshape(1, out_channels, -1),
        None,
        None,
        weight=(gain * scale).view(-1),
        training=True,
        momentum=0.0,
        eps=eps,
    )
    return standardized.reshape_as(weight)


class _StandardizedConv2d(torch.autograd.Function):
    """``conv2d(x, standardize(W), b)`` that keeps only ``x`` and the parameters for backward.

    Plain autograd would keep the standardised weight, a weight-sized tensor per convolution that is not an
    activation; backward recomputes it instead (O(weight), negligible next to the convolution). The gradients are
    those of plain autograd: the same ``convolution_backward`` call on the same (autocast-cast) operands, then the
    standardisation differentiated by autograd.
    """

    @staticmethod
    def forward(ctx, x, weight, gain, bias, conv):
        ctx.conv = conv
        device_type = x.device.type
        ctx.autocast = (device_type, torch.get_autocast_dtype(device_type)) if torch.is_autocast_enabled(device_type) else None
        ctx.save_for_backward(x, weight, gain, bias)
        return F.conv2d(x, _standardize_weight(weight, gain, conv.scale, conv.eps), bias, conv.stride, conv.padding)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        x, weight, gain, bias = ctx.saved_tensors
        conv = ctx.conv
        weight_needs_grad = ctx.needs_input_grad[1] or ctx.needs_input_grad[2]
        with torch.enable_grad(), ExitStack() as stack:
            if ctx.autocast is not None:
                stack.enter_context(torch.autocast(ctx.autocast[0], dtype=ctx.autocast[1]))
            weight_leaf = weight.detach().requires_grad_(ctx.needs_input_grad[1])
            gain_leaf = gain.detach().requires_grad_(ctx.needs_input_grad[2])
            standardized = _standardize_weight(weight_leaf, gain_leaf, conv.scale, conv.eps)
        # The operands autocast gave the forward convolution.
        compute_dtype = ctx.autocast[1] if ctx.autocast is not None else standardized.dtype
        with torch.enable_grad():
            conv_weight = standardized.to(compute_dtype)
        grad_x, grad_conv_weight, grad_bias = torch.ops.aten.convolution_backward(
            grad_output.to(compute_dtype),
            x.to(compute_dtype),
            conv_weight.detach(),
            [bias.shape[0]],
            list(conv.stride),
            list(conv.padding),
            list(conv.dilation),
            False,
            [0, 0],
            1,
            [ctx.needs_input_grad[0], weight_needs_grad, ctx.needs_input_grad[3]],
        )
        grad_weight = grad_gain = None
        if weight_needs_grad:
            leaves = [t for t in (weight_leaf, gain_leaf) if t.requires_grad]
            grads = iter(torch.autograd.grad(conv_weight, leaves, grad_conv_weight))
            grad_weight = next(grads) if weight_leaf.requires_grad else None
            grad_gain = next(grads) if gain_leaf.requires_grad else None
        if grad_x is not None:
            grad_x = grad_x.to(x.dtype)
        if grad_bias is not None:
            grad_bias = grad_bias.to(bias.dtype)
        return grad_x, grad_weight, grad_gain, grad_bias, None


class TRevSNNStdConv2d(nn.Module):
    """Weight-standardised convolution (timm's ``ScaledStdConv2d``): per output channel
    ``gain * fan_in**-0.5 * (W - mean(W)) / sqrt(var(W) + eps)``, then a biased convolution. The standardised weight
    is recomputed in backward rather than kept (:class:`_StandardizedConv2d`).

    Deliberately not an ``nn.Conv2d``: a low-rank update merged into ``W`` would be re-standardised, so PEFT must not
    treat it as a plain convolution (LoRA targets the plain convolutions instead).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, eps: float = 1e-6):
        super().__init__()
        # nn.Conv2d's geometry attributes, which hf_spiking.energy's convolution counting reads.
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, 1
        self.kernel_size, self.stride, self.dilation = (kernel_size, kernel_size), (stride, stride), (1, 1)
        padding = ((stride - 1) + (kernel_size - 1)) // 2
        self.padding = (padding, padding)
        self.eps = eps
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.gain = nn.Parameter(torch.ones(out_channels, 1, 1, 1))
        self.scale = (in_channels * kernel_size * kernel_size) ** -0.5

    def standardized_weight(self) -> torch.Tensor:
        return _standardize_weight(self.weight, self.gain, self.scale, self.eps)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _StandardizedConv2d.apply(x, self.weight, self.gain, self.bias, self)

    def energy_counts(self, inputs: tuple, output: torch.Tensor) -> tuple[int, int]:
        """hf_spiking.energy protocol: counted like a plain convolution (MACs for analog input, ACs for spikes)."""
        try:
            from hf_spiking.energy import conv_energy_counts
        except ImportError as error:  # remote code without hf_spiking
            raise ImportError("Energy estimates need the hf_spiking package.") from error
        return conv_energy_counts(self, inputs, output)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size[0]}, stride={self.stride[0]}"


class TRevSNNDropPath(nn.Module):
    """Per-sample stochastic depth on a residual branch (identity in eval or at rate 0)."""

    def __init__(self, rate: float):
        super().__init__()
        self.rate = rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0.0:
            return x
        keep = 1.0 - self.rate
        mask = x.new_empty((x.shape[0],) + (1,) * (x.dim() - 1)).bernoulli_(keep)
        return x * mask / keep


def _depthwise_conv(channels: int, kernel_size: int) -> nn.Conv2d:
    return nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2, groups=channels)


class TRevSNNSharedConvs(nn.Module):
    """The second block's last two convolutions of one level, shared by every column (stored once)."""

    def __init__(self, channels: int, hidden: int, kernel_size: int):
        super().__init__()
        self.pwconv2 = TRevSNNStdConv2d(hidden, channels, 1)
        self.dwconv2 = _depthwise_conv(channels, kernel_size)


class TRevSNNBlock(nn.Module):
    """Spiking ConvNeXt-style block: ``x + gamma * dw2(pw2(spike(pw1(dw1(spike(x))))))``.

    The first block of a level owns ``pwconv2``/``dwconv2`` and a layer scale ``gamma``; the second has no layer
    scale and uses the level's :class:`TRevSNNSharedConvs`, which is referenced, not registered, so that its weights
    are stored once (under ``trevsnn.shared_convs``).
    """

    def __init__(self, config: TRevSNNConfig, channels: int, shared: TRevSNNSharedConvs | None = None):
        super().__init__()
        hidden = config.mlp_ratio * channels
        self.spike = BinarySpike()
        self.dwconv1 = _depthwise_conv(channels, config.kernel_size)
        self.pwconv1 = TRevSNNStdConv2d(channels, hidden, 1)
        if shared is None:
            self.pwconv2 = TRevSNNStdConv2d(hidden, channels, 1)
            self.dwconv2 = _depthwise_conv(channels, config.kernel_size)
            self.gamma = nn.Parameter(torch.full((1, channels, 1, 1), config.layer_scale_init_value))
            self._shared = ()
        else:
            self.gamma = None
            self._shared = (shared,)
        self.drop_path = TRevSNNDropPath(config.drop_path_rate)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        convs = self._shared[0] if self._shared else self
        h = self.pwconv1(self.dwconv1(self.spike(x)))
        h = convs.dwconv2(convs.pwconv2(self.spike(h)))
        if self.gamma is not None:
            h = h * self.gamma
        return x + self.drop_path(h)


class TRevSNNSpikeConvNorm(nn.Module):
    """Fusion path: ``spike -> conv (no bias) -> BatchNorm``, optionally nearest-upsampled to the target size."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int, upsample: bool = False):
        super().__init__()
        self.spike = BinarySpike()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2, bias=False)
        self.norm = nn.BatchNorm2d(out_channels)
        self.upsample = upsample

    def forward(self, x: torch.Tensor, size: torch.Size | None = None) -> torch.Tensor:
        x = self.norm(self.conv(self.spike(x)))
        if self.upsample:
            x = F.interpolate(x, size=size, mode="nearest")
        return x


class TRevSNNFusion(nn.Module):
    """Bottom-up input from the current column plus (except in column 0 and level 3) top-down input from the
    previous column:

    ====== ============================== =====================================
    level  bottom-up (``down``)           top-down (``up``)
    ====== ============================== =====================================
    0      stem output, as is             spike, 1x1 conv, BN, nearest x2 of c1
    1      spike, 3x3/2 conv, BN of c0    spike, 1x1 conv, BN, nearest x2 of c2
    2      spike, 3x3/2 conv, BN of c1    spike, 1x1 conv, BN of c3
    3      spike, 1x1 conv, BN of c2      none
    ====== ============================== =====================================
    """

    def __init__(self, config: TRevSNNConfig, level: int, first_column: bool):
        super().__init__()
        channels = config.hidden_sizes
        if level == 0:
            self.down = None
        elif level == 3:
            self.down = TRevSNNSpikeConvNorm(channels[2], channels[3], 1, 1)
        else:
            self.down = TRevSNNSpikeConvNorm(channels[level - 1], channels[level], 3, 2)
        if first_column or level == 3:
            self.up = None
        else:
            self.up = TRevSNNSpikeConvNorm(channels[level + 1], channels[level], 1, 1, upsample=level < 2)

    def forward(self, lower: torch.Tensor, upper: torch.Tensor | None) -> torch.Tensor:
        x = lower if self.down is None else self.down(lower)
        if self.up is not None:
            x = self.up(upper, size=x.shape[-2:]) + x
        return x


class TRevSNNLevel(nn.Module):
    """``F_l`` (fusion and two blocks) of one column and its per-channel leak ``alpha``."""

    def __init__(self, config: TRevSNNConfig, level: int, first_column: bool, shared: TRevSNNSharedConvs):
        super().__init__()
        channels = config.hidden_sizes[level]
        self.alpha = nn.Parameter(torch.full((1, channels, 1, 1), config.alpha_init))
        self.alpha_clamp = config.alpha_clamp
        self.fusion = TRevSNNFusion(config, level, first_column)
        self.blocks = nn.ModuleList([TRevSNNBlock(config, channels), TRevSNNBlock(config, channels, shared)])
        self._shared = (shared,)

    def forward(self, lower: torch.Tensor, upper: torch.Tensor | None) -> torch.Tensor:
        x = self.fusion(lower, upper)
        for block in self.blocks:
            x = block(x)
        return x

    def effective_alpha(self) -> torch.Tensor:
        """``alpha`` with ``|alpha| >= alpha_clamp`` (sign kept, 0 counted positive) so the coupling stays invertible.

        Computed, never written back: the parameter is left as the optimiser set it, and the gradient passes straight
        through the clamp to it (the gradient the official in-place clamp gives, which sets the parameter to the
        clamped value before the forward pass).
        """
        sign = torch.where(self.alpha < 0, -1.0, 1.0).to(self.alpha.dtype)
        clamped = sign * self.alpha.abs().clamp_min(self.alpha_clamp)
        return self.alpha + (clamped - self.alpha).detach()

    def trainable_parameters(self) -> list[nn.Parameter]:
        """Parameters ``F_l`` depends on that need gradients (the shared convolutions included, alpha excluded)."""
        params = [p for n, p in self.named_parameters() if n != "alpha" and p.requires_grad]
        return params + [p for p in self._shared[0].parameters() if p.requires_grad]


@contextmanager
def _frozen_batchnorm_statistics(module: nn.Module):
    """Training-mode BatchNorm normalises with batch statistics but leaves the running statistics alone, so that the
    backward recomputation does not update them a second time (an official-code side effect)."""
    frozen = [
        m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training and m.track_running_stats
    ]
    for m in frozen:
        m.track_running_stats = False
    try:
        yield
    finally:
        for m in frozen:
            m.track_running_stats = True


def _autocast_state() -> list[tuple[str, torch.dtype]]:
    return [(d, torch.get_autocast_dtype(d)) for d in ("cpu", "cuda") if torch.is_autocast_enabled(d)]


def _rng_state(devices: list[int]) -> tuple[torch.Tensor, list[torch.Tensor]]:
    return torch.get_rng_state(), [torch.cuda.get_rng_state(d) for d in devices]


def _set_rng_state(state: tuple[torch.Tensor, list[torch.Tensor]], devices: list[int]) -> None:
    torch.set_rng_state(state[0])
    for device, cuda_state in zip(devices, state[1]):
        torch.cuda.set_rng_state(cuda_state, device)


def _column_step(column: nn.Module, x: torch.Tensor, states, rng_log: list | None = None, devices=()):
    """One column's maths: ``c_l[t] = F_l(c_{l-1}[t], c_{l+1}[t-1]) + alpha_l * c_l[t-1]`` for l = 0..3."""
    new_states = []
    for level_index, level in enumerate(column.levels):
        if rng_log is not None:
            rng_log.append(_rng_state(devices))
        lower = x if level_index == 0 else new_states[-1]
        upper = states[level_index + 1] if states is not None and level_index < 3 else None
        out = level(lower, upper)
        if states is not None:
            out = out + level.effective_alpha() * states[level_index]
        new_states.append(out)
    return tuple(new_states)


class TRevSNNReversibleColumn(torch.autograd.Function):
    """A column whose backward keeps only its output states.

    Forward runs the column without building a graph and saves ``x`` and the four new states. Backward walks the
    levels from the top down: it re-runs ``F_l`` with gradients (restoring the RNG state recorded before that level,
    re-entering the forward's autocast, and leaving BatchNorm running statistics untouched), reconstructs
    ``c_l[t-1] = (c_l[t] - F_l) / alpha_l``, and back-propagates through that level alone. Parameter gradients are
    returned as gradients of the ``*params`` inputs, so ``torch.autograd.grad``, DDP hooks and PEFT all see them.
    """

    @staticmethod
    def forward(ctx, column, x, c0, c1, c2, c3, *params):
        states = None if c0 is None else (c0, c1, c2, c3)
        ctx.column = column
        ctx.has_states = states is not None
        ctx.autocast = _autocast_state()
        ctx.devices = sorted({t.get_device() for t in (x, *params) if t.is_cuda})
        ctx.rng_states = []
        new_states = _column_step(column, x, states, ctx.rng_states, ctx.devices)
        ctx.save_for_backward(x, *new_states)
        ctx.param_index = {id(p): i for i, p in enumerate(params)}
        ctx.num_params = len(params)
        return new_states

    @staticmethod
    def backward(ctx, *grad_states):
        x, *new_states = ctx.saved_tensors
        levels = ctx.column.levels
        x_needs_grad = ctx.needs_input_grad[1]
        x = x.detach().requires_grad_(x_needs_grad)
        # New states as graph leaves: each feeds the next level up as its bottom-up input.
        leaves = [s.detach().requires_grad_() for s in new_states]
        grad_new = [g for g in grad_states]
        grad_prev: list[torch.Tensor | None] = [None] * 4
        grad_params: list[torch.Tensor | None] = [None] * ctx.num_params
        grad_x = None
        prev_leaves: list[torch.Tensor | None] = [None] * 4

        with ExitStack() as stack:
            stack.enter_context(torch.random.fork_rng(devices=ctx.devices))
            stack.enter_context(torch.enable_grad())
            for device_type, dtype in ctx.autocast:
                stack.enter_context(torch.autocast(device_type, dtype=dtype))
            for level_index in reversed(range(4)):
                level = levels[level_index]
                _set_rng_state(ctx.rng_states[level_index], ctx.devices)
                lower = x if level_index == 0 else leaves[level_index - 1]
                upper = prev_leaves[level_index + 1] if ctx.has_states and level_index < 3 else None
                with _frozen_batchnorm_statistics(level):
                    out = level(lower, upper)
                grad_out = grad_new[level_index]

                if ctx.has_states:
                    alpha = level.effective_alpha().detach()
                    with torch.no_grad():
                        prev = ((new_states[level_index] - out) / alpha).to(new_states[level_index].dtype)
                    prev_leaves[level_index] = prev.detach().requires_grad_()
                    # d/d c_l[t-1] of alpha * c_l[t-1]; the top-down use in level l-1 is added below.
                    grad_prev[level_index] = _accumulate(grad_prev[level_index], grad_out * alpha)
                    if level.alpha.requires_grad:
                        grad_alpha = (grad_out * prev).sum(dim=(0, 2, 3), keepdim=True).to(level.alpha.dtype)
                        index = ctx.param_index[id(level.alpha)]
                        grad_params[index] = _accumulate(grad_params[index], grad_alpha)

                params = level.trainable_parameters()
                inputs = [t for t in (lower, upper) if t is not None and t.requires_grad] + params
                if not out.requires_grad or not inputs:
                    continue
                grads = torch.autograd.grad(out, inputs, grad_out, allow_unused=True)
                grads = list(grads)
                if lower.requires_grad:
                    grad_lower = grads.pop(0)
                    if level_index == 0:
                        grad_x = grad_lower
                    else:
                        grad_new[level_index - 1] = _accumulate(grad_new[level_index - 1], grad_lower)
                if upper is not None and upper.requires_grad:
                    grad_prev[level_index + 1] = _accumulate(grad_prev[level_index + 1], grads.pop(0))
                for param, grad in zip(params, grads):
                    index = ctx.param_index[id(param)]
                    grad_params[index] = _accumulate(grad_params[index], grad)
                del out, grads

        if not ctx.has_states:
            grad_prev = [None] * 4
        return (None, grad_x if x_needs_grad else None, *grad_prev, *grad_params)


def _accumulate(total: torch.Tensor | None, grad: torch.Tensor | None) -> torch.Tensor | None:
    if grad is None:
        return total
    return grad if total is None else total + grad


class TRevSNNColumn(nn.Module):
    """One time step: four levels updating the four states."""

    def __init__(self, config: TRevSNNConfig, first_column: bool, shared_convs: nn.ModuleList):
        super().__init__()
        self.levels = nn.ModuleList(
            [TRevSNNLevel(config, level, first_column, shared_convs[level]) for level in range(4)]
        )

    def forward(self, x: torch.Tensor, states: tuple[torch.Tensor, ...] | None, reversible: bool):
        if not reversible:
            return _column_step(self, x, states)
        params = []
        seen = set()
        for level in self.levels:
            for p in [level.alpha] if states is not None and level.alpha.requires_grad else []:
                params.append(p)
                seen.add(id(p))
            for p in level.trainable_parameters():
                if id(p) not in seen:
                    params.append(p)
                    seen.add(id(p))
        prev = states if states is not None else (None,) * 4
        return TRevSNNReversibleColumn.apply(self, x, *prev, *params)


class TRevSNNStem(nn.Module):
    """Linear stem run once for all columns: 7x7/2 then 3x3/2 weight-standardised convolutions (the official
    ``leaky_relu`` between them has slope 1, i.e. is the identity)."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__()
        channels = config.hidden_sizes[0]
        self.conv1 = TRevSNNStdConv2d(config.num_channels, channels, 7, stride=2)
        self.conv2 = TRevSNNStdConv2d(channels, channels, 3, stride=2)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.conv2(self.conv1(pixel_values))


class TRevSNNEventStem(nn.Module):
    """DVS stem of one column: a 3x3 stride-1 weight-standardised convolution of that column's event frame."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__()
        self.conv = TRevSNNStdConv2d(config.num_channels, config.hidden_sizes[0], 3)

    def forward(self, frame: torch.Tensor) -> torch.Tensor:
        return self.conv(frame)


class TRevSNNAuxClassifier(nn.Module):
    """Float auxiliary head: global average pool of the analog top state, then a 1x1 standardised convolution."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__()
        self.projection = TRevSNNStdConv2d(config.hidden_sizes[3], config.num_labels, 1)

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        return self.projection(state.mean(dim=(-2, -1), keepdim=True)).flatten(1)


class TRevSNNSpikeClassifier(nn.Module):
    """Final spiking head: spike the top state, average pool, then two 1x1 standardised convolutions (the official
    ``leaky_relu`` between them has slope 1, i.e. is the identity)."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__()
        self.spike = BinarySpike()
        self.projection = TRevSNNStdConv2d(config.hidden_sizes[3], config.num_labels, 1)
        self.output = TRevSNNStdConv2d(config.num_labels, config.num_labels, 1)

    def forward(self, state: torch.Tensor) -> torch.Tensor:
        x = self.spike(state).mean(dim=(-2, -1), keepdim=True)
        return self.output(self.projection(x)).flatten(1)


# ----------------------------------------------------------------------------------------------------------------
# Outputs and models
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class TRevSNNModelOutput(ModelOutput):
    """
    Args:
        last_hidden_state (`torch.Tensor` of shape `(batch_size, hidden_sizes[3], height, width)`):
            Top-level state `c_3` of the last column.
        pooler_output (`torch.Tensor` of shape `(batch_size, hidden_sizes[3])`):
            Spatial mean of `last_hidden_state`.
        head_hidden_states (`tuple(torch.Tensor)`):
            Top-level state `c_3` of every column followed by a head (`config.head_columns`).
        hidden_states (`tuple(torch.Tensor)`, returned with `output_hidden_states=True`):
            The four level states of every column, column by column: `hidden_states[4 * t + l]` is `c_l` after column
            `t`, of shape `(batch_size, hidden_sizes[l], height_l, width_l)` (`4 * num_columns` tensors).
    """

    last_hidden_state: torch.Tensor | None = None
    pooler_output: torch.Tensor | None = None
    head_hidden_states: tuple[torch.Tensor, ...] | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


@dataclass
class TRevSNNImageClassifierOutput(ModelOutput):
    """
    Args:
        loss (`torch.Tensor` of shape `()`, returned when `labels` is given):
            The official weighted intermediate-supervision loss (or, in DVS mode, the per-step mean), with label
            smoothing.
        logits (`torch.Tensor` of shape `(batch_size, num_labels)`):
            Evaluation logits: the final spiking head (DVS: its mean over steps).
        head_logits (`torch.Tensor` of shape `(num_heads, batch_size, num_labels)`):
            Every head's logits in column order (DVS: the per-step logits `[T, B, num_labels]`).
        hidden_states (`tuple(torch.Tensor)`, returned with `output_hidden_states=True`):
            The backbone's level states, column by column (see `TRevSNNModelOutput.hidden_states`).
    """

    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    head_logits: torch.Tensor | None = None
    hidden_states: tuple[torch.Tensor, ...] | None = None


class TRevSNNPreTrainedModel(StrictLoadingMixin, PreTrainedModel):
    config: TRevSNNConfig
    base_model_prefix = "trevsnn"
    main_input_name = "pixel_values"
    input_modalities = ("image",)
    _no_split_modules = ["TRevSNNColumn"]
    # The reversible column owns its recomputation; generic activation checkpointing must not be stacked on it.
    supports_gradient_checkpointing = False
    # The loss is a mean over the batch already; Trainer must scale it for gradient accumulation itself.
    accepts_loss_kwargs = False

    @property
    def dummy_inputs(self) -> dict[str, torch.Tensor]:
        """A batch of 2 in the model's input layout, dtype and device: 224x224 images (the image processor's crop),
        or in DVS mode one 64x64 frame of event counts per column, ``[num_columns, 2, num_channels, 64, 64]``."""
        config = self.config
        generator = torch.Generator().manual_seed(0)
        if config.dvs:
            values = torch.randint(0, 3, (config.num_columns, 2, config.num_channels, 64, 64), generator=generator)
        else:
            values = torch.randn(2, config.num_channels, 224, 224, generator=generator)
        return {"pixel_values": values.to(device=self.device, dtype=self.dtype)}

    def save_pretrained(self, save_directory, *args, **kwargs):
        super().save_pretrained(save_directory, *args, **kwargs)
        # The copied `spiking.py` shim imports hf_spiking; replace it by the self-contained spiking core.
        write_standalone_module(save_directory)

    def _init_weights(self, module: nn.Module) -> None:
        super()._init_weights(module)
        std = self.config.initializer_range
        if isinstance(module, (nn.Conv2d, TRevSNNStdConv2d)):
            # timm's trunc_normal_ with absolute bounds +-2, as in the official initialisation.
            init.trunc_normal_(module.weight, std=std, a=-2.0, b=2.0)
            if module.bias is not None:
                init.zeros_(module.bias)
            if isinstance(module, TRevSNNStdConv2d):
                init.ones_(module.gain)
        elif isinstance(module, TRevSNNBlock) and module.gamma is not None:
            init.constant_(module.gamma, self.config.layer_scale_init_value)
        elif isinstance(module, TRevSNNLevel):
            init.constant_(module.alpha, self.config.alpha_init)


class TRevSNNModel(TRevSNNPreTrainedModel):
    """Stem and columns; returns the top-level states that the heads read."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__(config)
        if config.dvs:
            self.embeddings = nn.ModuleList([TRevSNNEventStem(config) for _ in range(config.num_columns)])
        else:
            self.embeddings = TRevSNNStem(config)
        self.shared_convs = nn.ModuleList(
            [TRevSNNSharedConvs(c, config.mlp_ratio * c, config.kernel_size) for c in config.hidden_sizes]
        )
        self.columns = nn.ModuleList(
            [TRevSNNColumn(config, first_column=t == 0, shared_convs=self.shared_convs) for t in range(config.num_columns)]
        )
        self.post_init()

    def _warn_if_alpha_at_floor(self) -> None:
        """Warns when the reversible backward will divide by an alpha at the clamp floor (each level clamps its alpha
        functionally, :meth:`TRevSNNLevel.effective_alpha`). Skipped without gradients and under ``torch.compile``:
        the check reads a value back from the device."""
        if not (self.config.reversible and torch.is_grad_enabled()) or torch.compiler.is_compiling():
            return
        floor = self.config.alpha_clamp
        alphas = [level.alpha for column in self.columns[1:] for level in column.levels]
        if not alphas:
            return
        smallest = torch.stack([a.detach().abs().min() for a in alphas]).min().item()
        if smallest <= floor * (1 + 1e-6):
            warnings.warn(
                f"Some T-RevSNN alpha sits at the clamp floor |alpha| = {floor}; the reversible backward divides by "
                "alpha, so its gradients lose precision there. Consider `reversible=False` or a larger `alpha_clamp`.",
                TRevSNNAlphaPrecisionWarning,
                stacklevel=3,
            )

    def _check_input(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """``pixel_values`` checked (shape, real finite floats, a non-empty batch) and cast to the model's dtype."""
        config = self.config
        if not isinstance(pixel_values, torch.Tensor):
            raise ValueError(
                f"`pixel_values` must be a torch tensor (the image processor's output with return_tensors='pt'), "
                f"got {type(pixel_values).__name__}."
            )
        # Integer pixels (0-255) have not been normalised: casting them would feed the model another scale.
        if not pixel_values.is_floating_point():
            raise ValueError(
                f"`pixel_values` must be normalised floats as TRevSNNImageProcessor returns them, got dtype "
                f"{pixel_values.dtype}; pass raw images through the image processor first."
            )
        if config.dvs:
            expected = f"[T={config.num_columns}, batch, {config.num_channels}, height, width]"
            if pixel_values.dim() != 5 or pixel_values.shape[0] != config.num_columns or pixel_values.shape[2] != config.num_channels:
                raise ValueError(f"DVS `pixel_values` must have shape {expected}, got {tuple(pixel_values.shape)}.")
        elif pixel_values.dim() != 4 or pixel_values.shape[1] != config.num_channels:
            raise ValueError(
                f"`pixel_values` must have shape [batch, {config.num_channels}, height, width], got {tuple(pixel_values.shape)}."
            )
        batch_axis = 1 if config.dvs else 0
        if pixel_values.shape[batch_axis] == 0 or 0 in pixel_values.shape[-2:]:
            raise ValueError(
                f"`pixel_values` has shape {tuple(pixel_values.shape)}: an empty batch or an image of zero size; "
                "expected at least one image of at least 1 x 1 pixels."
            )
        # A data-dependent check would break a fullgraph torch.compile; eager calls (every user door) run it.
        if not torch.compiler.is_compiling() and not torch.isfinite(pixel_values).all():
            raise ValueError("`pixel_values` contains NaN or infinite values; expected finite normalised pixels.")
        return pixel_values.to(self.dtype)

    @can_return_tuple
    def forward(
        self, pixel_values: torch.Tensor, output_hidden_states: bool | None = None, **kwargs
    ) -> TRevSNNModelOutput:
        r"""
        pixel_values (`torch.Tensor` of shape `(batch_size, num_channels, height, width)`, or in DVS mode
            `(num_columns, batch_size, 2, height, width)`):
            Images, or one event frame per column.
        output_hidden_states (`bool`, *optional*, defaults to `config.output_hidden_states`):
            Also return every column's four level states (`hidden_states`).
        """
        pixel_values = self._check_input(pixel_values)
        if output_hidden_states is None:
            output_hidden_states = self.config.output_hidden_states
        self._warn_if_alpha_at_floor()
        reversible = self.config.reversible and torch.is_grad_enabled()
        head_columns = set(self.config.head_columns)
        if not self.config.dvs:
            x = self.embeddings(pixel_values)
        states = None
        head_states, all_states = [], []
        for t, column in enumerate(self.columns):
            if self.config.dvs:
                x = self.embeddings[t](pixel_values[t])
            states = column(x, states, reversible)
            if t in head_columns:
                head_states.append(states[3])
            if output_hidden_states:
                all_states.extend(states)
        last = states[3]
        return TRevSNNModelOutput(
            last_hidden_state=last,
            pooler_output=last.mean(dim=(-2, -1)),
            head_hidden_states=tuple(head_states),
            hidden_states=tuple(all_states) if output_hidden_states else None,
        )


class TRevSNNForImageClassification(TRevSNNPreTrainedModel):
    """T-RevSNN with its heads: float auxiliary heads on earlier columns and the spiking head on the last one."""

    def __init__(self, config: TRevSNNConfig):
        super().__init__(config)
        self.trevsnn = TRevSNNModel(config)
        num_aux = len(config.head_columns) - 1 if not config.dvs else 0
        self.aux_classifiers = nn.ModuleList([TRevSNNAuxClassifier(config) for _ in range(num_aux)])
        self.classifier = TRevSNNSpikeClassifier(config)
        self.post_init()

    def compute_loss(self, head_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Official intermediate-supervision loss ``sum_i CE_i * (i + 1) / n + CE_last`` (DVS: mean over steps)."""
        smoothing = self.config.label_smoothing
        losses = [F.cross_entropy(logits.float(), labels, label_smoothing=smoothing) for logits in head_logits]
        if self.config.dvs:
            return torch.stack(losses).mean()
        n = len(losses)
        return sum(loss * (i + 1) / n for i, loss in enumerate(losses)) + losses[-1]

    @can_return_tuple
    def forward(
        self,
        pixel_values: torch.Tensor,
        labels: torch.Tensor | None = None,
        output_hidden_states: bool | None = None,
        **kwargs,
    ) -> TRevSNNImageClassifierOutput:
        r"""
        pixel_values (`torch.Tensor` of shape `(batch_size, num_channels, height, width)`, or in DVS mode
            `(num_columns, batch_size, 2, height, width)`):
            Images, or one event frame per column.
        labels (`torch.LongTensor` of shape `(batch_size,)`, *optional*):
            Class indices for the loss.
        output_hidden_states (`bool`, *optional*, defaults to `config.output_hidden_states`):
            Also return every column's four level states (`hidden_states`).
        """
        outputs = self.trevsnn(pixel_values, output_hidden_states=output_hidden_states)
        states = outputs.head_hidden_states
        if self.config.dvs:
            head_logits = torch.stack([self.classifier(s) for s in states])
            logits = head_logits.mean(dim=0)
        else:
            aux = [head(s) for head, s in zip(self.aux_classifiers, states[:-1])]
            head_logits = torch.stack(aux + [self.classifier(states[-1])])
            logits = head_logits[-1]
        loss = self.compute_loss(head_logits, checked_class_labels(labels, self.config.num_labels, len(logits), logits.device)) if labels is not None else None
        return TRevSNNImageClassifierOutput(
            loss=loss, logits=logits, head_logits=head_logits, hidden_states=outputs.hidden_states
        )


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
TRevSNNModel.register_for_auto_class("AutoModel")
TRevSNNForImageClassification.register_for_auto_class("AutoModelForImageClassification")

__all__ = [
    "TRevSNNAlphaPrecisionWarning",
    "TRevSNNForImageClassification",
    "TRevSNNImageClassifierOutput",
    "TRevSNNModel",
    "TRevSNNModelOutput",
    "TRevSNNPreTrainedModel",
    "TRevSNNReversibleColumn",
]
