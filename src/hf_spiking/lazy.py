"""PEP 562 lazy exports: a package lists ``{public name: relative module}`` and imports the module on first use."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """Returns a module-level ``__getattr__`` for ``package`` that imports ``exports[name]`` (a relative module name
    such as ``".modeling_trevsnn"``, resolved against ``package``) on demand."""

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module_name, package), name)

    return __getattr__


__all__ = ["lazy_getattr"]
