"""SVL spiking point-cloud encoders (Spike-driven PointFormer, E-3DSNN), MTA pretraining, Rep-VLI zero-shot heads,
the point-cloud feature extractor / processor and the ``zero-shot-3d-classification`` pipeline."""

from ...pipelines.zero_shot_3d_classification import ZeroShot3DClassificationPipeline
from .configuration_spiking_point_encoder import SpikingPointEncoderConfig
from .feature_extraction_spiking_point_encoder import SpikingPointFeatureExtractor
from .modeling_spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
    SpikingPointEncoderPreTrainedModel,
)
from .processing_spiking_point_encoder import SpikingPointProcessor

_MODEL_CLASSES = (
    SpikingPointEncoderModel,
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderForPointCloudClassification,
)


def register_auto_classes() -> None:
    """Registers this family's classes with the transformers Auto* classes (``exist_ok=True``)."""
    from transformers import AutoConfig, AutoFeatureExtractor, AutoModel, AutoModelForPreTraining, AutoProcessor
    from transformers.pipelines import PIPELINE_REGISTRY

    AutoConfig.register(SpikingPointEncoderConfig.model_type, SpikingPointEncoderConfig, exist_ok=True)
    AutoModel.register(SpikingPointEncoderConfig, SpikingPointEncoderModel, exist_ok=True)
    AutoModelForPreTraining.register(SpikingPointEncoderConfig, SpikingPointEncoderForPreTraining, exist_ok=True)
    AutoFeatureExtractor.register(SpikingPointEncoderConfig, SpikingPointFeatureExtractor, exist_ok=True)
    AutoProcessor.register(SpikingPointEncoderConfig, SpikingPointProcessor, exist_ok=True)
    PIPELINE_REGISTRY.register_pipeline(
        "zero-shot-3d-classification",
        pipeline_class=ZeroShot3DClassificationPipeline,
        pt_model=AutoModel,
        type="multimodal",
    )
    # trust_remote_code: every head is written under auto_map["AutoModel"], so a saved head reloads as itself.
    SpikingPointEncoderConfig.register_for_auto_class()
    SpikingPointFeatureExtractor.register_for_auto_class()
    for model_class in _MODEL_CLASSES:
        model_class.register_for_auto_class("AutoModel")


__all__ = [
    "SpikingPointEncoderConfig",
    "SpikingPointEncoderForPointCloudClassification",
    "SpikingPointEncoderForPreTraining",
    "SpikingPointEncoderForZeroShotClassification",
    "SpikingPointEncoderModel",
    "SpikingPointEncoderPreTrainedModel",
    "SpikingPointFeatureExtractor",
    "SpikingPointProcessor",
    "ZeroShot3DClassificationPipeline",
]
