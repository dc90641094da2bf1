"""Converts an official BICLab/T-RevSNN ``FullNet`` state dict into a ``TRevSNNForImageClassification`` folder.

    hf-spiking convert-trevsnn official.safetensors out_dir [--prefix state_dict.]
    python scripts/convert_trevsnn_original_to_hf.py checkpoint.pth out_dir --key model

The configuration (channels, kernel size, columns, classes, intermediate supervision, DVS) is read off the tensor
shapes. The official code keeps the shared reuse convolutions under four keys each (one per column); they are
checked to be equal and stored once. ``.pth`` files are read with ``torch.load(weights_only=True)``.

Importable: :func:`convert_official_state_dict`, :func:`config_from_official_state_dict`, :func:`official_key_map`,
:func:`load_official_model`.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import torch
from transformers.utils import logging

from ...console import show_info_logs
from .configuration_trevsnn import TRevSNNConfig
from .modeling_trevsnn import TRevSNNForImageClassification

logger = logging.get_logger(__name__)

_SUBNET = re.compile(r"^subnet(\d+)\.")
_LEVEL_PARTS = {
    "fusion.down.encode_conv.": "fusion.down.conv.",
    "fusion.down.encode_bn.": "fusion.down.norm.",
    "fusion.up.encode_conv.": "fusion.up.conv.",
    "fusion.up.encode_bn.": "fusion.up.norm.",
}


def _official_to_hf_key(key: str, intermediate_supervision: bool, num_aux: int) -> str:
    """Our key for one official key (the four per-column copies of a shared conv all map to the shared one)."""
    base = "trevsnn."
    if key.startswith("stem.down1.0."):
        return base + "embeddings.conv1." + key.removeprefix("stem.down1.0.")
    if key.startswith("stem.down2.0."):
        return base + "embeddings.conv2." + key.removeprefix("stem.down2.0.")
    dvs_stem = re.match(r"^stem\.(\d+)\.down\.0\.(.+)$", key)
    if dvs_stem:
        return f"{base}embeddings.{dvs_stem.group(1)}.conv.{dvs_stem.group(2)}"
    alpha = re.match(r"^subnet(\d+)\.alpha(\d)$", key)
    if alpha:
        return f"{base}columns.{alpha.group(1)}.levels.{alpha.group(2)}.alpha"
    level = re.match(r"^subnet(\d+)\.level(\d)\.(.+)$", key)
    if level:
        column, index, rest = level.groups()
        shared = re.match(r"^blocks\.1\.(pwconv2|dwconv2)_reuse\.(.+)$", rest)
        if shared:
            return f"{base}shared_convs.{index}.{shared.group(1)}.{shared.group(2)}"
        for old, new in _LEVEL_PARTS.items():
            if rest.startswith(old):
                rest = new + rest.removeprefix(old)
                break
        return f"{base}columns.{column}.levels.{index}.{rest}"
    if intermediate_supervision:
        head = re.match(r"^cls_blocks\.(\d+)\.(.+)$", key)
        if head:
            index, rest = int(head.group(1)), head.group(2)
            if index < num_aux:
                return "aux_classifiers." + str(index) + "." + rest.replace("classifier.0.", "projection.")
            key = "cls_blocks." + rest
    if key.startswith("cls_blocks.classifier1.0."):
        return "classifier.projection." + key.removeprefix("cls_blocks.classifier1.0.")
    if key.startswith("cls_blocks.classifier2."):
        return "classifier.output." + key.removeprefix("cls_blocks.classifier2.")
    raise ValueError(f"Unrecognised official T-RevSNN key {key!r}.")


def config_from_official_state_dict(state_dict: dict[str, torch.Tensor], **overrides) -> TRevSNNConfig:
    """Infers the :class:`TRevSNNConfig` of an official ``FullNet`` from its tensor shapes."""
    if "subnet0.alpha0" not in state_dict:
        raise ValueError("Not an official T-RevSNN state dict: `subnet0.alpha0` is missing.")
    columns = 1 + max(int(m.group(1)) for k in state_dict if (m := _SUBNET.match(k)))
    hidden_sizes = tuple(state_dict[f"subnet0.alpha{level}"].shape[1] for level in range(4))
    kernel_size = state_dict["subnet0.level0.blocks.0.dwconv1.weight"].shape[-1]
    dvs = "stem.0.down.0.weight" in state_dict
    intermediate_supervision = "cls_blocks.classifier1.0.weight" not in state_dict
    if intermediate_supervision:
        final = max(int(m.group(1)) for k in state_dict if (m := re.match(r"^cls_blocks\.(\d+)\.", k)))
        num_labels = state_dict[f"cls_blocks.{final}.classifier2.weight"].shape[0]
    else:
        num_labels = state_dict["cls_blocks.classifier2.weight"].shape[0]
    stem_weight = state_dict["stem.0.down.0.weight" if dvs else "stem.down1.0.weight"]
    kwargs = dict(
        hidden_sizes=hidden_sizes,
        kernel_size=kernel_size,
        num_columns=columns,
        num_channels=stem_weight.shape[1],
        intermediate_supervision=intermediate_supervision,
        dvs=dvs,
        num_labels=num_labels,
    )
    kwargs.update(overrides)
    return TRevSNNConfig(**kwargs)


def official_key_map(state_dict: dict[str, torch.Tensor], config: TRevSNNConfig) -> dict[str, str]:
    """``{official key: our key}``; shared convolutions map four official keys to one of ours."""
    num_aux = len(config.head_columns) - 1 if not config.dvs else 0
    return {k: _official_to_hf_key(k, config.intermediate_supervision, num_aux) for k in state_dict}


def convert_official_state_dict(
    state_dict: dict[str, torch.Tensor], config: TRevSNNConfig | None = None
) -> tuple[dict[str, torch.Tensor], TRevSNNConfig]:
    """Returns our state dict (each shared tensor once, after checking that its per-column copies agree) and the
    config."""
    config = config or config_from_official_state_dict(state_dict)
    converted: dict[str, torch.Tensor] = {}
    for old, new in official_key_map(state_dict, config).items():
        tensor = state_dict[old]
        if new in converted:
            if not torch.equal(converted[new], tensor):
                raise ValueError(f"Shared tensor {new!r} differs between columns (official key {old!r}).")
            continue
        converted[new] = tensor.clone()
    return converted, config


def load_official_model(state_dict: dict[str, torch.Tensor], **config_overrides) -> TRevSNNForImageClassification:
    """Builds our model from an official state dict, loading strictly (no missing or unexpected keys)."""
    config = config_from_official_state_dict(state_dict, **config_overrides)
    converted, config = convert_official_state_dict(state_dict, config)
    model = TRevSNNForImageClassification(config)
    model.load_state_dict(converted, strict=True)
    return model


def read_official_checkpoint(path: str | Path, prefix: str = "", key: str | None = None) -> dict[str, torch.Tensor]:
    """Reads an official state dict from safetensors (optionally under ``prefix``) or a ``.pth`` (``key`` selects a
    sub-dict such as ``"model"``), never unpickling arbitrary objects."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        tensors = load_file(str(path))
    else:
        tensors = torch.load(path, map_location="cpu", weights_only=True)
        if key is not None:
            tensors = tensors[key]
    selected = {k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)}
    if not selected:
        raise ValueError(f"No tensors with prefix {prefix!r} in {path}.")
    return selected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", help="official state dict (.safetensors, or .pth/.pt read with weights_only)")
    parser.add_argument("output_dir", help="folder for config.json and model.safetensors")
    parser.add_argument("--prefix", default="", help="only keys with this prefix, stripped (e.g. 'state_dict.')")
    parser.add_argument("--key", default=None, help="sub-dict of a .pth checkpoint holding the weights (e.g. 'model')")
    args = parser.parse_args(argv)
    show_info_logs()
    model = load_official_model(read_official_checkpoint(args.checkpoint, args.prefix, args.key))
    model.save_pretrained(args.output_dir)
    logger.info(
        f"Saved {type(model).__name__} ({sum(p.numel() for p in model.parameters()):,} parameters) to {args.output_dir}"
    )
    return 0


# Used through this module (``hf-spiking convert-trevsnn``, the script), not re-exported by the family package.
__all__ = []
