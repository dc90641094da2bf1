"""LVC: query-attention video compression around vision-language models (InternVL natively; more via adapters),
and a native Phi-3.5-Vision (``phi3_v``).

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration, PipelineRegistration
from ...lazy import lazy_getattr

_EXPORTS = {
    "InternVLBackbone": ".backbones_lvc",
    "LVCBackbone": ".backbones_lvc",
    "Phi3VBackbone": ".backbones_lvc",
    "get_lvc_backbone": ".backbones_lvc",
    "register_lvc_backbone": ".backbones_lvc",
    "QueryAttentionCompressor": ".compression_lvc",
    "pool_query": ".compression_lvc",
    "LVCConfig": ".configuration_lvc",
    "Phi3VConfig": ".configuration_phi3_v",
    "Phi3VImageProcessor": ".image_processing_phi3_v",
    "LVCCausalLMOutputWithPast": ".modeling_lvc",
    "LVCForVideoQA": ".modeling_lvc",
    "LVCPreTrainedModel": ".modeling_lvc",
    "Phi3VForCausalLM": ".modeling_phi3_v",
    "Phi3VModel": ".modeling_phi3_v",
    "LVCProcessor": ".processing_lvc",
    "VideoQuestionAnsweringPipeline": "...pipelines.video_question_answering",
}

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="lvc",
        package=__name__,
        auto_classes={
            "AutoConfig": "LVCConfig",
            "AutoModel": "LVCForVideoQA",
            "AutoModelForImageTextToText": "LVCForVideoQA",
            "AutoProcessor": "LVCProcessor",
        },
    ),
    ModelTypeRegistration(
        model_type="phi3_v",
        package=__name__,
        auto_classes={
            "AutoConfig": "Phi3VConfig",
            "AutoModel": "Phi3VModel",
            "AutoModelForCausalLM": "Phi3VForCausalLM",
            "AutoModelForImageTextToText": "Phi3VForCausalLM",
            "AutoImageProcessor": "Phi3VImageProcessor",
        },
    ),
)
PIPELINES = (
    PipelineRegistration(
        task="video-question-answering",
        pipeline_class="hf_spiking.pipelines.video_question_answering:VideoQuestionAnsweringPipeline",
    ),
)

__getattr__ = lazy_getattr(__name__, _EXPORTS)

__all__ = list(_EXPORTS)
