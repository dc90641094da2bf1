"""The accelerate configurations shipped for large-scale runs load, and name layer classes that exist."""

import importlib
from pathlib import Path

import pytest
from accelerate.commands.config.config_args import ClusterConfig
from accelerate.utils import DistributedType

import hf_spiking.jobs

CONFIGS = sorted((Path(hf_spiking.jobs.__file__).parent / "accelerate_configs").glob("*.yaml"))


def test_configs_ship_with_the_jobs():
    assert [path.name for path in CONFIGS] == ["fsdp_lvc_projector.yaml"]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: path.name)
def test_fsdp_config_loads_and_wraps_existing_transformers_layers(path):
    config = ClusterConfig.from_yaml_file(path)
    assert config.distributed_type == DistributedType.FSDP and config.mixed_precision == "bf16"
    fsdp = config.fsdp_config
    assert fsdp["fsdp_auto_wrap_policy"] == "TRANSFORMER_BASED_WRAP" and fsdp["fsdp_use_orig_params"]
    modeling = [importlib.import_module(f"transformers.models.{m}.modeling_{m}") for m in ("internvl", "llama", "qwen2", "phi3")]
    for name in fsdp["fsdp_transformer_layer_cls_to_wrap"].split(","):
        assert any(hasattr(module, name) for module in modeling), f"{name} is not a transformers layer class"
