"""Phi-3.5-Vision (``phi3_v``) natively in transformers: config, model with the official checkpoint's parameter
names, and the HD image processor. LVC wraps it as one of its backbones (:mod:`hf_spiking.models.lvc.backbones`).

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration
from ...lazy import lazy_exports

MODEL_TYPES = (
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
PIPELINES = ()

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
