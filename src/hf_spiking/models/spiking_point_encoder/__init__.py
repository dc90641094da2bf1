"""SVL spiking point-cloud encoders (Spike-driven PointFormer, E-3DSNN), MTA pretraining, Rep-VLI zero-shot heads,
the point-cloud feature extractor / processor and the ``zero-shot-3d-classification`` pipeline.

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration, PipelineRegistration
from ...lazy import lazy_getattr

_EXPORTS = {
    "SpikingPointEncoderConfig": ".configuration_spiking_point_encoder",
    "SpikingPointFeatureExtractor": ".feature_extraction_spiking_point_encoder",
    "SpikingPointEncoderForPointCloudClassification": ".modeling_spiking_point_encoder",
    "SpikingPointEncoderForPreTraining": ".modeling_spiking_point_encoder",
    "SpikingPointEncoderForZeroShotClassification": ".modeling_spiking_point_encoder",
    "SpikingPointEncoderModel": ".modeling_spiking_point_encoder",
    "SpikingPointEncoderPreTrainedModel": ".modeling_spiking_point_encoder",
    "SpikingPointProcessor": ".processing_spiking_point_encoder",
    "ZeroShot3DClassificationPipeline": ".pipeline_spiking_point_encoder",
}

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="spiking_point_encoder",
        package=__name__,
        auto_classes={
            "AutoConfig": "SpikingPointEncoderConfig",
            "AutoModel": "SpikingPointEncoderModel",
            "AutoModelForPreTraining": "SpikingPointEncoderForPreTraining",
            "AutoFeatureExtractor": "SpikingPointFeatureExtractor",
            "AutoProcessor": "SpikingPointProcessor",
        },
    ),
)
PIPELINES = (
    PipelineRegistration(
        task="zero-shot-3d-classification",
        pipeline_class=f"{__name__}.pipeline_spiking_point_encoder:ZeroShot3DClassificationPipeline",
    ),
)

__getattr__ = lazy_getattr(__name__, _EXPORTS)

__all__ = list(_EXPORTS)
