"""LVC: query-attention video compression around vision-language models (InternVL natively, Phi-3.5-Vision and more
via backbone adapters), with its processor and the ``video-question-answering`` pipeline.

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
)
PIPELINES = (
    PipelineRegistration(
        task="video-question-answering",
        pipeline_class="hf_spiking.models.lvc.pipeline_lvc:VideoQuestionAnsweringPipeline",
    ),
)

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
