"""hf_spiking: spiking point-cloud encoders (SVL), T-RevSNN and LVC video compression as Hugging Face citizens.

Importing the package registers every config, model, processor and pipeline with the transformers Auto* classes
and the pipeline registry, so ``AutoModel.from_pretrained`` and ``pipeline(...)`` work on saved folders. Registration
is by name and classes are imported on first use (see :mod:`hf_spiking.auto_registration`), so ``import hf_spiking``
does not import torch. Model classes are reachable as attributes (``hf_spiking.TRevSNNForImageClassification``).
"""

import importlib

from .models import family_modules, register_auto_classes
from .registry import ModelPreset, create_model, get_config, list_models, pretrained_models, register_preset

__version__ = "0.1.0"

_LAZY_ATTRIBUTES = {
    "EnergyReport": "hf_spiking.energy",
    "estimate_energy": "hf_spiking.energy",
    "create_model_card": "hf_spiking.hub",
    "default_model_path": "hf_spiking.assets",
    "sample_clouds_dir": "hf_spiking.assets",
    "shipped_model_path": "hf_spiking.assets",
    "CheckpointError": "hf_spiking.checkpoints",
    "CheckpointMismatchError": "hf_spiking.checkpoints",
    "ProcessorConfigError": "hf_spiking.checkpoints",
}


def __getattr__(name: str):
    module_name = _LAZY_ATTRIBUTES.get(name)
    if module_name is not None:
        return getattr(importlib.import_module(module_name), name)
    for module in family_modules():
        if name in module.__all__:
            return getattr(module, name)
    raise AttributeError(f"module 'hf_spiking' has no attribute {name!r}")


# Last, so that hooks firing for already imported transformers modules find the package complete.
register_auto_classes()


__all__ = [
    "ModelPreset",
    "__version__",
    "create_model",
    "get_config",
    "list_models",
    "pretrained_models",
    "register_preset",
    *_LAZY_ATTRIBUTES,
]
