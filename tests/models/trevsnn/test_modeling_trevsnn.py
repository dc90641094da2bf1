"""TRevSNN models. Hugging Face integration: safetensors save/load, Auto* classes, pipeline, remote code, PEFT and
Trainer's gradient-accumulation loss scaling. The reversible column: gradients, retained memory, RNG, autocast, the
alpha clamp, and the official-bug fixes."""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import pytest
import torch

import hf_spiking
from hf_spiking.models.trevsnn import (
    TRevSNNAlphaPrecisionWarning,
    TRevSNNForImageClassification,
    TRevSNNImageProcessor,
)
from hf_spiking.models.trevsnn.modeling_trevsnn import TRevSNNStdConv2d

from tests.remote_code import HIDE_HF_SPIKING

from .testing_utils import random_image, randomise_, tiny_config

ID2LABEL = {i: f"digit {i}" for i in range(10)}


@pytest.fixture(scope="module")
def saved_model_dir(tmp_path_factory):
    """A randomised tiny model (spikes firing) saved with a 32x32 image processor."""
    torch.manual_seed(0)
    model = randomise_(hf_spiking.create_model("trevsnn-test", id2label=ID2LABEL)).eval()
    folder = tmp_path_factory.mktemp("trevsnn_saved")
    model.save_pretrained(folder)
    TRevSNNImageProcessor(size={"shortest_edge": 36}, crop_size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder, model


def test_save_load_with_auto_classes(saved_model_dir):
    from safetensors import safe_open
    from transformers import AutoConfig, AutoModel, AutoModelForImageClassification

    folder, model = saved_model_dir
    assert sorted(p.name for p in folder.iterdir() if p.suffix in {".safetensors", ".bin"}) == ["model.safetensors"]
    with safe_open(folder / "model.safetensors", "pt") as f:
        keys = list(f.keys())
    assert sum("shared_convs.0.pwconv2.weight" in k for k in keys) == 1  # shared weights stored once
    assert AutoConfig.from_pretrained(folder).time_steps == 4
    loaded = AutoModelForImageClassification.from_pretrained(folder).eval()
    assert type(loaded) is TRevSNNForImageClassification
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected = model(images)
        torch.testing.assert_close(loaded(images).logits, expected.logits, rtol=0, atol=0)
        base = AutoModel.from_pretrained(folder).eval()
        torch.testing.assert_close(base(images).last_hidden_state, model.trevsnn(images).last_hidden_state, rtol=0, atol=0)
    # Shared convolutions are still shared after loading.
    shared = loaded.trevsnn.shared_convs[1]
    assert all(col.levels[1].blocks[1]._shared[0] is shared for col in loaded.trevsnn.columns)
    assert isinstance(model(images, return_dict=False), tuple)


def test_pipeline_and_auto_image_processor(saved_model_dir):
    from transformers import AutoImageProcessor, pipeline

    folder, model = saved_model_dir
    processor = AutoImageProcessor.from_pretrained(folder)
    assert type(processor) is TRevSNNImageProcessor and processor.crop_size["height"] == 32
    classifier = pipeline("image-classification", model=str(folder), device="cpu")
    image = random_image()
    predictions = classifier(image, top_k=3)
    with torch.no_grad():
        probs = model(processor(image, return_tensors="pt")["pixel_values"]).logits.softmax(-1)[0]
    assert [p["label"] for p in predictions] == [ID2LABEL[int(i)] for i in probs.topk(3).indices]
    assert predictions[0]["score"] == pytest.approx(probs.max().item(), abs=1e-6)


REMOTE_SCRIPT = HIDE_HF_SPIKING + textwrap.dedent(
    """
    import torch
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    folder = sys.argv[1]
    model = AutoModelForImageClassification.from_pretrained(folder, trust_remote_code=True).eval()
    processor = AutoImageProcessor.from_pretrained(folder, trust_remote_code=True)
    torch.manual_seed(0)
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 32, 32)).logits
    assert not any(m == "hf_spiking" or m.startswith("hf_spiking.") for m in sys.modules)
    print(json.dumps({"model": type(model).__module__, "processor": type(processor).__name__, "logits": logits.tolist()}))
    """
)


def test_trust_remote_code_loads_without_hf_spiking(saved_model_dir, tmp_path):
    folder, model = saved_model_dir
    script = tmp_path / "load_remote.py"
    script.write_text(REMOTE_SCRIPT)
    # One thread: the subprocess's startup dominates, and idle OpenMP workers only compete for the shared cores.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_MODULES_CACHE": str(tmp_path / "modules"), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(script), str(folder)], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["model"].startswith("transformers_modules.") and report["processor"] == "TRevSNNImageProcessor"
    torch.manual_seed(0)
    with torch.no_grad():
        expected = model(torch.randn(2, 3, 32, 32)).logits
    torch.testing.assert_close(torch.tensor(report["logits"]), expected, rtol=0, atol=1e-6)


def test_peft_lora_trains_and_merges_back():
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    model = randomise_(hf_spiking.create_model("trevsnn-test"))
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=r".*fusion\.(up|down)\.conv", modules_to_save=["classifier"])
    peft_model = get_peft_model(model, lora)
    trainable = [n for n, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n or "classifier.modules_to_save" in n for n in trainable)
    images, labels = torch.randn(4, 3, 32, 32), torch.tensor([0, 1, 2, 3])
    optimizer = torch.optim.Adam([p for p in peft_model.parameters() if p.requires_grad], lr=5e-2)
    peft_model.train()
    losses = []
    for _ in range(3):
        loss = peft_model(pixel_values=images, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert any(p.abs().sum() > 0 for n, p in peft_model.named_parameters() if "lora_B" in n)
    peft_model.eval()
    with torch.no_grad():
        before = peft_model(pixel_values=images).logits
        merged = peft_model.merge_and_unload()
        assert type(merged) is TRevSNNForImageClassification
        assert not any("lora_" in n for n, _ in merged.named_parameters())
        torch.testing.assert_close(merged(images).logits, before, rtol=0, atol=1e-5)


class _ImageDataset(torch.utils.data.Dataset):
    def __init__(self, image, labels):
        self.image, self.labels = image, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return {"pixel_values": self.image, "labels": self.labels[index]}


def test_gradient_accumulation_logs_the_same_loss_as_a_bigger_batch(tmp_path):
    """Trainer divides the loss by the accumulation steps only because the model declares accepts_loss_kwargs=False."""
    from transformers import Trainer, TrainingArguments

    assert TRevSNNForImageClassification.accepts_loss_kwargs is False
    # One image repeated: BatchNorm batch statistics are the same for any split of the batch.
    dataset = _ImageDataset(torch.randn(3, 16, 16), [0, 3, 5, 9])
    losses = []
    for batch_size, accumulation in [(4, 1), (2, 2)]:
        torch.manual_seed(0)
        model = randomise_(hf_spiking.create_model("trevsnn-test"))
        args = TrainingArguments(
            output_dir=str(tmp_path / f"bs{batch_size}"), per_device_train_batch_size=batch_size,
            gradient_accumulation_steps=accumulation, max_steps=1, learning_rate=0.0, logging_steps=1,
            report_to=[], save_strategy="no", use_cpu=True, disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=dataset)
        trainer.train()
        losses.append(next(h["loss"] for h in trainer.state.log_history if "loss" in h))
    assert losses[1] == pytest.approx(losses[0], rel=1e-5)


# The reversible column.

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


def test_alpha_clamp_is_functional_keeps_sign_and_warns_at_the_floor():
    model = _model()
    images = torch.randn(2, 3, 16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TRevSNNAlphaPrecisionWarning)
        model(images, labels=LABELS)  # alphas in [0.3, 0.7]: no warning
    level = model.trevsnn.columns[2].levels[1]
    with torch.no_grad():
        level.alpha[0, :3] = torch.tensor([-1e-6, 0.0, 2e-6]).view(3, 1, 1)
    parameters = {name: (p.detach().clone(), p._version) for name, p in model.named_parameters()}
    with pytest.warns(TRevSNNAlphaPrecisionWarning, match="clamp floor"):
        model(images, labels=LABELS).loss.backward()
    # Forward and backward never write to a parameter; the clamp is applied to the value used.
    for name, p in model.named_parameters():
        assert p._version == parameters[name][1] and torch.equal(p.detach(), parameters[name][0]), name
    assert level.alpha[0, :3, 0, 0].tolist() == pytest.approx([-1e-6, 0.0, 2e-6])
    assert level.effective_alpha()[0, :3, 0, 0].tolist() == pytest.approx([-1e-3, 1e-3, 1e-3])
    assert (level.alpha.grad[0, :3] != 0).all()  # straight through the clamp, as after the official in-place clamp


def test_output_hidden_states_and_return_dict():
    model = _model().eval()
    config = model.config
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        out = model(images, output_hidden_states=True)
        backbone = model.trevsnn(images)
        assert model(images).hidden_states is None and backbone.hidden_states is None
        states = out.hidden_states
        assert len(states) == 4 * config.num_columns
        sizes = [8, 4, 2, 2]  # 32x32 input: the stem divides by 4, levels 1 and 2 by 2 each
        for index, state in enumerate(states):
            level = index % 4
            assert state.shape == (2, config.hidden_sizes[level], sizes[level], sizes[level])
        assert torch.equal(states[-1], backbone.last_hidden_state)
        head_states = [states[4 * t + 3] for t in config.head_columns]
        assert all(torch.equal(a, b) for a, b in zip(head_states, backbone.head_hidden_states))
        config.output_hidden_states = True
        assert len(model(images).hidden_states) == 4 * config.num_columns
        config.output_hidden_states = False
        # return_dict=False: the non-None fields as a tuple, in declaration order.
        as_tuple = model(images, labels=LABELS, return_dict=False)
        with_labels = model(images, labels=LABELS)
    assert isinstance(as_tuple, tuple) and len(as_tuple) == 3
    assert torch.equal(as_tuple[0], with_labels.loss) and torch.equal(as_tuple[1], with_labels.logits)


def test_hidden_states_backpropagate_through_the_reversible_columns():
    model = _model()
    images = torch.randn(2, 3, 16, 16)
    grads = {}
    for reversible in (True, False):
        model.config.reversible = reversible
        model.zero_grad()
        out = model(images, labels=LABELS, output_hidden_states=True)
        (out.loss + sum(s.square().mean() for s in out.hidden_states)).backward()
        grads[reversible] = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
    assert grads[True].keys() == grads[False].keys()
    assert _max_relative_error(grads[True], grads[False]) < 1e-4


def test_torch_compile_fullgraph_forward_matches_eager():
    model = randomise_(hf_spiking.create_model("trevsnn-test")).eval()
    images = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        eager = model(images, output_hidden_states=True)
        compiled = torch.compile(model, fullgraph=True)(images, output_hidden_states=True)
    torch.testing.assert_close(compiled.logits, eager.logits, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(compiled.hidden_states, eager.hidden_states, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dvs", [False, True])
def test_dummy_inputs_are_pixel_values_the_model_runs_on(dvs):
    overrides = dict(dvs=True, num_channels=2, num_columns=3, intermediate_supervision=False) if dvs else {}
    model = TRevSNNForImageClassification(tiny_config(**overrides)).eval().to(torch.float64)
    inputs = model.dummy_inputs
    assert list(inputs) == ["pixel_values"] and inputs["pixel_values"].dtype == torch.float64
    expected = (3, 2, 2, 64, 64) if dvs else (2, 3, 224, 224)
    assert inputs["pixel_values"].shape == expected
    with torch.no_grad():
        assert model(**inputs).logits.shape == (2, model.config.num_labels)


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


def test_dvs_mode_returns_per_step_outputs():
    from hf_spiking import create_model

    model = randomise_(create_model("trevsnn-dvs-test")).train()
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
