"""Conversion of official BICLab/T-RevSNN weights, and parity with the official code on the golden fixture
``trevsnn_small``."""

import pytest
import torch

from hf_spiking.models.trevsnn import convert_trevsnn_original_to_hf


@pytest.fixture(scope="module")
def fixture(fixtures_dir):
    from safetensors.torch import load_file

    path = fixtures_dir / "trevsnn_small.safetensors"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return load_file(str(path))


@pytest.fixture(scope="module")
def converter():
    return convert_trevsnn_original_to_hf


@pytest.fixture(scope="module")
def official_state_dict(fixture):
    return {k.removeprefix("state_dict."): v for k, v in fixture.items() if k.startswith("state_dict.")}


def test_conversion_infers_config_and_stores_shared_convs_once(converter, official_state_dict):
    converted, config = converter.convert_official_state_dict(official_state_dict)
    assert config.hidden_sizes == (8, 16, 32, 48) and config.kernel_size == 3 and config.num_columns == 4
    assert config.num_labels == 10 and config.intermediate_supervision and not config.dvs
    # 499 official entries, of which 4 shared convs x 5 tensors appear once per column (3 extra copies each).
    assert len(official_state_dict) == 499 and len(converted) == 499 - 20 * 3
    model = converter.load_official_model(official_state_dict)
    assert sum(p.numel() for p in model.parameters()) == 252_464


def test_eval_logits_of_every_head_match(converter, official_state_dict, fixture):
    model = converter.load_official_model(official_state_dict).eval()
    with torch.no_grad():
        out = model(fixture["inputs.images"])
    for i in range(4):
        torch.testing.assert_close(out.head_logits[i], fixture[f"outputs.logits.{i}"], rtol=0, atol=1e-5)
    torch.testing.assert_close(out.logits, fixture["outputs.logits.3"], rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def training_steps(converter, official_state_dict, fixture):
    """One official training step through the reversible path and through plain autograd."""
    steps = {}
    for reversible in (True, False):
        model = converter.load_official_model(official_state_dict, reversible=reversible).train()
        out = model(fixture["inputs.images"], labels=fixture["train.labels"])
        out.loss.backward()
        steps[reversible] = (model, out)
    return steps


@pytest.mark.parametrize("reversible", [True, False])
def test_training_step_loss_and_gradients_match(converter, official_state_dict, fixture, training_steps, reversible):
    model, out = training_steps[reversible]
    torch.testing.assert_close(out.loss.detach(), fixture["train.loss"], rtol=1e-4, atol=0)
    for i in range(4):
        torch.testing.assert_close(out.head_logits[i].detach(), fixture[f"train.logits.{i}"], rtol=0, atol=1e-5)

    params = dict(model.named_parameters())
    key_map = converter.official_key_map(official_state_dict, model.config)
    stored = {k.removeprefix("train.grad."): v for k, v in fixture.items() if k.startswith("train.grad.")}
    assert len(stored) == 376
    for official_key, expected in stored.items():
        grad = params[key_map[official_key]].grad
        if grad is None:  # the first column's alphas multiply a zero state: the official gradient is exactly 0
            assert official_key.startswith("subnet0.alpha") and not expected.any(), official_key
            continue
        scale = expected.abs().max().clamp_min(1e-12)
        assert (grad - expected).abs().max() / scale < 1e-4, official_key


def test_batchnorm_statistics_update_once_per_step(official_state_dict, training_steps):
    """The official recomputation updates running statistics twice per step; here the backward leaves them alone."""
    stored_mean = official_state_dict["subnet1.level1.fusion.down.encode_bn.running_mean"]
    reversible_norm = training_steps[True][0].trevsnn.columns[1].levels[1].fusion.down.norm
    plain_norm = training_steps[False][0].trevsnn.columns[1].levels[1].fusion.down.norm
    assert int(reversible_norm.num_batches_tracked) == 2  # 1 from the fixture's calibration + this step
    torch.testing.assert_close(reversible_norm.running_mean, plain_norm.running_mean, rtol=0, atol=1e-6)
    assert not torch.equal(stored_mean, reversible_norm.running_mean)
