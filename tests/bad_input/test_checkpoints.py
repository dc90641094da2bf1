"""Bad-input corpus, checkpoints: saved folders whose weights, files or processor settings do not fit.

Each family's tiny model is saved once; every case copies that folder, damages it (drops or adds tensors, edits
config.json, truncates or garbles model.safetensors, writes an invalid processor file) and loads it. A refused case
asserts the package exception and that the message names the file, the keys or field, and the expected form; an
accepted case (a different head, an explicit opt-in) asserts the loaded numbers.
"""

import json
import logging
import shutil
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoFeatureExtractor, AutoImageProcessor, pipeline

import hf_spiking
from hf_spiking.checkpoints import CheckpointError, CheckpointMismatchError, ProcessorConfigError
from hf_spiking.models.lvc import LVCForVideoQA, LVCProcessor
from hf_spiking.models.phi3_v.image_processing_phi3_v import Phi3VImageProcessor
from hf_spiking.models.phi3_v.modeling_phi3_v import Phi3VForCausalLM, Phi3VModel
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
    SpikingPointEventFeatureExtractor,
    SpikingPointFeatureExtractor,
)
from hf_spiking.models.trevsnn import (
    TRevSNNEventFeatureExtractor,
    TRevSNNForImageClassification,
    TRevSNNImageProcessor,
    TRevSNNModel,
)
from tests.bad_input import assert_refused
from tests.models.lvc.testing_utils import make_lvc_processor
from tests.models.phi3_v.test_modeling_phi3_v import tiny_config as tiny_phi3_v_config

WEIGHTS = "model.safetensors"
# The class each family's clean folder was saved from (its config.architectures[0]).
SAVED_CLASSES = {
    "svl": SpikingPointEncoderModel,
    "trevsnn": TRevSNNForImageClassification,
    "lvc": LVCForVideoQA,
    "phi3_v": Phi3VForCausalLM,
}


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """``{family: folder}``: each family's tiny random model saved once (never modified by the cases)."""
    root = tmp_path_factory.mktemp("clean")
    torch.manual_seed(0)
    models = {
        "svl": hf_spiking.create_model("svl-pointformer-test"),
        "trevsnn": hf_spiking.create_model("trevsnn-test"),
        "lvc": hf_spiking.create_model("lvc-internvl-test"),
        "phi3_v": Phi3VForCausalLM(tiny_phi3_v_config()),
    }
    for family, model in models.items():
        model.save_pretrained(root / family)
    return {family: root / family for family in models}


def copy_of(clean, family, tmp_path):
    folder = tmp_path / family
    shutil.copytree(clean[family], folder)
    return folder


def edit_config(folder, edit):
    path = folder / "config.json"
    config = json.loads(path.read_text())
    edit(config)
    path.write_text(json.dumps(config))


def edit_tensors(folder, edit):
    tensors = load_file(str(folder / WEIGHTS))
    edit(tensors)
    save_file(tensors, str(folder / WEIGHTS), metadata={"format": "pt"})


def drop(*prefixes):
    def edit(tensors):
        for key in [key for key in tensors if key.startswith(prefixes)]:
            del tensors[key]

    return edit


@contextmanager
def transformers_warnings():
    """Records transformers' log records (its loggers do not propagate to pytest's caplog)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    library_logger = logging.getLogger("transformers")
    library_logger.addHandler(handler)
    try:
        yield records
    finally:
        library_logger.removeHandler(handler)


# ---- weights that do not fit the class the folder was saved as ------------------------------------------------------
def _set(path, value):
    def edit(config):
        *parents, leaf = path.split(".")
        node = config
        for parent in parents:
            node = node[parent]
        node[leaf] = value if not callable(value) else value(node[leaf])

    return edit


MISMATCHES = [
    # (family, damage to the tensors, damage to config.json, load kwargs, error fragments)
    pytest.param("trevsnn", drop("classifier."), None, {}, ["missing 6 tensor(s)", "classifier.output.weight"],
                 id="trevsnn-classifier-missing"),
    pytest.param("trevsnn", drop("trevsnn.embeddings.conv1."), None, {}, ["trevsnn.embeddings.conv1"],
                 id="trevsnn-stem-missing"),
    pytest.param("trevsnn", None, _set("num_columns", lambda n: 2 * n), {}, ["missing", "trevsnn.columns.4."],
                 id="trevsnn-config-num-columns-4-to-8"),
    pytest.param("trevsnn", None, _set("num_columns", lambda n: n // 2), {}, ["unexpected", "trevsnn.columns.2."],
                 id="trevsnn-config-num-columns-4-to-2"),
    pytest.param("trevsnn", None, _set("hidden_sizes", lambda sizes: [2 * s for s in sizes]), {},
                 ["shapes differ", "(file (", "ignore_mismatched_sizes=True"], id="trevsnn-config-widths-doubled"),
    pytest.param("trevsnn", None, None, {"num_labels": 7},
                 ["shapes differ for 15 tensor(s)", "aux_classifiers.0.projection.bias (file (10,), model (7,))",
                  "ignore_mismatched_sizes=True"],
                 id="trevsnn-new-label-count-without-opt-in"),
    pytest.param("trevsnn", lambda t: t.update({"classifier.extra.weight": torch.zeros(3)}), None, {},
                 ["unexpected 1 tensor(s): classifier.extra.weight"], id="trevsnn-extra-tensor"),
    pytest.param("trevsnn", lambda t: t.update({"classifier.output.bias": torch.zeros(11)}), None, {},
                 ["classifier.output.bias (file (11,), model (10,))"], id="trevsnn-tensor-wrong-shape"),
    pytest.param("svl", drop("encoder.final_norm."), None, {}, ["missing", "encoder.final_norm.weight"],
                 id="svl-final-norm-missing"),
    pytest.param("svl", None, _set("num_hidden_layers", lambda n: n + 1), {}, ["missing", "encoder.layers."],
                 id="svl-config-one-more-layer"),
    pytest.param("svl", None, _set("num_hidden_layers", lambda n: n - 1), {}, ["unexpected", "encoder.layers."],
                 id="svl-config-one-layer-fewer"),
    pytest.param("svl", lambda t: t.update({"head.weight": torch.zeros(2, 2)}), None, {},
                 ["unexpected 1 tensor(s): head.weight"], id="svl-extra-tensor"),
    pytest.param("lvc", drop("multi_modal_projector."), None, {}, ["missing", "multi_modal_projector"],
                 id="lvc-projector-missing"),
    pytest.param("lvc", None, _set("vlm_config.text_config.intermediate_size", lambda n: 2 * n), {},
                 ["shapes differ", "mlp.down_proj.weight", "ignore_mismatched_sizes=True"],
                 id="lvc-config-text-mlp-width-doubled"),
    pytest.param("phi3_v", drop("model.vision_embed_tokens.img_projection."), None, {},
                 ["missing 4 tensor(s)", "img_projection.0.weight"], id="phi3_v-projection-missing"),
    pytest.param("phi3_v", drop("lm_head."), None, {}, ["missing 1 tensor(s): lm_head.weight"],
                 id="phi3_v-lm-head-missing"),
    pytest.param("phi3_v", None, _set("vocab_size", lambda n: n + 8), {},
                 ["lm_head.weight (file (100, 32), model (108, 32))", "ignore_mismatched_sizes=True"],
                 id="phi3_v-config-vocab-size"),
]


@pytest.mark.parametrize(("family", "tensor_edit", "config_edit", "kwargs", "fragments"), MISMATCHES)
def test_weights_that_do_not_fit_the_saved_class_are_refused(
    clean, tmp_path, family, tensor_edit, config_edit, kwargs, fragments
):
    folder = copy_of(clean, family, tmp_path)
    if tensor_edit is not None:
        edit_tensors(folder, tensor_edit)
    if config_edit is not None:
        edit_config(folder, config_edit)
    model_class = SAVED_CLASSES[family]
    assert_refused(
        CheckpointMismatchError,
        lambda: model_class.from_pretrained(folder, **kwargs),
        folder / WEIGHTS,
        *fragments,
        "config",
    )


# ---- unreadable weight files --------------------------------------------------------------------------------------
def _truncate(data):
    return data[: len(data) // 2]


CORRUPTIONS = [
    pytest.param("trevsnn", _truncate, "incomplete metadata", id="trevsnn-truncated-half"),
    pytest.param("trevsnn", lambda data: data[:-1], "incomplete metadata", id="trevsnn-last-byte-missing"),
    pytest.param("trevsnn", lambda data: np.random.default_rng(0).bytes(4096), "header", id="trevsnn-random-bytes"),
    pytest.param("svl", lambda data: b"", "", id="svl-empty-file"),
    pytest.param("svl", lambda data: data[:8] + b"{garbage" + data[16:], "invalid JSON in header", id="svl-bad-header"),
    pytest.param("svl", lambda data: (2**40).to_bytes(8, "little") + data[8:], "header too large",
                 id="svl-header-length-huge"),
    pytest.param("lvc", _truncate, "incomplete metadata", id="lvc-truncated"),
    pytest.param("phi3_v", lambda data: data[:6], "", id="phi3_v-six-bytes"),
]


@pytest.mark.parametrize(("family", "corrupt", "detail"), CORRUPTIONS)
def test_corrupt_weight_files_are_refused_naming_the_file(clean, tmp_path, family, corrupt, detail):
    folder = copy_of(clean, family, tmp_path)
    path = folder / WEIGHTS
    path.write_bytes(corrupt(path.read_bytes()))
    assert_refused(
        CheckpointError,
        lambda: SAVED_CLASSES[family].from_pretrained(folder),
        f"{path} is not a readable safetensors file",
        detail,
        "save_pretrained",
    )


def _shard(folder, index_edit=None, remove_shard=False):
    """Rewrites the folder's weights as two shards plus model.safetensors.index.json."""
    tensors = load_file(str(folder / WEIGHTS))
    (folder / WEIGHTS).unlink()
    keys = sorted(tensors)
    shards = {"model-00001-of-00002.safetensors": keys[: len(keys) // 2],
              "model-00002-of-00002.safetensors": keys[len(keys) // 2 :]}
    for name, names in shards.items():
        save_file({key: tensors[key] for key in names}, str(folder / name), metadata={"format": "pt"})
    index = {"metadata": {}, "weight_map": {key: name for name, names in shards.items() for key in names}}
    text = json.dumps(index) if index_edit is None else index_edit(json.dumps(index))
    (folder / "model.safetensors.index.json").write_text(text)
    if remove_shard:
        (folder / "model-00002-of-00002.safetensors").unlink()


@pytest.mark.parametrize(
    ("damage", "fragments"),
    [
        pytest.param(lambda folder: _shard(folder, remove_shard=True),
                     ["model.safetensors.index.json lists the shard 'model-00002-of-00002.safetensors'"],
                     id="sharded-shard-missing"),
        pytest.param(lambda folder: _shard(folder, index_edit=lambda text: text[:-5]),
                     ["model.safetensors.index.json is not a safetensors index", "weight_map"],
                     id="sharded-index-not-json"),
        pytest.param(lambda folder: (folder / WEIGHTS).rename(folder / "pytorch_model.bin"),
                     ["holds only pickled weights (pytorch_model.bin)", "use_safetensors=False"],
                     id="pickled-weights-only"),
    ],
)
def test_unusable_weight_layouts_are_refused(clean, tmp_path, damage, fragments):
    folder = copy_of(clean, "trevsnn", tmp_path)
    damage(folder)
    assert_refused(CheckpointError, lambda: TRevSNNForImageClassification.from_pretrained(folder), folder, *fragments)


def test_sharded_checkpoint_loads_the_same_weights(clean, tmp_path):
    folder = copy_of(clean, "trevsnn", tmp_path)
    _shard(folder)
    sharded = TRevSNNForImageClassification.from_pretrained(folder)
    whole = TRevSNNForImageClassification.from_pretrained(clean["trevsnn"])
    for (name, value), (_, reference) in zip(sharded.state_dict().items(), whole.state_dict().items()):
        assert torch.equal(value, reference), name


def test_pickled_weights_load_with_the_explicit_opt_in(clean, tmp_path):
    folder = copy_of(clean, "trevsnn", tmp_path)
    reference = TRevSNNForImageClassification.from_pretrained(folder)
    (folder / WEIGHTS).unlink()
    torch.save(reference.state_dict(), folder / "pytorch_model.bin")
    loaded = TRevSNNForImageClassification.from_pretrained(folder, use_safetensors=False)
    assert torch.equal(loaded.classifier.output.weight, reference.classifier.output.weight)


# ---- paths that are not a saved folder ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        pytest.param(lambda clean: clean["trevsnn"] / WEIGHTS,
                     ["model.safetensors' is a file; expected the folder save_pretrained writes"], id="weights-file"),
        pytest.param(lambda clean: clean["trevsnn"] / "config.json",
                     ["config.json' is a file; expected the folder save_pretrained writes"], id="config-file"),
        pytest.param(lambda clean: "./no_such_folder",
                     ["no folder at './no_such_folder'", "written by save_pretrained, or a Hub repo id"],
                     id="dot-slash-missing-folder"),
        pytest.param(lambda clean: "runs/no/such/model", ["no folder at 'runs/no/such/model'", "Hub repo id"],
                     id="nested-relative-missing-folder"),
        pytest.param(lambda clean: str(clean["trevsnn"]) + "-typo", ["no folder at", "-typo'", "Hub repo id"],
                     id="absolute-missing-folder"),
        pytest.param(lambda clean: "my model", ["no folder at 'my model'", "Hub repo id"], id="name-with-space"),
        pytest.param(lambda clean: "no_such_local_model",
                     ["'no_such_local_model' is not a local folder", "could not be loaded as a Hub repo id"],
                     id="bare-name-offline"),
    ],
)
def test_model_sources_that_are_not_saved_folders_are_refused_naming_the_path(clean, source, fragments):
    assert_refused(CheckpointError, lambda: TRevSNNForImageClassification.from_pretrained(source(clean)), *fragments)


def test_processor_from_a_file_path_is_refused(clean):
    assert_refused(CheckpointError, lambda: TRevSNNImageProcessor.from_pretrained(clean["trevsnn"] / "config.json"),
                   "config.json' is a file; expected the folder save_pretrained writes")


# ---- a different head loads as transformers loads it --------------------------------------------------------------
def test_classifier_on_a_pretrained_encoder_folder_loads_with_new_head_named(clean):
    encoder = SpikingPointEncoderModel.from_pretrained(clean["svl"])
    with transformers_warnings() as records:
        classifier, info = SpikingPointEncoderForPointCloudClassification.from_pretrained(
            clean["svl"], num_labels=5, output_loading_info=True
        )
    assert {key.split(".")[0] for key in info["missing_keys"]} == {"classifier"}
    assert any("classifier" in record.getMessage() and "MISSING" in record.getMessage() for record in records)
    for name, value in encoder.state_dict().items():  # the encoder weights all came from the file
        assert torch.equal(classifier.point_encoder.state_dict()[name], value), name
    generator = torch.Generator().manual_seed(0)
    points = torch.rand(2, encoder.config.num_points, encoder.config.in_channels, generator=generator)
    logits = classifier(point_values=points).logits
    assert logits.shape == (2, 5) and torch.isfinite(logits).all()


def test_encoder_of_a_classifier_folder_loads_its_backbone(clean):
    classifier = TRevSNNForImageClassification.from_pretrained(clean["trevsnn"])
    encoder, info = TRevSNNModel.from_pretrained(clean["trevsnn"], output_loading_info=True)
    assert info["missing_keys"] == set() and {k.split(".")[0] for k in info["unexpected_keys"]} == {
        "classifier", "aux_classifiers"}
    pixels = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(encoder(pixels).pooler_output, classifier.trevsnn(pixels).pooler_output)


def test_new_label_set_loads_with_ignore_mismatched_sizes(clean):
    reference = TRevSNNForImageClassification.from_pretrained(clean["trevsnn"])
    model, info = TRevSNNForImageClassification.from_pretrained(
        clean["trevsnn"], num_labels=7, ignore_mismatched_sizes=True, output_loading_info=True
    )
    assert model.classifier.output.bias.shape == (7,)
    assert {key for key, _, _ in info["mismatched_keys"]} >= {"classifier.output.weight", "classifier.output.bias"}
    assert torch.equal(model.trevsnn.embeddings.conv1.weight, reference.trevsnn.embeddings.conv1.weight)


def test_causal_lm_folder_loads_into_the_bare_phi3_v_model(clean):
    full = Phi3VForCausalLM.from_pretrained(clean["phi3_v"])
    bare, info = Phi3VModel.from_pretrained(clean["phi3_v"], output_loading_info=True)
    assert info["missing_keys"] == set()
    assert torch.equal(bare.embed_tokens.weight, full.model.embed_tokens.weight)


def test_zero_shot_head_on_a_bare_encoder_folder_loads(clean):
    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(clean["svl"])
    encoder = SpikingPointEncoderModel.from_pretrained(clean["svl"])
    assert torch.equal(model.point_encoder.encoder.cls_token, encoder.encoder.cls_token)


def test_clean_folders_and_the_shipped_checkpoint_load_exactly(clean):
    for family, model_class in SAVED_CLASSES.items():
        _, info = model_class.from_pretrained(clean[family], output_loading_info=True)
        assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"], family
    shipped = hf_spiking.create_model("svl-default", pretrained=True)
    assert shipped.config.architectures == [type(shipped).__name__]


def test_every_family_raises_the_package_classes():
    from hf_spiking.models.lvc import checkpoints as lvc_link
    from hf_spiking.models.trevsnn import checkpoints as trevsnn_link

    assert lvc_link.CheckpointMismatchError is trevsnn_link.CheckpointMismatchError is CheckpointMismatchError
    assert issubclass(CheckpointMismatchError, CheckpointError) and issubclass(CheckpointError, ValueError)
    assert issubclass(ProcessorConfigError, CheckpointError)


# ---- processor files ----------------------------------------------------------------------------------------------
def _saved_processor(processor, tmp_path):
    processor.save_pretrained(tmp_path)
    return tmp_path


def _edit_json(path, edit):
    settings = json.loads(path.read_text())
    edit(settings)
    path.write_text(json.dumps(settings))


PROCESSOR_FILE_CASES = [
    # (processor, loader, file name, damage, fragments: field and value, expected form)
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", '{"num_points": 64,',
                 ["is not valid JSON", "line 1", "object of settings"], id="svl-invalid-json"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {"num_points": -5}, ["`num_points`", "-5", "integer from 1"],
                 id="svl-num-points-negative"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {"num_points": "8192"}, ["`num_points`", "'8192'", "integer"],
                 id="svl-num-points-string"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {"sampling": "magic"}, ["`sampling`", "'magic'", "'fps' or 'random'"],
                 id="svl-sampling-magic"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {"use_color": "yes"}, ["`use_color`", "'yes'", "True or False"],
                 id="svl-use-color-string"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {"default_color": 3}, ["`default_color`", "3", "[0, 1]"],
                 id="svl-default-color-out-of-range"),
    pytest.param(lambda: SpikingPointFeatureExtractor(num_points=64), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", "[1, 2, 3]", ["holds a JSON list", "object of settings"],
                 id="svl-json-list"),
    pytest.param(lambda: SpikingPointEventFeatureExtractor(sensor_size=(34, 34)), SpikingPointFeatureExtractor,
                 "preprocessor_config.json", {}, ["SpikingPointEventFeatureExtractor", "`feature_extractor_type`",
                                                  "AutoFeatureExtractor"], id="svl-settings-of-another-extractor"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 {"crop_size": {"height": -3, "width": 4}}, ["`crop_size`", "-3", "positive integer sizes"],
                 id="trevsnn-crop-size-negative"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 {"do_resize": "yes"}, ["`do_resize`", "'yes'", "true or false"], id="trevsnn-do-resize-string"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 {"image_std": [0, 0, 0]}, ["`image_std`", "(0, 0, 0)", "positive"], id="trevsnn-image-std-zero"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 {"image_mean": [0.5, 0.5]}, ["`image_mean`", "(0.5, 0.5)", "one or three finite numbers"],
                 id="trevsnn-image-mean-two-values"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 '{"rescale_factor": NaN, "image_processor_type": "TRevSNNImageProcessor"}',
                 ["`rescale_factor`", "nan", "finite positive number"], id="trevsnn-rescale-factor-nan"),
    pytest.param(lambda: TRevSNNImageProcessor(), TRevSNNImageProcessor, "preprocessor_config.json",
                 {"resample": 99}, ["`resample`", "99", "PIL's filters"], id="trevsnn-resample-unknown"),
    pytest.param(lambda: TRevSNNEventFeatureExtractor(num_frames=4, sensor_size=(34, 34)), TRevSNNEventFeatureExtractor,
                 "preprocessor_config.json", {"num_frames": 0}, ["`num_frames`", "0", "positive integer"],
                 id="trevsnn-event-num-frames-zero"),
    pytest.param(lambda: Phi3VImageProcessor(), Phi3VImageProcessor, "preprocessor_config.json", {"num_crops": -1},
                 ["`num_crops`", "-1", "positive integer"], id="phi3_v-num-crops-negative"),
    pytest.param(lambda: Phi3VImageProcessor(), Phi3VImageProcessor, "preprocessor_config.json", {"patch_size": 0},
                 ["`patch_size`", "0", "positive integer"], id="phi3_v-patch-size-zero"),
    pytest.param(lambda: Phi3VImageProcessor(), Phi3VImageProcessor, "preprocessor_config.json",
                 {"crop_size": {"height": 336, "width": 224}}, ["crop_size must be square", "336x224"],
                 id="phi3_v-crop-not-square"),
    pytest.param(lambda: Phi3VImageProcessor(), Phi3VImageProcessor, "preprocessor_config.json", "{", [
        "is not valid JSON"], id="phi3_v-invalid-json"),
]


@pytest.mark.parametrize(("make", "loader", "file_name", "damage", "fragments"), PROCESSOR_FILE_CASES)
def test_invalid_processor_files_are_refused_naming_file_and_field(tmp_path, make, loader, file_name, damage,
                                                                   fragments):
    folder = _saved_processor(make(), tmp_path)
    path = folder / file_name
    if isinstance(damage, str):
        path.write_text(damage)
    else:
        _edit_json(path, lambda settings: settings.update(damage))
    assert_refused(ProcessorConfigError, lambda: loader.from_pretrained(folder), path, *fragments)


@pytest.fixture(scope="module")
def lvc_processor_folder(tmp_path_factory):
    from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer

    folder = tmp_path_factory.mktemp("lvc_processor")
    make_lvc_processor(build_lvc_test_tokenizer(), num_frames=8, window_size=4).save_pretrained(folder)
    return folder


@pytest.mark.parametrize(
    ("damage", "fragments"),
    [
        pytest.param({"num_frames": "16"}, ["`num_frames`", "'16'", "positive integer"], id="lvc-num-frames-string"),
        pytest.param({"num_frames": 6}, ["num_frames (6)", "multiple of window_size (4)"],
                     id="lvc-num-frames-not-a-multiple"),
        pytest.param({"use_chat_template": "no"}, ["`use_chat_template`", "'no'", "true or false"],
                     id="lvc-use-chat-template-string"),
        pytest.param("{not json", ["processor_config.json is not valid JSON", "line 1"], id="lvc-invalid-json"),
    ],
)
def test_invalid_lvc_processor_file_is_refused(lvc_processor_folder, tmp_path, damage, fragments):
    folder = tmp_path / "processor"
    shutil.copytree(lvc_processor_folder, folder)
    path = folder / "processor_config.json"
    if isinstance(damage, str):
        path.write_text(damage)
    else:
        _edit_json(path, lambda settings: settings.update(damage))
    assert_refused(ProcessorConfigError, lambda: LVCProcessor.from_pretrained(folder), path, *fragments)


def test_auto_classes_name_the_field_of_an_invalid_file(tmp_path):
    folder = _saved_processor(SpikingPointFeatureExtractor(num_points=64), tmp_path / "svl")
    _edit_json(folder / "preprocessor_config.json", lambda settings: settings.update(num_points=-5))
    assert_refused(ProcessorConfigError, lambda: AutoFeatureExtractor.from_pretrained(folder),
                   "preprocessor_config.json", "`num_points`", "-5")
    folder = _saved_processor(TRevSNNImageProcessor(), tmp_path / "trevsnn")
    _edit_json(folder / "preprocessor_config.json", lambda settings: settings.update(do_normalize=1))
    assert_refused(ProcessorConfigError, lambda: AutoImageProcessor.from_pretrained(folder), "`do_normalize`", "1")


@pytest.fixture(scope="module")
def shipped_copy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shipped") / "svl-default"
    shutil.copytree(hf_spiking.default_model_path(), folder)
    return folder


def test_pipeline_refuses_an_invalid_preprocessor_file_instead_of_a_default(shipped_copy, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(shipped_copy, folder)
    _edit_json(folder / "preprocessor_config.json", lambda settings: settings.update(sampling="magic"))
    assert_refused(ProcessorConfigError, lambda: pipeline("zero-shot-3d-classification", model=str(folder)),
                   folder / "preprocessor_config.json", "`sampling`", "'magic'", "'fps' or 'random'")


def test_pipeline_without_preprocessor_file_uses_the_preprocessing_in_the_config(shipped_copy, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(shipped_copy, folder)
    (folder / "preprocessor_config.json").unlink()
    extractor = pipeline("zero-shot-3d-classification", model=str(folder)).feature_extractor
    config = json.loads((folder / "config.json").read_text())
    assert (extractor.num_points, extractor.sampling) == (config["num_points"], config["point_sampling"])


def test_pipeline_on_a_folder_with_corrupt_weights_names_the_file(shipped_copy, tmp_path):
    # transformers' pipeline() wraps the loading error of each model class it tries in its own ValueError ("Could not
    # load model ..."); the package's message, with the file, is carried inside it.
    folder = tmp_path / "model"
    shutil.copytree(shipped_copy, folder)
    weights = folder / WEIGHTS
    weights.write_bytes(weights.read_bytes()[:1000])
    assert_refused(ValueError, lambda: pipeline("zero-shot-3d-classification", model=str(folder)),
                   f"CheckpointError: {weights} is not a readable safetensors file", "save_pretrained")
