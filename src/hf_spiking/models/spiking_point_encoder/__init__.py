"""SVL spiking point-cloud encoders (Spike-driven PointFormer, E-3DSNN, Spike PointNet), MTA pretraining, Rep-VLI zero-shot heads,
the point-cloud and event-cloud feature extractors, the processor, and the ``zero-shot-3d-classification``,
``point-cloud-classification``, ``point-cloud-segmentation`` and ``3d-object-detection`` pipelines.

Classes are imported on first use, so importing the package stays cheap.
"""

from ...assets import ASSETS_DIR, CLASSIFIER_MODEL_NAME, DEFAULT_MODEL_NAME
from ...auto_registration import ModelTypeRegistration, NoDefaultModel, PipelineRegistration
from ...lazy import lazy_exports

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="spiking_point_encoder",
        package=__name__,
        auto_classes={
            "AutoConfig": "SpikingPointEncoderConfig",
            "AutoModel": "SpikingPointEncoderModel",
            "AutoModelForPreTraining": "SpikingPointEncoderForPreTraining",
            # Two extractors, as transformers lists a slow and a fast tokenizer: AutoFeatureExtractor picks the one a
            # folder's preprocessor_config.json names (point clouds, or event streams for event-cloud classifiers).
            "AutoFeatureExtractor": ("SpikingPointFeatureExtractor", "SpikingPointEventFeatureExtractor"),
            "AutoProcessor": "SpikingPointProcessor",
        },
    ),
)
PIPELINES = (
    PipelineRegistration(
        task="zero-shot-3d-classification",
        pipeline_class=f"{__name__}.pipeline_spiking_point_encoder:ZeroShot3DClassificationPipeline",
        pt_model=f"{__name__}.modeling_auto:AutoModelForZeroShot3DClassification",
        # The checkpoint shipped in the package: a local folder, so pipeline(task) works offline.
        default={"model": (str(ASSETS_DIR / DEFAULT_MODEL_NAME), None)},
    ),
    PipelineRegistration(
        task="point-cloud-classification",
        pipeline_class=f"{__name__}.pipeline_spiking_point_encoder:PointCloudClassificationPipeline",
        pt_model=f"{__name__}.modeling_auto:AutoModelForPointCloudClassification",
        # The fine-tuned ModelNet40 classifier shipped in the package.
        default={"model": (str(ASSETS_DIR / CLASSIFIER_MODEL_NAME), None)},
    ),
    PipelineRegistration(
        task="point-cloud-segmentation",
        pipeline_class=f"{__name__}.pipeline_point_cloud_segmentation:PointCloudSegmentationPipeline",
        pt_model=f"{__name__}.modeling_auto:AutoModelForPointCloudSegmentation",
        default=NoDefaultModel(
            "the point-cloud-segmentation task has no default model (no segmentation checkpoint ships with "
            "hf_spiking): pass model=<a folder written by hf-spiking finetune-point-segmentation> or a "
            "SpikingPointEncoderForSemanticSegmentation, e.g. "
            'pipeline("point-cloud-segmentation", model="runs/seg-synthetic").'
        ),
    ),
    PipelineRegistration(
        task="3d-object-detection",
        pipeline_class=f"{__name__}.pipeline_point_cloud_detection:PointCloudObjectDetectionPipeline",
        pt_model=f"{__name__}.modeling_auto:AutoModelFor3DObjectDetection",
        default=NoDefaultModel(
            "the 3d-object-detection task has no default model (no detection checkpoint ships with hf_spiking): pass "
            "model=<a folder written by hf-spiking finetune-point-detection> or a "
            'SpikingPointEncoderForObjectDetection, e.g. pipeline("3d-object-detection", model="runs/det-synthetic").'
        ),
    ),
)

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
