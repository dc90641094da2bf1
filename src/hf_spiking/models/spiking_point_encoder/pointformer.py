"""Spike-driven PointFormer (SVL): a Point-BERT transformer whose activations are SVL's integer multi-spikes.

Pipeline (official ``model/spike_pointbert.py``): FPS centres + kNN groups -> mini-PointNet tokenizer -> linear to the
transformer width -> cls token + tokens, with a position embedding of the centres added before every block ->
spike-driven self-attention blocks with BatchNorm -> BatchNorm -> cat(cls, max over group tokens).

Differences from the official code, none of which changes what correct inputs produce:
- the 1x1 convolutions are Linear layers on channels-last tensors (same weights, reshaped on conversion);
- FPS is plain PyTorch (the official one needs CUDA) and does not skip points near the origin (see grouping.py);
- the output is ``[B, hidden_size]`` instead of ``[B, 1, 2 * width]``; when ``hidden_size`` differs from the head width,
  the official (but never called) ``project`` Linear maps the head to ``hidden_size``;
- clouds with fewer points than groups or neighbours raise a ValueError instead of failing inside topk;
- with ``use_max_pool=False`` the pooled output is the cls token (the official code then returns every token, which
  ``last_hidden_state`` still gives).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .spiking import MultiSpike
from .grouping import farthest_point_sample, gather_points, knn_indices


def _batch_norm_channels_last(norm: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """BatchNorm over the last axis of ``x`` [..., C]; all other axes count as batch, as in channels-first BN."""
    return norm(x.reshape(-1, x.shape[-1])).reshape(x.shape)


@dataclass
class PointGroups:
    """FPS centres ``[B, G, 3]`` and their kNN groups: indices ``[B, G, K]`` and features ``[B, G, K, C]``."""

    center_indices: torch.Tensor
    centers: torch.Tensor
    neighbor_indices: torch.Tensor
    neighborhoods: torch.Tensor


class PointGrouper(nn.Module):
    """Farthest-point centres and k nearest neighbours on xyz; neighbour xyz are centred, other channels kept."""

    def __init__(self, num_groups: int, group_size: int):
        super().__init__()
        self.num_groups = num_groups
        self.group_size = group_size

    def forward(self, point_values: torch.Tensor) -> PointGroups:
        num_points = point_values.shape[1]
        if num_points < max(self.num_groups, self.group_size):
            raise ValueError(
                f"The cloud has {num_points} points, fewer than the model's {self.num_groups} groups or "
                f"{self.group_size} neighbours per group; give at least {max(self.num_groups, self.group_size)} points."
            )
        xyz = point_values[..., :3].contiguous()
        center_indices = farthest_point_sample(xyz, self.num_groups)
        centers = gather_points(xyz, center_indices)
        neighbor_indices = knn_indices(xyz, centers, self.group_size)
        neighbors = gather_points(point_values, neighbor_indices)
        neighborhoods = torch.cat([neighbors[..., :3] - centers.unsqueeze(2), neighbors[..., 3:]], dim=-1)
        return PointGroups(center_indices, centers, neighbor_indices, neighborhoods)

    def extra_repr(self) -> str:
        return f"num_groups={self.num_groups}, group_size={self.group_size}"


class PointTokenizer(nn.Module):
    """Mini-PointNet: shared MLP, max over the group, concat(global, local), shared MLP, max -> one token per group."""

    def __init__(self, config):
        super().__init__()
        first, second, fused = config.tokenizer_channels
        self.first_conv = nn.Linear(config.in_channels, first)
        self.first_norm = nn.BatchNorm1d(first, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum)
        self.first_spike = MultiSpike(config.max_level)
        self.second_conv = nn.Linear(first, second)
        self.fuse_conv = nn.Linear(2 * second, fused)
        self.fuse_norm = nn.BatchNorm1d(fused, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum)
        self.fuse_spike = MultiSpike(config.max_level)
        self.output_conv = nn.Linear(fused, config.tokenizer_hidden_size)

    def forward(self, neighborhoods: torch.Tensor) -> torch.Tensor:
        hidden = _batch_norm_channels_last(self.first_norm, self.first_conv(neighborhoods))
        hidden = self.second_conv(self.first_spike(hidden))  # [B, G, K, C]
        group_feature = hidden.max(dim=2, keepdim=True).values.expand_as(hidden)
        hidden = self.fuse_conv(torch.cat([group_feature, hidden], dim=-1))
        hidden = self.fuse_spike(_batch_norm_channels_last(self.fuse_norm, hidden))
        return self.output_conv(hidden).max(dim=2).values


class PointPositionEmbedding(nn.Module):
    """Position embedding of the group centres: Linear -> BN -> spike -> Linear -> BN."""

    def __init__(self, config):
        super().__init__()
        width = config.position_embedding_hidden_size
        norm_kwargs = {"eps": config.batch_norm_eps, "momentum": config.batch_norm_momentum}
        self.fc1 = nn.Linear(3, width)
        self.norm1 = nn.BatchNorm1d(width, **norm_kwargs)
        self.spike = MultiSpike(config.max_level)
        self.fc2 = nn.Linear(width, config.transformer_hidden_size)
        self.norm2 = nn.BatchNorm1d(config.transformer_hidden_size, **norm_kwargs)

    def forward(self, centers: torch.Tensor) -> torch.Tensor:
        hidden = self.spike(_batch_norm_channels_last(self.norm1, self.fc1(centers)))
        return _batch_norm_channels_last(self.norm2, self.fc2(hidden))


class SpikeMatmul(nn.Module):
    """``a @ b`` between spike tensors, as a module so that energy hooks see it (``hf_spiking.energy`` protocol)."""

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a @ b

    @staticmethod
    def energy_counts(inputs, output) -> tuple[int, int]:
        """Dense MACs of the product, and one accumulate per spike count of ``a`` per column of ``b``."""
        a, b = inputs
        return a.numel() * b.shape[-1], round(a.double().sum().item()) * b.shape[-1]


class SpikeDrivenSelfAttention(nn.Module):
    """3D-SDSA: spike -> qkv (no bias) -> BN -> Q, K, V spikes -> spike(Q K^T) -> (S V) * d^-0.5 -> spike -> proj.

    No softmax and no scaling before the score spike: the integer products are quantised directly, as in SVL.
    """

    def __init__(self, config):
        super().__init__()
        width = config.transformer_hidden_size
        self.num_heads = config.num_attention_heads
        self.head_dim = width // self.num_heads
        self.scale = self.head_dim**-0.5
        self.input_spike = MultiSpike(config.max_level)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.qkv_norm = nn.BatchNorm1d(3 * width, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum)
        self.query_spike = MultiSpike(config.max_level)
        self.key_spike = MultiSpike(config.max_level)
        self.value_spike = MultiSpike(config.max_level)
        self.score_matmul = SpikeMatmul()
        self.score_spike = MultiSpike(config.max_level)
        self.context_matmul = SpikeMatmul()
        self.output_spike = MultiSpike(config.max_level)
        self.proj = nn.Linear(width, width)

    def forward(self, hidden_states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output ``[B, T, width]``, score spikes ``[B, heads, T, T]``: the spiking attention map)."""
        batch_size, num_tokens, width = hidden_states.shape
        qkv = _batch_norm_channels_last(self.qkv_norm, self.qkv(self.input_spike(hidden_states)))
        qkv = qkv.reshape(batch_size, num_tokens, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        query, key, value = self.query_spike(qkv[0]), self.key_spike(qkv[1]), self.value_spike(qkv[2])
        scores = self.score_spike(self.score_matmul(query, key.transpose(-2, -1)))
        context = self.context_matmul(scores, value) * self.scale
        context = context.transpose(1, 2).reshape(batch_size, num_tokens, width)
        return self.proj(self.output_spike(context)), scores


class SpikeDrivenMLP(nn.Module):
    """spike -> fc1 -> BN -> spike -> fc2 -> BN."""

    def __init__(self, config):
        super().__init__()
        width = config.transformer_hidden_size
        hidden = int(width * config.mlp_ratio)
        norm_kwargs = {"eps": config.batch_norm_eps, "momentum": config.batch_norm_momentum}
        self.input_spike = MultiSpike(config.max_level)
        self.fc1 = nn.Linear(width, hidden)
        self.norm1 = nn.BatchNorm1d(hidden, **norm_kwargs)
        self.hidden_spike = MultiSpike(config.max_level)
        self.fc2 = nn.Linear(hidden, width)
        self.norm2 = nn.BatchNorm1d(width, **norm_kwargs)

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        hidden = _batch_norm_channels_last(self.norm1, self.fc1(self.input_spike(hidden_states)))
        return _batch_norm_channels_last(self.norm2, self.fc2(self.hidden_spike(hidden)))


class SpikePointFormerLayer(nn.Module):
    """x = x + attention(x); x = x + mlp(x) (no norms or drop-path inside the block, as in SVL)."""

    def __init__(self, config):
        super().__init__()
        self.attention = SpikeDrivenSelfAttention(config)
        self.mlp = SpikeDrivenMLP(config)

    def forward(self, hidden_states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, the attention's score spikes)."""
        attention_output, scores = self.attention(hidden_states)
        hidden_states = hidden_states + attention_output
        return hidden_states + self.mlp(hidden_states), scores


@dataclass
class PointFormerFeatures:
    """Normalised token states ``[B, 1 + G, width]`` (cls first) and the grouping that produced them; when asked for,
    the token states entering the first block and leaving each block (before the final BatchNorm, position embedding
    not added) and each block's score spikes ``[B, heads, 1 + G, 1 + G]``."""

    last_hidden_state: torch.Tensor
    groups: PointGroups
    hidden_states: tuple[torch.Tensor, ...] | None = None
    attentions: tuple[torch.Tensor, ...] | None = None


class SpikePointFormerEncoder(nn.Module):
    """Spike-driven PointFormer: ``forward(point_values [B, N, C]) -> [B, hidden_size]``."""

    def __init__(self, config):
        super().__init__()
        width = config.transformer_hidden_size
        self.use_max_pool = config.use_max_pool
        self.grouper = PointGrouper(config.num_groups, config.group_size)
        self.tokenizer = PointTokenizer(config)
        self.token_projection = nn.Linear(config.tokenizer_hidden_size, width)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.cls_position = nn.Parameter(torch.zeros(1, 1, width))
        self.position_embedding = PointPositionEmbedding(config)
        self.layers = nn.ModuleList(SpikePointFormerLayer(config) for _ in range(config.num_hidden_layers))
        self.final_norm = nn.BatchNorm1d(width, eps=config.batch_norm_eps, momentum=config.batch_norm_momentum)
        head_size = config.pointformer_head_size
        self.projection = nn.Linear(head_size, config.hidden_size) if head_size != config.hidden_size else None

    def forward_features(
        self, point_values: torch.Tensor, output_hidden_states: bool = False, output_attentions: bool = False
    ) -> PointFormerFeatures:
        groups = self.grouper(point_values)
        tokens = self.token_projection(self.tokenizer(groups.neighborhoods))
        batch_size = tokens.shape[0]
        hidden_states = torch.cat([self.cls_token.expand(batch_size, -1, -1), tokens], dim=1)
        position = torch.cat(
            [self.cls_position.expand(batch_size, -1, -1), self.position_embedding(groups.centers)], dim=1
        )
        all_hidden_states = [hidden_states] if output_hidden_states else None
        all_attentions = [] if output_attentions else None
        for layer in self.layers:
            hidden_states, scores = layer(hidden_states + position)
            if output_hidden_states:
                all_hidden_states.append(hidden_states)
            if output_attentions:
                all_attentions.append(scores)
        return PointFormerFeatures(
            _batch_norm_channels_last(self.final_norm, hidden_states),
            groups,
            tuple(all_hidden_states) if output_hidden_states else None,
            tuple(all_attentions) if output_attentions else None,
        )

    def pool(self, last_hidden_state: torch.Tensor) -> torch.Tensor:
        """cls token, concatenated with the max over the group tokens when ``use_max_pool``; then ``projection``."""
        pooled = last_hidden_state[:, 0]
        if self.use_max_pool:
            pooled = torch.cat([pooled, last_hidden_state[:, 1:].max(dim=1).values], dim=-1)
        return pooled if self.projection is None else self.projection(pooled)

    def forward(self, point_values: torch.Tensor) -> torch.Tensor:
        return self.pool(self.forward_features(point_values).last_hidden_state)


__all__ = [
    "PointFormerFeatures",
    "PointGrouper",
    "PointGroups",
    "PointPositionEmbedding",
    "PointTokenizer",
    "SpikeDrivenMLP",
    "SpikeDrivenSelfAttention",
    "SpikeMatmul",
    "SpikePointFormerEncoder",
    "SpikePointFormerLayer",
]
