"""LVC: query-attention video compression around vision-language models (InternVL natively; more via adapters)."""

from .backbones_lvc import InternVLBackbone, LVCBackbone, Phi3VBackbone, get_lvc_backbone, register_lvc_backbone
from .compression_lvc import QueryAttentionCompressor, pool_query
from .configuration_lvc import LVCConfig
from .configuration_phi3_v import Phi3VConfig
from .image_processing_phi3_v import Phi3VImageProcessor
from .modeling_lvc import LVCCausalLMOutputWithPast, LVCForVideoQA, LVCPreTrainedModel
from .modeling_phi3_v import Phi3VForCausalLM, Phi3VModel, register_phi3_v_auto_classes
from .processing_lvc import LVCProcessor


def register_auto_classes() -> None:
    """Registers LVC with the transformers Auto* classes and the ``video-question-answering`` pipeline."""
    from transformers import AutoConfig, AutoModel, AutoModelForImageTextToText, AutoProcessor

    from ...pipelines.video_question_answering import register_pipeline
    from transformers.conversion_mapping import (
        get_checkpoint_conversion_mapping,
        register_checkpoint_conversion_mapping,
    )

    AutoConfig.register(LVCConfig.model_type, LVCConfig, exist_ok=True)
    AutoModel.register(LVCConfig, LVCForVideoQA, exist_ok=True)
    AutoModelForImageTextToText.register(LVCConfig, LVCForVideoQA, exist_ok=True)
    AutoProcessor.register(LVCConfig, LVCProcessor, exist_ok=True)
    # Saved folders then carry the code (auto_map + copied modules) for trust_remote_code loading without hf_spiking.
    LVCConfig.register_for_auto_class()
    LVCForVideoQA.register_for_auto_class("AutoModel")
    LVCProcessor.register_for_auto_class()
    register_pipeline()
    register_phi3_v_auto_classes()
    # Hub InternVL "-hf" checkpoints use the legacy LLaVA key layout; loading them into LVC needs the same renaming.
    if get_checkpoint_conversion_mapping(LVCConfig.model_type) is None:
        register_checkpoint_conversion_mapping(LVCConfig.model_type, get_checkpoint_conversion_mapping("internvl"))


__all__ = [
    "InternVLBackbone",
    "LVCBackbone",
    "LVCCausalLMOutputWithPast",
    "LVCConfig",
    "LVCForVideoQA",
    "LVCPreTrainedModel",
    "LVCProcessor",
    "Phi3VBackbone",
    "Phi3VConfig",
    "Phi3VForCausalLM",
    "Phi3VImageProcessor",
    "Phi3VModel",
    "QueryAttentionCompressor",
    "get_lvc_backbone",
    "pool_query",
    "register_lvc_backbone",
]
