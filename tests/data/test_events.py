"""Event-stream readers on files written here byte by byte in each format's layout, and the time-binning helpers."""

import struct

import numpy as np
import pytest

from hf_spiking.data.events import (
    EVENT_DTYPE,
    as_events,
    events_to_frames,
    events_to_points,
    labelled_recordings,
    read_events,
    read_label_list,
    time_bins,
)

# (x, y, p, t in us) written in file order; the reader returns them sorted by time.
NMNIST_EVENTS = [(3, 4, 1, 100), (33, 0, 0, 8190), (0, 33, 1, 50)]


def _nmnist_bytes(events) -> bytes:
    out = bytearray()
    for x, y, p, t in events:
        out += bytes([x, y, (p << 7) | (t >> 16) & 0x7F, (t >> 8) & 0xFF, t & 0xFF])
    return bytes(out)


@pytest.mark.parametrize("suffix", [".bin", ".bs2"])
def test_nmnist_layout_with_a_timestamp_overflow_marker(tmp_path, suffix):
    # An overflow marker (y == 240) adds 2^13 us to every later timestamp and is not an event itself.
    path = tmp_path / f"sample{suffix}"
    path.write_bytes(_nmnist_bytes(NMNIST_EVENTS[:2]) + _nmnist_bytes([(0, 240, 0, 0)]) + _nmnist_bytes(NMNIST_EVENTS[2:]))
    events = read_events(path)
    assert events.dtype == EVENT_DTYPE
    assert events.tolist() == [(3, 4, 100, 1), (33, 0, 8190, 0), (0, 33, 50 + 8192, 1)]


def test_nmnist_23_bit_timestamps_round_trip(tmp_path):
    times = [0, 1, 255, 256, 65535, 65536, (1 << 23) - 1]
    (tmp_path / "t.bin").write_bytes(_nmnist_bytes([(1, 2, i % 2, t) for i, t in enumerate(times)]))
    assert read_events(tmp_path / "t.bin")["t"].tolist() == times


def _aedat_packet(event_type: int, events: bytes, event_size: int, count: int, overflow: int = 0) -> bytes:
    return struct.pack("<hhiiiiii", event_type, 1, event_size, 4, overflow, count, count, count) + events


def _polarity(x: int, y: int, p: int, t: int, valid: bool = True) -> bytes:
    return struct.pack("<Ii", (x << 17) | (y << 2) | (p << 1) | int(valid), t)


def test_aedat31_polarity_packets_with_overflow_skipping_other_types_and_invalid_events(tmp_path):
    header = b"#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n"
    first = _aedat_packet(1, _polarity(127, 5, 1, 20) + _polarity(3, 127, 0, 10) + _polarity(9, 9, 1, 5, valid=False), 8, 3)
    special = _aedat_packet(0, b"\x00" * 16, 8, 2)  # a special-event packet: skipped
    second = _aedat_packet(1, _polarity(1, 2, 0, 7), 8, 1, overflow=1)
    (tmp_path / "user01_fluorescent.aedat").write_bytes(header + first + special + second)
    events = read_events(tmp_path / "user01_fluorescent.aedat")
    assert events.tolist() == [(3, 127, 10, 0), (127, 5, 20, 1), (1, 2, 7 + (1 << 31), 0)]


def test_plain_arrays_structured_numeric_and_npz(tmp_path):
    numeric = np.array([[5, 6, 300, 1], [1, 2, 100, 0]], dtype=np.int64)
    np.save(tmp_path / "numeric.npy", numeric)
    structured = np.zeros(2, dtype=[("t", "<f8"), ("x", "<i4"), ("y", "<i4"), ("p", "<i1")])
    structured["t"], structured["x"], structured["y"], structured["p"] = (300, 100), (5, 1), (6, 2), (1, 0)
    np.save(tmp_path / "structured.npy", structured)
    np.savez(tmp_path / "columns.npz", x=[5, 1], y=[6, 2], t=[300, 100], p=[1, 0])
    expected = [(1, 2, 100, 0), (5, 6, 300, 1)]
    for name in ("numeric.npy", "structured.npy", "columns.npz"):
        assert read_events(tmp_path / name).tolist() == expected, name
    assert as_events(numeric).tolist() == expected


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("cut.bin", b"\x01\x02\x03\x04\x05\x06", "not a whole number of 5-byte"),
        ("empty.bs2", b"", "holds no events"),
        ("only_overflow.bin", bytes([0, 240, 0, 0, 0]), "holds no events"),
        ("not_aedat.aedat", b"hello", "not an AEDAT 3.x file"),
        ("no_end.aedat", b"#!AER-DAT3.1\r\n", "END-HEADER"),
        ("cut.aedat", b"#!AER-DAT3.1\r\n#!END-HEADER\r\n" + _aedat_packet(1, b"\x00" * 8, 8, 3), "truncated"),
        ("events.txt", b"1 2 3 4", "unknown event file type '.txt'"),
    ],
)
def test_corrupt_empty_and_unknown_streams_raise_clear_errors(tmp_path, name, content, match):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=match):
        read_events(tmp_path / name)


def test_pickled_or_malformed_arrays_are_refused(tmp_path):
    np.save(tmp_path / "pickled.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled or corrupt"):
        read_events(tmp_path / "pickled.npy")
    with pytest.raises(ValueError, match=r"numeric \[N, 4\]"):
        as_events(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="polarity in"):
        as_events(np.array([[1, 1, 0, 2]]))
    with pytest.raises(ValueError, match="finite"):
        as_events(np.array([[1, 1, np.nan, 1]]))
    with pytest.raises(ValueError, match="does not exist"):
        read_events(tmp_path / "missing.bin")


def test_time_bins_frames_and_points():
    events = as_events(np.array([[0, 0, 0, 1], [1, 0, 50, 0], [1, 1, 99, 1], [1, 1, 100, 1]]))
    assert time_bins(events, 2).tolist() == [0, 1, 1, 1]  # windows [0, 50), [50, 100]
    frames = events_to_frames(events, 2, sensor_size=(2, 2))
    assert frames.shape == (2, 2, 2, 2) and frames.sum() == 4
    assert frames[0, 1, 0, 0] == 1 and frames[1, 0, 0, 1] == 1 and frames[1, 1, 1, 1] == 2
    with pytest.raises(ValueError, match="outside the sensor"):
        events_to_frames(events, 2, sensor_size=(1, 1))
    points = events_to_points(events, sensor_size=(2, 2))
    np.testing.assert_allclose(points[:, 0], [-1, 1, 1, 1])
    np.testing.assert_allclose(points[:, 2], [-1, 0, 0.98, 1])
    np.testing.assert_allclose(points[:, 3], [1, -1, 1, 1])
    assert events_to_points(events, sensor_size=(2, 2), with_polarity=False).shape == (4, 3)
    squeezed = events_to_points(events, sensor_size=(2, 2), time_extent=0.25)
    np.testing.assert_allclose(squeezed[:, 2], [-0.25, 0, 0.245, 0.25])
    np.testing.assert_allclose(np.delete(squeezed, 2, axis=1), np.delete(points, 2, axis=1))
    with pytest.raises(ValueError, match=r"`time_extent` must be a number in \[0, 1\], got 2"):
        events_to_points(events, sensor_size=(2, 2), time_extent=2)
    assert time_bins(as_events(np.array([[0, 0, 7, 1]])), 3).tolist() == [0]  # one instant: everything in bin 0


def test_label_lists_name_recordings_in_the_folder(tmp_path):
    (tmp_path / "train1K.txt").write_text("#sample #class\n1\t5\n\n2 0\n")
    (tmp_path / "1.bs2").write_bytes(_nmnist_bytes(NMNIST_EVENTS))
    (tmp_path / "2.bin").write_bytes(_nmnist_bytes(NMNIST_EVENTS))
    (tmp_path / "2.txt").write_text("not an event file")
    assert read_label_list(tmp_path / "train1K.txt") == [("1", 5), ("2", 0)]
    assert labelled_recordings(tmp_path, "train1K.txt") == [(tmp_path / "1.bs2", 5), (tmp_path / "2.bin", 0)]
    (tmp_path / "bad.txt").write_text("1\tfive\n")
    with pytest.raises(ValueError, match=r"bad.txt:1: expected '<id> <class index>'"):
        read_label_list(tmp_path / "bad.txt")
    (tmp_path / "missing.txt").write_text("3 1\n")
    with pytest.raises(ValueError, match="no event file for recording '3'"):
        labelled_recordings(tmp_path, "missing.txt")
