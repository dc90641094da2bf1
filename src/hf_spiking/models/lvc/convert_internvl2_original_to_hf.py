"""Convert original InternVL2 checkpoints (OpenGVLab remote-code naming) to transformers' native InternVL.

The original ``InternVLChatModel`` holds an InternViT ``vision_model``, the ``mlp1`` projector and a ``language_model``
in one of four layouts:

- Qwen2 (InternVL2-1B);
- InternLM2 (InternVL2-2B / 8B / 26B), converted to a Llama text model (fused ``wqkv`` split, see below);
- Phi-3 (InternVL2-4B, Phi-3-mini-128k): ``self_attn.qkv_proj`` (rows q, k, v) and ``mlp.gate_up_proj`` (rows gate,
  up) stay fused, because transformers' native Phi-3 uses the same fused layout; ``rope_scaling`` ``"su"`` becomes
  ``"longrope"``;
- Llama (InternVL2-40B, Nous-Hermes-2-Yi-34B; InternVL2-76B, Hermes-2-Theta-Llama-3-70B): separate
  ``self_attn.{q,k,v,o}_proj`` and ``mlp.{gate,up,down}_proj``, already transformers' Llama names.

Qwen2, Phi-3 and Llama language models are transformers causal LMs in the original checkpoint, so their parameters
only move (``language_model.model.*`` -> ``model.language_model.*``, ``language_model.lm_head`` -> ``lm_head``). The
native
``InternVLForConditionalGeneration`` of transformers 5 uses:

    vision_model.embeddings.{class_embedding, position_embedding, patch_embedding}
        -> model.vision_tower.embeddings.{cls_token, position_embeddings, patch_embeddings.projection}
    vision_model.encoder.layers.N.attn.qkv (fused)      -> model.vision_tower.encoder.layer.N.attention.{q,k,v}_proj
    ...attn.proj / attn.{q,k}_norm / ls1 / ls2 / norm1 / norm2 / mlp.fc{1,2}
        -> ...attention.projection_layer / attention.{q,k}_norm / lambda_1 / lambda_2 / layernorm_before /
           layernorm_after / mlp.fc{1,2}
    mlp1.{0,1,3}                                         -> model.multi_modal_projector.{layer_norm, linear_1, linear_2}
    Qwen2 / Phi-3 / Llama: language_model.model.* -> model.language_model.*, language_model.lm_head -> lm_head
    InternLM2 (as a Llama text model):
        language_model.model.tok_embeddings -> model.language_model.embed_tokens
        ...attention.wqkv (fused, grouped per key/value head: [q_1 .. q_g, k, v] for each of the kv heads)
            -> ...self_attn.{q,k,v}_proj;  attention.wo -> self_attn.o_proj
        ...feed_forward.{w1, w3, w2} -> mlp.{gate_proj, up_proj, down_proj}
        ...attention_norm / ffn_norm -> input_layernorm / post_attention_layernorm
        language_model.output -> lm_head

``convert_internvl2_state_dict(state_dict, original_config)`` returns the native state dict (names as in
``InternVLForConditionalGeneration.state_dict()``); ``convert_internvl2_config(original_config, image_token_id)``
returns the ``InternVLConfig``. The CLI reads a folder with the original ``config.json`` and ``*.safetensors``
(sharded or not) and writes ``config.json`` plus safetensors in the layout ``save_pretrained`` writes, after checking
every name and shape against the native model (built on the meta device, so no memory is spent)::

    hf-spiking convert-internvl2 --input_dir InternVL2-2B --output_dir InternVL2-2B-hf
    python -m hf_spiking.models.lvc.convert_internvl2_original_to_hf --input_dir InternVL2-2B --output_dir InternVL2-2B-hf

The ``<IMG_CONTEXT>`` id is read from the folder's tokenizer files; without them it defaults to the InternVL2
tokenizers' value for Qwen2 and InternLM2 and must be passed (``--image_token_id``) for Phi-3 and Llama models.
"""

import argparse
import json
import re
from pathlib import Path

import torch
from transformers.utils import logging

from ...checkpoints import (
    CheckpointError,
    CheckpointMismatchError,
    check_tensor_shapes,
    naming_source,
    read_tensor_file,
)
from ...console import show_info_logs


logger = logging.get_logger(__name__)

QWEN2_IMAGE_CONTEXT_TOKEN_ID = 151648  # <IMG_CONTEXT> in the InternVL2-1B (Qwen2) tokenizer
INTERNLM2_IMAGE_CONTEXT_TOKEN_ID = 92546  # <IMG_CONTEXT> in the InternVL2-2B/8B/26B (InternLM2) tokenizer
IMAGE_CONTEXT_TOKEN = "<IMG_CONTEXT>"
DEFAULT_IMAGE_CONTEXT_TOKEN_IDS = {"qwen2": QWEN2_IMAGE_CONTEXT_TOKEN_ID, "internlm2": INTERNLM2_IMAGE_CONTEXT_TOKEN_ID}

ORIGINAL_VIT_LAYER = r"^vision_model\.encoder\.layers\.(\d+)\."
NATIVE_VIT_LAYER = r"model.vision_tower.encoder.layer.\1."
VISION_RENAMES = [
    (r"^vision_model\.embeddings\.class_embedding$", "model.vision_tower.embeddings.cls_token"),
    (r"^vision_model\.embeddings\.position_embedding$", "model.vision_tower.embeddings.position_embeddings"),
    (r"^vision_model\.embeddings\.patch_embedding\.", "model.vision_tower.embeddings.patch_embeddings.projection."),
    (ORIGINAL_VIT_LAYER + r"attn\.proj\.", NATIVE_VIT_LAYER + "attention.projection_layer."),
    (ORIGINAL_VIT_LAYER + r"attn\.(q_norm|k_norm)\.", NATIVE_VIT_LAYER + r"attention.\2."),
    (ORIGINAL_VIT_LAYER + r"ls1$", NATIVE_VIT_LAYER + "lambda_1"),
    (ORIGINAL_VIT_LAYER + r"ls2$", NATIVE_VIT_LAYER + "lambda_2"),
    (ORIGINAL_VIT_LAYER + r"norm1\.", NATIVE_VIT_LAYER + "layernorm_before."),
    (ORIGINAL_VIT_LAYER + r"norm2\.", NATIVE_VIT_LAYER + "layernorm_after."),
    (ORIGINAL_VIT_LAYER + r"mlp\.(fc1|fc2)\.", NATIVE_VIT_LAYER + r"mlp.\2."),
    (r"^mlp1\.0\.", "model.multi_modal_projector.layer_norm."),
    (r"^mlp1\.1\.", "model.multi_modal_projector.linear_1."),
    (r"^mlp1\.3\.", "model.multi_modal_projector.linear_2."),
]
VISION_QKV = re.compile(ORIGINAL_VIT_LAYER + r"attn\.qkv\.(weight|bias)$")

# Qwen2, Phi-3 and Llama: transformers causal LMs inside the original checkpoint, moved as they are.
CAUSAL_LM_RENAMES = [
    (r"^language_model\.model\.", "model.language_model."),
    (r"^language_model\.lm_head\.", "lm_head."),
]
ORIGINAL_LM_LAYER, NATIVE_LM_LAYER = r"^language_model\.model\.layers\.(\d+)\.", r"model.language_model.layers.\1."
INTERNLM2_RENAMES = [
    (r"^language_model\.model\.tok_embeddings\.", "model.language_model.embed_tokens."),
    (r"^language_model\.model\.norm\.", "model.language_model.norm."),
    (r"^language_model\.output\.", "lm_head."),
    (ORIGINAL_LM_LAYER + r"attention\.wo\.", NATIVE_LM_LAYER + "self_attn.o_proj."),
    (ORIGINAL_LM_LAYER + r"feed_forward\.w1\.", NATIVE_LM_LAYER + "mlp.gate_proj."),
    (ORIGINAL_LM_LAYER + r"feed_forward\.w3\.", NATIVE_LM_LAYER + "mlp.up_proj."),
    (ORIGINAL_LM_LAYER + r"feed_forward\.w2\.", NATIVE_LM_LAYER + "mlp.down_proj."),
    (ORIGINAL_LM_LAYER + r"attention_norm\.", NATIVE_LM_LAYER + "input_layernorm."),
    (ORIGINAL_LM_LAYER + r"ffn_norm\.", NATIVE_LM_LAYER + "post_attention_layernorm."),
]
INTERNLM2_WQKV = re.compile(ORIGINAL_LM_LAYER + r"attention\.wqkv\.(weight|bias)$")

# Original config keys that do not describe the architecture (or would force an attention kernel).
DROPPED_LLM_KEYS = {
    "architectures", "auto_map", "_name_or_path", "attn_implementation", "_attn_implementation", "use_flash_attn",
    "transformers_version", "model_type", "bias", "rope_scaling",
}


# Language-model layouts this converter handles: llm_config model_type -> its CausalLM architecture name.
LANGUAGE_MODEL_LAYOUTS = {
    "qwen2": "Qwen2ForCausalLM",  # InternVL2-1B
    "internlm2": "InternLM2ForCausalLM",  # InternVL2-2B / 8B / 26B
    "phi3": "Phi3ForCausalLM",  # InternVL2-4B (fused qkv_proj / gate_up_proj)
    "llama": "LlamaForCausalLM",  # InternVL2-40B (Yi-34B) and -76B (Llama-3-70B)
}


def language_model_type(original_config: dict) -> str:
    llm = original_config.get("llm_config") or {}
    architecture = (llm.get("architectures") or [""])[0]
    model_type = llm.get("model_type", "")
    for layout, layout_architecture in LANGUAGE_MODEL_LAYOUTS.items():
        if model_type == layout or architecture == layout_architecture:
            return layout
    raise ValueError(
        f"unsupported InternVL2 language model {model_type or architecture!r}: expected llm_config of a Qwen2 "
        "(InternVL2-1B), InternLM2 (2B/8B/26B), Phi-3 (4B) or Llama (40B, 76B) model"
    )


def rename(key: str, rules) -> str | None:
    for pattern, replacement in rules:
        new_key, count = re.subn(pattern, replacement, key)
        if count:
            return new_key
    return None


def split_internlm2_wqkv(tensor: torch.Tensor, num_heads: int, num_kv_heads: int) -> tuple[torch.Tensor, ...]:
    """InternLM2's fused ``wqkv`` rows, ``[kv_head, (q_1 .. q_groups, k, v), head_dim]``, -> q, k, v rows.

    Query head ``h * groups + g`` sits with key/value head ``h``, which is exactly the grouped-query order of Llama's
    ``repeat_kv``, so the query rows keep their order within and across groups.
    """
    groups = num_heads // num_kv_heads
    rows = tensor.shape[0]
    head_dim = rows // (num_kv_heads * (groups + 2))
    grouped = tensor.reshape(num_kv_heads, groups + 2, head_dim, *tensor.shape[1:])
    query = grouped[:, :groups].reshape(num_heads * head_dim, *tensor.shape[1:])
    key = grouped[:, groups].reshape(num_kv_heads * head_dim, *tensor.shape[1:])
    value = grouped[:, groups + 1].reshape(num_kv_heads * head_dim, *tensor.shape[1:])
    return query, key, value


def convert_internvl2_state_dict(state_dict: dict[str, torch.Tensor], original_config: dict) -> dict[str, torch.Tensor]:
    """Original InternVL2 parameter names and layouts -> those of ``InternVLForConditionalGeneration``."""
    lm_type = language_model_type(original_config)
    llm = original_config["llm_config"]
    text_rules = INTERNLM2_RENAMES if lm_type == "internlm2" else CAUSAL_LM_RENAMES
    converted, unknown = {}, []
    for key, tensor in state_dict.items():
        if match := VISION_QKV.match(key):
            layer, kind = match.groups()
            prefix = f"model.vision_tower.encoder.layer.{layer}.attention."
            # InternViT's qkv rows are [3, heads, head_dim]: q, k, v in thirds.
            for name, part in zip(("q_proj", "k_proj", "v_proj"), tensor.chunk(3, dim=0)):
                converted[f"{prefix}{name}.{kind}"] = part.clone()
            continue
        if lm_type == "internlm2" and (match := INTERNLM2_WQKV.match(key)):
            layer, kind = match.groups()
            prefix = f"model.language_model.layers.{layer}.self_attn."
            num_heads = llm["num_attention_heads"]
            parts = split_internlm2_wqkv(tensor, num_heads, llm.get("num_key_value_heads") or num_heads)
            for name, part in zip(("q_proj", "k_proj", "v_proj"), parts):
                converted[f"{prefix}{name}.{kind}"] = part.clone()
            continue
        new_key = rename(key, VISION_RENAMES) or rename(key, text_rules)
        if new_key is None:
            unknown.append(key)
        else:
            converted[new_key] = tensor
    if unknown:
        raise CheckpointMismatchError(
            f"unrecognised InternVL2 parameters (not converted): {sorted(unknown)[:10]}"
            f"{' ...' if len(unknown) > 10 else ''} ({len(unknown)} in all)."
        )
    if llm.get("tie_word_embeddings", False):
        converted.pop("lm_head.weight", None)
    return converted


def text_config_dict(original_config: dict) -> dict:
    llm = dict(original_config["llm_config"])
    lm_type = language_model_type(original_config)
    text = {key: value for key, value in llm.items() if key not in DROPPED_LLM_KEYS}
    rope_scaling = llm.get("rope_scaling")
    if rope_scaling:
        rope_scaling = dict(rope_scaling)
        rope_scaling["rope_type"] = rope_scaling.pop("type", rope_scaling.get("rope_type"))
        if rope_scaling["rope_type"] == "su":  # Phi-3's original name of LongRoPE
            rope_scaling["rope_type"] = "longrope"
        text["rope_parameters"] = {"rope_theta": llm.get("rope_theta", 10000.0), **rope_scaling}
    if lm_type == "internlm2":
        text["model_type"] = "llama"
        text["attention_bias"] = bool(llm.get("bias", False))
        text["mlp_bias"] = False
    else:
        text["model_type"] = lm_type
    return text


def vision_config_dict(original_config: dict) -> dict:
    vision = original_config["vision_config"]
    image_size = original_config.get("force_image_size") or vision["image_size"]
    return {
        "hidden_size": vision["hidden_size"],
        "intermediate_size": vision["intermediate_size"],
        "num_hidden_layers": vision["num_hidden_layers"],
        "num_attention_heads": vision["num_attention_heads"],
        "num_channels": vision.get("num_channels", 3),
        "image_size": image_size,
        "patch_size": vision["patch_size"],
        "hidden_act": vision.get("hidden_act", "gelu"),
        "layer_norm_eps": vision.get("layer_norm_eps", 1e-6),
        "norm_type": vision.get("norm_type", "layer_norm"),
        "attention_bias": bool(vision.get("qkv_bias", True)),
        "use_qk_norm": bool(vision.get("qk_normalization", False)),
        "layer_scale_init_value": vision.get("initializer_factor", 0.1),
        # InternViT has no final norm; the native tower then uses an identity there.
        "use_mean_pooling": True,
    }


def convert_internvl2_config(original_config: dict, image_token_id: int | None = None):
    """Original ``InternVLChatConfig`` dict -> native ``InternVLConfig``."""
    from transformers import InternVLConfig

    if original_config.get("ps_version", "v2") != "v2":
        raise ValueError(
            f"only ps_version 'v2' pixel shuffle matches native InternVL, got {original_config['ps_version']!r}"
        )
    lm_type = language_model_type(original_config)
    if image_token_id is None:
        if lm_type not in DEFAULT_IMAGE_CONTEXT_TOKEN_IDS:
            raise ValueError(
                f"image_token_id is required for a {lm_type} InternVL2 model: pass the id of {IMAGE_CONTEXT_TOKEN} "
                "in its tokenizer (the converter reads it from added_tokens.json / tokenizer_config.json / "
                "tokenizer.json when the original folder has them)"
            )
        image_token_id = DEFAULT_IMAGE_CONTEXT_TOKEN_IDS[lm_type]
    vision = vision_config_dict(original_config)
    downsample_ratio = original_config.get("downsample_ratio", 0.5)
    image_seq_length = int((vision["image_size"] // vision["patch_size"]) ** 2 * downsample_ratio**2)
    return InternVLConfig(
        vision_config=vision,
        text_config=text_config_dict(original_config),
        image_token_id=image_token_id,
        image_seq_length=image_seq_length,
        downsample_ratio=downsample_ratio,
        projector_hidden_act="gelu",
        vision_feature_layer=original_config.get("select_layer", -1),
        vision_feature_select_strategy="default",
        tie_word_embeddings=bool(original_config["llm_config"].get("tie_word_embeddings", False)),
    )


def find_image_token_id(input_dir: Path) -> int | None:
    """``<IMG_CONTEXT>``'s id from the tokenizer files of the original folder, when present."""
    for name in ("added_tokens.json", "tokenizer_config.json", "tokenizer.json"):
        path = input_dir / name
        if not path.is_file():
            continue
        data = json.loads(path.read_text())
        if name == "added_tokens.json" and IMAGE_CONTEXT_TOKEN in data:
            return int(data[IMAGE_CONTEXT_TOKEN])
        for token_id, entry in (data.get("added_tokens_decoder") or {}).items():
            if entry.get("content") == IMAGE_CONTEXT_TOKEN:
                return int(token_id)
        for entry in data.get("added_tokens") or []:
            if entry.get("content") == IMAGE_CONTEXT_TOKEN:
                return int(entry["id"])
    return None


def load_original_state_dict(input_dir: Path) -> dict[str, torch.Tensor]:
    """Every tensor of the folder's ``*.safetensors`` files (pickled ``.bin`` checkpoints are never read)."""
    files = sorted(input_dir.glob("*.safetensors"))
    if not files:
        raise CheckpointError(
            f"no *.safetensors files in {input_dir} (pickled .bin checkpoints are not read: convert them to "
            "safetensors first)"
        )
    state_dict = {}
    for file in files:
        state_dict.update(read_tensor_file(file))
    return state_dict


def read_original_config(input_dir: Path) -> dict:
    """The original folder's ``config.json`` (an ``InternVLChatConfig`` with ``llm_config`` and ``vision_config``)."""
    if not input_dir.is_dir():
        raise CheckpointError(f"--input_dir {str(input_dir)!r} is not a folder; expected an original InternVL2 folder.")
    path = input_dir / "config.json"
    try:
        original_config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CheckpointError(f"{input_dir} has no config.json; expected the original InternVL2 folder.") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON: {error}") from error
    for section in ("llm_config", "vision_config"):
        if not isinstance(original_config.get(section), dict):
            raise CheckpointError(f"{path} has no {section!r} object; expected an InternVLChatConfig.")
    return original_config


def check_against_native_model(converted: dict[str, torch.Tensor], config):
    """Every converted name and shape must be exactly those of the native model (built on the meta device, returned)."""
    from transformers import InternVLForConditionalGeneration

    with torch.device("meta"):
        model = InternVLForConditionalGeneration(config)
    expected = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    if config.tie_word_embeddings:
        expected.pop("lm_head.weight", None)
    found = {key: tuple(value.shape) for key, value in converted.items()}
    check_tensor_shapes(expected, found, "the native InternVL model (names after conversion)")
    return model


def convert_checkpoint(input_dir, output_dir, image_token_id: int | None = None, max_shard_size: str = "5GB"):
    """Reads an original InternVL2 folder and writes the native InternVL checkpoint (config + safetensors)."""
    from huggingface_hub import save_torch_state_dict
    from transformers.core_model_loading import revert_weight_conversion

    input_dir, output_dir = Path(input_dir), Path(output_dir)
    original_config = read_original_config(input_dir)
    if image_token_id is None:
        image_token_id = find_image_token_id(input_dir)
    state_dict = load_original_state_dict(input_dir)
    with naming_source(input_dir):
        try:
            config = convert_internvl2_config(original_config, image_token_id)
        except KeyError as error:
            raise CheckpointError(f"config.json lacks the field {error.args[0]!r}") from error
        converted = convert_internvl2_state_dict(state_dict, original_config)
        meta_model = check_against_native_model(converted, config)
    output_dir.mkdir(parents=True, exist_ok=True)
    config.architectures = ["InternVLForConditionalGeneration"]
    config.save_pretrained(output_dir)
    # The same on-disk names that save_pretrained writes (transformers' legacy-compatible layout).
    on_disk = revert_weight_conversion(meta_model, {k: v.contiguous() for k, v in converted.items()})
    save_torch_state_dict(on_disk, output_dir, max_shard_size=max_shard_size, metadata={"format": "pt"})
    return config


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking convert-internvl2`` / ``scripts/convert_internvl2_original_to_hf.py``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--input_dir", required=True, help="folder of the original checkpoint (config.json + safetensors)"
    )
    parser.add_argument("--output_dir", required=True, help="where to write the native InternVL checkpoint")
    parser.add_argument(
        "--image_token_id", type=int, default=None,
        help="id of <IMG_CONTEXT>; default: read from the folder's tokenizer files, else the InternVL2 tokenizer value",
    )
    parser.add_argument("--max_shard_size", default="5GB")
    args = parser.parse_args(argv)
    config = convert_checkpoint(args.input_dir, args.output_dir, args.image_token_id, args.max_shard_size)
    show_info_logs()
    logger.info(
        f"wrote {args.output_dir}: {config.text_config.model_type} text model, "
        f"image_token_id={config.image_token_id}"
    )
    return 0


__all__ = ["LANGUAGE_MODEL_LAYOUTS", "convert_internvl2_config", "convert_internvl2_state_dict"]

if __name__ == "__main__":
    raise SystemExit(main())
