"""LoRA for SVL encoders with peft, including E-3DSNN's sparse convolutions (which peft does not know).

A sparse convolution is linear in its weight ``W`` (spconv layout ``(out, k, k, k, in)``), so its LoRA update is the
same structure as peft's for dense convolutions: ``A``, a sparse convolution of the same kind (same kernel, stride
and backend) with ``r`` output channels, then ``B``, a per-site ``r -> out`` linear map, scaled by ``alpha / r``:
``y = conv(x; W) + scaling * B(conv(x; A))``. Merging adds ``scaling * B A`` (contracted over ``r``) to ``W``.

:func:`register_sparse_conv_lora` registers :class:`SparseConvLoraLayer` for both sparse convolution classes on a
``LoraConfig`` (peft's custom-module mapping), after which ``peft.get_peft_model`` accepts them as targets.
"""

from __future__ import annotations

import math

import torch
from peft import LoraConfig
from peft.tuners.lora import LoraLayer
from peft.tuners.tuners_utils import check_adapters_to_merge
from torch import nn

from .sparse_conv import SparseConv3d, SparseVoxelTensor, SubmanifoldConv3d

# LoRA targets (peft `target_modules`) of each backbone. PointFormer: the attention and MLP projections of every
# block. E-3DSNN: every sparse convolution (the `conv` of each spike-conv-norm unit) and the final per-site layer.
POINTFORMER_LORA_TARGET_MODULES = r".*layers\.\d+\.(attention\.(qkv|proj)|mlp\.(fc1|fc2))"
E3DSNN_LORA_TARGET_MODULES = ("conv", "final")


def _low_rank_conv(base: nn.Module, rank: int) -> nn.Module:
    """A sparse convolution like ``base`` (kind, kernel, stride, backend) with ``rank`` output channels, no bias."""
    if isinstance(base, SparseConv3d):
        return SparseConv3d(base.in_channels, rank, base.kernel_size, base.stride, bias=False, backend=base.backend)
    return SubmanifoldConv3d(base.in_channels, rank, base.kernel_size, bias=False, backend=base.backend)


class SparseConvLoraLayer(nn.Module, LoraLayer):
    """LoRA around a :class:`SubmanifoldConv3d` or :class:`SparseConv3d` (plain LoRA: no DoRA, no LoRA bias)."""

    def __init__(self, base_layer: nn.Module, adapter_name: str, config: LoraConfig, r: int = 8,
                 lora_alpha: int = 8, **kwargs):
        nn.Module.__init__(self)
        LoraLayer.__init__(self, base_layer)
        self._active_adapter = adapter_name
        self.update_layer(adapter_name, r, lora_alpha=lora_alpha, config=config)

    def _get_in_out_features(self, module: nn.Module) -> tuple[int, int]:
        return module.in_channels, module.out_channels

    def update_layer(self, adapter_name: str, r: int, lora_alpha: int, config: LoraConfig, **kwargs) -> None:
        if not isinstance(r, int) or r < 1:
            raise ValueError(f"LoRA rank `r` must be a positive integer, got {r!r}.")
        if config.use_dora or config.lora_bias or config.init_lora_weights not in (True, False, "gaussian"):
            raise ValueError(
                "Sparse-convolution LoRA supports plain LoRA only: use_dora=False, lora_bias=False and "
                f"init_lora_weights True, False or 'gaussian'; got use_dora={config.use_dora}, "
                f"lora_bias={config.lora_bias}, init_lora_weights={config.init_lora_weights!r}."
            )
        base = self.get_base_layer()
        self.r[adapter_name] = r
        self.lora_alpha[adapter_name] = lora_alpha
        self.lora_dropout[adapter_name] = nn.Dropout(config.lora_dropout) if config.lora_dropout else nn.Identity()
        self.lora_A[adapter_name] = _low_rank_conv(base, r)
        self.lora_B[adapter_name] = nn.Linear(r, base.out_channels, bias=False)
        self.scaling[adapter_name] = lora_alpha / (math.sqrt(r) if config.use_rslora else r)
        self.use_rslora[adapter_name] = config.use_rslora
        self.use_dora[adapter_name] = False
        self.lora_bias[adapter_name] = False
        self.reset_lora_parameters(adapter_name, config.init_lora_weights)
        self._move_adapter_to_device_of_base_layer(adapter_name)
        self.set_adapter(self.active_adapters)

    def get_delta_weight(self, adapter_name: str) -> torch.Tensor:
        """``scaling * B A`` in the base layer's weight layout ``(out, k, k, k, in)``."""
        low_rank = self.lora_A[adapter_name].weight  # (r, k, k, k, in)
        up = self.lora_B[adapter_name].weight  # (out, r)
        return torch.einsum("or,rxyzi->oxyzi", up, low_rank) * self.scaling[adapter_name]

    def merge(self, safe_merge: bool = False, adapter_names: list[str] | None = None) -> None:
        base = self.get_base_layer()
        for name in check_adapters_to_merge(self, adapter_names):
            if name not in self.lora_A:
                continue
            merged = base.weight.data + self.get_delta_weight(name).to(base.weight.dtype)
            if safe_merge and not torch.isfinite(merged).all():
                raise ValueError(f"NaNs detected in the merged weights; adapter {name} seems to be broken.")
            base.weight.data = merged
            self.merged_adapters.append(name)

    def unmerge(self) -> None:
        base = self.get_base_layer()
        while self.merged_adapters:
            name = self.merged_adapters.pop()
            if name in self.lora_A:
                base.weight.data -= self.get_delta_weight(name).to(base.weight.dtype)

    def forward(self, sparse: SparseVoxelTensor, *args, **kwargs) -> SparseVoxelTensor:
        if self.disable_adapters:
            if self.merged:
                self.unmerge()
            return self.base_layer(sparse, *args, **kwargs)
        result = self.base_layer(sparse, *args, **kwargs)
        if self.merged:
            return result
        features = result.features
        for name in self.active_adapters:
            if name not in self.lora_A:
                continue
            # The low-rank convolution visits the same sites as the base one (same coordinates, kernel and stride).
            dropped = sparse.replace_features(self.lora_dropout[name](sparse.features))
            low_rank = self.lora_A[name](dropped).features
            features = features + self.lora_B[name](low_rank) * self.scaling[name]
        return result.replace_features(features)

    def __repr__(self) -> str:
        return "lora." + super().__repr__()


def register_sparse_conv_lora(config: LoraConfig) -> LoraConfig:
    """Lets ``config`` target E-3DSNN's sparse convolutions (peft's custom-module mapping); returns ``config``."""
    config._register_custom_module({SubmanifoldConv3d: SparseConvLoraLayer, SparseConv3d: SparseConvLoraLayer})
    return config


__all__ = [
    "E3DSNN_LORA_TARGET_MODULES",
    "POINTFORMER_LORA_TARGET_MODULES",
    "SparseConvLoraLayer",
    "register_sparse_conv_lora",
]
