"""Event-frame feature extractor for T-RevSNN's DVS mode: event streams in, ``T`` frames of per-polarity event counts
out, time-major ``[T, B, 2, H, W]`` as the DVS columns take them (one frame per column)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from transformers import BatchFeature, FeatureExtractionMixin

from ...data.events import as_events, events_to_frames, read_events
from .checkpoints import ProcessorFileMixin


class TRevSNNEventFeatureExtractor(ProcessorFileMixin, FeatureExtractionMixin):
    r"""
    Turns event streams into the input of a DVS-mode [`TRevSNNForImageClassification`]: the stream's time span is cut
    into `num_frames` equal windows (set it to the model's `num_columns`) and each window becomes a frame of event
    counts per polarity on the `sensor_size` grid.

    Args:
        num_frames: frames per stream, one per T-RevSNN column.
        sensor_size: `(height, width)` of the event camera (34 x 34 for N-MNIST, 128 x 128 for DVS128 Gesture).

    Streams are what [`hf_spiking.data.events.read_events`] returns (or any structured `x, y, t, p` array or numeric
    `[N, 4]` array), or paths to event files. Returns `pixel_values` of shape `(num_frames, batch, 2, height, width)`.
    """

    model_input_names = ["pixel_values"]

    def __init__(self, num_frames: int = 8, sensor_size: tuple[int, int] | list[int] = (128, 128), **kwargs):
        super().__init__(**kwargs)
        if not isinstance(num_frames, int) or num_frames < 1:
            raise ValueError(f"`num_frames` must be a positive integer, got {num_frames!r}.")
        if len(sensor_size) != 2 or any(not isinstance(side, int) or side < 1 for side in sensor_size):
            raise ValueError(f"`sensor_size` must be (height, width) in pixels, got {sensor_size!r}.")
        self.num_frames = num_frames
        self.sensor_size = tuple(sensor_size)

    def frames(self, stream) -> np.ndarray:
        """One stream (events or a path) -> float32 `[num_frames, 2, height, width]`."""
        events = read_events(stream) if isinstance(stream, (str, Path)) else as_events(stream)
        return events_to_frames(events, self.num_frames, self.sensor_size)

    def __call__(self, streams, return_tensors: str | None = "pt") -> BatchFeature:
        streams = [streams] if isinstance(streams, (str, Path, np.ndarray)) else list(streams)
        if not streams:
            raise ValueError("`streams` is empty: pass at least one event stream.")
        frames = np.stack([self.frames(stream) for stream in streams], axis=1)
        pixel_values = torch.from_numpy(frames) if return_tensors == "pt" else frames
        return BatchFeature({"pixel_values": pixel_values})


__all__ = ["TRevSNNEventFeatureExtractor"]
