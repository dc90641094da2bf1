"""Generated scenes: determinism, labels and boxes that agree with each other, split-disjoint seeds, and the pinned
parameters of docs/synthetic_scenes.md (a change there needs a recorded reason, so it must fail here first)."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_scenes import (
    DETECTION_CLASSES,
    OBJECT_CLASSES,
    RECOMMENDED_NUM_SCENES,
    SEMANTIC_CLASSES,
    SPLITS,
    LidarConfig,
    generate_scene,
    layout,
    object_seed,
    scene_seed,
)

COARSE = LidarConfig(azimuth_step_degrees=1.0)
STUFF = [SEMANTIC_CLASSES.index(name) for name in ("road", "sidewalk", "terrain")]


def test_same_seed_same_arrays_and_coarse_grids_scan_the_same_layout():
    seed = scene_seed(0, "train", 3)
    first, second = generate_scene(seed, lidar=COARSE), generate_scene(seed, lidar=COARSE)
    for name in ("points", "semantic_labels", "instance_ids", "ray_indices", "boxes", "class_labels",
                 "box_instance_ids", "num_points_in_box"):  # fmt: skip
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    assert first.points.dtype == np.float32 and first.semantic_labels.dtype == np.uint8
    assert first.instance_ids.dtype == np.int32 and first.boxes.dtype == np.float32
    other = generate_scene(scene_seed(0, "train", 4), lidar=COARSE)
    assert not np.array_equal(first.boxes, other.boxes)
    finer = generate_scene(seed, lidar=LidarConfig(azimuth_step_degrees=0.5))
    np.testing.assert_array_equal(finer.boxes, first.boxes)
    assert len(finer.points) > 1.8 * len(first.points)


@pytest.mark.parametrize("index", [0, 1])
def test_labels_instances_and_boxes_agree(index):
    scene = generate_scene(scene_seed(0, "validation", index), split="validation")  # the pinned sensor
    points, labels, instances = scene.points.astype(np.float64), scene.semantic_labels, scene.instance_ids
    assert 30_000 < len(points) < 57_600 and np.abs(points[:, :2]).max() <= 40.1
    assert ((points[:, 3] >= 0) & (points[:, 3] <= 1)).all()
    np.testing.assert_array_equal(np.isin(labels, STUFF), instances == 0)
    buildings = {b.instance_id for b in scene.layout.buildings}
    np.testing.assert_array_equal(np.isin(instances, list(buildings)), labels == SEMANTIC_CLASSES.index("building"))
    for item in scene.layout.objects:
        assert (labels[instances == item.instance_id] == SEMANTIC_CLASSES.index(item.name)).all()

    detectable = [item for item in scene.layout.objects if item.name in DETECTION_CLASSES]
    assert len(scene.boxes) == len(detectable) >= 1 and DETECTION_CLASSES[scene.class_labels[0]] == "car"
    np.testing.assert_array_equal(scene.box_instance_ids, [item.instance_id for item in detectable])
    curb = scene.layout.street.curb_height - 1.73
    boxes = zip(scene.boxes, scene.class_labels, scene.box_instance_ids, scene.num_points_in_box)
    for box, label, instance, count in boxes:
        mine = points[instances == instance, :3]
        assert count == len(mine)
        assert (labels[instances == instance] == SEMANTIC_CLASSES.index(DETECTION_CLASSES[label])).all()
        bottom = box[2] - box[5] / 2
        assert min(abs(bottom + 1.73), abs(bottom - curb)) < 1e-5  # standing on the road or on the raised side
        cos, sin = np.cos(box[6]), np.sin(box[6])
        offset = mine - box[:3]
        local = np.stack([cos * offset[:, 0] + sin * offset[:, 1], -sin * offset[:, 0] + cos * offset[:, 1],
                          offset[:, 2]], axis=1)  # fmt: skip
        assert (np.abs(local) <= box[3:6] / 2 + 0.12).all()  # inside its box up to the 2 cm range noise (6 sigma)
    assert scene.num_points_in_box.sum() > 0


def test_splits_never_share_scene_or_object_seeds():
    seeds = {split: {scene_seed(0, split, index) for index in range(300)} for split in SPLITS}
    assert all(len(s) == 300 for s in seeds.values())
    for first, second in (("train", "validation"), ("train", "test"), ("validation", "test")):
        assert not seeds[first] & seeds[second]
    objects = {split: {object_seed(seed, split, slot) for seed in sorted(seeds[split])[:40] for slot in range(25)}
               for split in SPLITS}  # fmt: skip
    assert not (objects["train"] & objects["test"] or objects["train"] & objects["validation"])
    # Even a scene seed reused across splits gets other objects.
    assert object_seed(123, "train", 0) != object_seed(123, "test", 0)
    scene = generate_scene(scene_seed(0, "test", 0), split="test", lidar=COARSE)
    assert {item.seed for item in scene.layout.objects} <= {object_seed(scene.seed, "test", slot) for slot in range(25)}


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: scene_seed(0, "dev", 0), "split must be one of"),
        (lambda: scene_seed(-1, "train", 0), "seed must be a non-negative 63-bit integer, got -1"),
        (lambda: scene_seed(0, "train", 1.5), "index"),
        (lambda: generate_scene(2**63), "seed"),
        (lambda: generate_scene(0, split="eval"), "split"),
    ],
)
def test_bad_arguments_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pinned_parameters_are_those_of_the_doc():
    assert LidarConfig() == LidarConfig(num_beams=32, elevation_degrees=(10.0, -30.0), azimuth_step_degrees=0.2,
                                        max_range=70.0, range_noise=0.02, dropout=0.05, sensor_height=1.73)  # fmt: skip
    assert SEMANTIC_CLASSES == ("road", "sidewalk", "terrain", "building", "car", "person", "bicycle", "traffic cone",
                                "tree", "bench", "pole")  # fmt: skip
    assert DETECTION_CLASSES == ("car", "person", "bicycle", "traffic cone")
    assert RECOMMENDED_NUM_SCENES == {"train": 2000, "validation": 200, "test": 500}
    pinned = {
        "SCENE_HALF_EXTENT": 40.0, "ROAD_YAW_DEGREES": (-10.0, 10.0), "ROAD_WIDTH": (7.0, 14.0),
        "SENSOR_FROM_CENTRE_LINE": 1.0, "SENSOR_FROM_ROAD_EDGE": 1.5, "BOTH_SIDEWALKS_PROBABILITY": 0.6,
        "SIDEWALK_WIDTH": (2.0, 5.0), "CURB_HEIGHT": (0.10, 0.15), "TERRAIN_DEPTH": 15.0, "BUILT_UP_PROBABILITY": 0.8,
        "BUILDING_SETBACK": (1.0, 8.0), "BUILDING_LENGTH": (5.0, 20.0), "BUILDING_DEPTH": (5.0, 20.0),
        "BUILDING_HEIGHT": (4.0, 15.0), "BUILDING_GAP": (2.0, 15.0), "NUM_OBJECTS": (5, 25), "PLACEMENT_TRIES": 50,
        "FOOTPRINT_GAP": 0.3, "ROAD_EDGE_GAP": 0.2, "EGO_FOOTPRINT": (5.0, 2.5),
        "ROAD_RGB": (0.20, 0.20, 0.21), "SIDEWALK_RGB": (0.62, 0.61, 0.58), "TERRAIN_RGB": (0.33, 0.45, 0.20),
    }  # fmt: skip
    assert {name: getattr(layout, name) for name in pinned} == pinned
    classes = {name: (spec.target_size, spec.weight, spec.road_probability, spec.sidewalk_probability, spec.yaw,
                      spec.yaw_noise_degrees) for name, spec in OBJECT_CLASSES.items()}  # fmt: skip
    assert classes == {
        "car": ({"length": (3.8, 4.8), "width": (1.6, 1.9), "height": (1.4, 1.6)}, 0.30, 1.0, 0.0, "traffic", 5.0),
        "person": ({}, 0.20, 0.0, 0.7, "uniform", 0.0),
        "bicycle": ({"length": (1.6, 1.8)}, 0.10, 0.4, 0.8, "traffic", 10.0),
        "traffic cone": ({"height": (0.5, 0.9)}, 0.10, 0.6, 0.8, "uniform", 0.0),
        "tree": ({"height": (3.0, 8.0)}, 0.12, 0.0, 0.4, "uniform", 0.0),
        "bench": ({"length": (1.5, 2.0)}, 0.06, 0.0, 0.6, "face road", 5.0),
        "pole": ({}, 0.12, 0.0, 0.8, "face road", 5.0),
    }
