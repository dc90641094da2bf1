"""ModelNet40 readers on tiny folders written in the released (.off meshes) and pre-sampled (.npy clouds) layouts."""

import numpy as np
import pytest

from hf_spiking.data.modelnet import MODELNET40_CLASSES, load_modelnet40_npy, load_modelnet40_off, read_off

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


@pytest.fixture
def modelnet_npy_root(tmp_path):
    """Three classes in the pre-sampled layout: <root>/<class>/<split>/<class>_NNNN.npy, float32 [1024, 3], z-up."""
    root = tmp_path / "ModelNet40"
    rng = np.random.default_rng(0)
    for name in ("night_stand", "airplane", "xbox"):
        for split, count in (("train", 2), ("test", 1)):
            folder = root / name / split
            folder.mkdir(parents=True)
            for index in range(count):
                cloud = rng.normal(size=(1024, 3)).astype(np.float32) * (1.0, 2.0, 3.0) + 5.0
                np.save(folder / f"{name}_{index + 1:04d}.npy", cloud)
    return root


def test_npy_reader_keeps_the_stored_points_and_the_official_labels(modelnet_npy_root):
    dataset = load_modelnet40_npy(modelnet_npy_root, "train")
    assert len(dataset) == 6
    assert dataset.names == ["airplane_0001", "airplane_0002", "night_stand_0001", "night_stand_0002", "xbox_0001", "xbox_0002"]
    assert dataset.labels.tolist() == [0, 0, 23, 23, 39, 39]
    assert dataset.class_names == list(MODELNET40_CLASSES) and dataset.prompt_names[23] == "night stand"
    points, label = dataset[2]
    stored = np.load(modelnet_npy_root / "night_stand" / "train" / "night_stand_0001.npy").astype(np.float64)
    assert points.shape == (1024, 6) and points.dtype == np.float32 and label == 23
    expected = stored - stored.mean(0)
    expected /= np.linalg.norm(expected, axis=1).max()
    np.testing.assert_allclose(points[:, :3], expected, atol=1e-6)  # centred, unit sphere, order kept
    np.testing.assert_allclose(points[:, 3:], 0.4)  # no colour in the source: OpenShape's grey


def test_npy_reader_subsamples_on_request_and_converts_to_a_datasets_dataset(modelnet_npy_root):
    dataset = load_modelnet40_npy(modelnet_npy_root, "test", num_points=256, seed=3)
    first = dataset[0][0]
    assert first.shape == (256, 6)
    np.testing.assert_array_equal(first, load_modelnet40_npy(modelnet_npy_root, "test", num_points=256, seed=3)[0][0])
    table = dataset.to_dataset()
    assert table.num_rows == 3 and table.features["label"].names == list(MODELNET40_CLASSES)
    assert table["label"] == [0, 23, 39] and table["name"] == ["airplane_0001", "night_stand_0001", "xbox_0001"]
    np.testing.assert_array_equal(np.asarray(table[0]["points"], dtype=np.float32), first)


@pytest.mark.parametrize(
    "content, match",
    [
        (np.array([{"xyz": 1}], dtype=object), "pickled or corrupt"),
        (np.zeros((5, 2), dtype=np.float32), r"shape \[N>0, >=3\]"),
        (np.full((4, 3), np.nan, dtype=np.float32), "NaN or infinite"),
    ],
)
def test_npy_reader_refuses_pickles_and_malformed_clouds(modelnet_npy_root, content, match):
    np.save(modelnet_npy_root / "xbox" / "test" / "xbox_0001.npy", content, allow_pickle=True)
    dataset = load_modelnet40_npy(modelnet_npy_root, "test")
    with pytest.raises(ValueError, match=match):
        dataset[2]
    with pytest.raises(ValueError, match=r"no \.npy files"):
        load_modelnet40_npy(modelnet_npy_root / "xbox", "test")
