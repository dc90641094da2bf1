"""A timm-style registry of named presets: ``create_model("svl-e3dsnn-h")`` builds a paper variant from its config.

Each model family registers its presets in ``hf_spiking/models/<family>/presets.py`` with :func:`register_preset`.
Those modules are imported on the first lookup, so ``import hf_spiking`` stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PRESET_MODULES = (
    "hf_spiking.models.spiking_point_encoder.presets",
    "hf_spiking.models.trevsnn.presets",
    "hf_spiking.models.lvc.presets",
)


@dataclass(frozen=True)
class ModelPreset:
    """One named variant: the config class and keyword arguments that define it, and the model class to build.

    ``pretrained_path`` returns a local folder with ``config.json`` and ``model.safetensors`` when weights ship with
    the package (nothing is ever downloaded).
    """

    name: str
    config_class: type
    model_class: type
    config_kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    pretrained_path: Callable[[], Path] | None = None


_PRESETS: dict[str, ModelPreset] = {}
_loaded = False


def register_preset(preset: ModelPreset) -> ModelPreset:
    """Adds a preset; a second registration of the same name must be identical (safe on re-import)."""
    existing = _PRESETS.get(preset.name)
    if existing is not None and existing != preset:
        raise ValueError(f"A different preset named {preset.name!r} is already registered.")
    _PRESETS[preset.name] = preset
    return preset


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        for module in _PRESET_MODULES:
            importlib.import_module(module)
        _loaded = True


def get_preset(name: str) -> ModelPreset:
    _ensure_loaded()
    try:
        return _PRESETS[name]
    except KeyError:
        raise ValueError(f"Unknown model preset {name!r}. Available presets: {', '.join(list_models())}.") from None


def list_models(pattern: str | None = None) -> list[str]:
    """Sorted preset names, optionally filtered by a substring or ``fnmatch`` pattern (``"svl-*"``)."""
    import fnmatch

    _ensure_loaded()
    names = sorted(_PRESETS)
    if pattern is None:
        return names
    if any(ch in pattern for ch in "*?["):
        return [n for n in names if fnmatch.fnmatch(n, pattern)]
    return [n for n in names if pattern in n]


def get_config(name: str, **overrides: Any):
    """The config of preset ``name`` with keyword ``overrides`` applied (validated by the config class)."""
    preset = get_preset(name)
    return preset.config_class(**{**preset.config_kwargs, **overrides})


def create_model(name: str, pretrained: bool = False, **overrides: Any):
    """Builds preset ``name`` with random weights, or with its shipped weights when ``pretrained=True``."""
    preset = get_preset(name)
    if not pretrained:
        return preset.model_class(get_config(name, **overrides))
    if preset.pretrained_path is None:
        raise ValueError(f"Preset {name!r} has no shipped weights; presets with weights: {pretrained_models()}.")
    return preset.model_class.from_pretrained(preset.pretrained_path(), **overrides)


def pretrained_models() -> list[str]:
    _ensure_loaded()
    return sorted(n for n, p in _PRESETS.items() if p.pretrained_path is not None)


__all__ = ["ModelPreset", "create_model", "get_config", "get_preset", "list_models", "pretrained_models", "register_preset"]
