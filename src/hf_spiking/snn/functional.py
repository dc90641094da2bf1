"""Spike-driven execution and time-axis helpers.

Integer spikes (counts in ``{0..D}``) are what SVL trains with; on neuromorphic hardware each count is played out as
D binary slots, so every layer only ever accumulates weights (no multiplications). :func:`expand_spikes` builds those
slots and :func:`spike_driven_forward` runs a linear layer on them, splitting the bias as ``b / D`` per slot; the
result equals the layer applied to the integer input, which is what makes integer training an AC-only inference.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def expand_spikes(spikes: torch.Tensor, max_level: int) -> torch.Tensor:
    """Expands integer spike counts ``s`` in ``{0..max_level}`` into ``max_level`` binary slots summing to ``s``.

    Slot ``d`` (0-based) fires where ``s > d``. Returns a tensor of shape ``[max_level, *spikes.shape]``.
    """
    if not isinstance(max_level, int) or max_level < 1:
        raise ValueError(f"`max_level` must be an integer >= 1, got {max_level!r}.")
    if spikes.numel() and (spikes.min() < 0 or spikes.max() > max_level or not torch.equal(spikes, spikes.round())):
        raise ValueError(f"`spikes` must hold integers in [0, {max_level}]; got values in [{spikes.min()}, {spikes.max()}].")
    levels = torch.arange(max_level, device=spikes.device, dtype=spikes.dtype).view(-1, *([1] * spikes.dim()))
    return (spikes.unsqueeze(0) > levels).to(spikes.dtype)


def spike_driven_forward(
    layer: nn.Module | Callable[[torch.Tensor], torch.Tensor],
    spikes: torch.Tensor,
    max_level: int,
    bias: torch.Tensor | None = None,
    channel_dim: int | None = None,
) -> torch.Tensor:
    """Applies an affine ``layer`` to integer ``spikes`` through their binary slots, accumulate-only.

    Each binary slot goes through the layer's bias-free linear map and receives ``bias / max_level``; the slot results
    are summed. ``bias`` defaults to ``layer.bias``; ``channel_dim`` is where the bias broadcasts in the output
    (-1 for ``nn.Linear`` and ``[N, C]`` sparse features, 1 for batched ``nn.ConvNd``; inferred for those types).
    """
    if bias is None:
        bias = getattr(layer, "bias", None)
    if channel_dim is None:
        channel_dim = 1 if isinstance(layer, nn.modules.conv._ConvNd) else -1
    slots = expand_spikes(spikes, max_level)
    out = None
    for slot in slots:
        y = layer(slot)
        out = y if out is None else out + y
    if bias is None:
        return out
    shape = [1] * out.dim()
    shape[channel_dim] = -1
    # The layer added its bias once per slot; keep b / D of each, i.e. b in total.
    return out - bias.view(shape) * (max_level - 1)


def fold_time(x: torch.Tensor) -> torch.Tensor:
    """``[T, B, ...] -> [T * B, ...]`` so that plain (and PEFT-wrappable) layers process every time step at once."""
    return x.flatten(0, 1)


def unfold_time(x: torch.Tensor, time_steps: int) -> torch.Tensor:
    """``[T * B, ...] -> [T, B, ...]``, the inverse of :func:`fold_time`."""
    return x.unflatten(0, (time_steps, -1))


__all__ = ["expand_spikes", "fold_time", "spike_driven_forward", "unfold_time"]
