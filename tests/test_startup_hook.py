"""The start-up hook (``hf_spiking_startup.pth`` -> ``_hf_spiking_startup``): where hf_spiking is installed, importing
transformers registers hf_spiking, so saved folders load without ``import hf_spiking`` and without
``trust_remote_code``; start-up itself imports nothing heavy; ``HF_SPIKING_NO_STARTUP_HOOK=1`` turns it off; a hidden
or broken hf_spiking never breaks ``import transformers``. Every check runs in a fresh interpreter."""

import json
import os
import site
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hf_spiking
from hf_spiking.models.trevsnn import TRevSNNImageProcessor

from tests.remote_code import HIDE_HF_SPIKING

STARTUP_PTH = "hf_spiking_startup.pth"
DISABLE_ENV = "HF_SPIKING_NO_STARTUP_HOOK"


def _installed_startup_pth() -> Path | None:
    site_dirs = [*site.getsitepackages(), site.getusersitepackages()] if hasattr(site, "getsitepackages") else sys.path
    for directory in site_dirs:
        candidate = Path(directory) / STARTUP_PTH
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="module", autouse=True)
def _hook_installed():
    if _installed_startup_pth() is None:
        pytest.skip(f"{STARTUP_PTH} is in no site-packages directory (hf_spiking was installed without setup.py's "
                    "hook, e.g. by putting src/ on PYTHONPATH): nothing to test")


def _run(code: str, tmp_path, *, hook: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != DISABLE_ENV}
    if not hook:
        env[DISABLE_ENV] = "1"
    # Offline, one thread, and a private modules cache: were remote code ever loaded, it would not touch the real one.
    env.update(HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1", HF_MODULES_CACHE=str(tmp_path / "modules"))
    # stdin closed: a trust_remote_code prompt fails at once instead of waiting for an answer.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          stdin=subprocess.DEVNULL, cwd=tmp_path)


def _last_json(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr[-3000:]
    # After the marker: a trust_remote_code prompt, unanswered, leaves its question on the same line of stdout.
    assert "RESULT" in result.stdout, f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.rsplit("RESULT", 1)[1])


@pytest.fixture(scope="module")
def saved_folder(tmp_path_factory):
    """A tiny T-RevSNN saved with its image processor (the folder's auto_map names its code, for trust_remote_code)."""
    folder = tmp_path_factory.mktemp("trevsnn_startup_hook")
    hf_spiking.create_model("trevsnn-test").eval().save_pretrained(folder)
    TRevSNNImageProcessor(size={"shortest_edge": 36}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    assert "auto_map" in json.loads((folder / "config.json").read_text())
    return folder


def test_saved_folder_loads_through_auto_classes_without_importing_hf_spiking(saved_folder, tmp_path):
    code = textwrap.dedent(
        f"""
        import json, sys
        assert not any("hf_spiking" in name.split(".")[0] and name != "_hf_spiking_startup" for name in sys.modules)
        from transformers import AutoConfig, AutoImageProcessor, AutoModelForImageClassification, pipeline
        folder = {str(saved_folder)!r}
        config = AutoConfig.from_pretrained(folder)
        model = AutoModelForImageClassification.from_pretrained(folder)
        processor = AutoImageProcessor.from_pretrained(folder)
        classifier = pipeline("image-classification", model=folder)
        print("RESULT", json.dumps({{
            "config": type(config).__module__ + "." + type(config).__name__,
            "model": type(model).__module__ + "." + type(model).__name__,
            "processor": type(processor).__module__,
            "pipeline_model": type(classifier.model).__module__,
            "hf_spiking": "hf_spiking" in sys.modules,
        }}))
        """
    )
    result = _run(code, tmp_path)
    # No trust_remote_code question either (pipeline() also tries a video processor, guessed from the auto_map).
    assert "custom code" not in result.stdout, result.stdout[-2000:]
    report = _last_json(result)
    # hf_spiking's own classes, not copies loaded from the folder as remote code (transformers_modules...).
    assert report == {
        "config": "hf_spiking.models.trevsnn.configuration_trevsnn.TRevSNNConfig",
        "model": "hf_spiking.models.trevsnn.modeling_trevsnn.TRevSNNForImageClassification",
        "processor": "hf_spiking.models.trevsnn.image_processing_trevsnn",
        "pipeline_model": "hf_spiking.models.trevsnn.modeling_trevsnn",
        "hf_spiking": True,
    }
    assert not (tmp_path / "modules").exists() or not any((tmp_path / "modules").rglob("*.py"))


def test_importing_an_auto_submodule_first_also_registers(tmp_path):
    code = (
        "import json, sys\n"
        "from transformers.models.auto import configuration_auto\n"
        "registered = 'trevsnn' in configuration_auto.CONFIG_MAPPING_NAMES\n"
        "print('RESULT', json.dumps([registered, 'hf_spiking' in sys.modules]))\n"
    )
    assert _last_json(_run(code, tmp_path)) == [True, True]


def test_environment_variable_turns_the_hook_off(saved_folder, tmp_path):
    code = textwrap.dedent(
        f"""
        import json, sys
        from transformers import AutoConfig
        try:
            AutoConfig.from_pretrained({str(saved_folder)!r})
            outcome = "loaded"
        except ValueError as error:
            outcome = "asks for trust_remote_code" if "trust_remote_code" in str(error) else repr(error)
        print("RESULT", json.dumps({{"outcome": outcome, "modules": sorted(m for m in sys.modules if "spiking" in m)}}))
        """
    )
    assert _last_json(_run(code, tmp_path, hook=False)) == {"outcome": "asks for trust_remote_code", "modules": []}


def test_start_up_imports_only_the_hook_module(tmp_path):
    code = (
        "import json, sys\n"
        "heavy = ('transformers', 'torch')\n"
        "print('RESULT', json.dumps(sorted(m for m in sys.modules if 'spiking' in m or m.split('.')[0] in heavy)))\n"
    )
    assert _last_json(_run(code, tmp_path)) == ["_hf_spiking_startup"]


@pytest.mark.parametrize(
    "hide",
    [HIDE_HF_SPIKING, "import sys\nsys.modules['hf_spiking'] = None\n"],
    ids=["meta-path-finder-raises", "sys-modules-none"],
)
def test_hidden_hf_spiking_stays_hidden_and_transformers_imports(hide, tmp_path):
    # The trust_remote_code tests hide hf_spiking this way: the hook must swallow the ImportError, silently.
    code = hide + textwrap.dedent(
        """
        import json, sys, warnings
        warnings.simplefilter("error")
        import transformers
        from transformers.models.auto import configuration_auto
        print("RESULT", json.dumps({
            "modules": sorted(m for m, mod in sys.modules.items() if m.startswith("hf_spiking") and mod is not None),
            "registered": "trevsnn" in configuration_auto.CONFIG_MAPPING_NAMES,
            "hook_left": [type(f).__name__ for f in sys.meta_path if type(f).__module__ == "_hf_spiking_startup"],
        }))
        """
    )
    assert _last_json(_run(code, tmp_path)) == {"modules": [], "registered": False, "hook_left": []}


def test_a_broken_hf_spiking_warns_but_does_not_break_transformers(tmp_path):
    code = textwrap.dedent(
        """
        import json, sys, warnings

        class Broken:
            def find_spec(self, name, path=None, target=None):
                if name == "hf_spiking":
                    raise RuntimeError("simulated breakage")

        sys.meta_path.insert(0, Broken())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import transformers
        messages = [str(w.message) for w in caught if "hf_spiking" in str(w.message)]
        print("RESULT", json.dumps([transformers.__name__, messages]))
        """
    )
    name, messages = _last_json(_run(code, tmp_path))
    assert name == "transformers"
    assert len(messages) == 1 and "simulated breakage" in messages[0] and DISABLE_ENV in messages[0]
