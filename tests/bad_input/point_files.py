"""Point-cloud files, good and bad, written by hand in every format the SVL readers take (no trimesh needed)."""

from pathlib import Path

import numpy as np

GOOD_POINTS = 600


def _ascii_ply(vertices: np.ndarray, faces=(), header_count: int | None = None) -> str:
    count = len(vertices) if header_count is None else header_count
    header = ["ply", "format ascii 1.0", f"element vertex {count}", "property float x", "property float y",
              "property float z"]
    if len(faces):
        header += [f"element face {len(faces)}", "property list uchar int vertex_indices"]
    rows = [" ".join(map(str, v)) for v in vertices] + [f"3 {a} {b} {c}" for a, b, c in faces]
    return "\n".join(header + ["end_header"] + rows) + "\n"


def _binary_ply(vertices: np.ndarray) -> bytes:
    header = (
        f"ply\nformat binary_little_endian 1.0\nelement vertex {len(vertices)}\nproperty float x\nproperty float y\n"
        "property float z\nend_header\n"
    )
    return header.encode("ascii") + vertices.astype("<f4").tobytes()


def _obj(vertices, faces=()) -> str:
    return "".join(f"v {x} {y} {z}\n" for x, y, z in vertices) + "".join(f"f {a} {b} {c}\n" for a, b, c in faces)


def _off(vertices, faces) -> str:
    rows = [" ".join(map(str, v)) for v in vertices] + [f"3 {a} {b} {c}" for a, b, c in faces]
    return "\n".join(["OFF", f"{len(vertices)} {len(faces)} 0"] + rows) + "\n"


# A unit box: 8 corners, 12 triangles (0-based).
BOX_VERTICES = np.array([[x, y, z] for x in (0.0, 2.0) for y in (0.0, 1.0) for z in (0.0, 0.5)])
BOX_FACES = [(0, 1, 3), (0, 3, 2), (4, 6, 7), (4, 7, 5), (0, 4, 5), (0, 5, 1), (2, 3, 7), (2, 7, 6), (0, 2, 6),
             (0, 6, 4), (1, 5, 7), (1, 7, 3)]


def make_point_files(folder: Path) -> dict[str, str]:
    """Writes every file into ``folder``; returns ``{key: path}`` (``missing`` is a path that is not there)."""
    rng = np.random.default_rng(0)
    good = rng.normal(size=(GOOD_POINTS, 3)) * [1.0, 2.0, 0.5]
    fifty = rng.random((50, 3))
    nan_rows = rng.random((200, 3))
    nan_rows[7, 1] = np.nan
    colours = np.hstack([rng.random((200, 3)), rng.random((200, 3)) * 300])
    truncated_ply = _ascii_ply(fifty)
    good_npy_bytes_path = folder / "good_for_truncation.npy"
    np.save(good_npy_bytes_path, good)
    npy_bytes = good_npy_bytes_path.read_bytes()
    binary_ply = _binary_ply(fifty)

    texts = {
        "pts": ("cloud.pts", "1 2 3\n4 5 6\n"),
        "one_row_xyz": ("one_row.xyz", "1 2 3\n"),
        "empty_xyz": ("empty.xyz", ""),
        "blank_xyz": ("blank.xyz", "\n   \n\n"),
        "inf_xyz": ("inf.xyz", "\n".join(" ".join(map(str, r)) for r in fifty) + "\ninf 0 0\n"),
        "four_columns_xyz": ("four_columns.xyz", "\n".join("1 2 3 4" for _ in range(30)) + "\n"),
        "one_column_xyz": ("one_column.xyz", "\n".join(str(v) for v in range(30)) + "\n"),
        "ragged_xyz": ("ragged.xyz", "1 2 3\n4 5\n"),
        "header_xyz": ("header.xyz", "x y z\n1 2 3\n4 5 6\n"),
        "ragged_comma_txt": ("ragged_comma.txt", "1,2,3\n4,5\n"),
        "good_xyz": ("good.xyz", "\n".join(" ".join(repr(float(v)) for v in r) for r in good) + "\n"),
        "good_comma_txt": ("good_comma.txt", "\n".join(",".join(repr(float(v)) for v in r) for r in good) + "\n"),
        "truncated_ply": ("truncated.ply", truncated_ply[: len(truncated_ply) // 2]),
        "header_only_ply": ("header_only.ply", truncated_ply.split("end_header")[0]),
        "empty_ply": ("empty.ply", ""),
        "nan_ply": ("nan.ply", _ascii_ply(np.vstack([fifty[:10], [[np.nan, 0, 0]], fifty[10:]]))),
        "identical_ply": ("identical.ply", _ascii_ply(np.ones((50, 3)))),
        "bad_count_ply": ("bad_count.ply", _ascii_ply(fifty).replace("element vertex 50", "element vertex fifty")),
        "declares_a_billion_ply": ("billion.ply", _ascii_ply(fifty, header_count=10**9)),
        "good_ascii_ply": ("good_ascii.ply", _ascii_ply(good)),
        "good_mesh_ply": ("good_mesh.ply", _ascii_ply(BOX_VERTICES, BOX_FACES)),
        "zero_area_obj": ("zero_area.obj", _obj([(0, 0, 0), (1, 0, 0), (2, 0, 0)], [(1, 2, 3)])),
        "identical_vertices_obj": ("identical_vertices.obj", _obj([(1, 1, 1)] * 3, [(1, 2, 3)])),
        "bad_index_obj": ("bad_index.obj", _obj([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [(1, 2, 9)])),
        "empty_obj": ("empty.obj", ""),
        "nan_obj": ("nan.obj", _obj([(0, 0, "nan"), (1, 0, 0), (0, 1, 0)], [(1, 2, 3)])),
        "single_vertex_obj": ("single_vertex.obj", _obj([(1, 2, 3)])),
        "good_obj": ("good.obj", _obj(BOX_VERTICES, [(a + 1, b + 1, c + 1) for a, b, c in BOX_FACES])),
        "truncated_off": ("truncated.off", "OFF\n4 2 0\n0 0 0\n1 0 0\n"),
        "zero_area_off": ("zero_area.off", _off([(0, 0, 0), (1, 1, 1), (2, 2, 2)], [(0, 1, 2)])),
        "empty_off": ("empty.off", ""),
        "good_off": ("good.off", _off(BOX_VERTICES, BOX_FACES)),
    }
    binaries = {
        "garbage_xyz": ("garbage.xyz", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
        "garbage_ply": ("garbage.ply", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
        "truncated_binary_ply": ("truncated_binary.ply", binary_ply[: len(binary_ply) - 100]),
        "good_binary_ply": ("good_binary.ply", _binary_ply(good)),
        "garbage_obj": ("garbage.obj", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
        "garbage_off": ("garbage.off", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
        "garbage_npy": ("garbage.npy", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
        "truncated_npy": ("truncated.npy", npy_bytes[: len(npy_bytes) // 2]),
        "empty_npy": ("empty.npy", b""),
        "garbage_npz": ("garbage.npz", bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
    }
    arrays = {
        "good_npy": good,
        "nan_npy": nan_rows,
        "identical_npy": np.ones((100, 3)),
        "five_distinct_npy": np.repeat(rng.random((5, 3)), 20, axis=0),
        "bad_colours_npy": colours,
        "string_npy": np.array([["a", "b", "c"]] * 20),
        "three_d_npy": rng.random((2, 50, 3)),
        "empty_array_npy": np.zeros((0, 3)),
        "structured_npy": np.zeros(20, dtype=[("x", "f4"), ("y", "f4"), ("z", "f4")]),
        "bool_npy": rng.random((50, 3)) > 0.5,
        "complex_npy": rng.random((50, 3)) + 1j,
    }
    paths = {"missing": str(folder / "missing.npy"), "directory": str(folder / "cloud_dir.npy")}
    (folder / "cloud_dir.npy").mkdir()
    for key, (name, text) in texts.items():
        (folder / name).write_text(text)
        paths[key] = str(folder / name)
    for key, (name, payload) in binaries.items():
        (folder / name).write_bytes(payload)
        paths[key] = str(folder / name)
    for key, array in arrays.items():
        np.save(folder / f"{key[:-4]}.npy", array)
        paths[key] = str(folder / f"{key[:-4]}.npy")
    np.save(folder / "pickled.npy", np.array([{"xyz": good}], dtype=object), allow_pickle=True)
    paths["pickled_npy"] = str(folder / "pickled.npy")
    npz = {
        "empty_npz": {},
        "object_npz": {"points": np.array([good], dtype=object)},
        "two_unknown_keys_npz": {"first": good, "second": good},
        "colour_mismatch_npz": {"points": good, "colors": rng.random((10, 3))},
        "good_npz": {"xyz": good, "rgb": rng.integers(0, 256, size=(GOOD_POINTS, 3))},
    }
    for key, content in npz.items():
        np.savez(folder / f"{key[:-4]}.npz", **content)
        paths[key] = str(folder / f"{key[:-4]}.npz")
    good_npy_bytes_path.unlink()
    return paths
