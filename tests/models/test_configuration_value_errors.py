"""Every hf_spiking config raises a ValueError naming the argument for an out-of-range value (SVL, T-RevSNN, LVC,
Phi-3-Vision), and valid configs still save and load unchanged."""

import pytest
from huggingface_hub.errors import StrictDataclassClassValidationError

from hf_spiking.models.lvc.configuration_lvc import LVCConfig
from hf_spiking.models.phi3_v.configuration_phi3_v import Phi3VConfig
from hf_spiking.models.spiking_point_encoder.configuration_spiking_point_encoder import SpikingPointEncoderConfig
from hf_spiking.models.trevsnn.configuration_trevsnn import TRevSNNConfig

BAD_VALUES = [
    (SpikingPointEncoderConfig, {"hidden_size": 0}, "`hidden_size` must be a positive integer, got 0"),
    (SpikingPointEncoderConfig, {"backbone": "pointnet2"}, r"`backbone` must be one of \('pointformer', 'e3dsnn', 'pointnet'\)"),
    (SpikingPointEncoderConfig, {"voxel_size": -0.02}, r"`voxel_size` must be > 0"),
    (SpikingPointEncoderConfig, {"batch_norm_momentum": 1.5}, r"`batch_norm_momentum` in \[0, 1\]"),
    (SpikingPointEncoderConfig, {"lambda_mse": -1.0}, "`lambda_mse` must be >= 0"),
    (SpikingPointEncoderConfig, {"prompt_templates": ("no slot",)}, "`prompt_templates` must be"),
    (TRevSNNConfig, {"kernel_size": 4}, "`kernel_size` must be a positive odd integer"),
    (TRevSNNConfig, {"drop_path_rate": 1.0}, r"`drop_path_rate` must lie in \[0, 1\)"),
    (LVCConfig, {"window_size": 0}, "window_size must be >= 1"),
    (LVCConfig, {"query_pooling": "max"}, "query_pooling must be one of"),
    (Phi3VConfig, {"embd_layer": {"projection_cls": "conv"}}, "embd_layer\\['projection_cls'\\] must be"),
]


@pytest.mark.parametrize(
    ("config_class", "kwargs", "message"), BAD_VALUES, ids=lambda v: v.__name__ if isinstance(v, type) else None
)
def test_bad_value_raises_value_error_naming_the_argument(config_class, kwargs, message):
    with pytest.raises(ValueError, match=message) as raised:
        config_class(**kwargs)
    # Still the error type huggingface_hub's @strict raises for a failed check, for callers that catch that.
    assert isinstance(raised.value, StrictDataclassClassValidationError)


@pytest.mark.parametrize("config_class", [SpikingPointEncoderConfig, TRevSNNConfig, LVCConfig, Phi3VConfig])
def test_valid_configs_save_and_load_unchanged(config_class, tmp_path):
    config = config_class()
    config.save_pretrained(tmp_path)
    assert config_class.from_pretrained(tmp_path).to_dict() == config.to_dict()


NAN, INF = float("nan"), float("inf")

# The corpus of refused config values: (class, kwargs, message naming the field).
REFUSED_VALUES = [
    (TRevSNNConfig, {"alpha_init": NAN}, "`alpha_init` must be a finite number, got nan"),
    (TRevSNNConfig, {"label_smoothing": INF}, "`label_smoothing` must be a finite number, got inf"),
    (TRevSNNConfig, {"layer_scale_init_value": -INF}, "`layer_scale_init_value` must be a finite number"),
    (TRevSNNConfig, {"num_labels": 0}, r"`num_labels` \(classes of the heads\) must be >= 1, got 0"),
    (TRevSNNConfig, {"mlp_ratio": 0.01}, "Field 'mlp_ratio' expected int, got float"),
    (TRevSNNConfig, {"mlp_ratio": 0}, "`mlp_ratio` must be >= 1"),
    (TRevSNNConfig, {"kernel_size": "3"}, "Field 'kernel_size' expected int, got str"),
    (TRevSNNConfig, {"hidden_sizes": "abcd"}, "Field 'hidden_sizes'"),
    (TRevSNNConfig, {"alpha_clamp": 1}, r"`\|alpha_init\|` \(0.5\) must be at least `alpha_clamp` \(1.0\)"),
    (TRevSNNConfig, {"num_columns": 0}, "`num_columns`"),
    (LVCConfig, {"initial_temperature": NAN}, "`initial_temperature` must be a finite number"),
    (LVCConfig, {"initial_temperature": 0}, "initial_temperature must be > 0"),
    (LVCConfig, {"num_frames": "16"}, "Field 'num_frames' expected int, got str"),
    (LVCConfig, {"num_frames": 10, "window_size": 4}, r"num_frames \(10\) must be divisible by window_size \(4\)"),
    (Phi3VConfig, {"hidden_size": "x"}, "Field 'hidden_size' expected int, got str"),
    (Phi3VConfig, {"rope_theta": NAN}, r"rope_parameters\['rope_theta'\] must be a finite number"),
    (Phi3VConfig, {"hidden_size": 30, "num_attention_heads": 7}, r"hidden_size \(30\) must be divisible"),
    (Phi3VConfig, {"vision_config": {"hidden_size": "x"}}, "Field 'hidden_size' expected int, got str"),
    (Phi3VConfig, {"initializer_range": INF}, "`initializer_range` must be a finite number"),
    (SpikingPointEncoderConfig, {"lambda_text": NAN}, "`lambda_text` must be a finite number, got nan"),
    (SpikingPointEncoderConfig, {"logit_scale_init_value": INF}, "`logit_scale_init_value` must be a finite number"),
    (SpikingPointEncoderConfig, {"hidden_size": "a"}, "`hidden_size` must be a positive integer, got 'a'"),
]


@pytest.mark.parametrize(("config_class", "kwargs", "message"), REFUSED_VALUES, ids=repr)
def test_refused_value_raises_the_family_value_error_on_one_line(config_class, kwargs, message):
    with pytest.raises(ValueError, match=message) as raised:
        config_class(**kwargs)
    assert type(raised.value).__name__ == f"{config_class.__name__}Error"
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("config_class", "field", "value"),
    [
        (TRevSNNConfig, "label_smoothing", 0),
        (TRevSNNConfig, "alpha_init", 1),
        (TRevSNNConfig, "drop_path_rate", 0),
        (LVCConfig, "initial_temperature", 2),
        (Phi3VConfig, "initializer_range", 1),
        (SpikingPointEncoderConfig, "lambda_text", 1),
        (SpikingPointEncoderConfig, "voxel_size", 1),
    ],
)
def test_int_for_a_float_field_is_stored_as_that_float(config_class, field, value, tmp_path):
    config = config_class(**{field: value})
    assert getattr(config, field) == float(value) and type(getattr(config, field)) is float
    config.save_pretrained(tmp_path)
    assert getattr(config_class.from_pretrained(tmp_path), field) == float(value)


def test_assignment_after_construction_is_checked_too():
    config = TRevSNNConfig()
    with pytest.raises(ValueError, match="`alpha_init` must be a finite number"):
        config.alpha_init = NAN
    with pytest.raises(ValueError, match="Field 'kernel_size' expected int"):
        config.kernel_size = "3"
    config.label_smoothing = 0
    assert config.label_smoothing == 0.0


def test_a_saved_config_with_nan_is_refused_on_load(tmp_path):
    TRevSNNConfig().save_pretrained(tmp_path)
    path = tmp_path / "config.json"
    path.write_text(path.read_text().replace('"alpha_init": 0.5', '"alpha_init": NaN'))
    with pytest.raises(ValueError, match="`alpha_init` must be a finite number"):
        TRevSNNConfig.from_pretrained(tmp_path)
