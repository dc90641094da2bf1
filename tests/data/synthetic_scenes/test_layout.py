"""Scene layouts: the footprint overlap test, and the placement rules every sampled layout obeys."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_scenes import (
    BUILDING_DEPTH,
    BUILDING_HEIGHT,
    BUILDING_LENGTH,
    CURB_HEIGHT,
    EGO_FOOTPRINT,
    FOOTPRINT_GAP,
    NUM_OBJECTS,
    OBJECT_CLASSES,
    ROAD_EDGE_GAP,
    ROAD_WIDTH,
    SEMANTIC_CLASSES,
    footprint_corners,
    footprints_overlap,
    sample_layout,
)


def test_footprint_overlap_is_exact_for_rotated_rectangles():
    square = np.array([0.0, 0.0, 2.0, 2.0, 0.0])
    others = np.array([[2.5, 0.0, 2.0, 2.0, 0.0], [2.3, 0.0, 2.0, 2.0, np.pi / 4], [2.5, 0.0, 2.0, 2.0, np.pi / 4],
                       [0.0, 0.0, 0.2, 0.2, 1.0]])  # fmt: skip
    # A diamond's corner reaches 1.414 from its centre: 2.3 - 1.414 < 1 touches the square, 2.5 - 1.414 > 1 does not.
    np.testing.assert_array_equal(footprints_overlap(square, others), [False, True, False, True])
    np.testing.assert_array_equal(footprints_overlap(square, others[:1], gap=0.6), [True])
    np.testing.assert_array_equal(footprints_overlap(square, others[:1], gap=0.4), [False])
    np.testing.assert_allclose(footprint_corners(np.array([1.0, 2.0, 4.0, 2.0, np.pi / 2]))[0],
                               [[0.0, 4.0], [0.0, 0.0], [2.0, 0.0], [2.0, 4.0]], atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_sampled_layouts_follow_the_placement_rules(seed):
    layout, dropped = sample_layout(np.random.default_rng(seed), lambda slot: 1000 * seed + slot)
    street, objects = layout.street, layout.objects
    edge = street.width / 2
    assert ROAD_WIDTH[0] <= street.width <= ROAD_WIDTH[1] and CURB_HEIGHT[0] <= street.curb_height <= CURB_HEIGHT[1]
    assert street.left_sidewalk > 0 or street.right_sidewalk > 0
    assert -edge + 1.5 <= -street.center_offset <= -1.0  # the sensor drives in the right half
    assert NUM_OBJECTS[0] <= len(objects) + dropped <= NUM_OBJECTS[1] and objects[0].name == "car"
    assert [item.instance_id for item in objects] == list(range(1, len(objects) + 1))
    building_ids = [b.instance_id for b in layout.buildings]
    assert building_ids == list(range(len(objects) + 1, len(objects) + 1 + len(building_ids)))

    rectangles = [item.box[[0, 1, 3, 4, 6]] for item in objects]
    ego = np.array([*street.point(0.0, -street.center_offset), *EGO_FOOTPRINT, street.yaw])
    fixed = [ego] + [b.box[[0, 1, 3, 4, 6]] for b in layout.buildings]
    for index, (item, rectangle) in enumerate(zip(objects, rectangles)):
        spec = OBJECT_CLASSES[item.name]
        others = np.stack(fixed + rectangles[:index] + rectangles[index + 1:])
        assert not footprints_overlap(rectangle, others, FOOTPRINT_GAP - 1e-6).any(), item.name
        corners = footprint_corners(rectangle)[0]
        assert (np.abs(corners) <= layout.half_extent).all()
        lateral = street.lateral(corners)
        on_road = bool((np.abs(lateral) <= edge - ROAD_EDGE_GAP + 1e-9).all())
        side = int(np.sign(lateral[0]))
        if not on_road:
            assert (side * lateral >= edge + ROAD_EDGE_GAP - 1e-9).all(), item.name
            assert spec.road_probability < 1
        else:
            assert spec.road_probability > 0
        ground = 0.0 if on_road else street.side_height(side)
        x, y, z, length, width, height, yaw = item.box
        assert z - height / 2 == pytest.approx(ground) and item.triangles[..., 2].min() == pytest.approx(ground)
        if item.name == "car":  # along the road; the left half drives the other way
            heading = street.yaw + (np.pi if street.lateral(item.box[:2]) > 0 else 0.0)
            assert abs((yaw - heading + np.pi) % (2 * np.pi) - np.pi) <= np.deg2rad(5.0) + 1e-9
        rotation = np.array([[np.cos(yaw), -np.sin(yaw)], [np.sin(yaw), np.cos(yaw)]])
        local = (item.triangles.reshape(-1, 3)[:, :2] - [x, y]) @ rotation  # world to the box's own axes
        assert (np.abs(local) <= np.array([length, width]) / 2 + 1e-9).all()
        assert 0 <= item.semantic_label < len(SEMANTIC_CLASSES)
    for building in layout.buildings:
        _, _, _, length, depth, height, yaw = building.box
        assert BUILDING_LENGTH[0] <= length <= BUILDING_LENGTH[1] and BUILDING_DEPTH[0] <= depth <= BUILDING_DEPTH[1]
        assert BUILDING_HEIGHT[0] <= height <= BUILDING_HEIGHT[1] and yaw == street.yaw
        assert (np.abs(footprint_corners(building.box[[0, 1, 3, 4, 6]])) <= layout.half_extent).all()
