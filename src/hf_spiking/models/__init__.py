"""Model families. Each family package lists its public names in ``__all__`` (exported lazily) and declares
``MODEL_TYPES`` and ``PIPELINES`` for :func:`hf_spiking.auto_registration.register_lazily`."""

import importlib

FAMILIES = ("spiking_point_encoder", "spiking_point_llm", "trevsnn", "lvc", "phi3_v")


def family_modules():
    return [importlib.import_module(f"{__name__}.{family}") for family in FAMILIES]


def register_auto_classes() -> None:
    """Registers every family's model types with the transformers Auto* classes and its pipelines with
    ``PIPELINE_REGISTRY``, lazily (see :mod:`hf_spiking.auto_registration`)."""
    from ..auto_registration import register_lazily

    families = family_modules()
    register_lazily(
        tuple(registration for family in families for registration in family.MODEL_TYPES),
        tuple(registration for family in families for registration in family.PIPELINES),
    )
