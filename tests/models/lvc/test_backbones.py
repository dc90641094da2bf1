"""LVC around the native Phi-3.5-Vision through its backbone adapter (tiny random config)."""

import numpy as np
import pytest
import torch

from hf_spiking.models.lvc import LVCConfig, LVCForVideoQA
from hf_spiking.models.phi3_v.configuration_phi3_v import Phi3VConfig
from hf_spiking.models.phi3_v.image_processing_phi3_v import Phi3VImageProcessor
from hf_spiking.models.phi3_v.modeling_phi3_v import Phi3VForCausalLM

IMAGE_TOKEN_ID, CROP, PATCH = 99, 56, 14
TOKENS_PER_FRAME = 2 * 2**2 + 1 + 2 * 2  # one 1x1 sub-crop grid + global view, 2 merged tokens per side


@pytest.fixture(scope="module")
def phi3v_config():
    return Phi3VConfig(
        vocab_size=100, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, pad_token_id=0, bos_token_id=1, eos_token_id=2, image_token_id=IMAGE_TOKEN_ID,
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=2,
                           image_size=CROP, patch_size=PATCH),
    )


@pytest.fixture(scope="module")
def frames():
    processor = Phi3VImageProcessor(num_crops=1, crop_size={"height": CROP, "width": CROP}, patch_size=PATCH)
    video = np.random.default_rng(0).integers(0, 255, (4, 40, 48, 3), dtype=np.uint8)
    out = processor(images=list(video), return_tensors="pt")
    return out["pixel_values"].unsqueeze(0), out["image_sizes"].unsqueeze(0)


def phi3v_and_lvc_window_one(config):
    """A random Phi-3.5-V (separators made non-zero so they show in the outputs) and LVC (M = 4, w = 1) with its
    weights."""
    torch.manual_seed(0)
    phi3v = Phi3VForCausalLM(config).eval()
    with torch.no_grad():
        phi3v.model.vision_embed_tokens.sub_GN.normal_()
        phi3v.model.vision_embed_tokens.glb_GN.normal_()
    model = LVCForVideoQA(LVCConfig(vlm_config=config, num_frames=4, window_size=1)).eval()
    model.load_state_dict(phi3v.state_dict())
    return phi3v, model


def prompt(pseudo_frames):
    return torch.tensor([[1, 5, 6] + [IMAGE_TOKEN_ID] * (pseudo_frames * TOKENS_PER_FRAME) + [7, 8]])


def test_window_one_equals_phi3v_and_window_two_halves_the_tokens(phi3v_config, frames):
    phi3v, model = phi3v_and_lvc_window_one(phi3v_config)
    assert model.tokens_per_frame == TOKENS_PER_FRAME
    pixel_values, image_sizes = frames
    query = torch.tensor([[7, 8]])
    with torch.no_grad():
        expected = phi3v(input_ids=prompt(4), pixel_values=pixel_values[0], image_sizes=image_sizes[0]).logits
        actual = model(input_ids=prompt(4), pixel_values_videos=pixel_values, image_sizes_videos=image_sizes,
                       query_input_ids=query).logits
        assert torch.equal(actual, expected)
        compressed = LVCForVideoQA(LVCConfig(vlm_config=phi3v_config, num_frames=4, window_size=2)).eval()
        out = compressed(input_ids=prompt(2), pixel_values_videos=pixel_values, image_sizes_videos=image_sizes,
                         query_input_ids=query)
    assert out.video_features.shape == (1, 2, TOKENS_PER_FRAME, 32)
    generated = compressed.generate(input_ids=prompt(2), pixel_values_videos=pixel_values,
                                    image_sizes_videos=image_sizes, query_input_ids=query, max_new_tokens=3,
                                    do_sample=False)
    assert generated.shape[1] == prompt(2).shape[1] + 3


def test_alignment_training_touches_only_img_projection_and_separators(phi3v_config, frames):
    model = LVCForVideoQA(LVCConfig(vlm_config=phi3v_config, num_frames=4, window_size=2)).train()
    model.freeze_except_alignment()
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {
        "model.vision_embed_tokens.glb_GN", "model.vision_embed_tokens.sub_GN",
        *(f"model.vision_embed_tokens.img_projection.{i}.{kind}" for i in (0, 2) for kind in ("weight", "bias")),
    }
    pixel_values, image_sizes = frames
    input_ids = prompt(2)
    model(input_ids=input_ids, pixel_values_videos=pixel_values, image_sizes_videos=image_sizes,
          query_input_ids=torch.tensor([[7, 8]]), labels=input_ids.clamp_min(0)).loss.backward()
    assert all(model.get_parameter(name).grad is not None for name in trainable)


def test_phi3v_checkpoint_loads_into_lvc_and_round_trips(phi3v_config, frames, tmp_path):
    phi3v = Phi3VForCausalLM(phi3v_config)
    phi3v.save_pretrained(tmp_path / "phi3v")
    model = LVCForVideoQA.from_pretrained(tmp_path / "phi3v", num_frames=4, window_size=2).eval()
    for name, tensor in phi3v.state_dict().items():
        assert torch.equal(model.state_dict()[name], tensor), name
    model.save_pretrained(tmp_path / "lvc")
    reloaded = LVCForVideoQA.from_pretrained(tmp_path / "lvc").eval()
    pixel_values, image_sizes = frames
    inputs = dict(input_ids=prompt(2), pixel_values_videos=pixel_values, image_sizes_videos=image_sizes,
                  query_input_ids=torch.tensor([[7, 8]]))
    with torch.no_grad():
        assert torch.equal(reloaded(**inputs).logits, model(**inputs).logits)


def test_pipeline_end_to_end_on_tiny_phi3v(video_array):
    from transformers import pipeline

    from hf_spiking.models.lvc import LVCProcessor
    from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer

    tokenizer = build_lvc_test_tokenizer()
    config = Phi3VConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=48, num_hidden_layers=1, num_attention_heads=4,
        num_key_value_heads=4, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, image_token_id=tokenizer.context_image_token_id,
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=CROP, patch_size=PATCH),
    )
    model = LVCForVideoQA(LVCConfig(vlm_config=config, num_frames=4, window_size=2)).eval()
    image_processor = Phi3VImageProcessor(num_crops=1, crop_size={"height": CROP, "width": CROP}, patch_size=PATCH)
    processor = LVCProcessor(image_processor, tokenizer, num_frames=4, window_size=2,
                             tokens_per_frame=model.tokens_per_frame)
    inputs = processor(videos=video_array, text="what is the cat doing ?")
    assert inputs["pixel_values_videos"].shape == (1, 4, 2, 3, CROP, CROP)
    assert inputs["image_sizes_videos"].tolist() == [[[CROP, CROP]] * 4]
    pipe = pipeline("video-question-answering", model=model, processor=processor)
    answer = pipe(video_array, question="what is the cat doing ?", max_new_tokens=3)
    generated = model.generate(**inputs, max_new_tokens=3, do_sample=False)
    assert answer["answer"] == tokenizer.decode(generated[0, inputs["input_ids"].shape[1]:],
                                                skip_special_tokens=True).strip()
    scored = pipe(video_array, question="what is the cat doing ?", options=["a cat", "a dog"])
    assert len(scored["scores"]) == 2 and scored["answer"] in ("a cat", "a dog")


# Phi-3.5-vision-instruct's chat template (user turn, <|end|>, generation prompt), as its tokenizer config lays it out.
PHI3_5_V_CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)


def test_official_phi3_v_prompt_layout_hd_crops_and_window_one_equivalence(video_array):
    from transformers import pipeline

    from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer
    from hf_spiking.models.lvc import LVCProcessor

    tokenizer = build_lvc_test_tokenizer()
    config = Phi3VConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=48, num_hidden_layers=1, num_attention_heads=4,
        num_key_value_heads=4, pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, image_token_id=None,  # placeholders are negative ids, as released
        vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                           image_size=CROP, patch_size=PATCH),
    )
    # num_crops=4 (Microsoft's setting for frames): a 24x20 frame becomes a 2x2 grid of 56-pixel HD crops
    image_processor = Phi3VImageProcessor(num_crops=4, crop_size={"height": CROP, "width": CROP}, patch_size=PATCH)
    processor = LVCProcessor(image_processor, tokenizer, num_frames=4, window_size=1,
                             chat_template=PHI3_5_V_CHAT_TEMPLATE)
    assert processor.prompt_format == "phi3_v"
    question = "what is the cat doing ?"
    assert processor.build_prompt(question) == (
        "<|user|>\n<|image_1|>\n<|image_2|>\n<|image_3|>\n<|image_4|>\nwhat is the cat doing ?<|end|>\n<|assistant|>\n")
    inputs = processor(videos=video_array, text=question)
    tokens = (2 * 2 + 1) * 2**2 + 1 + (2 + 1) * 2  # (h w + 1) m^2 + 1 + (h + 1) m with h = w = m = 2
    assert inputs["pixel_values_videos"].shape == (1, 4, 5, 3, CROP, CROP)
    assert inputs["image_sizes_videos"].tolist() == [[[2 * CROP, 2 * CROP]] * 4]
    ids = inputs["input_ids"][0].tolist()
    text_ids = lambda text: tokenizer(text)["input_ids"]  # noqa: E731 (chunks tokenized as the official processor)
    expected = text_ids("<|user|>\n")
    for index in range(1, 5):
        expected += [-index] * tokens + text_ids("\n")
    assert ids == expected + text_ids("what is the cat doing ?<|end|>\n<|assistant|>\n")

    phi3v, model = phi3v_and_lvc_window_one(config)
    with torch.no_grad():
        expected_logits = phi3v(input_ids=inputs["input_ids"], pixel_values=inputs["pixel_values_videos"][0],
                                image_sizes=inputs["image_sizes_videos"][0]).logits
        lvc_inputs = {key: value for key, value in inputs.items() if key != "frame_indices"}
        assert torch.equal(model(**lvc_inputs).logits, expected_logits)

    compressed = LVCForVideoQA(LVCConfig(vlm_config=config, num_frames=4, window_size=2)).eval()
    processor = LVCProcessor(image_processor, tokenizer, num_frames=4, window_size=2,
                             chat_template=PHI3_5_V_CHAT_TEMPLATE)
    pipe = pipeline("video-question-answering", model=compressed, processor=processor)
    answer = pipe(video_array, question=question, max_new_tokens=3)
    inputs = processor(videos=video_array, text=question)
    assert int((inputs["input_ids"] < 0).sum()) == 2 * tokens
    inputs.pop("frame_indices")
    generated = compressed.generate(**inputs, max_new_tokens=3, do_sample=False)
    assert answer["answer"] == tokenizer.decode(generated[0, inputs["input_ids"].shape[1]:],
                                                skip_special_tokens=True).strip()
    scored = pipe(video_array, question=question, options=["a cat", "a dog"])
    assert len(scored["scores"]) == 2


def test_documented_lora_targets_adapt_only_the_language_models_attention(phi3v_config):
    from peft import LoraConfig, get_peft_model

    model = LVCForVideoQA(LVCConfig(vlm_config=phi3v_config, num_frames=4, window_size=2))
    assert model.backbone.lora_target_modules == r"model\.layers\.\d+\.self_attn\.(qkv_proj|o_proj)"  # docs/peft.md
    peft_model = get_peft_model(model, LoraConfig(r=4, target_modules=model.backbone.lora_target_modules))
    trainable = {name for name, p in peft_model.named_parameters() if p.requires_grad}
    assert trainable and all(".self_attn." in name and "lora_" in name and "vision" not in name for name in trainable)
    assert len(trainable) == 2 * 2 * phi3v_config.num_hidden_layers  # A and B of qkv_proj and o_proj per layer
