"""``pipeline("point-cloud-segmentation")``: one semantic label, with its score, for every point of a LiDAR scan or
point cloud, by a [`SpikingPointEncoderForSemanticSegmentation`].

The pipeline lives next to the models and imports them only relatively, so ``Pipeline.save_pretrained`` can copy it
into a saved folder for ``trust_remote_code``; the SemanticKITTI scan reader comes from hf_spiking, imported in a try
block (a remote-code copy without hf_spiking reads arrays and point files, and says what ``.bin`` scans need).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from transformers import Pipeline

from .feature_extraction_spiking_point_encoder import POINT_FILE_SUFFIXES, SpikingPointFeatureExtractor
from .modeling_spiking_point_encoder import SpikingPointEncoderForSemanticSegmentation
from .pipeline_spiking_point_encoder import _with_head

try:
    from hf_spiking.data.kitti import read_semantickitti_scan
except ImportError:
    read_semantickitti_scan = None

SCAN_FILE_SUFFIX = ".bin"


class PointCloudSegmentationPipeline(Pipeline):
    r"""
    Semantic segmentation of point clouds with a trained [`SpikingPointEncoderForSemanticSegmentation`]: a folder
    written by `hf-spiking finetune-point-segmentation`, or the model object. The task has no default model:
    `pipeline("point-cloud-segmentation")` without `model=` raises a ValueError saying what to pass.

    Inputs: one cloud or a list of them, each
    - a numpy array / tensor of shape `(N, in_channels)`, xyz first (`(N, 4)` x, y, z, intensity for the LiDAR
      presets);
    - a SemanticKITTI / KITTI Velodyne `.bin` scan (float32 x, y, z, remission);
    - a point file the point feature extractor reads (`.npy`, `.npz`, `.ply`, `.obj`, `.off`, `.xyz`, `.txt`) holding
      `in_channels` values per point.

    Every point is kept (no resampling), in the units the model was trained in (metres for the LiDAR presets); the y/z
    swap and the unit-sphere normalisation are applied only when the model's config records them (`swap_yz`,
    `normalize_points`). Clouds run one per forward pass, as their sizes differ.

    Returns, per cloud, `{"labels": [class name per point], "label_ids": int64 array (N,), "scores": float32 array
    (N,)}`: the predicted class of each point and its softmax probability, in input order.
    """

    _load_tokenizer = False
    _load_feature_extractor = False
    _load_image_processor = False
    _load_processor = False

    def __init__(self, model, **kwargs):
        head = SpikingPointEncoderForSemanticSegmentation.__name__
        model = _with_head(model, SpikingPointEncoderForSemanticSegmentation, "point-cloud-segmentation")
        saved_as = model.config.architectures or []
        if saved_as and head not in saved_as:
            raise ValueError(
                f"point-cloud-segmentation needs a trained segmentation model, but {model.name_or_path!r} holds a "
                f"{', '.join(saved_as)} (its decoder would be random): train it first, e.g. with hf-spiking "
                "finetune-point-segmentation --init_from <that folder>."
            )
        super().__init__(model=model, **kwargs)

    def __call__(self, inputs, **kwargs):
        """Segments one cloud or a list of clouds."""
        if isinstance(inputs, (list, tuple)) and not inputs:
            raise ValueError("Got an empty list of point clouds.")
        return super().__call__(inputs, **kwargs)

    def _sanitize_parameters(self, **kwargs):
        return {}, {}, {}

    def _read(self, item) -> tuple[np.ndarray, str]:
        """The cloud as an array and a description of it for messages."""
        if isinstance(item, (str, os.PathLike)):
            path = Path(item)
            if path.suffix.lower() == SCAN_FILE_SUFFIX:
                if read_semantickitti_scan is None:
                    raise ValueError(f"Reading the .bin scan {str(path)!r} needs hf_spiking (hf_spiking.data.kitti).")
                return read_semantickitti_scan(path), f"file {str(path)!r}"
            if path.suffix.lower() not in POINT_FILE_SUFFIXES:
                raise ValueError(
                    f"Unsupported point-cloud file {str(path)!r}: expected a {SCAN_FILE_SUFFIX} scan or one of "
                    f"{', '.join(POINT_FILE_SUFFIXES)}."
                )
            reader = SpikingPointFeatureExtractor(num_points=None, normalize=False)
            return reader.load_point_cloud(path), f"file {str(path)!r}"
        if isinstance(item, torch.Tensor):
            item = item.detach().cpu()
            item = (item.double() if item.is_floating_point() else item).numpy()
        if not isinstance(item, np.ndarray):
            raise ValueError(
                f"A point cloud must be a numpy array or tensor of shape (N, {self.model.config.in_channels}), or a "
                f"file path; got {type(item).__name__}."
            )
        return item, "point cloud"

    def preprocess(self, item):
        points, what = self._read(item)
        channels = self.model.config.in_channels
        if points.ndim != 2 or points.shape[1] != channels or points.shape[0] == 0:
            raise ValueError(
                f"The {what} has shape {tuple(points.shape)}; this model expects (N >= 1, {channels}) with xyz first."
            )
        if points.dtype.kind not in "iuf":
            raise ValueError(f"The {what} must hold real numbers (an integer or float dtype), got {points.dtype}.")
        if not np.isfinite(points).all():
            raise ValueError(f"The {what} contains NaN or infinite values; expected finite coordinates and features.")
        points = points.astype(np.float64)
        if self.model.config.swap_yz:
            points[:, [1, 2]] = points[:, [2, 1]]
        if self.model.config.normalize_points:
            xyz = points[:, :3] - points[:, :3].mean(axis=0)
            radius = float(np.sqrt((xyz**2).sum(axis=1)).max())
            points[:, :3] = xyz / radius if radius > 0 else xyz
        return {"point_values": torch.from_numpy(points).unsqueeze(0).to(self.model.dtype)}

    def _forward(self, model_inputs):
        return {"logits": self.model(point_values=model_inputs["point_values"]).logits}

    def postprocess(self, model_outputs):
        scores, label_ids = model_outputs["logits"][0].float().softmax(dim=-1).max(dim=-1)
        id2label = self.model.config.id2label
        label_ids = label_ids.numpy()
        return {
            "labels": [id2label[index] for index in label_ids.tolist()],
            "label_ids": label_ids.astype(np.int64),
            "scores": scores.numpy().astype(np.float32),
        }


__all__ = ["PointCloudSegmentationPipeline"]
