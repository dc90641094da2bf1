"""SpikingPointLLMForConditionalGeneration: point tokens in the prompt, the loss, generation, save/load, LoRA."""

import pytest
import torch
import torch.nn.functional as F
from transformers import AutoConfig, AutoModel

from hf_spiking.jobs.train_point_llm import prepare_stage
from hf_spiking.models.spiking_point_llm import SpikingPointLLMConfig, SpikingPointLLMForConditionalGeneration
from hf_spiking.models.spiking_point_llm.modeling_spiking_point_llm import grid_cells
from hf_spiking.models.spiking_point_llm.presets import point_qa_test_processor

QUESTIONS = ["what colour is it?", "how many legs does it have?", "what is this object?"]


@pytest.mark.parametrize("name, tokens", [("svl-qa-pointformer-test", 17), ("svl-qa-e3dsnn-test", 8),
                                          ("svl-qa-pointnet-test", 1)])
def test_point_tokens_fill_the_placeholders_of_each_prompt(make_model, clouds, name, tokens):
    model = make_model(name)
    processor = point_qa_test_processor(model.config)
    assert model.config.num_point_tokens == processor.num_point_tokens == tokens
    inputs = processor(point_clouds=clouds, text=QUESTIONS)
    with torch.no_grad():
        features = model.get_point_features(inputs["point_values"])
        output = model(**inputs)
    assert features.shape == (3, tokens, model.config.text_config.hidden_size)
    # The language model saw the projected tokens where the placeholders were, in order.
    embeds = model.get_input_embeddings()(inputs["input_ids"])
    merged = embeds.masked_scatter((inputs["input_ids"] == model.config.point_token_id).unsqueeze(-1), features)
    with torch.no_grad():
        direct = model.language_model(inputs_embeds=merged, attention_mask=inputs["attention_mask"]).logits
    torch.testing.assert_close(output.logits, direct)
    torch.testing.assert_close(output.point_features, features)


def test_loss_is_cross_entropy_on_the_answer_tokens_only(make_model, processor, clouds):
    model = make_model()
    inputs = processor(point_clouds=clouds[:2], text=QUESTIONS[:2], answers=["red", "four"])
    labels = inputs["labels"]
    prompt_length = len(processor.encode_prompt(QUESTIONS[0]))
    assert (labels[0, :prompt_length] == -100).all()
    assert labels[0, prompt_length:prompt_length + 2].tolist() == [
        processor.tokenizer.convert_tokens_to_ids("red"), processor.tokenizer.eos_token_id]
    with torch.no_grad():
        output = model(**inputs)
    expected = F.cross_entropy(output.logits[:, :-1].reshape(-1, output.logits.shape[-1]),
                               labels[:, 1:].reshape(-1), ignore_index=-100)
    torch.testing.assert_close(output.loss, expected)


def test_placeholder_count_must_match_the_clouds(make_model, processor, clouds):
    model = make_model()
    inputs = processor(point_clouds=clouds[:2], text=QUESTIONS[:2])
    with pytest.raises(ValueError, match=r"34 point placeholder tokens .* 1 cloud\(s\) x 17 point tokens = 17"):
        model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
              point_values=inputs["point_values"][:1])
    with pytest.raises(ValueError, match="no point_values were given"):
        model(input_ids=inputs["input_ids"])


def test_cached_generation_equals_generation_without_cache(make_model, processor, clouds):
    model = make_model()
    inputs = processor(point_clouds=clouds, text=QUESTIONS)
    cached = model.generate(**inputs, max_new_tokens=5, do_sample=False)
    uncached = model.generate(**inputs, max_new_tokens=5, do_sample=False, use_cache=False)
    assert torch.equal(cached, uncached)


def test_batched_generation_equals_one_prompt_at_a_time(make_model, processor, clouds):
    model = make_model()
    questions = ["what colour is it?", "how many legs does this object have?"]  # prompts of different lengths
    batch = processor(point_clouds=clouds[:2], text=questions)
    batched = model.generate(**batch, max_new_tokens=4, do_sample=False)[:, batch["input_ids"].shape[1]:]
    for index in range(2):
        single = processor(point_clouds=clouds[index], text=questions[index])
        alone = model.generate(**single, max_new_tokens=4, do_sample=False)[:, single["input_ids"].shape[1]:]
        assert batched[index].tolist() == alone[0].tolist()


def test_save_and_auto_load_round_trip_with_tied_embeddings(make_model, processor, clouds, tmp_path):
    model = make_model()
    assert model.config.tie_word_embeddings
    model.save_pretrained(tmp_path)
    assert AutoConfig.from_pretrained(tmp_path).point_config.backbone == "pointformer"
    reloaded = AutoModel.from_pretrained(tmp_path).eval()
    assert type(reloaded) is SpikingPointLLMForConditionalGeneration
    assert reloaded.get_output_embeddings().weight.data_ptr() == reloaded.get_input_embeddings().weight.data_ptr()
    inputs = processor(point_clouds=clouds, text=QUESTIONS)
    with torch.no_grad():
        torch.testing.assert_close(reloaded(**inputs).logits, model(**inputs).logits, rtol=0, atol=0)


def test_stages_train_what_pointllm_trains(make_model):
    model = make_model()
    encoder = sum(p.numel() for p in model.point_encoder.parameters())
    projector = sum(p.numel() for p in model.projector.parameters())
    language_model = sum(p.numel() for p in model.language_model.parameters())
    assert model.set_trainable(False, True, False) == projector
    assert prepare_stage(model, "instruction") is model
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == projector + language_model
    prepare_stage(model, "alignment", train_point_encoder=True)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == encoder + projector


def test_lora_on_the_language_model_merges_into_a_plain_model(make_model, processor, clouds):
    model = make_model()
    peft_model = prepare_stage(model, "instruction", lora_rank=2)
    trainable = {name for name, p in peft_model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in name or "projector" in name for name in trainable)
    assert any("language_model" in name and "q_proj.lora_A" in name for name in trainable)
    for name, parameter in peft_model.named_parameters():  # as if trained: adapters away from zero
        if "lora_B" in name:
            torch.nn.init.normal_(parameter, std=0.5)
    inputs = processor(point_clouds=clouds, text=QUESTIONS)
    with torch.no_grad():
        adapted = peft_model(**inputs).logits
        merged = peft_model.merge_and_unload()
        assert type(merged) is SpikingPointLLMForConditionalGeneration
        torch.testing.assert_close(merged(**inputs).logits, adapted, rtol=1e-4, atol=1e-4)
        assert not torch.allclose(adapted, make_model()(**inputs).logits, atol=1e-3)


def test_e3dsnn_sites_pool_into_grid_cells_of_each_cloud():
    # Cloud 0 occupies x 0..3, y 0..1, z 0; cloud 1 a single site. Grid 2: x halves 0-1 / 2-3, y halves 0 / 1.
    coords = torch.tensor([[0, 0, 0, 0], [0, 3, 1, 0], [0, 2, 0, 0], [1, 5, 5, 5]])
    assert grid_cells(coords, 2, 2).tolist() == [0, 6, 4, 8]


def test_config_names_bad_values():
    with pytest.raises(ValueError, match="projector_hidden_act"):
        SpikingPointLLMConfig(point_config={}, text_config={"model_type": "qwen2"}, projector_hidden_act="tanhh")
    with pytest.raises(ValueError, match=r"point_token_id.*\[0, 10\), got 12"):
        SpikingPointLLMConfig(point_config={}, text_config={"model_type": "qwen2", "vocab_size": 10},
                              point_token_id=12)
