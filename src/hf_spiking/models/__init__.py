"""Model families. Each family package exposes ``register_auto_classes()`` and lists its public names in ``__all__``."""

import importlib

FAMILIES = ("spiking_point_encoder", "trevsnn", "lvc")


def family_modules():
    return [importlib.import_module(f"{__name__}.{family}") for family in FAMILIES]


def register_auto_classes() -> None:
    """Registers every family's configs, models, processors and pipelines with the transformers Auto* classes."""
    for module in family_modules():
        module.register_auto_classes()
