"""Event-camera (DVS) streams: readers for the common file formats and the time-binning helpers that turn a stream into
what the models take (event frames ``[T, 2, H, W]`` for image SNNs, event clouds ``(x, y, t[, p])`` for point encoders).

Every reader returns a numpy structured array of :data:`EVENT_DTYPE` (fields ``x``, ``y``, ``t`` in microseconds,
``p`` polarity 0/1), sorted by time. :func:`read_events` dispatches on the file suffix:

- ``.bin`` / ``.bs2``: the N-MNIST layout (Orchard et al., 2015; also SLAYER's ``.bs2``): 5 bytes per event, x, y, then
  a polarity bit and a 23-bit big-endian microsecond timestamp; ``y == 240`` marks a timestamp-overflow event (the
  ATIS camera's 2^13 us wrap), which shifts every later timestamp and is not itself an event.
- ``.aedat``: AEDAT 3.1 (DVS128 Gesture and other iniVation recordings): ``#`` header lines up to ``#!END-HEADER``,
  then packets with a 28-byte little-endian header; polarity events (type 1) are 8 bytes, a uint32 (bit 0 valid,
  bit 1 polarity, bits 2-16 y, bits 17-31 x) and an int32 timestamp extended by the packet's ``eventTSOverflow << 31``.
  Other event types are skipped; invalid events are dropped.
- ``.npy`` / ``.npz``: plain arrays, either structured with fields x, y, t, p or numeric ``[N, 4]`` columns x, y, t, p
  (pickled files are refused).

Nothing is downloaded: read recordings from a folder you name, under their own terms (N-MNIST: Orchard et al.;
DVS128 Gesture: IBM's licence).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .arrays import load_plain_array

EVENT_DTYPE = np.dtype([("x", "<u2"), ("y", "<u2"), ("t", "<i8"), ("p", "u1")])
NMNIST_SENSOR_SIZE = (34, 34)  # (height, width)
DVS128_SENSOR_SIZE = (128, 128)

_NMNIST_OVERFLOW_Y = 240
_NMNIST_OVERFLOW_US = 1 << 13
_AEDAT_PACKET_HEADER = np.dtype(
    [
        ("event_type", "<i2"),
        ("event_source", "<i2"),
        ("event_size", "<i4"),
        ("event_ts_offset", "<i4"),
        ("event_ts_overflow", "<i4"),
        ("event_capacity", "<i4"),
        ("event_number", "<i4"),
        ("event_valid", "<i4"),
    ]
)
_AEDAT_POLARITY_EVENT = 1
_AEDAT_POLARITY = np.dtype([("data", "<u4"), ("timestamp", "<i4")])


def _events(x, y, t, p) -> np.ndarray:
    events = np.empty(len(t), dtype=EVENT_DTYPE)
    events["x"], events["y"], events["t"], events["p"] = x, y, t, p
    return events[np.argsort(events["t"], kind="stable")]


def _check_not_empty(events: np.ndarray, path) -> np.ndarray:
    if len(events) == 0:
        raise ValueError(f"{path}: the event stream holds no events (expected at least one x, y, t, p event)")
    return events


def _first(offending: np.ndarray) -> int:
    return int(np.flatnonzero(offending)[0])


def read_nmnist_bin(path: str | Path) -> np.ndarray:
    """An N-MNIST ``.bin`` (or SLAYER ``.bs2``) recording as :data:`EVENT_DTYPE` events."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 5:
        raise ValueError(f"{path}: {raw.size} bytes is not a whole number of 5-byte N-MNIST events (truncated file?)")
    fields = raw.reshape(-1, 5).astype(np.int64)
    x, y = fields[:, 0], fields[:, 1]
    p = fields[:, 2] >> 7
    t = ((fields[:, 2] & 0x7F) << 16) | (fields[:, 3] << 8) | fields[:, 4]
    overflow = y == _NMNIST_OVERFLOW_Y
    t = t + np.cumsum(overflow) * _NMNIST_OVERFLOW_US
    keep = ~overflow
    return _check_not_empty(_events(x[keep], y[keep], t[keep], p[keep]), path)


def read_aedat31(path: str | Path) -> np.ndarray:
    """The polarity events of an AEDAT 3.1 recording as :data:`EVENT_DTYPE` events."""
    data = Path(path).read_bytes()
    if not data.startswith(b"#!AER-DAT3"):
        raise ValueError(f"{path}: not an AEDAT 3.x file (expected the first line '#!AER-DAT3.1')")
    end = data.find(b"#!END-HEADER")
    if end < 0:
        raise ValueError(f"{path}: AEDAT header has no '#!END-HEADER' line")
    position = data.index(b"\n", end) + 1
    chunks = []
    while position < len(data):
        if position + _AEDAT_PACKET_HEADER.itemsize > len(data):
            raise ValueError(f"{path}: truncated AEDAT packet header at byte {position}")
        header = np.frombuffer(data, _AEDAT_PACKET_HEADER, count=1, offset=position)[0]
        position += _AEDAT_PACKET_HEADER.itemsize
        size = int(header["event_size"]) * int(header["event_number"])
        if header["event_size"] <= 0 or header["event_number"] < 0 or position + size > len(data):
            raise ValueError(f"{path}: corrupt or truncated AEDAT packet at byte {position - 28}")
        if header["event_type"] == _AEDAT_POLARITY_EVENT:
            if header["event_size"] != _AEDAT_POLARITY.itemsize:
                raise ValueError(f"{path}: polarity events must be 8 bytes, got {int(header['event_size'])}")
            packet = np.frombuffer(data, _AEDAT_POLARITY, count=int(header["event_number"]), offset=position)
            valid = (packet["data"] & 1).astype(bool)
            packet = packet[valid]
            time = packet["timestamp"].astype(np.int64) + (int(header["event_ts_overflow"]) << 31)
            chunks.append((packet["data"] >> 17, (packet["data"] >> 2) & 0x7FFF, time, (packet["data"] >> 1) & 1))
        position += size
    if not chunks:
        raise ValueError(f"{path}: the AEDAT file holds no polarity events")
    return _check_not_empty(_events(*(np.concatenate(column) for column in zip(*chunks))), path)


def _check_time_order(t: np.ndarray) -> None:
    backwards = np.diff(t.astype(np.float64)) < 0
    if backwards.any():
        index = _first(backwards) + 1
        raise ValueError(
            f"event t must be non-decreasing (a time-ordered stream, as read_events returns), but t drops from "
            f"{t[index - 1]} to {t[index]} at event {index}; sort the events by t, or check that the columns are x, y, t, p"
        )


def as_events(array, *, require_time_order: bool = False) -> np.ndarray:
    """Events from an in-memory array: structured with fields x, y, t, p, or numeric ``[N, 4]`` columns x, y, t, p.

    The result is sorted by time. With ``require_time_order`` a stream whose ``t`` ever decreases is refused instead:
    readers return time-ordered streams, so a scrambled one usually means misplaced columns or corrupt data.
    """
    array = np.asarray(array)
    if array.dtype.names is not None:
        missing = {"x", "y", "t", "p"} - set(array.dtype.names)
        if missing:
            raise ValueError(
                f"an event array needs the fields x, y, t, p; missing {sorted(missing)} (got fields {array.dtype.names})"
            )
        columns = [array[name] for name in ("x", "y", "t", "p")]
    elif array.ndim == 2 and array.shape[1] == 4 and np.issubdtype(array.dtype, np.number):
        columns = list(array.T)
    else:
        raise ValueError(
            f"events must be a structured array with fields x, y, t, p or a numeric [N, 4] array, got {array.dtype} "
            f"{array.shape}"
        )
    columns = [np.asarray(column) for column in columns]
    for name, column in zip("xytp", columns):
        infinite = ~np.isfinite(column.astype(np.float64))
        if infinite.any():
            index = _first(infinite)
            raise ValueError(f"event {name} must be finite, got {name} = {column[index]} at event {index}")
    x, y, t, p = columns
    for name, column in (("x", x), ("y", y)):
        not_pixel = (column < 0) | (column != np.round(column))
        if not_pixel.any():
            index = _first(not_pixel)
            raise ValueError(
                f"event {name} must be a non-negative integer pixel index, got {name} = {column[index]} at event {index}"
            )
    not_polarity = ~np.isin(p, (0, 1))
    if not_polarity.any():
        index = _first(not_polarity)
        raise ValueError(f"event p must be a polarity in {{0, 1}}, got p = {p[index]} at event {index}")
    if require_time_order:
        _check_time_order(t)
    return _check_not_empty(_events(x, y, np.round(t).astype(np.int64), p), "events")


def _read_array_file(path: Path) -> np.ndarray:
    loaded = load_plain_array(path, "event array")
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            if {"x", "y", "t", "p"} <= set(loaded.files):
                return as_events(np.stack([loaded[name] for name in ("x", "y", "t", "p")], axis=1))
            raise ValueError(f"{path}: an .npz of events needs the arrays x, y, t, p; found {loaded.files}")
    return as_events(loaded)


_READERS = {".bin": read_nmnist_bin, ".bs2": read_nmnist_bin, ".aedat": read_aedat31}
EVENT_FILE_SUFFIXES = (*_READERS, ".npy", ".npz")


def read_events(path: str | Path) -> np.ndarray:
    """Reads an event recording (``.bin``, ``.bs2``, ``.aedat``, ``.npy``, ``.npz``) into :data:`EVENT_DTYPE` events."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"event file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".npy", ".npz"):
        return _read_array_file(path)
    if suffix not in _READERS:
        raise ValueError(f"{path}: unknown event file type {suffix!r}; expected one of .bin, .bs2, .aedat, .npy, .npz")
    return _READERS[suffix](path)


def read_label_list(path: str | Path) -> list[tuple[str, int]]:
    """``(recording id, class index)`` pairs of a label list: ``<id><whitespace><label>`` per line, ``#`` lines
    skipped (the N-MNIST subset's ``train1K.txt`` / ``test100.txt``)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"label list {path} does not exist")
    pairs = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 2 or not fields[1].isdigit():
            raise ValueError(f"{path}:{number}: expected '<id> <class index>', got {line!r}")
        pairs.append((fields[0], int(fields[1])))
    if not pairs:
        raise ValueError(f"label list {path} names no recordings")
    return pairs


def labelled_recordings(root: str | Path, label_list: str | Path) -> list[tuple[Path, int]]:
    """``(event file, class index)`` of every recording a label list names, files found as ``<root>/<id>.<suffix>``
    with a suffix :func:`read_events` reads (``label_list`` is relative to ``root`` unless absolute)."""
    root = Path(root)
    recordings = []
    for recording, label in read_label_list(root / label_list):
        matches = [m for m in sorted(root.glob(f"{recording}.*")) if m.suffix.lower() in EVENT_FILE_SUFFIXES]
        if not matches:
            raise ValueError(f"no event file for recording {recording!r} in {root}")
        recordings.append((matches[0], label))
    return recordings


def time_bins(events: np.ndarray, num_bins: int) -> np.ndarray:
    """The bin of each event when the stream's time span is cut into ``num_bins`` equal windows (last one closed)."""
    if num_bins < 1:
        raise ValueError(f"num_bins must be a positive integer, got {num_bins}")
    t = events["t"].astype(np.float64)
    span = t.max() - t.min()
    if span == 0:
        return np.zeros(len(t), dtype=np.int64)
    return np.minimum(((t - t.min()) / span * num_bins).astype(np.int64), num_bins - 1)


def _check_within_sensor(events: np.ndarray, sensor_size: tuple[int, int]) -> None:
    height, width = sensor_size
    for name, limit in (("x", width), ("y", height)):
        outside = events[name] >= limit
        if outside.any():
            index = _first(outside)
            raise ValueError(
                f"events fall outside the sensor size (height, width) = {tuple(sensor_size)}: event {index} has "
                f"{name} = {events[name][index]}, expected {name} < {limit}"
            )


def events_to_frames(events: np.ndarray, num_frames: int, sensor_size: tuple[int, int]) -> np.ndarray:
    """Event counts per polarity in ``num_frames`` equal time windows: float32 ``[num_frames, 2, H, W]``."""
    _check_within_sensor(events, sensor_size)
    height, width = sensor_size
    frames = np.zeros((num_frames, 2, height, width), dtype=np.float32)
    np.add.at(frames, (time_bins(events, num_frames), events["p"], events["y"], events["x"]), 1.0)
    return frames


def check_time_extent(time_extent) -> None:
    """Refuses a ``time_extent`` (half-width of the time axis of an event cloud) outside [0, 1]."""
    if isinstance(time_extent, bool) or not isinstance(time_extent, (int, float)) or not 0 <= time_extent <= 1:
        raise ValueError(f"`time_extent` must be a number in [0, 1], got {time_extent!r}.")


def events_to_points(
    events: np.ndarray, sensor_size: tuple[int, int], *, with_polarity: bool = True, time_extent: float = 1.0
) -> np.ndarray:
    """An event cloud for the point encoders ("events as points"): float32 ``[N, 3 or 4]`` with x and y scaled to
    [-1, 1] over the sensor, t scaled to [-time_extent, time_extent] over the stream, and polarity as -1/+1 when
    ``with_polarity``. A ``time_extent`` below 1 makes neighbourhoods mostly spatial (a stroke seen at several
    moments stays one local patch); 0 projects the stream onto the sensor plane. Events outside the sensor are
    refused (they would leave [-1, 1])."""
    check_time_extent(time_extent)
    _check_within_sensor(events, sensor_size)
    height, width = sensor_size
    t = events["t"].astype(np.float64)
    span = t.max() - t.min()
    columns = [
        events["x"] / max(width - 1, 1) * 2 - 1,
        events["y"] / max(height - 1, 1) * 2 - 1,
        ((t - t.min()) / span * 2 - 1) * time_extent if span > 0 else np.zeros_like(t),
    ]
    if with_polarity:
        columns.append(events["p"].astype(np.float64) * 2 - 1)
    return np.stack(columns, axis=1).astype(np.float32)


__all__ = [
    "DVS128_SENSOR_SIZE",
    "EVENT_DTYPE",
    "EVENT_FILE_SUFFIXES",
    "NMNIST_SENSOR_SIZE",
    "as_events",
    "check_time_extent",
    "events_to_frames",
    "events_to_points",
    "labelled_recordings",
    "read_aedat31",
    "read_events",
    "read_label_list",
    "read_nmnist_bin",
    "time_bins",
]
