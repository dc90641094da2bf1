"""Shared spiking machinery: stateless multi-step neurons, surrogate gradients and spike-driven execution."""

from .functional import expand_spikes, fold_time, spike_driven_forward, unfold_time
from .neurons import BinarySpike, IntegerLIFNeuron, LIFNeuron, MultiSpike, binary_spike, multispike
from .surrogate import SURROGATES, ATan, Rectangular, Sigmoid, SurrogateGradient, get_surrogate, heaviside

__all__ = [
    "ATan",
    "BinarySpike",
    "IntegerLIFNeuron",
    "LIFNeuron",
    "MultiSpike",
    "Rectangular",
    "SURROGATES",
    "Sigmoid",
    "SurrogateGradient",
    "binary_spike",
    "expand_spikes",
    "fold_time",
    "get_surrogate",
    "heaviside",
    "multispike",
    "spike_driven_forward",
    "unfold_time",
]
