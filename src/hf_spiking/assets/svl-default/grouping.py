"""Farthest-point sampling and k-nearest-neighbour grouping on CPU or GPU, in plain PyTorch.

The rule is the one of pointnet2_ops' ``furthest_point_sample`` that SVL's PointFormer relies on: start at index 0,
keep every point's running minimum squared distance to the selected set, pick the argmax, lowest index on ties.
Unlike that CUDA kernel, points near the origin are not skipped: the kernel never selects points with
``|p|^2 <= 1e-3``, which on centred clouds silently drops the centre region (a bug; clouds without such points give
identical indices).
"""

from __future__ import annotations

import torch


def farthest_point_sample(xyz: torch.Tensor, num_samples: int) -> torch.Tensor:
    """Indices ``[B, num_samples]`` of the farthest-point sample of ``xyz`` ``[B, N, 3]``."""
    if xyz.dim() != 3 or xyz.shape[-1] != 3:
        raise ValueError(f"farthest_point_sample expects xyz of shape [B, N, 3], got {tuple(xyz.shape)}.")
    batch_size, num_points, _ = xyz.shape
    if not 1 <= num_samples <= num_points:
        raise ValueError(f"Cannot sample {num_samples} centres from a cloud of {num_points} points.")
    # Separate coordinate planes: a reduction over a size-3 last axis is ~20x slower with several threads.
    planes = xyz.detach().permute(2, 0, 1).contiguous()
    selected = torch.zeros(batch_size, num_samples, dtype=torch.long, device=xyz.device)
    min_distance = torch.full((batch_size, num_points), float("inf"), dtype=xyz.dtype, device=xyz.device)
    last = torch.zeros(batch_size, 1, dtype=torch.long, device=xyz.device)
    for step in range(1, num_samples):
        distance = None
        for plane in planes:
            delta = plane - plane.gather(1, last)
            distance = delta * delta if distance is None else distance + delta * delta
        torch.minimum(min_distance, distance, out=min_distance)
        last = min_distance.argmax(dim=1, keepdim=True)  # first maximum on ties
        selected[:, step] = last[:, 0]
    return selected


def knn_indices(xyz: torch.Tensor, centers: torch.Tensor, k: int) -> torch.Tensor:
    """Indices ``[B, G, k]`` of the ``k`` points of ``xyz`` ``[B, N, 3]`` nearest to each centre, nearest first."""
    num_points = xyz.shape[1]
    if not 1 <= k <= num_points:
        raise ValueError(f"Cannot take {k} nearest neighbours in a cloud of {num_points} points.")
    # Same expansion as the official square_distance, so near-ties resolve the same way.
    distance = -2 * centers @ xyz.transpose(1, 2)
    distance += centers.pow(2).sum(-1, keepdim=True)
    distance += xyz.pow(2).sum(-1).unsqueeze(1)
    return distance.topk(k, dim=-1, largest=False, sorted=True).indices


def gather_points(values: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    """``values[b, indices[b, ...]]`` for ``values`` ``[B, N, C]`` and integer ``indices`` ``[B, ...]``."""
    batch_size, channels = values.shape[0], values.shape[-1]
    flat = indices.reshape(batch_size, -1, 1).expand(-1, -1, channels)
    return values.gather(1, flat).reshape(*indices.shape, channels)


__all__ = ["farthest_point_sample", "gather_points", "knn_indices"]
