"""Zero-shot evaluation sets as released: ModelNet40 ``.off`` meshes and OpenShape's evaluation files for
ModelNet40, Objaverse-LVIS and ScanObjectNN.

Every loader returns a :class:`PointCloudDataset`: a sequence of ``(points, label)`` with ``points`` float32
[num_points, 6] (xyz centred on the centroid and scaled into the unit sphere, z up; rgb in [0, 1], grey 0.4 where
the source has no colour) and ``label`` an index into ``dataset.class_names``. Subsampling and mesh sampling are
seeded per item, so ``dataset[i]`` is the same array every time.

Layouts (OpenShape's from Colin97/OpenShape_code ``src/data.py``, ``src/configs/train.yaml`` and its README):

* ModelNet40 as released (Princeton): ``<root>/<class>/{train,test}/<class>_<id>.off``; meshes are z-up. Some files
  fuse the header with the counts ("OFF490 518 0"); faces may be polygons (fan-triangulated here).
* OpenShape ModelNet40: ``<meta_data>/modelnet40/test_split.json`` (list of ``{"name", "category"}``) and
  ``test_pc.npy``, a *pickled* object array of ``{"xyz": [n, 3], "rgb": [n, 3] in 0..255}`` dicts, y-up.
* OpenShape Objaverse-LVIS: ``<meta_data>/split/lvis.json`` (list of ``{"uid", "category", "group",
  "data_path"}``) and one *pickled* ``.npy`` dict per object with ``xyz`` [n, 3] and ``rgb`` [n, 3] in [0, 1], y-up.
  Class order: the sorted unique categories (1,156 in the release).
* OpenShape ScanObjectNN: ``<meta_data>/scanobjectnn/xyz_label.npy``, a *pickled* dict with ``xyz`` (n clouds of
  [m, 3]), ``label`` (n ints in OpenShape's 15-class order) and optionally ``rgb``, y-up.

Pickled files can run code when loaded, so the OpenShape loaders refuse them unless called with
``allow_pickle=True``: pass it only for files you trust (the official release).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .shapes.geometry import SurfaceSampler, normalize_to_unit_sphere

MISSING_COLOR = 0.4  # OpenShape's grey for colourless points
MODELNET40_CLASSES = (
    "airplane", "bathtub", "bed", "bench", "bookshelf", "bottle", "bowl", "car", "chair", "cone", "cup", "curtain",
    "desk", "door", "dresser", "flower_pot", "glass_box", "guitar", "keyboard", "lamp", "laptop", "mantel", "monitor",
    "night_stand", "person", "piano", "plant", "radio", "range_hood", "sink", "sofa", "stairs", "stool", "table",
    "tent", "toilet", "tv_stand", "vase", "wardrobe", "xbox",
)  # fmt: skip
SCANOBJECTNN_CLASSES = (
    "bag", "bin", "box", "cabinet", "chair", "desk", "display", "door", "shelf", "table", "bed", "pillow", "sink",
    "sofa", "toilet",
)  # fmt: skip  # OpenShape's label order for xyz_label.npy


@dataclass
class PointCloudDataset:
    """A lazily loaded evaluation set: ``dataset[i]`` -> (points float32 [num_points, 6], label int)."""

    class_names: list[str]
    labels: np.ndarray
    load_item: Callable[[int], np.ndarray]
    names: list[str]

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} items")
        index = index % len(self)
        return self.load_item(index), int(self.labels[index])

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def prompt_names(self) -> list[str]:
        """Class names as words for text prompts ("flower_pot" -> "flower pot")."""
        return [name.replace("_", " ") for name in self.class_names]


def read_off(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read an OFF mesh: (vertices float64 [V, 3], triangles int64 [F, 3]); polygons are fan-triangulated.

    Accepts the standard header and ModelNet's fused variant ("OFF490 518 0"), and ``#`` comments.
    """
    text = Path(path).read_text(encoding="ascii", errors="replace")
    tokens = " ".join(line.split("#", 1)[0] for line in text.splitlines()).split()
    if not tokens or not tokens[0].startswith("OFF"):
        raise ValueError(f"{path}: not an OFF file (expected a first token starting with 'OFF', got {tokens[:1]})")
    fused = tokens[0][3:]
    tokens = ([fused] if fused else []) + tokens[1:]
    try:
        num_vertices, num_faces = int(tokens[0]), int(tokens[1])
    except (IndexError, ValueError):
        raise ValueError(f"{path}: OFF header must give vertex, face and edge counts, got {tokens[:3]}") from None
    start = 3
    end = start + 3 * num_vertices
    if len(tokens) < end:
        raise ValueError(f"{path}: OFF file declares {num_vertices} vertices but is truncated")
    vertices = np.asarray(tokens[start:end], dtype=np.float64).reshape(num_vertices, 3)
    face_tokens = np.asarray(tokens[end:], dtype=np.int64)
    if face_tokens.size == 4 * num_faces and (face_tokens[::4] == 3).all():
        triangles = face_tokens.reshape(num_faces, 4)[:, 1:]
    else:
        triangles = _triangulate_polygons(face_tokens, num_faces, path)
    if triangles.size and (triangles.min() < 0 or triangles.max() >= num_vertices):
        raise ValueError(f"{path}: face index out of range for {num_vertices} vertices")
    return vertices, triangles


def _triangulate_polygons(face_tokens: np.ndarray, num_faces: int, path) -> np.ndarray:
    triangles = []
    position = 0
    for _ in range(num_faces):
        if position >= face_tokens.size:
            raise ValueError(f"{path}: OFF file declares {num_faces} faces but is truncated")
        size = int(face_tokens[position])
        polygon = face_tokens[position + 1 : position + 1 + size]
        triangles.extend((polygon[0], polygon[k], polygon[k + 1]) for k in range(1, size - 1))
        position += 1 + size  # any trailing per-face colour values are not supported by ModelNet and not expected
    return np.asarray(triangles, dtype=np.int64).reshape(-1, 3)


def sample_mesh(vertices: np.ndarray, triangles: np.ndarray, num_points: int, rng: np.random.Generator) -> np.ndarray:
    """Area-weighted uniform surface samples of a mesh, float64 [num_points, 3]."""
    return SurfaceSampler(vertices[triangles]).sample(num_points, rng)[0]


def _finish(xyz: np.ndarray, rgb: np.ndarray | None, *, swap_yz: bool) -> np.ndarray:
    """Normalise into the unit sphere (z up) and attach colour (grey where missing) -> float32 [N, 6]."""
    xyz = np.asarray(xyz, dtype=np.float64)
    if xyz.ndim != 2 or xyz.shape[1] != 3 or len(xyz) == 0:
        raise ValueError(f"point clouds must have shape [N>0, 3], got {xyz.shape}")
    if swap_yz:
        xyz = xyz[:, [0, 2, 1]]
    xyz = normalize_to_unit_sphere(xyz)[0]
    rgb = np.full_like(xyz, MISSING_COLOR) if rgb is None else np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    return np.concatenate([xyz, rgb], axis=1).astype(np.float32)


def _subsample(xyz: np.ndarray, rgb: np.ndarray | None, num_points: int, rng: np.random.Generator):
    """Exactly ``num_points`` points: a random subset, or with repeats when the cloud is smaller."""
    n = len(xyz)
    if n == num_points:
        return xyz, rgb
    index = rng.choice(n, num_points, replace=n < num_points)
    return xyz[index], None if rgb is None else rgb[index]


def _check_common(num_points: int, up_axis: str) -> None:
    if num_points < 1:
        raise ValueError(f"num_points must be a positive integer, got {num_points}")
    if up_axis not in ("y", "z"):
        raise ValueError(f"up_axis must be 'y' or 'z' (the source's gravity axis), got {up_axis!r}")


def _require_pickle_opt_in(allow_pickle: bool, what: str) -> None:
    if not allow_pickle:
        raise ValueError(
            f"{what} is a pickled numpy file, and unpickling can execute code. Pass allow_pickle=True only if you "
            "trust the file (e.g. OpenShape's official meta_data release)."
        )


def load_modelnet40_off(
    root: str | Path,
    split: str = "test",
    num_points: int = 8192,
    *,
    seed: int = 0,
    class_names: tuple[str, ...] = MODELNET40_CLASSES,
    up_axis: str = "z",
) -> PointCloudDataset:
    """ModelNet40 as released: ``root/<class>/<split>/<class>_<id>.off``, sampled lazily (area-weighted).

    Labels index ``class_names`` (the 40 classes in alphabetical order by default), so a partial copy keeps the
    official label indices. Colour is the missing-colour grey.
    """
    _check_common(num_points, up_axis)
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"ModelNet40 root {root} is not a directory (expected <root>/<class>/{split}/*.off)")
    class_names = list(class_names)
    folders = sorted(p for p in root.iterdir() if (p / split).is_dir())
    unknown = [p.name for p in folders if p.name not in class_names]
    if unknown:
        raise ValueError(f"class folders {unknown} under {root} are not in class_names")
    files = [(f, class_names.index(folder.name)) for folder in folders for f in sorted((folder / split).glob("*.off"))]
    if not files:
        raise ValueError(f"no .off files found under {root}/<class>/{split}/")

    def load_item(index: int) -> np.ndarray:
        vertices, triangles = read_off(files[index][0])
        xyz = sample_mesh(vertices, triangles, num_points, np.random.default_rng([seed, index]))
        return _finish(xyz, None, swap_yz=up_axis == "y")

    return PointCloudDataset(class_names, np.array([label for _, label in files]), load_item, [f.stem for f, _ in files])


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
    _check_common(num_points, up_axis)
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
        xyz, rgb = _subsample(cloud["xyz"], cloud.get("rgb"), num_points, np.random.default_rng([seed, index]))
        return _finish(xyz, None if rgb is None else np.asarray(rgb, dtype=np.float64) / 255.0, swap_yz=up_axis == "y")

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
    _check_common(num_points, up_axis)
    meta_data = Path(meta_data)
    split = json.loads((meta_data / "split" / "lvis.json").read_text())
    _require_pickle_opt_in(allow_pickle, "each Objaverse-LVIS object file")
    data_root = meta_data.parent if data_root is None else Path(data_root)
    class_names = sorted({entry["category"] for entry in split})

    def load_item(index: int) -> np.ndarray:
        path = Path(split[index]["data_path"])
        data = np.load(path if path.is_absolute() else data_root / path, allow_pickle=True).item()
        xyz, rgb = _subsample(data["xyz"], data.get("rgb"), num_points, np.random.default_rng([seed, index]))
        return _finish(xyz, rgb, swap_yz=up_axis == "y")

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
    _check_common(num_points, up_axis)
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
        xyz, rgb = _subsample(np.asarray(data["xyz"][index]), rgb, num_points, np.random.default_rng([seed, index]))
        return _finish(xyz, rgb, swap_yz=up_axis == "y")

    return PointCloudDataset(list(SCANOBJECTNN_CLASSES), labels, load_item, [str(i) for i in range(len(labels))])


__all__ = [
    "MISSING_COLOR",
    "MODELNET40_CLASSES",
    "PointCloudDataset",
    "SCANOBJECTNN_CLASSES",
    "load_modelnet40_off",
    "load_openshape_modelnet40",
    "load_openshape_objaverse_lvis",
    "load_openshape_scanobjectnn",
    "read_off",
    "sample_mesh",
]
