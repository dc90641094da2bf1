"""Tiny offline SpikingPointLLM models and processors shared by the family's tests."""

import numpy as np
import pytest
import torch

import hf_spiking
from hf_spiking.models.spiking_point_llm.presets import point_qa_test_processor


def randomise_batch_norm(model):
    # Fresh BatchNorm statistics can leave a spiking encoder silent: the point tokens would carry nothing.
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) * 0.09 + 0.01)
            module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator) * 0.1)


@pytest.fixture
def make_model():
    def make(name="svl-qa-pointformer-test"):
        torch.manual_seed(0)
        model = hf_spiking.create_model(name).eval()
        randomise_batch_norm(model)
        return model

    return make


@pytest.fixture
def processor():
    return point_qa_test_processor(hf_spiking.get_config("svl-qa-pointformer-test"))


@pytest.fixture
def clouds():
    rng = np.random.default_rng(0)
    return [rng.random((300, 6), dtype=np.float32) for _ in range(3)]
