#!/usr/bin/env python
"""Writes ``docs/synthetic_shapes.md`` and its gallery from the synthetic shapes category registry.

    python scripts/make_synthetic_shapes_docs.py docs/
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from hf_spiking.data.modelnet import MODELNET40_CLASSES
from hf_spiking.data.synthetic_shapes import CATEGORIES, EVERYDAY_SOURCE, category_names, generate_instance

GALLERY_NAME = "synthetic_shapes_gallery.png"
_EXAMPLES_PER_CATEGORY = 3
_GALLERY_COLUMNS = 5  # categories per gallery row
_ORIGINAL = "original corpus"

_INTRO = """# Synthetic shapes: a procedurally generated open-vocabulary 3D corpus

`hf_spiking.data.synthetic_shapes` builds labelled, captioned 3D objects from primitives (boxes, cylinders and
cones, surfaces of revolution, spheres, tori, extruded polygons) with random proportions, part counts, optional
parts, colours, materials and yaw. It exists so that SVL-style language-supervised pretraining and zero-shot
evaluation can run offline on a CPU. This page is generated from the category registry by
`python scripts/make_synthetic_shapes_docs.py docs/`; do not edit it by hand.

## What an instance holds

| field | content |
|---|---|
| `points` | float32 `[N, 6]` (default N = 8192): xyz sampled uniformly over the surface area (area-weighted triangle choice, uniform barycentric), centred on the centroid and scaled so the farthest point has norm 1; z is up; rgb in [0, 1] is the colour of the part each point lies on |
| `image` | uint8 `[128, 128, 3]` orthographic render from azimuth 35 deg / elevation 25 deg: a z-buffered splat of 16,384 surface samples (2x2 pixels each) with two-sided Lambertian shading (ambient 0.35) on white; gaps where a back surface shows through are closed from the nearest neighbour |
| `captions` | 4 sentences written from the attributes the builder drew: colour and material words, part counts, proportion words ("tall", "low", "wide shallow"), optional parts. Most name the category or a common synonym (couch, bookcase, teacup, pine tree, pylon...) |
| `label`, `category` | index and name in registry order. Zero-shot training must use `captions` only |
| `instance_id`, `seed` | `"<split>/<category>/<index>"` and the 63-bit seed that reproduces the instance |

Determinism: `generate_instance(category, seed)` depends only on its arguments (numpy `default_rng(seed)`); the
same seed gives bit-identical arrays and captions. Dataset rows derive their seed from
`SeedSequence([base_seed, split, label, index])`, so the train / validation / test splits never share an instance.

Speed (2 shared CPU cores under load, CPU time per instance, 8192 points, no image): about 7 ms on average for the 28
original categories and about 10 ms for the later ones (the slowest, train, fan and motorcycle, take 20-40 ms);
the 128 x 128 render adds about 15-20 ms. The realism options below add about 10 ms when they thin the cloud.

## Using it

```python
from hf_spiking.data.synthetic_shapes import generate_instance, load_synthetic_shapes, category_names

shape = generate_instance("mug", seed=0)              # ShapeInstance(points, image, captions, category, label, seed)
train = load_synthetic_shapes("train", num_per_category=2, num_points=2048, seed=0, with_images=True)
test = load_synthetic_shapes("test", num_per_category=20, categories=["mug", "cup"])   # labels keep registry indices
```

`load_synthetic_shapes` returns a `datasets.Dataset` with features `points` (`Array2D((N, 6), float32)`), `image`
(`Image`), `captions` (`List(string)`), `label` (`ClassLabel` over all categories), `category`, `instance_id` and
`seed`; it is cached by `datasets` under a fingerprint of its arguments and of the generator source, and
`num_proc` generates categories in parallel. `load_synthetic_shapes_dict` returns all three splits.

**Builder.** datasets 5.2 no longer runs local dataset scripts (`load_dataset(folder)` raises "Dataset scripts are
no longer supported" when the folder holds `<folder>.py`). The corpus therefore ships a builder class,
`hf_spiking.data.synthetic_shapes.SyntheticShapes` (configs `default`, `small`, `points-only`, `tiny`;
any field can be overridden: `SyntheticShapes(config_name="small", num_points=1024)`), and
`export_synthetic_shapes(folder, config_name)`, which writes `data/<split>.parquet` plus a dataset card so that
`datasets.load_dataset(folder)` loads it offline with the same features.

## Realism: scan-like clouds

Real benchmarks differ from clean synthetic clouds: ModelNet40 is sampled from meshes without colour, ScanObjectNN
clouds are partial, noisy single-view scans. `realism=` (a `RealismConfig`, or a dict of its fields) on
`generate_instance`, `iter_split` and `load_synthetic_shapes` degrades the clouds accordingly. Every option is off
by default, and an instance without realism (or with an all-off config) is bit-identical to earlier releases.

| option | effect |
|---|---|
| `drop_color=True` | rgb replaced by the constant grey 0.4 that the ModelNet / OpenShape loaders give colourless points |
| `partial_view_probability=p` | with probability p keep only the points an orthographic camera at a random viewpoint (any azimuth, elevation -15 to 60 deg) sees: z-buffer hidden-point removal with slope-aware depth tolerance; the partial cloud is then centred and scaled into the unit sphere on its own |
| `noise_std=s` | Gaussian jitter of standard deviation s (unit-sphere units) on every coordinate, then re-centred and re-scaled into the unit sphere |
| `density_falloff=f` | non-uniform density: a point is kept with probability 1 - f t, t running from 0 to 1 across the object along a random direction (f in [0, 1)) |
| `anisotropic_scale=(low, high)` | before sampling, the object is stretched along each of its own axes by a factor drawn log-uniformly from [low, high] |

The realism draws come from generators spawned from the instance's own (which they do not advance), in a fixed
order whether an option is on or not, so rows stay deterministic, the object, its pose and its captions do not
change, and one option's randomness does not depend on the others. Thinning options (partial view, falloff) sample
a larger pool and keep `num_points` of the survivors. The image always shows the whole object in colour. The
options are part of the `datasets` cache key.

```python
from hf_spiking.data.synthetic_shapes import RealismConfig, generate_instance, load_synthetic_shapes

scan_like = RealismConfig(drop_color=True, partial_view_probability=0.5, noise_std=0.01, density_falloff=0.5,
                          anisotropic_scale=(0.8, 1.25))
shape = generate_instance("kettle", seed=0, realism=scan_like)      # grey, maybe one-sided, jittered, stretched
rows = load_synthetic_shapes("train", num_per_category=1, num_points=1024, with_images=False, realism=scan_like)
```

## Categories
"""

_LOADERS = """
## Evaluation sets as released

`hf_spiking.data.modelnet` and `hf_spiking.data.openshape` read the zero-shot benchmarks into the same convention
(float32 `[N, 6]`, unit sphere, z up, grey 0.4 where a source has no colour) and return `(points, label)` items plus
`class_names`:

| loader | expected layout |
|---|---|
| `load_modelnet40_off(root, split)` | ModelNet40 as released: `root/<class>/{train,test}/<class>_<id>.off`, z-up meshes, sampled area-weighted per item (seeded). Handles the fused header `OFF490 518 0`, comments and polygon faces. Labels index the 40 classes in alphabetical order |
| `load_openshape_modelnet40(meta_data, allow_pickle=True)` | OpenShape `meta_data/modelnet40/test_split.json` (list of `{name, category}`) and `test_pc.npy` (pickled object array of `{xyz, rgb}` dicts, rgb 0..255, y-up) |
| `load_openshape_objaverse_lvis(meta_data, allow_pickle=True)` | OpenShape `meta_data/split/lvis.json` (list of `{uid, category, group, data_path}`) and one pickled `.npy` dict `{xyz, rgb}` per object (`data_path` relative to the folder holding `meta_data`), y-up; classes are the sorted unique categories (1,156 in the release) |
| `load_openshape_scanobjectnn(meta_data, allow_pickle=True)` | OpenShape `meta_data/scanobjectnn/xyz_label.npy` (pickled dict with `xyz`, `label` in OpenShape's 15-class order, optional `rgb`), y-up |

OpenShape's files are pickles, which can execute code when loaded: the loaders refuse them unless called with
`allow_pickle=True`. The layouts come from OpenShape's `src/data.py`, `src/configs/train.yaml` and README; the
tests build tiny folders in exactly these layouts, but the loaders have not been run on the full downloads here.
"""


def _plain(name: str) -> str:
    return name.replace("_", "").replace(" ", "").lower()


def source_section() -> str:
    """Where the category list comes from, with the names that coincide with ModelNet40's classes."""
    by_source = {_ORIGINAL: [], "ShapeNetCore55": [], EVERYDAY_SOURCE: [], "NYU40": []}
    for category in CATEGORIES.values():
        by_source[category.source.split(" ", 1)[0] if category.source.startswith(("ShapeNetCore55", "NYU40"))
                  else category.source].append(category.name)
    modelnet = {_plain(name): name for name in MODELNET40_CLASSES}
    later = by_source["ShapeNetCore55"] + by_source[EVERYDAY_SOURCE] + by_source["NYU40"]
    shared = [f"{name} (`{modelnet[_plain(name)]}`)" for name in later if _plain(name) in modelnet]
    shared_original = [name for name in by_source[_ORIGINAL] if _plain(name) in modelnet]
    return f"""{len(CATEGORIES)} categories, in label order. Labels are append-only: the {len(by_source[_ORIGINAL])} original
categories (labels 0-{len(by_source[_ORIGINAL]) - 1}) keep their builders and indices, and later categories are
appended after them, module by module (`categories.EXTENSION_MODULES`), so shipped models stay valid.

**Where the list comes from.** The {len(later)} categories added after the original ones were chosen from three generic
lists, never from ModelNet40's class list, and no builder was fitted to or checked against ModelNet40 shapes:

- {len(by_source["ShapeNetCore55"])} from the synset names of ShapeNetCore55 (the 55 WordNet synsets of ShapeNet's core
  subset; the synset is named in the table's source column, e.g. `ashcan` -> trash bin, `washer` -> washing machine,
  `display` -> monitor, `earphone` -> headphones, `cellular telephone` -> mobile phone, `pot` -> flowerpot). Synsets
  already covered by the original categories (airplane, bed, bench, bookshelf, bottle, bowl, car, chair, guitar,
  lamp, mug, rocket, sofa, table, vessel -> boat) were not duplicated, and the weapons (pistol, rifle) were left out;
- {len(by_source[EVERYDAY_SOURCE])} from a generic list of everyday household, kitchen, tool, furniture, vehicle and
  street objects (the candidate list of issue #14): {", ".join(by_source[EVERYDAY_SOURCE])};
- {len(by_source["NYU40"])} from the NYU Depth v2 40-class list (Gupta, Arbelaez and Malik, CVPR 2013; the label set of
  NYUv2, SUN RGB-D and ScanNet's NYU40 benchmark), taken whole under its own names: every object class not already in
  the corpus ({", ".join(by_source["NYU40"])}); the room structure (wall, floor, ceiling) and the three catch-all
  classes (other structure, other furniture, other prop) have no single shape and were left out. This list was
  added after ModelNet40 zero-shot measurements showed that indoor classes were missing; it was taken whole, with
  classes ModelNet40 lacks, so that no class inside it was picked by looking at ModelNet40's list.

Names that happen to coincide with ModelNet40 classes (compared after removing spaces and underscores): among the
later categories {", ".join(shared) if shared else "none"}; among the original ones {", ".join(shared_original)}.
They are in the corpus because the generic lists name them. A zero-shot score on ModelNet40 therefore includes
classes whose names the training captions use; their shapes were built from general knowledge of the objects, not
from ModelNet40 meshes.

"""


def category_table(seed: int = 0) -> str:
    rows = ["| # | category | source | how it is built | example captions (seed {seed}) |".format(seed=seed), "|---|---|---|---|---|"]
    for label, category in enumerate(CATEGORIES.values()):
        captions = generate_instance(category.name, seed, num_points=64, with_image=False).captions
        examples = "<br>".join(f"\"{c}\"" for c in captions[:2])
        rows.append(f"| {label} | {category.name} | {category.source} | {category.description} | {examples} |")
    return "\n".join(rows)


def render_gallery(image_size: int = 96, seed: int = 0) -> np.ndarray:
    """Rendered examples of every category, ``_EXAMPLES_PER_CATEGORY`` per category, labelled."""
    from PIL import Image, ImageDraw

    names = category_names()
    tile_w, label_h = image_size * _EXAMPLES_PER_CATEGORY, 14
    rows = -(-len(names) // _GALLERY_COLUMNS)
    canvas = Image.new("RGB", (tile_w * _GALLERY_COLUMNS, rows * (image_size + label_h)), "white")
    draw = ImageDraw.Draw(canvas)
    for position, name in enumerate(names):
        x0 = (position % _GALLERY_COLUMNS) * tile_w
        y0 = (position // _GALLERY_COLUMNS) * (image_size + label_h)
        draw.text((x0 + 4, y0 + 1), name, fill=(0, 0, 0))
        for k in range(_EXAMPLES_PER_CATEGORY):
            image = generate_instance(name, seed + k, num_points=64, image_size=image_size).image
            canvas.paste(Image.fromarray(image), (x0 + k * image_size, y0 + label_h))
    return np.asarray(canvas)


def write_docs(folder: str | Path) -> Path:
    """Writes ``synthetic_shapes.md`` and the gallery image into ``folder``; returns the page's path."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # A 256-colour palette keeps the category gallery at a fraction of the full-colour size.
    Image.fromarray(render_gallery()).quantize(256).save(folder / GALLERY_NAME, optimize=True)
    text = (
        _INTRO
        + "\n"
        + source_section()
        + category_table()
        + f"\n\n![Three rendered instances of every category]({GALLERY_NAME})\n"
        + _LOADERS
    )
    path = folder / "synthetic_shapes.md"
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_docs(sys.argv[1] if len(sys.argv) > 1 else "docs"))
