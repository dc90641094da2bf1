"""The scenes as a ``datasets.Dataset``: columns, rows equal to the generator's, disjoint splits, bad arguments."""

import numpy as np
import pytest

from hf_spiking.data.synthetic_scenes import (
    DETECTION_CLASSES,
    LidarConfig,
    generate_scene,
    load_synthetic_scenes,
    scene_seed,
)

COARSE = LidarConfig(azimuth_step_degrees=2.0)


def test_rows_match_the_generator_and_splits_are_disjoint(tmp_path):
    validation = load_synthetic_scenes("validation", 2, seed=3, lidar=COARSE, cache_dir=str(tmp_path))
    assert validation.num_rows == 2 and validation.split == "validation"
    assert list(validation.features) == ["points", "semantic_labels", "instance_ids", "boxes", "class_labels",
                                         "box_instance_ids", "num_points_in_box", "scene_id", "seed"]  # fmt: skip
    assert validation.features["class_labels"].feature.names == list(DETECTION_CLASSES)
    assert validation["scene_id"] == ["validation/00000", "validation/00001"]
    row = validation.with_format("numpy")[1]
    assert row["seed"] == scene_seed(3, "validation", 1)
    expected = generate_scene(int(row["seed"]), split="validation", lidar=COARSE)
    for name in ("points", "semantic_labels", "instance_ids", "boxes", "class_labels", "box_instance_ids",
                 "num_points_in_box"):  # fmt: skip
        np.testing.assert_array_equal(row[name], getattr(expected, name))

    test = load_synthetic_scenes("test", 2, seed=3, lidar=COARSE, cache_dir=str(tmp_path))
    assert not set(test["seed"]) & set(validation["seed"])


@pytest.mark.parametrize(
    "kwargs, message", [({"split": "dev"}, "split must be one of"), ({"num_scenes": 0}, "num_scenes"),
                        ({"seed": -3}, "seed")]  # fmt: skip
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_synthetic_scenes(**{"split": "train", "num_scenes": 1, **kwargs})
