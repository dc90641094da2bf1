"""Stateless spiking neurons over time-major input ``[T, B, ...]``.

Every neuron keeps its membrane potential local to ``forward``: nothing persists across calls, so there is nothing
to reset, models can be wrapped in activation checkpointing, and ``torch.compile`` sees pure functions.

* :class:`LIFNeuron`: leaky integrate-and-fire with hard or soft reset and a surrogate gradient. Its forward and
  backward are hand-written (one pass over T each way, saving only the pre-spike potentials), which keeps the
  autograd graph to one node per call. It reproduces spikingjelly 2.x's ``LIFNode(step_mode='m')``: spikes bit
  for bit, input gradients to about 1e-7.
* :class:`IntegerLIFNeuron`: I-LIF, emitting integer spike counts in ``{0..D}``; at T = 1 it is SVL's multi-spike
  quantiser; with ``rounding="half_to_even", grad_window="closed"`` it reproduces spikingjelly's ``ILIFNode``.
* :class:`MultiSpike` / :func:`multispike`: that quantiser on its own, for layers without a time axis.
* :class:`BinarySpike` / :func:`binary_spike`: T-RevSNN's stateless 0/1 quantiser.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from .surrogate import SurrogateGradient, get_surrogate

Rounding = Literal["half_up", "half_to_even"]
GradWindow = Literal["open", "closed"]


def _check_time_major(x: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} `x_seq` must be a torch.Tensor of shape [T, B, ...], got {type(x).__name__}.")
    if x.dim() < 2:
        raise ValueError(f"{name} `x_seq` must have shape [T, B, ...] (rank >= 2), got shape {tuple(x.shape)}.")
    if not x.is_floating_point():
        raise ValueError(f"{name} `x_seq` must be a floating-point tensor (float16/bfloat16/float32/float64), got {x.dtype}.")


def _check_floating(x: torch.Tensor, name: str) -> None:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} `x` must be a floating-point tensor, got {got}.")


def _is_finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_tau(tau, owner: str) -> None:
    if not (_is_finite_number(tau) and tau > 1.0):
        raise ValueError(f"{owner} `tau` must be a finite number > 1 (the leak factor is 1 - 1/tau), got {tau!r}.")


def _round(x: torch.Tensor, rounding: Rounding) -> torch.Tensor:
    return torch.floor(x + 0.5) if rounding == "half_up" else torch.round(x)


# ----------------------------------------------------------------------------------------------------------------
# Leaky integrate-and-fire
# ----------------------------------------------------------------------------------------------------------------


class _StepBuffers:
    """Where a neuron loop writes its per-step tensors.

    Eager mode preallocates: each ``[T, ...]`` output is one tensor whose step ``t`` is written in place (``out=``),
    and step-sized scratch tensors are reused across steps. On CPU that roughly halves the eager cost, which is
    otherwise dominated by allocating and page-faulting fresh step-sized tensors. The potentials kept for the
    backward are separate step-sized tensors (:meth:`potential`) rather than one ``[T, ...]`` block: glibc maps every
    block above 32 MB afresh (each page faults again on every call) but recycles smaller ones. Under ``torch.compile``
    every op gets ``out=None`` (a fresh tensor) and the steps are stacked at the end: Inductor fuses that into a few
    loops, whereas writes into slices of a preallocated tensor would stop it fusing.
    """

    def __init__(self, like: torch.Tensor):
        self.like = like
        self.compiling = torch.compiler.is_compiling()
        self._potential_scratch = None

    def sequence(self) -> list | torch.Tensor:
        """A ``[T, ...]`` output: a preallocated tensor (eager) or a list to stack (compiled)."""
        return [None] * self.like.shape[0] if self.compiling else torch.empty_like(self.like)

    def scratch(self) -> torch.Tensor | None:
        return None if self.compiling else torch.empty_like(self.like[0])

    def potential(self, kept: bool) -> torch.Tensor | None:
        """Where a step's potential H is written: a tensor of its own when it is kept for the backward, else one
        scratch tensor that every step overwrites."""
        if self.compiling or kept:
            return self.scratch()
        if self._potential_scratch is None:
            self._potential_scratch = self.scratch()
        return self._potential_scratch

    def slot(self, sequence, t: int) -> torch.Tensor | None:
        return None if self.compiling else sequence[t]

    def stacked(self, sequence) -> torch.Tensor:
        return torch.stack(sequence) if self.compiling else sequence


def _assign(out: torch.Tensor | None, value: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """``value`` converted to ``like``'s dtype, written into ``out`` when given."""
    return value.to(like.dtype) if out is None else out.copy_(value)


def _save_input_or_potentials(ctx, inputs, output) -> None:
    """``setup_context`` of the multi-step neuron Functions, whose inputs are ``(x_seq, keep_potentials, *settings)``
    and outputs ``(spikes, *potentials)``, the per-step potentials H when kept. Eager, H is saved; compiled, only the
    input, and the backward recomputes H (see :func:`_apply_multi_step`)."""
    ctx.recompute = not inputs[1]
    ctx.save_for_backward(*((inputs[0],) if ctx.recompute else output[1:]))
    ctx.settings = inputs[2:]
    ctx.mark_non_differentiable(*output[1:])


def _potentials_for_backward(ctx, grad_output, recompute_potentials):
    """The per-step potentials H a multi-step backward walks through, with the :class:`_StepBuffers` it writes into:
    the saved H, or, when only the input was saved, ``recompute_potentials(x_seq, buffers)``."""
    if not ctx.recompute:
        return ctx.saved_tensors, _StepBuffers(grad_output)
    (x_seq,) = ctx.saved_tensors
    buffers = _StepBuffers(x_seq)
    return recompute_potentials(x_seq, buffers), buffers


def _apply_multi_step(function: type[torch.autograd.Function], x_seq: torch.Tensor, *settings) -> torch.Tensor:
    """Runs a multi-step neuron Function and returns its spikes.

    Eager, the per-step potentials are kept for the backward only when there will be one (no-grad inference writes
    none). Compiled, the Function runs under activation checkpointing, so the backward recomputes everything from the
    input: recomputing costs a few register operations, while a saved ``[T, ...]`` tensor costs a fresh allocation,
    its page faults and a write and a read of memory. (Without it the partitioner also saves I-LIF's per-step gradient
    windows as bool masks, which Inductor's CPU code writes slowly.) Forward and backward then each become one fused
    loop over T with nothing materialised per step.
    """
    if not torch.compiler.is_compiling():
        keep_potentials = torch.is_grad_enabled() and x_seq.requires_grad
        return function.apply(x_seq, keep_potentials, *settings)[0]
    return checkpoint(function.apply, x_seq, False, *settings, use_reentrant=False)[0]


class _MultiStepLIF(torch.autograd.Function):
    """Multi-step LIF with a hand-written backward that walks the time axis in reverse.

    Charge (spikingjelly's operation order, so that spikes agree bit for bit):
             decay_input:     H[t] = V[t-1] + (X[t] - (V[t-1] - v_reset)) / tau
             not decay_input: H[t] = V[t-1] - (V[t-1] - v_reset) / tau + X[t]      (v_reset = 0 for soft reset)
    Fire:    S[t] = heaviside(H[t] - v_threshold)
    Reset:   hard  V[t] = v_reset where S[t] else H[t];  soft  V[t] = H[t] - v_threshold * S[t]
    The surrogate replaces dS/dH; ``detach_reset`` drops the reset's dependence on S in the backward pass.

    Eager, the forward's potentials H are saved for the backward; compiled, the backward recomputes them from the
    input (:func:`_save_input_or_potentials`).
    """

    @staticmethod
    def forward(x_seq, keep_potentials, tau, v_threshold, v_reset, decay_input, detach_reset, surrogate):
        buffers = _StepBuffers(x_seq)
        spikes, h_seq = _lif_steps(x_seq, tau, v_threshold, v_reset, decay_input, buffers, keep_potentials)
        return buffers.stacked(spikes), *h_seq

    setup_context = staticmethod(_save_input_or_potentials)

    @staticmethod
    def backward(ctx, grad_spikes, *_grad_potentials):
        tau, v_threshold, v_reset, decay_input, detach_reset, surrogate = ctx.settings
        h_seq, buffers = _potentials_for_backward(
            ctx,
            grad_spikes,
            lambda x_seq, buffers: _lif_steps(x_seq, tau, v_threshold, v_reset, decay_input, buffers, True)[1],
        )
        grad_x = buffers.sequence()
        sg_buffer, reset_grad_buffer, carry_buffer = (buffers.scratch() for _ in range(3))
        carry = torch.zeros_like(h_seq[0])  # dL/dV[t], flowing back from step t + 1
        for t in range(len(h_seq) - 1, -1, -1):
            h = h_seq[t]
            sg = surrogate.derivative_(torch.sub(h, v_threshold, out=sg_buffer))
            # dV[t]/dH[t]: soft 1 - v_th * sg (1 when detached); hard (1 - S) + (v_reset - H) * sg (1 - S when detached)
            if v_reset is None:
                reset_grad = None if detach_reset else torch.mul(sg, -v_threshold, out=reset_grad_buffer).add_(1)
            else:
                not_fired = torch.lt(h, v_threshold)  # 1 - S
                if detach_reset:
                    reset_grad = _assign(reset_grad_buffer, not_fired, h)
                else:
                    reset_grad = torch.sub(v_reset, h, out=reset_grad_buffer).mul_(sg).add_(not_fired)
            grad_h = torch.mul(grad_spikes[t], sg, out=sg)
            grad_h = grad_h.add_(carry) if reset_grad is None else grad_h.addcmul_(carry, reset_grad)
            if decay_input:
                grad_x[t] = torch.div(grad_h, tau, out=buffers.slot(grad_x, t))
                carry = torch.sub(grad_h, grad_x[t], out=carry_buffer)
            else:
                grad_x[t] = _assign(buffers.slot(grad_x, t), grad_h, grad_h)
                carry = torch.sub(grad_h, torch.div(grad_h, tau, out=carry_buffer), out=carry_buffer)
        return buffers.stacked(grad_x), None, None, None, None, None, None, None


def _lif_steps(x_seq, tau, v_threshold, v_reset, decay_input, buffers: _StepBuffers, keep_potentials: bool):
    """The LIF charge, fire and reset loop: the spikes S as a ``buffers`` sequence and the list of per-step
    potentials H (empty unless ``keep_potentials``)."""
    spikes, h_seq = buffers.sequence(), []
    v = torch.full_like(x_seq[0], 0.0 if v_reset is None else v_reset)
    v_next = buffers.scratch()
    reset_value = v.new_tensor(0.0 if v_reset is None else v_reset)
    for t in range(x_seq.shape[0]):
        h = _lif_charge(v, x_seq[t], tau, v_reset, decay_input, out=buffers.potential(keep_potentials))
        if keep_potentials:
            h_seq.append(h)
        fired = torch.ge(h, v_threshold)
        s = spikes[t] = _assign(buffers.slot(spikes, t), fired, h)
        if v_reset is None:
            v = torch.sub(h, s, alpha=v_threshold, out=v_next)  # S is 0 or 1: exact
        else:
            v = torch.where(fired, reset_value, h, out=v_next)
    return spikes, h_seq


def _lif_charge(v, x, tau, v_reset, decay_input, out):
    # spikingjelly's operation order; subtracting a zero reset is exact, so it is skipped.
    if v_reset is None or v_reset == 0.0:
        if decay_input:
            return torch.sub(x, v, out=out).div_(tau).add_(v)
        return torch.sub(v, torch.div(v, tau, out=out), out=out).add_(x)
    shifted = torch.sub(v, v_reset, out=out)
    if decay_input:
        return torch.sub(x, shifted, out=shifted).div_(tau).add_(v)
    return torch.sub(v, shifted.div_(tau), out=shifted).add_(x)


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
        _check_tau(tau, "LIFNeuron")
        if not (v_reset is None or _is_finite_number(v_reset)):
            raise ValueError(f"LIFNeuron `v_reset` must be a finite number (hard reset) or None (soft reset), got {v_reset!r}.")
        floor = 0.0 if v_reset is None else v_reset
        if not (_is_finite_number(v_threshold) and v_threshold > floor):
            raise ValueError(
                f"LIFNeuron `v_threshold` must be a finite number > {floor} (the reset potential), got {v_threshold!r}."
            )
        self.tau = float(tau)
        self.v_threshold = float(v_threshold)
        self.v_reset = None if v_reset is None else float(v_reset)
        self.decay_input = bool(decay_input)
        self.detach_reset = bool(detach_reset)
        self.surrogate = _build_surrogate(surrogate, surrogate_width)

    def forward(self, x_seq: torch.Tensor) -> torch.Tensor:
        _check_time_major(x_seq, "LIFNeuron")
        return _apply_multi_step(
            _MultiStepLIF,
            x_seq, self.tau, self.v_threshold, self.v_reset, self.decay_input, self.detach_reset, self.surrogate,
        )

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
    if not (_is_finite_number(width) and width > 0):
        raise ValueError(f"`surrogate_width` must be a finite number > 0, got {width!r}.")
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
        return grad_output * _straight_through_window(x, ctx.max_level, ctx.grad_window), None, None, None


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


class _MultiStepIntegerLIF(torch.autograd.Function):
    """I-LIF over ``[T, B, ...]`` with a hand-written backward (spikingjelly's ``ILIFNode`` operation order).

    H[t] = (1 - 1/tau) V[t-1] + X[t];  C[t] = round(clamp(H[t] / v_th, 0, D));  V[t] = H[t] - C[t] v_th.
    Backward: dC/dH = 1/v_th inside the straight-through window of H/v_th, else 0; dV/dH = 1 - v_th dC/dH
    (1 when ``detach_reset``).

    Eager, the forward's potentials H are saved for the backward; compiled, the backward recomputes them from the
    input (:func:`_save_input_or_potentials`).
    """

    @staticmethod
    def forward(x_seq, keep_potentials, max_level, tau, v_threshold, detach_reset, rounding, grad_window):
        buffers = _StepBuffers(x_seq)
        counts, h_seq = _integer_lif_steps(x_seq, max_level, tau, v_threshold, rounding, buffers, keep_potentials)
        return buffers.stacked(counts), *h_seq

    setup_context = staticmethod(_save_input_or_potentials)

    @staticmethod
    def backward(ctx, grad_counts, *_grad_potentials):
        max_level, tau, v_threshold, detach_reset, rounding, grad_window = ctx.settings
        leak = 1.0 - 1.0 / tau
        h_seq, buffers = _potentials_for_backward(
            ctx,
            grad_counts,
            lambda x_seq, buffers: _integer_lif_steps(x_seq, max_level, tau, v_threshold, rounding, buffers, True)[1],
        )
        window = _inside_window if ctx.recompute else _straight_through_window
        grad_x = buffers.sequence()
        sg_buffer, reset_grad_buffer, carry_buffer = (buffers.scratch() for _ in range(3))
        carry = torch.zeros_like(h_seq[0])  # dL/dV[t], flowing back from step t + 1
        for t in range(len(h_seq) - 1, -1, -1):
            scaled = torch.div(h_seq[t], v_threshold, out=sg_buffer)
            sg = window(scaled, max_level, grad_window, out=sg_buffer).div_(v_threshold)
            reset_grad = None if detach_reset else torch.mul(sg, -v_threshold, out=reset_grad_buffer).add_(1)
            grad_h = grad_x[t] = torch.mul(grad_counts[t], sg, out=buffers.slot(grad_x, t))
            grad_h.add_(carry if reset_grad is None else carry.mul_(reset_grad))
            carry = torch.mul(grad_h, leak, out=carry_buffer)
        return buffers.stacked(grad_x), None, None, None, None, None, None, None


def _integer_lif_steps(x_seq, max_level, tau, v_threshold, rounding, buffers: _StepBuffers, keep_potentials: bool):
    """The I-LIF charge, fire and soft-reset loop: the counts C as a ``buffers`` sequence and the list of per-step
    potentials H (empty unless ``keep_potentials``)."""
    leak = 1.0 - 1.0 / tau
    counts, h_seq = buffers.sequence(), []
    v = torch.zeros_like(x_seq[0])
    v_next = buffers.scratch()
    for t in range(x_seq.shape[0]):
        h = torch.mul(v, leak, out=buffers.potential(keep_potentials)).add_(x_seq[t])
        if keep_potentials:
            h_seq.append(h)
        c = torch.div(h, v_threshold, out=buffers.slot(counts, t)).clamp_(0, max_level)
        c = counts[t] = c.round_() if rounding == "half_to_even" else c.add_(0.5).floor_()
        v = torch.sub(h, torch.mul(c, v_threshold, out=v_next), out=v_next)
    return counts, h_seq


def _straight_through_window(x, max_level, grad_window, out=None):
    """1.0 where ``x`` lies in the open (0, D) or closed [0, D] window, else 0.0 (NaN included).

    Built from ``heaviside`` rather than comparisons: a compiled graph then saves float tensors for the backward
    instead of bool masks, and Inductor's CPU code for those is several times faster.
    """
    at_edge = x.new_tensor(0.0 if grad_window == "open" else 1.0)
    below_top = torch.heaviside(max_level - x, at_edge)
    return torch.heaviside(x, at_edge, out=out).mul_(below_top)


def _inside_window(x, max_level, grad_window, out=None):
    """:func:`_straight_through_window` from comparisons, for compiled backwards that compute it from recomputed
    values (nothing to save): Inductor vectorises comparisons, while its ``heaviside`` tests NaN one element at a time.
    ``out`` is ignored (compiled code allocates nothing itself)."""
    inside = (x >= 0) & (x <= max_level) if grad_window == "closed" else (x > 0) & (x < max_level)
    return inside.to(x.dtype)


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
        _check_tau(tau, "IntegerLIFNeuron")
        if not (_is_finite_number(v_threshold) and v_threshold > 0):
            raise ValueError(f"IntegerLIFNeuron `v_threshold` must be a finite number > 0, got {v_threshold!r}.")
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
        return _apply_multi_step(
            _MultiStepIntegerLIF,
            x_seq, self.max_level, self.tau, self.v_threshold, self.detach_reset, self.rounding, self.grad_window,
        )

    def extra_repr(self) -> str:
        return (
            f"max_level={self.max_level}, tau={self.tau}, v_threshold={self.v_threshold}, "
            f"rounding={self.rounding}, grad_window={self.grad_window}, detach_reset={self.detach_reset}"
        )


# ----------------------------------------------------------------------------------------------------------------
# Binary quantiser
# ----------------------------------------------------------------------------------------------------------------


def binary_spike(x: torch.Tensor, rounding: Rounding = "half_up") -> torch.Tensor:
    """T-RevSNN's quantiser: ``round(clamp(x, 0, 1))``, straight-through on the closed interval [0, 1].

    ``rounding="half_up"`` (``floor(. + 0.5)``, the official training forward) fires at exactly 0.5;
    ``"half_to_even"`` (``torch.round``, the official evaluation path) does not.
    """
    _check_floating(x, "binary_spike")
    if rounding not in ("half_up", "half_to_even"):
        raise ValueError(f"`rounding` must be 'half_up' or 'half_to_even', got {rounding!r}.")
    return _MultiLevelQuantize.apply(x, 1, rounding, "closed")


class BinarySpike(nn.Module):
    """Stateless binary spikes ``round(clamp(x, 0, 1))`` with a straight-through gradient on [0, 1]: rounding half
    up in training and half to even in evaluation, as the official T-RevSNN quantiser does (the two differ only at
    exactly 0.5)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return binary_spike(x, "half_up" if self.training else "half_to_even")


__all__ = ["BinarySpike", "IntegerLIFNeuron", "LIFNeuron", "MultiSpike", "binary_spike", "multispike"]
