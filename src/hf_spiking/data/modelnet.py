"""ModelNet40 (Princeton; academic research use, cite Wu et al., CVPR 2015) read into
:class:`~hf_spiking.data.point_clouds.PointCloudDataset` items (grey colour, labels in the alphabetical 40-class order):

- as released, ``<root>/<class>/{train,test}/<class>_<id>.off`` meshes, z-up, sampled by area
  (:func:`load_modelnet40_off`; some files fuse the header with the counts, "OFF490 518 0", and faces may be polygons,
  fan-triangulated here);
- as pre-sampled point clouds, ``<root>/<class>/{train,test}/<class>_<id>.npy``, one plain float array ``[N, 3]`` per
  shape (:func:`load_modelnet40_npy`), the layout of e.g. the public ``prasadsawant5/PointNet`` repository (1024 points,
  z-up, 9,843 train / 2,468 test shapes). Nothing is downloaded: pass the folder you have.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .arrays import load_plain_array
from .point_clouds import PointCloudDataset, check_reader_arguments, finish_cloud, subsample_points
from .synthetic_shapes.geometry import SurfaceSampler

MODELNET40_CLASSES = (
    "airplane", "bathtub", "bed", "bench", "bookshelf", "bottle", "bowl", "car", "chair", "cone", "cup", "curtain",
    "desk", "door", "dresser", "flower_pot", "glass_box", "guitar", "keyboard", "lamp", "laptop", "mantel", "monitor",
    "night_stand", "person", "piano", "plant", "radio", "range_hood", "sink", "sofa", "stairs", "stool", "table",
    "tent", "toilet", "tv_stand", "vase", "wardrobe", "xbox",
)  # fmt: skip


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
    if num_vertices < 0 or num_faces < 0:
        raise ValueError(f"{path}: OFF counts must be non-negative, got {num_vertices} vertices and {num_faces} faces")
    start = 3
    end = start + 3 * num_vertices
    if len(tokens) < end:
        raise ValueError(f"{path}: OFF file declares {num_vertices} vertices but is truncated")
    vertices = _numbers(tokens[start:end], np.float64, path, "vertex coordinates").reshape(num_vertices, 3)
    if not np.isfinite(vertices).all():
        raise ValueError(f"{path}: OFF vertex coordinates must be finite, found NaN or infinity")
    face_tokens = _numbers(tokens[end:], np.int64, path, "faces (a vertex count, then that many vertex indices)")
    if face_tokens.size == 4 * num_faces and (face_tokens[::4] == 3).all():
        triangles = face_tokens.reshape(num_faces, 4)[:, 1:]
    else:
        triangles = _triangulate_polygons(face_tokens, num_faces, path)
    if triangles.size and (triangles.min() < 0 or triangles.max() >= num_vertices):
        raise ValueError(f"{path}: face index out of range for {num_vertices} vertices")
    return vertices, triangles


def _numbers(tokens: list[str], dtype, path, what: str) -> np.ndarray:
    try:
        return np.asarray(tokens, dtype=dtype)
    except ValueError:
        raise ValueError(f"{path}: OFF {what} must be numbers of type {np.dtype(dtype).name}") from None


def _triangulate_polygons(face_tokens: np.ndarray, num_faces: int, path) -> np.ndarray:
    triangles = []
    position = 0
    for _ in range(num_faces):
        if position >= face_tokens.size:
            raise ValueError(f"{path}: OFF file declares {num_faces} faces but is truncated")
        size = int(face_tokens[position])
        if size < 3 or position + 1 + size > face_tokens.size:
            raise ValueError(
                f"{path}: OFF face {len(triangles)} has {size} vertices ({face_tokens.size - position - 1} values "
                "left); expected a polygon of at least 3 vertex indices"
            )
        polygon = face_tokens[position + 1 : position + 1 + size]
        triangles.extend((polygon[0], polygon[k], polygon[k + 1]) for k in range(1, size - 1))
        position += 1 + size  # any trailing per-face colour values are not supported by ModelNet and not expected
    return np.asarray(triangles, dtype=np.int64).reshape(-1, 3)


def sample_mesh(vertices: np.ndarray, triangles: np.ndarray, num_points: int, rng: np.random.Generator) -> np.ndarray:
    """Area-weighted uniform surface samples of a mesh, float64 [num_points, 3]."""
    return SurfaceSampler(vertices[triangles]).sample(num_points, rng)[0]


def _modelnet_files(root: str | Path, split: str, suffix: str, class_names) -> list[tuple[Path, int]]:
    """(file, label) of every ``root/<class>/<split>/*<suffix>``, labels indexing ``class_names``."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"ModelNet40 root {root} is not a directory (expected <root>/<class>/{split}/*{suffix})")
    class_names = list(class_names)
    folders = sorted(p for p in root.iterdir() if (p / split).is_dir())
    unknown = [p.name for p in folders if p.name not in class_names]
    if unknown:
        raise ValueError(f"class folders {unknown} under {root} are not in class_names")
    files = [(f, class_names.index(folder.name)) for folder in folders for f in sorted((folder / split).glob(f"*{suffix}"))]
    if not files:
        raise ValueError(f"no {suffix} files found under {root}/<class>/{split}/")
    return files


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
    check_reader_arguments(num_points, up_axis)
    files = _modelnet_files(root, split, ".off", class_names)

    def load_item(index: int) -> np.ndarray:
        path = files[index][0]
        vertices, triangles = read_off(path)
        if len(triangles) == 0:
            raise ValueError(f"{path}: the OFF mesh has no faces, so there is no surface to sample points from")
        try:
            xyz = sample_mesh(vertices, triangles, num_points, np.random.default_rng([seed, index]))
        except ValueError as error:  # zero total area
            raise ValueError(f"{path}: {error}") from None
        return finish_cloud(xyz, None, swap_yz=up_axis == "y", source=path)

    return PointCloudDataset(
        list(class_names), np.array([label for _, label in files]), load_item, [f.stem for f, _ in files]
    )


def read_point_array(path: str | Path) -> np.ndarray:
    """A plain ``.npy`` point array ``[N, >=3]`` (xyz first), float64; pickled or malformed files are refused."""
    array = load_plain_array(path, ".npy array")
    if array.ndim != 2 or array.shape[1] < 3 or len(array) == 0 or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{path}: expected a numeric point array of shape [N>0, >=3], got {array.dtype} {array.shape}")
    xyz = array[:, :3].astype(np.float64)
    if not np.isfinite(xyz).all():
        raise ValueError(f"{path}: the point array holds NaN or infinite coordinates")
    return xyz


def load_modelnet40_npy(
    root: str | Path,
    split: str = "test",
    num_points: int | None = None,
    *,
    seed: int = 0,
    class_names: tuple[str, ...] = MODELNET40_CLASSES,
    up_axis: str = "z",
) -> PointCloudDataset:
    """ModelNet40 as pre-sampled clouds: ``root/<class>/<split>/<class>_<id>.npy`` (plain float arrays ``[N, 3]``).

    Every stored point is kept unless ``num_points`` asks for a seeded random subset (or repeats, for more points
    than stored). Labels index ``class_names`` (alphabetical by default); colour is the missing-colour grey.
    """
    check_reader_arguments(1 if num_points is None else num_points, up_axis)
    files = _modelnet_files(root, split, ".npy", class_names)

    def load_item(index: int) -> np.ndarray:
        xyz = read_point_array(files[index][0])
        if num_points is not None:
            xyz, _ = subsample_points(xyz, None, num_points, np.random.default_rng([seed, index]))
        return finish_cloud(xyz, None, swap_yz=up_axis == "y", source=files[index][0])

    return PointCloudDataset(
        list(class_names), np.array([label for _, label in files]), load_item, [f.stem for f, _ in files]
    )


__all__ = [
    "MODELNET40_CLASSES",
    "load_modelnet40_npy",
    "load_modelnet40_off",
    "read_off",
    "read_point_array",
    "sample_mesh",
]
