"""The hf-spiking command line: list, energy, demo and the job subcommands."""

import importlib
import json
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from hf_spiking import registry
from hf_spiking.cli import JOB_COMMANDS, build_parser, main
from hf_spiking.registry import ModelPreset, list_models, register_preset
from hf_spiking.snn import MultiSpike

PRESET = "cli-example-test"


@dataclass(frozen=True)
class _TinyConfig:
    in_features: int = 6
    hidden: int = 5


class _TinyNet(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.encoder = nn.Linear(config.in_features, config.hidden)
        self.spike = MultiSpike(4)
        self.head = nn.Linear(config.hidden, 2)

    def forward(self, x):
        return self.head(self.spike(self.encoder(x) * 4))


class _TinyNetWithDummyInputs(_TinyNet):
    @property
    def dummy_inputs(self):
        return (torch.ones(3, self.encoder.in_features),)


@pytest.fixture
def tiny_presets():
    presets = [
        ModelPreset(name=PRESET, config_class=_TinyConfig, model_class=_TinyNet, description="A tiny test net."),
        ModelPreset(name=PRESET + "-dummy", config_class=_TinyConfig, model_class=_TinyNetWithDummyInputs),
    ]
    for preset in presets:
        register_preset(preset)
    yield
    for preset in presets:
        registry._PRESETS.pop(preset.name)


def test_list_prints_every_preset_with_its_description(tiny_presets, capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == set(list_models())
    assert lines[PRESET].endswith("A tiny test net.")
    assert main(["list", "cli-example-*"]) == 0
    assert capsys.readouterr().out.split()[0] == PRESET


def test_energy_builds_the_preset_and_prints_its_table(tiny_presets, capsys):
    assert main(["energy", PRESET, "--input-shape", "2", "6"]) == 0
    out = capsys.readouterr().out
    assert "encoder  MAC" in out and "head     AC" in out and "total energy" in out
    assert main(["energy", PRESET, "--input-shape", "2", "6", "--precision", "int8", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["e_mac_pj"] == 0.23 and report["batch_size"] == 2
    assert report["layers"][0]["macs"] == 6 * 5  # per sample


def test_energy_uses_dummy_inputs_or_asks_for_a_shape(tiny_presets, capsys):
    assert main(["energy", PRESET + "-dummy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["batch_size"] == 3
    assert main(["energy", PRESET]) == 2
    assert "pass --input-shape" in capsys.readouterr().err
    assert main(["energy", "no-such-preset"]) == 2
    assert "Unknown model preset 'no-such-preset'" in capsys.readouterr().err


def test_energy_on_a_real_preset(capsys):
    if "trevsnn-test" not in list_models():
        pytest.skip("the T-RevSNN presets are not registered in this checkout")
    assert main(["energy", "trevsnn-test", "--input-shape", "1", "3", "32", "32", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total_energy_mj"] > 0 and report["layers"] and report["convention"] == "measured"
    assert main(["energy", "trevsnn-test", "--input-shape", "1", "3", "32", "32", "--json", "--convention", "paper"]) == 0
    paper = json.loads(capsys.readouterr().out)
    assert paper["convention"] == "paper" and 0 < paper["total_energy_mj"] < report["total_energy_mj"]


@pytest.mark.parametrize("command", sorted(JOB_COMMANDS))
def test_every_job_subcommand_hands_its_arguments_to_the_job(command, capsys):
    module_name, _ = JOB_COMMANDS[command]
    assert callable(importlib.import_module(module_name).main)
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage:" in out and build_parser().description not in out  # the job's own usage, not the overview


class _TinyPointNet(_TinyNet):
    main_input_name = "point_values"


@pytest.fixture
def point_preset():
    preset = ModelPreset(name=PRESET + "-points", config_class=_TinyConfig, model_class=_TinyPointNet)
    register_preset(preset)
    yield preset.name
    registry._PRESETS.pop(preset.name)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["energy", PRESET, "--input-shape", "1", "3", "100000", "100000"], "has 30,000,000,000 values; at most"),
        (["energy", PRESET, "--input-shape", "0", "6"], "--input-shape sizes must be positive"),
        (["energy", PRESET, "--input-shape", "-2", "6"], "--input-shape sizes must be positive"),
        (["energy", "no-such-preset"], "Unknown model preset 'no-such-preset'"),
        (["zero-shot", "/no/such/file.npy"], "hf-spiking zero-shot:"),
    ],
)
def test_refused_input_exits_2_with_one_line(tiny_presets, capsys, argv, message):
    assert main(argv) == 2
    assert message in _one_error_line(capsys)


def test_energy_suggests_a_shape_that_fits_the_model_input(point_preset, tiny_presets, capsys):
    assert main(["energy", point_preset]) == 2
    err = _one_error_line(capsys)
    assert "`point_values`" in err and "1 1024 6" in err and "RGB image" not in err


def test_unexpected_error_is_an_internal_error_with_the_traceback_behind_debug(tiny_presets, capsys):
    # A 2-D input of the wrong width fails inside torch's matmul: not a refused input, a RuntimeError.
    assert main(["energy", PRESET, "--input-shape", "2", "7"]) == 1
    err = _one_error_line(capsys)
    assert err.startswith("hf-spiking energy: internal error: RuntimeError:") and "--debug" in err
    assert main(["--debug", "energy", PRESET, "--input-shape", "2", "7"]) == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError" in err and "Traceback (most recent call last)" in err
