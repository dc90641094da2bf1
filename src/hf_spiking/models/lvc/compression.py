"""Query-attention video compression: the backbone-agnostic core of LVC.

Frame features ``[batch, M, t, d]`` (already in the language model's width, i.e. after the VLM's alignment layer)
are grouped per spatial token position into windows of ``w`` consecutive frames. Inside each window the question's
pooled embedding ``q`` scores the ``w`` temporal copies, ``softmax(V_i q / (sqrt(d) * temperature))``, and their
weighted sum becomes one token of a pseudo-frame. The result ``[batch, M / w, t, d]`` keeps a real frame's token layout,
so it fills the VLM's image placeholders unchanged. This follows the reconstruction in the LVC reference notes (the
paper's exact equation is not public).
"""

import math

import torch
from torch import nn

from .configuration_lvc import COMPRESSION_MODES, QUERY_POOLINGS


def pool_query(
    token_embeddings: torch.Tensor, attention_mask: torch.Tensor | None = None, pooling: str = "mean"
) -> torch.Tensor:
    """One query vector per question: ``[batch, length, d]`` (+ mask ``[batch, length]``) -> ``[batch, d]``.

    ``"mean"`` averages the unmasked tokens; ``"last"`` takes the last unmasked token, wherever the padding is.
    """
    if pooling not in QUERY_POOLINGS:
        raise ValueError(f"query pooling must be one of {QUERY_POOLINGS}, got {pooling!r}.")
    if token_embeddings.ndim != 3 or token_embeddings.shape[1] == 0:
        raise ValueError(
            f"question embeddings must be [batch, length >= 1, dim], got shape {tuple(token_embeddings.shape)}."
        )
    if attention_mask is None:
        attention_mask = torch.ones(token_embeddings.shape[:2], dtype=torch.long, device=token_embeddings.device)
    mask = attention_mask.to(token_embeddings.device).bool()
    if not mask.any(dim=1).all():
        raise ValueError("every question needs at least one unmasked token to form the LVC query.")
    if pooling == "mean":
        weights = mask.to(token_embeddings.dtype).unsqueeze(-1)
        return (token_embeddings * weights).sum(dim=1) / weights.sum(dim=1)
    positions = torch.arange(mask.shape[1], device=mask.device).expand_as(mask)
    last_index = torch.where(mask, positions, -1).amax(dim=1)
    return token_embeddings[torch.arange(token_embeddings.shape[0], device=mask.device), last_index]


class QueryAttentionCompressor(nn.Module):
    """Merges windows of ``window_size`` consecutive frames into pseudo-frames, per spatial token position.

    Parameter-free unless ``learn_temperature`` is set (then one scalar log-temperature is trained). With
    ``mode="mean"`` the query is ignored and each window is averaged (ablation baseline).
    """

    def __init__(
        self,
        window_size: int,
        mode: str = "query_attention",
        learn_temperature: bool = False,
        initial_temperature: float = 1.0,
    ):
        super().__init__()
        if window_size < 1:
            raise ValueError(f"window_size must be >= 1, got {window_size}.")
        if mode not in COMPRESSION_MODES:
            raise ValueError(f"compression mode must be one of {COMPRESSION_MODES}, got {mode!r}.")
        self.window_size = window_size
        self.mode = mode
        self.initial_temperature = initial_temperature
        if learn_temperature:
            self.log_temperature = nn.Parameter(torch.tensor(math.log(initial_temperature)))
        else:
            self.log_temperature = None

    @property
    def temperature(self) -> torch.Tensor | float:
        return self.log_temperature.exp() if self.log_temperature is not None else self.initial_temperature

    def window_weights(self, frame_features: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
        """Attention weights ``[batch, M / w, w, t]`` over the frames of each window (they sum to 1 over ``w``)."""
        windows = self._windows(frame_features)
        if self.mode == "mean":
            return torch.full_like(windows[..., 0], 1.0 / self.window_size)
        if query.shape != (frame_features.shape[0], frame_features.shape[-1]):
            raise ValueError(
                f"query must be [batch, dim] = {(frame_features.shape[0], frame_features.shape[-1])}, "
                f"got {tuple(query.shape)}."
            )
        scores = torch.einsum("bgwtd,bd->bgwt", windows, query.to(windows.dtype))
        scores = scores / (math.sqrt(frame_features.shape[-1]) * self.temperature)
        return scores.softmax(dim=2)

    def forward(self, frame_features: torch.Tensor, query: torch.Tensor | None = None) -> torch.Tensor:
        """``[batch, M, t, d]`` frame tokens and a ``[batch, d]`` query -> ``[batch, M / w, t, d]`` pseudo-frames."""
        if self.mode == "query_attention" and query is None:
            raise ValueError("query-attention compression needs the question's query vector; got query=None.")
        weights = self.window_weights(frame_features, query)
        return (weights.unsqueeze(-1) * self._windows(frame_features)).sum(dim=2)

    def _windows(self, frame_features: torch.Tensor) -> torch.Tensor:
        if frame_features.ndim != 4:
            raise ValueError(
                f"frame features must be [batch, frames, tokens, dim], got shape {tuple(frame_features.shape)}."
            )
        batch, frames, tokens, dim = frame_features.shape
        if frames % self.window_size != 0:
            raise ValueError(
                f"the number of frames ({frames}) must be divisible by the window size ({self.window_size})."
            )
        return frame_features.reshape(batch, frames // self.window_size, self.window_size, tokens, dim)

    def extra_repr(self) -> str:
        learned = self.log_temperature is not None
        return f"window_size={self.window_size}, mode={self.mode!r}, learn_temperature={learned}"


__all__ = ["QueryAttentionCompressor", "pool_query"]
