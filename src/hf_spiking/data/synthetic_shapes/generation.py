"""A seeded, procedurally generated open-vocabulary 3D corpus: labelled, captioned objects built from primitives.

Every instance carries a coloured point cloud sampled uniformly (area-weighted) from the object's surfaces, an
orthographic Lambertian-shaded render and several natural-language captions written from the attributes the
builder actually drew (colour and material words, part counts, proportions). Same seed, same arrays.

Conventions: clouds are z-up (gravity along -z), centred on their centroid and scaled into the unit sphere
(OpenShape / Point-BERT ``pc_norm``); rgb is in [0, 1]; objects get a uniformly random rotation about the up axis.
``realism`` (a :class:`~.realism.RealismConfig`, off by default) makes clouds more scan-like: no colour, partial
single views, sensor noise, non-uniform density and stretched proportions.

Usage::

    from hf_spiking.data.synthetic_shapes import generate_instance, load_synthetic_shapes
    shape = generate_instance("mug", seed=0)    # points (8192, 6), image (128, 128, 3), 4 captions
    train = load_synthetic_shapes("train", num_per_category=50)
    scans = load_synthetic_shapes("train", num_per_category=50, realism={"drop_color": True, "noise_std": 0.01})

Zero-shot training must use ``captions`` only; ``label`` / ``category`` are for evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..generated_datasets import generated_dataset
from .categories import CATEGORIES
from .geometry import SurfaceSampler, normalize_to_unit_sphere, render_points, rotation_z
from .realism import RealismConfig

SPLITS = ("train", "validation", "test")
_SPLIT_CODES = {name: code for code, name in enumerate(SPLITS)}
DEFAULT_NUM_POINTS = 8192
DEFAULT_IMAGE_SIZE = 128


def category_names() -> list[str]:
    """Category names in label order (registration order; stable across releases that only append)."""
    return list(CATEGORIES)


# The corpus' first release had 28 categories; the shipped models (svl-default and the QA benchmark) were trained on
# them, and the jobs keep them as their default so that the shipped recipes reproduce.
FIRST_RELEASE_SIZE = 28


def first_release_categories() -> list[str]:
    """The 28 categories of the corpus' first release (labels 0-27)."""
    return category_names()[:FIRST_RELEASE_SIZE]


@dataclass(frozen=True)
class ShapeInstance:
    """One generated object. ``points`` is float32 [N, 6] (xyz in the unit sphere, rgb in [0, 1]); ``colour`` and
    ``material`` name the finish covering most of its surface (``material`` is None for plain colours)."""

    points: np.ndarray
    image: np.ndarray | None
    captions: tuple[str, ...]
    category: str
    label: int
    seed: int
    colour: str = ""
    material: str | None = None


def generate_instance(
    category: str | int,
    seed: int,
    *,
    num_points: int = DEFAULT_NUM_POINTS,
    with_image: bool = True,
    image_size: int = DEFAULT_IMAGE_SIZE,
    realism: RealismConfig | dict | None = None,
) -> ShapeInstance:
    """Build, pose, sample and render one object of ``category`` (name or label index) from ``seed``.

    ``realism`` (a :class:`~.realism.RealismConfig` or a dict of its fields) degrades the cloud like a real scan;
    the image always shows the whole object in colour. Without it (or with an all-off config) the instance is
    bit-identical to earlier releases."""
    names = category_names()
    if isinstance(category, (int, np.integer)) and not isinstance(category, bool):
        if not 0 <= category < len(names):
            raise ValueError(f"label must be in [0, {len(names)}), got {category}")
        name = names[int(category)]
    elif isinstance(category, str) and category in CATEGORIES:
        name = category
    else:
        raise ValueError(f"unknown category {category!r}; expected one of {names} or a label index")
    if num_points < 1:
        raise ValueError(f"num_points must be a positive integer, got {num_points}")
    if image_size < 8:
        raise ValueError(f"image_size must be at least 8 pixels, got {image_size}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be a non-negative 63-bit integer, got {seed}")

    config = RealismConfig.from_value(realism)

    rng = np.random.default_rng(int(seed))
    # Realism draws from children of ``rng`` that do not advance it, so the object and its pose stay the same.
    degrade = config.for_instance(rng) if config is not None else None
    built = CATEGORIES[name].builder(rng)
    triangles, colors = built.assembly.concatenated()
    if degrade is not None:
        triangles = degrade.stretch(triangles)
    yaw = rotation_z(rng.uniform(0.0, 2.0 * np.pi))
    triangles = triangles @ yaw.T

    sampler = SurfaceSampler(triangles)
    if degrade is None:
        xyz, triangle_index, _ = sampler.sample(num_points, rng)
    else:
        xyz, triangle_index = degrade.sample(sampler, num_points, rng)
    xyz, center, radius = normalize_to_unit_sphere(xyz)
    rgb = colors[triangle_index]
    if degrade is not None:
        xyz, rgb = degrade.finish(xyz, rgb)
    points = np.concatenate([xyz, rgb], axis=1).astype(np.float32)

    image = None
    if with_image:
        # A denser, separate sample for the render so that splats close up without holes.
        render_xyz, render_index, normals = sampler.sample(image_size * image_size, rng)
        if degrade is not None and degrade.thins:
            # The thinned cloud's frame is that of the part it kept; the render frames the whole object.
            _, center, radius = normalize_to_unit_sphere(render_xyz)
        image = render_points(
            (render_xyz - center) / radius, normals, colors[render_index], image_size=image_size
        )
    main_finish = built.assembly.main_finish()
    return ShapeInstance(
        points, image, built.captions, name, names.index(name), int(seed), main_finish.colour, main_finish.material
    )


def instance_seed(seed: int, split: str, label: int, index: int) -> int:
    """Per-instance seed; splits, categories and indices draw from disjoint streams of one base ``seed``."""
    if split not in _SPLIT_CODES:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return int(np.random.SeedSequence([int(seed), _SPLIT_CODES[split], int(label), int(index)]).generate_state(1, np.uint64)[0] >> 1)


def iter_split(
    split: str,
    *,
    num_per_category: int,
    seed: int = 0,
    categories: list[str] | None = None,
    num_points: int = DEFAULT_NUM_POINTS,
    with_images: bool = True,
    image_size: int = DEFAULT_IMAGE_SIZE,
    realism: RealismConfig | dict | None = None,
):
    """Yield dataset rows (dicts) of one split, category-major, ``num_per_category`` instances per category
    (``realism`` as in :func:`generate_instance`)."""
    names = category_names()
    chosen = names if categories is None else list(categories)
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        raise ValueError(f"unknown categories {unknown}; expected names from {names}")
    if num_per_category < 1:
        raise ValueError(f"num_per_category must be positive, got {num_per_category}")
    for name in chosen:
        label = names.index(name)
        for index in range(num_per_category):
            shape = generate_instance(
                name,
                instance_seed(seed, split, label, index),
                num_points=num_points,
                with_image=with_images,
                image_size=image_size,
                realism=realism,
            )
            row = {"points": shape.points}
            if with_images:
                row["image"] = shape.image
            row.update(
                captions=list(shape.captions),
                label=label,
                category=name,
                instance_id=f"{split}/{name.replace(' ', '_')}/{index:05d}",
                seed=shape.seed,
            )
            yield row


def dataset_features(*, num_points: int | None = None, with_images: bool = True):
    """The ``datasets.Features`` of the corpus (label names are always the full registry, in label order)."""
    import datasets

    features = {"points": datasets.Array2D(shape=(num_points, 6), dtype="float32")}
    if with_images:
        features["image"] = datasets.Image()
    features.update(
        captions=datasets.List(datasets.Value("string")),
        label=datasets.ClassLabel(names=category_names()),
        category=datasets.Value("string"),
        instance_id=datasets.Value("string"),
        seed=datasets.Value("int64"),
    )
    return datasets.Features(features)


def load_synthetic_shapes(
    split: str = "train",
    num_per_category: int = 100,
    num_points: int = DEFAULT_NUM_POINTS,
    seed: int = 0,
    with_images: bool = True,
    *,
    categories: list[str] | None = None,
    image_size: int = DEFAULT_IMAGE_SIZE,
    realism: RealismConfig | dict | None = None,
    cache_dir: str | None = None,
    keep_in_memory: bool = False,
    num_proc: int | None = None,
):
    """Generate one split as a ``datasets.Dataset`` (cached by ``datasets`` fingerprinting of the arguments).

    Columns: ``points`` float32 [num_points, 6], ``image`` (PIL on access; omitted when ``with_images=False``),
    ``captions`` list of strings, ``label`` ClassLabel over all categories, ``category``, ``instance_id`` and the
    per-instance ``seed``. Splits never share instances: each (seed, split, category, index) gets its own stream.
    ``categories`` restricts the rows to some categories (labels keep their full-registry indices). The Arrow
    cache (``cache_dir``, default the ``datasets`` cache) is keyed on all arguments and on the generator's source
    code, so repeated calls are instant and edits to a builder never serve stale rows. ``num_proc`` > 1 generates
    categories in parallel processes (rows stay identical). ``realism`` (a :class:`~.realism.RealismConfig` or a
    dict of its fields) makes the clouds scan-like, as in :func:`generate_instance`; it is part of the cache key.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    gen_kwargs = {
        "split": split,
        "num_per_category": num_per_category,
        "seed": seed,
        # An explicit list lets ``datasets`` shard the categories over ``num_proc`` workers.
        "categories": category_names() if categories is None else list(categories),
        "num_points": num_points,
        "with_images": with_images,
        "image_size": image_size,
        # As a plain dict: gen_kwargs must be JSON-serialisable for the fingerprint.
        "realism": None if realism is None else RealismConfig.from_value(realism).to_dict(),
    }
    # The fingerprint covers every module that shapes a row, so edits to a builder never serve stale rows.
    return generated_dataset(
        iter_split, gen_kwargs, features=dataset_features(num_points=num_points, with_images=with_images), split=split,
        source_dirs=[Path(__file__).parent], cache_dir=cache_dir, keep_in_memory=keep_in_memory, num_proc=num_proc,
    )


def load_synthetic_shapes_dict(num_per_category: dict[str, int] | int = 100, **kwargs):
    """All three splits as a ``datasets.DatasetDict``; ``num_per_category`` may differ per split."""
    import datasets

    counts = num_per_category if isinstance(num_per_category, dict) else {s: num_per_category for s in SPLITS}
    return datasets.DatasetDict({s: load_synthetic_shapes(s, counts[s], **kwargs) for s in SPLITS if s in counts})


__all__ = [
    "DEFAULT_IMAGE_SIZE",
    "DEFAULT_NUM_POINTS",
    "FIRST_RELEASE_SIZE",
    "SPLITS",
    "ShapeInstance",
    "category_names",
    "dataset_features",
    "first_release_categories",
    "generate_instance",
    "instance_seed",
    "iter_split",
    "load_synthetic_shapes",
    "load_synthetic_shapes_dict",
]
