"""Point-cloud feature extractor for SVL encoders: files or arrays -> normalised, resampled ``point_values``."""

from __future__ import annotations

import math
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch
from transformers import BatchFeature
from transformers.feature_extraction_utils import FeatureExtractionMixin

from .checkpoints import PREPROCESSOR_FILE, ProcessorFileMixin
from .configuration_spiking_point_encoder import MAX_NUM_POINTS
from .grouping import farthest_point_sample

# The event readers and normaliser live in hf_spiking.data, outside this family's folder: imported absolutely, and in
# a try block, so this file still saves and loads as remote code (where only sibling modules are copied), in which
# case the point-cloud extractor works and the event extractor says what it needs.
try:
    import hf_spiking.data.events as event_streams
except ImportError:
    event_streams = None

POINT_FILE_SUFFIXES = (".npy", ".npz", ".ply", ".obj", ".off", ".xyz", ".txt")
_MESH_SUFFIXES = (".ply", ".obj", ".off")
_NPZ_POINT_KEYS = ("points", "xyz", "pc", "point_cloud", "coords", "vertices")
_NPZ_COLOR_KEYS = ("colors", "rgb", "colours", "color")
# What each kind of file must hold, for the messages that refuse one.
_EXPECTED_CONTENT = {
    ".npy": "a numeric array of shape (N, 3) or (N, 6) saved with numpy.save",
    ".npz": f"a numpy .npz archive holding a numeric (N, 3) or (N, 6) array under one of the keys {_NPZ_POINT_KEYS}",
    ".ply": "a PLY point cloud or mesh (ASCII or binary) with x, y, z vertex properties",
    ".obj": "a Wavefront OBJ mesh or point set ('v x y z' lines)",
    ".off": "an OFF mesh ('OFF', the vertex, face and edge counts, the vertices, then the faces)",
    ".xyz": "rows of 3 (xyz) or 6 (xyz + rgb) numbers separated by spaces or commas",
}
_EXPECTED_CONTENT[".txt"] = _EXPECTED_CONTENT[".xyz"]

FPS_CANDIDATES_PER_POINT = 4
MIN_FPS_CANDIDATES = 32_768
"""Bounded work: a cloud of more than ``max(FPS_CANDIDATES_PER_POINT * num_points, MIN_FPS_CANDIDATES)`` points is
first reduced to a seeded random subset of that size, then sampled (farthest-point sampling costs points x samples;
clouds of the usual 10,000 points or fewer are sampled whole)."""

DEFAULT_MIN_DISTINCT_POINTS = 16
"""Distinct xyz points a cloud needs by default (the smallest PointFormer preset groups 16 centres); fewer is a
single point, repeated points or a truncated file, which padding by repetition would turn into a confident answer."""


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


def _is_count_in(value, low: int, high: int) -> bool:
    """A whole number (not a bool) in [low, high]."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and low <= value <= high


def _scaled_by_power_of_two(values: np.ndarray) -> np.ndarray:
    """``values`` (float64) times the power of two that brings their largest magnitude into [0.5, 1): exact, and it
    changes neither sampling nor normalisation, which are scale-free."""
    largest = float(np.abs(values).max())
    return np.ldexp(values, -np.frexp(largest)[1]) if largest > 0 else values


def _load_numpy(path: Path, magic: bytes, kind: str):
    """``np.load`` of a .npy or .npz file, never unpickling: garbage and pickled content are refused without numpy's
    advice to allow pickles, which is never right for a file a user names."""
    with open(path, "rb") as handle:
        if handle.read(len(magic)) != magic:
            raise ValueError(f"not {kind} (it does not start with {magic!r})")
    return _unpickled(lambda: np.load(path, allow_pickle=False))


def _unpickled(load):
    """``load()``, with numpy's refusal of pickled content (whose advice is to allow pickles) said plainly."""
    try:
        return load()
    except ValueError as error:
        if "pickle" not in str(error):
            raise
        raise ValueError("it holds pickled Python objects, which are never loaded (unpickling runs code)") from None


def _check_ascii_ply_complete(path: Path) -> None:
    """Refuses an ASCII PLY file with fewer data lines than its header declares (trimesh reads such a truncated
    file without complaint, keeping only the vertices present). Binary files are length-checked by trimesh."""
    with open(path, "rb") as handle:
        start = handle.read(1 << 16)  # headers are a few hundred bytes
        if not start.startswith(b"ply"):
            raise ValueError("not a PLY file (it must start with 'ply')")
        header, marker, _ = start.partition(b"end_header")
        if not marker:
            raise ValueError("the PLY header has no 'end_header' line (a truncated file?)")
        lines = header.decode("ascii", errors="replace").splitlines()
        if not any(line.split()[:2] == ["format", "ascii"] for line in lines):
            return
        body = (start + handle.read()).partition(b"end_header")[2]
    declared = {}
    for line in lines:
        words = line.split()
        if len(words) == 3 and words[0] == "element":
            if not words[2].isdigit():
                raise ValueError(f"the PLY header line {line!r} does not give a count")
            declared[words[1]] = int(words[2])
    data_lines = sum(1 for line in body.splitlines()[1:] if line.strip())
    if data_lines < sum(declared.values()):
        counts = ", ".join(f"element {name} {count}" for name, count in declared.items())
        raise ValueError(
            f"the ASCII PLY file is truncated: its header declares {counts} ({sum(declared.values())} data lines) "
            f"but {data_lines} follow"
        )


class SpikingPointFeatureExtractor(ProcessorFileMixin, FeatureExtractionMixin):
    r"""
    Prepares point clouds for [`SpikingPointEncoderModel`]: ``point_values`` of shape `[B, num_points, C]`.

    Each cloud is an array/tensor of shape `(N, 3)` (xyz) or `(N, 6)` (xyz + rgb), or a file path (`.npy`, `.npz`,
    `.ply`, `.obj`, `.off`, `.xyz`, `.txt`; meshes are sampled to points with `trimesh`, an optional dependency).
    Steps, as in SVL/OpenShape: optional y/z swap (y-up data), resampling to `num_points` (farthest-point sampling
    or seeded random choice; clouds with fewer points are padded by seeded random repeats), centring on the mean and
    scaling to the unit sphere, and colours: 0-255 colours are scaled to [0, 1], missing colours are filled with
    `default_color` (0.4 grey, the reference's value for colour-less data).

    Accepted values: any finite coordinates of an integer or float dtype (float16, bfloat16 tensors and float64
    included). The geometry is computed in float64 and cast to float32 last, so magnitudes from ~1e-300 to ~1e300 are
    centred and rescaled alike; with `normalize=False` coordinates must fit float32 (|x| <= 3.4e38). Colours must lie
    in [0, 1] or [0, 255]. Refused with a `ValueError` naming the cloud (or file), the value and the expected form:
    NaN/inf, boolean or complex values, fewer distinct xyz points than `min_distinct_points` (one point, repeated
    points, a truncated file: padding by repetition would hide them), zero-area meshes, unreadable or truncated files.
    Work is bounded: at most `MAX_NUM_POINTS` (65,536) points per output cloud, and clouds larger than
    `max(4 * num_points, 32,768)` points are first reduced to a seeded random subset of that size before sampling.

    Args:
        num_points: points per output cloud (8192 for the PointFormer, 10 000 for E-3DSNN in SVL), at most
            `MAX_NUM_POINTS`; `None` keeps every point (then all clouds of a batch must have the same size, and a
            cloud may hold at most `MAX_NUM_POINTS`).
        use_color: output 6 channels (xyz + rgb) when `True`, 3 (xyz) otherwise.
        use_input_color: with `use_color`, take each cloud's own colours (`True`), or give every point
            `default_color` (`False`: for a model trained on colourless data, e.g. ModelNet40, which would read real
            colours as out-of-distribution input).
        sampling: `"fps"` (deterministic, start at index 0) or `"random"` (seeded by `seed`).
        fps_backend: `"torch"` (default, no extra dependency) or `"fpsample"` (faster for 8k+ points; optional).
        swap_yz: swap the y and z axes (SVL's `y_up` data).
        normalize: centre and scale each cloud to the unit sphere.
        default_color: grey level used when a cloud has no colour.
        seed: seed of the random sampling, padding and mesh surface sampling.
        min_distinct_points: distinct xyz points a cloud needs (capped at `num_points`; at least 2 with `normalize`).
            A model may need more (the PointFormer groups `max(num_groups, group_size)` distinct points).
    """

    model_input_names = ["point_values"]

    def __init__(
        self,
        num_points: int | None = 8192,
        use_color: bool = True,
        use_input_color: bool = True,
        sampling: str = "fps",
        fps_backend: str = "torch",
        swap_yz: bool = False,
        normalize: bool = True,
        default_color: float = 0.4,
        seed: int = 0,
        min_distinct_points: int = DEFAULT_MIN_DISTINCT_POINTS,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_points is not None and not _is_count_in(num_points, 1, MAX_NUM_POINTS):
            raise ValueError(
                f"`num_points` must be an integer from 1 to {MAX_NUM_POINTS:,} (`MAX_NUM_POINTS`) or None, got "
                f"{num_points!r}."
            )
        if sampling not in ("fps", "random"):
            raise ValueError(f"`sampling` must be 'fps' or 'random', got {sampling!r}.")
        if fps_backend not in ("torch", "fpsample"):
            raise ValueError(f"`fps_backend` must be 'torch' or 'fpsample', got {fps_backend!r}.")
        flags = {"use_color": use_color, "use_input_color": use_input_color, "swap_yz": swap_yz, "normalize": normalize}
        for name, flag in flags.items():
            if not isinstance(flag, bool):
                raise ValueError(f"`{name}` must be True or False, got {flag!r}.")
        grey = isinstance(default_color, (int, float)) and not isinstance(default_color, bool)
        if not grey or not 0 <= default_color <= 1:
            raise ValueError(f"`default_color` must be a grey level in [0, 1], got {default_color!r}.")
        if not _is_count_in(seed, 0, 2**63 - 1):
            raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}.")
        if not _is_count_in(min_distinct_points, 1, MAX_NUM_POINTS):
            raise ValueError(
                f"`min_distinct_points` must be an integer from 1 to {MAX_NUM_POINTS:,}, got {min_distinct_points!r}."
            )
        self.min_distinct_points = min_distinct_points
        self.num_points = num_points
        self.use_color = use_color
        self.use_input_color = use_input_color
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

    @classmethod
    def for_model(cls, model) -> "SpikingPointFeatureExtractor":
        """The preprocessing of a loaded model without a feature extractor: its folder's `preprocessor_config.json`
        when it has one, else what its config records (:meth:`from_model_config`). transformers' `pipeline()` drops a
        feature extractor it cannot load; loading the file again here makes an invalid one raise
        `ProcessorConfigError` naming the file and the field instead of being silently replaced."""
        folder = getattr(model, "name_or_path", None)
        if folder and os.path.isfile(os.path.join(folder, PREPROCESSOR_FILE)):
            return cls.from_pretrained(folder)
        return cls.from_model_config(model.config)

    def model_config_values(self) -> dict:
        """This preprocessing as model-config fields (``config.update(...)`` records it in a model's config.json)."""
        return {field: getattr(self, argument) for argument, field in PREPROCESSING_CONFIG_FIELDS.items()}

    # ---- reading -------------------------------------------------------------------------------------------------
    def load_point_cloud(self, path: str | os.PathLike) -> np.ndarray:
        """Reads a file into an `(N, 3)` or `(N, 6)` float array (meshes are surface-sampled to `num_points`).

        An unreadable, empty, truncated or malformed file raises a `ValueError` naming the file, what is wrong and
        what the file should hold."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in POINT_FILE_SUFFIXES:
            raise ValueError(
                f"Unsupported point-cloud file {str(path)!r}: expected one of {', '.join(POINT_FILE_SUFFIXES)}."
            )
        if not path.is_file():
            problem = "is a directory, not a file" if path.is_dir() else "does not exist"
            raise ValueError(f"Point-cloud file {str(path)!r} {problem}.")
        try:
            if path.stat().st_size == 0:
                raise ValueError("the file is empty (0 bytes)")
            if suffix == ".npy":
                return _load_numpy(path, b"\x93NUMPY", "a .npy file")
            if suffix == ".npz":
                return self._load_npz(path)
            if suffix in (".xyz", ".txt"):
                return self._load_text(path)
            if suffix == ".ply":
                _check_ascii_ply_complete(path)
            return self._load_with_trimesh(path)
        except (OSError, ValueError, EOFError, KeyError, IndexError, zipfile.BadZipFile) as error:
            raise ValueError(
                f"Could not read point-cloud file {str(path)!r}: {error}; expected {_EXPECTED_CONTENT[suffix]}."
            ) from error

    @staticmethod
    def _load_npz(path: Path) -> np.ndarray:
        with _load_numpy(path, b"PK", "a .npz (zip) archive") as archive:
            keys = list(archive.keys())
            point_key = next((k for k in _NPZ_POINT_KEYS if k in archive), keys[0] if len(keys) == 1 else None)
            if point_key is None:
                raise ValueError(f"no point array found among the keys {keys}")
            points = _unpickled(lambda: np.asarray(archive[point_key]))
            color_key = next((k for k in _NPZ_COLOR_KEYS if k in archive), None)
            if color_key is not None and points.ndim == 2 and points.shape[1] == 3:
                colors = _unpickled(lambda: np.asarray(archive[color_key]))
                if colors.shape != points.shape:
                    raise ValueError(
                        f"the colours {color_key!r} have shape {colors.shape}; expected {points.shape}, one rgb row "
                        f"per point of {point_key!r}"
                    )
                points = np.concatenate([points, colors.astype(points.dtype)], axis=1)
        return points

    @staticmethod
    def _load_text(path: Path) -> np.ndarray:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
        delimiter = "," if "," in first else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # numpy's "input contained no data": refused just below
            rows = np.loadtxt(path, delimiter=delimiter, dtype=np.float64, ndmin=2)
        if rows.size == 0:
            raise ValueError("the file holds no rows of numbers")
        return rows

    def _load_with_trimesh(self, path: Path) -> np.ndarray:
        try:
            import trimesh
        except ImportError as error:
            raise ImportError(
                f"Reading {str(path)!r} needs the optional dependency `trimesh` (pip install trimesh)."
            ) from error
        try:
            loaded = trimesh.load(str(path), process=False)
        except Exception as error:  # noqa: BLE001 - trimesh's parsers raise many types on malformed files
            raise ValueError(f"{type(error).__name__}: {error}") from error
        if isinstance(loaded, trimesh.Scene):
            if not loaded.geometry:
                raise ValueError("the file holds no geometry")
            loaded = trimesh.util.concatenate(list(loaded.geometry.values()))
        vertices = np.asarray(loaded.vertices, dtype=np.float64)
        if isinstance(loaded, trimesh.Trimesh) and len(loaded.faces) > 0:
            if not np.isfinite(vertices).all():
                raise ValueError("the mesh has NaN or infinite vertex coordinates")
            area = float(loaded.area)
            if not area > 0:
                raise ValueError(
                    f"the mesh has zero surface area (every one of its {len(loaded.faces)} faces is degenerate): "
                    "there is no surface to sample points from"
                )
            if not math.isfinite(area):
                largest = np.abs(vertices).max()
                raise ValueError(f"the mesh's surface area overflows float64 (coordinates up to {largest:.3g})")
            count = self.num_points or max(len(loaded.vertices), 1)
            points, _ = trimesh.sample.sample_surface(loaded, count, seed=self.seed)
            return np.asarray(points, dtype=np.float64)
        colors = getattr(getattr(loaded, "visual", None), "vertex_colors", None)
        if colors is not None and len(colors) == len(vertices) and len(vertices) > 0:
            return np.concatenate([vertices, np.asarray(colors, dtype=np.float64)[:, :3]], axis=1)
        return vertices

    # ---- processing ----------------------------------------------------------------------------------------------
    def _as_array(self, cloud) -> tuple[np.ndarray, str]:
        if isinstance(cloud, (str, os.PathLike)):
            return self.load_point_cloud(cloud), _describe(cloud)
        if isinstance(cloud, torch.Tensor):
            cloud = cloud.detach().cpu()
            # bfloat16 has no numpy dtype; float64 holds every float tensor exactly.
            cloud = (cloud.to(torch.float64) if cloud.is_floating_point() else cloud).numpy()
        if not isinstance(cloud, np.ndarray):
            raise ValueError(
                f"A point cloud must be a numpy array or tensor of shape (N, 3) or (N, 6), or a file path; got "
                f"{type(cloud).__name__}."
            )
        return cloud, "point cloud"

    def _check(self, points: np.ndarray, what: str) -> np.ndarray:
        """Shape, size, dtype and finite values of one cloud -> float64 `(N, 3 or 6)`."""
        if points.ndim != 2 or points.shape[1] not in (3, 6):
            raise ValueError(f"The {what} has shape {tuple(points.shape)}; expected (N, 3) xyz or (N, 6) xyz + rgb.")
        if points.shape[0] == 0:
            raise ValueError(f"The {what} is empty (0 points).")
        if points.dtype.kind not in "iuf":
            raise ValueError(f"The {what} must hold real numbers (an integer or float dtype), got {points.dtype}.")
        if self.num_points is None and points.shape[0] > MAX_NUM_POINTS:
            raise ValueError(
                f"The {what} has {points.shape[0]:,} points; with `num_points=None` (every point kept) a cloud may "
                f"hold at most {MAX_NUM_POINTS:,} (`MAX_NUM_POINTS`): set `num_points` to resample it."
            )
        points = points.astype(np.float64)
        bad_rows = np.flatnonzero(~np.isfinite(points).all(axis=1))
        if bad_rows.size:
            raise ValueError(
                f"The {what} contains NaN or infinite values ({bad_rows.size} of {len(points)} rows, the first at row "
                f"{bad_rows[0]}: {points[bad_rows[0]].tolist()}); expected finite coordinates."
            )
        if not self.normalize and np.abs(points[:, :3]).max() > np.finfo(np.float32).max:
            raise ValueError(
                f"The {what} has coordinates up to {np.abs(points[:, :3]).max():.3g}, beyond float32 (3.4e38), which "
                "`normalize=False` cannot represent; use `normalize=True` (the unit sphere) or rescale the cloud."
            )
        return points

    def _check_colors(self, color: np.ndarray, what: str) -> np.ndarray:
        """Colours in [0, 1] or [0, 255] -> [0, 1]."""
        low, high = float(color.min()), float(color.max())
        if low < 0 or high > 255:
            raise ValueError(
                f"The {what} has colour values in [{low:.4g}, {high:.4g}]; expected rgb in [0, 1] or [0, 255]."
            )
        return color / 255.0 if high > 1.0 else color

    def _check_distinct_points(self, xyz: np.ndarray, what: str, total: int) -> None:
        """Refuses clouds with fewer distinct xyz points than `min_distinct_points` (capped at `num_points`; at
        least 2 when normalising: a single point has no extent to scale)."""
        required = min(self.min_distinct_points, self.num_points or self.min_distinct_points)
        required = max(required, 2) if self.normalize else required
        distinct = len(np.unique(xyz + 0.0, axis=0))  # + 0.0 makes -0.0 and 0.0 one point
        if distinct >= required:
            return
        subset = f" (in a random subset of {len(xyz):,} of its {total:,} points)" if len(xyz) < total else ""
        extent = ", i.e. zero extent" if distinct == 1 else ""
        raise ValueError(
            f"The {what} has {distinct} distinct xyz point{'s' if distinct != 1 else ''}{extent}{subset}; expected at "
            f"least {required} (`min_distinct_points`): a single point, repeated points or a truncated file cannot "
            "be classified."
        )

    def _sample_indices(self, xyz: np.ndarray, count: int, generator: np.random.Generator) -> np.ndarray:
        num_available = xyz.shape[0]
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
        total = len(points)
        generator = np.random.default_rng(self.seed)
        if self.num_points is not None:
            limit = max(FPS_CANDIDATES_PER_POINT * self.num_points, MIN_FPS_CANDIDATES)
            if total > limit:  # bounded work: a random subset of a uniform random subset is one too
                points = points[np.sort(generator.choice(total, limit, replace=False))]
        xyz, color = points[:, :3], points[:, 3:] if points.shape[1] == 6 else None
        self._check_distinct_points(xyz, what, total)
        if self.swap_yz:
            xyz = xyz[:, [0, 2, 1]]
        if self.num_points is not None:
            # Sampled on a centred copy scaled by powers of two (exact): float32 then holds every cloud, 1e-30 or
            # 1e300 across, without overflow in the mean or the squared distances, and without losing its detail to
            # a far-away origin.
            unit = _scaled_by_power_of_two(xyz)
            unit = _scaled_by_power_of_two(unit - unit.mean(axis=0))
            indices = self._sample_indices(np.ascontiguousarray(unit, dtype=np.float32), self.num_points, generator)
            xyz = xyz[indices]
            color = color[indices] if color is not None else None
        if self.normalize:
            xyz = _scaled_by_power_of_two(xyz)  # so that the mean and the squared norms cannot overflow float64
            xyz = xyz - xyz.mean(axis=0, keepdims=True)
            radius = float(np.sqrt((xyz**2).sum(axis=1)).max())
            if radius > 0:  # 0 only for a one-point output (num_points=1)
                xyz = xyz / radius
        if not self.use_color:
            return np.ascontiguousarray(xyz, dtype=np.float32)
        if color is None or not self.use_input_color:
            color = np.full_like(xyz, self.default_color)
        else:
            color = self._check_colors(color, what)
        return np.concatenate([xyz, color], axis=1).astype(np.float32)

    def __call__(self, point_clouds, return_tensors: str | None = "pt") -> BatchFeature:
        """One cloud or a list of clouds -> ``BatchFeature({"point_values": [B, N, C]})``."""
        batched = isinstance(point_clouds, (list, tuple))
        if batched and not point_clouds:
            raise ValueError("Got an empty list of point clouds.")
        clouds = list(point_clouds) if batched else [point_clouds]
        processed = []
        for index, cloud in enumerate(clouds):
            try:
                processed.append(self.process_one(cloud))
            except ValueError as error:
                if not batched:
                    raise
                raise ValueError(f"`point_clouds`[{index}]: {error}") from error
        sizes = {p.shape[0] for p in processed}
        if len(sizes) > 1:
            raise ValueError(f"Clouds of different sizes {sorted(sizes)} cannot be batched; set `num_points`.")
        return BatchFeature({"point_values": np.stack(processed)}, tensor_type=return_tensors)


class SpikingPointEventFeatureExtractor(ProcessorFileMixin, FeatureExtractionMixin):
    r"""
    Prepares event-camera streams for a point encoder trained on event clouds (SVL's "events as points"):
    ``point_values`` of shape `[B, num_points, 4]` (x, y, t, polarity), or `[B, num_points, 3]` without polarity.

    Each event becomes a point as [`hf_spiking.data.events.events_to_points`] makes it (x and y scaled to [-1, 1] over
    the sensor, t to [-1, 1] over the stream, polarity as -1/+1); each stream is then sampled to `num_points` events
    by a seeded random choice (without replacement; shorter streams repeat events), as the fine-tuning job samples its
    evaluation clouds. The same stream gives the same cloud on every call, alone or in a batch.

    A stream is what `hf_spiking.data.read_events(path)` returns (a structured array with fields x, y, t in
    microseconds, p), any time-ordered structured x, y, t, p array or numeric `[N, 4]` array / tensor with those
    columns, or the path of an event file (`.bin`, `.bs2`, `.aedat`, `.npy`, `.npz`); a list of streams is a batch.

    Args:
        sensor_size: `(height, width)` of the event camera in pixels (34 x 34 for N-MNIST, 128 x 128 for DVS128).
        num_points: events per output cloud.
        with_polarity: add the polarity channel (4 channels per point; 3 without).
        time_extent: half-width of the time axis, in units of the sensor's half-width (1: t spans [-1, 1] like x
            and y; smaller values make the encoder's neighbourhoods mostly spatial).
        seed: seed of the sampling.
    """

    model_input_names = ["point_values"]

    def __init__(
        self,
        sensor_size: tuple[int, int] | list[int],
        num_points: int = 1024,
        with_polarity: bool = True,
        seed: int = 0,
        time_extent: float = 1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if event_streams is None:
            raise ImportError("SpikingPointEventFeatureExtractor reads events with hf_spiking: pip install hf_spiking.")
        if (
            not isinstance(sensor_size, (tuple, list))
            or len(sensor_size) != 2
            or any(isinstance(side, bool) or not isinstance(side, int) or side < 1 for side in sensor_size)
        ):
            raise ValueError(f"`sensor_size` must be (height, width) in whole pixels >= 1, got {sensor_size!r}.")
        if isinstance(num_points, bool) or not isinstance(num_points, int) or num_points < 1:
            raise ValueError(f"`num_points` must be a positive integer, got {num_points!r}.")
        if not isinstance(with_polarity, bool):
            raise ValueError(f"`with_polarity` must be True or False, got {with_polarity!r}.")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}.")
        event_streams.check_time_extent(time_extent)
        self.sensor_size = tuple(sensor_size)
        self.num_points = num_points
        self.with_polarity = with_polarity
        self.seed = seed
        self.time_extent = time_extent

    @staticmethod
    def read_stream(stream) -> np.ndarray:
        """One stream (event array, tensor or file path) -> time-ordered :data:`~hf_spiking.data.events.EVENT_DTYPE`
        events."""
        if isinstance(stream, (str, os.PathLike)):
            return event_streams.read_events(stream)
        if isinstance(stream, torch.Tensor):
            stream = stream.detach().cpu().numpy()
        if not isinstance(stream, np.ndarray):
            raise ValueError(
                f"An event stream must be a structured array with fields x, y, t, p (what read_events returns), a "
                f"numeric [N, 4] array or tensor with columns x, y, t, p, or an event file path; got "
                f"{type(stream).__name__}."
            )
        return event_streams.as_events(stream, require_time_order=True)

    def event_cloud(self, stream) -> np.ndarray:
        """One stream -> float32 `(num_points, 4 or 3)`."""
        points = event_streams.events_to_points(
            self.read_stream(stream), self.sensor_size, with_polarity=self.with_polarity, time_extent=self.time_extent
        )
        generator = np.random.default_rng(self.seed)
        chosen = generator.choice(len(points), self.num_points, replace=len(points) < self.num_points)
        return points[chosen]

    def __call__(self, streams, return_tensors: str | None = "pt") -> BatchFeature:
        """One stream or a list of streams -> ``BatchFeature({"point_values": [B, num_points, C]})`` (float32)."""
        batch = list(streams) if isinstance(streams, (list, tuple)) else [streams]
        if not batch:
            raise ValueError("`streams` is an empty list; expected at least one event stream.")
        clouds = []
        for index, stream in enumerate(batch):
            try:
                clouds.append(self.event_cloud(stream))
            except ValueError as error:
                where = f"`streams`[{index}]" if isinstance(streams, (list, tuple)) else "`streams`"
                raise ValueError(f"{where}: {error}") from error
        return BatchFeature({"point_values": np.stack(clouds)}, tensor_type=return_tensors)


# Saved folders then carry auto_map and the code, so they also load with trust_remote_code where hf_spiking is absent
# (the event extractor then raises an ImportError naming hf_spiking, which reads the events).
SpikingPointFeatureExtractor.register_for_auto_class()
SpikingPointEventFeatureExtractor.register_for_auto_class()

__all__ = [
    "MAX_NUM_POINTS",
    "PREPROCESSING_CONFIG_FIELDS",
    "POINT_FILE_SUFFIXES",
    "SpikingPointEventFeatureExtractor",
    "SpikingPointFeatureExtractor",
]
