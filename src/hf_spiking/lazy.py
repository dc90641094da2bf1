"""PEP 562 lazy exports derived from the modules' ``__all__``, as transformers' ``define_import_structure`` does.

A package calls ``__getattr__, __dir__ = lazy_exports(globals())``: its public names are the ``__all__`` of
every module beside its ``__init__.py``, read statically (nothing is imported), and a module is imported when one of
its names is first used. ``__all__`` itself is resolved on first access, so importing the package parses nothing.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any


def _static_all(path: Path) -> list[str]:
    """The literal ``__all__`` of a module file (empty when it has none)."""
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return []


@cache
def package_exports(package_file: str) -> dict[str, str]:
    """``{public name: ".module"}`` for every module file beside ``package_file`` (the package's ``__init__.py``).

    A name exported by two modules is an error: one name, one home.
    """
    exports: dict[str, str] = {}
    for path in sorted(Path(package_file).parent.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for name in _static_all(path):
            if name in exports:
                raise ImportError(f"{name!r} is exported by both {exports[name]} and .{path.stem} in {path.parent}")
            exports[name] = f".{path.stem}"
    return exports


def lazy_exports(package_globals: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` for the package whose ``globals()`` are given, exporting its
    modules' ``__all__`` lazily."""
    package, package_file = package_globals["__name__"], package_globals["__file__"]

    def __getattr__(name: str) -> Any:
        exports = package_exports(package_file)
        if name == "__all__":
            return list(exports)
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module_name, package), name)

    def __dir__() -> list[str]:
        return sorted({*package_globals, *package_exports(package_file)})

    return __getattr__, __dir__


__all__ = ["lazy_exports", "package_exports"]
