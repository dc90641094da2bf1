"""Native Phi-3.5-Vision on tiny configs: official parameter names, HD transform, forward/generate, save/load."""

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import AutoConfig, AutoImageProcessor, AutoModelForCausalLM

from hf_spiking.models.phi3_v.configuration_phi3_v import Phi3VConfig
from hf_spiking.models.phi3_v.image_processing_phi3_v import Phi3VImageProcessor, phi3_v_num_image_tokens
from hf_spiking.models.phi3_v.modeling_phi3_v import Phi3VForCausalLM

from .testing_utils import CROP, PATCH

IMAGE_TOKEN_ID = 99
TEXT_LAYERS, VISION_LAYERS = 2, 3


def tiny_config(**overrides):
    kwargs = dict(
        vocab_size=100,
        hidden_size=32,
        intermediate_size=48,
        num_hidden_layers=TEXT_LAYERS,
        num_attention_heads=4,
        num_key_value_heads=4,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        image_token_id=IMAGE_TOKEN_ID,
        vision_config=dict(
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=VISION_LAYERS,
            num_attention_heads=2,
            image_size=CROP,
            patch_size=PATCH,
        ),
    )
    kwargs.update(overrides)
    return Phi3VConfig(**kwargs)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    model = Phi3VForCausalLM(tiny_config()).eval()
    with torch.no_grad():  # the official init leaves the separators at zero; make them visible in the outputs
        model.model.vision_embed_tokens.glb_GN.normal_()
        model.model.vision_embed_tokens.sub_GN.normal_()
    return model


def prompt_ids(num_tokens, image_token=IMAGE_TOKEN_ID):
    ids = [1, 5]
    for count in num_tokens:
        ids += [image_token] * count + [6, 7]
    return torch.tensor([ids + [8]])


def official_key_names(config):
    """The parameter names of microsoft/Phi-3.5-vision-instruct's model.safetensors, for a given config."""
    keys = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]
    for i in range(config.num_hidden_layers):
        prefix = f"model.layers.{i}."
        keys += [prefix + name for name in (
            "self_attn.qkv_proj.weight", "self_attn.o_proj.weight", "mlp.gate_up_proj.weight",
            "mlp.down_proj.weight", "input_layernorm.weight", "post_attention_layernorm.weight")]
    vis = "model.vision_embed_tokens."
    keys += [vis + "glb_GN", vis + "sub_GN"]
    keys += [vis + f"img_projection.{i}.{p}" for i in (0, 2) for p in ("weight", "bias")]
    clip = vis + "img_processor.vision_model."
    keys += [clip + name for name in (
        "embeddings.class_embedding", "embeddings.patch_embedding.weight", "embeddings.position_embedding.weight",
        "pre_layrnorm.weight", "pre_layrnorm.bias", "post_layernorm.weight", "post_layernorm.bias")]
    for i in range(config.vision_config.num_hidden_layers):
        layer = clip + f"encoder.layers.{i}."
        keys += [layer + f"{module}.{p}" for module in (
            "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
            "layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2") for p in ("weight", "bias")]
    return set(keys)


def reference_hd_tokens(model, crops, rows, cols):
    """The official per-image HD transform, step by step, on the CLIP features of one image's crops."""
    embed = model.model.vision_embed_tokens
    hidden = embed.img_processor(crops, output_hidden_states=True).hidden_states[-2][:, 1:]
    channels, side = hidden.shape[-1], int(hidden.shape[1] ** 0.5)
    half = side // 2

    def merge(x, n):
        return x.reshape(n, side, side, channels).reshape(n, half, 2, half, 2, channels).permute(0, 1, 3, 2, 4, 5)

    glb = merge(hidden[:1], 1).reshape(1, half, half, 4 * channels)
    glb = torch.cat([glb, embed.sub_GN.repeat(1, half, 1, 1)], dim=2).reshape(1, -1, 4 * channels)
    sub = merge(hidden[1:], rows * cols).reshape(rows * cols, -1, 4 * channels)
    sub = sub.reshape(1, rows, cols, half, half, -1).permute(0, 1, 3, 2, 4, 5).reshape(1, rows * half, cols * half, -1)
    sub = torch.cat([sub, embed.sub_GN.repeat(1, rows * half, 1, 1)], dim=2).reshape(1, -1, 4 * channels)
    return embed.img_projection(torch.cat([sub, embed.glb_GN, glb], dim=1))[0]


def test_official_config_json_loads():
    official = {
        "architectures": ["Phi3VForCausalLM"], "model_type": "phi3_v", "hidden_size": 3072, "intermediate_size": 8192,
        "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32064,
        "max_position_embeddings": 131072, "original_max_position_embeddings": 4096, "rope_theta": 10000.0,
        "rope_scaling": {"type": "su", "short_factor": [1.0] * 48, "long_factor": [1.5] * 48},
        "embd_layer": {"embedding_cls": "image", "hd_transform_order": "sub_glb", "projection_cls": "mlp",
                       "use_hd_transform": True, "with_learnable_separator": True},
        "img_processor": {"image_dim_out": 1024, "model_name": "openai/clip-vit-large-patch14-336",
                          "name": "clip_vision_model", "num_img_tokens": 144},
        "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    }
    config = Phi3VConfig.from_dict(official)
    vision = config.vision_config
    assert (vision.hidden_size, vision.num_hidden_layers, vision.image_size, vision.patch_size) == (1024, 24, 336, 14)
    assert vision.hidden_act == "quick_gelu"
    assert config.tokens_per_crop_side == 12 and config.vision_feature_layer == -2
    assert config.rope_parameters["rope_type"] == "longrope"
    # strict dataclasses wrap the validator's ValueError in their own error type
    with pytest.raises(Exception, match="hd_transform_order"):
        tiny_config(embd_layer={"hd_transform_order": "middle"})
    with pytest.raises(Exception, match="image_dim_out"):
        tiny_config(img_processor={"image_dim_out": 1024})


def test_parameter_names_follow_official_checkpoint(model, tmp_path):
    expected = official_key_names(model.config)
    # transformers 5's CLIPVisionModel drops the `vision_model.` level in memory only
    assert set(model.state_dict()) == {key.replace("img_processor.vision_model.", "img_processor.") for key in expected}
    model.save_pretrained(tmp_path)
    with safe_open(tmp_path / "model.safetensors", "pt") as handle:
        assert set(handle.keys()) == expected
    assert json.loads((tmp_path / "config.json").read_text())["model_type"] == "phi3_v"


def test_default_config_is_phi_3_5_vision_instruct_size():
    with torch.device("meta"):  # shapes only, no memory
        full = Phi3VForCausalLM(Phi3VConfig(pad_token_id=32000))
    shapes = {key: tuple(value.shape) for key, value in full.state_dict().items()}
    assert shapes["model.vision_embed_tokens.glb_GN"] == (1, 1, 4096)
    assert shapes["model.vision_embed_tokens.sub_GN"] == (1, 1, 1, 4096)
    assert shapes["model.vision_embed_tokens.img_projection.0.weight"] == (3072, 4096)
    assert shapes["model.vision_embed_tokens.img_processor.embeddings.position_embedding.weight"] == (577, 1024)
    assert shapes["model.layers.31.self_attn.qkv_proj.weight"] == (9216, 3072)
    assert round(sum(p.numel() for p in full.parameters()) / 1e9, 2) == 4.15  # the model card's 4.15B parameters


def test_official_named_safetensors_loads_without_remote_code(model, tmp_path, processor, images):
    state = {key.replace("img_processor.", "img_processor.vision_model."): value.clone()
             for key, value in model.state_dict().items()}
    state["model.vision_embed_tokens.wte.weight"] = state["model.embed_tokens.weight"].clone()  # remote-code alias
    save_file(state, str(tmp_path / "model.safetensors"), metadata={"format": "pt"})
    model.config.save_pretrained(tmp_path)
    loaded, info = Phi3VForCausalLM.from_pretrained(tmp_path, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"]
    batch = processor(images[:1], return_tensors="pt")
    ids = prompt_ids(batch["num_img_tokens"].tolist())
    with torch.no_grad():
        expected = model(input_ids=ids, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"]).logits
        actual = loaded.eval()(input_ids=ids, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"])
    torch.testing.assert_close(actual.logits, expected, rtol=0, atol=0)


def test_token_counts_follow_official_formula(processor, images, model):
    official = Phi3VImageProcessor(num_crops=4)  # 336 crops, 14 patches: m = 12
    assert official.calc_num_image_tokens_from_image_size(672, 672) == 757  # 2x2 crops
    assert official.calc_num_image_tokens_from_image_size(336, 336, num_crops=1) == 313  # 1 crop
    # 1000x300: scale 3 -> 1008x302, padded to 1008x336: 1x3 crops
    assert official.calc_num_image_tokens_from_image_size(1000, 300) == (1 * 3 + 1) * 144 + 1 + 2 * 12
    # 1920x1080 with 16 crops: scale 5 -> 1680x945, padded to 1680x1008: 3x5 crops
    assert Phi3VImageProcessor(num_crops=16).calc_num_image_tokens_from_image_size(1920, 1080) == 16 * 144 + 1 + 4 * 12

    batch = processor(images, return_tensors="pt")
    sizes = batch["image_sizes"].tolist()
    assert sizes == [[56, 112], [112, 56], [112, 112]]
    expected = [phi3_v_num_image_tokens(h, w, CROP, 2) for h, w in sizes]
    assert batch["num_img_tokens"].tolist() == expected == [(2 + 1) * 4 + 1 + 2 * 2, (2 + 1) * 4 + 1 + 3 * 2, 27]
    with torch.no_grad():
        features = model.get_image_features(batch["pixel_values"], batch["image_sizes"]).pooler_output
    assert [f.shape for f in features] == [torch.Size([n, model.config.hidden_size]) for n in expected]


def test_hd_transform_matches_official_layout(model, processor, images):
    batch = processor(images, return_tensors="pt")
    with torch.no_grad():
        features = model.get_image_features(batch["pixel_values"], batch["image_sizes"]).pooler_output
        for feature, pixels, (height, width) in zip(features, batch["pixel_values"], batch["image_sizes"].tolist()):
            rows, cols = height // CROP, width // CROP
            reference = reference_hd_tokens(model, pixels[: rows * cols + 1], rows, cols)
            torch.testing.assert_close(feature, reference, rtol=1e-5, atol=1e-5)


def test_forward_loss_and_placeholders(model, processor, images):
    batch = processor(images[:2], return_tensors="pt")
    ids = prompt_ids(batch["num_img_tokens"].tolist())
    labels = ids.clone()
    labels[:, :3] = -100
    out = model(input_ids=ids, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"], labels=labels)
    keep = (labels[:, 1:] != -100) & (labels[:, 1:] != IMAGE_TOKEN_ID)
    manual = torch.nn.functional.cross_entropy(out.logits[:, :-1][keep], labels[:, 1:][keep])
    torch.testing.assert_close(out.loss, manual)
    out.loss.backward()
    assert model.model.vision_embed_tokens.img_projection[0].weight.grad is not None
    model.zero_grad()

    # The official convention (negative ids, -k for the k-th image) gives the same logits.
    negative = ids.clone()
    negative[ids == IMAGE_TOKEN_ID] = -1
    with torch.no_grad():
        official = model(input_ids=negative, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"])
    torch.testing.assert_close(official.logits, out.logits.detach(), rtol=0, atol=0)
    with pytest.raises(ValueError, match="do not match"):
        model(input_ids=ids[:, :-5], pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"])
    with pytest.raises(ValueError, match="num_img_tokens"):
        model(input_ids=ids, **{**batch, "num_img_tokens": batch["num_img_tokens"] + 1})
    with pytest.raises(ValueError, match="pixel_values must be"):
        model(input_ids=ids, pixel_values=batch["pixel_values"][0], image_sizes=batch["image_sizes"])


def test_batched_generate_with_official_negative_ids_matches_greedy_forward(model, processor, images):
    batch = processor(images[:2], return_tensors="pt")
    # The official processor's placeholders: -1 for the tokens of the first image, -2 for the second; left padding.
    rows = [prompt_ids([count], image_token=-(i + 1))[0] for i, count in enumerate(batch["num_img_tokens"].tolist())]
    length = max(len(row) for row in rows)
    ids = torch.zeros(2, length, dtype=torch.long)
    attention_mask = torch.zeros(2, length, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, length - len(row):], attention_mask[i, length - len(row):] = row, 1
    with torch.no_grad():
        generated = model.generate(input_ids=ids, attention_mask=attention_mask, **batch,  # the processor's output
                                   max_new_tokens=3, do_sample=False, eos_token_id=None, pad_token_id=0)
        for i, row in enumerate(rows):
            sequence = row[None]
            for _ in range(3):  # no cache, no padding: the full prompt with its image at every step
                logits = model(input_ids=sequence, pixel_values=batch["pixel_values"][i : i + 1],
                               image_sizes=batch["image_sizes"][i : i + 1], use_cache=False).logits
                sequence = torch.cat([sequence, logits[:, -1:].argmax(-1)], dim=1)
            assert torch.equal(generated[i, length:], sequence[0, len(row):])


def test_auto_classes_and_round_trip(model, processor, images, tmp_path):
    model.save_pretrained(tmp_path)
    processor.save_pretrained(tmp_path)
    assert isinstance(AutoConfig.from_pretrained(tmp_path), Phi3VConfig)
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    assert isinstance(loaded, Phi3VForCausalLM)
    reloaded_processor = AutoImageProcessor.from_pretrained(tmp_path)
    assert isinstance(reloaded_processor, Phi3VImageProcessor) and reloaded_processor.num_crops == 4
    batch = reloaded_processor(images[:2], return_tensors="pt")
    ids = prompt_ids(batch["num_img_tokens"].tolist())
    with torch.no_grad():
        expected = model(input_ids=ids, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"]).logits
        actual = loaded(input_ids=ids, pixel_values=batch["pixel_values"], image_sizes=batch["image_sizes"]).logits
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)
