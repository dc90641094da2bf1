"""OpenShape readers on tiny meta_data folders written in the released formats."""

import json

import numpy as np
import pytest

from hf_spiking.data.modelnet import MODELNET40_CLASSES
from hf_spiking.data.openshape import (
    SCANOBJECTNN_CLASSES,
    load_openshape_modelnet40,
    load_openshape_objaverse_lvis,
    load_openshape_scanobjectnn,
)


def _y_up_cloud(rng, n):
    """A tall (y-extent 4) thin cloud: after the y/z swap the z extent is the long one."""
    return np.stack([rng.uniform(-0.5, 0.5, n), rng.uniform(-2, 2, n), rng.uniform(-0.5, 0.5, n)], axis=1)


def test_openshape_modelnet40_loader(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "meta_data" / "modelnet40"
    folder.mkdir(parents=True)
    split = [{"name": "bed_0600", "category": "bed"}, {"name": "xbox_0104", "category": "xbox"}]
    (folder / "test_split.json").write_text(json.dumps(split))
    clouds = np.empty(2, dtype=object)
    clouds[0] = {"xyz": _y_up_cloud(rng, 500), "rgb": np.full((500, 3), 100.0)}
    clouds[1] = {"xyz": _y_up_cloud(rng, 300), "rgb": np.full((300, 3), 255.0)}
    np.save(folder / "test_pc.npy", clouds, allow_pickle=True)

    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_openshape_modelnet40(tmp_path / "meta_data")
    dataset = load_openshape_modelnet40(tmp_path / "meta_data", num_points=400, allow_pickle=True)
    assert list(dataset.labels) == [MODELNET40_CLASSES.index("bed"), MODELNET40_CLASSES.index("xbox")]
    first, _ = dataset[0]
    second, _ = dataset[1]
    assert first.shape == second.shape == (400, 6)  # subsampled 500 -> 400 and padded 300 -> 400
    np.testing.assert_allclose(first[:, 3:], 100 / 255, rtol=1e-6)
    np.testing.assert_allclose(second[:, 3:], 1.0)
    extent = first[:, :3].max(axis=0) - first[:, :3].min(axis=0)
    assert extent[2] > 3 * extent[1]  # y-up source swapped to z-up
    assert len(np.unique(first[:, :3], axis=0)) == 400  # subsampling without repeats


def test_openshape_objaverse_lvis_loader(tmp_path):
    rng = np.random.default_rng(1)
    meta = tmp_path / "meta_data"
    (meta / "split").mkdir(parents=True)
    objects = tmp_path / "objaverse-processed" / "000-000"
    objects.mkdir(parents=True)
    entries = []
    for i, category in enumerate(["wine_bottle", "armchair", "wine_bottle"]):
        path = objects / f"uid{i}.npy"
        np.save(path, {"xyz": _y_up_cloud(rng, 200), "rgb": np.full((200, 3), 0.25 + 0.25 * i)}, allow_pickle=True)
        entries.append({"uid": f"uid{i}", "category": category, "group": "000-000", "data_path": str(path.relative_to(tmp_path))})
    (meta / "split" / "lvis.json").write_text(json.dumps(entries))

    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_openshape_objaverse_lvis(meta)
    dataset = load_openshape_objaverse_lvis(meta, num_points=128, allow_pickle=True)
    assert dataset.class_names == ["armchair", "wine_bottle"] and list(dataset.labels) == [1, 0, 1]
    points, label = dataset[2]
    assert points.shape == (128, 6) and label == 1
    np.testing.assert_allclose(points[:, 3:], 0.75)
    assert dataset.names == ["uid0", "uid1", "uid2"]


def test_openshape_scanobjectnn_loader(tmp_path):
    rng = np.random.default_rng(2)
    folder = tmp_path / "meta_data" / "scanobjectnn"
    folder.mkdir(parents=True)
    xyz = [_y_up_cloud(rng, 2048), _y_up_cloud(rng, 1024)]
    np.save(folder / "xyz_label.npy", {"xyz": np.array(xyz, dtype=object), "label": np.array([4, 14])}, allow_pickle=True)

    with pytest.raises(ValueError, match="allow_pickle=True"):
        load_openshape_scanobjectnn(tmp_path / "meta_data")
    dataset = load_openshape_scanobjectnn(tmp_path / "meta_data", num_points=1500, allow_pickle=True, up_axis="z")
    assert dataset.class_names == list(SCANOBJECTNN_CLASSES) and len(dataset) == 2
    points, label = dataset[1]
    assert SCANOBJECTNN_CLASSES[label] == "toilet" and points.shape == (1500, 6)
    np.testing.assert_allclose(points[:, 3:], 0.4)
    extent = points[:, :3].max(axis=0) - points[:, :3].min(axis=0)
    assert extent[1] > 3 * extent[2]  # up_axis="z": no swap
    with pytest.raises(IndexError):
        dataset[2]
