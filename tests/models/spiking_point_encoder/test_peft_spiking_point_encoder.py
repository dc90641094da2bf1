"""LoRA on SVL encoders with peft: E-3DSNN's sparse convolutions through the custom LoRA layer (exact LoRA algebra,
training, merging back to equal outputs) and the recipe for both backbones in docs/peft.md, run as documented."""

import re
from pathlib import Path

import pytest
import torch
from peft import LoraConfig, get_peft_model

import hf_spiking
from hf_spiking.models.spiking_point_encoder.e3dsnn import voxelize_points
from hf_spiking.models.spiking_point_encoder.peft_lora import SparseConvLoraLayer, register_sparse_conv_lora
from hf_spiking.models.spiking_point_encoder.sparse_conv import SparseConv3d, SubmanifoldConv3d

PEFT_DOC = Path(__file__).resolve().parents[3] / "docs" / "peft.md"


def sparse_input(channels=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    points = torch.rand(2, 60, 3, generator=generator)
    features = torch.rand(2, 60, channels - 3, generator=generator)
    return voxelize_points(torch.cat([points, features], dim=-1), voxel_size=0.1)


@pytest.mark.parametrize("conv", [SubmanifoldConv3d(4, 6, 3), SparseConv3d(4, 6, 2, 2)], ids=["submanifold", "strided"])
def test_sparse_conv_lora_is_the_conv_with_the_low_rank_update(conv):
    wrapper = torch.nn.Module()
    wrapper.conv = conv
    model = get_peft_model(wrapper, register_sparse_conv_lora(LoraConfig(r=2, lora_alpha=4, target_modules=["conv"])))
    layer = model.base_model.model.conv
    assert isinstance(layer, SparseConvLoraLayer) and type(layer.lora_A["default"]) is type(conv)
    sparse = sparse_input()
    with torch.no_grad():
        assert torch.equal(layer(sparse).features, conv(sparse).features)  # B starts at zero
        torch.nn.init.normal_(layer.lora_B["default"].weight)
        expected_weight = conv.weight + 2.0 * torch.einsum(
            "or,rxyzi->oxyzi", layer.lora_B["default"].weight, layer.lora_A["default"].weight
        )
        reference = type(conv)(4, 6, conv.kernel_size, *([conv.stride] if isinstance(conv, SparseConv3d) else []))
        reference.weight.copy_(expected_weight)
        torch.testing.assert_close(layer(sparse).features, reference(sparse).features, atol=1e-5, rtol=1e-5)
        unmerged = layer(sparse).features
        layer.merge()
        torch.testing.assert_close(conv.weight, expected_weight)
        torch.testing.assert_close(layer(sparse).features, unmerged, atol=1e-5, rtol=1e-5)
        layer.unmerge()
        torch.testing.assert_close(conv.weight, reference.weight - (expected_weight - conv.weight))


def test_e3dsnn_lora_trains_and_merges_back_to_equal_outputs():
    torch.manual_seed(0)
    config = hf_spiking.get_config("svl-e3dsnn-test", num_labels=3)
    model = hf_spiking.AutoModelForPointCloudClassification.from_config(config)
    num_convs = sum(isinstance(m, (SubmanifoldConv3d, SparseConv3d)) for m in model.modules())
    lora_config = register_sparse_conv_lora(
        LoraConfig(r=4, lora_alpha=8, target_modules=list(hf_spiking.E3DSNN_LORA_TARGET_MODULES),
                   modules_to_save=["classifier"])
    )
    peft_model = get_peft_model(model, lora_config)
    sparse_layers = [m for m in peft_model.modules() if isinstance(m, SparseConvLoraLayer)]
    assert len(sparse_layers) == num_convs > 0  # every sparse convolution
    trainable = {n for n, p in peft_model.named_parameters() if p.requires_grad}
    assert all("lora_" in n or "classifier" in n for n in trainable)

    points, labels = torch.rand(4, 200, 6), torch.tensor([0, 1, 2, 0])
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(6):
        loss = peft_model(point_values=points, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert all(m.get_delta_weight("default").abs().max() > 0 for m in sparse_layers)  # every adapter learned

    peft_model.eval()
    with torch.no_grad():
        adapted = peft_model(point_values=points).logits
        with peft_model.disable_adapter():
            assert not torch.allclose(peft_model(point_values=points).logits, adapted)
        merged = peft_model.merge_and_unload()
        assert not any(isinstance(m, SparseConvLoraLayer) for m in merged.modules())
        torch.testing.assert_close(merged(point_values=points).logits, adapted, atol=1e-5, rtol=1e-5)


def test_documented_lora_recipe_runs_as_written():
    blocks = re.findall(r"```python\n(.*?)```", PEFT_DOC.read_text(), flags=re.S)
    recipe = next(block for block in blocks if "register_sparse_conv_lora" in block)
    namespace = {}
    exec(compile(recipe, str(PEFT_DOC), "exec"), namespace)
    lora_names = [n for n, _ in namespace["pointformer"].named_modules() if n.endswith("lora_A")]
    assert lora_names and all(re.search(r"(attention\.(qkv|proj)|mlp\.(fc1|fc2))\.lora_A$", n) for n in lora_names)
    assert namespace["loss"].requires_grad and torch.isfinite(namespace["loss"])
    assert not any(isinstance(m, SparseConvLoraLayer) for m in namespace["merged"].modules())
