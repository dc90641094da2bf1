"""Surrogate gradients for the Heaviside spike function.

Each surrogate is a small frozen dataclass: ``spike(x)`` returns the Heaviside step ``x >= 0`` in the forward pass
and ``derivative(x)`` gives the smooth stand-in for its gradient. Neurons call ``derivative_`` (the in-place form,
which overwrites a scratch buffer instead of allocating temporaries) from their own hand-written backward passes,
so a surrogate is plain maths with no autograd state and compiles cleanly. The formulas follow spikingjelly's
operation order, so gradients agree with its neurons to the last bit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


def heaviside(x: torch.Tensor) -> torch.Tensor:
    """Step function used by every spiking neuron: 1 where ``x >= 0``, else 0, in ``x``'s dtype."""
    return (x >= 0).to(x.dtype)


@dataclass(frozen=True)
class SurrogateGradient:
    """Base class: a Heaviside forward with a smooth derivative for the backward pass."""

    def derivative(self, x: torch.Tensor) -> torch.Tensor:
        """The surrogate derivative at ``x`` (a new tensor)."""
        return self.derivative_(x.clone())

    def derivative_(self, x: torch.Tensor) -> torch.Tensor:
        """Overwrites ``x`` with the surrogate derivative at ``x`` and returns it."""
        raise NotImplementedError

    def spike(self, x: torch.Tensor) -> torch.Tensor:
        return heaviside(x)


@dataclass(frozen=True)
class ATan(SurrogateGradient):
    """Arc-tangent surrogate: d/dx = (alpha / 2) / (1 + (pi / 2 * alpha * x)^2) (spikingjelly's ``ATan``)."""

    alpha: float = 2.0

    def __post_init__(self):
        if self.alpha <= 0:
            raise ValueError(f"ATan surrogate `alpha` must be > 0, got {self.alpha}.")

    def derivative_(self, x: torch.Tensor) -> torch.Tensor:
        z = x.mul_(math.pi / 2 * self.alpha)
        denominator = z.mul_(z).add_(1)
        return torch.div(torch.tensor(self.alpha / 2, dtype=x.dtype, device=x.device), denominator, out=denominator)


@dataclass(frozen=True)
class Sigmoid(SurrogateGradient):
    """Sigmoid surrogate: d/dx = alpha * sigmoid(alpha x) * (1 - sigmoid(alpha x)) (spikingjelly's ``Sigmoid``)."""

    alpha: float = 4.0

    def __post_init__(self):
        if self.alpha <= 0:
            raise ValueError(f"Sigmoid surrogate `alpha` must be > 0, got {self.alpha}.")

    def derivative_(self, x: torch.Tensor) -> torch.Tensor:
        sg = x.mul_(self.alpha).sigmoid_()
        return sg.mul_(1 - sg).mul_(self.alpha)


@dataclass(frozen=True)
class Rectangular(SurrogateGradient):
    """Rectangular straight-through surrogate: d/dx = 1 / width on ``|x| < width / 2``, else 0."""

    width: float = 1.0

    def __post_init__(self):
        if self.width <= 0:
            raise ValueError(f"Rectangular surrogate `width` must be > 0, got {self.width}.")

    def derivative_(self, x: torch.Tensor) -> torch.Tensor:
        inside = x.abs_() < self.width / 2
        return x.copy_(inside).div_(self.width)


SURROGATES: dict[str, type[SurrogateGradient]] = {"atan": ATan, "sigmoid": Sigmoid, "rectangular": Rectangular}


def get_surrogate(surrogate: str | SurrogateGradient, **params: float) -> SurrogateGradient:
    """Returns a surrogate instance from a name in ``SURROGATES`` (with its width parameter) or passes one through."""
    if isinstance(surrogate, SurrogateGradient):
        if params:
            raise ValueError("Pass surrogate parameters either to the instance or as keywords, not both.")
        return surrogate
    try:
        return SURROGATES[surrogate](**params)
    except KeyError:
        raise ValueError(f"Unknown surrogate {surrogate!r}; expected one of {sorted(SURROGATES)}.") from None


__all__ = ["ATan", "Rectangular", "SURROGATES", "Sigmoid", "SurrogateGradient", "get_surrogate", "heaviside"]
