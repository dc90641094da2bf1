"""LVCForVideoQA on a tiny random InternVL: equivalence, token budget, loss, training, save/load, PEFT, Auto*."""

import json

import pytest
import torch
from transformers import AutoModel, AutoModelForImageTextToText

from hf_spiking.models.lvc import LVCForVideoQA

from .testing_utils import TOKENS_PER_FRAME


def video_prompt(tokenizer, pseudo_frames, batch=1):
    ids = [3, 11, 12] + [tokenizer.context_image_token_id] * (pseudo_frames * TOKENS_PER_FRAME) + [13, 21, 19]
    return torch.tensor([ids] * batch)


def query(tokenizer, batch=1):
    return torch.tensor([tokenizer.convert_tokens_to_ids(["what", "is", "the", "cat"])] * batch)


def test_window_one_equals_unwrapped_internvl(make_vlm, make_model, tokenizer):
    vlm = make_vlm()
    model = make_model(num_frames=4, window_size=1)
    model.load_state_dict(vlm.state_dict())
    input_ids = video_prompt(tokenizer, pseudo_frames=4)
    pixel_values = torch.randn(1, 4, 3, 16, 16)
    with torch.no_grad():
        expected = vlm(input_ids=input_ids, pixel_values=pixel_values[0]).logits
        actual = model(input_ids=input_ids, pixel_values_videos=pixel_values, query_input_ids=query(tokenizer)).logits
    assert torch.equal(actual, expected)


def test_loads_internvl_checkpoint_folder_directly(make_vlm, tokenizer, tmp_path):
    vlm = make_vlm()
    vlm.save_pretrained(tmp_path)
    model = LVCForVideoQA.from_pretrained(tmp_path, num_frames=8, window_size=2)
    assert (model.config.model_type, model.config.num_frames, model.config.window_size) == ("lvc", 8, 2)
    expected = vlm.state_dict()
    assert model.state_dict().keys() - {"compressor.log_temperature"} == expected.keys()
    for name, tensor in expected.items():
        assert torch.equal(model.state_dict()[name], tensor), name


@pytest.mark.parametrize("num_frames,window_size", [(8, 4), (8, 8), (4, 2)])
def test_visual_token_count_is_m_over_w_times_t(make_model, tokenizer, num_frames, window_size):
    model = make_model(num_frames=num_frames, window_size=window_size)
    pseudo_frames = num_frames // window_size
    input_ids = video_prompt(tokenizer, pseudo_frames, batch=2)
    with torch.no_grad():
        out = model(input_ids=input_ids, pixel_values_videos=torch.randn(2, num_frames, 3, 16, 16),
                    query_input_ids=query(tokenizer, 2))
    assert out.video_features.shape == (2, pseudo_frames, TOKENS_PER_FRAME, 32)
    assert out.video_features.shape[1] * out.video_features.shape[2] == num_frames // window_size * TOKENS_PER_FRAME
    assert out.logits.shape[:2] == input_ids.shape


def test_mismatched_placeholders_and_missing_question_raise(make_model, tokenizer):
    model = make_model(num_frames=8, window_size=4)
    pixel_values = torch.randn(1, 8, 3, 16, 16)
    with pytest.raises(ValueError, match="video placeholder tokens"):
        model(input_ids=video_prompt(tokenizer, pseudo_frames=8), pixel_values_videos=pixel_values,
              query_input_ids=query(tokenizer))
    with pytest.raises(ValueError, match="query_input_ids"):
        model(input_ids=video_prompt(tokenizer, pseudo_frames=2), pixel_values_videos=pixel_values)
    with pytest.raises(ValueError, match="no pixel_values_videos"):
        model(input_ids=video_prompt(tokenizer, pseudo_frames=2))
    with pytest.raises(ValueError, match="not divisible by window_size"):
        model(input_ids=video_prompt(tokenizer, pseudo_frames=2), pixel_values_videos=torch.randn(1, 6, 3, 16, 16),
              query_input_ids=query(tokenizer))


def test_loss_covers_answer_tokens_only(make_model, tokenizer):
    model = make_model()
    input_ids = video_prompt(tokenizer, pseudo_frames=2)
    labels = torch.full_like(input_ids, -100)
    labels[0, -3:] = input_ids[0, -3:]
    inputs = dict(input_ids=input_ids, pixel_values_videos=torch.randn(1, 8, 3, 16, 16), query_input_ids=query(tokenizer))
    out = model(**inputs, labels=labels)
    log_probs = out.logits[0, -4:-1].log_softmax(-1)
    expected = -log_probs.gather(-1, input_ids[0, -3:, None]).mean()
    torch.testing.assert_close(out.loss, expected)


def test_training_step_updates_only_the_projector(make_model, tokenizer):
    model = make_model(num_frames=4, window_size=2).train()
    trainable = model.freeze_except_alignment()
    assert trainable == sum(p.numel() for p in model.model.multi_modal_projector.parameters())
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    input_ids = video_prompt(tokenizer, pseudo_frames=2)
    loss = model(input_ids=input_ids, pixel_values_videos=torch.randn(1, 4, 3, 16, 16),
                 query_input_ids=query(tokenizer), labels=input_ids).loss
    loss.backward()
    optimizer.step()
    changed = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert changed and all(name.startswith("model.multi_modal_projector.") for name in changed)
    assert len(changed) == len(list(model.model.multi_modal_projector.parameters()))


def test_gradient_checkpointing_gives_the_same_gradients(make_model, tokenizer):
    model = make_model(num_frames=4, window_size=2).train()
    inputs = dict(input_ids=video_prompt(tokenizer, 2), pixel_values_videos=torch.randn(1, 4, 3, 16, 16),
                  query_input_ids=query(tokenizer))

    def projector_grad():
        model.zero_grad()
        model(**inputs, labels=inputs["input_ids"]).loss.backward()
        return model.model.multi_modal_projector.linear_1.weight.grad.clone()

    plain = projector_grad()
    model.activation_checkpointing_enable()
    assert model.is_activation_checkpointing
    torch.testing.assert_close(projector_grad(), plain)


def test_save_load_round_trip_and_auto_classes(make_model, tokenizer, tmp_path):
    model = make_model(learn_temperature=True, initial_temperature=0.5)
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    # trust_remote_code support: the folder names and carries the code
    assert json.loads((tmp_path / "config.json").read_text())["auto_map"]["AutoModel"] == "modeling_lvc.LVCForVideoQA"
    assert (tmp_path / "modeling_lvc.py").is_file() and (tmp_path / "compression.py").is_file()
    inputs = dict(input_ids=video_prompt(tokenizer, 2), pixel_values_videos=torch.randn(1, 8, 3, 16, 16),
                  query_input_ids=query(tokenizer))
    reloaded = [LVCForVideoQA.from_pretrained(tmp_path), AutoModel.from_pretrained(tmp_path),
                AutoModelForImageTextToText.from_pretrained(tmp_path)]
    with torch.no_grad():
        expected = model(**inputs).logits
        for loaded in reloaded:
            assert type(loaded) is LVCForVideoQA
            assert torch.equal(loaded.eval()(**inputs).logits, expected)
    assert reloaded[0].compressor.temperature.item() == pytest.approx(0.5)


def test_generate_uses_the_compressed_video(make_model, tokenizer):
    model = make_model()
    input_ids = video_prompt(tokenizer, pseudo_frames=2, batch=2)
    inputs = dict(input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                  pixel_values_videos=torch.randn(2, 8, 3, 16, 16), query_input_ids=query(tokenizer, 2))
    generated = model.generate(**inputs, max_new_tokens=4, do_sample=False)
    assert generated.shape == (2, input_ids.shape[1] + 4)
    # greedy decoding equals repeated full forwards (the cache path and the video merge agree)
    ids = input_ids[:1]
    with torch.no_grad():
        for _ in range(4):
            logits = model(input_ids=ids, pixel_values_videos=inputs["pixel_values_videos"][:1],
                           query_input_ids=inputs["query_input_ids"][:1]).logits
            ids = torch.cat([ids, logits[:, -1:].argmax(-1)], dim=1)
    assert torch.equal(generated[:1], ids)


def test_lora_on_the_language_model_only(make_model, tokenizer):
    from peft import LoraConfig, get_peft_model

    model = make_model()
    peft_model = get_peft_model(
        model, LoraConfig(r=4, target_modules=model.backbone.lora_target_modules, modules_to_save=[])
    )
    trainable = [name for name, p in peft_model.named_parameters() if p.requires_grad]
    assert trainable and all("language_model" in name and "lora_" in name for name in trainable)
    input_ids = video_prompt(tokenizer, 2)
    out = peft_model(input_ids=input_ids, pixel_values_videos=torch.randn(1, 8, 3, 16, 16),
                     query_input_ids=query(tokenizer), labels=input_ids)
    out.loss.backward()
    assert all(p.grad is not None for name, p in peft_model.named_parameters() if p.requires_grad)
