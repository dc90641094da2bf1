"""The simulated LiDAR against scenes with known answers: the beam grid, a flat ground plane, range limit, noise and
dropout, curbs and sidewalks, and occlusion of one object by another."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_scenes import (
    ROAD_RGB,
    SEMANTIC_CLASSES,
    LidarConfig,
    PlacedObject,
    SceneLayout,
    Street,
    cast_rays,
    reflectivity,
    scan,
)
from hf_spiking.data.synthetic_shapes.geometry import box

HEIGHT = 1.73
EXACT = LidarConfig(azimuth_step_degrees=2.0, range_noise=0.0, dropout=0.0)
ROAD, SIDEWALK, TERRAIN = (SEMANTIC_CLASSES.index(name) for name in ("road", "sidewalk", "terrain"))


def _flat(half_extent: float = 40.0, objects=()) -> SceneLayout:
    """One road plane over the whole scene (a road wider than the scene, no curbs, no buildings)."""
    street = Street(yaw=0.0, center_offset=0.0, width=4 * half_extent, curb_height=0.1, left_sidewalk=0.0,
                    right_sidewalk=0.0)  # fmt: skip
    return SceneLayout(street, (), tuple(objects), half_extent)


def _block(instance_id: int, center, size) -> PlacedObject:
    triangles = box(size, center)
    return PlacedObject("car", 0, instance_id, triangles, np.full((len(triangles), 3), 0.5),
                        np.array([*center, *size, 0.0]))  # fmt: skip


def _elevations(points: np.ndarray) -> np.ndarray:
    return np.arctan2(points[:, 2], np.hypot(points[:, 0], points[:, 1]))


def test_beam_grid_is_the_pinned_32_beam_sensor():
    config = LidarConfig()
    elevations = np.rad2deg(config.elevations())
    assert elevations.shape == (32,)
    assert elevations[0] == pytest.approx(10.0) and elevations[-1] == pytest.approx(-30.0)
    np.testing.assert_allclose(np.diff(elevations), -40.0 / 31.0)
    assert config.num_columns == 1800
    directions = config.directions()
    assert directions.shape == (57_600, 3)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0)
    beam_1_column_1 = directions[1801]
    np.testing.assert_allclose(np.rad2deg(np.arctan2(beam_1_column_1[1], beam_1_column_1[0])), 0.2)
    np.testing.assert_allclose(np.rad2deg(np.arcsin(beam_1_column_1[2])), 10.0 - 40.0 / 31.0)


def test_flat_ground_returns_lie_on_the_plane_on_their_beams():
    result = scan(_flat(), EXACT, np.random.default_rng(0))
    points = result.points
    np.testing.assert_allclose(points[:, 2], -HEIGHT, atol=1e-5)
    assert (result.semantic_labels == ROAD).all() and (result.instance_ids == 0).all()
    beams = result.ray_indices // EXACT.num_columns
    np.testing.assert_allclose(_elevations(points), EXACT.elevations()[beams], atol=1e-6)
    # Every downward ray whose ground hit lies inside the 80 m square returns, and no other ray does.
    directions = EXACT.directions()
    down = directions[:, 2] < 0
    reach = HEIGHT / np.maximum(-directions[:, 2], 1e-9)  # horizontal rays: far beyond the scene
    inside = down & (np.abs(directions[:, :2] * reach[:, None]) <= 40.0).all(axis=1)
    np.testing.assert_array_equal(result.ray_indices, np.nonzero(inside)[0])
    # Intensity: the road's reflectivity times |cos| of the incidence on a horizontal plane.
    np.testing.assert_allclose(points[:, 3], reflectivity(ROAD_RGB) * -np.sin(_elevations(points)), rtol=1e-5)


def test_range_limit_noise_and_dropout():
    layout = _flat(half_extent=500.0)  # ground out to 500 m: only the range limit cuts the far rings
    config = LidarConfig(azimuth_step_degrees=1.0)
    result = scan(layout, config, np.random.default_rng(1))
    ranges = np.linalg.norm(result.points[:, :3], axis=1)
    assert ranges.max() <= config.max_range + 0.1
    beams = result.ray_indices // config.num_columns
    elevations = np.rad2deg(config.elevations())
    assert elevations[8] == pytest.approx(-10 / 31) and elevations[9] == pytest.approx(-50 / 31)
    assert not (beams == 8).any()  # the -0.32 degree ring meets the ground 309 m out
    assert (beams == 9).sum() > 300  # the -1.61 degree ring 61.5 m out
    exact = cast_rays(layout, config.directions(), HEIGHT)["distance"]
    error = ranges - exact[result.ray_indices]
    assert abs(error.mean()) < 2e-3 and error.std() == pytest.approx(0.02, rel=0.1)
    in_range = (exact <= config.max_range).sum()
    assert 1 - len(ranges) / in_range == pytest.approx(0.05, abs=0.012)
    with pytest.raises(ValueError, match="directions"):
        cast_rays(layout, np.zeros((4, 2)), HEIGHT)


def test_curb_sidewalk_and_terrain_heights():
    # Road |v| <= 5 with the sensor 3 m right of its centre line: the road spans y in [-2, 8]; a 3 m sidewalk on
    # the left (y in [8, 11]) and terrain beyond it stand 12 cm up; the right side is terrain at road level.
    street = Street(yaw=0.0, center_offset=3.0, width=10.0, curb_height=0.12, left_sidewalk=3.0, right_sidewalk=0.0)
    result = scan(SceneLayout(street, (), ()), LidarConfig(azimuth_step_degrees=1.0, range_noise=0.0, dropout=0.0),
                  np.random.default_rng(0))  # fmt: skip
    x, y, z = result.points[:, :3].T.astype(np.float64)
    label, up = result.semantic_labels, -HEIGHT + 0.12
    assert ((y[label == ROAD] >= -2 - 1e-4) & (y[label == ROAD] <= 8 + 1e-4)).all()
    np.testing.assert_allclose(z[label == ROAD], -HEIGHT, atol=1e-5)
    on_top = (label == SIDEWALK) & np.isclose(z, up, atol=1e-5)
    face = (label == SIDEWALK) & ~on_top
    assert on_top.sum() > 100 and face.sum() > 10
    assert ((y[on_top] >= 8 - 1e-4) & (y[on_top] <= 11 + 1e-4)).all()
    np.testing.assert_allclose(y[face], 8.0, atol=1e-4)  # the curb face, between road and sidewalk level
    assert ((z[face] >= -HEIGHT - 1e-5) & (z[face] <= up + 1e-5)).all()
    terrain_left, terrain_right = (label == TERRAIN) & (y > 0), (label == TERRAIN) & (y < 0)
    np.testing.assert_allclose(z[terrain_left], up, atol=1e-5)
    np.testing.assert_allclose(z[terrain_right], -HEIGHT, atol=1e-5)
    assert (y[terrain_left] >= 11 - 1e-4).all() and (y[terrain_right] <= -2 + 1e-4).all()


def test_an_object_hides_the_one_behind_it():
    front = _block(1, (10.0, 0.0, 2.0), (2.0, 2.0, 4.0))
    back = _block(2, (20.0, 0.0, 0.5), (0.5, 0.5, 1.0))
    config = LidarConfig(azimuth_step_degrees=0.5, range_noise=0.0, dropout=0.0)
    both = scan(_flat(objects=(front, back)), config, np.random.default_rng(0))
    alone = scan(_flat(objects=(back,)), config, np.random.default_rng(0))
    assert (both.instance_ids == 1).sum() > 50 and not (both.instance_ids == 2).any()
    hits = alone.points[alone.instance_ids == 2]
    assert len(hits) > 5
    np.testing.assert_allclose(hits[:, 0], 19.75, atol=1e-3)  # the back block's front face
    # The front block also shadows the ground behind it.
    x, y = both.points[:, 0], both.points[:, 1]
    assert not ((both.semantic_labels == ROAD) & (x > 11.5) & (np.abs(y) < 0.5 * x / 11)).any()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"azimuth_step_degrees": 0.7}, "azimuth_step_degrees"),
        ({"num_beams": 0}, "num_beams"),
        ({"elevation_degrees": (-30.0, 10.0)}, "elevation_degrees"),
        ({"dropout": 1.0}, "dropout"),
        ({"range_noise": -0.01}, "range_noise"),
        ({"max_range": 0.0}, "max_range"),
    ],
)
def test_bad_sensor_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LidarConfig(**kwargs)
