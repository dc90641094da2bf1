"""Point-cloud feature extractor for SVL encoders: files or arrays -> normalised, resampled ``point_values``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from transformers import BatchFeature
from transformers.feature_extraction_utils import FeatureExtractionMixin

from .grouping import farthest_point_sample

POINT_FILE_SUFFIXES = (".npy", ".npz", ".ply", ".obj", ".off", ".xyz", ".txt")
_MESH_SUFFIXES = (".ply", ".obj", ".off")
_NPZ_POINT_KEYS = ("points", "xyz", "pc", "point_cloud", "coords", "vertices")
_NPZ_COLOR_KEYS = ("colors", "rgb", "colours", "color")


# Feature-extractor argument -> the SpikingPointEncoderConfig field that records it.
PREPROCESSING_CONFIG_FIELDS = {
    "num_points": "num_points",
    "sampling": "point_sampling",
    "swap_yz": "swap_yz",
    "normalize": "normalize_points",
    "default_color": "default_color",
    "seed": "sampling_seed",
}


def _describe(source) -> str:
    return f"file {str(source)!r}" if isinstance(source, (str, os.PathLike)) else "point cloud"


class SpikingPointFeatureExtractor(FeatureExtractionMixin):
    r"""
    Prepares point clouds for [`SpikingPointEncoderModel`]: ``point_values`` of shape `[B, num_points, C]`.

    Each cloud is an array/tensor of shape `(N, 3)` (xyz) or `(N, 6)` (xyz + rgb), or a file path (`.npy`, `.npz`,
    `.ply`, `.obj`, `.off`, `.xyz`, `.txt`; meshes are sampled to points with `trimesh`, an optional dependency).
    Steps, as in SVL/OpenShape: optional y/z swap (y-up data), resampling to `num_points` (farthest-point sampling
    or seeded random choice; clouds with fewer points are padded by seeded random repeats), centring on the mean and
    scaling to the unit sphere, and colours: 0-255 colours are scaled to [0, 1], missing colours are filled with
    `default_color` (0.4 grey, the reference's value for colour-less data).

    Args:
        num_points: points per output cloud (8192 for the PointFormer, 10 000 for E-3DSNN in SVL); `None` keeps
            every point (then all clouds of a batch must have the same size).
        use_color: output 6 channels (xyz + rgb) when `True`, 3 (xyz) otherwise.
        sampling: `"fps"` (deterministic, start at index 0) or `"random"` (seeded by `seed`).
        fps_backend: `"torch"` (default, no extra dependency) or `"fpsample"` (faster for 8k+ points; optional).
        swap_yz: swap the y and z axes (SVL's `y_up` data).
        normalize: centre and scale each cloud to the unit sphere.
        default_color: grey level used when a cloud has no colour.
        seed: seed of the random sampling, padding and mesh surface sampling.
    """

    model_input_names = ["point_values"]

    def __init__(
        self,
        num_points: int | None = 8192,
        use_color: bool = True,
        sampling: str = "fps",
        fps_backend: str = "torch",
        swap_yz: bool = False,
        normalize: bool = True,
        default_color: float = 0.4,
        seed: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_points is not None and (not isinstance(num_points, int) or num_points < 1):
            raise ValueError(f"`num_points` must be a positive integer or None, got {num_points!r}.")
        if sampling not in ("fps", "random"):
            raise ValueError(f"`sampling` must be 'fps' or 'random', got {sampling!r}.")
        if fps_backend not in ("torch", "fpsample"):
            raise ValueError(f"`fps_backend` must be 'torch' or 'fpsample', got {fps_backend!r}.")
        self.num_points = num_points
        self.use_color = use_color
        self.sampling = sampling
        self.fps_backend = fps_backend
        self.swap_yz = swap_yz
        self.normalize = normalize
        self.default_color = default_color
        self.seed = seed

    @classmethod
    def from_model_config(cls, config) -> "SpikingPointFeatureExtractor":
        """The preprocessing a model was trained with, as recorded in its config (`num_points`, `point_sampling`,
        colour use = `in_channels == 6`, ...): what a model gets when it is used without its own feature extractor."""
        kwargs = {argument: getattr(config, field) for argument, field in PREPROCESSING_CONFIG_FIELDS.items()}
        return cls(use_color=config.in_channels == 6, **kwargs)

    def model_config_values(self) -> dict:
        """This preprocessing as model-config fields (``config.update(...)`` records it in a model's config.json)."""
        return {field: getattr(self, argument) for argument, field in PREPROCESSING_CONFIG_FIELDS.items()}

    # ---- reading -------------------------------------------------------------------------------------------------
    def load_point_cloud(self, path: str | os.PathLike) -> np.ndarray:
        """Reads a file into an `(N, 3)` or `(N, 6)` float array (meshes are surface-sampled to `num_points`)."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in POINT_FILE_SUFFIXES:
            raise ValueError(
                f"Unsupported point-cloud file {str(path)!r}: expected one of {', '.join(POINT_FILE_SUFFIXES)}."
            )
        if not path.is_file():
            raise ValueError(f"Point-cloud file {str(path)!r} does not exist.")
        try:
            if suffix == ".npy":
                return np.load(path, allow_pickle=False)
            if suffix == ".npz":
                return self._load_npz(path)
            if suffix in (".xyz", ".txt"):
                return self._load_text(path)
            return self._load_with_trimesh(path)
        except (OSError, ValueError, EOFError, KeyError, IndexError) as error:
            raise ValueError(f"Could not read point-cloud file {str(path)!r}: {error}") from error

    @staticmethod
    def _load_npz(path: Path) -> np.ndarray:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.keys())
            point_key = next((k for k in _NPZ_POINT_KEYS if k in archive), keys[0] if len(keys) == 1 else None)
            if point_key is None:
                raise ValueError(f"no point array found; expected one of the keys {_NPZ_POINT_KEYS}, got {keys}")
            points = np.asarray(archive[point_key])
            color_key = next((k for k in _NPZ_COLOR_KEYS if k in archive), None)
            if color_key is not None and points.ndim == 2 and points.shape[1] == 3:
                points = np.concatenate([points, np.asarray(archive[color_key], dtype=points.dtype)], axis=1)
        return points

    @staticmethod
    def _load_text(path: Path) -> np.ndarray:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
        delimiter = "," if "," in first else None
        return np.atleast_2d(np.loadtxt(path, delimiter=delimiter, dtype=np.float64))

    def _load_with_trimesh(self, path: Path) -> np.ndarray:
        try:
            import trimesh
        except ImportError as error:
            raise ImportError(
                f"Reading {str(path)!r} needs the optional dependency `trimesh` (pip install trimesh)."
            ) from error
        loaded = trimesh.load(str(path), process=False)
        if isinstance(loaded, trimesh.Scene):
            if not loaded.geometry:
                raise ValueError("the file holds no geometry")
            loaded = trimesh.util.concatenate(list(loaded.geometry.values()))
        if isinstance(loaded, trimesh.Trimesh) and len(loaded.faces) > 0:
            count = self.num_points or max(len(loaded.vertices), 1)
            points, _ = trimesh.sample.sample_surface(loaded, count, seed=self.seed)
            return np.asarray(points, dtype=np.float64)
        vertices = np.asarray(loaded.vertices, dtype=np.float64)
        colors = getattr(getattr(loaded, "visual", None), "vertex_colors", None)
        if colors is not None and len(colors) == len(vertices) and len(vertices) > 0:
            return np.concatenate([vertices, np.asarray(colors, dtype=np.float64)[:, :3]], axis=1)
        return vertices

    # ---- processing ----------------------------------------------------------------------------------------------
    def _as_array(self, cloud) -> tuple[np.ndarray, str]:
        if isinstance(cloud, (str, os.PathLike)):
            return self.load_point_cloud(cloud), _describe(cloud)
        if isinstance(cloud, torch.Tensor):
            cloud = cloud.detach().cpu().numpy()
        if not isinstance(cloud, np.ndarray):
            raise ValueError(
                f"A point cloud must be a numpy array or tensor of shape (N, 3) or (N, 6), or a file path; got "
                f"{type(cloud).__name__}."
            )
        return cloud, "point cloud"

    def _check(self, points: np.ndarray, what: str) -> np.ndarray:
        if points.ndim != 2 or points.shape[1] not in (3, 6):
            raise ValueError(f"The {what} has shape {tuple(points.shape)}; expected (N, 3) xyz or (N, 6) xyz + rgb.")
        if points.shape[0] == 0:
            raise ValueError(f"The {what} is empty (0 points).")
        if not np.issubdtype(points.dtype, np.number):
            raise ValueError(f"The {what} must hold numbers, got dtype {points.dtype}.")
        points = points.astype(np.float32)
        if not np.isfinite(points).all():
            raise ValueError(f"The {what} contains NaN or infinite values.")
        return points

    def _sample_indices(self, xyz: np.ndarray, count: int) -> np.ndarray:
        num_available = xyz.shape[0]
        generator = np.random.default_rng(self.seed)
        if num_available < count:  # pad with seeded random repeats
            extra = generator.choice(num_available, count - num_available, replace=True)
            return np.concatenate([np.arange(num_available), extra])
        if num_available == count:
            return np.arange(count)
        if self.sampling == "random":
            return np.sort(generator.choice(num_available, count, replace=False))
        if self.fps_backend == "fpsample":
            try:
                import fpsample
            except ImportError as error:
                raise ImportError("`fps_backend='fpsample'` needs the optional dependency `fpsample`.") from error
            return np.asarray(fpsample.bucket_fps_kdline_sampling(xyz, count, h=7, start_idx=0), dtype=np.int64)
        return farthest_point_sample(torch.from_numpy(xyz).unsqueeze(0), count)[0].numpy()

    def process_one(self, cloud) -> np.ndarray:
        """One cloud (array, tensor or path) -> float32 array `(num_points, 6 or 3)`."""
        points, what = self._as_array(cloud)
        points = self._check(np.asarray(points), what)
        xyz, color = points[:, :3].copy(), points[:, 3:] if points.shape[1] == 6 else None
        if self.swap_yz:
            xyz = xyz[:, [0, 2, 1]]
        if self.num_points is not None:
            indices = self._sample_indices(np.ascontiguousarray(xyz), self.num_points)
            xyz = xyz[indices]
            color = color[indices] if color is not None else None
        if self.normalize:
            xyz = xyz - xyz.mean(axis=0, keepdims=True)
            radius = float(np.sqrt((xyz**2).sum(axis=1)).max())
            if radius > 0:
                xyz = xyz / radius
        if not self.use_color:
            return np.ascontiguousarray(xyz, dtype=np.float32)
        if color is None:
            color = np.full_like(xyz, self.default_color)
        elif color.max() > 1.0:
            color = color / 255.0
        return np.concatenate([xyz, color], axis=1).astype(np.float32)

    def __call__(self, point_clouds, return_tensors: str | None = "pt") -> BatchFeature:
        """One cloud or a list of clouds -> ``BatchFeature({"point_values": [B, N, C]})``."""
        if isinstance(point_clouds, (list, tuple)):
            if not point_clouds:
                raise ValueError("Got an empty list of point clouds.")
            clouds = list(point_clouds)
        else:
            clouds = [point_clouds]
        processed = [self.process_one(cloud) for cloud in clouds]
        sizes = {p.shape[0] for p in processed}
        if len(sizes) > 1:
            raise ValueError(f"Clouds of different sizes {sorted(sizes)} cannot be batched; set `num_points`.")
        return BatchFeature({"point_values": np.stack(processed)}, tensor_type=return_tensors)


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent.
SpikingPointFeatureExtractor.register_for_auto_class()

__all__ = ["PREPROCESSING_CONFIG_FIELDS", "POINT_FILE_SUFFIXES", "SpikingPointFeatureExtractor"]
