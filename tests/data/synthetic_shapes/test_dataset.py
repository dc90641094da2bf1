"""The corpus as ``datasets`` objects: the loader function, the builder class and the exported Parquet folder."""

import datasets
import numpy as np
import pytest

from hf_spiking.data.synthetic_shapes import (
    SyntheticShapes,
    category_names,
    export_synthetic_shapes,
    generate_instance,
    instance_seed,
    load_synthetic_shapes,
)

SUBSET = ["mug", "ladder"]


def test_load_synthetic_shapes_rows_match_the_generator(tmp_path):
    ds = load_synthetic_shapes("validation", 2, num_points=300, seed=7, categories=SUBSET, image_size=32, cache_dir=str(tmp_path))
    assert ds.num_rows == 4 and ds.split == "validation"
    assert list(ds.features) == ["points", "image", "captions", "label", "category", "instance_id", "seed"]
    assert ds.features["label"].names == category_names()
    assert ds["category"] == ["mug", "mug", "ladder", "ladder"]
    assert ds["instance_id"][3] == "validation/ladder/00001"
    row = ds.with_format("numpy")[2]
    label = category_names().index("ladder")
    assert row["label"] == label and row["seed"] == instance_seed(7, "validation", label, 0)
    expected = generate_instance("ladder", int(row["seed"]), num_points=300, image_size=32)
    np.testing.assert_array_equal(row["points"], expected.points)
    np.testing.assert_array_equal(np.asarray(ds[2]["image"]), expected.image)
    assert ds[2]["captions"] == list(expected.captions)


def test_splits_are_disjoint_and_loading_is_deterministic(tmp_path):
    kwargs = dict(num_points=64, categories=SUBSET, with_images=False)
    train = load_synthetic_shapes("train", 3, cache_dir=str(tmp_path / "a"), **kwargs)
    test = load_synthetic_shapes("test", 3, cache_dir=str(tmp_path / "a"), **kwargs)
    again = load_synthetic_shapes("train", 3, cache_dir=str(tmp_path / "b"), **kwargs)
    assert "image" not in train.features
    assert not set(train["seed"]) & set(test["seed"])
    np.testing.assert_array_equal(np.asarray(train["points"]), np.asarray(again["points"]))
    with pytest.raises(ValueError, match="split"):
        load_synthetic_shapes("dev", 1)


def test_builder_and_exported_folder_load_offline(tmp_path):
    builder = SyntheticShapes(config_name="tiny", cache_dir=str(tmp_path / "cache"), categories=("cup", "door"))
    builder.download_and_prepare()
    splits = builder.as_dataset()
    assert {s: splits[s].num_rows for s in splits} == {"train": 4, "validation": 2, "test": 2}
    assert splits["train"].features["points"].shape == (256, 6)

    folder = export_synthetic_shapes(tmp_path / "export", "tiny", cache_dir=str(tmp_path / "cache2"), categories=("cup", "door"))
    loaded = datasets.load_dataset(str(folder), cache_dir=str(tmp_path / "cache3"))
    assert loaded["train"].features == splits["train"].features
    np.testing.assert_array_equal(np.asarray(loaded["test"]["points"]), np.asarray(splits["test"]["points"]))
    assert loaded["test"]["captions"] == splits["test"]["captions"]
    with pytest.raises(ValueError, match="unknown categories"):
        SyntheticShapes(config_name="tiny", categories=("spaceship",))
