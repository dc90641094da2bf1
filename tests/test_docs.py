"""Every code block in README.md and docs/*.md runs as written.

``python`` blocks run in a fresh interpreter in an empty folder (blocks written as ``>>>`` sessions run as doctests,
so their printed results are checked too). ``bash`` blocks run line by line from the repository
root, except the Quick start (CI runs it) and the commands of long jobs (training, evaluation on real data,
benchmarks), which are shown in blocks preceded by ``<!-- parse-only -->``: there each command's arguments are parsed
by the job's own parser, so a renamed or mistyped flag fails here.
"""

import importlib
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(<!-- parse-only -->\n)?```(\w+)\n(.*?)\n```", re.S)


def _blocks(language: str, parse_only: bool):
    for document in DOCUMENTS:
        for index, match in enumerate(BLOCK.finditer(document.read_text(encoding="utf-8"))):
            if match.group(2) == language and bool(match.group(1)) == parse_only:
                yield pytest.param(match.group(3), id=f"{document.name}-{index}")


def _commands(block: str) -> list[list[str]]:
    joined = block.replace("\\\n", " ")
    return [shlex.split(line, comments=True) for line in joined.splitlines() if line.split("#", 1)[0].strip()]


@pytest.mark.slow
@pytest.mark.parametrize("code", _blocks("python", parse_only=False))
def test_python_block_runs(code, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if code.startswith(">>> "):
        (tmp_path / "session.txt").write_text(code + "\n")
        command = [sys.executable, "-m", "doctest", "session.txt"]
    else:
        command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.mark.parametrize("block", [b for b in _blocks("bash", parse_only=False) if "pip install" not in b.values[0]])
def test_bash_block_runs(block):
    for command in _commands(block):
        result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command}: {result.stderr[-3000:]}"


def _job_module(command: list[str]) -> tuple[str, list[str]]:
    from hf_spiking.cli import JOB_COMMANDS

    if command[:2] == ["accelerate", "launch"]:  # the launcher's own flags come before the script or -m module
        start = next(i for i, word in enumerate(command) if word.startswith("scripts/") or word == "-m")
        if command[start] == "-m":
            return command[start + 1], command[start + 2:]
        command = ["python", *command[start:]]
    if command[0] == "hf-spiking":
        return JOB_COMMANDS[command[1]][0], command[2:]
    assert command[0] == "python" and command[1].startswith("scripts/"), command
    return command[1], command[2:]


@pytest.mark.parametrize("block", _blocks("bash", parse_only=True))
def test_long_job_commands_parse(block, load_script):
    for command in _commands(block):
        target, arguments = _job_module(command)
        if target.startswith("scripts/"):
            assert (REPO_ROOT / target).is_file(), target
            # A thin wrapper: its `main` belongs to the library module that also parses the arguments.
            target = load_script(target[len("scripts/"):-len(".py")]).main.__module__
        if "--bf16" in arguments and not torch.cuda.is_available():
            arguments = [*arguments, "--use_cpu", "true"]  # TrainingArguments refuses bf16 without a GPU otherwise
        importlib.import_module(target).parse_arguments(arguments)  # SystemExit on an unknown flag or a bad value
