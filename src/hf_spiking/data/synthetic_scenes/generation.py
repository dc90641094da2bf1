"""Generated LiDAR street scenes: seeded scans with per-point semantic and instance labels and 3D boxes.

A scene is an 80 m x 80 m street around the sensor (:mod:`.layout`) furnished with objects of the synthetic shapes
corpus plus scene-only people and poles (:mod:`.objects`), scanned by a simulated 32-beam rotating LiDAR
(:mod:`.lidar`). Everything is pinned in ``docs/synthetic_scenes.md``; same seed and split, same arrays.

Usage::

    from hf_spiking.data.synthetic_scenes import generate_scene, load_synthetic_scenes, scene_seed
    scene = generate_scene(scene_seed(0, "train", 0), split="train")   # points [N, 4], boxes [M, 7], labels...
    test = load_synthetic_scenes("test", num_scenes=200)

Test scenes are held out twice: their scene seeds and the seeds of their objects' shapes come from streams of their
own split, so neither a test layout nor a test object instance ever appears in train.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from transformers.utils import logging

from ..generated_datasets import generated_dataset
from .layout import SceneLayout, sample_layout
from .lidar import LidarConfig, scan

logger = logging.get_logger(__name__)

SPLITS = ("train", "validation", "test")
_SPLIT_CODES = {name: code for code, name in enumerate(SPLITS)}
# Stream tags keep scene seeds and object seeds apart from each other (and from the shapes corpus's own streams).
_SCENE_STREAM, _OBJECT_STREAM = 0x5CE7E, 0x0B1EC7
DETECTION_CLASSES: tuple[str, ...] = ("car", "person", "bicycle", "traffic cone")
RECOMMENDED_NUM_SCENES = {"train": 2000, "validation": 200, "test": 500}


def _check_split(split: str) -> int:
    if split not in _SPLIT_CODES:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return _SPLIT_CODES[split]


def _check_seed(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) < 2**63:
        raise ValueError(f"{name} must be a non-negative 63-bit integer, got {value!r}")
    return int(value)


def _derive(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1, np.uint64)[0] >> 1)


def scene_seed(seed: int, split: str, index: int) -> int:
    """Seed of scene ``index`` of ``split`` under the base ``seed``; each split draws from its own stream."""
    return _derive(_check_seed("seed", seed), _SCENE_STREAM, _check_split(split), _check_seed("index", index))


def object_seed(scene: int, split: str, slot: int) -> int:
    """Shape seed of the object in ``slot`` of the scene with seed ``scene``; the split enters the stream, so a test
    scene's objects are never train objects even if a scene seed were reused."""
    return _derive(_check_seed("scene seed", scene), _OBJECT_STREAM, _check_split(split), _check_seed("slot", slot))


@dataclass(frozen=True)
class LidarScene:
    """One generated scan with its labels, in the LiDAR frame (x forward at azimuth 0, z up, ground at z = -1.73).

    ``points`` float32 [N, 4] (x, y, z, intensity); ``semantic_labels`` uint8 [N] into ``SEMANTIC_CLASSES``;
    ``instance_ids`` int32 [N] (0 for road, sidewalk and terrain; objects 1..M, then buildings); ``ray_indices`` int32
    [N] (``beam * num_columns + column``). ``boxes`` float32 [B, 7] (x, y, z centre, length, width, height, yaw about
    +z, length along the heading) of the objects of ``DETECTION_CLASSES``, with ``class_labels`` int64 [B] into that
    tuple, their ``box_instance_ids`` int32 [B] and ``num_points_in_box`` int32 [B] (returns from that object).
    ``layout`` is the scene as built (world frame: road at z = 0).
    """

    points: np.ndarray
    semantic_labels: np.ndarray
    instance_ids: np.ndarray
    ray_indices: np.ndarray
    boxes: np.ndarray
    class_labels: np.ndarray
    box_instance_ids: np.ndarray
    num_points_in_box: np.ndarray
    seed: int
    split: str
    layout: SceneLayout


def generate_scene(seed: int, *, split: str = "train", lidar: LidarConfig | None = None) -> LidarScene:
    """Lay out, furnish and scan the scene with seed ``seed`` (e.g. ``scene_seed(0, "test", 7)``); ``split`` picks
    the object-seed stream. ``lidar`` defaults to the pinned 32-beam sensor; coarser grids keep the same layout."""
    seed, lidar = _check_seed("seed", seed), lidar or LidarConfig()
    _check_split(split)
    layout_entropy, noise_entropy = np.random.SeedSequence(seed).spawn(2)
    layout, dropped = sample_layout(np.random.default_rng(layout_entropy), lambda slot: object_seed(seed, split, slot))
    if dropped:
        logger.debug("scene %d (%s): %d objects found no free spot and were left out", seed, split, dropped)
    result = scan(layout, lidar, np.random.default_rng(noise_entropy))

    detectable = [item for item in layout.objects if item.name in DETECTION_CLASSES]
    boxes = np.array([item.box for item in detectable], dtype=np.float64).reshape(-1, 7)
    boxes[:, 2] -= lidar.sensor_height
    box_instance_ids = np.array([item.instance_id for item in detectable], dtype=np.int32)
    counts = np.bincount(result.instance_ids, minlength=len(layout.objects) + len(layout.buildings) + 1)
    return LidarScene(
        points=result.points,
        semantic_labels=result.semantic_labels,
        instance_ids=result.instance_ids,
        ray_indices=result.ray_indices,
        boxes=boxes.astype(np.float32),
        class_labels=np.array([DETECTION_CLASSES.index(item.name) for item in detectable], dtype=np.int64),
        box_instance_ids=box_instance_ids,
        num_points_in_box=counts[box_instance_ids].astype(np.int32),
        seed=seed,
        split=split,
        layout=layout,
    )


def iter_scenes(split: str, *, scene_indices: list[int], seed: int = 0, lidar: dict | None = None):
    """Yield the dataset rows (dicts) of scenes ``scene_indices`` of ``split``; ``lidar`` holds ``LidarConfig``
    fields (a plain dict, so that ``datasets`` can hash and pickle the generator's arguments). ``datasets`` shows the
    progress (it gives every index its own shard)."""
    config = LidarConfig(**(lidar or {}))
    for index in scene_indices:
        scene = generate_scene(scene_seed(seed, split, index), split=split, lidar=config)
        yield {
            "points": scene.points,
            "semantic_labels": scene.semantic_labels,
            "instance_ids": scene.instance_ids,
            "boxes": scene.boxes,
            "class_labels": scene.class_labels,
            "box_instance_ids": scene.box_instance_ids,
            "num_points_in_box": scene.num_points_in_box,
            "scene_id": f"{split}/{index:05d}",
            "seed": scene.seed,
        }


def dataset_features():
    """The ``datasets.Features`` of a split (variable numbers of points and boxes per row)."""
    import datasets

    return datasets.Features(
        {
            "points": datasets.Array2D(shape=(None, 4), dtype="float32"),
            "semantic_labels": datasets.List(datasets.Value("uint8")),
            "instance_ids": datasets.List(datasets.Value("int32")),
            "boxes": datasets.Array2D(shape=(None, 7), dtype="float32"),
            "class_labels": datasets.List(datasets.ClassLabel(names=list(DETECTION_CLASSES))),
            "box_instance_ids": datasets.List(datasets.Value("int32")),
            "num_points_in_box": datasets.List(datasets.Value("int32")),
            "scene_id": datasets.Value("string"),
            "seed": datasets.Value("int64"),
        }
    )


def load_synthetic_scenes(
    split: str = "train",
    num_scenes: int = 100,
    seed: int = 0,
    *,
    lidar: LidarConfig | None = None,
    cache_dir: str | None = None,
    keep_in_memory: bool = False,
    num_proc: int | None = None,
):
    """Generate scenes 0..``num_scenes``-1 of ``split`` as a ``datasets.Dataset`` (columns: see
    :func:`dataset_features`; ``semantic_labels`` index ``SEMANTIC_CLASSES``).

    Cached by ``datasets`` under a fingerprint of the arguments and of the source of this package and of the shapes
    corpus it builds objects with, so edits never serve stale rows. ``num_proc`` > 1 generates scenes in parallel
    processes (rows stay identical).
    """
    _check_split(split)
    if isinstance(num_scenes, bool) or not isinstance(num_scenes, (int, np.integer)) or num_scenes < 1:
        raise ValueError(f"num_scenes must be a positive integer, got {num_scenes!r}")
    gen_kwargs = {
        "split": split,
        "scene_indices": list(range(int(num_scenes))),  # a list lets ``datasets`` shard it over ``num_proc`` workers
        "seed": _check_seed("seed", seed),
        "lidar": asdict(lidar or LidarConfig()),
    }
    # The fingerprint covers every module that shapes a row, so edits to a builder never serve stale rows.
    return generated_dataset(
        iter_scenes, gen_kwargs, features=dataset_features(), split=split,
        source_dirs=[Path(__file__).parent, Path(__file__).parent.parent / "synthetic_shapes"], cache_dir=cache_dir,
        keep_in_memory=keep_in_memory, num_proc=num_proc,
    )


__all__ = [
    "DETECTION_CLASSES",
    "LidarScene",
    "RECOMMENDED_NUM_SCENES",
    "SPLITS",
    "dataset_features",
    "generate_scene",
    "iter_scenes",
    "load_synthetic_scenes",
    "object_seed",
    "scene_seed",
]
