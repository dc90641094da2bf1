"""Bad-input corpus, conversion scripts: damaged official checkpoints given to convert-trevsnn, convert-svl and
convert-internvl2.

Each case writes an official-format checkpoint (the golden fixtures for T-RevSNN and SVL, a tiny generated InternVL2
folder), damages it (a tensor missing, an unknown or extra one, a wrong shape, a pickle, a corrupt or absent file)
and runs the command's ``main``. A refused case asserts the package exception and that the message names the file,
the keys and the expected form; an accepted case asserts the converted weights.
"""

import json
import pickle

import pytest
import torch
from safetensors.torch import load_file, save_file

from hf_spiking.checkpoints import CheckpointError, CheckpointMismatchError
from hf_spiking.models.lvc import convert_internvl2_original_to_hf as convert_internvl2
from hf_spiking.models.spiking_point_encoder import convert_svl_original_to_hf as convert_svl
from hf_spiking.models.trevsnn import convert_trevsnn_original_to_hf as convert_trevsnn
from tests.bad_input import assert_refused
from tests.models.lvc.test_conversion_lvc import (
    INTERNLM2_CONFIG,
    original_config,
    original_internlm2_state_dict,
    original_vision_state_dict,
)

SVL_SIZES = ["--num-groups", "16", "--group-size", "8", "--num-attention-heads", "3"]
# How each command that converts one checkpoint file is run, and the golden fixture holding its official weights.
RUN = {
    "convert-trevsnn": lambda path, out, *extra: convert_trevsnn.main([str(path), str(out), *extra]),
    "convert-svl": lambda path, out, *extra: convert_svl.main(
        ["--checkpoint", str(path), "--output-dir", str(out), *SVL_SIZES, *extra]
    ),
}
OFFICIAL_FIXTURE = {"convert-trevsnn": "trevsnn_official", "convert-svl": "pointformer_official"}


class NotATensor:
    """A pickled object of a user class: torch.load(weights_only=True) must refuse it even with --allow-pickle."""


# ---- convert-trevsnn ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trevsnn_official(fixtures_dir):
    fixture = load_file(str(fixtures_dir / "trevsnn_small.safetensors"))
    return {k.removeprefix("state_dict."): v for k, v in fixture.items() if k.startswith("state_dict.")}


def _without(key):
    return lambda state: state.pop(key)


def _replace(key, tensor):
    return lambda state: state.update({key: tensor})


TREVSNN_DAMAGE = [
    pytest.param("convert-trevsnn", _without("subnet0.alpha0"), CheckpointMismatchError,
                 ["not an official T-RevSNN FullNet state dict", "missing 1 tensor(s): subnet0.alpha0"],
                 id="trevsnn-config-tensor-missing"),
    pytest.param("convert-trevsnn", _without("subnet1.level0.blocks.0.dwconv1.weight"), CheckpointMismatchError,
                 ["do not fit TRevSNNForImageClassification", "missing 1 tensor(s)",
                  "trevsnn.columns.1.levels.0.blocks.0.dwconv1.weight"], id="trevsnn-column-tensor-missing"),
    pytest.param("convert-trevsnn", _without("cls_blocks.3.classifier2.weight"), CheckpointMismatchError,
                 ["missing 1 tensor(s): cls_blocks.3.classifier2.weight"], id="trevsnn-classifier-missing"),
    pytest.param("convert-trevsnn", _replace("decoder.head.weight", torch.zeros(2)), CheckpointMismatchError,
                 ["unrecognised key(s) ['decoder.head.weight']"], id="trevsnn-unknown-key"),
    pytest.param("convert-trevsnn", _replace("subnet1.level0.blocks.0.dwconv1.bias", torch.zeros(99)),
                 CheckpointMismatchError,
                 ["shapes differ", "trevsnn.columns.1.levels.0.blocks.0.dwconv1.bias (file (99,), model (8,))"],
                 id="trevsnn-wrong-shape"),
    pytest.param("convert-trevsnn", _replace("subnet0.alpha1", torch.zeros(16)), CheckpointMismatchError,
                 ["'subnet0.alpha1' has shape (16,)", "at least 2 dimension(s)"], id="trevsnn-alpha-too-few-dims"),
    pytest.param("convert-trevsnn", lambda state: state.update(
                     {"subnet2.level1.blocks.1.pwconv2_reuse.weight": torch.zeros(16, 64, 1, 1)}),
                 CheckpointMismatchError,
                 ["shared tensor 'trevsnn.shared_convs.1.pwconv2.weight' differs between columns"],
                 id="trevsnn-shared-conv-copies-differ"),
]


def test_convert_trevsnn_reads_a_pth_with_the_opt_in_like_safetensors(trevsnn_official, tmp_path):
    torch.save({"model": trevsnn_official}, tmp_path / "official.pth")
    save_file(trevsnn_official, str(tmp_path / "official.safetensors"))
    convert_trevsnn.main([str(tmp_path / "official.pth"), str(tmp_path / "a"), "--key", "model", "--allow_pickle"])
    convert_trevsnn.main([str(tmp_path / "official.safetensors"), str(tmp_path / "b")])
    from_pickle, from_safetensors = load_file(str(tmp_path / "a" / "model.safetensors")), load_file(
        str(tmp_path / "b" / "model.safetensors"))
    assert from_pickle.keys() == from_safetensors.keys() and len(from_pickle) == 439
    assert all(torch.equal(from_pickle[key], from_safetensors[key]) for key in from_pickle)


# ---- files that are not checkpoints (shared by the three commands' readers) ----------------------------------------
@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        pytest.param(lambda tmp_path: tmp_path / "missing.safetensors", ["does not exist"], id="path-does-not-exist"),
        pytest.param(lambda tmp_path: tmp_path, ["is a folder"], id="path-is-a-folder"),
        pytest.param(lambda tmp_path: _written(tmp_path / "weights.npz", b"PK\x03\x04"),
                     ["unsupported checkpoint format '.npz'", ".safetensors"], id="unsupported-suffix"),
        pytest.param(lambda tmp_path: _written(tmp_path / "weights.safetensors", b"\x10" + b"\x00" * 7 + b"{"),
                     ["is not a readable safetensors file"], id="corrupt-safetensors"),
        pytest.param(lambda tmp_path: _written(tmp_path / "weights.safetensors", b""),
                     ["is not a readable safetensors file"], id="empty-safetensors"),
    ],
)
@pytest.mark.parametrize("command", ["convert-trevsnn", "convert-svl"])
def test_conversion_commands_refuse_paths_that_are_not_checkpoints(tmp_path, make, fragments, command):
    path = make(tmp_path)
    assert_refused(CheckpointError, lambda: RUN[command](path, tmp_path / "out"), path, *fragments)


def _written(path, data):
    path.write_bytes(data)
    return path


# ---- convert-svl --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pointformer_official(fixtures_dir):
    fixture = load_file(str(fixtures_dir / "pointformer_small.safetensors"))
    return {k.removeprefix("state_dict."): v for k, v in fixture.items() if k.startswith("state_dict.")}


SVL_DAMAGE = [
    pytest.param("convert-svl", _without("reduce_dim.weight"), CheckpointMismatchError,
                 ["not an official PointFormer state dict", "missing 1 tensor(s): reduce_dim.weight"],
                 id="svl-config-tensor-missing"),
    pytest.param("convert-svl", _without("blocks.blocks.1.mlp.fc2.weight"), CheckpointMismatchError,
                 ["do not fit SpikingPointEncoderForPreTraining", "missing 1 tensor(s)",
                  "point_encoder.encoder.layers.1.mlp.fc2.weight"], id="svl-layer-tensor-missing"),
    pytest.param("convert-svl", _replace("blocks.extra.weight", torch.zeros(3)), CheckpointMismatchError,
                 ["not an official PointFormer state dict", "unrecognised key(s) ['blocks.extra.weight']"],
                 id="svl-unknown-key"),
    pytest.param("convert-svl", _replace("blocks.blocks.0.mlp.fc2.bias", torch.zeros(5)),
                 CheckpointMismatchError,
                 ["shapes differ", "point_encoder.encoder.layers.0.mlp.fc2.bias (file (5,), model ("],
                 id="svl-wrong-shape"),
    pytest.param("convert-svl", _replace("encoder.first_conv.0.weight", torch.zeros(4)), CheckpointMismatchError,
                 ["'encoder.first_conv.0.weight' has shape (4,)", "at least 2 dimension(s)"],
                 id="svl-conv-too-few-dims"),
]


@pytest.mark.parametrize(("command", "damage", "error_class", "fragments"), TREVSNN_DAMAGE + SVL_DAMAGE)
def test_conversion_refuses_damaged_weights_naming_file_and_keys(
    request, tmp_path, command, damage, error_class, fragments
):
    state = dict(request.getfixturevalue(OFFICIAL_FIXTURE[command]))
    damage(state)
    path = tmp_path / "official.safetensors"
    save_file(state, str(path))
    assert_refused(error_class, lambda: RUN[command](path, tmp_path / "out"), path, *fragments)
    assert not (tmp_path / "out").exists()


def _saved(checkpoint):
    return lambda path, official: torch.save(checkpoint(official), path)


UNREADABLE = [
    # (command, file name, writes the file from the official tensors, extra arguments, fragments)
    pytest.param("convert-trevsnn", "official.pth", _saved(lambda state: state), [],
                 ["is a pickle (torch.save) file", "--allow-pickle", ".safetensors"], id="trevsnn-pth-without-opt-in"),
    pytest.param("convert-trevsnn", "official.pth", _saved(lambda state: {"model": state, "hook": NotATensor()}),
                 ["--allow-pickle"], ["could not be read as a torch checkpoint of tensors", "NotATensor"],
                 id="trevsnn-pth-with-code-refused-even-with-opt-in"),
    pytest.param("convert-trevsnn", "official.pth", _saved(lambda state: list(state.values())), ["--allow-pickle"],
                 ["holds a list", "dictionary of tensors"], id="trevsnn-pth-holding-a-list"),
    pytest.param("convert-trevsnn", "official.pth", _saved(lambda state: state), ["--allow-pickle", "--key", "model"],
                 ["has no sub-dict 'model' (--key)", "its top-level keys: ['cls_blocks.0.classifier.0.bias'"],
                 id="trevsnn-pth-missing-key"),
    pytest.param("convert-trevsnn", "official.pth", lambda path, state: path.write_bytes(pickle.dumps(state)[:100]),
                 ["--allow-pickle"], ["could not be read as a torch checkpoint"], id="trevsnn-pth-truncated"),
    pytest.param("convert-trevsnn", "official.safetensors", lambda path, state: save_file(state, str(path)),
                 ["--prefix", "module."], ["no tensors with the prefix 'module.' (--prefix)"],
                 id="trevsnn-prefix-matches-nothing"),
    pytest.param("convert-svl", "svl.pt", _saved(lambda state: {"state_dict": state}), [],
                 ["is a pickle (torch.save) file", "--allow-pickle"], id="svl-pt-without-opt-in"),
    pytest.param("convert-svl", "svl.pt", _saved(lambda state: {"state_dict": torch.zeros(3)}), ["--allow-pickle"],
                 ["'state_dict' holds a Tensor", "dict of tensors"], id="svl-pt-state-dict-not-a-dict"),
    pytest.param("convert-svl", "svl.pt", _saved(lambda state: {"state_dict": state, "callback": NotATensor()}),
                 ["--allow-pickle"], ["could not be read as a torch checkpoint of tensors"],
                 id="svl-pt-with-code-refused"),
]


@pytest.mark.parametrize(("command", "file_name", "write", "arguments", "fragments"), UNREADABLE)
def test_conversion_refuses_pickles_without_opt_in_and_checkpoints_of_the_wrong_form(
    request, tmp_path, command, file_name, write, arguments, fragments
):
    path = tmp_path / file_name
    write(path, request.getfixturevalue(OFFICIAL_FIXTURE[command]))
    assert_refused(CheckpointError, lambda: RUN[command](path, tmp_path / "out", *arguments), path, *fragments)


def test_convert_svl_reads_a_training_pt_with_the_opt_in(pointformer_official, tmp_path):
    torch.save({"state_dict": {f"module.{k}": v for k, v in pointformer_official.items()}, "epoch": 3},
               tmp_path / "svl.pt")
    convert_svl.main(["--checkpoint", str(tmp_path / "svl.pt"), "--allow-pickle", "--output-dir",
                      str(tmp_path / "out"), *SVL_SIZES])
    converted = load_file(str(tmp_path / "out" / "model.safetensors"))
    official = pointformer_official["blocks.blocks.0.mlp.fc2.weight"]
    converted_weight = converted["point_encoder.encoder.layers.0.mlp.fc2.weight"]
    assert torch.equal(converted_weight, official.reshape(official.shape[:2]))


# ---- convert-internvl2 --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def internvl2_original():
    config = original_config(INTERNLM2_CONFIG)
    state = {**original_vision_state_dict(config, 32), **original_internlm2_state_dict(INTERNLM2_CONFIG)}
    return config, state


def _internvl2_folder(tmp_path, config, state):
    folder = tmp_path / "InternVL2-tiny"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    save_file(state, str(folder / "model.safetensors"))
    return folder


def _vision_without(key):
    def damage(config, state):
        del config["vision_config"][key]

    return damage


INTERNVL2_DAMAGE = [
    pytest.param(lambda config, state: state.pop("mlp1.1.weight"), CheckpointMismatchError,
                 ["missing 1 tensor(s): model.multi_modal_projector.linear_1.weight", "native InternVL model"],
                 id="internvl2-projector-missing"),
    pytest.param(lambda config, state: state.update({"mlp2.0.weight": torch.zeros(2)}), CheckpointMismatchError,
                 ["unrecognised InternVL2 parameters", "mlp2.0.weight"], id="internvl2-unknown-parameter"),
    pytest.param(lambda config, state: state.update({"mlp1.1.weight": state["mlp1.1.weight"].t().contiguous()}),
                 CheckpointMismatchError, ["shapes differ", "model.multi_modal_projector.linear_1.weight (file ("],
                 id="internvl2-projector-transposed"),
    pytest.param(_vision_without("hidden_size"), CheckpointError, ["config.json lacks the field 'hidden_size'"],
                 id="internvl2-config-field-missing"),
    pytest.param(lambda config, state: config.pop("vision_config"), CheckpointError,
                 ["has no 'vision_config' object", "InternVLChatConfig"], id="internvl2-config-section-missing"),
]


@pytest.mark.parametrize(("damage", "error_class", "fragments"), INTERNVL2_DAMAGE)
def test_convert_internvl2_refuses_damaged_checkpoints(internvl2_original, tmp_path, damage, error_class, fragments):
    config, state = json.loads(json.dumps(internvl2_original[0])), dict(internvl2_original[1])
    damage(config, state)
    folder = _internvl2_folder(tmp_path, config, state)
    assert_refused(error_class, lambda: convert_internvl2.main(["--input_dir", str(folder), "--output_dir",
                                                          str(tmp_path / "out"), "--image_token_id", "7"]),
            folder, *fragments)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("damage", "fragments"),
    [
        pytest.param(lambda folder: folder.rename(folder.with_name("elsewhere")), ["is not a folder"],
                     id="internvl2-input-dir-missing"),
        pytest.param(lambda folder: (folder / "config.json").unlink(), ["has no config.json"],
                     id="internvl2-config-missing"),
        pytest.param(lambda folder: (folder / "config.json").write_text("{\"llm_config\": "),
                     ["config.json is not valid JSON"], id="internvl2-config-not-json"),
        pytest.param(lambda folder: (folder / "model.safetensors").rename(folder / "pytorch_model.bin"),
                     ["no *.safetensors files", "pickled .bin checkpoints are not read"], id="internvl2-bin-only"),
        pytest.param(lambda folder: (folder / "model.safetensors").write_bytes(b"\x00" * 7),
                     ["model.safetensors is not a readable safetensors file"], id="internvl2-corrupt-shard"),
    ],
)
def test_convert_internvl2_refuses_unreadable_folders(internvl2_original, tmp_path, damage, fragments):
    folder = _internvl2_folder(tmp_path, *internvl2_original)
    damage(folder)
    assert_refused(CheckpointError, lambda: convert_internvl2.main(["--input_dir", str(folder), "--output_dir",
                                                              str(tmp_path / "out")]), folder, *fragments)
