"""Model files shipped inside the package (no download needed): the default SVL zero-shot checkpoint, the fine-tuned
classifiers and sample clouds.

``default_model_path()`` is the folder of the default checkpoint, loadable with
``pipeline("zero-shot-3d-classification", model=default_model_path())`` or
``hf_spiking.create_model("svl-default", pretrained=True)``.
"""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_NAME = "svl-default"
CLASSIFIER_MODEL_NAME = "svl-modelnet40"  # the default of pipeline("point-cloud-classification")


def shipped_model_path(name: str) -> Path:
    """Folder of the checkpoint ``name`` shipped in the package (config, safetensors, preprocessing config, card)."""
    path = ASSETS_DIR / name
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"The shipped checkpoint is missing from {path}; reinstall hf_spiking (its package data was not installed)."
        )
    return path


def default_model_path() -> Path:
    """Folder of the shipped ``svl-default`` checkpoint (config, safetensors, feature-extractor config, card)."""
    return shipped_model_path(DEFAULT_MODEL_NAME)


def sample_clouds_dir() -> Path:
    """Folder of the bundled sample point clouds (``<category>.npy``, float32 [N, 6] xyz + rgb) used by the demo."""
    return default_model_path() / "samples"


__all__ = ["ASSETS_DIR", "CLASSIFIER_MODEL_NAME", "DEFAULT_MODEL_NAME", "default_model_path", "sample_clouds_dir", "shipped_model_path"]
