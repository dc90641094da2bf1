"""Bad-input corpus, command line: ``hf-spiking`` run in-process (``hf_spiking.cli.main``) on refused input.

A refused input exits with code 2 and one ``hf-spiking <command>: ...`` line on stderr naming the problem (the
argument or file, the value and the expected form), never a traceback; argparse's own refusals (an unknown choice, a
non-integer) also exit 2. Accepted edge cases assert their result: a cloud 1e19 across classifies as the same cloud
at unit scale.
"""

import re

import numpy as np
import pytest
import torch

from hf_spiking import registry
from hf_spiking.assets import default_model_path
from hf_spiking.cli import main
from hf_spiking.registry import ModelPreset, register_preset

from .point_files import make_point_files


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return make_point_files(tmp_path_factory.mktemp("cli_files"))


def run_cli(argv, capsys) -> tuple[int, str, str]:
    """(exit code, the one ``hf-spiking ...`` line on stderr, stdout); fails on a traceback or several such lines."""
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse refusals
        code = exit_info.code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    problems = [line for line in captured.err.splitlines() if line.startswith("hf-spiking")]
    assert len(problems) <= 1, captured.err
    assert "usage:" not in captured.err, captured.err  # argparse's usage block is not printed: one line says it all
    return code, (problems[0] if problems else ""), captured.out


# (case id, argv with {file-name} placeholders for the files fixture, regular expressions the stderr line must match)
ZERO_SHOT_REFUSED = [
    ("missing-file", ["zero-shot", "{missing}"], [r"zero-shot: Point-cloud file .*missing\.npy.* does not exist"]),
    ("directory-not-file", ["zero-shot", "{directory}"], [r"does not exist or is not a file"]),
    ("unsupported-suffix", ["zero-shot", "{pts}"], [r"Unsupported point-cloud file .*cloud\.pts", r"expected one of"]),
    ("one-row-xyz", ["zero-shot", "{one_row_xyz}"], [r"1 distinct xyz point, i\.e\. zero extent", r"at least \d+"]),
    ("empty-xyz", ["zero-shot", "{empty_xyz}"], [r"empty\.xyz.*is empty \(0 bytes\)", r"expected rows of 3"]),
    ("nan-rows-npy", ["zero-shot", "{nan_npy}"], [r"NaN or infinite values \(1 of 200 rows.*row 7", r"finite"]),
    ("identical-points-npy", ["zero-shot", "{identical_npy}"], [r"1 distinct xyz point, i\.e\. zero extent"]),
    ("five-distinct-points", ["zero-shot", "{five_distinct_npy}"], [r"5 distinct xyz points", r"at least \d+"]),
    ("four-columns-xyz", ["zero-shot", "{four_columns_xyz}"],
     [r"shape \(30, 4\)", r"expected \(N, 3\) xyz or \(N, 6\)"]),
    ("ragged-xyz", ["zero-shot", "{ragged_xyz}"], [r"ragged\.xyz", r"number of columns changed from 3 to 2"]),
    ("truncated-ascii-ply", ["zero-shot", "{truncated_ply}"],
     [r"truncated\.ply.*truncated: its header declares element vertex 50", r"expected a PLY"]),
    ("zero-area-obj", ["zero-shot", "{zero_area_obj}"],
     [r"zero_area\.obj.*zero surface area", r"expected a Wavefront"]),
    ("garbage-npy", ["zero-shot", "{garbage_npy}"], [r"garbage\.npy.*not a \.npy file", r"expected a numeric array"]),
    ("pickled-npy", ["zero-shot", "{pickled_npy}"], [r"pickled\.npy.*pickled Python objects, which are never loaded"]),
    ("garbage-npz", ["zero-shot", "{garbage_npz}"], [r"garbage\.npz.*not a \.npz \(zip\) archive"]),
    ("garbage-off", ["zero-shot", "{garbage_off}"], [r"garbage\.off", r"expected an OFF mesh"]),
    ("colours-out-of-range", ["zero-shot", "{bad_colours_npy}"],
     [r"colour values in \[.*299\.9\]", r"\[0, 1\] or \[0, 255\]"]),
    ("duplicate-labels", ["zero-shot", "{good_npy}", "--labels", "chair,chair"],
     [r"`candidate_labels` names the same class more than once", r"'chair' and 'chair'"]),
    ("duplicate-labels-case", ["zero-shot", "{good_npy}", "--labels", "table,Table"], [r"'table' and 'Table'"]),
    ("labels-only-commas", ["zero-shot", "{good_npy}", "--labels", ","], [r"`--labels` must name at least one class"]),
    ("top-k-zero", ["zero-shot", "{good_npy}", "--top-k", "0"], [r"`top_k` must be a positive integer, got 0"]),
    ("top-k-negative", ["zero-shot", "{good_npy}", "--top-k", "-3"], [r"`top_k` must be a positive integer, got -3"]),
    ("top-k-not-an-integer", ["zero-shot", "{good_npy}", "--top-k", "x"],
     [r"argument --top-k: invalid int value: 'x'"]),
]

ENERGY_REFUSED = [
    ("unknown-preset", ["energy", "no-such-preset"], [r"Unknown model preset 'no-such-preset'"]),
    ("image-shape-allocating-120-gb", ["energy", "trevsnn-test", "--input-shape", "1", "3", "100000", "100000"],
     [r"--input-shape 1 3 100000 100000 has 30,000,000,000 values; at most 67,108,864"]),
    ("zero-size", ["energy", "svl-pointformer-test", "--input-shape", "0", "64", "6"], [r"sizes must be positive"]),
    ("negative-size", ["energy", "svl-pointformer-test", "--input-shape", "1", "-64", "6"],
     [r"sizes must be positive"]),
    ("image-shape-for-point-model", ["energy", "svl-pointformer-test", "--input-shape", "1", "3", "32", "32"],
     [r"--input-shape 1 3 32 32 does not fit", r"\[batch, points, 6\]", r"e\.g\. --input-shape 1 \d+ 6 for one cloud"]),
    ("too-many-points", ["energy", "svl-e3dsnn-test", "--input-shape", "1", "100000", "6"],
     [r"--input-shape 1 100000 6 does not fit", r"at most 65,536 points"]),
    ("wrong-channels-for-point-model", ["energy", "svl-pointformer-test", "--input-shape", "1", "64", "3"],
     [r"--input-shape 1 64 3 does not fit", r"\[batch, points, 6\]"]),
    ("fewer-points-than-groups", ["energy", "svl-pointformer-test", "--input-shape", "1", "8", "6"],
     [r"8 points, fewer than the model's 16 groups", r"a shape that fits: --input-shape 1 \d+ 6"]),
    ("image-model-wrong-rank", ["energy", "trevsnn-test", "--input-shape", "1", "3", "8"],
     [r"`pixel_values` must have shape", r"a shape that fits: --input-shape 1 3 32 32"]),
    ("batch-size-zero", ["energy", "svl-pointformer-test", "--batch-size", "0"],
     [r"--batch-size must be a positive number of samples, got 0"]),
    ("unknown-precision", ["energy", "svl-pointformer-test", "--precision", "fp8"],
     [r"argument --precision: invalid choice: 'fp8'"]),
    ("unknown-convention", ["energy", "svl-pointformer-test", "--convention", "magic"],
     [r"argument --convention: invalid choice: 'magic'"]),
    ("shape-not-integers", ["energy", "svl-pointformer-test", "--input-shape", "1", "x"],
     [r"argument --input-shape: invalid int value: 'x'"]),
    ("debug-flag-keeps-refusals-one-line", ["--debug", "energy", "no-such-preset"], [r"Unknown model preset"]),
]

OTHER_REFUSED = [
    ("unknown-command", ["no-such-command"], [r"invalid choice: 'no-such-command'"]),
    ("no-command", [], [r"the following arguments are required: command"]),
    ("energy-without-preset", ["energy"], [r"the following arguments are required: preset"]),
]

SVL = str(default_model_path())
JOB_REFUSED = [
    ("eval-missing-checkpoint", ["eval-zero-shot", "--checkpoint", "/no/such/folder"],
     [r"--checkpoint '/no/such/folder' is not a saved model folder"]),
    ("eval-source-points-runaway", ["eval-zero-shot", "--checkpoint", SVL, "--source_points", "100000000"],
     [r"--source_points must be an integer in \[1, 1048576\], got 100000000"]),
    ("fold-duplicate-class-names", ["fold-svl", "--checkpoint", SVL, "--output_dir", "/tmp/unused",
                                    "--class_embeddings", "a.npy", "--class_names", "a", "A ", "b"],
     [r"names the same class more than once"]),
    ("fold-num-points-runaway", ["fold-svl", "--checkpoint", SVL, "--output_dir", "/tmp/unused", "--num_points", "100000000"],
     [r"--num_points must be an integer in \[1, 65536\], got 100000000"]),
]

REFUSED = ZERO_SHOT_REFUSED + ENERGY_REFUSED + OTHER_REFUSED + JOB_REFUSED


@pytest.mark.parametrize("argv, patterns", [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED])
def test_refused_input_exits_2_with_one_line(files, capsys, argv, patterns):
    code, line, _ = run_cli([argument.format(**files) for argument in argv], capsys)
    assert code == 2, line
    for pattern in patterns:
        assert re.search(pattern, line), (pattern, line)


class _PointConfig:
    def __init__(self, **overrides):
        self.num_points, self.in_channels = 96, 4


class _PointModelWithoutDummyInputs(torch.nn.Module):
    main_input_name = "point_values"

    def __init__(self, config):
        super().__init__()
        self.config = config

    def forward(self, point_values):
        return point_values.sum(-1)


@pytest.fixture
def point_preset_without_dummy_inputs():
    preset = ModelPreset(name="bad-input-points-test", config_class=_PointConfig,
                         model_class=_PointModelWithoutDummyInputs)
    register_preset(preset)
    yield preset.name
    registry._PRESETS.pop(preset.name)


def test_point_preset_without_dummy_inputs_gets_a_point_cloud_shape(point_preset_without_dummy_inputs, capsys):
    code, line, _ = run_cli(["energy", point_preset_without_dummy_inputs], capsys)
    assert code == 2
    assert "pass --input-shape with the shape of `point_values` (e.g. --input-shape 1 96 4 for one cloud" in line
    assert "image" not in line


def test_energy_of_a_point_preset_runs_on_its_dummy_clouds(capsys):
    code, line, out = run_cli(["energy", "svl-pointformer-test"], capsys)
    assert code == 0 and line == ""
    assert "total energy" in out


def test_a_cloud_1e19_across_classifies_as_the_same_cloud_at_unit_scale(files, capsys, tmp_path):
    # Before the float64 normalisation, the squared radius overflowed float32 and collapsed such a cloud to zeros.
    cloud = np.load(files["good_npy"])
    np.save(tmp_path / "huge.npy", cloud * 1e19)
    code, line, out_huge = run_cli(["zero-shot", str(tmp_path / "huge.npy"), "--top-k", "3"], capsys)
    assert code == 0 and line == ""
    code, _, out_unit = run_cli(["zero-shot", files["good_npy"], "--top-k", "3"], capsys)
    assert code == 0
    # the label and score lines (the energy line may differ in its last digit)
    assert out_huge.splitlines()[1:3] == out_unit.splitlines()[1:3]
    assert out_huge.splitlines()[0].split(":")[1] == out_unit.splitlines()[0].split(":")[1]
