"""``SyntheticShapes``: a ``datasets.GeneratorBasedBuilder`` over the synthetic shapes corpus, and an exporter to a
folder ``datasets.load_dataset`` reads.

datasets >= 4 (5.2 here) no longer runs local dataset scripts: ``load_dataset(folder)`` on a folder holding
``<folder name>.py`` raises "Dataset scripts are no longer supported". So the builder is used directly::

    from hf_spiking.data.synthetic_shapes import SyntheticShapes
    builder = SyntheticShapes(config_name="small")
    builder.download_and_prepare()
    splits = builder.as_dataset()                  # DatasetDict(train/validation/test)

or exported once to Parquet plus a dataset card, after which the folder loads offline anywhere::

    export_synthetic_shapes("shapes_small", config_name="small")
    datasets.load_dataset("shapes_small")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import datasets

from .generation import DEFAULT_IMAGE_SIZE, DEFAULT_NUM_POINTS, SPLITS, category_names, dataset_features, iter_split

_DESCRIPTION = (
    "Procedurally generated open-vocabulary 3D objects: {n} everyday categories built from primitives with random "
    "proportions, part counts, colours, materials and yaw. Each row: a coloured point cloud sampled uniformly from "
    "the surfaces (xyz in the unit sphere, z up, rgb in [0, 1]), an orthographic shaded render, and 3+ captions "
    "written from the drawn attributes. Splits are disjoint by instance seed."
)


@dataclass
class SyntheticShapesConfig(datasets.BuilderConfig):
    """Sizes per split (instances per category), cloud size, base seed and whether to render images."""

    train_per_category: int = 200
    validation_per_category: int = 20
    test_per_category: int = 50
    num_points: int = DEFAULT_NUM_POINTS
    seed: int = 0
    with_images: bool = True
    image_size: int = DEFAULT_IMAGE_SIZE
    categories: tuple[str, ...] | None = None  # a subset of the registry; labels keep their full-registry indices

    def __post_init__(self):
        super().__post_init__()
        self.validate()

    def validate(self) -> None:
        for split in SPLITS:
            if getattr(self, f"{split}_per_category") < 1:
                raise ValueError(f"{split}_per_category must be a positive integer")
        if self.num_points < 1:
            raise ValueError(f"num_points must be a positive integer, got {self.num_points}")
        if self.categories is not None:
            unknown = sorted(set(self.categories) - set(category_names()))
            if unknown:
                raise ValueError(f"unknown categories {unknown}; expected names from {category_names()}")


class SyntheticShapes(datasets.GeneratorBasedBuilder):
    """Named configs: ``default`` (8192 points, images, 200/20/50 per category), ``small`` (2048 points, images,
    40/5/10), ``points-only`` (as default without images) and ``tiny`` (256 points, no images, 2/1/1, for tests).
    Any config field can be overridden as a keyword argument."""

    BUILDER_CONFIG_CLASS = SyntheticShapesConfig
    BUILDER_CONFIGS = [
        SyntheticShapesConfig(name="default", version=datasets.Version("1.0.0")),
        SyntheticShapesConfig(name="small", version=datasets.Version("1.0.0"), train_per_category=40, validation_per_category=5, test_per_category=10, num_points=2048),
        SyntheticShapesConfig(name="points-only", version=datasets.Version("1.0.0"), with_images=False),
        SyntheticShapesConfig(name="tiny", version=datasets.Version("1.0.0"), train_per_category=2, validation_per_category=1, test_per_category=1, num_points=256, with_images=False),
    ]
    DEFAULT_CONFIG_NAME = "default"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keyword overrides are set on a copy of the named config without re-running its __post_init__.
        self.config.validate()

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description=_DESCRIPTION.format(n=len(category_names())),
            features=dataset_features(num_points=self.config.num_points, with_images=self.config.with_images),
            license="apache-2.0",
        )

    def _split_generators(self, dl_manager):
        config = self.config
        return [
            datasets.SplitGenerator(
                name=datasets.Split(split),
                gen_kwargs={
                    "split": split,
                    "num_per_category": getattr(config, f"{split}_per_category"),
                    "seed": config.seed,
                    "num_points": config.num_points,
                    "with_images": config.with_images,
                    "image_size": config.image_size,
                    "categories": None if config.categories is None else list(config.categories),
                },
            )
            for split in SPLITS
        ]

    def _generate_examples(self, **gen_kwargs):
        for row in iter_split(**gen_kwargs):
            yield row["instance_id"], row


_CARD = """---
license: apache-2.0
task_categories:
- zero-shot-classification
tags:
- point-cloud
- 3d
- synthetic
configs:
- config_name: default
  data_files:
{files}
---

# Synthetic shapes ({config})

{description}

Generated by `hf_spiking.data.synthetic_shapes.export_synthetic_shapes` with config `{config}`:
{settings}. Category recipes: `docs/synthetic_shapes.md` in the hf_spiking repository. Use `captions` for
language supervision and `label` only for evaluation.
"""


def export_synthetic_shapes(
    output_dir: str | Path,
    config_name: str = "default",
    *,
    cache_dir: str | None = None,
    **config_overrides,
) -> Path:
    """Generate all splits with :class:`SyntheticShapes` and write ``data/<split>.parquet`` plus a dataset card
    (``README.md``) to ``output_dir``, so that ``datasets.load_dataset(output_dir)`` loads it offline with the same
    features (the Parquet schema carries them)."""
    output_dir = Path(output_dir)
    builder = SyntheticShapes(config_name=config_name, cache_dir=cache_dir, **config_overrides)
    builder.download_and_prepare()
    splits = builder.as_dataset()
    (output_dir / "data").mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        splits[split].to_parquet(str(output_dir / "data" / f"{split}.parquet"))
    config = builder.config
    settings = ", ".join(
        f"{field} = {getattr(config, field)}"
        for field in SyntheticShapesConfig.__dataclass_fields__
        if field.endswith("_per_category") or field in ("num_points", "seed", "with_images", "image_size", "categories")
    )
    files = "\n".join(f"  - split: {split}\n    path: data/{split}.parquet" for split in SPLITS)
    (output_dir / "README.md").write_text(
        _CARD.format(files=files, config=config.name, description=builder.info.description, settings=settings),
        encoding="utf-8",
    )
    return output_dir


__all__ = ["SyntheticShapes", "SyntheticShapesConfig", "export_synthetic_shapes"]
