"""The ``hf-spiking`` command line.

    hf-spiking list [PATTERN]                       named presets and what they are
    hf-spiking energy PRESET [--input-shape ...]    build a preset (random weights) and print its energy table
    hf-spiking demo                                 zero-shot 3D classification of bundled shapes by the shipped SNN
    hf-spiking zero-shot FILE [--labels a,b,c]      classify a point-cloud file (folded vocabulary or given labels)
    hf-spiking JOB [JOB ARGUMENTS]                   a training, evaluation or conversion job (JOB_COMMANDS below);
                                                    ``hf-spiking JOB --help`` lists its arguments

``energy`` feeds a standard-normal tensor of ``--input-shape`` as the model's main input (``main_input_name``
for transformers models, else positionally). Without ``--input-shape`` it uses the model's own ``dummy_inputs``
when its class defines them.

Errors: a refused input (bad argument, file or value) exits with code 2 and one line on stderr naming the problem;
anything else is reported as "internal error" (exit code 1), with the traceback when ``--debug`` comes first
(``hf-spiking --debug energy ...``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import json
import sys
import traceback
from math import prod

import torch
from torch import nn

from .energy import CONVENTIONS, ENERGY_PRESETS, estimate_energy
from .registry import create_model, get_preset, list_models

# Subcommand -> (module whose `main(argv)` runs it, one-line help). The same modules back the scripts/ wrappers.
JOB_COMMANDS = {
    "pretrain-svl": ("hf_spiking.jobs.pretrain_svl", "MTA pretraining of an SVL point encoder with Trainer"),
    "pretrain-svl-openshape": (
        "hf_spiking.jobs.pretrain_svl_openshape",
        "MTA pretraining on OpenShape's corpus with precomputed teacher features (official recipes)",
    ),
    "fold-svl": ("hf_spiking.jobs.fold_svl", "Rep-VLI fold of precomputed class embeddings into a text-free head"),
    "eval-zero-shot": ("hf_spiking.jobs.eval_zero_shot", "zero-shot 3D classification accuracy of an SVL checkpoint"),
    "finetune-trevsnn": ("hf_spiking.jobs.finetune_trevsnn", "fine-tune a T-RevSNN image classifier with Trainer"),
    "finetune-point-classifier": (
        "hf_spiking.jobs.finetune_point_classifier",
        "fine-tune a spiking point encoder for 3D or event-cloud classification with Trainer",
    ),
    "finetune-point-segmentation": (
        "hf_spiking.jobs.finetune_point_segmentation",
        "train E-3DSNN as a spiking sparse U-Net for LiDAR semantic segmentation with Trainer",
    ),
    "finetune-point-detection": (
        "hf_spiking.jobs.finetune_point_detection",
        "train E-3DSNN as the backbone of a CenterPoint-style LiDAR 3D detector with Trainer",
    ),
    "train-lvc": ("hf_spiking.jobs.train_lvc", "train LVC's alignment layer on video question answering"),
    "eval-lvc-mcq": ("hf_spiking.jobs.eval_lvc_mcq", "multiple-choice video QA accuracy of an LVC model"),
    "reproduce-lvc-miniature": ("hf_spiking.jobs.lvc_miniature", "the offline LVC experiment end to end"),
    "train-point-llm": (
        "hf_spiking.jobs.train_point_llm",
        "train a point-language model's alignment or instruction stage with Trainer",
    ),
    "reproduce-point-qa-miniature": (
        "hf_spiking.jobs.point_qa_miniature",
        "the offline 3D question-answering experiment end to end (spiking vs ANN encoder)",
    ),
    "convert-svl": (
        "hf_spiking.models.spiking_point_encoder.convert_svl_original_to_hf",
        "convert an official SVL checkpoint (PointFormer, E-3DSNN)",
    ),
    "convert-trevsnn": (
        "hf_spiking.models.trevsnn.convert_trevsnn_original_to_hf",
        "convert an official T-RevSNN checkpoint",
    ),
    "convert-internvl2": (
        "hf_spiking.models.lvc.convert_internvl2_original_to_hf",
        "convert an InternVL2 checkpoint to transformers' native InternVL layout",
    ),
}


def _print_presets(pattern: str | None = None) -> None:
    names = list_models(pattern)
    if not names:
        print("no presets registered" + (f" matching {pattern!r}" if pattern else ""))
        return
    width = max(len(name) for name in names)
    for name in names:
        print(f"{name:{width}s}  {get_preset(name).description}")


MAX_INPUT_ELEMENTS = 2**26
"""Largest random input ``energy`` builds (64 Mi float32 values, 256 MiB): beyond it the model's activations would
exhaust the memory of an ordinary machine long before a number comes out."""

# An example --input-shape per main input name, so the suggestion fits the model (an image shape for a point model
# would be refused by its forward); point models get theirs from their config (_example_input_shape).
_EXAMPLE_SHAPES = {
    "pixel_values": "1 3 32 32 for one 32x32 RGB image",
}


def _point_input_size(model: nn.Module) -> tuple[int, int]:
    """(points, channels) of one cloud as the model's config records them (1024 points of xyz + rgb otherwise)."""
    config = getattr(model, "config", None)
    return getattr(config, "num_points", 1024), getattr(config, "in_channels", 6)


def _example_input_shape(model: nn.Module) -> str | None:
    main_input = getattr(model, "main_input_name", None)
    if main_input == "point_values":
        points, channels = _point_input_size(model)
        return f"1 {points} {channels} for one cloud of {points} points with {channels} values each"
    return _EXAMPLE_SHAPES.get(main_input)


def _check_point_input_shape(model: nn.Module, input_shape: list[int]) -> None:
    """A point model takes ``[batch, points, channels]`` with at most the feature extractor's MAX_NUM_POINTS."""
    from .models.spiking_point_encoder.feature_extraction_spiking_point_encoder import MAX_NUM_POINTS

    channels = _point_input_size(model)[1]
    if len(input_shape) != 3 or input_shape[2] != channels or input_shape[1] > MAX_NUM_POINTS:
        raise ValueError(
            f"--input-shape {' '.join(map(str, input_shape))} does not fit {type(model).__name__}: it takes "
            f"[batch, points, {channels}] with at most {MAX_NUM_POINTS:,} points (e.g. --input-shape "
            f"{_example_input_shape(model)})."
        )


def _checked_input_shape(input_shape: list[int]) -> list[int]:
    if any(size < 1 for size in input_shape):
        raise ValueError(f"--input-shape sizes must be positive, got {' '.join(map(str, input_shape))}.")
    if prod(input_shape) > MAX_INPUT_ELEMENTS:
        raise ValueError(
            f"--input-shape {' '.join(map(str, input_shape))} has {prod(input_shape):,} values; at most "
            f"{MAX_INPUT_ELEMENTS:,} are allowed (the energy per sample does not depend on the batch: use batch 1 "
            "and the model's own resolution)."
        )
    return input_shape


def _model_inputs(model: nn.Module, input_shape: list[int] | None):
    if input_shape:
        main_input = getattr(model, "main_input_name", None)
        if main_input == "point_values":
            _check_point_input_shape(model, input_shape)
        x = torch.randn(*input_shape)
        return {main_input: x} if main_input else (x,)
    from transformers import PreTrainedModel

    own_dummy = inspect.getattr_static(type(model), "dummy_inputs", None)
    if own_dummy is not None and own_dummy is not inspect.getattr_static(PreTrainedModel, "dummy_inputs"):
        return model.dummy_inputs
    main_input = getattr(model, "main_input_name", None)
    example = _example_input_shape(model)
    raise ValueError(
        f"{type(model).__name__} defines no dummy_inputs; pass --input-shape with the shape of "
        + (f"`{main_input}`" if main_input else "its first forward argument")
        + (f" (e.g. --input-shape {example})." if example else ".")
    )


def _energy(args) -> int:
    if args.input_shape:
        _checked_input_shape(args.input_shape)  # before building the model: refusing costs nothing
    if args.batch_size is not None and args.batch_size < 1:
        raise ValueError(f"--batch-size must be a positive number of samples, got {args.batch_size}.")
    model = create_model(args.preset)
    inputs = _model_inputs(model, args.input_shape)
    try:
        report = estimate_energy(
            model, inputs, precision=args.precision, batch_size=args.batch_size, convention=args.convention
        )
    except ValueError as error:  # the model refused the random input: say what would fit
        example = _example_input_shape(model)
        if not args.input_shape or example is None:
            raise
        raise ValueError(f"{error} (a shape that fits: --input-shape {example})") from error
    print(json.dumps(report.to_dict(), indent=2) if args.json else report)
    return 0


def _demo(args) -> int:
    from .demo import run_demo

    return run_demo()


def _zero_shot(args) -> int:
    from .demo import run_zero_shot

    labels = args.labels.split(",") if args.labels is not None else None
    return run_zero_shot(args.file, labels=labels, top_k=args.top_k)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hf-spiking", description=__doc__.splitlines()[0])
    # Peeled off by main() before anything else, so it also covers the job subcommands; listed here for --help.
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error (put it first)")
    commands = parser.add_subparsers(dest="command", required=True)

    list_parser = commands.add_parser("list", help="list the named model presets")
    list_parser.add_argument("pattern", nargs="?", help="substring or fnmatch pattern, e.g. 'svl-*'")
    list_parser.set_defaults(handler=lambda args: _print_presets(args.pattern) or 0)

    energy_parser = commands.add_parser("energy", help="estimate the energy of a preset with random weights")
    energy_parser.add_argument("preset", help="preset name (see `hf-spiking list`)")
    energy_parser.add_argument("--input-shape", type=int, nargs="+", metavar="N", help="shape of the random input")
    energy_parser.add_argument("--precision", choices=sorted(ENERGY_PRESETS), default="fp32", help="energy costs")
    energy_parser.add_argument(
        "--convention",
        choices=CONVENTIONS,
        default="measured",
        help="measured: MAC or AC per layer from its input; paper: encoding layers MAC, the rest AC at firing rates",
    )
    energy_parser.add_argument(
        "--batch-size", type=int, help="samples in the input (default: its first dimension; set it for [T, B, ...])"
    )
    energy_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    energy_parser.set_defaults(handler=_energy)

    demo_parser = commands.add_parser("demo", help="zero-shot 3D classification of bundled shapes, with energy")
    demo_parser.set_defaults(handler=_demo)

    zero_shot_parser = commands.add_parser("zero-shot", help="classify a point-cloud file with the shipped model")
    zero_shot_parser.add_argument("file", help="point cloud (.npy, .npz, .ply, .obj, .off, .xyz, .txt)")
    zero_shot_parser.add_argument("--labels", help="comma-separated candidate labels (default: the folded vocabulary)")
    zero_shot_parser.add_argument("--top-k", type=int, default=5, help="number of labels to print")
    zero_shot_parser.set_defaults(handler=_zero_shot)

    for command, (_, help_text) in JOB_COMMANDS.items():
        # Listed for `--help` only: main() hands a job's arguments to the job's own parser.
        commands.add_parser(command, help=help_text, add_help=False)
    return parser


REFUSED_INPUT_ERRORS = (ValueError, FileNotFoundError, IsADirectoryError, NotADirectoryError)
"""What a refused input raises in hf_spiking (ValueError subclasses, and a path that is not there)."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = bool(argv) and argv[0] == "--debug"
    if debug:
        argv = argv[1:]
    command = argv[0] if argv else ""
    try:
        with _usage_errors_raised(command):
            if command in JOB_COMMANDS:
                module_name, _ = JOB_COMMANDS[command]
                return importlib.import_module(module_name).main(argv[1:])
            args = build_parser().parse_args(argv)
            return args.handler(args)
    except REFUSED_INPUT_ERRORS as error:
        print(f"hf-spiking {command}: {_one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, the traceback on demand
        hint = "" if debug else " (rerun with `hf-spiking --debug ...` for the traceback)"
        print(f"hf-spiking {command}: internal error: {type(error).__name__}: {_one_line(error)}{hint}", file=sys.stderr)
        if debug:
            traceback.print_exc()
        return 1


@contextlib.contextmanager
def _usage_errors_raised(command: str):
    """argparse reports a bad flag by printing the usage block and exiting; here (the jobs' HfArgumentParsers
    included) it raises instead, so the refusal is one line on stderr like every other."""
    original = argparse.ArgumentParser.error

    def error(parser: argparse.ArgumentParser, message: str):
        where = f"hf-spiking {command}" if command in JOB_COMMANDS else parser.prog
        raise ValueError(f"{message} (see `{where} --help`)")

    argparse.ArgumentParser.error = error
    try:
        yield
    finally:
        argparse.ArgumentParser.error = original


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
