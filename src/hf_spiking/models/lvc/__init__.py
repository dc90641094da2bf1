"""LVC: query-attention video compression around vision-language models (InternVL natively, Phi-3.5-Vision and more
via backbone adapters), with its processor and the ``video-question-answering`` pipeline.

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration, NoDefaultModel, PipelineRegistration
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


# The task's `default` entry: pipeline("video-question-answering") without a model says what to pass.
NO_DEFAULT_MODEL = NoDefaultModel(
    "the video-question-answering task has no default model (no real vision-language model ships with "
    "hf_spiking): pass model=<folder or Hub id of an LVC model or a plain InternVL / Phi-3.5-V checkpoint> "
    "and, when the folder has none, processor=LVCProcessor(...). Example: "
    'pipeline("video-question-answering", model="OpenGVLab/InternVL3-1B-hf") after saving an LVCProcessor '
    "there, or a folder written by hf-spiking train-lvc."
)

PIPELINES = (
    PipelineRegistration(
        task="video-question-answering",
        pipeline_class="hf_spiking.models.lvc.pipeline_lvc:VideoQuestionAnsweringPipeline",
        default=NO_DEFAULT_MODEL,
    ),
)

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
