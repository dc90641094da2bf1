"""OpenShape's training corpus (what official SVL pretrains on), read lazily for MTA with precomputed teacher features.

Layout (Colin97/OpenShape_code README and ``src/data.py``; Hub dataset ``OpenShape/openshape-training-data``)::

    <root>/meta_data/split/train_all.json              "Four": Objaverse + ShapeNet + ABO + 3D-FUTURE
    <root>/meta_data/split/train_no_lvis.json          the same without the Objaverse-LVIS shapes
    <root>/meta_data/split/ablation/train_shapenet_only.json
    <root>/meta_data/gpt4_filtering.json               {uid: {"flag": "Y" | "N"}} for Objaverse's raw texts
    <root>/<data_path of each split entry>             one pickled dict per shape (.npy)

A split is a JSON list of ``{"id", "data_path", "dataset", "group"}``. Each shape file holds ``xyz`` and ``rgb``
(10000, 3) (y-up, rgb in [0, 1]), ``image_feat`` (12, 1280) (one row per rendered view), ``thumbnail_feat`` (1280,)
(Objaverse), ``text`` / ``text_feat`` (lists; features are ``{"original", "prompt_avg"}`` dicts),
``blip_caption`` / ``msft_caption`` with ``*_feat`` dicts, and ``retrieval_text`` / ``retrieval_text_feat`` (lists
of ``{"original"}``): OpenCLIP ViT-bigG-14 features, so no teacher model runs during training.

Sampling and augmentation follow the official training loader (settings of SVL's and OpenShape's configs):
``num_points`` points drawn without repeats (a random permutation, so the order of the points is random too; with
repeats only when a shape has fewer points), y/z swap (``y_up``), centring and scaling into the unit sphere, then
(``augment``) point dropout (a random fraction up to 0.875 of the points moved onto the first point), scale in
[0.8, 1.25], shift in [-0.1, 0.1], a small random rotation (angles ~ N(0, 0.06) clipped to +-0.18 rad), a random
rotation about the up axis (``rotate_z``), and the colours replaced by 0.4 grey with probability ``color_drop``.
One text feature is drawn uniformly from the candidates of ``text_sources``: the shape's name text (Objaverse: its
first text, unless GPT-4 filtering flagged it "N"; other datasets: a random one), a BLIP or an MSFT caption (a coin
flip, then kept if non-empty) and a random retrieved text; names and captions use the prompt-averaged features
(``prompt_engineering``), retrieved texts the plain ones. Shapes without any candidate get ``has_text=False`` (and
a zero text feature), which leaves them out of the point-text term. The image feature is Objaverse's thumbnail with
probability 0.5 (``thumbnail_probability``), otherwise one rendered view drawn at random.

The official config's ``use_knn_negative_sample`` with ``negative_sample_num: 1`` draws every item uniformly at random
with replacement; here an epoch visits each shape once in a shuffled order (the same shapes in expectation).

Shape files are pickled, which can run code when loaded: the reader refuses them unless ``allow_pickle=True``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .point_clouds import MISSING_COLOR
from .synthetic_shapes.geometry import normalize_to_unit_sphere

OPENSHAPE_TRAINING_SPLITS = {
    "train_all": "split/train_all.json",
    "train_no_lvis": "split/train_no_lvis.json",
    "train_shapenet_only": "split/ablation/train_shapenet_only.json",
}
OPENSHAPE_TEXT_SOURCES = ("text", "caption", "retrieval_text")
_ENTRY_KEYS = ("id", "data_path", "dataset")


def _rotation(angle: float, axis: int) -> np.ndarray:
    """The 3 x 3 rotation by ``angle`` about coordinate ``axis`` (0 = x, 1 = y, 2 = z)."""
    cos, sin = np.cos(angle), np.sin(angle)
    i, j = [a for a in range(3) if a != axis]
    matrix = np.eye(3)
    matrix[i, i], matrix[i, j], matrix[j, i], matrix[j, j] = cos, -sin, sin, cos
    if axis == 1:  # keep the right-handed sense for the y axis (z -> x)
        matrix = matrix.T
    return matrix


def augment_points(xyz: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """OpenShape's training augmentation of a unit-sphere cloud [N, 3]: dropout onto the first point, scale, shift and
    a small rotation about each axis."""
    xyz = xyz.copy()
    dropped = rng.random(len(xyz)) <= rng.random() * 0.875
    xyz[dropped] = xyz[0]
    xyz *= rng.uniform(0.8, 1.25)
    xyz += rng.uniform(-0.1, 0.1, 3)
    angles = np.clip(0.06 * rng.standard_normal(3), -0.18, 0.18)
    rotation = _rotation(angles[2], 2) @ _rotation(angles[1], 1) @ _rotation(angles[0], 0)
    return xyz @ rotation


def _feature(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=np.float32).reshape(-1)


class OpenShapePretrainingDataset:
    """Map-style OpenShape training set: ``dataset[i]`` decodes shape ``i`` from its file and returns

    ``{"point_values": float32 [num_points, 6] (xyz + rgb), "text_embeds": float32 [D], "has_text": bool,
    "image_embeds": float32 [D]}``

    -- the inputs of :class:`~hf_spiking.models.spiking_point_encoder.SpikingPointEncoderForPreTraining`, so it plugs
    into ``Trainer`` as is (``remove_unused_columns=False``). Nothing but the split list is held in memory. Random
    draws are seeded by ``(seed, epoch, index)``: ``Trainer`` calls :meth:`set_epoch` through accelerate's data
    loader, so an item is reproducible and differs from epoch to epoch. Build it with
    :func:`load_openshape_pretraining`.
    """

    def __init__(
        self,
        entries: list[dict],
        data_root: Path,
        *,
        strip_absolute_paths: bool,
        text_filter: dict | None,
        num_points: int,
        y_up: bool,
        augment: bool,
        rotate_z: bool,
        color_drop: float,
        text_sources: tuple[str, ...],
        prompt_engineering: bool,
        thumbnail_probability: float,
        seed: int,
    ):
        self.entries = entries
        self.data_root = data_root
        self.strip_absolute_paths = strip_absolute_paths
        self.text_filter = text_filter
        self.num_points = num_points
        self.y_up = y_up
        self.augment = augment
        self.rotate_z = rotate_z
        self.color_drop = color_drop
        self.text_sources = text_sources
        self.text_version = "prompt_avg" if prompt_engineering else "original"
        self.thumbnail_probability = thumbnail_probability
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.entries)

    def set_epoch(self, epoch: int) -> None:
        """Draws of the following items use ``epoch`` in their seed."""
        self.epoch = int(epoch)

    def shape_path(self, index: int) -> Path:
        """The file of shape ``index``: its ``data_path``, relative paths (and, with ``strip_absolute_paths``, absolute
        ones) taken below ``data_root``."""
        path = Path(self.entries[index]["data_path"])
        if path.is_absolute() and self.strip_absolute_paths:
            path = path.relative_to(path.anchor)
        return path if path.is_absolute() else self.data_root / path

    def load_shape(self, index: int) -> dict:
        """The stored dict of shape ``index`` (unpickled: the opt-in was given when the dataset was built)."""
        path = self.shape_path(index)
        data = np.load(path, allow_pickle=True)
        if data.dtype != object or data.shape != ():
            raise ValueError(f"{path} must hold a pickled dict (OpenShape's per-shape format), got a {data.dtype} array")
        return data.item()

    def __getitem__(self, index: int) -> dict:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} shapes")
        index %= len(self)
        return self.sample(index, np.random.default_rng([self.seed, self.epoch, index]))

    def sample(self, index: int, rng: np.random.Generator) -> dict:
        """One training item of shape ``index`` with the random draws taken from ``rng``."""
        entry, data = self.entries[index], self.load_shape(index)
        image = self._image_feature(entry, data, rng)
        text = self._text_feature(entry, data, rng)
        return {
            "point_values": self._points(data, rng),
            "text_embeds": np.zeros_like(image) if text is None else text,
            "has_text": text is not None,
            "image_embeds": image,
        }

    def _points(self, data: dict, rng: np.random.Generator) -> np.ndarray:
        xyz, rgb = np.asarray(data["xyz"], dtype=np.float64), np.asarray(data["rgb"], dtype=np.float64)
        n = len(xyz)
        order = rng.permutation(n)[: self.num_points] if n >= self.num_points else rng.choice(n, self.num_points)
        xyz, rgb = xyz[order], rgb[order]
        if self.y_up:
            xyz = xyz[:, [0, 2, 1]]
        xyz = normalize_to_unit_sphere(xyz)[0]
        if self.augment:
            xyz = augment_points(xyz, rng)
        if self.rotate_z:
            xyz = xyz @ _rotation(rng.uniform(0, 2 * np.pi), 2)
        if rng.random() < self.color_drop:
            rgb = np.full_like(rgb, MISSING_COLOR)
        return np.concatenate([xyz, rgb], axis=1).astype(np.float32)

    def _text_feature(self, entry: dict, data: dict, rng: np.random.Generator) -> np.ndarray | None:
        candidates = []
        if "text" in self.text_sources and len(data.get("text", [])) > 0:
            if entry["dataset"] == "Objaverse":
                flag = (self.text_filter or {}).get(entry["id"], {}).get("flag")
                if flag != "N":  # GPT-4 judged the raw Objaverse name uninformative
                    candidates.append(data["text_feat"][0][self.text_version])
            else:
                candidates.append(data["text_feat"][rng.integers(len(data["text"]))][self.text_version])
        if "caption" in self.text_sources:
            caption = "blip_caption" if rng.random() < 0.5 else "msft_caption"
            if len(data.get(caption, "")) > 0:
                candidates.append(data[f"{caption}_feat"][self.text_version])
        if "retrieval_text" in self.text_sources and len(data.get("retrieval_text", [])) > 0:
            candidates.append(data["retrieval_text_feat"][rng.integers(len(data["retrieval_text"]))]["original"])
        return _feature(candidates[rng.integers(len(candidates))]) if candidates else None

    def _image_feature(self, entry: dict, data: dict, rng: np.random.Generator) -> np.ndarray:
        if entry["dataset"] == "Objaverse" and "thumbnail_feat" in data and rng.random() < self.thumbnail_probability:
            return _feature(data["thumbnail_feat"])
        views = np.asarray(data["image_feat"])
        return _feature(views[rng.integers(len(views))])

    def to_iterable_dataset(self, num_shards: int = 64):
        """The same items as a streamed ``datasets.IterableDataset`` (torch format) in ``num_shards`` contiguous shards.

        Shards are what gets distributed: ``accelerate`` (``Trainer`` with ``accelerator_config={"dispatch_batches":
        False}``) or ``datasets.distributed.split_dataset_by_node`` gives each process its own shards, and the
        ``DataLoader`` workers of a process split those again, so every shape is decoded by one worker of one process.
        Use ``num_shards`` >= processes x workers. Streamed items carry no epoch index, so their random draws come from
        fresh entropy on every pass (the map-style dataset is the reproducible one).
        """
        from datasets import IterableDataset

        if num_shards < 1:
            raise ValueError(f"num_shards must be a positive integer, got {num_shards}")
        bounds = np.linspace(0, len(self), min(num_shards, len(self)) + 1).round().astype(int)
        shards = [(int(start), int(stop)) for start, stop in zip(bounds[:-1], bounds[1:])]
        return IterableDataset.from_generator(
            _stream_shards, gen_kwargs={"dataset": [self] * len(shards), "shard": shards}
        ).with_format("torch")


def _stream_shards(dataset: list[OpenShapePretrainingDataset], shard: list[tuple[int, int]]):
    """The generator behind :meth:`OpenShapePretrainingDataset.to_iterable_dataset` (the lists are its shards)."""
    rng = np.random.default_rng()
    for part, (start, stop) in zip(dataset, shard):
        for index in range(start, stop):
            yield part.sample(index, rng)


def load_openshape_pretraining(
    root: str | Path,
    split: str = "train_all",
    *,
    allow_pickle: bool = False,
    data_root: str | Path | None = None,
    num_points: int = 10000,
    y_up: bool = True,
    augment: bool = True,
    rotate_z: bool = True,
    color_drop: float = 0.5,
    text_sources: tuple[str, ...] | list[str] = OPENSHAPE_TEXT_SOURCES,
    text_filtering: bool = True,
    prompt_engineering: bool = True,
    thumbnail_probability: float = 0.5,
    limit: int | None = None,
    seed: int = 0,
) -> OpenShapePretrainingDataset:
    """OpenShape's training set at ``root`` (the folder holding ``meta_data/``), lazily decoded.

    ``split``: ``"train_all"`` (the "Four" datasets, LVIS included, as SVL trains), ``"train_no_lvis"``,
    ``"train_shapenet_only"`` or the path of a split JSON. Relative ``data_path`` entries are read below ``data_root``
    (default ``root``); absolute ones are used as they are, unless ``data_root`` is given, in which case they too are
    taken below it (the released lists name the authors' paths). ``text_filtering`` needs
    ``meta_data/gpt4_filtering.json`` when ``"text"`` is a text source. ``limit`` keeps the first shapes only (tests,
    toy runs). See the module docstring for what each option of the sampling does.
    """
    if not allow_pickle:
        raise ValueError(
            "OpenShape's shape files are pickled numpy dicts, and unpickling can execute code. Pass allow_pickle=True "
            "only if you trust the files (e.g. the official OpenShape/openshape-training-data release)."
        )
    if num_points < 1:
        raise ValueError(f"num_points must be a positive integer, got {num_points}")
    if not 0.0 <= color_drop <= 1.0 or not 0.0 <= thumbnail_probability <= 1.0:
        raise ValueError(
            f"color_drop and thumbnail_probability are probabilities in [0, 1], got {color_drop} and {thumbnail_probability}"
        )
    text_sources = tuple(text_sources)
    unknown = sorted(set(text_sources) - set(OPENSHAPE_TEXT_SOURCES))
    if unknown:
        raise ValueError(f"text_sources {unknown} are not OpenShape text sources; expected some of {OPENSHAPE_TEXT_SOURCES}")
    root = Path(root)
    meta_data = root / "meta_data"
    if split in OPENSHAPE_TRAINING_SPLITS:
        split_path = meta_data / OPENSHAPE_TRAINING_SPLITS[split]
    elif split.endswith(".json"):
        split_path = Path(split)
    else:
        raise ValueError(f"split must be one of {sorted(OPENSHAPE_TRAINING_SPLITS)} or a .json path, got {split!r}")
    if not split_path.is_file():
        raise ValueError(f"split list {str(split_path)!r} does not exist (expected OpenShape's meta_data layout under {root})")
    entries = json.loads(split_path.read_text())
    if not isinstance(entries, list) or not all(isinstance(e, dict) and all(k in e for k in _ENTRY_KEYS) for e in entries):
        raise ValueError(f"{split_path} must be a JSON list of {{'id', 'data_path', 'dataset', 'group'}} entries")
    if limit is not None:
        entries = entries[:limit]
    text_filter = None
    if text_filtering and "text" in text_sources:
        filter_path = meta_data / "gpt4_filtering.json"
        if not filter_path.is_file():
            raise ValueError(f"text_filtering=True needs {filter_path}; pass text_filtering=False to use every raw text")
        text_filter = json.loads(filter_path.read_text())
    return OpenShapePretrainingDataset(
        entries,
        root if data_root is None else Path(data_root),
        strip_absolute_paths=data_root is not None,
        text_filter=text_filter,
        num_points=num_points,
        y_up=y_up,
        augment=augment,
        rotate_z=rotate_z,
        color_drop=color_drop,
        text_sources=text_sources,
        prompt_engineering=prompt_engineering,
        thumbnail_probability=thumbnail_probability,
        seed=seed,
    )


__all__ = [
    "OPENSHAPE_TEXT_SOURCES",
    "OPENSHAPE_TRAINING_SPLITS",
    "OpenShapePretrainingDataset",
    "augment_points",
    "load_openshape_pretraining",
]
