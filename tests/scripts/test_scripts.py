"""Every file under scripts/ is a thin wrapper: a docstring, one import of a library ``main`` and the ``__main__``
guard. Job and conversion scripts wrap the ``main`` that the ``hf-spiking`` subcommand of the same job runs;
benchmark scripts wrap ``hf_spiking.benchmarks.<name>``."""

import ast
import importlib
from pathlib import Path

import pytest

from hf_spiking.cli import JOB_COMMANDS

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "scripts"
DOC_TOOLS = {"make_synthetic_shapes_docs"}  # regenerates docs/ from the library; not a library entry point
WRAPPERS = sorted(path.stem for path in SCRIPTS_DIR.glob("*.py") if path.stem not in DOC_TOOLS)
BENCHMARK_WRAPPERS = sorted(f"benchmarks/{path.stem}" for path in (SCRIPTS_DIR / "benchmarks").glob("*.py"))
COMMAND_MODULES = {module_name for module_name, _ in JOB_COMMANDS.values()}


def _wrapped_module(name: str) -> str:
    """The module whose ``main`` the script imports, after checking that the script holds nothing else."""
    tree = ast.parse((SCRIPTS_DIR / f"{name}.py").read_text())
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    imports = [node for node in body if isinstance(node, ast.ImportFrom)]
    assert len(imports) == 1 and [alias.name for alias in imports[0].names] == ["main"], ast.dump(tree)[:500]
    assert len(body) == 2 and isinstance(body[1], ast.If), "a script holds one import and the __main__ guard only"
    return imports[0].module


def test_every_job_and_conversion_has_a_script():
    # Named after its module (convert_svl_original_to_hf.py) or its subcommand (reproduce_lvc_miniature.py).
    for command, (module_name, _) in JOB_COMMANDS.items():
        assert {module_name.rsplit(".", 1)[-1], command.replace("-", "_")} & set(WRAPPERS), command


@pytest.mark.parametrize("name", WRAPPERS)
def test_script_is_a_thin_wrapper_of_a_job_main(name, load_script):
    library_module = _wrapped_module(name)
    assert library_module in COMMAND_MODULES
    assert load_script(name).main is importlib.import_module(library_module).main


@pytest.mark.parametrize("name", BENCHMARK_WRAPPERS)
def test_benchmark_script_is_a_thin_wrapper(name, load_script):
    library_module = _wrapped_module(name)
    assert library_module == "hf_spiking." + name.replace("/", ".")
    assert load_script(name).main is importlib.import_module(library_module).main
