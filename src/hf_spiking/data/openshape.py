"""OpenShape's zero-shot evaluation files (Colin97/OpenShape_code ``src/data.py``, ``src/configs/train.yaml`` and its
README) for ModelNet40, Objaverse-LVIS and ScanObjectNN, read into
:class:`~hf_spiking.data.point_clouds.PointCloudDataset` items (y-up sources are swapped to z-up).

* ModelNet40: ``<meta_data>/modelnet40/test_split.json`` (list of ``{"name", "category"}``) and ``test_pc.npy``,
  a *pickled* object array of ``{"xyz": [n, 3], "rgb": [n, 3] in 0..255}`` dicts, y-up.
* Objaverse-LVIS: ``<meta_data>/split/lvis.json`` (list of ``{"uid", "category", "group", "data_path"}``) and one
  *pickled* ``.npy`` dict per object with ``xyz`` [n, 3] and ``rgb`` [n, 3] in [0, 1], y-up. Class order: the
  sorted unique categories (1,156 in the release).
* ScanObjectNN: ``<meta_data>/scanobjectnn/xyz_label.npy``, a *pickled* dict with ``xyz`` (n clouds of [m, 3]),
  ``label`` (n ints in OpenShape's 15-class order) and optionally ``rgb``, y-up.
* Class embeddings (:func:`load_openshape_class_embeddings`): the OpenCLIP ViT-bigG-14 text features of each class
  name averaged over prompt templates, 1280-d: ``modelnet40/cat_name_pt_feat.npy`` and
  ``scanobjectnn/cat_name_pt_feat.npy`` are *pickled* dicts ``{category: {"open_clip_text_feat": (1, 1280)}}``,
  ``lvis_cat_name_pt_feat.npy`` is a plain (1156, 1280) array in the sorted-category order.

Pickled files can run code when loaded, so these readers refuse them unless called with ``allow_pickle=True``:
pass it only for files you trust (the official release).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .modelnet import MODELNET40_CLASSES
from .point_clouds import PointCloudDataset, check_reader_arguments, finish_cloud, subsample_points

SCANOBJECTNN_CLASSES = (
    "bag", "bin", "box", "cabinet", "chair", "desk", "display", "door", "shelf", "table", "bed", "pillow", "sink",
    "sofa", "toilet",
)  # fmt: skip  # OpenShape's label order for xyz_label.npy


def _require_pickle_opt_in(allow_pickle: bool, what: str) -> None:
    if not allow_pickle:
        raise ValueError(
            f"{what} is a pickled numpy file, and unpickling can execute code. Pass allow_pickle=True only if you "
            "trust the file (e.g. OpenShape's official meta_data release)."
        )


def load_openshape_modelnet40(
    meta_data: str | Path,
    num_points: int = 8192,
    *,
    allow_pickle: bool = False,
    seed: int = 0,
    class_names: tuple[str, ...] = MODELNET40_CLASSES,
    up_axis: str = "y",
) -> PointCloudDataset:
    """OpenShape's ModelNet40 test set: ``meta_data/modelnet40/{test_split.json, test_pc.npy}``.

    ``test_pc.npy`` is pickled: requires ``allow_pickle=True``. rgb is stored in 0..255 and divided by 255, as
    OpenShape does; clouds are y-up and swapped to z-up (``up_axis="y"``).
    """
    check_reader_arguments(num_points, up_axis)
    folder = Path(meta_data) / "modelnet40"
    split = json.loads((folder / "test_split.json").read_text())
    _require_pickle_opt_in(allow_pickle, str(folder / "test_pc.npy"))
    clouds = np.load(folder / "test_pc.npy", allow_pickle=True)
    if len(clouds) != len(split):
        raise ValueError(f"test_pc.npy holds {len(clouds)} clouds but test_split.json lists {len(split)} shapes")
    class_names = list(class_names)
    unknown = sorted({entry["category"] for entry in split} - set(class_names))
    if unknown:
        raise ValueError(f"categories {unknown} in test_split.json are not in class_names")

    def load_item(index: int) -> np.ndarray:
        cloud = clouds[index]
        xyz, rgb = subsample_points(cloud["xyz"], cloud.get("rgb"), num_points, np.random.default_rng([seed, index]))
        return finish_cloud(xyz, None if rgb is None else np.asarray(rgb, dtype=np.float64) / 255.0, swap_yz=up_axis == "y")

    labels = np.array([class_names.index(entry["category"]) for entry in split])
    return PointCloudDataset(class_names, labels, load_item, [entry["name"] for entry in split])


def load_openshape_objaverse_lvis(
    meta_data: str | Path,
    num_points: int = 8192,
    *,
    data_root: str | Path | None = None,
    allow_pickle: bool = False,
    seed: int = 0,
    up_axis: str = "y",
) -> PointCloudDataset:
    """OpenShape's Objaverse-LVIS set: ``meta_data/split/lvis.json`` plus one pickled ``.npy`` dict per object.

    Each entry's ``data_path`` is resolved against ``data_root`` (default: the parent of ``meta_data``, where
    OpenShape's download places both). The per-object files are pickled: requires ``allow_pickle=True``.
    Classes are the sorted unique categories of the split; rgb is already in [0, 1].
    """
    check_reader_arguments(num_points, up_axis)
    meta_data = Path(meta_data)
    split = json.loads((meta_data / "split" / "lvis.json").read_text())
    _require_pickle_opt_in(allow_pickle, "each Objaverse-LVIS object file")
    data_root = meta_data.parent if data_root is None else Path(data_root)
    class_names = sorted({entry["category"] for entry in split})

    def load_item(index: int) -> np.ndarray:
        path = Path(split[index]["data_path"])
        data = np.load(path if path.is_absolute() else data_root / path, allow_pickle=True).item()
        xyz, rgb = subsample_points(data["xyz"], data.get("rgb"), num_points, np.random.default_rng([seed, index]))
        return finish_cloud(xyz, rgb, swap_yz=up_axis == "y")

    labels = np.array([class_names.index(entry["category"]) for entry in split])
    return PointCloudDataset(class_names, labels, load_item, [entry["uid"] for entry in split])


def load_openshape_scanobjectnn(
    meta_data: str | Path,
    num_points: int = 8192,
    *,
    allow_pickle: bool = False,
    seed: int = 0,
    up_axis: str = "y",
) -> PointCloudDataset:
    """OpenShape's ScanObjectNN test set: ``meta_data/scanobjectnn/xyz_label.npy`` (pickled dict; requires
    ``allow_pickle=True``). Without an ``rgb`` entry the points get the missing-colour grey, as in SVL/OpenShape."""
    check_reader_arguments(num_points, up_axis)
    path = Path(meta_data) / "scanobjectnn" / "xyz_label.npy"
    _require_pickle_opt_in(allow_pickle, str(path))
    data = np.load(path, allow_pickle=True).item()
    if "xyz" not in data or "label" not in data:
        raise ValueError(f"{path} must hold a dict with 'xyz' and 'label' entries, got keys {sorted(data)}")
    labels = np.asarray(data["label"], dtype=np.int64).reshape(-1)
    if len(labels) != len(data["xyz"]) or labels.min() < 0 or labels.max() >= len(SCANOBJECTNN_CLASSES):
        raise ValueError(f"{path}: need one label in [0, 15) per cloud, got {len(labels)} labels for {len(data['xyz'])} clouds")

    def load_item(index: int) -> np.ndarray:
        rgb = data["rgb"][index] if "rgb" in data else None
        xyz, rgb = subsample_points(np.asarray(data["xyz"][index]), rgb, num_points, np.random.default_rng([seed, index]))
        return finish_cloud(xyz, rgb, swap_yz=up_axis == "y")

    return PointCloudDataset(list(SCANOBJECTNN_CLASSES), labels, load_item, [str(i) for i in range(len(labels))])


OPENSHAPE_CLASS_EMBEDDINGS = {
    "modelnet40": "modelnet40/cat_name_pt_feat.npy",
    "objaverse-lvis": "lvis_cat_name_pt_feat.npy",
    "scanobjectnn": "scanobjectnn/cat_name_pt_feat.npy",
}


def read_class_embeddings(path: str | Path, *, allow_pickle: bool = False) -> tuple[list[str] | None, np.ndarray]:
    """(class names, float32 [K, D]) from a class-embedding ``.npy``: a plain [K, D] array (no names: ``None``) or
    OpenShape's pickled ``{name: {"open_clip_text_feat": [1, D]}}`` dict (names in the dict's order), which needs
    ``allow_pickle=True``. A plain array is read without unpickling whatever ``allow_pickle`` says."""
    path = Path(path)
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError:  # numpy refuses object arrays without allow_pickle
        _require_pickle_opt_in(allow_pickle, str(path))
        data = np.load(path, allow_pickle=True)
    if data.dtype != object:
        if data.ndim != 2:
            raise ValueError(f"{path} must hold a [num_classes, dim] array of class embeddings, got shape {data.shape}")
        return None, data.astype(np.float32)
    table = data.item() if data.shape == () else None
    if not isinstance(table, dict) or not table:
        raise ValueError(f"{path} must hold a [num_classes, dim] array or a non-empty {{class name: features}} dict")
    names = [str(name) for name in table]
    rows = [value["open_clip_text_feat"] if isinstance(value, dict) else value for value in table.values()]
    return names, np.stack([np.asarray(row, dtype=np.float32).reshape(-1) for row in rows])


def load_openshape_class_embeddings(
    meta_data: str | Path, dataset: str, *, allow_pickle: bool = False
) -> tuple[list[str], np.ndarray]:
    """(class names, float32 [K, 1280]) of an OpenShape zero-shot benchmark, rows in the class order of its reader
    here (ModelNet40: ``MODELNET40_CLASSES``; Objaverse-LVIS: sorted categories of ``split/lvis.json``;
    ScanObjectNN: ``SCANOBJECTNN_CLASSES``). ``dataset``: one of ``OPENSHAPE_CLASS_EMBEDDINGS``."""
    if dataset not in OPENSHAPE_CLASS_EMBEDDINGS:
        raise ValueError(f"dataset must be one of {sorted(OPENSHAPE_CLASS_EMBEDDINGS)}, got {dataset!r}")
    meta_data = Path(meta_data)
    path = meta_data / OPENSHAPE_CLASS_EMBEDDINGS[dataset]
    names, features = read_class_embeddings(path, allow_pickle=allow_pickle)
    if dataset == "objaverse-lvis":
        class_names = sorted({entry["category"] for entry in json.loads((meta_data / "split" / "lvis.json").read_text())})
        if names is None:
            names = class_names
    else:
        class_names = list(MODELNET40_CLASSES if dataset == "modelnet40" else SCANOBJECTNN_CLASSES)
    if names is None or len(names) != len(features) or sorted(names) != sorted(class_names):
        raise ValueError(
            f"{path} holds {len(features)} class embeddings for classes {names if names is None else sorted(names)[:5]}..., "
            f"expected one per class of {dataset} ({len(class_names)}: {class_names[:5]}...)"
        )
    order = [names.index(name) for name in class_names]
    return class_names, features[order]


__all__ = [
    "OPENSHAPE_CLASS_EMBEDDINGS",
    "SCANOBJECTNN_CLASSES",
    "load_openshape_class_embeddings",
    "load_openshape_modelnet40",
    "load_openshape_objaverse_lvis",
    "load_openshape_scanobjectnn",
    "read_class_embeddings",
]
