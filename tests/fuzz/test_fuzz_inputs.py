"""Property tests: any input to a public entry point yields a valid result or a ValueError (never a deep
torch/NumPy error, never a hang): configs, pixel ranges, the T-RevSNN image processor, LVC video sampling, the CLI's
energy arguments, the event readers, the ModelNet .npy reader, the SVL point feature extractor (arrays and files) and
the zero-shot class-name and template checks."""

import contextlib
import io
import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from hf_spiking.cli import main
from hf_spiking.data.events import as_events, read_events
from hf_spiking.data.modelnet import read_point_array
from hf_spiking.models.lvc.configuration_lvc import LVCConfig
from hf_spiking.models.lvc.processing_lvc import sample_video
from hf_spiking.models.spiking_point_encoder import SpikingPointFeatureExtractor
from hf_spiking.models.spiking_point_encoder.class_prompts import checked_class_names, checked_template
from hf_spiking.models.trevsnn import TRevSNNImageProcessor
from hf_spiking.models.trevsnn.configuration_trevsnn import TRevSNNConfig
from hf_spiking.pixel_range import to_uint8_pixels

ANY_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5), st.lists(st.integers(-3, 600), max_size=5),
)
PIXEL_DTYPES = st.sampled_from([np.uint8, np.uint16, np.int32, np.int64, np.float16, np.float32, np.float64, bool])


def _pixel_arrays(shapes):
    return PIXEL_DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, shapes))


@given(field=st.sampled_from(["alpha_init", "alpha_clamp", "label_smoothing", "mlp_ratio", "kernel_size",
                              "num_columns", "num_labels", "hidden_sizes", "drop_path_rate"]), value=ANY_SCALAR)
def test_trevsnn_config_accepts_or_raises_value_error(field, value):
    try:
        config = TRevSNNConfig(**{field: value})
    except ValueError:
        return
    assert all(math.isfinite(v) for v in (config.alpha_init, config.alpha_clamp, config.label_smoothing))
    assert config.num_labels >= 1 and config.mlp_ratio >= 1


@given(field=st.sampled_from(["num_frames", "window_size", "initial_temperature", "query_pooling"]), value=ANY_SCALAR)
def test_lvc_config_accepts_or_raises_value_error(field, value):
    try:
        config = LVCConfig(**{field: value})
    except ValueError:
        return
    assert config.num_frames % config.window_size == 0 and math.isfinite(config.initial_temperature)


@given(pixels=_pixel_arrays(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6)))
def test_pixel_range_gives_uint8_or_value_error(pixels):
    try:
        result = to_uint8_pixels(pixels)
    except ValueError:
        return
    assert result.dtype == np.uint8 and result.shape == pixels.shape


@given(image=_pixel_arrays(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=9)))
def test_trevsnn_image_processor_gives_finite_pixels_or_value_error(image):
    processor = TRevSNNImageProcessor(size={"shortest_edge": 8}, crop_size={"height": 8, "width": 8})
    try:
        pixels = processor(image, return_tensors="pt")["pixel_values"]
    except ValueError:
        return
    assert pixels.shape[1:] == (3, 8, 8) and torch.isfinite(pixels).all()


@given(video=_pixel_arrays(hnp.array_shapes(min_dims=1, max_dims=5, min_side=0, max_side=5)), num_frames=st.integers(1, 6))
def test_lvc_video_sampling_gives_uint8_frames_or_value_error(video, num_frames):
    try:
        frames, indices = sample_video(video, num_frames)
    except ValueError:
        return
    assert frames.dtype == np.uint8 and frames.shape[0] == num_frames == len(indices)


@given(shape=st.lists(st.integers(-3, 10**6), min_size=0, max_size=5))
def test_cli_energy_input_shape_exits_cleanly(shape):
    # No preset exists under this name, so every shape (good or bad) must end as a refused input, exit code 2.
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["energy", "no-such-preset", "--input-shape", *map(str, shape)]) if shape else 2
    assert code == 2 and stderr.getvalue().count("\n") <= 1


@given(array=hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.int16]),
                        hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6)))
def test_as_events_gives_an_event_table_or_value_error(array):
    try:
        events = as_events(array)
    except ValueError:
        return
    assert events.ndim == 1 and len(events) >= 0


@given(payload=st.binary(max_size=256), suffix=st.sampled_from([".bin", ".aedat", ".npy", ".npz"]))
def test_event_readers_refuse_garbage_with_value_error(tmp_path_factory, payload, suffix):
    path = tmp_path_factory.mktemp("events") / f"recording{suffix}"
    path.write_bytes(payload)
    try:
        read_events(path)
    except ValueError:
        pass


@given(payload=st.binary(max_size=256))
def test_modelnet_npy_reader_refuses_garbage_with_value_error(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("modelnet") / "cloud.npy"
    path.write_bytes(payload)
    try:
        points = read_point_array(path)
    except ValueError:
        return
    assert np.isfinite(points).all()


# ---- SVL points: any array either becomes finite unit-sphere clouds or is refused with a ValueError ------------------
POINT_EXTRACTOR = SpikingPointFeatureExtractor(num_points=8, min_distinct_points=4)
POINT_DTYPES = st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int64, np.uint8, bool])
POINT_SHAPES = st.one_of(
    st.tuples(st.integers(0, 40), st.sampled_from([3, 6])),  # the accepted layouts, often
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7),
)


@given(cloud=POINT_DTYPES.flatmap(lambda dtype: hnp.arrays(dtype, POINT_SHAPES)))
def test_point_feature_extractor_gives_unit_sphere_clouds_or_value_error(cloud):
    try:
        values = POINT_EXTRACTOR(cloud)["point_values"]
    except ValueError:
        return
    assert values.dtype == torch.float32 and values.shape == (1, 8, 6) and torch.isfinite(values).all()
    assert values[0, :, :3].norm(dim=-1).max() == pytest.approx(1.0, abs=1e-5)  # scaled onto the unit sphere
    assert 0 <= values[0, :, 3:].min() and values[0, :, 3:].max() <= 1  # rgb, or the grey of colourless clouds


@given(payload=st.binary(max_size=512),
       suffix=st.sampled_from([".npy", ".npz", ".xyz", ".txt", ".ply", ".obj", ".off"]))
def test_point_files_of_random_bytes_give_clouds_or_value_error(tmp_path_factory, payload, suffix):
    path = tmp_path_factory.mktemp("points") / f"cloud{suffix}"
    path.write_bytes(payload)
    try:
        values = POINT_EXTRACTOR(str(path))["point_values"]
    except ValueError as error:
        assert "cloud" + suffix in str(error)  # the file is named
        return
    except ImportError:  # meshes without the optional trimesh
        assert suffix in (".ply", ".obj", ".off")
        return
    assert torch.isfinite(values).all()


@given(names=st.lists(st.one_of(st.text(max_size=6), st.none(), st.integers()), max_size=5))
def test_class_names_are_distinct_non_empty_strings_or_value_error(names):
    try:
        checked = checked_class_names(names)
    except ValueError:
        return
    assert checked == names and all(name.strip() for name in checked)
    assert len({" ".join(name.split()).casefold() for name in checked}) == len(checked)


@given(template=st.text(alphabet=st.sampled_from("ab {}:!r0x"), max_size=12))
def test_templates_hold_one_slot_for_the_class_name_or_value_error(template):
    try:
        checked = checked_template(template)
    except ValueError:
        return
    assert "chair" in checked.format("chair")
