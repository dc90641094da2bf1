"""The integer multi-spike neuron used by both SVL backbones.

Inside hf_spiking this is the shared ``hf_spiking.snn.MultiSpike``. A model folder saved with ``trust_remote_code``
support carries copies of this family's modules only, so when ``hf_spiking`` is not installed a minimal equivalent
(same forward ``floor(clamp(x, 0, D) + 0.5)``, same straight-through gradient on (0, D)) stands in.
"""

from __future__ import annotations

try:
    from hf_spiking.snn import MultiSpike
except ImportError:  # a trust_remote_code copy running without hf_spiking
    import torch
    from torch import nn

    class _MultiSpikeFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, max_level):
            ctx.save_for_backward(x)
            ctx.max_level = max_level
            return torch.floor(x.clamp(0, max_level) + 0.5)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * ((x > 0) & (x < ctx.max_level)).to(grad_output.dtype), None

    class MultiSpike(nn.Module):
        def __init__(self, max_level: int = 4):
            super().__init__()
            self.max_level = max_level

        def forward(self, x):
            return _MultiSpikeFunction.apply(x, self.max_level)


__all__ = ["MultiSpike"]
