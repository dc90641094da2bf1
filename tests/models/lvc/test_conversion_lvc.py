"""hf_spiking.models.lvc.convert_internvl2_original_to_hf on tiny state dicts with the original InternVL2
remote-code names.

The references below re-compute the original models (InternViT with fused qkv and layer scale, the mlp1 projector,
InternLM2 with its fused grouped wqkv) straight from the original tensors, so the converted native InternVL must
reproduce them numerically.
"""

import json

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import InternVLForConditionalGeneration, Qwen2Config, Qwen2ForCausalLM

from hf_spiking.models.lvc import convert_internvl2_original_to_hf as converter

IMAGE_TOKEN_ID = 63


def vision_config(internvit_6b_style=False):
    return {
        "architectures": ["InternVisionModel"], "model_type": "intern_vit_6b", "hidden_size": 16,
        "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "image_size": 32, "patch_size": 8,
        "hidden_act": "gelu", "layer_norm_eps": 1e-6, "use_flash_attn": False, "num_channels": 3,
        "norm_type": "rms_norm" if internvit_6b_style else "layer_norm",
        "qkv_bias": not internvit_6b_style, "qk_normalization": internvit_6b_style,
    }


def original_config(llm_config, internvit_6b_style=False):
    return {
        "architectures": ["InternVLChatModel"], "model_type": "internvl_chat", "downsample_ratio": 0.5,
        "force_image_size": 32, "ps_version": "v2", "select_layer": -1, "template": "internlm2-chat",
        "vision_config": vision_config(internvit_6b_style), "llm_config": llm_config,
    }


INTERNLM2_CONFIG = {
    "architectures": ["InternLM2ForCausalLM"], "model_type": "internlm2", "vocab_size": 64, "hidden_size": 32,
    "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "bias": False, "tie_word_embeddings": False,
    "max_position_embeddings": 128, "hidden_act": "silu", "attn_implementation": "flash_attention_2",
}


def random_tensor(*shape, scale=0.2):
    return torch.randn(*shape) * scale


def norm_weight(dim):
    return 1.0 + random_tensor(dim, scale=0.1)


def original_vision_state_dict(config, text_hidden):
    vision = config["vision_config"]
    c, inner = vision["hidden_size"], vision["intermediate_size"]
    patch, num_patches = vision["patch_size"], (vision["image_size"] // vision["patch_size"]) ** 2
    state = {
        "vision_model.embeddings.class_embedding": random_tensor(1, 1, c),
        "vision_model.embeddings.position_embedding": random_tensor(1, num_patches + 1, c),
        "vision_model.embeddings.patch_embedding.weight": random_tensor(c, 3, patch, patch, scale=0.05),
        "vision_model.embeddings.patch_embedding.bias": random_tensor(c),
        "mlp1.0.weight": norm_weight(4 * c), "mlp1.0.bias": random_tensor(4 * c),
        "mlp1.1.weight": random_tensor(text_hidden, 4 * c), "mlp1.1.bias": random_tensor(text_hidden),
        "mlp1.3.weight": random_tensor(text_hidden, text_hidden), "mlp1.3.bias": random_tensor(text_hidden),
    }
    rms = vision["norm_type"] == "rms_norm"
    for i in range(vision["num_hidden_layers"]):
        p = f"vision_model.encoder.layers.{i}."
        state.update({
            p + "attn.qkv.weight": random_tensor(3 * c, c), p + "attn.proj.weight": random_tensor(c, c),
            p + "attn.proj.bias": random_tensor(c), p + "ls1": random_tensor(c), p + "ls2": random_tensor(c),
            p + "norm1.weight": norm_weight(c), p + "norm2.weight": norm_weight(c),
            p + "mlp.fc1.weight": random_tensor(inner, c), p + "mlp.fc1.bias": random_tensor(inner),
            p + "mlp.fc2.weight": random_tensor(c, inner), p + "mlp.fc2.bias": random_tensor(c),
        })
        if vision["qkv_bias"]:
            state[p + "attn.qkv.bias"] = random_tensor(3 * c)
        if not rms:
            state[p + "norm1.bias"] = random_tensor(c)
            state[p + "norm2.bias"] = random_tensor(c)
        if vision["qk_normalization"]:
            state[p + "attn.q_norm.weight"] = norm_weight(c)
            state[p + "attn.k_norm.weight"] = norm_weight(c)
    return state


def original_internlm2_state_dict(llm):
    hidden, inner, vocab = llm["hidden_size"], llm["intermediate_size"], llm["vocab_size"]
    heads, kv_heads = llm["num_attention_heads"], llm["num_key_value_heads"]
    head_dim = hidden // heads
    state = {
        "language_model.model.tok_embeddings.weight": random_tensor(vocab, hidden, scale=1.0),
        "language_model.model.norm.weight": norm_weight(hidden),
        "language_model.output.weight": random_tensor(vocab, hidden),
    }
    for i in range(llm["num_hidden_layers"]):
        p = f"language_model.model.layers.{i}."
        state.update({
            p + "attention.wqkv.weight": random_tensor((heads + 2 * kv_heads) * head_dim, hidden),
            p + "attention.wo.weight": random_tensor(hidden, hidden),
            p + "feed_forward.w1.weight": random_tensor(inner, hidden),
            p + "feed_forward.w3.weight": random_tensor(inner, hidden),
            p + "feed_forward.w2.weight": random_tensor(hidden, inner),
            p + "attention_norm.weight": norm_weight(hidden), p + "ffn_norm.weight": norm_weight(hidden),
        })
    return state


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def reference_image_tokens(state, config, pixel_values):
    """Original InternVLChatModel.extract_feature: InternViT last layer, CLS dropped, pixel shuffle v2, mlp1."""
    vision = config["vision_config"]
    heads, eps, c = vision["num_attention_heads"], vision["layer_norm_eps"], vision["hidden_size"]
    rms = vision["norm_type"] == "rms_norm"

    def norm(x, prefix):
        if rms:
            return rms_norm(x, state[prefix + ".weight"], eps)
        return F.layer_norm(x, (c,), state[prefix + ".weight"], state[prefix + ".bias"], eps)

    e = "vision_model.embeddings."
    x = F.conv2d(pixel_values, state[e + "patch_embedding.weight"], state[e + "patch_embedding.bias"],
                 stride=vision["patch_size"]).flatten(2).transpose(1, 2)
    x = torch.cat([state[e + "class_embedding"].expand(x.shape[0], 1, c), x], dim=1) + state[e + "position_embedding"]
    batch, tokens = x.shape[:2]
    for i in range(vision["num_hidden_layers"]):
        p = f"vision_model.encoder.layers.{i}."
        qkv = F.linear(norm(x, p + "norm1"), state[p + "attn.qkv.weight"], state.get(p + "attn.qkv.bias"))
        q, k, v = qkv.reshape(batch, tokens, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
        if vision["qk_normalization"]:  # the original normalises over all heads at once
            q = rms_norm(q.transpose(1, 2).flatten(-2), state[p + "attn.q_norm.weight"], eps)
            k = rms_norm(k.transpose(1, 2).flatten(-2), state[p + "attn.k_norm.weight"], eps)
            q = q.reshape(batch, tokens, heads, -1).transpose(1, 2)
            k = k.reshape(batch, tokens, heads, -1).transpose(1, 2)
        attention = torch.softmax(q @ k.transpose(-1, -2) * (c // heads) ** -0.5, dim=-1) @ v
        attention = F.linear(attention.transpose(1, 2).reshape(batch, tokens, c),
                             state[p + "attn.proj.weight"], state[p + "attn.proj.bias"])
        x = x + state[p + "ls1"] * attention
        hidden = F.gelu(F.linear(norm(x, p + "norm2"), state[p + "mlp.fc1.weight"], state[p + "mlp.fc1.bias"]))
        x = x + state[p + "ls2"] * F.linear(hidden, state[p + "mlp.fc2.weight"], state[p + "mlp.fc2.bias"])
    side = int((tokens - 1) ** 0.5)
    x = x[:, 1:].reshape(batch, side, side, c)
    # pixel_shuffle(scale 0.5), ps_version v2
    x = x.reshape(batch, side, side // 2, c * 2).permute(0, 2, 1, 3).reshape(batch, side // 2, side // 2, c * 4)
    x = x.permute(0, 2, 1, 3).reshape(batch, -1, c * 4)
    x = F.layer_norm(x, (4 * c,), state["mlp1.0.weight"], state["mlp1.0.bias"], 1e-5)
    x = F.gelu(F.linear(x, state["mlp1.1.weight"], state["mlp1.1.bias"]))
    return F.linear(x, state["mlp1.3.weight"], state["mlp1.3.bias"])


def rotate(x, theta):
    half = x.shape[-1] // 2
    inv_freq = 1.0 / theta ** (torch.arange(0, half, dtype=torch.float32) / half)
    angles = torch.arange(x.shape[-2], dtype=torch.float32)[:, None] * inv_freq[None]
    cos, sin = torch.cat([angles, angles], -1).cos(), torch.cat([angles, angles], -1).sin()
    return x * cos + torch.cat([-x[..., half:], x[..., :half]], -1) * sin


def reference_decoder_logits(layers, norm_and_head, llm, embeddings):
    """A pre-norm Llama-style decoder from per-layer (q, k, v, o, gate, up, down, attention_norm, ffn_norm) weights:
    RoPE, causal grouped-query attention, SwiGLU; ``norm_and_head`` = (final norm, output projection)."""
    heads, kv_heads, eps = llm["num_attention_heads"], llm["num_key_value_heads"], llm["rms_norm_eps"]
    groups, head_dim = heads // kv_heads, llm["hidden_size"] // heads
    x = embeddings
    batch, length = x.shape[:2]
    causal = torch.full((length, length), float("-inf")).triu(1)
    for q_w, k_w, v_w, o_w, gate_w, up_w, down_w, attention_norm, ffn_norm in layers:
        h = rms_norm(x, attention_norm, eps)
        q = F.linear(h, q_w).reshape(batch, length, heads, head_dim).transpose(1, 2)
        k, v = (F.linear(h, w).reshape(batch, length, kv_heads, head_dim).transpose(1, 2) for w in (k_w, v_w))
        q, k = rotate(q, llm["rope_theta"]), rotate(k, llm["rope_theta"])
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        attention = torch.softmax(q @ k.transpose(-1, -2) / head_dim**0.5 + causal, dim=-1) @ v
        x = x + F.linear(attention.transpose(1, 2).reshape(batch, length, -1), o_w)
        h = rms_norm(x, ffn_norm, eps)
        x = x + F.linear(F.silu(F.linear(h, gate_w)) * F.linear(h, up_w), down_w)
    final_norm, head = norm_and_head
    return F.linear(rms_norm(x, final_norm, eps), head)


def internlm2_layers(state, llm):
    """Per-layer weights from InternLM2's fused grouped wqkv ([kv_head, (q_1 .. q_g, k, v), head_dim] rows)."""
    heads, kv_heads = llm["num_attention_heads"], llm["num_key_value_heads"]
    groups, head_dim = heads // kv_heads, llm["hidden_size"] // heads
    for i in range(llm["num_hidden_layers"]):
        p = f"language_model.model.layers.{i}."
        wqkv = state[p + "attention.wqkv.weight"].reshape(kv_heads, groups + 2, head_dim, -1)
        yield (wqkv[:, :groups].reshape(heads * head_dim, -1), wqkv[:, groups].reshape(kv_heads * head_dim, -1),
               wqkv[:, groups + 1].reshape(kv_heads * head_dim, -1), state[p + "attention.wo.weight"],
               *(state[p + f"feed_forward.{name}.weight"] for name in ("w1", "w3", "w2")),
               state[p + "attention_norm.weight"], state[p + "ffn_norm.weight"])


def phi3_layers(state, llm):
    """Per-layer weights from Phi-3's fused qkv_proj (rows q, k, v) and gate_up_proj (rows gate, up)."""
    heads, kv_heads = llm["num_attention_heads"], llm["num_key_value_heads"]
    head_dim = llm["hidden_size"] // heads
    for i in range(llm["num_hidden_layers"]):
        p = f"language_model.model.layers.{i}."
        q, k, v = state[p + "self_attn.qkv_proj.weight"].split(
            [heads * head_dim, kv_heads * head_dim, kv_heads * head_dim])
        gate, up = state[p + "mlp.gate_up_proj.weight"].chunk(2)
        yield (q, k, v, state[p + "self_attn.o_proj.weight"], gate, up, state[p + "mlp.down_proj.weight"],
               state[p + "input_layernorm.weight"], state[p + "post_attention_layernorm.weight"])


def llama_layers(state, llm):
    for i in range(llm["num_hidden_layers"]):
        p = f"language_model.model.layers.{i}."
        yield (*(state[p + f"self_attn.{name}_proj.weight"] for name in "qkvo"),
               *(state[p + f"mlp.{name}_proj.weight"] for name in ("gate", "up", "down")),
               state[p + "input_layernorm.weight"], state[p + "post_attention_layernorm.weight"])


def reference_internlm2_logits(state, llm, embeddings):
    """InternLM2ForCausalLM from its original tensors: fused grouped wqkv, RoPE, causal GQA, SwiGLU."""
    head = (state["language_model.model.norm.weight"], state["language_model.output.weight"])
    return reference_decoder_logits(internlm2_layers(state, llm), head, llm, embeddings)


def native_model(converted, config):
    model = InternVLForConditionalGeneration(config).eval()
    missing, unexpected = model.load_state_dict(converted, strict=False)
    assert not unexpected and set(missing) <= {"lm_head.weight"} and (not missing or config.tie_word_embeddings)
    return model


def prompt_with_image(tokens_per_image):
    return torch.tensor([[1, 5] + [IMAGE_TOKEN_ID] * tokens_per_image + [6, 7, 8]])


def test_internlm2_model_matches_original_computation():
    config = original_config(INTERNLM2_CONFIG)
    state = {**original_vision_state_dict(config, 32), **original_internlm2_state_dict(INTERNLM2_CONFIG)}
    hf_config = converter.convert_internvl2_config(config, IMAGE_TOKEN_ID)
    assert hf_config.text_config.model_type == "llama" and hf_config.image_seq_length == 4
    assert not hf_config.tie_word_embeddings and hf_config.text_config.num_key_value_heads == 2
    model = native_model(converter.convert_internvl2_state_dict(state, config), hf_config)

    pixel_values = torch.randn(1, 3, 32, 32)
    ids = prompt_with_image(4)
    with torch.no_grad():
        image_tokens = model.get_image_features(pixel_values=pixel_values).pooler_output
        reference_tokens = reference_image_tokens(state, config, pixel_values)
        torch.testing.assert_close(image_tokens, reference_tokens, rtol=1e-4, atol=1e-4)

        embeddings = state["language_model.model.tok_embeddings.weight"][ids]
        embeddings[ids == IMAGE_TOKEN_ID] = reference_tokens.reshape(-1, 32)
        logits = model(input_ids=ids, pixel_values=pixel_values).logits
    torch.testing.assert_close(logits, reference_internlm2_logits(state, INTERNLM2_CONFIG, embeddings),
                               rtol=1e-4, atol=1e-4)


def test_wqkv_split_keeps_grouped_query_order():
    heads, kv_heads, head_dim = 6, 2, 3
    # row r of head-slot (h, s) holds the value 100 h + 10 s + r, so every row's origin stays readable
    fused = torch.tensor([[100 * h + 10 * s + r] for h in range(kv_heads) for s in range(heads // kv_heads + 2)
                          for r in range(head_dim)], dtype=torch.float32)
    q, k, v = converter.split_internlm2_wqkv(fused, heads, kv_heads)
    assert q[:, 0].tolist() == [100 * h + 10 * g + r for h in range(2) for g in range(3) for r in range(3)]
    assert k[:, 0].tolist() == [100 * h + 30 + r for h in range(2) for r in range(3)]
    assert v[:, 0].tolist() == [100 * h + 40 + r for h in range(2) for r in range(3)]


def test_qwen2_and_internvit_6b_style_match_original():
    qwen_config = Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                              num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False)
    language_model = Qwen2ForCausalLM(qwen_config).eval()
    llm = {**qwen_config.to_dict(), "architectures": ["Qwen2ForCausalLM"], "attn_implementation": "flash_attention_2"}
    config = original_config(llm, internvit_6b_style=True)
    state = original_vision_state_dict(config, 32)
    state.update({f"language_model.{key}": value for key, value in language_model.state_dict().items()})
    hf_config = converter.convert_internvl2_config(config, IMAGE_TOKEN_ID)
    assert hf_config.vision_config.use_qk_norm and hf_config.vision_config.norm_type == "rms_norm"
    model = native_model(converter.convert_internvl2_state_dict(state, config), hf_config)

    pixel_values = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        image_tokens = model.get_image_features(pixel_values=pixel_values).pooler_output
        torch.testing.assert_close(image_tokens, reference_image_tokens(state, config, pixel_values),
                                   rtol=1e-4, atol=1e-4)
        ids = torch.tensor([[3, 9, 27, 4, 11]])
        torch.testing.assert_close(model(input_ids=ids).logits, language_model(input_ids=ids).logits,
                                   rtol=1e-5, atol=1e-5)


def test_cli_writes_a_loadable_native_checkpoint(tmp_path):
    config = original_config(INTERNLM2_CONFIG)
    state = {**original_vision_state_dict(config, 32), **original_internlm2_state_dict(INTERNLM2_CONFIG)}
    source, target = tmp_path / "InternVL2-tiny", tmp_path / "InternVL2-tiny-hf"
    source.mkdir()
    (source / "config.json").write_text(json.dumps(config))
    (source / "tokenizer_config.json").write_text(json.dumps(
        {"added_tokens_decoder": {str(IMAGE_TOKEN_ID): {"content": "<IMG_CONTEXT>", "special": True}}}))
    keys = sorted(state)
    save_file({k: state[k] for k in keys[: len(keys) // 2]}, str(source / "model-00001-of-00002.safetensors"))
    save_file({k: state[k] for k in keys[len(keys) // 2:]}, str(source / "model-00002-of-00002.safetensors"))

    converter.main(["--input_dir", str(source), "--output_dir", str(target)])
    model, info = InternVLForConditionalGeneration.from_pretrained(target, output_loading_info=True)
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"]
    assert model.config.image_token_id == IMAGE_TOKEN_ID

    expected = native_model(converter.convert_internvl2_state_dict(state, config),
                            converter.convert_internvl2_config(config, IMAGE_TOKEN_ID))
    ids, pixel_values = prompt_with_image(4), torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(input_ids=ids, pixel_values=pixel_values).logits,
                                   expected(input_ids=ids, pixel_values=pixel_values).logits, rtol=0, atol=0)


def test_internvl2_2b_config_gives_the_released_model_size():
    llm = {**INTERNLM2_CONFIG, "vocab_size": 92553, "hidden_size": 2048, "intermediate_size": 8192,
           "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 8, "rope_theta": 1000000,
           "max_position_embeddings": 32768, "rope_scaling": {"type": "dynamic", "factor": 2.0}}
    config = original_config(llm)
    config["force_image_size"] = 448
    config["vision_config"].update(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24,
                                   num_attention_heads=16, image_size=448, patch_size=14)
    hf_config = converter.convert_internvl2_config(config)
    assert hf_config.image_seq_length == 256 and hf_config.image_token_id == 92546
    assert hf_config.text_config.rope_parameters["rope_type"] == "dynamic"
    with torch.device("meta"):  # shapes only, no memory
        model = InternVLForConditionalGeneration(hf_config)
    assert round(sum(p.numel() for p in model.parameters()) / 1e9, 2) == 2.21  # InternVL2-2B's 2.21B parameters


def test_bad_inputs_raise_clear_errors():
    config = original_config(INTERNLM2_CONFIG)
    with pytest.raises(ValueError, match="unrecognised InternVL2 parameters"):
        converter.convert_internvl2_state_dict({"vision_model.pooler.weight": torch.zeros(1)}, config)
    with pytest.raises(ValueError, match="unsupported InternVL2 language model"):
        converter.convert_internvl2_config(original_config({"model_type": "gemma", "architectures": ["Gemma"]}))
    with pytest.raises(ValueError, match="ps_version"):
        converter.convert_internvl2_config({**config, "ps_version": "v1"})


PHI3_CONFIG = {
    "architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "vocab_size": 64, "hidden_size": 32,
    "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
    "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False, "max_position_embeddings": 128,
    "original_max_position_embeddings": 128, "hidden_act": "silu", "attn_implementation": "flash_attention_2",
    "sliding_window": 127, "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2,
}
LLAMA_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 64, "hidden_size": 32,
    "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "rms_norm_eps": 1e-5, "rope_theta": 5000000.0, "tie_word_embeddings": False, "max_position_embeddings": 128,
    "hidden_act": "silu", "attention_bias": False, "mlp_bias": False, "attn_implementation": "flash_attention_2",
}


def original_causal_lm_state_dict(llm, fused):
    """Original language_model.* tensors: Phi-3's fused qkv_proj / gate_up_proj, or Llama's separate projections."""
    hidden, inner, vocab = llm["hidden_size"], llm["intermediate_size"], llm["vocab_size"]
    kv_rows = llm["num_key_value_heads"] * hidden // llm["num_attention_heads"]
    state = {
        "language_model.model.embed_tokens.weight": random_tensor(vocab, hidden, scale=1.0),
        "language_model.model.norm.weight": norm_weight(hidden),
        "language_model.lm_head.weight": random_tensor(vocab, hidden),
    }
    for i in range(llm["num_hidden_layers"]):
        p = f"language_model.model.layers.{i}."
        if fused:
            state[p + "self_attn.qkv_proj.weight"] = random_tensor(hidden + 2 * kv_rows, hidden)
            state[p + "mlp.gate_up_proj.weight"] = random_tensor(2 * inner, hidden)
        else:
            state.update({p + "self_attn.q_proj.weight": random_tensor(hidden, hidden),
                          p + "self_attn.k_proj.weight": random_tensor(kv_rows, hidden),
                          p + "self_attn.v_proj.weight": random_tensor(kv_rows, hidden),
                          p + "mlp.gate_proj.weight": random_tensor(inner, hidden),
                          p + "mlp.up_proj.weight": random_tensor(inner, hidden)})
        state.update({p + "self_attn.o_proj.weight": random_tensor(hidden, hidden),
                      p + "mlp.down_proj.weight": random_tensor(hidden, inner),
                      p + "input_layernorm.weight": norm_weight(hidden),
                      p + "post_attention_layernorm.weight": norm_weight(hidden)})
    return state


@pytest.mark.parametrize("llm, layers, internvit_6b_style", [
    (PHI3_CONFIG, phi3_layers, False),  # InternVL2-4B: InternViT-300M + Phi-3-mini
    (LLAMA_CONFIG, llama_layers, True),  # InternVL2-40B / 76B: InternViT-6B + Yi-34B / Llama-3-70B
], ids=["phi3-4b", "llama-40b-76b"])
def test_phi3_and_llama_models_match_original_computation(llm, layers, internvit_6b_style):
    config = original_config(llm, internvit_6b_style=internvit_6b_style)
    state = {**original_vision_state_dict(config, 32), **original_causal_lm_state_dict(llm, layers is phi3_layers)}
    hf_config = converter.convert_internvl2_config(config, IMAGE_TOKEN_ID)
    assert hf_config.text_config.model_type == llm["model_type"]
    assert hf_config.vision_config.use_qk_norm == internvit_6b_style
    model = native_model(converter.convert_internvl2_state_dict(state, config), hf_config)

    pixel_values, ids = torch.randn(1, 3, 32, 32), prompt_with_image(4)
    with torch.no_grad():
        reference_tokens = reference_image_tokens(state, config, pixel_values)
        embeddings = state["language_model.model.embed_tokens.weight"][ids]
        embeddings[ids == IMAGE_TOKEN_ID] = reference_tokens.reshape(-1, 32)
        head = (state["language_model.model.norm.weight"], state["language_model.lm_head.weight"])
        expected = reference_decoder_logits(layers(state, llm), head, llm, embeddings)
        torch.testing.assert_close(model(input_ids=ids, pixel_values=pixel_values).logits, expected,
                                   rtol=1e-4, atol=1e-4)


def test_phi3_longrope_config_and_required_image_token_id():
    llm = {**PHI3_CONFIG, "max_position_embeddings": 256, "original_max_position_embeddings": 64,
           "rope_scaling": {"type": "su", "long_factor": [1.5] * 4, "short_factor": [1.0] * 4}}
    hf_config = converter.convert_internvl2_config(original_config(llm), IMAGE_TOKEN_ID)
    rope = hf_config.text_config.rope_parameters
    assert rope["rope_type"] == "longrope" and rope["long_factor"] == [1.5] * 4
    with torch.device("meta"):
        InternVLForConditionalGeneration(hf_config)
    for layout in (PHI3_CONFIG, LLAMA_CONFIG):  # no InternVL2 default <IMG_CONTEXT> id to fall back on
        with pytest.raises(ValueError, match="image_token_id is required"):
            converter.convert_internvl2_config(original_config(layout))
    assert set(converter.LANGUAGE_MODEL_LAYOUTS) == {"qwen2", "internlm2", "phi3", "llama"}
