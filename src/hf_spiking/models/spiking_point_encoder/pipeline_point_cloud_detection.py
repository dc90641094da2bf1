"""``pipeline("3d-object-detection")``: 3D boxes of the objects in a LiDAR scan or point cloud, by a
[`SpikingPointEncoderForObjectDetection`].

The pipeline lives next to the models and imports them only relatively, so ``Pipeline.save_pretrained`` can copy it
into a saved folder for ``trust_remote_code``. Clouds are read and checked exactly as the point-cloud-segmentation
pipeline reads them (arrays, ``.bin`` Velodyne scans, point files; every point kept), so its two methods are reused.
"""

from __future__ import annotations

from transformers import Pipeline

from .modeling_spiking_point_encoder import SpikingPointEncoderForObjectDetection
from .pipeline_point_cloud_segmentation import PointCloudSegmentationPipeline
from .pipeline_spiking_point_encoder import _with_head

BOX_FIELDS = ("x", "y", "z", "l", "w", "h", "yaw")


class PointCloudObjectDetectionPipeline(Pipeline):
    r"""
    3D object detection in point clouds with a trained [`SpikingPointEncoderForObjectDetection`]: a folder written by
    `hf-spiking finetune-point-detection`, or the model object. The task has no default model:
    `pipeline("3d-object-detection")` without `model=` raises a ValueError saying what to pass.

    Inputs: one cloud or a list of them, each
    - a numpy array / tensor of shape `(N, in_channels)`: x, y, z in metres in the LiDAR frame (x forward, y left,
      z up), then intensity for the LiDAR presets;
    - a KITTI Velodyne / SemanticKITTI `.bin` scan (float32 x, y, z, reflectance);
    - a point file the point feature extractor reads (`.npy`, `.npz`, `.ply`, `.obj`, `.off`, `.xyz`, `.txt`) holding
      `in_channels` values per point.

    Every point is kept; points outside the model's `detection_point_cloud_range` are ignored by the model. Clouds
    run one per forward pass, as their sizes differ.

    Parameters: `threshold` (minimum score, default 0.1) and `nms_iou` (rotated BEV IoU above which a lower-scoring
    box of the same class is suppressed, default 0.1), as in
    [`SpikingPointEncoderForObjectDetection.post_process_object_detection`].

    Returns, per cloud, a list of `{"label": class name, "score": float, "box": {"x", "y", "z", "l", "w", "h", "yaw"}}`
    sorted by decreasing score: the box centre (metres), its length along the heading, width and height, and the
    heading about +z from +x (radians).
    """

    _load_tokenizer = False
    _load_feature_extractor = False
    _load_image_processor = False
    _load_processor = False

    # The cloud reader and checks of the segmentation pipeline: they use only ``self.model.config``.
    _read = PointCloudSegmentationPipeline._read
    preprocess = PointCloudSegmentationPipeline.preprocess

    def __init__(self, model, **kwargs):
        head = SpikingPointEncoderForObjectDetection.__name__
        model = _with_head(model, SpikingPointEncoderForObjectDetection, "3d-object-detection")
        saved_as = model.config.architectures or []
        if saved_as and head not in saved_as:
            raise ValueError(
                f"3d-object-detection needs a trained detector, but {model.name_or_path!r} holds a "
                f"{', '.join(saved_as)} (its detection heads would be random): train it first, e.g. with hf-spiking "
                "finetune-point-detection --init_from <that folder>."
            )
        super().__init__(model=model, **kwargs)

    def __call__(self, inputs, **kwargs):
        """Detects objects in one cloud or a list of clouds."""
        if isinstance(inputs, (list, tuple)) and not inputs:
            raise ValueError("Got an empty list of point clouds.")
        return super().__call__(inputs, **kwargs)

    def _sanitize_parameters(self, threshold=None, nms_iou=None, **kwargs):
        postprocess_params = {}
        if threshold is not None:
            postprocess_params["threshold"] = threshold
        if nms_iou is not None:
            postprocess_params["nms_iou"] = nms_iou
        return {}, {}, postprocess_params

    def _forward(self, model_inputs):
        outputs = self.model(point_values=model_inputs["point_values"])
        return {"pred_boxes": outputs.pred_boxes, "scores": outputs.scores, "pred_labels": outputs.pred_labels}

    def postprocess(self, model_outputs, **post_process_params):
        detections = self.model.post_process_object_detection(model_outputs, **post_process_params)[0]
        id2label = self.model.config.id2label
        return [
            {"label": id2label[label], "score": score, "box": dict(zip(BOX_FIELDS, box))}
            for score, label, box in zip(
                detections["scores"].tolist(), detections["labels"].tolist(), detections["boxes"].double().tolist()
            )
        ]


__all__ = ["PointCloudObjectDetectionPipeline"]
