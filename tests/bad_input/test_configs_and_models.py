"""Bad-input corpus, configs and models: the four config classes and the classification heads' forward inputs.

Complements tests/models/test_configuration_value_errors.py (whose cases are not repeated): every refused config
value raises the family's `ValueError` subclass naming the field, the value and the expected form; odd but valid
values round-trip through config.json; forward inputs of the wrong dtype are cast or refused, labels are checked.
"""

import pytest
import torch

from hf_spiking.models.lvc.configuration_lvc import LVCConfig, LVCConfigError
from hf_spiking.models.phi3_v.configuration_phi3_v import Phi3VConfig, Phi3VConfigError
from hf_spiking.models.spiking_point_encoder.configuration_spiking_point_encoder import (
    SpikingPointEncoderConfig,
    SpikingPointEncoderConfigError,
)
from hf_spiking.models.trevsnn import TRevSNNConfig, TRevSNNConfigError, TRevSNNForImageClassification

from . import assert_refused

NAN, INF = float("nan"), float("inf")
SVL, TREV, LVC, PHI = SpikingPointEncoderConfig, TRevSNNConfig, LVCConfig, Phi3VConfig
ERRORS = {SVL: SpikingPointEncoderConfigError, TREV: TRevSNNConfigError, LVC: LVCConfigError, PHI: Phi3VConfigError}

REFUSED = {
    # name: (config class, kwargs, fragments naming the field, the value and the expected form)
    "svl pointnet_channels (64, 0)": (SVL, dict(backbone="pointnet", pointnet_channels=(64, 0)),
                                      ["`pointnet_channels`", "(64, 0)", "positive integer widths"]),
    "svl pointnet_channels empty": (SVL, dict(backbone="pointnet", pointnet_channels=()),
                                    ["`pointnet_channels`", "()", "non-empty"]),
    "svl pointnet_channels a string": (SVL, dict(pointnet_channels="64"), ["`pointnet_channels`", "'64'", "tuple"]),
    "svl T-Net widths of four": (SVL, dict(pointnet_transform_channels=(1, 2, 3, 4)),
                                 ["`pointnet_transform_channels`", "(1, 2, 3, 4)", "five positive integer widths"]),
    "svl T-Net width a float": (SVL, dict(pointnet_transform_channels=(1, 2, 3, 4, 5.0)),
                                ["`pointnet_transform_channels`", "5.0", "integer widths"]),
    "svl T-Net width zero": (SVL, dict(pointnet_transform_channels=(64, 128, 0, 512, 256)),
                             ["`pointnet_transform_channels`", "0, 512", "positive"]),
    "svl feature T-Net with one layer": (SVL, dict(backbone="pointnet", pointnet_channels=(64,),
                                                   pointnet_feature_transform=True),
                                         ["`pointnet_channels`", "(64,)", "two or more widths"]),
    "svl feature transform weight NaN": (SVL, dict(pointnet_feature_transform_weight=NAN),
                                         ["`pointnet_feature_transform_weight`", "nan", "finite"]),
    "svl feature transform weight negative": (SVL, dict(pointnet_feature_transform_weight=-1e-3),
                                              ["`pointnet_feature_transform_weight`", "-0.001", ">= 0"]),
    "svl heads do not divide width": (SVL, dict(num_attention_heads=5), ["`transformer_hidden_size` (384)",
                                                                        "`num_attention_heads` (5)", "divisible"]),
    "svl mlp_ratio gives no unit": (SVL, dict(transformer_hidden_size=32, num_attention_heads=2, mlp_ratio=0.01),
                                    ["`mlp_ratio`", "0.01", ">= 1"]),
    "svl mlp_ratio negative": (SVL, dict(mlp_ratio=-4.0), ["`mlp_ratio`", "-4.0", "at least one unit"]),
    "svl num_labels 0": (SVL, dict(num_labels=0), ["`num_labels`", "got 0", ">= 1"]),
    "svl num_labels a float": (SVL, dict(num_labels=2.0), ["`num_labels`", "2.0", "positive integer"]),
    "svl num_points above MAX_NUM_POINTS": (SVL, dict(num_points=65_537), ["`num_points`", "65537", "at most 65536"]),
    "svl num_points 1e8 float": (SVL, dict(num_points=1e8), ["`num_points`", "100000000.0", "positive integer"]),
    "svl num_groups above num_points": (SVL, dict(num_groups=1024, num_points=512),
                                        ["`num_groups` (1024)", "`num_points` (512)", "at most"]),
    "svl group_size above num_points": (SVL, dict(group_size=64, num_groups=16, num_points=32),
                                        ["`group_size` (64)", "`num_points` (32)", "at most"]),
    "svl default_color above 1": (SVL, dict(default_color=2.0), ["`default_color`", "2.0", "[0, 1]"]),
    "svl default_color negative": (SVL, dict(default_color=-1), ["`default_color`", "-1.0", "[0, 1]"]),
    "svl sampling_seed negative": (SVL, dict(sampling_seed=-1), ["`sampling_seed`", "-1", "non-negative"]),
    "svl text_teacher an int": (SVL, dict(text_teacher=3), ["`text_teacher`", "3", "a string"]),
    "svl image_teacher blank": (SVL, dict(image_teacher="  "), ["`image_teacher`", "got ' '", "model name or folder"]),
    "svl template with a named field": (SVL, dict(prompt_templates=("a {x} {}",)),
                                        ["`prompt_templates`", "'a {x} {}'", "exactly one '{}'"]),
    "svl template with two slots": (SVL, dict(prompt_templates=("a {} of {}",)),
                                    ["`prompt_templates`", "'a {} of {}'", "exactly one '{}'"]),
    "svl template with a lone brace": (SVL, dict(prompt_templates=("a {} }",)), ["`prompt_templates`", "exactly one"]),
    "svl templates a string": (SVL, dict(prompt_templates="a {}"), ["`prompt_templates`", "'a {}'", "tuple"]),
    "svl in_channels True": (SVL, dict(in_channels=True), ["`in_channels`", "True", "positive integer"]),
    "svl in_channels 2": (SVL, dict(in_channels=2), ["`in_channels`", "2", ">= 3 (xyz first)"]),
    "svl max_level 0": (SVL, dict(max_level=0), ["`max_level`", "0", "positive integer"]),
    "svl tokenizer_channels two": (SVL, dict(tokenizer_channels=(1, 2)), ["`tokenizer_channels`", "(1, 2)", "three"]),
    "svl encoder lengths differ": (SVL, dict(encoder_channels=(16, 32), encoder_depths=(1,)),
                                   ["`encoder_channels` (16, 32)", "`encoder_depths` (1,)", "equal length"]),
    "svl voxel_size NaN": (SVL, dict(voxel_size=NAN), ["`voxel_size`", "nan", "finite"]),
    "svl batch_norm_eps 0": (SVL, dict(batch_norm_eps=0.0), ["`batch_norm_eps`", "0.0", "> 0"]),
    "svl lambda_image -inf": (SVL, dict(lambda_image=-INF), ["`lambda_image`", "-inf", "finite"]),
    "svl logit scale 0": (SVL, dict(logit_scale_init_value=0), ["`logit_scale_init_value`", "0.0", "> 0"]),
    "svl spike_activation gelu": (SVL, dict(spike_activation="gelu"), ["`spike_activation`", "'gelu'", "multispike"]),
    "svl backbone None": (SVL, dict(backbone=None), ["`backbone`", "None", "pointformer"]),
    "svl final_layer fold on pointformer": (SVL, dict(rep_vli_fold="final_layer"),
                                            ["`rep_vli_fold='final_layer'`", "e3dsnn"]),
    "trevsnn hidden_sizes of three": (TREV, dict(hidden_sizes=(1, 2, 3)), ["`hidden_sizes`", "(1, 2, 3)", "four"]),
    "trevsnn hidden_sizes with 0": (TREV, dict(hidden_sizes=(0, 2, 3, 4)), ["`hidden_sizes`", "(0, 2, 3, 4)",
                                                                           "positive"]),
    "trevsnn hidden_sizes with a float": (TREV, dict(hidden_sizes=(1.5, 2, 3, 4)), ["'hidden_sizes'", "1.5"]),
    "trevsnn alpha_clamp 0": (TREV, dict(alpha_clamp=0), ["`alpha_clamp`", "0.0", "> 0"]),
    "trevsnn label_smoothing 1": (TREV, dict(label_smoothing=1), ["`label_smoothing`", "1.0", "[0, 1)"]),
    "trevsnn label_smoothing negative": (TREV, dict(label_smoothing=-0.1), ["`label_smoothing`", "-0.1", "[0, 1)"]),
    "trevsnn num_channels 0": (TREV, dict(num_channels=0), ["`num_channels`", "0", ">= 1"]),
    "trevsnn num_columns 1.5": (TREV, dict(num_columns=1.5), ["'num_columns'", "1.5", "expected int"]),
    "trevsnn time_steps alias 0": (TREV, dict(time_steps=0), ["`num_columns` (time steps T)", "0", ">= 1"]),
    "trevsnn reversible 'yes'": (TREV, dict(reversible="yes"), ["'reversible'", "'yes'", "expected bool"]),
    "trevsnn num_labels 2.0": (TREV, dict(num_labels=2.0), ["`num_labels`", "2.0", "positive integer"]),
    "trevsnn kernel_size 0": (TREV, dict(kernel_size=0), ["`kernel_size`", "0", "positive odd"]),
    "trevsnn initializer_range negative": (TREV, dict(initializer_range=-1.0), ["`initializer_range`", "-1.0",
                                                                              ">= 0"]),
    "trevsnn drop_path_rate negative": (TREV, dict(drop_path_rate=-0.1), ["`drop_path_rate`", "-0.1", "[0, 1)"]),
    "trevsnn alpha_init below alpha_clamp": (TREV, dict(alpha_init=1e-4), ["`|alpha_init|` (0.0001)",
                                                                          "`alpha_clamp` (0.001)"]),
    "trevsnn drop_path_rate inf": (TREV, dict(drop_path_rate=INF), ["`drop_path_rate`", "inf", "finite"]),
    "trevsnn dvs with intermediate heads": (TREV, dict(dvs=True), ["`intermediate_supervision=False`", "`dvs=True`"]),
    "lvc num_frames 0": (LVC, dict(num_frames=0, window_size=1), ["num_frames", "0", ">= 1"]),
    "lvc window above frames": (LVC, dict(num_frames=4, window_size=8), ["num_frames (4)", "window_size (8)",
                                                                        "divisible"]),
    "lvc temperature negative": (LVC, dict(initial_temperature=-1), ["initial_temperature", "-1.0", "> 0"]),
    "lvc temperature inf": (LVC, dict(initial_temperature=INF), ["`initial_temperature`", "inf", "finite"]),
    "lvc compression max": (LVC, dict(compression_mode="max"), ["compression_mode", "'max'", "query_attention"]),
    "lvc learn_temperature 1": (LVC, dict(learn_temperature=1), ["'learn_temperature'", "1", "expected bool"]),
    "lvc num_frames True": (LVC, dict(num_frames=True), ["'num_frames'", "True", "expected int"]),
    "lvc num_frames 16.0": (LVC, dict(num_frames=16.0), ["'num_frames'", "16.0", "expected int"]),
    "lvc vlm_config a string": (LVC, dict(vlm_config="internvl"), ["'vlm_config'", "'internvl'", "dict"]),
    "lvc vlm_config unknown model_type": (LVC, dict(vlm_config={"model_type": "nope"}),
                                          ["`vlm_config`", "'nope'", "LVC backbone adapter"]),
    "phi3_v kv heads do not divide": (PHI, dict(num_key_value_heads=5), ["num_attention_heads (32)",
                                                                       "num_key_value_heads (5)", "divisible"]),
    "phi3_v hidden_size 0": (PHI, dict(hidden_size=0), ["hidden_size", "0", "positive integer"]),
    "phi3_v num_hidden_layers -1": (PHI, dict(num_hidden_layers=-1), ["num_hidden_layers", "-1", "positive integer"]),
    "phi3_v vocab_size 0": (PHI, dict(vocab_size=0), ["vocab_size", "0", "positive integer"]),
    "phi3_v attention_dropout 1.5": (PHI, dict(attention_dropout=1.5), ["attention_dropout", "1.5", "[0, 1)"]),
    "phi3_v rms_norm_eps NaN": (PHI, dict(rms_norm_eps=NAN), ["`rms_norm_eps`", "nan", "finite"]),
    "phi3_v unknown transform order": (PHI, dict(embd_layer={"hd_transform_order": "x"}),
                                       ["embd_layer['hd_transform_order']", "'x'", "'sub_glb' or 'glb_sub'"]),
    "phi3_v HD transform off": (PHI, dict(embd_layer={"use_hd_transform": False}), ["embd_layer", "False",
                                                                                   "use_hd_transform=True"]),
    "phi3_v another vision tower": (PHI, dict(img_processor={"name": "siglip"}), ["img_processor['name']",
                                                                                "'siglip'", "'clip_vision_model'"]),
    "phi3_v image_dim_out mismatch": (PHI, dict(img_processor={"image_dim_out": 7}),
                                      ["img_processor['image_dim_out']=7", "vision_config.hidden_size=1024"]),
    "phi3_v num_img_tokens mismatch": (PHI, dict(img_processor={"num_img_tokens": 7}),
                                       ["img_processor['num_img_tokens']=7", "= 144"]),
    "phi3_v odd patch grid": (PHI, dict(vision_config={"image_size": 336, "patch_size": 15}),
                              ["image_size=336", "patch_size=15", "even integer"]),
    "phi3_v image_token_id a string": (PHI, dict(image_token_id="x"), ["'image_token_id'", "'x'", "int"]),
    "phi3_v embd_layer a list": (PHI, dict(embd_layer=[1]), ["'embd_layer'", "[1]", "dict"]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_config_values_raise_the_family_error_naming_field_value_and_form(name):
    config_class, kwargs, fragments = REFUSED[name]
    message = assert_refused(ERRORS[config_class], lambda: config_class(**kwargs), *fragments)
    assert len(message) < 600, message  # one readable line, not a dump of every registered model type


ACCEPTED = {
    # name: (config class, kwargs, {field: value expected after a config.json round trip})
    "svl label_smoothing-like int weight": (SVL, dict(pointnet_feature_transform_weight=0),
                                            {"pointnet_feature_transform_weight": 0.0}),
    "svl int logit scale": (SVL, dict(logit_scale_init_value=10), {"logit_scale_init_value": 10.0}),
    "svl int batch_norm_eps": (SVL, dict(batch_norm_eps=1), {"batch_norm_eps": 1.0}),
    "svl int mlp_ratio": (SVL, dict(mlp_ratio=2), {"mlp_ratio": 2.0}),
    "svl num_points exactly MAX_NUM_POINTS": (SVL, dict(num_points=65_536), {"num_points": 65_536}),
    "svl pointnet single layer": (SVL, dict(backbone="pointnet", pointnet_channels=[7]), {"pointnet_channels": (7,)}),
    "svl default_color 0 and 1": (SVL, dict(default_color=1), {"default_color": 1.0}),
    "svl template with escaped braces": (SVL, dict(prompt_templates=["{{3D}} a {}."]),
                                         {"prompt_templates": ("{{3D}} a {}.",)}),
    "svl one label": (SVL, dict(num_labels=1), {"num_labels": 1}),
    "trevsnn int label_smoothing": (TREV, dict(label_smoothing=0), {"label_smoothing": 0.0}),
    "trevsnn int alpha_clamp": (TREV, dict(alpha_clamp=1, alpha_init=1), {"alpha_clamp": 1.0, "alpha_init": 1.0}),
    "trevsnn negative alpha_init (sign kept)": (TREV, dict(alpha_init=-0.5), {"alpha_init": -0.5}),
    "trevsnn zero layer scale": (TREV, dict(layer_scale_init_value=0), {"layer_scale_init_value": 0.0}),
    "trevsnn one column": (TREV, dict(time_steps=1), {"num_columns": 1}),
    "trevsnn hidden_sizes as a list": (TREV, dict(hidden_sizes=[4, 4, 4, 4]), {"hidden_sizes": (4, 4, 4, 4)}),
    "lvc int temperature": (LVC, dict(initial_temperature=2), {"initial_temperature": 2.0}),
    "lvc no compression": (LVC, dict(num_frames=3, window_size=1), {"num_pseudo_frames": 3}),
    "lvc one frame": (LVC, dict(num_frames=1, window_size=1), {"num_pseudo_frames": 1}),
    "phi3_v int rms_norm_eps": (PHI, dict(rms_norm_eps=1), {"rms_norm_eps": 1.0}),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_odd_but_valid_config_values_round_trip_through_config_json(name, tmp_path):
    config_class, kwargs, expected = ACCEPTED[name]
    config_class(**kwargs).save_pretrained(tmp_path)
    loaded = config_class.from_pretrained(tmp_path)
    for field, value in expected.items():
        assert getattr(loaded, field) == value and type(getattr(loaded, field)) is type(value), field


@pytest.fixture(scope="module")
def trevsnn():
    torch.manual_seed(0)
    return TRevSNNForImageClassification(TRevSNNConfig(hidden_sizes=(8, 16, 32, 48), num_labels=10)).eval()


PIXELS = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float64, torch.float16], ids=str)
def test_trevsnn_casts_other_float_dtypes_to_its_own(trevsnn, dtype):
    with torch.no_grad():
        expected = trevsnn(PIXELS.to(dtype).float()).logits
        logits = trevsnn(PIXELS.to(dtype)).logits
    assert logits.dtype == torch.float32
    torch.testing.assert_close(logits, expected, rtol=0, atol=0)


TREVSNN_REFUSED_PIXELS = {
    "uint8": ((PIXELS.abs() * 50).to(torch.uint8), ["`pixel_values`", "torch.uint8", "normalised floats"]),
    "int64": (PIXELS.long(), ["`pixel_values`", "torch.int64", "image processor"]),
    "bool": (PIXELS > 0, ["`pixel_values`", "torch.bool", "normalised floats"]),
    "NaN": (torch.full_like(PIXELS, NAN), ["`pixel_values`", "NaN or infinite", "finite"]),
    "inf in one pixel": (PIXELS.index_put((torch.tensor(0),), torch.tensor(INF)), ["`pixel_values`", "infinite"]),
    "batch of 0": (PIXELS[:0], ["`pixel_values`", "(0, 3, 32, 32)", "at least one image"]),
    "0 x 0 images": (PIXELS[..., :0, :0], ["`pixel_values`", "(2, 3, 0, 0)", "at least 1 x 1 pixels"]),
    "one image without batch axis": (PIXELS[0], ["`pixel_values`", "(3, 32, 32)", "[batch, 3, height, width]"]),
    "5-D": (PIXELS[None], ["`pixel_values`", "(1, 2, 3, 32, 32)", "[batch, 3, height, width]"]),
    "channels last": (PIXELS.permute(0, 2, 3, 1), ["`pixel_values`", "(2, 32, 32, 3)", "[batch, 3, height, width]"]),
    "a numpy array": (PIXELS.numpy(), ["`pixel_values`", "ndarray", "torch tensor"]),
}


@pytest.mark.parametrize("name", TREVSNN_REFUSED_PIXELS)
def test_trevsnn_refuses_pixels_without_a_meaningful_reading(trevsnn, name):
    pixels, fragments = TREVSNN_REFUSED_PIXELS[name]
    assert_refused(ValueError, lambda: trevsnn(pixels), *fragments)


TREVSNN_REFUSED_LABELS = {
    "index = num_labels": (torch.tensor([0, 10]), ["`labels`", "[0, 10]", "class indices in [0, 10)"]),
    "negative": (torch.tensor([0, -1]), ["`labels`", "[0, -1]", "[0, 10)"]),
    "ignore index -100": (torch.tensor([-100, -100]), ["`labels`", "[-100, -100]", "[0, 10)"]),
    "floats": (torch.tensor([0.0, 1.0]), ["`labels`", "torch.float32", "integer tensor"]),
    "soft targets": (torch.full((2, 10), 0.1), ["`labels`", "torch.float32", "integer tensor"]),
    "bool": (torch.tensor([True, False]), ["`labels`", "torch.bool", "integer tensor"]),
    "numpy": (torch.tensor([0, 1]).numpy(), ["`labels`", "ndarray", "integer tensor"]),
    "list": ([0, 1], ["`labels`", "list", "integer tensor"]),
    "batch of 3 for 2 images": (torch.tensor([0, 1, 2]), ["`labels`", "shape (3,)", "shape (2,)"]),
    "column (2, 1)": (torch.tensor([[0], [1]]), ["`labels`", "shape (2, 1)", "shape (2,)"]),
}


@pytest.mark.parametrize("name", TREVSNN_REFUSED_LABELS)
def test_trevsnn_refuses_labels_that_are_not_class_indices(trevsnn, name):
    labels, fragments = TREVSNN_REFUSED_LABELS[name]
    assert_refused(ValueError, lambda: trevsnn(PIXELS, labels=labels), *fragments)


def test_trevsnn_accepts_int32_labels_with_the_int64_loss(trevsnn):
    with torch.no_grad():
        expected = trevsnn(PIXELS, labels=torch.tensor([3, 7])).loss
        loss = trevsnn(PIXELS, labels=torch.tensor([3, 7], dtype=torch.int32)).loss
    assert torch.isfinite(loss) and float(loss) > 0
    torch.testing.assert_close(loss, expected, rtol=0, atol=0)
