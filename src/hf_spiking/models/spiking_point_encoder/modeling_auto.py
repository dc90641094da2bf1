"""Auto classes for the point-cloud tasks transformers has no Auto class for, built as transformers builds its own.

Each is a ``_BaseAutoModelClass`` over a lazy ``{model_type: class name}`` table: ``from_pretrained(folder)`` and
``from_config(config)`` pick the class from the config's ``model_type`` and import it on first use; ``register``
adds other model types. ``AutoModel`` on a head checkpoint gives the bare encoder (as for transformers' own models);
these give the head.
"""

from collections import OrderedDict

from transformers.models.auto.auto_factory import _BaseAutoModelClass, _LazyAutoMapping
from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING_NAMES = OrderedDict(
    [("spiking_point_encoder", "SpikingPointEncoderForZeroShotClassification")]
)
MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING_NAMES = OrderedDict(
    [("spiking_point_encoder", "SpikingPointEncoderForPointCloudClassification")]
)
MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING_NAMES = OrderedDict(
    [("spiking_point_encoder", "SpikingPointEncoderForSemanticSegmentation")]
)
MODEL_FOR_3D_OBJECT_DETECTION_MAPPING_NAMES = OrderedDict(
    [("spiking_point_encoder", "SpikingPointEncoderForObjectDetection")]
)

MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING = _LazyAutoMapping(
    CONFIG_MAPPING_NAMES, MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING_NAMES
)
MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING = _LazyAutoMapping(
    CONFIG_MAPPING_NAMES, MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING_NAMES
)
MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING = _LazyAutoMapping(
    CONFIG_MAPPING_NAMES, MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING_NAMES
)
MODEL_FOR_3D_OBJECT_DETECTION_MAPPING = _LazyAutoMapping(
    CONFIG_MAPPING_NAMES, MODEL_FOR_3D_OBJECT_DETECTION_MAPPING_NAMES
)


class AutoModelForZeroShot3DClassification(_BaseAutoModelClass):
    """Zero-shot (open-vocabulary) point-cloud classifiers: what ``pipeline("zero-shot-3d-classification")`` loads."""

    _model_mapping = MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING


class AutoModelForPointCloudClassification(_BaseAutoModelClass):
    """Point-cloud classifiers with a trained (fine-tuned) label head."""

    _model_mapping = MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING


class AutoModelForPointCloudSegmentation(_BaseAutoModelClass):
    """Point-cloud semantic segmentation (one label per point): what ``pipeline("point-cloud-segmentation")`` loads."""

    _model_mapping = MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING


class AutoModelFor3DObjectDetection(_BaseAutoModelClass):
    """3D object detectors on LiDAR point clouds (boxes x, y, z, l, w, h, yaw): what ``pipeline("3d-object-detection")``
    loads."""

    _model_mapping = MODEL_FOR_3D_OBJECT_DETECTION_MAPPING


__all__ = [
    "AutoModelFor3DObjectDetection",
    "AutoModelForPointCloudClassification",
    "AutoModelForPointCloudSegmentation",
    "AutoModelForZeroShot3DClassification",
    "MODEL_FOR_3D_OBJECT_DETECTION_MAPPING",
    "MODEL_FOR_3D_OBJECT_DETECTION_MAPPING_NAMES",
    "MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING",
    "MODEL_FOR_POINT_CLOUD_CLASSIFICATION_MAPPING_NAMES",
    "MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING",
    "MODEL_FOR_POINT_CLOUD_SEGMENTATION_MAPPING_NAMES",
    "MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING",
    "MODEL_FOR_ZERO_SHOT_3D_CLASSIFICATION_MAPPING_NAMES",
]
