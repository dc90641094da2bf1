"""Evaluation-set loaders on tiny folders written in the released formats (ModelNet40 .off, OpenShape meta_data)."""

import json

import numpy as np
import pytest

from hf_spiking.data.point_cloud_datasets import (
    MODELNET40_CLASSES,
    SCANOBJECTNN_CLASSES,
    load_modelnet40_off,
    load_openshape_modelnet40,
    load_openshape_objaverse_lvis,
    load_openshape_scanobjectnn,
    read_off,
)

BOX_VERTICES = np.array([[x, y, z] for x in (0.0, 1.0) for y in (0.0, 2.0) for z in (0.0, 4.0)])
BOX_QUADS = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]


def _off_text(fused_header: bool, quads: bool) -> str:
    faces = [(len(q), *q) for q in BOX_QUADS] if quads else [(3, a, b, c) for a, b, c, d in BOX_QUADS] + [(3, a, c, d) for a, b, c, d in BOX_QUADS]
    header = f"OFF{len(BOX_VERTICES)} {len(faces)} 0" if fused_header else f"OFF\n# a comment\n{len(BOX_VERTICES)} {len(faces)} 0"
    lines = [header] + [" ".join(f"{v:g}" for v in vertex) for vertex in BOX_VERTICES] + [" ".join(map(str, f)) for f in faces]
    return "\n".join(lines) + "\n"


@pytest.fixture
def modelnet_root(tmp_path):
    root = tmp_path / "ModelNet40"
    for name, fused, quads in (("chair", False, False), ("airplane", True, True), ("vase", True, False)):
        for split in ("train", "test"):
            folder = root / name / split
            folder.mkdir(parents=True)
            (folder / f"{name}_0001.off").write_text(_off_text(fused, quads))
    return root


@pytest.mark.parametrize("fused, quads", [(False, False), (True, False), (True, True), (False, True)])
def test_read_off_handles_fused_headers_comments_and_polygons(tmp_path, fused, quads):
    path = tmp_path / "box.off"
    path.write_text(_off_text(fused, quads))
    vertices, triangles = read_off(path)
    np.testing.assert_array_equal(vertices, BOX_VERTICES)
    assert triangles.shape == (12, 3)
    corners = vertices[triangles]
    area = 0.5 * np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1).sum()
    assert area == pytest.approx(2 * (2 + 4 + 8))


def test_read_off_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.off"
    bad.write_text("PLY\n1 2 3\n")
    with pytest.raises(ValueError, match="not an OFF file"):
        read_off(bad)
    bad.write_text("OFF\n8 12 0\n0 0 0\n")
    with pytest.raises(ValueError, match="truncated"):
        read_off(bad)


def test_modelnet40_off_loader_samples_surfaces_with_official_labels(modelnet_root):
    dataset = load_modelnet40_off(modelnet_root, "test", num_points=4000, seed=3)
    assert len(dataset) == 3 and dataset.class_names == list(MODELNET40_CLASSES)
    assert [dataset.class_names[label] for label in dataset.labels] == ["airplane", "chair", "vase"]
    assert dataset.names == ["airplane_0001", "chair_0001", "vase_0001"]
    points, label = dataset[1]
    assert label == MODELNET40_CLASSES.index("chair")
    assert points.shape == (4000, 6) and points.dtype == np.float32
    np.testing.assert_allclose(points[:, 3:], 0.4)
    assert np.linalg.norm(points[:, :3], axis=1).max() == pytest.approx(1.0, abs=1e-5)
    # Every point lies on a face of the (scaled) 1 x 2 x 4 box, and faces get area-proportional shares.
    xyz = points[:, :3].astype(np.float64)
    low, high = xyz.min(axis=0), xyz.max(axis=0)
    np.testing.assert_allclose((high - low) / (high - low)[0], [1.0, 2.0, 4.0], rtol=1e-4)
    on_face = np.isclose(xyz, low, atol=1e-5) | np.isclose(xyz, high, atol=1e-5)
    assert on_face.any(axis=1).all()
    np.testing.assert_allclose(on_face.mean(axis=0), [16 / 28, 8 / 28, 4 / 28], atol=0.03)
    np.testing.assert_array_equal(dataset[1][0], points)  # seeded per item
    assert load_modelnet40_off(modelnet_root, "train", num_points=10).prompt_names[15] == "flower pot"


def test_modelnet40_off_loader_validates(modelnet_root, tmp_path):
    with pytest.raises(ValueError, match="split"):
        load_modelnet40_off(modelnet_root, "val")
    with pytest.raises(ValueError, match="not a directory"):
        load_modelnet40_off(tmp_path / "missing")
    (modelnet_root / "spaceship" / "test").mkdir(parents=True)
    with pytest.raises(ValueError, match="spaceship"):
        load_modelnet40_off(modelnet_root)


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
