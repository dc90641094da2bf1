"""Converts official SVL checkpoints (bollossom/SVL) to hf_spiking ``SpikingPointEncoder*`` folders.

An official training checkpoint is a ``.pt`` dictionary with ``state_dict`` (the encoder), ``text_proj``,
``image_proj`` and ``logit_scale``, each saved from a DDP wrapper (``module.`` prefixes). A bare encoder state dict
(``.pt``/``.pth``/``.safetensors``) works too. ``.pt``/``.pth`` files are pickles: they are read only with
``--allow-pickle`` (``torch.load(weights_only=True)``, tensors only). Missing, unrecognised or differently shaped
tensors raise :class:`~hf_spiking.checkpoints.CheckpointMismatchError` naming the file and the keys.

    hf-spiking convert-svl --checkpoint svl_pointformer.pt --allow-pickle --backbone pointformer \
        --output-dir svl-pointformer-l
    python scripts/convert_svl_original_to_hf.py --checkpoint svl_e3dsnn_h.pt --allow-pickle --backbone e3dsnn \
        --variant H --output-dir svl-e3dsnn-h

This module holds every official key map: PointFormer (``convert_pointformer_state_dict``) and E-3DSNN
(``convert_e3dsnn_state_dict``), the config readers (``pointformer_config_from_state_dict``,
``e3dsnn_config_from_state_dict``), ``load_official_checkpoint``, ``convert_official_checkpoint`` and
``convert_file`` (file to model, errors naming the file).
"""

from __future__ import annotations

import argparse
import math
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
    tensor_dimension,
)
from ...console import show_info_logs
from .e3dsnn import E3DSNN_VARIANTS

logger = logging.get_logger(__name__)

_POINTFORMER_RENAMES = (
    (r"^cls_pos$", "cls_position"),
    (r"^encoder\.first_conv\.0\.", "tokenizer.first_conv."),
    (r"^encoder\.first_conv\.1\.", "tokenizer.first_norm."),
    (r"^encoder\.first_conv\.3\.", "tokenizer.second_conv."),
    (r"^encoder\.second_conv\.0\.", "tokenizer.fuse_conv."),
    (r"^encoder\.second_conv\.1\.", "tokenizer.fuse_norm."),
    (r"^encoder\.second_conv\.3\.", "tokenizer.output_conv."),
    (r"^reduce_dim\.", "token_projection."),
    (r"^pos_embed\.0\.", "position_embedding.fc1."),
    (r"^pos_embed\.1\.", "position_embedding.norm1."),
    (r"^pos_embed\.3\.", "position_embedding.fc2."),
    (r"^pos_embed\.4\.", "position_embedding.norm2."),
    (r"^blocks\.blocks\.(\d+)\.attn\.", r"layers.\1.attention."),
    (r"^blocks\.blocks\.(\d+)\.mlp\.bn(\d)\.", r"layers.\1.mlp.norm\2."),
    (r"^blocks\.blocks\.(\d+)\.mlp\.", r"layers.\1.mlp."),
    (r"^norm\.", "final_norm."),
    (r"^project\.", "projection."),
)


def strip_prefix(state_dict: dict, prefix: str = "module.") -> dict:
    """Drops a DDP-style ``prefix`` from every key that has it."""
    return {(k[len(prefix) :] if k.startswith(prefix) else k): v for k, v in state_dict.items()}


def convert_pointformer_state_dict(official: dict, keep_projection: bool = False) -> dict:
    """Official ``PointTransformer`` keys/shapes -> ``SpikePointFormerEncoder`` keys/shapes.

    1x1 conv weights become Linear weights. The official ``project`` layer is never called by the official forward;
    it is kept (as ``projection``) only with ``keep_projection=True``, i.e. for a config whose ``hidden_size``
    differs from the head width.
    """
    converted, unknown = {}, []
    for key, value in strip_prefix(official).items():
        new_key = key
        for pattern, replacement in _POINTFORMER_RENAMES:
            new_key, count = re.subn(pattern, replacement, new_key)
            if count:
                break
        else:
            if key != "cls_token":
                unknown.append(key)
                continue
        if new_key.startswith("projection.") and not keep_projection:
            continue
        if new_key.endswith(".weight") and value.dim() > 2:
            value = value.reshape(value.shape[0], value.shape[1])
        converted[new_key] = value
    if unknown:
        raise CheckpointMismatchError(
            f"not an official PointFormer state dict: unrecognised key(s) {sorted(unknown)[:8]}"
            f"{' ...' if len(unknown) > 8 else ''} ({len(unknown)} in all)."
        )
    return converted


def pointformer_config_from_state_dict(official: dict, hidden_size: int | None = None) -> dict:
    """``SpikingPointEncoderConfig`` keyword arguments read off the shapes of an official PointFormer state dict.

    ``num_groups``/``group_size``/``num_attention_heads`` are not stored in weights: they keep the official ``make()``
    values (512, 32, 6) unless the caller overrides them.
    """
    sd = strip_prefix(official)

    def size(key: str, axis: int) -> int:
        return tensor_dimension(sd, key, axis, "an official PointFormer state dict")

    width = size("reduce_dim.weight", 0)
    depth = 1 + max(int(m.group(1)) for k in sd if (m := re.match(r"blocks\.blocks\.(\d+)\.", k)))
    kwargs = {
        "backbone": "pointformer",
        "in_channels": size("encoder.first_conv.0.weight", 1),
        "transformer_hidden_size": width,
        "num_hidden_layers": depth,
        "mlp_ratio": size("blocks.blocks.0.mlp.fc1.weight", 0) / width,
        "tokenizer_hidden_size": size("reduce_dim.weight", 1),
        "tokenizer_channels": (
            size("encoder.first_conv.0.weight", 0),
            size("encoder.first_conv.3.weight", 0),
            size("encoder.second_conv.0.weight", 0),
        ),
        "position_embedding_hidden_size": size("pos_embed.0.weight", 0),
        "hidden_size": hidden_size if hidden_size is not None else 2 * width,
    }
    return kwargs


def _official_key_map(official_keys) -> dict[str, str]:
    """Official module prefix -> ours, for the prefixes present in ``official_keys``."""
    mapping = {"final": "final"}
    # Official stem: conv, BN, spike, conv, BN, spike, conv, BN (indices 0-7); ours: three (spike,) conv, norm units.
    for unit, first in enumerate((0, 3, 6)):
        mapping[f"stem.{first}"] = f"stem.{unit}.conv"
        mapping[f"stem.{first + 1}"] = f"stem.{unit}.norm"
    block_parts = {"block.1": "conv_unit.conv", "block.2": "conv_unit.norm", "voxel_block.1": "conv_pair.0.conv",
                   "voxel_block.2": "conv_pair.0.norm", "voxel_block.4": "conv_pair.1.conv",
                   "voxel_block.5": "conv_pair.1.norm"}
    for key in official_keys:
        parts = key.split(".")
        if parts[0] != "enc" or len(parts) < 4:
            continue
        stage = parts[1]
        mapping[f"enc.{stage}.down.1"] = f"stages.{stage}.downsample.conv"
        mapping[f"enc.{stage}.down.2"] = f"stages.{stage}.downsample.norm"
        if parts[2] == "blocks" and len(parts) >= 6:
            block = parts[3]
            for official, ours in block_parts.items():
                mapping[f"enc.{stage}.blocks.{block}.{official}"] = f"stages.{stage}.blocks.{block}.{ours}"
    return mapping


def convert_e3dsnn_state_dict(official_state_dict: dict) -> dict:
    """Map an official E_3DSNN_{T,S,L,H} state dict (optionally ``module.``-prefixed) to :class:`~.e3dsnn.E3DSNNEncoder` keys.

    spconv convolution weights keep their ``(out, k0, k1, k2, in)`` layout. The final 1x1 weight ``(out, 1, 1, 1, in)``
    is *reshaped* to ``(in, out)`` and transposed: spconv 2.x's 1x1 fast path reads the stored memory as an
    ``in x out`` matrix (spconv issue 450), so that is what official checkpoints compute.
    """
    stripped = strip_prefix(official_state_dict)
    mapping = _official_key_map(stripped)
    converted = {}
    unknown = []
    for key, value in stripped.items():
        prefix, _, leaf = key.rpartition(".")
        if prefix not in mapping:
            unknown.append(key)
            continue
        if key == "final.weight":
            out_channels, in_channels = value.shape[0], value.shape[-1]
            value = value.reshape(in_channels, out_channels).t().contiguous()
        converted[f"{mapping[prefix]}.{leaf}"] = value
    if unknown:
        more = " ..." if len(unknown) > 10 else ""
        raise CheckpointMismatchError(f"Unexpected keys in the official E-3DSNN state dict: {unknown[:10]}{more}")
    return converted


def e3dsnn_config_from_state_dict(official: dict, variant: str | None = None) -> dict:
    """``SpikingPointEncoderConfig`` keyword arguments read off the shapes of an official E_3DSNN_* state dict.

    ``variant`` (T/S/L/H, optional) is checked against the widths and depths found in the weights.
    """
    sd = strip_prefix(official)

    def size(key: str, axis: int) -> int:
        return tensor_dimension(sd, key, axis, "an official E-3DSNN state dict")

    channels, depths = [], []
    while f"enc.{len(channels)}.down.1.weight" in sd:
        stage = len(channels)
        channels.append(size(f"enc.{stage}.down.1.weight", 0))
        blocks = {int(m.group(1)) for k in sd if (m := re.match(rf"enc\.{stage}\.blocks\.(\d+)\.", k))}
        depths.append(len(blocks))
    kwargs = {
        "backbone": "e3dsnn",
        "in_channels": size("stem.0.weight", -1),
        "stem_channels": size("stem.0.weight", 0),
        "encoder_channels": tuple(channels),
        "encoder_depths": tuple(depths),
        "hidden_size": size("final.weight", 0),
    }
    if variant is not None:
        name = variant.lower().replace("_", "-").rsplit("-", 1)[-1]
        if name not in E3DSNN_VARIANTS:
            raise ValueError(f"Unknown E-3DSNN variant {variant!r}; expected one of {sorted(E3DSNN_VARIANTS)}.")
        expected = {k: E3DSNN_VARIANTS[name][k] for k in ("stem_channels", "encoder_channels", "encoder_depths")}
        found = {k: kwargs[k] for k in expected}
        if found != expected:
            raise ValueError(f"The weights are not E-3DSNN-{name.upper()}: they have {found}, expected {expected}.")
    return kwargs


def load_official_checkpoint(path: str | Path, allow_pickle: bool = False) -> dict:
    """Reads an official checkpoint into ``{"encoder": sd, "text_proj": sd|None, "image_proj": sd|None,
    "logit_scale": tensor|None}`` with ``module.`` prefixes stripped.

    Reads safetensors, or with ``allow_pickle=True`` ``.pt``/``.pth`` with ``torch.load(weights_only=True)``.
    """
    raw = read_tensor_file(path, allow_pickle=allow_pickle)
    for name in ("state_dict", "text_proj", "image_proj"):
        if raw.get(name) is not None and not isinstance(raw[name], dict):
            raise CheckpointError(f"{path}: {name!r} holds a {type(raw[name]).__name__}; expected a dict of tensors.")
    if "state_dict" not in raw:
        if any(k.startswith("state_dict.") for k in raw):  # flattened (e.g. the parity fixtures)
            raw = {"state_dict": {k[len("state_dict.") :]: v for k, v in raw.items() if k.startswith("state_dict.")}}
        else:
            raw = {"state_dict": raw}
    logit_scale = raw.get("logit_scale")
    if isinstance(logit_scale, dict):
        logit_scale = next(iter(strip_prefix(logit_scale).values()))
    return {
        "encoder": strip_prefix(raw["state_dict"]),
        "text_proj": strip_prefix(raw["text_proj"]) if raw.get("text_proj") is not None else None,
        "image_proj": strip_prefix(raw["image_proj"]) if raw.get("image_proj") is not None else None,
        "logit_scale": logit_scale,
    }


def convert_official_checkpoint(
    checkpoint: dict,
    backbone: str = "pointformer",
    variant: str | None = None,
    config_overrides: dict | None = None,
):
    """Builds a ``SpikingPointEncoderForPreTraining`` holding the official encoder, projections and logit scale.

    ``checkpoint`` is the output of :func:`load_official_checkpoint`. Sizes are read off the weights;
    ``variant`` (E-3DSNN T/S/L/H) is an optional check of them.
    """
    from .configuration_spiking_point_encoder import SpikingPointEncoderConfig
    from .modeling_spiking_point_encoder import SpikingPointEncoderForPreTraining

    overrides = dict(config_overrides or {})
    encoder_sd = checkpoint["encoder"]
    projection = checkpoint.get("text_proj") or checkpoint.get("image_proj")
    if backbone == "pointformer":
        hidden_size = overrides.pop("hidden_size", None)
        if hidden_size is None and projection is not None:
            hidden_size = projection["weight"].shape[0]
        kwargs = pointformer_config_from_state_dict(encoder_sd, hidden_size)
        head_size = 2 * kwargs["transformer_hidden_size"]
        keep_projection = kwargs["hidden_size"] != head_size
        project = encoder_sd.get("project.weight")
        if keep_projection and (project is None or tuple(project.shape) != (kwargs["hidden_size"], head_size)):
            raise ValueError(
                f"hidden_size {kwargs['hidden_size']} needs a {head_size} -> {kwargs['hidden_size']} projection, "
                f"but the official `project` layer is {None if project is None else tuple(project.shape)} (out, in)."
            )
        backbone_sd = convert_pointformer_state_dict(encoder_sd, keep_projection=keep_projection)
    elif backbone == "e3dsnn":
        kwargs = e3dsnn_config_from_state_dict(encoder_sd, variant)
        backbone_sd = convert_e3dsnn_state_dict(encoder_sd)
    else:
        raise ValueError(f"`backbone` must be 'pointformer' or 'e3dsnn', got {backbone!r}.")
    if projection is not None:
        kwargs["text_embed_dim"] = kwargs["image_embed_dim"] = projection["weight"].shape[1]
    kwargs.update(overrides)
    config = SpikingPointEncoderConfig(**kwargs)
    model = SpikingPointEncoderForPreTraining(config)
    state = {f"point_encoder.encoder.{k}": v for k, v in backbone_sd.items()}
    for name in ("text_proj", "image_proj"):
        if checkpoint.get(name) is not None:
            state.update({f"{name}.{k}": v for k, v in checkpoint[name].items()})
    if checkpoint.get("logit_scale") is not None:
        state["logit_scale"] = checkpoint["logit_scale"].reshape(())
    else:
        state["logit_scale"] = torch.tensor(math.log(config.logit_scale_init_value))
    # A bare encoder checkpoint has no projections: the model keeps its initial ones.
    expected = {
        key: tuple(value.shape)
        for key, value in model.state_dict().items()
        if key in state or not key.startswith(("text_proj.", "image_proj."))
    }
    check_tensor_shapes(expected, {key: tuple(value.shape) for key, value in state.items()}, type(model).__name__)
    model.load_state_dict(state, strict=False)
    return model.eval()


def convert_file(path: str | Path, backbone: str = "pointformer", variant: str | None = None,
                 config_overrides: dict | None = None, allow_pickle: bool = False):
    """:func:`convert_official_checkpoint` of a checkpoint file; errors name the file."""
    checkpoint = load_official_checkpoint(path, allow_pickle)
    with naming_source(path):
        return convert_official_checkpoint(checkpoint, backbone, variant, config_overrides)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True, help="official .safetensors (or .pt/.pth with --allow-pickle)")
    parser.add_argument(
        "--allow-pickle", "--allow_pickle", action="store_true",
        help="read a .pt/.pth pickle (torch.load with weights_only=True); unpickling can run code",
    )
    parser.add_argument("--backbone", choices=("pointformer", "e3dsnn"), default="pointformer")
    parser.add_argument("--variant", default=None, help="E-3DSNN size T, S, L or H (checked against the weights)")
    parser.add_argument("--num-groups", type=int, default=None, help="PointFormer FPS centres (default 512)")
    parser.add_argument("--group-size", type=int, default=None, help="PointFormer kNN neighbours (default 32)")
    parser.add_argument("--num-attention-heads", type=int, default=None, help="PointFormer heads (default 6)")
    parser.add_argument("--output-dir", required=True)
    args = parser.parse_args(argv)
    show_info_logs()
    overrides = {
        name: value
        for name, value in (
            ("num_groups", args.num_groups),
            ("group_size", args.group_size),
            ("num_attention_heads", args.num_attention_heads),
        )
        if value is not None
    }
    model = convert_file(args.checkpoint, args.backbone, args.variant, overrides, args.allow_pickle)
    model.save_pretrained(args.output_dir)
    num_parameters = sum(p.numel() for p in model.parameters())
    logger.info(f"Saved {type(model).__name__} ({num_parameters:,} parameters) to {args.output_dir}")
    return 0


__all__ = [
    "convert_e3dsnn_state_dict",
    "convert_official_checkpoint",
    "convert_pointformer_state_dict",
    "e3dsnn_config_from_state_dict",
    "load_official_checkpoint",
    "pointformer_config_from_state_dict",
    "strip_prefix",
]
