"""Scene objects: every class builds deterministically at its pinned real-world size, centred and on the ground."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_scenes import OBJECT_CLASSES, build_object

AXES = {"length": 0, "width": 1, "height": 2}
OWN_SIZES = {"person": {"height": (1.5, 1.9)}, "pole": {"height": (3.0, 8.0)}}  # drawn by the scene-only builders


@pytest.mark.parametrize("name", list(OBJECT_CLASSES))
def test_objects_have_real_world_sizes_and_stand_centred_on_the_ground(name):
    ranges = OBJECT_CLASSES[name].target_size or OWN_SIZES[name]
    for seed in range(12):
        mesh = build_object(name, seed)
        corners = mesh.triangles.reshape(-1, 3)
        low, high = corners.min(axis=0), corners.max(axis=0)
        np.testing.assert_allclose(high - low, mesh.size)
        np.testing.assert_allclose([(low[0] + high[0]) / 2, (low[1] + high[1]) / 2, low[2]], 0.0, atol=1e-9)
        for axis, (lo, hi) in ranges.items():
            assert lo - 1e-9 <= mesh.size[AXES[axis]] <= hi + 1e-9, (name, seed, axis, mesh.size)
        assert mesh.colors.shape == (len(mesh.triangles), 3) and ((mesh.colors >= 0) & (mesh.colors <= 1)).all()
    again = build_object(name, 5)
    np.testing.assert_array_equal(again.triangles, build_object(name, 5).triangles)
    assert not np.array_equal(again.size, build_object(name, 6).size)


def test_class_weights_sum_to_one_and_bad_requests_are_refused():
    assert sum(spec.weight for spec in OBJECT_CLASSES.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown object class 'spaceship'"):
        build_object("spaceship", 0)
    with pytest.raises(ValueError, match="seed"):
        build_object("car", -1)
