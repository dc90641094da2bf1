"""Stateless spiking neurons over time-major input ``[T, B, ...]``.

Every neuron keeps its membrane potential local to ``forward``: nothing persists across calls, so there is nothing
to reset, models can be wrapped in activation checkpointing, and ``torch.compile`` sees pure functions.

* :class:`LIFNeuron`: leaky integrate-and-fire with hard or soft reset and a surrogate gradient. Its forward and
  backward are hand-written (one pass over T each way, saving only the pre-spike potentials), which keeps the
  autograd graph to one node per call.
* :class:`IntegerLIFNeuron`: I-LIF, emitting integer spike counts in ``{0..D}``; at T = 1 it is SVL's multi-spike
  quantiser.
* :class:`MultiSpike` / :func:`multispike`: that quantiser on its own, for layers without a time axis.
* :class:`BinarySpike` / :func:`binary_spike`: T-RevSNN's stateless 0/1 quantiser.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

from .surrogate import SurrogateGradient, get_surrogate

Rounding = Literal["half_up", "half_to_even"]
GradWindow = Literal["open", "closed"]


def _check_time_major(x: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} expects a torch.Tensor of shape [T, B, ...], got {type(x).__name__}.")
    if x.dim() < 2:
        raise ValueError(f"{name} expects input of shape [T, B, ...] (rank >= 2), got shape {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise ValueError(f"{name} expects a floating-point input, got dtype {x.dtype}.")


def _check_floating(x: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} expects a floating-point tensor, got {got}.")


def _round(x: torch.Tensor, rounding: Rounding) -> torch.Tensor:
    return torch.floor(x + 0.5) if rounding == "half_up" else torch.round(x)


# ----------------------------------------------------------------------------------------------------------------
# Leaky integrate-and-fire
# ----------------------------------------------------------------------------------------------------------------


class _MultiStepLIF(torch.autograd.Function):
    """Multi-step LIF with a hand-written backward that walks the time axis in reverse.

    Charge:  H[t] = k_v * V[t-1] + k_x * X[t] + c
             (decay_input: k_v = 1 - 1/tau, k_x = 1/tau, c = v_reset/tau;  else k_x = 1, c = v_reset/tau)
    Fire:    S[t] = heaviside(H[t] - v_threshold)
    Reset:   hard  V[t] = H[t] * (1 - S[t]) + v_reset * S[t];  soft  V[t] = H[t] - v_threshold * S[t]
    The surrogate replaces dS/dH; ``detach_reset`` drops the reset's dependence on S in the backward pass.
    """

    @staticmethod
    def forward(x_seq, tau, v_threshold, v_reset, decay_input, detach_reset, surrogate):
        v = torch.full_like(x_seq[0], 0.0 if v_reset is None else v_reset)
        spikes, potentials = [], []
        for x in x_seq:
            h = _lif_charge(v, x, tau, v_reset, decay_input)
            s = surrogate.spike(h - v_threshold)
            v = h - v_threshold * s if v_reset is None else h * (1.0 - s) + v_reset * s
            spikes.append(s)
            potentials.append(h)
        return torch.stack(spikes), torch.stack(potentials)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, tau, v_threshold, v_reset, decay_input, detach_reset, surrogate = inputs
        ctx.save_for_backward(output[1])
        ctx.settings = (tau, v_threshold, v_reset, decay_input, detach_reset, surrogate)
        ctx.mark_non_differentiable(output[1])

    @staticmethod
    def backward(ctx, grad_spikes, _grad_potentials):
        (h_seq,) = ctx.saved_tensors
        tau, v_threshold, v_reset, decay_input, detach_reset, surrogate = ctx.settings
        k_v = 1.0 - 1.0 / tau
        k_x = 1.0 / tau if decay_input else 1.0
        grad_x = torch.empty_like(h_seq)
        grad_v = torch.zeros_like(h_seq[0])
        for t in range(h_seq.shape[0] - 1, -1, -1):
            h = h_seq[t]
            sg = surrogate.derivative(h - v_threshold)
            if v_reset is None:
                dv_dh = 1.0 if detach_reset else 1.0 - v_threshold * sg
            else:
                s = surrogate.spike(h - v_threshold)
                dv_dh = 1.0 - s if detach_reset else 1.0 - s + (v_reset - h) * sg
            grad_h = grad_spikes[t] * sg + grad_v * dv_dh
            grad_x[t] = grad_h * k_x
            grad_v = grad_h * k_v
        return grad_x, None, None, None, None, None, None


def _lif_charge(v, x, tau, v_reset, decay_input):
    # Written in spikingjelly's operation order so that spikes agree bit for bit.
    if decay_input:
        if v_reset is None or v_reset == 0.0:
            return v + (x - v) / tau
        return v + (x - (v - v_reset)) / tau
    if v_reset is None or v_reset == 0.0:
        return v * (1.0 - 1.0 / tau) + x
    return v - (v - v_reset) / tau + x


class LIFNeuron(nn.Module):
    """Multi-step leaky integrate-and-fire neuron over ``[T, B, ...]`` with a surrogate gradient.

    Args:
        tau: membrane time constant, > 1.
        v_threshold: firing threshold.
        v_reset: reset potential for a hard reset, or ``None`` for a soft reset (subtract the threshold).
        decay_input: whether the input is scaled by ``1 / tau`` as well as the leak (spikingjelly's default).
        detach_reset: stop gradients through the reset path.
        surrogate: ``"atan"``, ``"sigmoid"``, ``"rectangular"`` or a :class:`SurrogateGradient` instance.
        surrogate_width: the surrogate's width parameter (``alpha`` for ATan/Sigmoid, ``width`` for Rectangular);
            ``None`` keeps the surrogate's default.

    The membrane starts at ``v_reset`` (0 for soft reset) on every call. Returns binary spikes of the input's
    shape and dtype.
    """

    def __init__(
        self,
        tau: float = 2.0,
        v_threshold: float = 1.0,
        v_reset: float | None = 0.0,
        decay_input: bool = True,
        detach_reset: bool = False,
        surrogate: str | SurrogateGradient = "sigmoid",
        surrogate_width: float | None = None,
    ):
        super().__init__()
        if not tau > 1.0:
            raise ValueError(f"LIFNeuron `tau` must be > 1 (the leak factor is 1 - 1/tau), got {tau}.")
        if not v_threshold > (v_reset if v_reset is not None else 0.0):
            raise ValueError(
                f"LIFNeuron `v_threshold` ({v_threshold}) must be greater than the reset potential ({v_reset or 0.0})."
            )
        self.tau = float(tau)
        self.v_threshold = float(v_threshold)
        self.v_reset = None if v_reset is None else float(v_reset)
        self.decay_input = bool(decay_input)
        self.detach_reset = bool(detach_reset)
        self.surrogate = _build_surrogate(surrogate, surrogate_width)

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        _check_time_major(x_seq, "LIFNeuron")
        spikes, _ = _MultiStepLIF.apply(
            x_seq, self.tau, self.v_threshold, self.v_reset, self.decay_input, self.detach_reset, self.surrogate
        )
        return spikes

    def extra_repr(self) -> str:
        reset = "soft" if self.v_reset is None else f"hard(v_reset={self.v_reset})"
        return (
            f"tau={self.tau}, v_threshold={self.v_threshold}, reset={reset}, decay_input={self.decay_input}, "
            f"detach_reset={self.detach_reset}, surrogate={self.surrogate}"
        )


def _build_surrogate(surrogate, width):
    if width is None:
        return get_surrogate(surrogate)
    name = surrogate if isinstance(surrogate, str) else None
    if name is None:
        raise ValueError("`surrogate_width` can only be combined with a surrogate given by name.")
    key = "width" if name == "rectangular" else "alpha"
    return get_surrogate(name, **{key: width})


# ----------------------------------------------------------------------------------------------------------------
# Integer-valued spikes
# ----------------------------------------------------------------------------------------------------------------


class _MultiLevelQuantize(torch.autograd.Function):
    """round(clamp(x, 0, D)) with a straight-through gradient inside the window (open or closed) of [0, D]."""

    @staticmethod
    def forward(x, max_level, rounding, grad_window):
        return _round(torch.clamp(x, 0, max_level), rounding)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, max_level, _, grad_window = inputs
        ctx.save_for_backward(x)
        ctx.max_level = max_level
        ctx.grad_window = grad_window

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if ctx.grad_window == "open":
            mask = (x > 0) & (x < ctx.max_level)
        else:
            mask = (x >= 0) & (x <= ctx.max_level)
        return grad_output * mask.to(grad_output.dtype), None, None, None


def multispike(x: torch.Tensor, max_level: int = 4) -> torch.Tensor:
    """SVL's multi-spike quantiser: ``floor(clamp(x, 0, D) + 0.5)``, straight-through on the open interval (0, D)."""
    _check_floating(x, "multispike")
    _check_max_level(max_level)
    return _MultiLevelQuantize.apply(x, max_level, "half_up", "open")


def _check_max_level(max_level) -> None:
    if not isinstance(max_level, int) or isinstance(max_level, bool) or max_level < 1:
        raise ValueError(f"`max_level` (D) must be an integer >= 1, got {max_level!r}.")


class MultiSpike(nn.Module):
    """Stateless integer spikes in ``{0..max_level}`` (SVL's multi-spike neuron, I-LIF at T = 1), any shape."""

    def __init__(self, max_level: int = 4):
        super().__init__()
        _check_max_level(max_level)
        self.max_level = max_level

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return multispike(x, self.max_level)

    def extra_repr(self) -> str:
        return f"max_level={self.max_level}"


class IntegerLIFNeuron(nn.Module):
    """I-LIF: multi-step leaky neuron emitting integer spike counts in ``{0..max_level}`` over ``[T, B, ...]``.

    H[t] = (1 - 1/tau) V[t-1] + X[t];  C[t] = round(clamp(H[t] / v_threshold, 0, D));  V[t] = H[t] - C[t] v_threshold.

    With T = 1 and the defaults this is exactly :func:`multispike`. ``rounding="half_to_even"`` and
    ``grad_window="closed"`` give spikingjelly's ``ILIFNode`` conventions (``torch.round``, gradient on [0, D]).

    Args:
        max_level: D, the largest spike count (>= 1).
        tau: leak time constant, > 1 (4/3 in the I-LIF paper's code, i.e. a leak factor of 0.25).
        v_threshold: potential per emitted spike, > 0.
        detach_reset: stop gradients through the soft reset.
        rounding: ``"half_up"`` (SVL) or ``"half_to_even"`` (``torch.round``).
        grad_window: straight-through window, ``"open"`` (0, D) or ``"closed"`` [0, D].
    """

    def __init__(
        self,
        max_level: int = 4,
        tau: float = 4.0 / 3.0,
        v_threshold: float = 1.0,
        detach_reset: bool = False,
        rounding: Rounding = "half_up",
        grad_window: GradWindow = "open",
    ):
        super().__init__()
        _check_max_level(max_level)
        if not tau > 1.0:
            raise ValueError(f"IntegerLIFNeuron `tau` must be > 1, got {tau}.")
        if not v_threshold > 0:
            raise ValueError(f"IntegerLIFNeuron `v_threshold` must be > 0, got {v_threshold}.")
        if rounding not in ("half_up", "half_to_even"):
            raise ValueError(f"`rounding` must be 'half_up' or 'half_to_even', got {rounding!r}.")
        if grad_window not in ("open", "closed"):
            raise ValueError(f"`grad_window` must be 'open' or 'closed', got {grad_window!r}.")
        self.max_level = max_level
        self.tau = float(tau)
        self.v_threshold = float(v_threshold)
        self.detach_reset = bool(detach_reset)
        self.rounding = rounding
        self.grad_window = grad_window

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        _check_time_major(x_seq, "IntegerLIFNeuron")
        leak = 1.0 - 1.0 / self.tau
        v = torch.zeros_like(x_seq[0])
        counts = []
        for x in x_seq:
            h = leak * v + x
            c = _MultiLevelQuantize.apply(h / self.v_threshold, self.max_level, self.rounding, self.grad_window)
            v = h - (c.detach() if self.detach_reset else c) * self.v_threshold
            counts.append(c)
        return torch.stack(counts)

    def extra_repr(self) -> str:
        return (
            f"max_level={self.max_level}, tau={self.tau}, v_threshold={self.v_threshold}, "
            f"rounding={self.rounding}, grad_window={self.grad_window}, detach_reset={self.detach_reset}"
        )


# ----------------------------------------------------------------------------------------------------------------
# Binary quantiser
# ----------------------------------------------------------------------------------------------------------------


def binary_spike(x: torch.Tensor) -> torch.Tensor:
    """T-RevSNN's quantiser: ``floor(clamp(x, 0, 1) + 0.5)``, straight-through on the closed interval [0, 1]."""
    _check_floating(x, "binary_spike")
    return _MultiLevelQuantize.apply(x, 1, "half_up", "closed")


class BinarySpike(nn.Module):
    """Stateless binary spikes ``round_half_up(clamp(x, 0, 1))`` with a straight-through gradient on [0, 1]."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return binary_spike(x)


__all__ = ["BinarySpike", "IntegerLIFNeuron", "LIFNeuron", "MultiSpike", "binary_spike", "multispike"]
