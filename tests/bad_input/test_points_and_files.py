"""Bad-input corpus, points and files: clouds, point files and the readers of the SVL family.

Refused cases assert a ValueError whose message names the cloud or file, what is wrong with it (the value) and the
expected form; accepted cases assert numbers (the same normalised cloud as a reference input). Covers the feature
extractor (arrays, tensors, every file format, its settings), the ModelNet readers and ``finish_cloud``, E-3DSNN's
voxel keys and the model's dtype handling. Degenerate clouds (one point, identical points, a one-row file, a
zero-area mesh, a truncated file) are refused before any padding by repetition could hide them.
"""

import numpy as np
import pytest
import torch

import hf_spiking
from hf_spiking.data.modelnet import load_modelnet40_npy, load_modelnet40_off, read_off, read_point_array
from hf_spiking.data.point_clouds import finish_cloud
from hf_spiking.models.spiking_point_encoder import SpikingPointFeatureExtractor
from hf_spiking.models.spiking_point_encoder.e3dsnn import voxelize_points
from hf_spiking.models.spiking_point_encoder.feature_extraction_spiking_point_encoder import MAX_NUM_POINTS

from .point_files import make_point_files

MESH_SUFFIXES = (".ply", ".obj", ".off")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_point_files(tmp_path_factory.mktemp("point_files"))


@pytest.fixture(scope="module")
def extractor():
    return SpikingPointFeatureExtractor(num_points=64)


def _match_all(error_info, patterns):
    for pattern in patterns:
        assert error_info.match(pattern), (pattern, str(error_info.value))


# ---- files: (case id, file key, patterns: the file, what is wrong, the expected form) --------------------------------
FILE_REFUSED = [
    ("xyz-one-row", "one_row_xyz", [r"one_row\.xyz", r"1 distinct xyz point, i\.e\. zero extent", r"at least 16"]),
    ("xyz-empty-file", "empty_xyz", [r"empty\.xyz", r"empty \(0 bytes\)", r"expected rows of 3 \(xyz\) or 6"]),
    ("xyz-blank-lines", "blank_xyz", [r"blank\.xyz", r"no rows of numbers", r"expected rows of 3"]),
    ("xyz-inf-row", "inf_xyz", [r"inf\.xyz", r"NaN or infinite values \(1 of 51 rows.*row 50: \[inf", r"finite"]),
    ("xyz-four-columns", "four_columns_xyz", [r"four_columns\.xyz", r"shape \(30, 4\)", r"expected \(N, 3\) xyz"]),
    ("xyz-one-column", "one_column_xyz", [r"one_column\.xyz", r"shape \(30, 1\)", r"expected \(N, 3\) xyz"]),
    ("xyz-ragged-rows", "ragged_xyz", [r"ragged\.xyz", r"columns changed from 3 to 2 at row 2", r"expected rows"]),
    ("xyz-text-header", "header_xyz", [r"header\.xyz", r"could not convert string 'x'", r"expected rows of 3"]),
    ("xyz-garbage-bytes", "garbage_xyz", [r"garbage\.xyz", r"can't decode byte", r"expected rows of 3"]),
    ("txt-ragged-commas", "ragged_comma_txt", [r"ragged_comma\.txt", r"columns changed from 3 to 2", r"commas"]),
    ("ply-truncated-ascii", "truncated_ply",
     [r"truncated\.ply", r"truncated: its header declares element vertex 50 \(50 data lines\) but 25 follow",
      r"expected a PLY point cloud or mesh"]),
    ("ply-header-only", "header_only_ply", [r"header_only\.ply", r"no 'end_header' line", r"expected a PLY"]),
    ("ply-garbage-bytes", "garbage_ply", [r"garbage\.ply", r"not a PLY file \(it must start with 'ply'\)"]),
    ("ply-empty-file", "empty_ply", [r"empty\.ply", r"empty \(0 bytes\)", r"expected a PLY"]),
    ("ply-truncated-binary", "truncated_binary_ply", [r"truncated_binary\.ply", r"unexpected length", r"binary"]),
    ("ply-nan-vertex", "nan_ply", [r"nan\.ply", r"NaN or infinite values \(1 of 51 rows.*row 10: \[nan"]),
    ("ply-identical-vertices", "identical_ply", [r"identical\.ply", r"1 distinct xyz point, i\.e\. zero extent"]),
    ("ply-count-not-a-number", "bad_count_ply", [r"bad_count\.ply", r"'element vertex fifty' does not give a count"]),
    ("ply-declares-a-billion-vertices", "declares_a_billion_ply",
     [r"billion\.ply", r"declares element vertex 1000000000 .* but 50 follow"]),
    ("obj-zero-area", "zero_area_obj", [r"zero_area\.obj", r"zero surface area", r"expected a Wavefront OBJ"]),
    ("obj-identical-vertices", "identical_vertices_obj", [r"identical_vertices\.obj", r"zero surface area"]),
    ("obj-face-index-out-of-range", "bad_index_obj", [r"bad_index\.obj", r"index 8 is out of bounds", r"OBJ"]),
    ("obj-garbage-bytes", "garbage_obj", [r"garbage\.obj", r"holds no geometry", r"expected a Wavefront OBJ"]),
    ("obj-empty-file", "empty_obj", [r"empty\.obj", r"empty \(0 bytes\)", r"expected a Wavefront OBJ"]),
    ("obj-nan-vertex", "nan_obj", [r"nan\.obj", r"NaN or infinite vertex coordinates", r"OBJ"]),
    ("obj-single-vertex", "single_vertex_obj", [r"single_vertex\.obj", r"1 distinct xyz point", r"at least 16"]),
    ("off-garbage-bytes", "garbage_off", [r"garbage\.off", r"expected an OFF mesh \('OFF', the vertex, face"]),
    ("off-truncated", "truncated_off", [r"truncated\.off", r"cannot reshape", r"expected an OFF mesh"]),
    ("off-zero-area", "zero_area_off", [r"zero_area\.off", r"zero surface area", r"expected an OFF mesh"]),
    ("off-empty-file", "empty_off", [r"empty\.off", r"empty \(0 bytes\)", r"expected an OFF mesh"]),
    ("npy-garbage-bytes", "garbage_npy", [r"garbage\.npy", r"not a \.npy file", r"expected a numeric array"]),
    ("npy-pickled-objects", "pickled_npy", [r"pickled\.npy", r"pickled Python objects, which are never loaded"]),
    ("npy-truncated", "truncated_npy", [r"truncated\.npy", r"could only read", r"expected a numeric array"]),
    ("npy-empty-file", "empty_npy", [r"empty\.npy", r"empty \(0 bytes\)", r"saved with numpy\.save"]),
    ("npy-strings", "string_npy", [r"string\.npy", r"got <U1", r"real numbers \(an integer or float dtype\)"]),
    ("npy-booleans", "bool_npy", [r"bool\.npy", r"got bool", r"real numbers"]),
    ("npy-complex", "complex_npy", [r"complex\.npy", r"got complex128", r"real numbers"]),
    ("npy-three-dimensional", "three_d_npy", [r"three_d\.npy", r"shape \(2, 50, 3\)", r"expected \(N, 3\)"]),
    ("npy-zero-points", "empty_array_npy", [r"empty_array\.npy", r"is empty \(0 points\)"]),
    ("npy-structured-fields", "structured_npy", [r"structured\.npy", r"shape \(20,\)", r"expected \(N, 3\)"]),
    ("npy-nan-row", "nan_npy", [r"nan\.npy", r"1 of 200 rows, the first at row 7", r"expected finite"]),
    ("npy-identical-points", "identical_npy", [r"identical\.npy", r"1 distinct xyz point, i\.e\. zero extent"]),
    ("npy-five-distinct-points", "five_distinct_npy", [r"five_distinct\.npy", r"5 distinct xyz points", r"16"]),
    ("npy-colours-beyond-255", "bad_colours_npy", [r"bad_colours\.npy", r"colour values in \[", r"\[0, 255\]"]),
    ("npz-garbage-bytes", "garbage_npz", [r"garbage\.npz", r"not a \.npz \(zip\) archive", r"under one of the keys"]),
    ("npz-no-arrays", "empty_npz", [r"empty\.npz", r"no point array found among the keys \[\]", r"'points'"]),
    ("npz-pickled-objects", "object_npz", [r"object\.npz", r"pickled Python objects, which are never loaded"]),
    ("npz-unknown-keys", "two_unknown_keys_npz", [r"two_unknown_keys\.npz", r"\['first', 'second'\]", r"'xyz'"]),
    ("npz-colour-count-mismatch", "colour_mismatch_npz",
     [r"colour_mismatch\.npz", r"colours 'colors' have shape \(10, 3\); expected \(600, 3\)"]),
    ("unsupported-suffix", "pts", [r"cloud\.pts", r"Unsupported point-cloud file", r"expected one of \.npy"]),
    ("missing-file", "missing", [r"missing\.npy", r"does not exist"]),
    ("directory-not-file", "directory", [r"cloud_dir\.npy", r"is a directory, not a file"]),
]


@pytest.mark.parametrize("key, patterns", [case[1:] for case in FILE_REFUSED], ids=[case[0] for case in FILE_REFUSED])
def test_bad_point_file_is_refused_naming_the_file(files, extractor, key, patterns):
    if files[key].endswith(MESH_SUFFIXES):
        pytest.importorskip("trimesh")
    with pytest.raises(ValueError) as error:
        extractor(files[key])
    _match_all(error, patterns)


def _reference_xyz(files, extractor):
    return extractor(np.load(files["good_npy"]))["point_values"][0, :, :3]


@pytest.mark.parametrize("key", ["good_xyz", "good_comma_txt", "good_ascii_ply", "good_binary_ply", "good_npz"])
def test_good_point_file_gives_the_cloud_of_its_array(files, extractor, key):
    if files[key].endswith(MESH_SUFFIXES):
        pytest.importorskip("trimesh")
    values = extractor(files[key])["point_values"][0]
    # .ply and binary files store float32: the same cloud up to float32 rounding
    torch.testing.assert_close(values[:, :3], _reference_xyz(files, extractor), atol=1e-5, rtol=0)


@pytest.mark.parametrize("key", ["good_obj", "good_off", "good_mesh_ply"])
def test_good_mesh_file_is_surface_sampled_into_the_unit_sphere(files, extractor, key):
    pytest.importorskip("trimesh")
    values = extractor(files[key])["point_values"][0]
    assert values.shape == (64, 6) and torch.all(values[:, 3:] == 0.4)
    assert values[:, :3].norm(dim=-1).max() == pytest.approx(1.0, abs=1e-6)
    assert values[:, :3].mean(0).abs().max() < 1e-6  # centred on the mean
    # the 2 x 1 x 0.5 box keeps its proportions: x spans twice y
    spans = values[:, :3].amax(0) - values[:, :3].amin(0)
    assert spans[0] / spans[1] == pytest.approx(2.0, rel=0.1)


# ---- arrays and tensors: (case id, cloud, patterns) -----------------------------------------------------------------
_RNG = np.random.default_rng(1)
_CLOUD = _RNG.normal(size=(300, 3))

ARRAY_REFUSED = [
    ("one-point", np.array([[1.0, 2.0, 3.0]]), [r"point cloud has 1 distinct xyz point, i\.e\. zero extent", r"16"]),
    ("identical-points", np.full((500, 3), 7.0), [r"1 distinct xyz point, i\.e\. zero extent"]),
    ("two-distinct-points", np.repeat([[0.0, 0, 0], [1, 1, 1]], 50, axis=0), [r"has 2 distinct xyz points", r"16"]),
    ("fifteen-distinct-points", np.repeat(_CLOUD[:15], 4, axis=0), [r"has 15 distinct xyz points", r"at least 16"]),
    ("plus-and-minus-zero-are-one-point", np.array([[0.0, 0, 0], [-0.0, -0.0, -0.0]] * 20),
     [r"1 distinct xyz point"]),
    ("zero-points", np.zeros((0, 3)), [r"point cloud is empty \(0 points\)"]),
    ("nan-coordinate", np.vstack([_CLOUD, [[np.nan, 0, 0]]]), [r"NaN or infinite values \(1 of 301 rows.*row 300"]),
    ("inf-coordinate", np.vstack([[[0, np.inf, 0]], _CLOUD]), [r"NaN or infinite.*row 0: \[0\.0, inf, 0\.0\]"]),
    ("minus-inf-coordinate", np.vstack([_CLOUD, [[0, 0, -np.inf]]]), [r"NaN or infinite"]),
    ("nan-colour", np.hstack([_CLOUD, np.full((300, 3), np.nan)]), [r"NaN or infinite values \(300 of 300 rows"]),
    ("negative-colour", np.hstack([_CLOUD, -_RNG.random((300, 3))]),
     [r"colour values in \[-", r"\[0, 1\] or \[0, 255\]"]),
    ("colour-beyond-255", np.hstack([_CLOUD, np.full((300, 3), 1000.0)]), [r"colour values in \[1000, 1000\]"]),
    ("four-channels", np.zeros((50, 4)), [r"shape \(50, 4\); expected \(N, 3\) xyz or \(N, 6\) xyz \+ rgb"]),
    ("two-channels", np.zeros((50, 2)), [r"shape \(50, 2\)"]),
    ("seven-channels", np.zeros((50, 7)), [r"shape \(50, 7\)"]),
    ("one-dimensional", np.zeros(12), [r"shape \(12,\)"]),
    ("batch-array", np.zeros((2, 50, 3)), [r"shape \(2, 50, 3\)"]),
    ("scalar", np.float64(3.0), [r"must be a numpy array or tensor of shape \(N, 3\) or \(N, 6\).*float64"]),
    ("boolean-array", _CLOUD > 0, [r"real numbers \(an integer or float dtype\), got bool"]),
    ("complex-array", _CLOUD + 0j, [r"got complex128"]),
    ("object-array", np.array([[1, "a", None]] * 20, dtype=object), [r"got object"]),
    ("string-array", np.array([["1", "2", "3"]] * 20), [r"got <U1"]),
    ("nested-list", [[0.0, 1.0, 2.0]] * 20, [r"`point_clouds`\[0\]: A point cloud must be a numpy array.*list"]),
    ("dict", {"xyz": _CLOUD}, [r"must be a numpy array or tensor.*got dict"]),
    ("none", None, [r"must be a numpy array or tensor.*got NoneType"]),
    ("empty-batch", [], [r"empty list of point clouds"]),
    ("bad-cloud-in-batch", [_CLOUD, np.ones((40, 3))], [r"`point_clouds`\[1\]: The point cloud has 1 distinct"]),
    ("nan-tensor", torch.full((50, 3), float("nan")), [r"NaN or infinite"]),
    ("bf16-tensor-with-inf", torch.tensor(np.vstack([_CLOUD, [[np.inf, 0, 0]]])).bfloat16(), [r"NaN or infinite"]),
    ("bool-tensor", torch.ones(50, 3, dtype=torch.bool), [r"got bool"]),
    ("complex-tensor", torch.ones(50, 3, dtype=torch.complex64), [r"got complex64"]),
    ("empty-batch-tensor", torch.zeros(0, 50, 3), [r"shape \(0, 50, 3\)"]),
]


@pytest.mark.parametrize("cloud, patterns", [case[1:] for case in ARRAY_REFUSED],
                         ids=[case[0] for case in ARRAY_REFUSED])
def test_bad_cloud_is_refused(extractor, cloud, patterns):
    with pytest.raises(ValueError) as error:
        extractor(cloud)
    _match_all(error, patterns)


def test_beyond_float32_without_normalisation_is_refused():
    with pytest.raises(ValueError) as error:
        SpikingPointFeatureExtractor(num_points=64, normalize=False)(_CLOUD * 1e300)
    _match_all(error, [r"coordinates up to \d\.\d+e\+300", r"beyond float32", r"`normalize=True`"])


def test_keeping_every_point_of_a_cloud_beyond_the_limit_is_refused():
    with pytest.raises(ValueError) as error:
        SpikingPointFeatureExtractor(num_points=None)(np.zeros((MAX_NUM_POINTS + 1, 3)))
    _match_all(error, [r"65,537 points", r"`num_points=None`", r"at most 65,536 .*set `num_points`"])


def _unit_reference(cloud, **settings):
    return SpikingPointFeatureExtractor(num_points=64, **settings)(cloud)["point_values"]


# (case id, transform of the reference cloud that must give the same normalised cloud, tolerance)
SCALE_FREE = [
    ("magnitude-1e19", lambda c: c * 1e19, 1e-6),  # overflowed float32 in the radius before
    ("magnitude-1e300", lambda c: c * 1e300, 1e-6),
    ("magnitude-1.7e307-whose-sum-overflows", lambda c: c * 1.7e307, 1e-6),
    ("magnitude-1e-30", lambda c: c * 1e-30, 1e-6),  # was never rescaled before
    ("subnormal-1e-310", lambda c: c * 1e-310, 1e-5),
    ("far-origin-1e6-with-millimetre-detail", lambda c: c * 1e-3 + 1e6, 1e-6),
    ("float32-magnitude-1e30", lambda c: (c * 1e30).astype(np.float32), 1e-6),
    ("float64-tensor", lambda c: torch.from_numpy(c), 1e-6),
    ("float32-tensor-with-grad", lambda c: torch.tensor(c, dtype=torch.float32, requires_grad=True), 1e-6),
]


@pytest.mark.parametrize("transform, tolerance", [case[1:] for case in SCALE_FREE],
                         ids=[case[0] for case in SCALE_FREE])
def test_any_finite_magnitude_and_dtype_gives_the_unit_scale_cloud(transform, tolerance):
    expected = _unit_reference(_CLOUD)
    values = SpikingPointFeatureExtractor(num_points=64)(transform(_CLOUD))["point_values"]
    assert values.dtype == torch.float32 and torch.isfinite(values).all()
    torch.testing.assert_close(values, expected, atol=tolerance, rtol=0)
    assert values[0, :, :3].norm(dim=-1).max() == pytest.approx(1.0, abs=1e-6)


LOW_PRECISION = [
    ("float16-array", lambda c: c.astype(np.float16)),
    ("float16-tensor", lambda c: torch.from_numpy(c).half()),
    ("bfloat16-tensor", lambda c: torch.from_numpy(c).bfloat16()),  # numpy has no bfloat16: read through float64
]


@pytest.mark.parametrize("transform", [case[1] for case in LOW_PRECISION], ids=[case[0] for case in LOW_PRECISION])
def test_low_precision_input_gives_the_cloud_of_its_values(transform):
    rounded = transform(_CLOUD)
    exact_values = torch.as_tensor(rounded).double().numpy()
    torch.testing.assert_close(_unit_reference(rounded), _unit_reference(exact_values))


INTEGER_CLOUDS = [
    ("uint8-coordinates", np.uint8),
    ("int16-coordinates", np.int16),
    ("int64-coordinates", np.int64),
]


@pytest.mark.parametrize("dtype", [case[1] for case in INTEGER_CLOUDS], ids=[case[0] for case in INTEGER_CLOUDS])
def test_integer_coordinates_are_read_as_their_values(dtype):
    cloud = np.random.default_rng(2).integers(0, 100, size=(300, 3))
    expected = _unit_reference(cloud.astype(np.float64))
    torch.testing.assert_close(_unit_reference(cloud.astype(dtype)), expected)


def test_colours_in_0_255_and_in_0_1_give_the_same_values():
    rgb = np.random.default_rng(3).integers(0, 256, size=(300, 3))
    as_bytes = _unit_reference(np.hstack([_CLOUD, rgb]))
    as_unit = _unit_reference(np.hstack([_CLOUD, rgb / 255.0]))
    torch.testing.assert_close(as_bytes, as_unit)
    assert 0.0 <= as_bytes[..., 3:].min() and as_bytes[..., 3:].max() <= 1.0


def test_exactly_the_required_distinct_points_are_accepted_and_padded():
    cloud = np.repeat(_CLOUD[:16], 3, axis=0)
    values = SpikingPointFeatureExtractor(num_points=64)(cloud)["point_values"][0, :, :3]
    assert len(torch.unique(values, dim=0)) == 16


def test_without_normalisation_large_float32_coordinates_are_kept():
    values = SpikingPointFeatureExtractor(num_points=None, normalize=False, use_color=False)(_CLOUD * 1e30)
    np.testing.assert_allclose(values["point_values"][0].numpy(), (_CLOUD * 1e30).astype(np.float32), rtol=1e-7)


# ---- feature-extractor settings: (case id, keyword arguments, patterns) ---------------------------------------------
SETTINGS_REFUSED = [
    ("num-points-zero", {"num_points": 0}, [r"`num_points` must be an integer from 1 to 65,536", r"got 0"]),
    ("num-points-negative", {"num_points": -5}, [r"`num_points`", r"got -5"]),
    ("num-points-1e8-float", {"num_points": 1e8}, [r"`num_points`", r"got 100000000\.0"]),
    ("num-points-1e8-int", {"num_points": 10**8}, [r"`num_points` must be an integer from 1 to 65,536", r"100000000"]),
    ("num-points-bool", {"num_points": True}, [r"`num_points`", r"got True"]),
    ("num-points-string", {"num_points": "512"}, [r"`num_points`", r"got '512'"]),
    ("sampling-magic", {"sampling": "magic"}, [r"`sampling` must be 'fps' or 'random', got 'magic'"]),
    ("fps-backend-unknown", {"fps_backend": "cuda"}, [r"`fps_backend` must be 'torch' or 'fpsample', got 'cuda'"]),
    ("normalize-string", {"normalize": "yes"}, [r"`normalize` must be True or False, got 'yes'"]),
    ("use-color-int", {"use_color": 1}, [r"`use_color` must be True or False, got 1"]),
    ("default-color-above-1", {"default_color": 2.0}, [r"`default_color` must be a grey level in \[0, 1\], got 2\.0"]),
    ("default-color-nan", {"default_color": float("nan")}, [r"`default_color`.*got nan"]),
    ("seed-negative", {"seed": -1}, [r"`seed` must be a non-negative integer, got -1"]),
    ("min-distinct-points-zero", {"min_distinct_points": 0}, [r"`min_distinct_points` must be an integer", r"got 0"]),
]


@pytest.mark.parametrize("kwargs, patterns", [case[1:] for case in SETTINGS_REFUSED],
                         ids=[case[0] for case in SETTINGS_REFUSED])
def test_bad_feature_extractor_setting_is_refused(kwargs, patterns):
    with pytest.raises(ValueError) as error:
        SpikingPointFeatureExtractor(**kwargs)
    _match_all(error, patterns)


# ---- the ModelNet readers and finish_cloud ---------------------------------------------------------------------------
OFF_REFUSED = [
    ("off-not-an-off-file", "PLY\n3 1 0\n", [r"not an OFF file", r"'OFF'"]),
    ("off-negative-counts", "OFF\n-4 1 0\n", [r"OFF counts must be non-negative, got -4 vertices"]),
    ("off-vertex-not-a-number", "OFF\n3 1 0\n0 0 0\n1 0 x\n0 1 0\n3 0 1 2\n", [r"vertex coordinates must be numbers"]),
    ("off-nan-vertex", "OFF\n3 1 0\n0 0 nan\n1 0 0\n0 1 0\n3 0 1 2\n", [r"must be finite, found NaN"]),
    ("off-face-not-integers", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2.5\n",
     [r"faces .* must be numbers of type int64"]),
    # a polygon of -1 vertices made the old reader loop forever
    ("off-negative-polygon-size", "OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n-1 0\n3 0 1 2\n",
     [r"face 0 has -1 vertices", r"at least 3 vertex indices"]),
    ("off-two-vertex-polygon", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n", [r"face 0 has 2 vertices"]),
    ("off-polygon-past-the-end", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4 0 1 2\n",
     [r"face 0 has 4 vertices \(3 values left\)"]),
    ("off-face-index-out-of-range", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n", [r"face index out of range"]),
    ("off-declares-a-billion-vertices", "OFF\n1000000000 1 0\n0 0 0\n",
     [r"declares 1000000000 vertices but is truncated"]),
]


@pytest.mark.parametrize("text, patterns", [case[1:] for case in OFF_REFUSED], ids=[case[0] for case in OFF_REFUSED])
def test_read_off_refuses_malformed_meshes_naming_the_file(tmp_path, text, patterns):
    path = tmp_path / "chair_0001.off"
    path.write_text(text)
    with pytest.raises(ValueError) as error:
        read_off(path)
    _match_all(error, [r"chair_0001\.off"] + patterns)


def _modelnet_folder(root, suffix, write):
    folder = root / "chair" / "test"
    folder.mkdir(parents=True)
    write(folder / f"chair_0001{suffix}")
    return root


MODELNET_ITEMS_REFUSED = [
    ("modelnet-off-zero-area", ".off", lambda p: p.write_text("OFF\n3 1 0\n0 0 0\n1 1 1\n2 2 2\n3 0 1 2\n"),
     load_modelnet40_off, [r"chair_0001\.off", r"zero total area"]),
    ("modelnet-off-without-faces", ".off", lambda p: p.write_text("OFF\n3 0 0\n0 0 0\n1 0 0\n0 1 0\n"),
     load_modelnet40_off, [r"chair_0001\.off", r"has no faces", r"no surface to sample"]),
    ("modelnet-npy-identical-points", ".npy", lambda p: np.save(p, np.ones((100, 3))),
     load_modelnet40_npy, [r"chair_0001\.npy", r"zero extent \(all 32 points at \[1\.0, 1\.0, 1\.0\]\)"]),
    ("modelnet-npy-one-row", ".npy", lambda p: np.save(p, np.ones((1, 3))),
     load_modelnet40_npy, [r"chair_0001\.npy", r"zero extent", r"at least two distinct points"]),
    ("modelnet-npy-pickled", ".npy", lambda p: np.save(p, np.array([{}], dtype=object), allow_pickle=True),
     load_modelnet40_npy, [r"chair_0001\.npy", r"pickled or corrupt"]),
    ("modelnet-npy-nan", ".npy", lambda p: np.save(p, np.full((10, 3), np.nan)),
     load_modelnet40_npy, [r"chair_0001\.npy", r"NaN or infinite"]),
]


@pytest.mark.parametrize("suffix, write, loader, patterns", [case[1:] for case in MODELNET_ITEMS_REFUSED],
                         ids=[case[0] for case in MODELNET_ITEMS_REFUSED])
def test_modelnet_item_is_refused_naming_its_file(tmp_path, suffix, write, loader, patterns):
    dataset = loader(_modelnet_folder(tmp_path, suffix, write), num_points=32)
    with pytest.raises(ValueError) as error:
        dataset[0]
    _match_all(error, patterns)


@pytest.mark.parametrize("num_points", [0, 10**8, 2.5, True], ids=["zero", "1e8", "float", "bool"])
def test_modelnet_reader_num_points_is_bounded(tmp_path, num_points):
    root = _modelnet_folder(tmp_path, ".npy", lambda p: np.save(p, _CLOUD))
    with pytest.raises(ValueError) as error:
        load_modelnet40_npy(root, num_points=num_points)
    _match_all(error, [r"num_points must be an integer from 1 to 1,048,576", f"got {num_points!r}"])


def test_read_point_array_refuses_a_one_dimensional_array(tmp_path):
    np.save(tmp_path / "flat.npy", np.zeros(12))
    with pytest.raises(ValueError) as error:
        read_point_array(tmp_path / "flat.npy")
    _match_all(error, [r"flat\.npy", r"shape \[N>0, >=3\]", r"\(12,\)"])


@pytest.mark.parametrize("scale", [1e-30, 1e19, 1e300], ids=["1e-30", "1e19", "1e300"])
def test_finish_cloud_rescales_every_finite_magnitude(scale):
    expected = finish_cloud(_CLOUD, None, swap_yz=False)
    np.testing.assert_allclose(finish_cloud(_CLOUD * scale, None, swap_yz=False), expected, atol=1e-6)
    assert np.linalg.norm(expected[:, :3], axis=1).max() == pytest.approx(1.0, abs=1e-6)


def test_finish_cloud_refuses_colours_of_the_wrong_shape():
    with pytest.raises(ValueError) as error:
        finish_cloud(_CLOUD, np.zeros((3, 3)), swap_yz=False, source="cloud.npy")
    _match_all(error, [r"cloud\.npy: colours must be finite rgb values of shape \(300, 3\), got \(3, 3\)"])


# ---- E-3DSNN voxel keys and the model's input dtypes -----------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e19, 3e38], ids=["span-1e19", "span-3e38"])
def test_e3dsnn_refuses_a_grid_beyond_int64_keys(scale):
    points = torch.rand(2, 100, 6)
    points[..., :3] *= scale
    with pytest.raises(ValueError) as error:
        voxelize_points(points, 0.02)
    _match_all(error, [r"`point_values` span", r"at voxel_size 0\.02", r"int64 voxel keys", r"normalised to the unit"])


def test_e3dsnn_model_refuses_an_unnormalised_cloud_and_runs_a_normalised_one():
    model = hf_spiking.create_model("svl-e3dsnn-test").eval()
    cloud = _RNG.normal(size=(400, 3)) * 1e19
    with pytest.raises(ValueError, match=r"int64 voxel keys"), torch.no_grad():
        model(torch.tensor(np.hstack([cloud, np.full((400, 3), 0.4)]), dtype=torch.float32).unsqueeze(0))
    point_values = SpikingPointFeatureExtractor(num_points=400)(cloud)["point_values"]
    with torch.no_grad():
        assert torch.isfinite(model(point_values).pooler_output).all()


@pytest.fixture(scope="module")
def pointformer():
    torch.manual_seed(0)
    return hf_spiking.create_model("svl-pointformer-test").eval()


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16, torch.float16], ids=["float64", "bf16", "fp16"])
def test_model_casts_float_inputs_to_its_dtype(pointformer, dtype):
    point_values = SpikingPointFeatureExtractor(num_points=pointformer.config.num_points)(_CLOUD)["point_values"]
    with torch.no_grad():
        expected = pointformer(point_values).pooler_output
        result = pointformer(point_values.to(dtype)).pooler_output
    assert result.dtype == torch.float32 and torch.isfinite(result).all()
    # low-precision inputs move points by their rounding: the embedding stays close, never arbitrary
    tolerance = 0 if dtype == torch.float64 else 0.5
    assert (result - expected).abs().max() <= tolerance * expected.abs().max() + 1e-6


@pytest.mark.parametrize(
    "point_values, pattern",
    [
        pytest.param(torch.zeros(0, 64, 6), r"batch of 0", id="batch-of-zero"),
        pytest.param(torch.ones(1, 64, 6, dtype=torch.bool), r"bool", id="bool-input"),
        pytest.param(torch.zeros(1, 64, 6), r"distinct", id="identical-points"),
    ],
)
def test_model_refuses_meaningless_point_values(pointformer, point_values, pattern):
    with pytest.raises(ValueError, match=pattern):
        pointformer(point_values)
