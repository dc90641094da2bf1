"""The event-frame feature extractor of T-RevSNN's DVS mode: streams in, time-major per-polarity count frames out."""

import numpy as np
import pytest
import torch
from transformers import AutoFeatureExtractor

import hf_spiking
from hf_spiking.data.events import as_events
from hf_spiking.models.trevsnn import TRevSNNEventFeatureExtractor


def _stream(offset: int) -> np.ndarray:
    # x, y, t (us), p: two events in the first half of the stream, one in the second.
    return np.array([[offset, 0, 0, 1], [offset, 1, 10, 0], [2, 2, 100, 1]])


def test_frames_are_time_major_counts_per_polarity(tmp_path):
    extractor = TRevSNNEventFeatureExtractor(num_frames=2, sensor_size=(3, 4))
    np.save(tmp_path / "b.npy", _stream(1))
    pixel_values = extractor([_stream(0), tmp_path / "b.npy"])["pixel_values"]
    assert pixel_values.shape == (2, 2, 2, 3, 4) and pixel_values.dtype == torch.float32
    assert pixel_values[0, 0, 1, 0, 0] == 1 and pixel_values[0, 0, 0, 1, 0] == 1  # stream a, window 0
    assert pixel_values[0, 1, 1, 0, 1] == 1 and pixel_values[1, 1, 1, 2, 2] == 1  # stream b
    assert pixel_values.sum() == 6
    single = extractor(as_events(_stream(0)))["pixel_values"]
    torch.testing.assert_close(single[:, 0], pixel_values[:, 0])


def test_saves_and_loads_through_auto_feature_extractor_and_feeds_a_dvs_model(tmp_path):
    extractor = TRevSNNEventFeatureExtractor(num_frames=4, sensor_size=(34, 34))
    extractor.save_pretrained(tmp_path)
    loaded = AutoFeatureExtractor.from_pretrained(tmp_path)
    assert isinstance(loaded, TRevSNNEventFeatureExtractor) and loaded.sensor_size == (34, 34)
    model = hf_spiking.create_model("trevsnn-dvs-test").eval()
    stream = np.array([[x % 34, (3 * x) % 34, x * 7, x % 2] for x in range(200)])
    with torch.no_grad():
        logits = model(**loaded([stream, stream])).logits
    assert logits.shape == (2, model.config.num_labels) and torch.isfinite(logits).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [({"num_frames": 0}, "num_frames"), ({"sensor_size": (34,)}, "sensor_size"), ({"sensor_size": (0, 3)}, "sensor_size")],
)
def test_bad_settings_and_inputs_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TRevSNNEventFeatureExtractor(**kwargs)
    extractor = TRevSNNEventFeatureExtractor(num_frames=2, sensor_size=(2, 2))
    with pytest.raises(ValueError, match="outside the sensor"):
        extractor(_stream(0))
    with pytest.raises(ValueError, match="empty"):
        extractor([])
