"""Procedural shape corpus: primitives and sampling against closed-form areas, the renderer, every category's
instances (shape, range, determinism) and captions that agree with the drawn attributes."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_shapes.categories import CATEGORIES
from hf_spiking.data.synthetic_shapes.finishes import COLOURS, article, count, fix_articles, grade
from hf_spiking.data.synthetic_shapes.geometry import (
    SurfaceSampler,
    box,
    cylinder,
    render_points,
    sphere,
    torus,
    triangle_areas,
)
from hf_spiking.data.synthetic_shapes import category_names, generate_instance, instance_seed

REQUIRED = (
    "table chair stool bed lamp cup mug bottle bowl vase bookshelf sofa car airplane boat guitar rocket tree house "
    "bench dumbbell door ladder"
).split() + ["traffic cone"]


def test_primitive_areas_match_closed_forms():
    assert triangle_areas(box((1.0, 2.0, 3.0))).sum() == pytest.approx(2 * (2 + 3 + 6))
    # Polygonal approximations converge to the smooth areas from below.
    assert triangle_areas(cylinder(1.0, 2.0, segments=64)).sum() == pytest.approx(2 * np.pi + 4 * np.pi, rel=0.01)
    assert triangle_areas(sphere(1.0, segments=64, rings=32)).sum() == pytest.approx(4 * np.pi, rel=0.01)
    assert triangle_areas(torus(2.0, 0.5, segments=64, tube_segments=32)).sum() == pytest.approx(4 * np.pi**2, rel=0.01)
    assert triangle_areas(cylinder(1.0, 1.0, top_radius=0.0, segments=64)).sum() == pytest.approx(
        np.pi + np.pi * np.sqrt(2.0), rel=0.01
    )


def test_surface_sampling_is_area_weighted_and_on_the_surface():
    rng = np.random.default_rng(0)
    points, index, normals = SurfaceSampler(box((1.0, 2.0, 4.0))).sample(40_000, rng)
    half = np.array([0.5, 1.0, 2.0])
    on_face = np.isclose(np.abs(points), half, atol=1e-9)
    assert on_face.any(axis=1).all() and (np.abs(points) <= half + 1e-9).all()
    # Faces normal to x have area 2*4 = 8 each of a total 2*(2+4+8) = 28.
    share = on_face.mean(axis=0)
    np.testing.assert_allclose(share, [2 * 8 / 28, 2 * 4 / 28, 2 * 2 / 28], atol=0.01)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0)
    # Uniform within a face: the x-faces' points spread evenly over y.
    y_on_x_faces = points[on_face[:, 0], 1]
    np.testing.assert_allclose(np.histogram(y_on_x_faces, 4, (-1, 1))[0] / len(y_on_x_faces), 0.25, atol=0.02)


def test_render_of_a_sphere_is_a_shaded_disk():
    rng = np.random.default_rng(1)
    points, index, normals = SurfaceSampler(sphere(1.0, segments=48, rings=24)).sample(30_000, rng)
    image = render_points(points, normals, np.full((len(points), 3), 0.8), image_size=64)
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    covered = (image < 250).any(axis=-1)
    # Orthographic unit sphere inside a 4% margin: a disk of radius 0.46 * 64 pixels, which the 2x2 splat
    # footprint widens by about a pixel.
    radius = np.sqrt(covered.sum() / np.pi)
    assert 0.46 * 64 <= radius <= 0.46 * 64 + 1.5
    assert covered[32, 32] and not covered[0, 0]
    shades = image[covered][:, 0]
    assert shades.max() > 180 and shades.min() < 130  # Lambertian shading, not a flat fill


def test_registry_has_the_required_categories_with_descriptions():
    names = category_names()
    assert len(names) >= 24 and set(REQUIRED) <= set(names)
    for category in CATEGORIES.values():
        assert len(category.description) > 40 and callable(category.builder)


@pytest.mark.parametrize("name", category_names())
def test_every_category_builds_valid_deterministic_instances(name):
    shape = generate_instance(name, seed=11, num_points=8192, image_size=64)
    again = generate_instance(name, seed=11, num_points=8192, image_size=64)
    other = generate_instance(name, seed=12, num_points=8192, with_image=False)
    assert shape.points.shape == (8192, 6) and shape.points.dtype == np.float32
    np.testing.assert_array_equal(shape.points, again.points)
    np.testing.assert_array_equal(shape.image, again.image)
    assert shape.captions == again.captions
    assert not np.array_equal(shape.points, other.points)
    assert other.image is None

    xyz, rgb = shape.points[:, :3], shape.points[:, 3:]
    assert np.isfinite(shape.points).all()
    np.testing.assert_allclose(xyz.mean(axis=0), 0.0, atol=1e-5)
    assert np.linalg.norm(xyz, axis=1).max() == pytest.approx(1.0, abs=1e-5)
    assert rgb.min() >= 0.0 and rgb.max() <= 1.0
    assert shape.image.shape == (64, 64, 3) and (shape.image < 250).any(axis=-1).mean() > 0.03

    assert len(shape.captions) >= 3 and len(set(shape.captions)) == len(shape.captions)
    assert all(isinstance(c, str) and 3 <= len(c.split()) <= 25 and "  " not in c for c in shape.captions)
    assert any(name in caption for caption in shape.captions), shape.captions
    assert shape.label == category_names().index(name) and shape.category == name


def test_caption_colour_matches_the_points():
    """A mug is a single finish: the colour its caption names is the colour of its points."""
    for seed in range(6):
        shape = generate_instance("mug", seed=seed, num_points=2048, with_image=False)
        named = max((c for c in COLOURS if f" {c} mug" in shape.captions[1]), key=len)
        np.testing.assert_allclose(np.median(shape.points[:, 3:], axis=0), COLOURS[named], atol=0.12)


def test_caption_counts_match_the_geometry():
    """Ladder captions state the number of rungs; rungs are the only horizontal cylinders, so count them."""
    for seed in range(4):
        shape = generate_instance("ladder", seed=seed, num_points=512, with_image=False)
        words = shape.captions[0].split()
        stated = words[words.index("with") + 1]
        built = CATEGORIES["ladder"].builder(np.random.default_rng(seed)).assembly
        rail_and_rung_parts = len(built.triangles)
        frames = 2 if "step ladder" in shape.captions[0] else 1
        rungs = rail_and_rung_parts - 2 * frames
        assert count(rungs, "rung").startswith(stated)


def test_language_helpers():
    assert article("orange mug") == "an orange mug" and article("red mug") == "a red mug"
    assert article("SUV") == "an SUV" and article("US flag") == "a US flag"
    assert fix_articles("a orange chair next to an red car and a apple") == "an orange chair next to a red car and an apple"
    assert count(1, "shelf", "shelves") == "one shelf" and count(4, "shelf", "shelves") == "four shelves"
    assert count(14, "rung") == "14 rungs"
    assert [grade(v, (1, 2), ("low", "mid", "high")) for v in (0.5, 1.5, 2.5)] == ["low", "mid", "high"]


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="unknown category"):
        generate_instance("spaceship", seed=0)
    with pytest.raises(ValueError, match="label must be"):
        generate_instance(999, seed=0)
    with pytest.raises(ValueError, match="num_points"):
        generate_instance("mug", seed=0, num_points=0)
    with pytest.raises(ValueError, match="split"):
        instance_seed(0, "dev", 0, 0)


def test_instance_seeds_are_disjoint_across_splits_and_indices():
    seeds = {instance_seed(0, split, label, index) for split in ("train", "validation", "test") for label in range(28) for index in range(20)}
    assert len(seeds) == 3 * 28 * 20
    assert generate_instance(3, seed=5, with_image=False).category == category_names()[3]


def test_documentation_lists_every_registered_category(load_script):
    from pathlib import Path

    make_docs = load_script("make_synthetic_shapes_docs")
    GALLERY_NAME, category_table = make_docs.GALLERY_NAME, make_docs.category_table

    docs = Path(__file__).resolve().parents[3] / "docs"
    text = (docs / "synthetic_shapes.md").read_text(encoding="utf-8")
    assert category_table() in text, "docs are stale: run python scripts/make_synthetic_shapes_docs.py docs/"
    assert (docs / GALLERY_NAME).stat().st_size > 10_000
