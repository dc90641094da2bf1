"""LVC: query-attention video compression around vision-language models (InternVL natively; more via adapters),
and a native Phi-3.5-Vision (``phi3_v``).

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration, PipelineRegistration
from ...lazy import lazy_exports

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

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
