"""A timm-style registry of named presets: ``create_model("svl-e3dsnn-h")`` builds a paper variant from its config.

Each model family in :data:`hf_spiking.models.FAMILIES` may declare its presets as a ``PRESETS`` tuple of
:class:`ModelPreset` in ``hf_spiking/models/<family>/presets.py``; those modules are read on the first lookup, so
``import hf_spiking`` stays cheap. Users add their own with :func:`register_preset`.

Names follow one rule: ``<family>-<variant>-<size>``, the last segment being the size, a paper size (``t``, ``s``,
``l``, ``h``, ``tiny``, ``small``) or ``test`` for the tiny configurations that tests and examples use
(``list_models(test_size=True)``). A shipped checkpoint is named after what it is (``svl-default``). Renamed presets keep their
old names as deprecated aliases.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEST_SIZE = "test"


@dataclass(frozen=True)
class ModelPreset:
    """One named variant: the config class and keyword arguments that define it, and the model class to build.

    ``pretrained_path`` returns a local folder with ``config.json`` and ``model.safetensors`` when weights ship with
    the package (nothing is ever downloaded). ``deprecated_aliases`` are former names that still resolve, with a
    ``FutureWarning``.
    """

    name: str
    config_class: type
    model_class: type
    config_kwargs: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    pretrained_path: Callable[[], Path] | None = None
    deprecated_aliases: tuple[str, ...] = ()

    @property
    def is_test_size(self) -> bool:
        return self.name.rsplit("-", 1)[-1] == TEST_SIZE


_PRESETS: dict[str, ModelPreset] = {}
_ALIASES: dict[str, str] = {}
_loaded = False


def register_preset(preset: ModelPreset) -> ModelPreset:
    """Adds a preset; a second registration of the same name must be identical (safe on re-import)."""
    existing = _PRESETS.get(preset.name)
    if existing is not None and existing != preset:
        raise ValueError(f"A different preset named {preset.name!r} is already registered.")
    for alias in preset.deprecated_aliases:
        if _ALIASES.get(alias, preset.name) != preset.name or alias in _PRESETS:
            raise ValueError(f"Preset alias {alias!r} of {preset.name!r} is already a name of another preset.")
    _PRESETS[preset.name] = preset
    _ALIASES.update(dict.fromkeys(preset.deprecated_aliases, preset.name))
    return preset


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    from .models import FAMILIES

    for family in FAMILIES:
        module_name = f"{__package__}.models.{family}.presets"
        if importlib.util.find_spec(module_name) is not None:
            for preset in importlib.import_module(module_name).PRESETS:
                register_preset(preset)
    _loaded = True


def get_preset(name: str) -> ModelPreset:
    _ensure_loaded()
    if name in _ALIASES:
        warnings.warn(
            f"The preset name {name!r} is deprecated; use {_ALIASES[name]!r}.", FutureWarning, stacklevel=3
        )
        name = _ALIASES[name]
    try:
        return _PRESETS[name]
    except KeyError:
        raise ValueError(f"Unknown model preset {name!r}. Available presets: {', '.join(list_models())}.") from None


def list_models(pattern: str | None = None, *, test_size: bool | None = None) -> list[str]:
    """Sorted preset names, optionally filtered by a substring or ``fnmatch`` pattern (``"svl-*"``); ``test_size``
    keeps only the test-sized presets (``True``) or only the others (``False``). Deprecated aliases are not listed."""
    import fnmatch

    _ensure_loaded()
    names = sorted(n for n, p in _PRESETS.items() if test_size is None or p.is_test_size == test_size)
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
        return preset.model_class(preset.config_class(**{**preset.config_kwargs, **overrides}))
    if preset.pretrained_path is None:
        raise ValueError(f"Preset {name!r} has no shipped weights; presets with weights: {pretrained_models()}.")
    return preset.model_class.from_pretrained(preset.pretrained_path(), **overrides)


# Commas inside brackets belong to a list value ("hidden_sizes=[16,32,64,96]"), not to the pair separator.
_OVERRIDE_SEPARATOR = re.compile(r",(?![^\[]*\])")


def apply_config_overrides(config, overrides: str):
    """Applies ``"key=value,key=value"`` to ``config`` in place, as ``config.update_from_string`` does (the value takes
    the type of the current one), and also for list-valued keys written in brackets (``hidden_sizes=[16,32,64,96]``),
    which ``update_from_string`` refuses. Unknown keys and malformed lists raise, naming the pair."""
    scalars = []
    for pair in filter(None, _OVERRIDE_SEPARATOR.split(overrides)):
        key, sep, value = pair.partition("=")
        current = getattr(config, key, None)
        if not sep or not isinstance(current, (list, tuple)):
            scalars.append(pair)
            continue
        try:
            items = json.loads(value)
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            example = json.dumps(list(current)).replace(" ", "")
            raise ValueError(f"config override {pair!r}: {key} is a list; write it as {key}=[a,b,...], e.g. {key}={example}")
        setattr(config, key, type(current)(items))
    if scalars:
        config.update_from_string(",".join(scalars))
    if hasattr(config, "validate"):
        config.validate()
    return config


def pretrained_models() -> list[str]:
    _ensure_loaded()
    return sorted(n for n, p in _PRESETS.items() if p.pretrained_path is not None)


__all__ = [
    "ModelPreset",
    "apply_config_overrides",
    "create_model",
    "get_config",
    "get_preset",
    "list_models",
    "pretrained_models",
    "register_preset",
]
