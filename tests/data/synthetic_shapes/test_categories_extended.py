"""The extended corpus: at least 80 categories appended after the original 28 (whose names, labels and instances
must not change), every new builder's instances and captions, the shared part helpers and the realism options."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from hf_spiking.data.generated_datasets import source_fingerprint
from hf_spiking.data.point_clouds import MISSING_COLOR
from hf_spiking.data.synthetic_shapes import (
    CATEGORIES,
    EVERYDAY_SOURCE,
    RealismConfig,
    category_names,
    generate_instance,
    iter_split,
    load_synthetic_shapes,
)
from hf_spiking.data.synthetic_shapes.finishes import COLOURS, MATERIALS, WOOD_TONES, fix_articles
from hf_spiking.data.synthetic_shapes.geometry import SurfaceSampler, box, rod, sphere, visible_from
from hf_spiking.data.synthetic_shapes.parts import open_box, rods, tapered_box, tube

ORIGINAL = (
    "table chair stool bed lamp cup mug bottle bowl vase bookshelf sofa car airplane boat guitar rocket tree house "
    "bench dumbbell door ladder"
).split() + ["traffic cone", "snowman", "umbrella", "windmill", "bicycle"]
NEW = category_names()[len(ORIGINAL):]

# Digests of default instances computed before the corpus was extended (points rounded to 1e-4, so that the last
# bit of a platform's floating point cannot flip them, plus the captions).
BEFORE = {("table", 0): "486d6025723232dc", ("mug", 3): "4e868eb413f140ee", ("car", 7): "9a038538c0f5d544",
          ("bicycle", 11): "fe2ceda2e388170b", ("house", 5): "4d61546fb9ebf137", ("ladder", 2): "39957244be731179"}


def _digest(points: np.ndarray, captions) -> str:
    return hashlib.sha256(np.round(points.astype(np.float64), 4).tobytes() + "|".join(captions).encode()).hexdigest()[:16]


def test_registry_appends_at_least_52_categories_after_the_original_28():
    names = category_names()
    assert names[: len(ORIGINAL)] == ORIGINAL
    assert len(names) >= 80 and len(set(names)) == len(names)
    assert all(CATEGORIES[name].source == "original corpus" for name in ORIGINAL)
    for name in NEW:
        source = CATEGORIES[name].source
        assert source == EVERYDAY_SOURCE or source.startswith(("ShapeNetCore55 synset '", "NYU40 class '")), (name, source)
        assert len(CATEGORIES[name].description) > 60


def test_default_instances_of_the_original_categories_are_unchanged():
    for (name, seed), digest in BEFORE.items():
        shape = generate_instance(name, seed, num_points=512, with_image=False)
        assert _digest(shape.points, shape.captions) == digest, name
    row = next(iter_split("test", num_per_category=1, categories=["cup"], num_points=256, with_images=False))
    assert row["seed"] == 7844418654510292707 and _digest(row["points"], row["captions"]) == "bcd10d7a5a532952"


def test_labels_do_not_depend_on_which_module_is_imported_first():
    code = (
        "import hf_spiking.data.synthetic_shapes.categories_outdoor, hf_spiking.data.synthetic_shapes.categories_vehicles;"
        "from hf_spiking.data.synthetic_shapes import category_names; print('|'.join(category_names()))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip().split("|") == category_names()


@pytest.mark.parametrize("name", NEW)
def test_new_category_builds_truthful_varied_instances(name):
    caption_sets, clouds = set(), []
    for seed in range(4):
        built = CATEGORIES[name].builder(np.random.default_rng(seed))
        for finish in built.assembly.finishes:
            assert finish.colour in COLOURS or finish.colour in WOOD_TONES, (name, finish)
            assert finish.material is None or finish.material in MATERIALS, (name, finish)
        shape = generate_instance(name, seed, num_points=256, with_image=False)
        xyz = shape.points[:, :3]
        assert shape.points.shape == (256, 6) and np.isfinite(shape.points).all()
        assert np.linalg.norm(xyz, axis=1).max() <= 1.0 + 1e-5 and 0.0 <= shape.points[:, 3:].min() <= shape.points[:, 3:].max() <= 1.0
        assert 3 <= len(shape.captions) <= 5 and len(set(shape.captions)) == len(shape.captions)
        for caption in shape.captions:
            assert 3 <= len(caption.split()) <= 25 and caption == caption.strip() and "  " not in caption, caption
            assert not any(mark in caption for mark in "{}[]<>") and fix_articles(caption) == caption, caption
        assert any(name in caption for caption in shape.captions), shape.captions
        caption_sets.add(shape.captions)
        clouds.append(shape.points)
    again = generate_instance(name, 3, num_points=256, with_image=False)
    np.testing.assert_array_equal(again.points, clouds[-1])
    assert len(caption_sets) > 1 and not np.array_equal(clouds[0], clouds[1])  # instances vary within the class


def test_part_helpers():
    rng = np.random.default_rng(0)
    starts, ends = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    ends[2] = starts[2] + (0.0, 0.0, -1.0)  # straight down: the half-turn branch of the rotation
    expected = np.concatenate([rod(a, b, 0.1, top_radius=0.05, segments=7) for a, b in zip(starts, ends)])
    np.testing.assert_allclose(rods(starts, ends, 0.1, top_radius=0.05, segments=7), expected, atol=1e-12)
    assert tube([(0, 0, 0), (1, 0, 0), (1, 1, 0)], 0.1).shape == rods([(0, 0, 0), (1, 0, 0)], [(1, 0, 0), (1, 1, 0)], 0.1).shape
    wedge = tapered_box((2.0, 1.0), (1.0, 0.5), 3.0, offset=(0.25, 0.0)).reshape(-1, 3)
    np.testing.assert_allclose(wedge.min(axis=0), (-1.0, -0.5, 0.0))
    np.testing.assert_allclose(wedge[wedge[:, 2] > 0].max(axis=0), (0.75, 0.25, 3.0))
    bin_ = open_box((1.0, 1.0, 1.0), 0.1).reshape(-1, 3)
    assert bin_[:, 2].max() == pytest.approx(0.5) and bin_[:, 2].min() == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="wall thickness"):
        open_box((1.0, 1.0, 0.1), 0.1)
    with pytest.raises(ValueError, match="distinct start and end"):
        rods([(0, 0, 0)], [(0, 0, 0)], 0.1)


def _sphere_points(n: int = 20_000):
    return SurfaceSampler(sphere(1.0, segments=48, rings=24)).sample(n, np.random.default_rng(1))


def test_visible_from_keeps_the_near_half_of_a_sphere():
    points, _, normals = _sphere_points()
    direction = np.array([0.6, -0.48, 0.64])
    seen = visible_from(points, direction, normals=normals, resolution=40)
    along = points @ direction
    assert 0.4 < seen.mean() < 0.65
    # Seen up to a little past the silhouette (where the surface is edge-on, cells span a wide depth range).
    assert (along[seen] > -0.3).all() and (along[~seen] < 0.3).all()
    with pytest.raises(ValueError, match="direction"):
        visible_from(points, (0.0, 0.0, 0.0))


def test_realism_options_do_what_they_say():
    points_sampler = SurfaceSampler(box((1.0, 1.0, 1.0)))
    # Partial view: the kept points of a convex object face the camera (up to just past its silhouette).
    view = RealismConfig(partial_view_probability=1.0).for_instance(np.random.default_rng(5))
    kept, _ = view.sample(SurfaceSampler(sphere(1.0, segments=48, rings=24)), 3000, np.random.default_rng(6))
    assert kept.shape == (3000, 3) and (kept @ view.view_direction > -0.3).all() and (kept @ view.view_direction > 0.0).mean() > 0.9
    # Density falloff: relative to a uniform sample, the first quarter along the falloff direction keeps about
    # 1 - 0.9 * 0.125 of its points and the last quarter 1 - 0.9 * 0.875: about 4.2 times fewer.
    thin = RealismConfig(density_falloff=0.9).for_instance(np.random.default_rng(5))
    kept, _ = thin.sample(points_sampler, 20_000, np.random.default_rng(6))
    uniform, _, _ = points_sampler.sample(20_000, np.random.default_rng(7))
    reference = uniform @ thin.falloff_direction
    span = (reference.min(), np.ptp(reference))
    share = [np.histogram((cloud @ thin.falloff_direction - span[0]) / span[1], 4, (0, 1))[0] for cloud in (kept, uniform)]
    ratio = share[0] / share[1]
    assert 3.0 < ratio[0] / ratio[-1] < 6.0 and (np.diff(ratio) < 0).all()
    # Anisotropic scale: per-axis factors within the range.
    scales = np.array([RealismConfig(anisotropic_scale=(0.5, 2.0)).for_instance(np.random.default_rng(s)).axis_scale for s in range(50)])
    assert scales.min() >= 0.5 and scales.max() <= 2.0 and scales.std() > 0.2


def test_realism_in_generated_instances():
    name, seed = "kettle", 4
    clean = generate_instance(name, seed, num_points=2048, image_size=32)
    for off in (RealismConfig(), {}):
        same = generate_instance(name, seed, num_points=2048, image_size=32, realism=off)
        np.testing.assert_array_equal(same.points, clean.points)
        np.testing.assert_array_equal(same.image, clean.image)

    grey = generate_instance(name, seed, num_points=2048, with_image=False, realism={"drop_color": True})
    np.testing.assert_array_equal(grey.points[:, :3], clean.points[:, :3])
    assert (grey.points[:, 3:] == np.float32(MISSING_COLOR)).all() and grey.captions == clean.captions

    noisy = generate_instance(name, seed, num_points=2048, with_image=False, realism={"noise_std": 0.02})
    # Noise then re-normalisation: noisy = a * clean + b + noise, so the residual of that fit is the noise.
    design = np.concatenate([clean.points[:, :3].reshape(-1, 1), np.kron(np.ones((2048, 1)), np.eye(3))], axis=1)
    fit, *_ = np.linalg.lstsq(design, noisy.points[:, :3].reshape(-1), rcond=None)
    residual = noisy.points[:, :3].reshape(-1) - design @ fit
    assert residual.std() == pytest.approx(0.02 * fit[0], rel=0.15)
    assert np.linalg.norm(noisy.points[:, :3], axis=1).max() == pytest.approx(1.0, abs=1e-5)

    stretched = generate_instance(name, seed, num_points=2048, with_image=False, realism={"anisotropic_scale": (0.5, 2.0)})
    assert stretched.captions == clean.captions and not np.allclose(stretched.points, clean.points)

    everything = RealismConfig(drop_color=True, partial_view_probability=1.0, noise_std=0.01, density_falloff=0.5, anisotropic_scale=(0.8, 1.25))
    scans = [generate_instance(name, seed, num_points=2048, image_size=32, realism=everything) for _ in range(2)]
    np.testing.assert_array_equal(scans[0].points, scans[1].points)
    assert scans[0].points.shape == (2048, 6) and np.linalg.norm(scans[0].points[:, :3], axis=1).max() == pytest.approx(1.0, abs=1e-5)
    assert scans[0].image.shape == (32, 32, 3) and not np.array_equal(scans[0].points[:, :3], clean.points[:, :3])


@pytest.mark.parametrize(
    ("options", "field"),
    [({"drop_color": 1}, "drop_color"), ({"partial_view_probability": 1.5}, "partial_view_probability"),
     ({"noise_std": -0.1}, "noise_std"), ({"density_falloff": 1.0}, "density_falloff"),
     ({"anisotropic_scale": (2.0, 1.0)}, "anisotropic_scale"), ({"anisotropic_scale": (0.5,)}, "anisotropic_scale"),
     ({"jitter": 0.1}, "unknown realism options")],
)
def test_bad_realism_options_are_rejected(options, field):
    with pytest.raises(ValueError, match=field):
        generate_instance("mug", 0, num_points=16, with_image=False, realism=options)


def test_realism_rows_are_cached_separately_and_match_the_generator(tmp_path):
    realism = RealismConfig(drop_color=True, noise_std=0.01, anisotropic_scale=(0.8, 1.25))
    kwargs = dict(num_points=64, categories=["kettle", "tent"], with_images=False, cache_dir=str(tmp_path))
    plain = load_synthetic_shapes("test", 1, **kwargs)
    scans = load_synthetic_shapes("test", 1, realism=realism, **kwargs)
    row = scans.with_format("numpy")[1]
    expected = generate_instance("tent", int(row["seed"]), num_points=64, with_image=False, realism=realism)
    np.testing.assert_array_equal(row["points"], expected.points)
    assert not np.array_equal(np.asarray(plain["points"]), np.asarray(scans["points"]))
    gen_kwargs = {"realism": realism.to_dict()}
    assert json.loads(json.dumps(gen_kwargs)) == gen_kwargs and RealismConfig.from_value(realism.to_dict()) == realism
    assert source_fingerprint(gen_kwargs, []) != source_fingerprint({"realism": None}, [])
