"""Converts an official BICLab/T-RevSNN ``FullNet`` state dict into a ``TRevSNNForImageClassification`` folder.

    hf-spiking convert-trevsnn official.safetensors out_dir [--prefix state_dict.]
    python scripts/convert_trevsnn_original_to_hf.py checkpoint.pth out_dir --key model --allow-pickle

The configuration (channels, kernel size, columns, classes, intermediate supervision, DVS) is read off the tensor
shapes. The official code keeps the shared reuse convolutions under four keys each (one per column); they are
checked to be equal and stored once. ``.pth`` files are pickles: they are read only with ``--allow-pickle``
(``torch.load(weights_only=True)``). Missing, unrecognised or differently shaped tensors raise
:class:`~hf_spiking.checkpoints.CheckpointMismatchError` naming the file and the keys.

Importable: :func:`convert_official_state_dict`, :func:`config_from_official_state_dict`, :func:`official_key_map`,
:func:`load_official_model`, :func:`read_official_checkpoint` and :func:`convert_file` (file to model, errors naming the
file).
"""

from __future__ import annotations

import argparse
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


def _official_to_hf_key(key: str, intermediate_supervision: bool, num_aux: int) -> str | None:
    """Our key for one official key (the four per-column copies of a shared conv all map to the shared one); None for
    a key the official ``FullNet`` does not have."""
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
    return None


def config_from_official_state_dict(state_dict: dict[str, torch.Tensor], **overrides) -> TRevSNNConfig:
    """Infers the :class:`TRevSNNConfig` of an official ``FullNet`` from its tensor shapes."""
    official = "an official T-RevSNN FullNet state dict"
    columns = 1 + max((int(m.group(1)) for k in state_dict if (m := _SUBNET.match(k))), default=0)
    hidden_sizes = tuple(tensor_dimension(state_dict, f"subnet0.alpha{level}", 1, official) for level in range(4))
    kernel_size = tensor_dimension(state_dict, "subnet0.level0.blocks.0.dwconv1.weight", -1, official)
    dvs = "stem.0.down.0.weight" in state_dict
    intermediate_supervision = "cls_blocks.classifier1.0.weight" not in state_dict
    if intermediate_supervision:
        heads = [int(m.group(1)) for k in state_dict if (m := re.match(r"^cls_blocks\.(\d+)\.", k))]
        classifier = f"cls_blocks.{max(heads)}.classifier2.weight" if heads else "cls_blocks.classifier2.weight"
    else:
        classifier = "cls_blocks.classifier2.weight"
    stem = "stem.0.down.0.weight" if dvs else "stem.down1.0.weight"
    kwargs = dict(
        hidden_sizes=hidden_sizes,
        kernel_size=kernel_size,
        num_columns=columns,
        num_channels=tensor_dimension(state_dict, stem, 1, official),
        intermediate_supervision=intermediate_supervision,
        dvs=dvs,
        num_labels=tensor_dimension(state_dict, classifier, 0, official),
    )
    kwargs.update(overrides)
    return TRevSNNConfig(**kwargs)


def official_key_map(state_dict: dict[str, torch.Tensor], config: TRevSNNConfig) -> dict[str, str]:
    """``{official key: our key}``; shared convolutions map four official keys to one of ours."""
    num_aux = len(config.head_columns) - 1 if not config.dvs else 0
    key_map = {k: _official_to_hf_key(k, config.intermediate_supervision, num_aux) for k in state_dict}
    unknown = [key for key, ours in key_map.items() if ours is None]
    if unknown:
        raise CheckpointMismatchError(
            f"not an official T-RevSNN FullNet state dict: unrecognised key(s) {sorted(unknown)[:8]}"
            f"{' ...' if len(unknown) > 8 else ''} ({len(unknown)} in all)."
        )
    return key_map


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
            if tuple(converted[new].shape) != tuple(tensor.shape) or not torch.equal(converted[new], tensor):
                raise CheckpointMismatchError(
                    f"shared tensor {new!r} differs between columns (official key {old!r}); the official code keeps "
                    "one copy per column of the same convolution."
                )
            continue
        converted[new] = tensor.clone()
    return converted, config


def load_official_model(state_dict: dict[str, torch.Tensor], **config_overrides) -> TRevSNNForImageClassification:
    """Builds our model from an official state dict, loading strictly: missing, unexpected or differently shaped
    tensors raise :class:`~hf_spiking.checkpoints.CheckpointMismatchError` naming them."""
    config = config_from_official_state_dict(state_dict, **config_overrides)
    converted, config = convert_official_state_dict(state_dict, config)
    model = TRevSNNForImageClassification(config)
    expected = {key: tuple(value.shape) for key, value in model.state_dict().items()}
    check_tensor_shapes(expected, {key: tuple(value.shape) for key, value in converted.items()}, type(model).__name__)
    model.load_state_dict(converted, strict=True)
    return model


def read_official_checkpoint(
    path: str | Path, prefix: str = "", key: str | None = None, allow_pickle: bool = False
) -> dict[str, torch.Tensor]:
    """Reads an official state dict from safetensors (optionally under ``prefix``) or, with ``allow_pickle=True``, a
    ``.pth`` read with ``torch.load(weights_only=True)`` (``key`` selects a sub-dict such as ``"model"``)."""
    tensors = read_tensor_file(path, allow_pickle=allow_pickle)
    if key is not None:
        if not isinstance(tensors.get(key), dict):
            raise CheckpointError(f"{path} has no sub-dict {key!r} (--key); its top-level keys: {sorted(tensors)[:8]}.")
        tensors = tensors[key]
    selected = {k.removeprefix(prefix): v for k, v in tensors.items() if k.startswith(prefix)}
    if not selected:
        raise CheckpointError(f"{path}: no tensors with the prefix {prefix!r} (--prefix); keys: {sorted(tensors)[:8]}.")
    return selected


def convert_file(path: str | Path, prefix: str = "", key: str | None = None, allow_pickle: bool = False):
    """The :class:`TRevSNNForImageClassification` of an official checkpoint file; errors name the file."""
    state_dict = read_official_checkpoint(path, prefix, key, allow_pickle)
    with naming_source(path):
        return load_official_model(state_dict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", help="official state dict (.safetensors, or .pth/.pt with --allow-pickle)")
    parser.add_argument("output_dir", help="folder for config.json and model.safetensors")
    parser.add_argument("--prefix", default="", help="only keys with this prefix, stripped (e.g. 'state_dict.')")
    parser.add_argument("--key", default=None, help="sub-dict of a .pth checkpoint holding the weights (e.g. 'model')")
    parser.add_argument(
        "--allow-pickle", "--allow_pickle", action="store_true",
        help="read a .pth/.pt pickle (torch.load with weights_only=True); unpickling can run code",
    )
    args = parser.parse_args(argv)
    show_info_logs()
    model = convert_file(args.checkpoint, args.prefix, args.key, args.allow_pickle)
    model.save_pretrained(args.output_dir)
    logger.info(
        f"Saved {type(model).__name__} ({sum(p.numel() for p in model.parameters()):,} parameters) to {args.output_dir}"
    )
    return 0


# Used through this module (``hf-spiking convert-trevsnn``, the script), not re-exported by the family package.
__all__ = []
