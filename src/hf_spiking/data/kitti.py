"""KITTI LiDAR data in its released layouts: SemanticKITTI scans and point labels (segmentation), and KITTI object
detection calibration and label files (3D boxes), with the camera <-> LiDAR box conversion the detectors train on.

SemanticKITTI (Behley et al., ICCV 2019), ``<root>/sequences/<NN>/velodyne/<frame>.bin`` and
``<root>/sequences/<NN>/labels/<frame>.label``:

- a scan is little-endian float32 ``x, y, z, remission`` per point (16 bytes a point);
- a label file is one little-endian uint32 per point: the lower 16 bits the raw semantic id (``semantic-kitti.yaml``'s
  ``labels``), the upper 16 bits the instance id;
- :data:`SEMANTICKITTI_LEARNING_MAP` is the yaml's ``learning_map`` as released (raw id -> 0 unlabeled, 1..19 classes).
  :func:`map_semantickitti_labels` returns the convention most training code uses instead: train ids 0..18 for the 19
  classes of :data:`SEMANTICKITTI_CLASSES` (the yaml id minus 1) and :data:`SEMANTICKITTI_IGNORE_INDEX` (255) for
  unlabeled points, so the ids index a 19-way logit and 255 is the loss's and the metric's ``ignore_index``.
  A raw id missing from the map raises (a corrupt file or another label set would otherwise train silently wrong).

KITTI object detection (Geiger et al., CVPR 2012), ``calib/<frame>.txt`` and ``label_2/<frame>.txt``:

- calibration lines ``P0:`` .. ``P3:`` (3x4 projections), ``R0_rect:`` (3x3 rectification), ``Tr_velo_to_cam:`` and
  ``Tr_imu_to_velo:`` (3x4 rigid transforms), all returned as 4x4 homogeneous matrices;
- a label line is ``type truncated occluded alpha left top right bottom h w l x y z rotation_y`` with an optional 16th
  field ``score`` in result files; ``(x, y, z)`` is the bottom centre of the box in the rectified camera frame
  (x right, y down, z forward) and ``rotation_y`` the heading about the camera's y axis.
- LiDAR boxes are ``(x, y, z, l, w, h, yaw)`` in the Velodyne frame (x forward, y left, z up) with ``z`` the box
  centre and ``yaw`` about +z from +x, ``l`` along the heading: ``yaw = -rotation_y - pi/2`` wrapped to [-pi, pi)
  (the convention of OpenPCDet and :mod:`hf_spiking.metrics.detection`).

Nothing is downloaded: read the folders you have, under their own terms (KITTI and SemanticKITTI: CC BY-NC-SA 3.0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SEMANTICKITTI_LEARNING_MAP: dict[int, int] = {
    0: 0, 1: 0, 10: 1, 11: 2, 13: 5, 15: 3, 16: 5, 18: 4, 20: 5, 30: 6, 31: 7, 32: 8, 40: 9, 44: 10, 48: 11, 49: 12,
    50: 13, 51: 14, 52: 0, 60: 9, 70: 15, 71: 16, 72: 17, 80: 18, 81: 19, 99: 0, 252: 1, 253: 7, 254: 6, 255: 8,
    256: 5, 257: 5, 258: 4, 259: 5,
}  # fmt: skip
SEMANTICKITTI_CLASSES = (
    "car", "bicycle", "motorcycle", "truck", "other-vehicle", "person", "bicyclist", "motorcyclist", "road", "parking",
    "sidewalk", "other-ground", "building", "fence", "vegetation", "trunk", "terrain", "pole", "traffic-sign",
)  # fmt: skip
SEMANTICKITTI_IGNORE_INDEX = 255
KITTI_CLASSES = ("Car", "Van", "Truck", "Pedestrian", "Person_sitting", "Cyclist", "Tram", "Misc", "DontCare")

_SCAN_DTYPE = np.dtype("<f4")
_LABEL_DTYPE = np.dtype("<u4")
# Raw id -> train id (yaml id - 1, unlabeled -> 255); -1 marks ids absent from the map.
_TRAIN_ID_LOOKUP = np.full(1 << 16, -1, dtype=np.int32)
for _raw, _learning in SEMANTICKITTI_LEARNING_MAP.items():
    _TRAIN_ID_LOOKUP[_raw] = _learning - 1 if _learning else SEMANTICKITTI_IGNORE_INDEX


def read_semantickitti_scan(path: str | Path) -> np.ndarray:
    """A SemanticKITTI (or KITTI Velodyne) ``.bin`` scan as float32 ``[N, 4]``: x, y, z, remission."""
    raw = np.fromfile(_existing_file(path, "SemanticKITTI scan"), dtype=_SCAN_DTYPE)
    if raw.size % 4:
        raise ValueError(
            f"{path}: {raw.size * 4} bytes is not a whole number of 16-byte points (expected float32 x, y, z, "
            f"remission per point; truncated file?)"
        )
    return raw.reshape(-1, 4).astype(np.float32)


def write_semantickitti_scan(path: str | Path, points) -> None:
    """Writes float ``[N, 4]`` points (x, y, z, remission) as a ``.bin`` scan of little-endian float32."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 4 or not np.issubdtype(points.dtype, np.number):
        raise ValueError(
            f"points must be a numeric [N, 4] array (x, y, z, remission), got {points.dtype} {points.shape}"
        )
    points.astype(_SCAN_DTYPE).tofile(path)


def read_semantickitti_labels(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(semantic, instance)``, both uint16 ``[N]``, from a ``.label`` file (raw semantic ids, not train ids)."""
    data = _existing_file(path, "SemanticKITTI label file").read_bytes()
    if len(data) % 4:
        raise ValueError(f"{path}: {len(data)} bytes is not a whole number of uint32 labels (truncated file?)")
    raw = np.frombuffer(data, dtype=_LABEL_DTYPE)
    return (raw & 0xFFFF).astype(np.uint16), (raw >> 16).astype(np.uint16)


def write_semantickitti_labels(path: str | Path, semantic, instance=None) -> None:
    """Writes raw semantic ids and instance ids (``[N]`` each, 0..65535; instance 0 when omitted) as a ``.label``."""
    semantic = _uint16_ids(semantic, "semantic")
    instance = np.zeros_like(semantic) if instance is None else _uint16_ids(instance, "instance")
    if instance.shape != semantic.shape:
        raise ValueError(f"instance must have the shape of semantic {semantic.shape}, got {instance.shape}")
    (semantic.astype(_LABEL_DTYPE) | (instance.astype(_LABEL_DTYPE) << 16)).tofile(path)


def _uint16_ids(values, name: str) -> np.ndarray:
    values = np.asarray(values)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D integer array of ids, got {values.dtype} {values.shape}")
    outside = (values < 0) | (values > 0xFFFF)
    if outside.any():
        index = int(np.flatnonzero(outside)[0])
        raise ValueError(f"{name} ids must be in 0..65535 (16 bits), got {values[index]} at point {index}")
    return values.astype(np.uint16)


def map_semantickitti_labels(raw) -> np.ndarray:
    """Raw SemanticKITTI semantic ids -> int64 train ids: 0..18 for :data:`SEMANTICKITTI_CLASSES`, 255 unlabeled.

    Raises ValueError naming the raw ids that ``semantic-kitti.yaml``'s ``learning_map`` does not know.
    """
    raw = np.asarray(raw)
    if not np.issubdtype(raw.dtype, np.integer):
        raise ValueError(f"raw semantic ids must be integers, got dtype {raw.dtype}")
    out_of_range = (raw < 0) | (raw > 0xFFFF)
    train = _TRAIN_ID_LOOKUP[np.where(out_of_range, 0, raw)]
    unknown = out_of_range | (train < 0)
    if unknown.any():
        raise ValueError(
            f"raw semantic ids {sorted(set(raw[unknown].tolist()))} are not in SemanticKITTI's learning_map "
            f"(known ids: {sorted(SEMANTICKITTI_LEARNING_MAP)})"
        )
    return train.astype(np.int64)


def iter_semantickitti_sequence(root: str | Path, sequence: int | str, *, map_labels: bool = True) -> Iterator[dict]:
    """The frames of one sequence in frame order: ``{"points", "labels", "instances", "frame_id"}`` per frame.

    ``points`` is float32 ``[N, 4]``; ``labels`` are train ids (:func:`map_semantickitti_labels`) or, with
    ``map_labels=False``, the raw uint16 ids; ``instances`` are uint16 instance ids; ``frame_id`` is the file stem
    (``"000000"``). Sequences without a ``labels`` folder (the test sequences 11-21) yield ``None`` for both.
    """
    # The layout is checked on the call (a generator expression evaluates its source at once); the frames are read
    # lazily, one per step.
    return (read_semantickitti_frame(scan, label, map_labels=map_labels)
            for scan, label in semantickitti_sequence_files(root, sequence))


def semantickitti_sequence_files(root: str | Path, sequence: int | str) -> list[tuple[Path, Path | None]]:
    """``(scan, label file)`` of every frame of one sequence in frame order, the label file ``None`` in sequences
    without a ``labels`` folder; for random access to the frames with :func:`read_semantickitti_frame`.

    Raises ValueError naming the folder when the layout is not ``<root>/sequences/<NN>/velodyne/<frame>.bin`` or a
    scan has no ``labels/<frame>.label`` beside it.
    """
    name = f"{int(sequence):02d}" if isinstance(sequence, int) or str(sequence).isdigit() else str(sequence)
    folder = Path(root) / "sequences" / name
    velodyne = folder / "velodyne"
    if not velodyne.is_dir():
        raise ValueError(
            f"sequence {sequence!r}: {velodyne} is not a folder (expected <root>/sequences/<NN>/velodyne/<frame>.bin)"
        )
    scans = sorted(velodyne.glob("*.bin"))
    if not scans:
        raise ValueError(f"sequence {sequence!r}: {velodyne} holds no .bin scans")
    label_folder = folder / "labels"
    if not label_folder.is_dir():
        return [(scan, None) for scan in scans]
    missing = [scan.stem for scan in scans if not (label_folder / f"{scan.stem}.label").is_file()]
    if missing:
        raise ValueError(f"{label_folder}: no .label file for frames {missing[:10]} (every scan needs one)")
    return [(scan, label_folder / f"{scan.stem}.label") for scan in scans]


def read_semantickitti_frame(scan: str | Path, label_path: str | Path | None = None, *, map_labels: bool = True) -> dict:
    """One frame as :func:`iter_semantickitti_sequence` yields it, from its scan and (optional) label file."""
    points = read_semantickitti_scan(scan)
    labels = instances = None
    if label_path is not None:
        semantic, instances = read_semantickitti_labels(label_path)
        if len(semantic) != len(points):
            raise ValueError(f"{label_path}: {len(semantic)} labels for the {len(points)} points of {scan}")
        labels = map_semantickitti_labels(semantic) if map_labels else semantic
    return {"points": points, "labels": labels, "instances": instances, "frame_id": Path(scan).stem}


@dataclass(frozen=True, eq=False)  # array fields: the generated == would be ambiguous
class KittiCalibration:
    """One frame's KITTI object calibration as 4x4 homogeneous matrices (``tr_imu_to_velo`` is None when absent)."""

    p0: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    p3: np.ndarray
    r0_rect: np.ndarray
    tr_velo_to_cam: np.ndarray
    tr_imu_to_velo: np.ndarray | None = None

    @property
    def velo_to_rect(self) -> np.ndarray:
        """LiDAR -> rectified camera frame: ``R0_rect @ Tr_velo_to_cam``."""
        return self.r0_rect @ self.tr_velo_to_cam

    def lidar_to_camera(self, points) -> np.ndarray:
        """LiDAR points ``[N, 3]`` -> rectified camera coordinates ``[N, 3]``."""
        return _transform(self.velo_to_rect, _points3(points, "points"))

    def camera_to_lidar(self, points) -> np.ndarray:
        """Rectified camera points ``[N, 3]`` -> LiDAR coordinates ``[N, 3]``."""
        return _transform(np.linalg.inv(self.velo_to_rect), _points3(points, "points"))


# Key -> (number of values, field); 3x4 matrices are padded with [0, 0, 0, 1], R0_rect embedded in the identity.
_CALIBRATION_KEYS = {
    "P0": (12, "p0"), "P1": (12, "p1"), "P2": (12, "p2"), "P3": (12, "p3"), "R0_rect": (9, "r0_rect"),
    "Tr_velo_to_cam": (12, "tr_velo_to_cam"), "Tr_imu_to_velo": (12, "tr_imu_to_velo"),
}  # fmt: skip


def read_kitti_calibration(path: str | Path) -> KittiCalibration:
    """A KITTI object ``calib/<frame>.txt``; every key but ``Tr_imu_to_velo`` is required, unknown keys are skipped."""
    path = _existing_file(path, "KITTI calibration file")
    matrices: dict[str, np.ndarray] = {}
    for number, line in enumerate(path.read_text(encoding="ascii", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        key, colon, rest = line.partition(":")
        key = key.strip()
        if not colon:
            raise ValueError(f"{path}, line {number}: expected 'KEY: numbers', got {line.strip()[:60]!r}")
        if key not in _CALIBRATION_KEYS:
            continue
        count, field = _CALIBRATION_KEYS[key]
        values = _floats(rest.split(), path, number, f"{count} numbers after {key}:")
        if len(values) != count:
            raise ValueError(f"{path}, line {number}: expected {count} numbers after {key}:, got {len(values)}")
        matrix = np.eye(4)
        matrix[:3, : count // 3] = np.reshape(values, (3, count // 3))
        matrices[field] = matrix
    required = [key for key in _CALIBRATION_KEYS if key != "Tr_imu_to_velo"]
    missing = [key for key in required if _CALIBRATION_KEYS[key][1] not in matrices]
    if missing:
        raise ValueError(f"{path}: missing calibration lines {missing} (expected P0..P3, R0_rect, Tr_velo_to_cam)")
    return KittiCalibration(**matrices)


@dataclass
class KittiObject:
    """One line of a KITTI ``label_2`` file; ``score`` is set only in result files (the 16th field)."""

    type: str
    truncated: float
    occluded: int
    alpha: float
    bbox: tuple[float, float, float, float]  # left, top, right, bottom in image pixels
    dimensions: tuple[float, float, float]  # h, w, l in metres
    location: tuple[float, float, float]  # bottom centre x, y, z in the rectified camera frame
    rotation_y: float
    score: float | None = None

    @property
    def is_dont_care(self) -> bool:
        """True for ``DontCare`` regions (unannotated objects that evaluation must neither reward nor penalise)."""
        return self.type == "DontCare"


def read_kitti_labels(path: str | Path) -> list[KittiObject]:
    """The objects of a KITTI ``label_2/<frame>.txt`` (or result file with scores), in file order, DontCare included."""
    path = _existing_file(path, "KITTI label file")
    objects = []
    for number, line in enumerate(path.read_text(encoding="ascii", errors="replace").splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) not in (15, 16):
            raise ValueError(
                f"{path}, line {number}: expected 15 or 16 fields (type truncated occluded alpha bbox(4) h w l x y z "
                f"rotation_y [score]), got {len(fields)}"
            )
        values = _floats(fields[1:], path, number, "numbers after the object type")
        if values[1] != int(values[1]):
            raise ValueError(f"{path}, line {number}: expected an integer occlusion state, got {fields[2]!r}")
        objects.append(
            KittiObject(
                type=fields[0],
                truncated=values[0],
                occluded=int(values[1]),
                alpha=values[2],
                bbox=tuple(values[3:7]),
                dimensions=tuple(values[7:10]),
                location=tuple(values[10:13]),
                rotation_y=values[13],
                score=values[14] if len(values) == 15 else None,
            )
        )
    return objects


def write_kitti_labels(path: str | Path, objects: Iterable[KittiObject]) -> None:
    """Writes objects as a KITTI label file, one line each (the score as a 16th field when set).

    Numbers are written with ``repr`` so that reading the file back gives the same floats.
    """
    lines = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, KittiObject):
            raise ValueError(f"objects must be KittiObject instances, got {type(obj).__name__} at position {index}")
        if not obj.type or any(character.isspace() for character in obj.type):
            raise ValueError(
                f"object type must be a non-empty word without spaces, got {obj.type!r} at position {index}"
            )
        if len(obj.bbox) != 4 or len(obj.dimensions) != 3 or len(obj.location) != 3:
            raise ValueError(
                f"object {index} ({obj.type}): bbox needs 4 numbers, dimensions and location 3 each, got "
                f"{len(obj.bbox)}, {len(obj.dimensions)} and {len(obj.location)}"
            )
        numbers = [obj.truncated, obj.alpha, *obj.bbox, *obj.dimensions, *obj.location, obj.rotation_y]
        numbers += [] if obj.score is None else [obj.score]
        if not all(math.isfinite(float(value)) for value in numbers):
            raise ValueError(f"object {index} ({obj.type}) has a non-finite number: {numbers}")
        text = [repr(float(value)) for value in numbers]
        lines.append(" ".join([obj.type, text[0], str(int(obj.occluded)), *text[1:]]))
    Path(path).write_text("".join(f"{line}\n" for line in lines), encoding="ascii")


def filter_kitti_objects(objects: Iterable[KittiObject], class_names: Iterable[str]) -> list[KittiObject]:
    """The objects whose type is one of ``class_names`` (e.g. ``("Car",)`` drops DontCare, Van, ...), in order."""
    if isinstance(class_names, str):
        raise ValueError(f"class_names must be a collection of type names, got the string {class_names!r}")
    wanted = set(class_names)
    return [obj for obj in objects if obj.type in wanted]


def kitti_objects_to_arrays(objects: Iterable[KittiObject]) -> dict[str, np.ndarray]:
    """Objects as arrays: ``types`` [M] str, ``locations`` [M, 3], ``dimensions`` [M, 3] (h, w, l), ``rotation_y``
    [M], ``bboxes`` [M, 4], ``scores`` [M] (nan where absent), ready for :func:`camera_boxes_to_lidar`."""
    objects = list(objects)
    return {
        "types": np.array([obj.type for obj in objects], dtype=str),
        "locations": np.array([obj.location for obj in objects], dtype=np.float64).reshape(-1, 3),
        "dimensions": np.array([obj.dimensions for obj in objects], dtype=np.float64).reshape(-1, 3),
        "rotation_y": np.array([obj.rotation_y for obj in objects], dtype=np.float64),
        "bboxes": np.array([obj.bbox for obj in objects], dtype=np.float64).reshape(-1, 4),
        "scores": np.array([math.nan if obj.score is None else obj.score for obj in objects], dtype=np.float64),
    }


def camera_boxes_to_lidar(locations, dimensions, rotation_y, calibration: KittiCalibration) -> np.ndarray:
    """KITTI camera boxes -> LiDAR boxes ``[M, 7]`` ``(x, y, z, l, w, h, yaw)``.

    ``locations`` ``[M, 3]`` are bottom centres in the rectified camera frame, ``dimensions`` ``[M, 3]`` are
    ``(h, w, l)``, ``rotation_y`` ``[M]``. The bottom centre is mapped through ``inv(R0_rect @ Tr_velo_to_cam)`` and
    lifted by ``h / 2`` along LiDAR z (the box centre); ``yaw = -rotation_y - pi/2`` wrapped to [-pi, pi).
    """
    locations = _points3(locations, "locations")
    dimensions = _points3(dimensions, "dimensions")
    rotation_y = np.asarray(rotation_y, dtype=np.float64).reshape(-1)
    if not len(locations) == len(dimensions) == len(rotation_y):
        raise ValueError(
            f"locations, dimensions and rotation_y must describe the same boxes, got {len(locations)}, "
            f"{len(dimensions)} and {len(rotation_y)}"
        )
    centres = calibration.camera_to_lidar(locations)
    height, width, length = dimensions.T
    centres[:, 2] += height / 2
    yaw = _wrap_angle(-rotation_y - np.pi / 2)
    return np.column_stack([centres, length, width, height, yaw])


def lidar_boxes_to_camera(boxes, calibration: KittiCalibration) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The inverse of :func:`camera_boxes_to_lidar`: ``(locations [M, 3], dimensions [M, 3] (h, w, l), rotation_y
    [M])`` with ``rotation_y = -yaw - pi/2`` wrapped to [-pi, pi)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    if boxes.ndim != 2 or boxes.shape[1] != 7:
        raise ValueError(f"boxes must be [M, 7] (x, y, z, l, w, h, yaw), got shape {boxes.shape}")
    bottoms = boxes[:, :3].copy()
    bottoms[:, 2] -= boxes[:, 5] / 2
    locations = calibration.lidar_to_camera(bottoms)
    dimensions = boxes[:, [5, 4, 3]]
    return locations, dimensions, _wrap_angle(-boxes[:, 6] - np.pi / 2)


def _wrap_angle(angle: np.ndarray) -> np.ndarray:
    wrapped = np.mod(angle + np.pi, 2 * np.pi) - np.pi
    # np.mod can round a tiny negative up to exactly 2 pi, which would give pi, outside [-pi, pi).
    return np.where(wrapped >= np.pi, wrapped - 2 * np.pi, wrapped)


def _transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:3, :3].T + matrix[:3, 3]


def _points3(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 3:
        raise ValueError(f"{name} must be [N, 3], got shape {array.shape}")
    return array


def _floats(tokens: list[str], path: Path, number: int, expected: str) -> list[float]:
    values = []
    for token in tokens:
        try:
            value = float(token)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(f"{path}, line {number}: expected {expected} (finite), got {token!r}")
        values.append(value)
    return values


def _existing_file(path: str | Path, what: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{what} {path} does not exist")
    return path


__all__ = [
    "KITTI_CLASSES",
    "SEMANTICKITTI_CLASSES",
    "SEMANTICKITTI_IGNORE_INDEX",
    "SEMANTICKITTI_LEARNING_MAP",
    "KittiCalibration",
    "KittiObject",
    "camera_boxes_to_lidar",
    "filter_kitti_objects",
    "iter_semantickitti_sequence",
    "kitti_objects_to_arrays",
    "lidar_boxes_to_camera",
    "map_semantickitti_labels",
    "read_kitti_calibration",
    "read_kitti_labels",
    "read_semantickitti_frame",
    "read_semantickitti_labels",
    "read_semantickitti_scan",
    "semantickitti_sequence_files",
    "write_kitti_labels",
    "write_semantickitti_labels",
    "write_semantickitti_scan",
]
