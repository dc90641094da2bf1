"""SpikingPointLLM: SVL's spiking point encoders as the eyes of a causal language model (PointLLM's layout) for
open-world 3D question answering and captioning, with its processor and the ``3d-question-answering`` pipeline.

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration, NoDefaultModel, PipelineRegistration
from ...lazy import lazy_exports

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="spiking_point_llm",
        package=__name__,
        auto_classes={
            "AutoConfig": "SpikingPointLLMConfig",
            "AutoModel": "SpikingPointLLMForConditionalGeneration",
            "AutoModelForImageTextToText": "SpikingPointLLMForConditionalGeneration",
            "AutoProcessor": "SpikingPointLLMProcessor",
        },
    ),
)

PIPELINES = (
    PipelineRegistration(
        task="3d-question-answering",
        pipeline_class=f"{__name__}.pipeline_spiking_point_llm:Point3DQuestionAnsweringPipeline",
        default=NoDefaultModel(
            "the 3d-question-answering task has no default model (no real point-language model ships with "
            "hf_spiking): pass model=<folder of a SpikingPointLLMForConditionalGeneration with its processor>, e.g. "
            "one written by hf-spiking reproduce-point-qa-miniature."
        ),
    ),
)

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
