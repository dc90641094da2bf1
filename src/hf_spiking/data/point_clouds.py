"""What the point-cloud readers (:mod:`~hf_spiking.data.modelnet`, :mod:`~hf_spiking.data.openshape`) share: the
lazily loaded :class:`PointCloudDataset` and the convention every item follows -- float32 ``[num_points, 6]`` with
xyz centred on the centroid and scaled into the unit sphere (z up) and rgb in [0, 1] (``MISSING_COLOR`` grey where
the source has no colour). Subsampling is seeded per item, so ``dataset[i]`` is the same array every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .synthetic_shapes.geometry import normalize_to_unit_sphere

MISSING_COLOR = 0.4  # OpenShape's grey for colourless points


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

    def to_dataset(self):
        """The items as a ``datasets.Dataset`` with columns ``points`` (float32 ``[N, 6]``), ``label`` (a
        ``ClassLabel`` over ``class_names``) and ``name``, decoded now (for evaluation sets that fit in memory)."""
        import datasets

        features = datasets.Features(
            {
                "points": datasets.Array2D((None, 6), "float32"),
                "label": datasets.ClassLabel(names=list(self.class_names)),
                "name": datasets.Value("string"),
            }
        )
        rows = ({"points": points, "label": label, "name": name} for (points, label), name in zip(self, self.names))
        return datasets.Dataset.from_list(list(rows), features=features)

    @property
    def prompt_names(self) -> list[str]:
        """Class names as words for text prompts ("flower_pot" -> "flower pot")."""
        return [name.replace("_", " ") for name in self.class_names]


def finish_cloud(xyz: np.ndarray, rgb: np.ndarray | None, *, swap_yz: bool, source=None) -> np.ndarray:
    """Normalise into the unit sphere (z up) and attach colour (grey where missing) -> float32 [N, 6].

    The normalisation runs in float64 on a copy scaled by a power of two (exact, and normalisation is scale-free), so
    every finite magnitude is rescaled, 1e-30 as well as 1e300. NaN/inf values and a cloud with zero extent (one
    point, or every point identical: nothing to scale) raise a ValueError naming ``source`` (the file) when given."""
    prefix = f"{source}: " if source is not None else ""
    xyz = np.asarray(xyz, dtype=np.float64)
    if xyz.ndim != 2 or xyz.shape[1] != 3 or len(xyz) == 0:
        raise ValueError(f"{prefix}point clouds must have shape [N>0, 3], got {xyz.shape}")
    if not np.isfinite(xyz).all():
        raise ValueError(f"{prefix}the point cloud holds NaN or infinite coordinates; expected finite xyz")
    if (xyz == xyz[0]).all():
        raise ValueError(
            f"{prefix}the point cloud has zero extent (all {len(xyz)} points at {xyz[0].tolist()}); expected a shape "
            "with at least two distinct points"
        )
    if swap_yz:
        xyz = xyz[:, [0, 2, 1]]
    xyz = normalize_to_unit_sphere(np.ldexp(xyz, -np.frexp(np.abs(xyz).max())[1]))[0]
    if rgb is None:
        rgb = np.full_like(xyz, MISSING_COLOR)
    else:
        rgb = np.asarray(rgb, dtype=np.float64)
        if rgb.shape != xyz.shape or not np.isfinite(rgb).all():
            raise ValueError(f"{prefix}colours must be finite rgb values of shape {xyz.shape}, got {rgb.shape}")
        rgb = np.clip(rgb, 0.0, 1.0)
    return np.concatenate([xyz, rgb], axis=1).astype(np.float32)


def subsample_points(xyz: np.ndarray, rgb: np.ndarray | None, num_points: int, rng: np.random.Generator):
    """Exactly ``num_points`` points: a random subset, or with repeats when the cloud is smaller."""
    n = len(xyz)
    if n == num_points:
        return xyz, rgb
    index = rng.choice(n, num_points, replace=n < num_points)
    return xyz[index], None if rgb is None else rgb[index]


MAX_POINTS_PER_ITEM = 1 << 20
"""Most points a reader samples per item (100x the 10,000 of OpenShape's clouds): a bound on the work and memory of
one ``dataset[i]``."""


def check_reader_arguments(num_points: int, up_axis: str) -> None:
    """Rejects a ``num_points`` that is not an integer in [1, ``MAX_POINTS_PER_ITEM``] and an up axis but y or z."""
    if isinstance(num_points, bool) or not isinstance(num_points, (int, np.integer)) or not (
        1 <= num_points <= MAX_POINTS_PER_ITEM
    ):
        raise ValueError(f"num_points must be an integer from 1 to {MAX_POINTS_PER_ITEM:,}, got {num_points!r}")
    if up_axis not in ("y", "z"):
        raise ValueError(f"up_axis must be 'y' or 'z' (the source's gravity axis), got {up_axis!r}")


__all__ = [
    "MAX_POINTS_PER_ITEM",
    "MISSING_COLOR",
    "PointCloudDataset",
    "check_reader_arguments",
    "finish_cloud",
    "subsample_points",
]
