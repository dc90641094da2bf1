"""Bad-input corpus, very large inputs: work is bounded by subsampling or refused before any allocation.

Nothing here is timed: a case asserts that the expensive step saw a bounded input (farthest-point sampling runs on
at most ``max(4 * num_points, 32,768)`` points whatever the cloud's size) or that the request was refused, with a
message naming the argument, the value and the limit, before the allocation it would have needed.
"""

import re

import numpy as np
import pytest
import torch

import hf_spiking
from hf_spiking import cli
from hf_spiking.data.modelnet import load_modelnet40_off
from hf_spiking.models.spiking_point_encoder import SpikingPointFeatureExtractor
from hf_spiking.models.spiking_point_encoder import feature_extraction_spiking_point_encoder as extraction
from hf_spiking.models.spiking_point_encoder.e3dsnn import voxelize_points


@pytest.fixture
def fps_input_sizes(monkeypatch):
    """The number of points every farthest-point sampling call receives."""
    sizes = []
    original = extraction.farthest_point_sample

    def recording(xyz, num_samples):
        sizes.append(xyz.shape[1])
        return original(xyz, num_samples)

    monkeypatch.setattr(extraction, "farthest_point_sample", recording)
    return sizes


# (case id, points in the cloud, num_points, points farthest-point sampling may see)
FPS_BOUNDS = [
    ("2m-points-to-64", 2_000_000, 64, 32_768),  # the default path took 206 s on 5 M points before
    ("200k-points-to-10000", 200_000, 10_000, 40_000),
    ("small-cloud-sampled-whole", 5_000, 64, 5_000),
]


@pytest.mark.parametrize("num_available, num_points, bound", [case[1:] for case in FPS_BOUNDS],
                         ids=[case[0] for case in FPS_BOUNDS])
def test_farthest_point_sampling_sees_a_bounded_subset(fps_input_sizes, num_available, num_points, bound):
    cloud = np.random.default_rng(0).random((num_available, 3), dtype=np.float32)
    values = SpikingPointFeatureExtractor(num_points=num_points)(cloud)["point_values"][0]
    assert fps_input_sizes == [bound]
    assert values.shape == (num_points, 6) and torch.isfinite(values).all()
    assert len(torch.unique(values[:, :3], dim=0)) == num_points  # FPS picks distinct points of the subset


def test_random_sampling_of_a_huge_cloud_gives_distinct_input_points():
    cloud = np.random.default_rng(1).random((1_000_000, 3))
    values = SpikingPointFeatureExtractor(num_points=512, sampling="random", normalize=False)(cloud)["point_values"]
    rows = values[0, :, :3].numpy().astype(np.float64)
    assert len(np.unique(rows, axis=0)) == 512
    # every output row is a row of the cloud (after float32 rounding)
    assert set(map(tuple, rows.astype(np.float32))) <= set(map(tuple, cloud.astype(np.float32)))


REFUSED = [
    ("feature-extractor-num-points-1e8", lambda: SpikingPointFeatureExtractor(num_points=10**8),
     [r"`num_points` must be an integer from 1 to 65,536", r"100000000"]),
    ("model-config-num-points-1e8", lambda: SpikingPointFeatureExtractor.from_model_config(
        hf_spiking.get_config("svl-default", num_points=10**8)), [r"num_points", r"100000000"]),
    ("keep-every-point-of-a-huge-cloud", lambda: SpikingPointFeatureExtractor(num_points=None)(np.zeros((70_000, 3))),
     [r"70,000 points", r"at most 65,536", r"set `num_points`"]),
    ("e3dsnn-grid-1e6-across-at-2cm", lambda: voxelize_points(torch.rand(1, 64, 6) * 1e6, 0.02),
     [r"`point_values` span", r"voxel_size 0\.02", r"int64 voxel keys"]),
    ("modelnet-reader-num-points-1e8", lambda: load_modelnet40_off("/nonexistent", num_points=10**8),
     [r"num_points must be an integer from 1 to 1,048,576, got 100000000"]),
]


@pytest.mark.parametrize("call, patterns", [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_unbounded_request_is_refused(call, patterns):
    with pytest.raises(ValueError) as error:
        call()
    for pattern in patterns:
        assert error.match(pattern)


def test_preprocessor_file_asking_for_1e8_points_is_refused(tmp_path):
    SpikingPointFeatureExtractor(num_points=512).save_pretrained(tmp_path)
    config = (tmp_path / "preprocessor_config.json").read_text().replace('"num_points": 512', '"num_points": 100000000')
    (tmp_path / "preprocessor_config.json").write_text(config)
    with pytest.raises(ValueError) as error:
        SpikingPointFeatureExtractor.from_pretrained(tmp_path)
    assert error.match(r"num_points") and error.match(r"100000000")


def test_ply_header_declaring_a_billion_vertices_is_refused_without_reading_them(tmp_path):
    path = tmp_path / "huge.ply"
    path.write_text("ply\nformat ascii 1.0\nelement vertex 1000000000\nproperty float x\nproperty float y\n"
                    "property float z\nend_header\n0 0 0\n1 1 1\n")
    with pytest.raises(ValueError) as error:
        SpikingPointFeatureExtractor(num_points=64)(str(path))
    assert error.match(r"huge\.ply") and error.match(r"declares element vertex 1000000000 .* but 2 follow")


def test_off_header_declaring_a_billion_vertices_is_refused_before_allocating(tmp_path):
    (tmp_path / "chair" / "test").mkdir(parents=True)
    (tmp_path / "chair" / "test" / "chair_0001.off").write_text("OFF\n1000000000 1000000000 0\n0 0 0\n")
    with pytest.raises(ValueError, match=r"chair_0001\.off: OFF file declares 1000000000 vertices but is truncated"):
        load_modelnet40_off(tmp_path, num_points=64)[0]


ENERGY_REFUSED = [
    ("image-input-of-120-gb", ["trevsnn-test", "--input-shape", "1", "3", "100000", "100000"],
     r"has 30,000,000,000 values; at most 67,108,864"),
    ("point-input-of-a-million-points", ["svl-e3dsnn-test", "--input-shape", "1", "1000000", "6"],
     r"--input-shape 1 1000000 6 does not fit .* at most 65,536 points"),
]


@pytest.mark.parametrize("argv, pattern", [case[1:] for case in ENERGY_REFUSED],
                         ids=[case[0] for case in ENERGY_REFUSED])
def test_energy_refuses_huge_inputs_before_allocating_them(monkeypatch, capsys, argv, pattern):
    def no_allocation(*shape, **kwargs):
        raise AssertionError(f"torch.randn{shape} was called: the refusal came too late")

    monkeypatch.setattr(cli.torch, "randn", no_allocation)
    assert cli.main(["energy", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("hf-spiking energy: ")
    assert re.search(pattern, err), err
