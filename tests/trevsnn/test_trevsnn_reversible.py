"""The reversible column: gradients, retained memory, RNG, autocast, the alpha clamp, and the official-bug fixes."""

import warnings

import pytest
import torch
from huggingface_hub.errors import StrictDataclassClassValidationError

from _trevsnn_helpers import randomise_, tiny_config
from hf_spiking.models.trevsnn import TRevSNNAlphaPrecisionWarning, TRevSNNForImageClassification
from hf_spiking.models.trevsnn.modeling_trevsnn import TRevSNNStdConv2d

LABELS = torch.tensor([3, 7])


def _model(seed=0, alpha_range=(0.3, 0.7), **overrides):
    torch.manual_seed(seed)
    return randomise_(TRevSNNForImageClassification(tiny_config(**overrides)), seed, alpha_range).train()


def _grads(model, images, reversible, seed=1):
    model.config.reversible = reversible
    model.zero_grad()
    torch.manual_seed(seed)
    out = model(images, labels=LABELS)
    out.loss.backward()
    return out.loss.detach(), {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def _max_relative_error(grads, reference):
    assert grads.keys() == reference.keys()
    return max(((grads[n] - g).abs().max() / g.abs().max().clamp_min(1e-12)).item() for n, g in reference.items())


def test_reversible_gradients_equal_plain_autograd():
    model = _model()
    images = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(5))
    loss_rev, rev = _grads(model, images, reversible=True)
    loss_plain, plain = _grads(model, images, reversible=False)
    assert torch.equal(loss_rev, loss_plain)
    assert len(plain) == sum(1 for n, _ in model.named_parameters() if not n.startswith("trevsnn.columns.0.levels.") or not n.endswith("alpha"))
    assert _max_relative_error(rev, plain) < 1e-5


def test_rng_state_restored_for_drop_path():
    model = _model(drop_path_rate=0.3)
    images = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(5))
    loss_rev, rev = _grads(model, images, reversible=True)
    loss_plain, plain = _grads(model, images, reversible=False)
    assert torch.equal(loss_rev, loss_plain)
    assert _max_relative_error(rev, plain) < 1e-5
    # Drop path is really active: another seed gives another loss.
    assert not torch.equal(_grads(model, images, reversible=True, seed=2)[0], loss_rev)


@pytest.mark.parametrize("autocast", [False, True])
def test_standardized_conv_keeps_no_weight_sized_tensor_and_matches_autograd(autocast):
    """The standardised weight is recomputed in backward, not kept, with plain autograd's gradients bit for bit."""
    torch.manual_seed(0)
    conv = TRevSNNStdConv2d(5, 6, 3, stride=2)
    with torch.no_grad():
        conv.weight.normal_()
        conv.gain.normal_(1.0, 0.2)
        conv.bias.normal_()
    x = torch.randn(2, 5, 9, 9, requires_grad=True)
    saved = []

    def pack(tensor):
        saved.append(tensor)
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), torch.autocast("cpu", torch.bfloat16, enabled=autocast):
        out = conv(x)
    parameters = {p.untyped_storage().data_ptr() for p in conv.parameters()}
    assert [t for t in saved if t.untyped_storage().data_ptr() not in parameters] == [x]
    with torch.autocast("cpu", torch.bfloat16, enabled=autocast):
        reference = torch.nn.functional.conv2d(x, conv.standardized_weight(), conv.bias, conv.stride, conv.padding)
    assert out.dtype == (torch.bfloat16 if autocast else torch.float32) and torch.equal(out, reference)
    grad = torch.randn_like(out)
    inputs = (x, conv.weight, conv.gain, conv.bias)
    for got, expected in zip(torch.autograd.grad(out, inputs, grad), torch.autograd.grad(reference, inputs, grad)):
        assert torch.equal(got, expected)


def _saved_bytes(model, images):
    """Bytes of distinct tensors that autograd keeps for backward after the forward pass."""
    seen = {}

    def pack(tensor):
        seen[(tensor.untyped_storage().data_ptr(), tensor.storage_offset(), tuple(tensor.shape))] = (
            tensor.numel() * tensor.element_size()
        )
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model(images, labels=LABELS)
    return sum(seen.values())


def test_retained_memory_holds_only_column_states():
    images = torch.randn(2, 3, 32, 32)
    # Per column: the four states c_l of shape [2, C_l, H_l, W_l] at 32x32 input (8x8, 4x4, 2x2, 2x2), fp32.
    state_bytes = 2 * (8 * 64 + 16 * 16 + 32 * 4 + 48 * 4) * 4
    saved = {}
    for reversible, columns, mlp_ratio in [(True, 2, 4), (True, 2, 8), (True, 3, 4), (False, 2, 4), (False, 2, 8), (False, 3, 4)]:
        model = _model(num_columns=columns, mlp_ratio=mlp_ratio, intermediate_supervision=False, reversible=reversible)
        saved[reversible, columns, mlp_ratio] = _saved_bytes(model, images)
    # Independent of the activations inside a column (a wider hidden layer changes nothing) ...
    assert saved[True, 2, 4] == saved[True, 2, 8]
    assert saved[False, 2, 8] > saved[False, 2, 4]
    # ... and one more column adds exactly its four states, against far more on the plain path.
    assert saved[True, 3, 4] - saved[True, 2, 4] == state_bytes
    assert saved[False, 3, 4] - saved[False, 2, 4] > 20 * state_bytes


def test_autocast_bf16_on_cpu_matches_plain_path():
    model = _model(alpha_range=(0.5, 0.5), num_columns=2)
    images = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(5))
    dtypes = []
    model.trevsnn.columns[1].levels[0].blocks[0].pwconv1.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss_rev, rev = _grads(model, images, reversible=True)
        loss_plain, plain = _grads(model, images, reversible=False)
    assert torch.isfinite(loss_rev) and torch.equal(loss_rev, loss_plain)
    # Forward, backward recomputation and plain forward all ran the convolutions in bf16.
    assert dtypes == [torch.bfloat16] * 3
    # The states are rounded to bf16 inside the column, so the reconstruction is only bf16-exact.
    assert _max_relative_error(rev, plain) < 3e-2


def test_alpha_clamp_keeps_sign_and_warns_at_the_floor():
    model = _model()
    images = torch.randn(2, 3, 16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TRevSNNAlphaPrecisionWarning)
        model(images, labels=LABELS)  # alphas in [0.3, 0.7]: no warning
    alpha = model.trevsnn.columns[2].levels[1].alpha
    with torch.no_grad():
        alpha[0, 0] = -1e-6
        alpha[0, 1] = 0.0
        alpha[0, 2] = 2e-6
    with pytest.warns(TRevSNNAlphaPrecisionWarning, match="clamp floor"):
        model(images, labels=LABELS).loss.backward()
    assert alpha[0, :3, 0, 0].tolist() == pytest.approx([-1e-3, 1e-3, 1e-3])


@pytest.mark.parametrize(
    "overrides, num_heads",
    [
        (dict(num_columns=1), 1),
        (dict(num_columns=2), 2),
        (dict(num_columns=3, intermediate_supervision=False), 1),
    ],
)
def test_short_columns_and_single_head_train(overrides, num_heads):
    """The official code fails for T < 4 and without intermediate supervision."""
    model = _model(**overrides)
    assert len(model.config.head_columns) == num_heads and model.config.head_columns[-1] == model.config.num_columns - 1
    out = model(torch.randn(2, 3, 32, 32), labels=LABELS)
    assert out.head_logits.shape == (num_heads, 2, 10)
    weights = [(i + 1) / num_heads for i in range(num_heads)]
    weights[-1] += 1
    ce = [torch.nn.functional.cross_entropy(h, LABELS, label_smoothing=0.1) for h in out.head_logits]
    torch.testing.assert_close(out.loss, sum(w * c for w, c in zip(weights, ce)))
    out.loss.backward()
    assert model.classifier.output.weight.grad is not None


def test_heads_are_evenly_spaced_over_columns():
    # T = 8 keeps the official placement (after every second column); other T extend it.
    assert tiny_config(num_columns=8).head_columns == (1, 3, 5, 7)
    assert tiny_config(num_columns=4).head_columns == (0, 1, 2, 3)
    assert tiny_config(num_columns=6).head_columns == (0, 2, 3, 5)
    assert tiny_config(num_columns=8, intermediate_supervision=False).head_columns == (7,)


def test_dvs_mode_returns_per_step_outputs():
    from hf_spiking import create_model

    model = randomise_(create_model("trevsnn-test-dvs")).train()
    frames = torch.rand(4, 2, 2, 16, 16).round()
    out = model(frames, labels=LABELS)
    assert out.head_logits.shape == (4, 2, 10)
    torch.testing.assert_close(out.logits, out.head_logits.mean(0))
    ce = torch.stack([torch.nn.functional.cross_entropy(h, LABELS, label_smoothing=0.1) for h in out.head_logits])
    torch.testing.assert_close(out.loss, ce.mean())
    out.loss.backward()
    assert all(stem.conv.weight.grad is not None for stem in model.trevsnn.embeddings)
    with pytest.raises(ValueError, match="DVS `pixel_values` must have shape"):
        model(torch.rand(2, 4, 2, 16, 16))


def test_invalid_configs_and_inputs_are_rejected():
    # The strict config dataclass wraps the validators' ValueError, keeping its message.
    for overrides, message in [
        (dict(hidden_sizes=(8, 16, 32)), "four positive channel counts"),
        (dict(kernel_size=4), "positive odd integer"),
        (dict(alpha_clamp=0.0), "alpha_clamp"),
        (dict(dvs=True), "intermediate_supervision=False"),
    ]:
        with pytest.raises(StrictDataclassClassValidationError, match=message):
            tiny_config(**overrides)
    model = TRevSNNForImageClassification(tiny_config())
    with pytest.raises(ValueError, match=r"\[batch, 3, height, width\]"):
        model(torch.randn(3, 32, 32))
