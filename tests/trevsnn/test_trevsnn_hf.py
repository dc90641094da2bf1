"""Hugging Face integration: safetensors save/load, Auto* classes, image processor, pipeline, remote code, PEFT,
and Trainer's gradient-accumulation loss scaling."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from PIL import Image

import hf_spiking
from _trevsnn_helpers import randomise_
from hf_spiking.models.trevsnn import TRevSNNForImageClassification, TRevSNNImageProcessor

ID2LABEL = {i: f"digit {i}" for i in range(10)}


def _image(seed=0, size=(40, 48)):
    return Image.fromarray((np.random.RandomState(seed).rand(*size, 3) * 255).astype("uint8"))


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


def test_image_processor_matches_the_official_eval_transform():

    processor = TRevSNNImageProcessor()
    image = _image(size=(300, 400))
    pixels = processor(image, return_tensors="pt")["pixel_values"]
    assert pixels.shape == (1, 3, 224, 224)
    # Reference: PIL bilinear resize of the short side to 232, centre crop 224, ImageNet normalisation.
    resized = np.asarray(image.resize((309, 232), Image.BILINEAR), dtype=np.float32)
    top, left = (232 - 224) // 2, (309 - 224) // 2
    crop = resized[top : top + 224, left : left + 224] / 255.0
    reference = (crop - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(pixels[0].permute(1, 2, 0).numpy(), reference, atol=2e-2)
    assert processor(image, crop_size={"height": 64, "width": 96}, return_tensors="pt")["pixel_values"].shape == (1, 3, 64, 96)


def test_pipeline_and_auto_image_processor(saved_model_dir):
    from transformers import AutoImageProcessor, pipeline

    folder, model = saved_model_dir
    processor = AutoImageProcessor.from_pretrained(folder)
    assert type(processor) is TRevSNNImageProcessor and processor.crop_size["height"] == 32
    classifier = pipeline("image-classification", model=str(folder), device="cpu")
    image = _image()
    predictions = classifier(image, top_k=3)
    with torch.no_grad():
        probs = model(processor(image, return_tensors="pt")["pixel_values"]).logits.softmax(-1)[0]
    assert [p["label"] for p in predictions] == [ID2LABEL[int(i)] for i in probs.topk(3).indices]
    assert predictions[0]["score"] == pytest.approx(probs.max().item(), abs=1e-6)


REMOTE_SCRIPT = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class HideHfSpiking(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "hf_spiking" or name.startswith("hf_spiking."):
                raise ImportError(f"{name} is hidden in this test")

    sys.meta_path.insert(0, HideHfSpiking())
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
