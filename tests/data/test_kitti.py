"""KITTI readers on files written here in the released layouts, the SemanticKITTI label map, and the camera <-> LiDAR
box conversion against hand-computed boxes."""

import math
import struct

import numpy as np
import pytest

from hf_spiking.data.kitti import (
    SEMANTICKITTI_CLASSES,
    SEMANTICKITTI_IGNORE_INDEX,
    SEMANTICKITTI_LEARNING_MAP,
    KittiObject,
    camera_boxes_to_lidar,
    filter_kitti_objects,
    iter_semantickitti_sequence,
    kitti_objects_to_arrays,
    lidar_boxes_to_camera,
    map_semantickitti_labels,
    read_kitti_calibration,
    read_kitti_labels,
    read_semantickitti_labels,
    read_semantickitti_scan,
    write_kitti_labels,
    write_semantickitti_labels,
    write_semantickitti_scan,
)

# The usual Velodyne -> camera axes (camera x = -lidar y, y = -lidar z, z = lidar x) plus a translation.
AXES = [[0, -1, 0], [0, 0, -1], [1, 0, 0]]
TRANSLATION = [0.1, -0.2, 0.3]


def _calibration_text(tr_velo_to_cam, r0_rect=np.eye(3)) -> str:
    projection = " ".join(["7.0"] + ["0.0"] * 11)
    lines = [f"P{index}: {projection}" for index in range(4)]
    lines.append("R0_rect: " + " ".join(map(str, np.ravel(r0_rect))))
    lines.append("Tr_velo_to_cam: " + " ".join(map(str, np.ravel(tr_velo_to_cam))))
    lines.append("Tr_imu_to_velo: " + " ".join(["1.0", "0", "0", "0", "0", "1.0", "0", "0", "0", "0", "1.0", "0.5"]))
    return "\n".join(lines) + "\n\n"  # the released files end with an empty line


@pytest.fixture
def calibration(tmp_path):
    (tmp_path / "000000.txt").write_text(_calibration_text(np.column_stack([AXES, TRANSLATION])))
    return read_kitti_calibration(tmp_path / "000000.txt")


def test_scan_bytes_are_float32_xyzr_and_round_trip(tmp_path):
    (tmp_path / "000000.bin").write_bytes(struct.pack("<8f", 1.5, -2.0, 0.25, 0.3, 10.0, 0.0, -1.75, 0.0))
    scan = read_semantickitti_scan(tmp_path / "000000.bin")
    assert scan.dtype == np.float32 and scan.tolist() == [[1.5, -2.0, 0.25, np.float32(0.3)], [10.0, 0.0, -1.75, 0.0]]
    write_semantickitti_scan(tmp_path / "copy.bin", scan)
    assert (tmp_path / "copy.bin").read_bytes() == (tmp_path / "000000.bin").read_bytes()


def test_label_file_splits_semantic_and_instance_bits(tmp_path):
    # 10 = car with instance 3; 252 = moving car with instance 65535; 40 = road without instance.
    (tmp_path / "000000.label").write_bytes(struct.pack("<3I", (3 << 16) | 10, (65535 << 16) | 252, 40))
    semantic, instance = read_semantickitti_labels(tmp_path / "000000.label")
    assert semantic.dtype == instance.dtype == np.uint16
    assert semantic.tolist() == [10, 252, 40] and instance.tolist() == [3, 65535, 0]
    write_semantickitti_labels(tmp_path / "copy.label", semantic, instance)
    assert (tmp_path / "copy.label").read_bytes() == (tmp_path / "000000.label").read_bytes()


def test_learning_map_gives_train_ids_with_255_for_unlabeled():
    assert len(SEMANTICKITTI_CLASSES) == 19 and SEMANTICKITTI_IGNORE_INDEX == 255
    assert sorted(set(SEMANTICKITTI_LEARNING_MAP.values())) == list(range(20))
    # unlabeled, outlier, car, moving-car, bus (other-vehicle), lane-marking (road), other-structure, traffic-sign
    train = map_semantickitti_labels(np.array([0, 1, 10, 252, 13, 60, 52, 81], dtype=np.uint16))
    assert train.tolist() == [255, 255, 0, 0, 4, 8, 255, 18]
    assert [SEMANTICKITTI_CLASSES[i] for i in train[[2, 4, 5, 7]]] == ["car", "other-vehicle", "road", "traffic-sign"]


def test_unknown_raw_ids_raise_naming_them():
    with pytest.raises(ValueError, match=r"raw semantic ids \[7, 300\] are not in SemanticKITTI's learning_map"):
        map_semantickitti_labels(np.array([10, 300, 7, 7]))
    with pytest.raises(ValueError, match="must be integers"):
        map_semantickitti_labels(np.array([1.0]))


def _sequence(root, number: str, frames: dict, labels: bool):
    folder = root / "sequences" / number
    (folder / "velodyne").mkdir(parents=True)
    if labels:
        (folder / "labels").mkdir()
    for frame, (points, semantic) in frames.items():
        write_semantickitti_scan(folder / "velodyne" / f"{frame}.bin", points)
        if labels:
            write_semantickitti_labels(folder / "labels" / f"{frame}.label", semantic, np.arange(len(semantic)))


def test_sequence_iterator_reads_the_real_layout_in_frame_order(tmp_path):
    frames = {"000001": (np.ones((2, 4)), [40, 0]), "000000": (np.zeros((3, 4)), [10, 252, 81])}
    _sequence(tmp_path, "08", frames, labels=True)
    items = list(iter_semantickitti_sequence(tmp_path, 8))
    assert [item["frame_id"] for item in items] == ["000000", "000001"]
    assert items[0]["points"].shape == (3, 4) and items[0]["labels"].tolist() == [0, 0, 18]
    assert items[1]["labels"].tolist() == [8, 255] and items[1]["instances"].tolist() == [0, 1]
    raw = next(iter_semantickitti_sequence(tmp_path, "08", map_labels=False))
    assert raw["labels"].tolist() == [10, 252, 81]


def test_test_sequences_without_labels_yield_none(tmp_path):
    _sequence(tmp_path, "11", {"000000": (np.zeros((1, 4)), None)}, labels=False)
    (item,) = iter_semantickitti_sequence(tmp_path, "11")
    assert item["labels"] is None and item["instances"] is None and item["points"].shape == (1, 4)


def test_sequence_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match=r"sequences/00/velodyne is not a folder"):
        iter_semantickitti_sequence(tmp_path, 0)
    _sequence(tmp_path, "01", {"000000": (np.zeros((2, 4)), [10])}, labels=True)
    with pytest.raises(ValueError, match=r"1 labels for the 2 points"):
        next(iter_semantickitti_sequence(tmp_path, 1))
    _sequence(tmp_path, "02", {"000000": (np.zeros((1, 4)), [10])}, labels=True)
    write_semantickitti_scan(tmp_path / "sequences" / "02" / "velodyne" / "000001.bin", np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"no \.label file for frames \['000001'\]"):
        iter_semantickitti_sequence(tmp_path, 2)


def test_truncated_and_malformed_semantickitti_files(tmp_path):
    (tmp_path / "cut.bin").write_bytes(b"\x00" * 20)
    with pytest.raises(ValueError, match="cut.bin: 20 bytes is not a whole number of 16-byte points"):
        read_semantickitti_scan(tmp_path / "cut.bin")
    (tmp_path / "cut.label").write_bytes(b"\x00" * 6)
    with pytest.raises(ValueError, match="cut.label: 6 bytes is not a whole number of uint32 labels"):
        read_semantickitti_labels(tmp_path / "cut.label")
    with pytest.raises(ValueError, match="does not exist"):
        read_semantickitti_scan(tmp_path / "missing.bin")
    with pytest.raises(ValueError, match=r"points must be a numeric \[N, 4\] array .* \(3, 3\)"):
        write_semantickitti_scan(tmp_path / "bad.bin", np.zeros((3, 3)))
    with pytest.raises(ValueError, match="semantic ids must be in 0..65535 .* got 70000 at point 1"):
        write_semantickitti_labels(tmp_path / "bad.label", np.array([1, 70000]))


def test_calibration_lines_become_4x4_matrices(calibration):
    assert calibration.p2.shape == (4, 4) and calibration.p2[0, 0] == 7.0 and calibration.p2[3].tolist() == [0, 0, 0, 1]
    assert np.array_equal(calibration.tr_velo_to_cam[:3, :3], AXES)
    assert calibration.tr_velo_to_cam[:3, 3].tolist() == TRANSLATION and np.array_equal(calibration.r0_rect, np.eye(4))
    assert calibration.tr_imu_to_velo[2, 3] == 0.5
    assert np.allclose(calibration.lidar_to_camera([[10.0, 1.0, -2.0]]), [[-1 + 0.1, 2 - 0.2, 10 + 0.3]])


@pytest.mark.parametrize(
    "text, match",
    [
        ("P0: 1 2 3\n", r"line 1: expected 12 numbers after P0:, got 3"),
        ("P0: " + "0 " * 11 + "x\n", r"line 1: expected 12 numbers after P0: \(finite\), got 'x'"),
        ("\nno colon here\n", r"line 2: expected 'KEY: numbers'"),
        ("P0: " + "0 " * 12 + "\n", r"missing calibration lines \['P1', 'P2', 'P3', 'R0_rect', 'Tr_velo_to_cam'\]"),
    ],
)
def test_calibration_errors_name_file_line_and_expectation(tmp_path, text, match):
    (tmp_path / "calib.txt").write_text(text)
    with pytest.raises(ValueError, match="calib.txt" + r".*" + match):
        read_kitti_calibration(tmp_path / "calib.txt")


LABEL_LINES = (
    "Car 0.00 0 -1.58 587.01 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59\n"
    "DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10\n"
)


def test_label_file_fields_and_round_trip(tmp_path):
    (tmp_path / "000000.txt").write_text(LABEL_LINES)
    car, dont_care = read_kitti_labels(tmp_path / "000000.txt")
    assert car == KittiObject("Car", 0.0, 0, -1.58, (587.01, 173.33, 614.12, 200.12), (1.65, 1.67, 3.64),
                              (-0.65, 1.71, 46.70), -1.59)  # fmt: skip
    assert not car.is_dont_care and dont_care.is_dont_care and dont_care.occluded == -1
    scored = KittiObject("Pedestrian", 0.1, 2, 0.3, (1.0, 2.0, 3.0, 4.5), (1.8, 0.6, 0.9), (1 / 3, 1.5, 9.0), 3.0,
                         0.875)  # fmt: skip
    write_kitti_labels(tmp_path / "out.txt", [car, dont_care, scored])
    assert read_kitti_labels(tmp_path / "out.txt") == [car, dont_care, scored]
    assert len((tmp_path / "out.txt").read_text().splitlines()[2].split()) == 16
    assert filter_kitti_objects([car, dont_care, scored], ("Car", "Pedestrian")) == [car, scored]
    arrays = kitti_objects_to_arrays([car, scored])
    assert arrays["types"].tolist() == ["Car", "Pedestrian"] and arrays["dimensions"][0].tolist() == [1.65, 1.67, 3.64]
    assert math.isnan(arrays["scores"][0]) and arrays["scores"][1] == 0.875


def test_empty_label_file_has_no_objects(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    assert read_kitti_labels(tmp_path / "empty.txt") == []
    assert kitti_objects_to_arrays([])["locations"].shape == (0, 3)


@pytest.mark.parametrize(
    "line, match",
    [
        ("Car 0 0 0 1 2 3 4 1 1 1 0 0 0\n", r"line 2: expected 15 or 16 fields .* got 14"),
        ("Car 0 0 0 1 2 3 4 1 1 1 0 0 0 0 0.5 7\n", r"line 2: expected 15 or 16 fields .* got 17"),
        ("Car 0 0 0 1 2 3 4 1 1 one 0 0 0 0\n", r"line 2: expected numbers after the object type .* got 'one'"),
        ("Car 0 0.5 0 1 2 3 4 1 1 1 0 0 0 0\n", r"line 2: expected an integer occlusion state, got '0.5'"),
    ],
)
def test_label_errors_name_file_line_and_expectation(tmp_path, line, match):
    (tmp_path / "label.txt").write_text(LABEL_LINES.splitlines()[0] + "\n" + line)
    with pytest.raises(ValueError, match=r"label.txt.*" + match):
        read_kitti_labels(tmp_path / "label.txt")


def test_label_writer_and_filter_refuse_bad_input(tmp_path):
    with pytest.raises(ValueError, match="KittiObject instances, got dict at position 0"):
        write_kitti_labels(tmp_path / "x.txt", [{"type": "Car"}])
    bad = KittiObject("Car", 0.0, 0, 0.0, (0, 0, 1, 1), (1, 1, 1), (0, 0, 0), math.nan)
    with pytest.raises(ValueError, match=r"object 0 \(Car\) has a non-finite number"):
        write_kitti_labels(tmp_path / "x.txt", [bad])
    with pytest.raises(ValueError, match="collection of type names, got the string 'Car'"):
        filter_kitti_objects([], "Car")


def test_camera_box_to_lidar_by_hand(calibration):
    # Bottom centre (1, 2, 10) in the camera: minus the translation (0.9, 2.2, 9.7), then lidar (x, y, z) =
    # (cam z, -cam x, -cam y) = (9.7, -0.9, -2.2); the centre is h / 2 = 0.75 higher. KITTI's heading is
    # (cos ry, 0, -sin ry) in the camera: ry = 0 points along camera +x = lidar -y (yaw -pi/2), ry = -pi/2 along
    # camera +z = lidar +x (yaw 0).
    boxes = camera_boxes_to_lidar([[1, 2, 10], [0, 0, 0]], [[1.5, 1.6, 3.9], [2, 1, 4]], [0, -np.pi / 2], calibration)
    assert np.allclose(boxes[0], [9.7, -0.9, -2.2 + 0.75, 3.9, 1.6, 1.5, -np.pi / 2])
    assert np.allclose(boxes[1], [-0.3, 0.1, -0.2 + 1.0, 4, 1, 2, 0.0])


def test_yaw_is_wrapped_to_minus_pi_pi(calibration):
    yaw = camera_boxes_to_lidar(np.zeros((3, 3)), np.ones((3, 3)), [np.pi / 2, -np.pi, 3.0], calibration)[:, 6]
    # -pi/2 - pi/2 = -pi (kept); pi - pi/2 = pi/2; -3 - pi/2 wraps to 2 pi - 3 - pi/2.
    assert np.allclose(yaw, [-np.pi, np.pi / 2, 2 * np.pi - 3 - np.pi / 2])
    assert (yaw >= -np.pi).all() and (yaw < np.pi).all()


def test_camera_lidar_camera_round_trip_with_a_general_calibration(tmp_path):
    rng = np.random.default_rng(0)
    angle = 0.01
    r0_rect = [[math.cos(angle), -math.sin(angle), 0], [math.sin(angle), math.cos(angle), 0], [0, 0, 1]]
    (tmp_path / "calib.txt").write_text(_calibration_text(np.column_stack([AXES, TRANSLATION]), r0_rect))
    calibration = read_kitti_calibration(tmp_path / "calib.txt")
    locations, dimensions = rng.uniform(-20, 40, (50, 3)), rng.uniform(0.5, 5, (50, 3))
    rotation_y = rng.uniform(-np.pi, np.pi, 50)
    boxes = camera_boxes_to_lidar(locations, dimensions, rotation_y, calibration)
    back = lidar_boxes_to_camera(boxes, calibration)
    for original, recovered in zip((locations, dimensions, rotation_y), back):
        assert np.allclose(original, recovered, atol=1e-6, rtol=0)


def test_conversion_refuses_mismatched_shapes(calibration):
    with pytest.raises(ValueError, match=r"locations must be \[N, 3\], got shape \(2, 2\)"):
        camera_boxes_to_lidar(np.zeros((2, 2)), np.zeros((2, 3)), [0, 0], calibration)
    with pytest.raises(ValueError, match="same boxes, got 2, 2 and 1"):
        camera_boxes_to_lidar(np.zeros((2, 3)), np.zeros((2, 3)), [0], calibration)
    with pytest.raises(ValueError, match=r"boxes must be \[M, 7\] \(x, y, z, l, w, h, yaw\), got shape \(3, 5\)"):
        lidar_boxes_to_camera(np.zeros((3, 5)), calibration)
