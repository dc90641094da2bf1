"""SVL MTA pretraining at paper scale: OpenShape's training corpus with its precomputed OpenCLIP ViT-bigG-14 text and
image features (no teacher model runs), with ``transformers.Trainer``, on one or many GPUs under ``accelerate launch``.

A recipe (``--recipe``: a JSON file shipped in ``hf_spiking/jobs/recipes/`` or a path) fixes the preset, the data
sampling and the optimisation of an official config: ``svl-e3dsnn-h-openshape`` (bollossom/SVL
``config/train_e3dsnn.yaml``: 10,000 points, batch 128 per GPU x 2 GPUs, AdamW lr 2e-3, betas 0.9/0.98, weight decay
1e-4, 250 epochs) and ``svl-pointformer-l-openshape`` (``train_bert.yaml``: 8192 points, lr 3e-3, weight decay 0.1).
Both warm up linearly from 1e-6 over 5 epochs, then follow a per-iteration cosine to 1e-5 (SVL ``main.py``), apply
weight decay to every parameter as the official AdamW does, and convert BatchNorm to SyncBatchNorm on multi-GPU
runs. Flags given on the command line override the recipe (every ``TrainingArguments`` flag is accepted).

    accelerate launch --multi_gpu --num_processes 2 -m hf_spiking.jobs.pretrain_svl_openshape \
        --openshape_root /data/openshape --allow_pickle --recipe svl-e3dsnn-h-openshape --output_dir runs/svl-e3dsnn-h

Items are decoded lazily (:func:`hf_spiking.data.load_openshape_pretraining`): each process reads only the shapes its
sampler hands it. ``--streaming`` reads a sharded ``datasets.IterableDataset`` instead (shards split over processes
and data-loader workers). The run saves the pretraining model (``SpikingPointEncoderForPreTraining``: encoder,
``text_proj``, ``image_proj``, logit scale), a feature extractor for the recipe's point count and
``training_summary.json`` with the loss curve.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import HfArgumentParser, Trainer, TrainingArguments
from transformers.utils import logging

from ..console import show_info_logs
from ..data.openshape_pretraining import load_openshape_pretraining
from ..models.spiking_point_encoder.feature_extraction_spiking_point_encoder import SpikingPointFeatureExtractor
from ..models.spiking_point_encoder.modeling_spiking_point_encoder import SpikingPointEncoderForPreTraining
from ..registry import get_config

logger = logging.get_logger(__name__)

RECIPES_DIR = Path(__file__).with_name("recipes")


@dataclass
class PretrainSVLOpenShapeArguments:
    openshape_root: str = field(metadata={"help": "folder holding OpenShape's meta_data/ (and, by default, the shapes)"})
    recipe: str = field(
        default="svl-e3dsnn-h-openshape",
        metadata={"help": f"recipe name ({', '.join(sorted(p.stem for p in RECIPES_DIR.glob('*.json')))}) or JSON path"},
    )
    allow_pickle: bool = field(default=False, metadata={"help": "trust OpenShape's pickled shape files (required)"})
    data_root: str | None = field(
        default=None, metadata={"help": "read every split data_path below this folder (default: --openshape_root)"}
    )
    split: str | None = field(default=None, metadata={"help": "train_all, train_no_lvis, ... (default: the recipe's)"})
    preset: str | None = field(default=None, metadata={"help": "model preset (default: the recipe's)"})
    config_overrides: str = field(default="{}", metadata={"help": "JSON dict of config overrides on top of the recipe's"})
    num_points: int | None = field(default=None, metadata={"help": "points per cloud (default: the recipe's)"})
    limit: int | None = field(default=None, metadata={"help": "train on the split's first N shapes only (toy runs)"})
    streaming: bool = field(default=False, metadata={"help": "stream a sharded datasets.IterableDataset"})
    num_shards: int = field(default=64, metadata={"help": "shards of the streamed dataset (>= processes x workers)"})
    threads: int | None = field(default=None, metadata={"help": "torch CPU threads per process (default: torch's)"})


def load_recipe(name_or_path: str) -> dict:
    """A shipped recipe by name (``hf_spiking/jobs/recipes/<name>.json``) or a recipe JSON file."""
    path = RECIPES_DIR / f"{name_or_path}.json"
    if not path.is_file():
        path = Path(name_or_path)
    if not path.is_file():
        shipped = sorted(p.stem for p in RECIPES_DIR.glob("*.json"))
        raise ValueError(f"--recipe {name_or_path!r} is neither a shipped recipe ({shipped}) nor a JSON file")
    recipe = json.loads(path.read_text())
    missing = sorted({"preset", "config_overrides", "data", "training", "schedule"} - set(recipe))
    if missing:
        raise ValueError(f"recipe {path} lacks {missing}")
    return recipe


def build_parser(recipe: dict) -> HfArgumentParser:
    """``HfArgumentParser((PretrainSVLOpenShapeArguments, TrainingArguments))`` with the recipe's training defaults."""
    parser = HfArgumentParser((PretrainSVLOpenShapeArguments, TrainingArguments))
    parser.set_defaults(
        **recipe["training"], save_strategy="epoch", logging_steps=10, report_to="none", remove_unused_columns=False,
        use_cpu=not torch.cuda.is_available(),
    )
    return parser


def parse_arguments(argv: list[str] | None = None) -> tuple[PretrainSVLOpenShapeArguments, TrainingArguments, dict]:
    """The job's and Trainer's arguments and the recipe they start from (``sys.argv`` when ``argv`` is None)."""
    pre_parser = argparse.ArgumentParser(add_help=False)
    pre_parser.add_argument("--recipe", default=PretrainSVLOpenShapeArguments.recipe)
    recipe = load_recipe(pre_parser.parse_known_args(argv)[0].recipe)
    args, training_args = build_parser(recipe).parse_args_into_dataclasses(args=argv)
    return args, training_args, recipe


def warmup_cosine_factors(total_steps: int, warmup_steps: int, base_lr: float, start_lr: float, final_lr: float):
    """Per-step learning rates of SVL's scheduler as factors of ``base_lr``: linear from ``start_lr`` to ``base_lr``
    over ``warmup_steps`` (inclusive ends), then a cosine from ``base_lr`` to ``final_lr`` over the remaining steps."""
    warmup = np.linspace(start_lr, base_lr, warmup_steps)
    remaining = np.arange(total_steps - warmup_steps)
    cosine = final_lr + 0.5 * (base_lr - final_lr) * (1 + np.cos(np.pi * remaining / max(1, len(remaining))))
    return np.concatenate([warmup, cosine]) / base_lr


def build_optimizer(model: torch.nn.Module, training_args: TrainingArguments, recipe: dict, total_steps: int,
                    steps_per_epoch: int):
    """The official optimisation: AdamW on every parameter with the weight decay, stepped by SVL's warm-up + cosine."""
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=training_args.learning_rate,
        betas=(training_args.adam_beta1, training_args.adam_beta2),
        eps=training_args.adam_epsilon,
        weight_decay=training_args.weight_decay,
    )
    schedule = recipe["schedule"]
    warmup_steps = min(total_steps, round(schedule["warmup_epochs"] * steps_per_epoch))
    factors = warmup_cosine_factors(
        total_steps, warmup_steps, training_args.learning_rate, schedule["warmup_start_lr"], schedule["final_lr"]
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: float(factors[min(step, total_steps - 1)]))
    return optimizer, scheduler


def pretrain(args: PretrainSVLOpenShapeArguments, training_args: TrainingArguments, recipe: dict) -> dict:
    """Trains, saves the model, its feature extractor and ``training_summary.json``; returns the summary."""
    if args.threads:
        torch.set_num_threads(args.threads)
    data_options = {**recipe["data"], **({"split": args.split} if args.split else {})}
    if args.num_points:
        data_options["num_points"] = args.num_points
    dataset = load_openshape_pretraining(
        args.openshape_root, allow_pickle=args.allow_pickle, data_root=args.data_root, limit=args.limit,
        seed=training_args.seed, **data_options,
    )
    overrides = {**recipe["config_overrides"], **json.loads(args.config_overrides)}
    preset = args.preset or recipe["preset"]
    model = SpikingPointEncoderForPreTraining(get_config(preset, **overrides))
    distributed = training_args.world_size > 1
    if recipe.get("sync_batch_norm") and distributed and torch.cuda.is_available():
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)  # batch statistics over all GPUs, as officially

    global_batch = (
        training_args.per_device_train_batch_size * training_args.world_size * training_args.gradient_accumulation_steps
    )
    steps_per_epoch = max(1, len(dataset) // global_batch)
    if training_args.max_steps > 0:
        total_steps = training_args.max_steps
    else:
        total_steps = math.ceil(training_args.num_train_epochs * steps_per_epoch)
    train_dataset = dataset
    if args.streaming:
        train_dataset = dataset.to_iterable_dataset(args.num_shards)
        training_args.max_steps = total_steps  # a stream has no length
        training_args.accelerator_config.dispatch_batches = False  # each process reads its own shards
    logger.info(
        f"{preset}: {sum(p.numel() for p in model.parameters()) / 1e6:.2f} M parameters; {len(dataset)} shapes, "
        f"global batch {global_batch}, {total_steps} steps ({'streamed' if args.streaming else 'map-style'} data)"
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=train_dataset,
        optimizers=build_optimizer(model, training_args, recipe, total_steps, steps_per_epoch),
    )
    trainer.train()
    losses = [{"step": entry["step"], "loss": entry["loss"], "learning_rate": entry["learning_rate"]}
              for entry in trainer.state.log_history if "loss" in entry]
    summary = {
        "args": asdict(args),
        "recipe": recipe,
        "world_size": training_args.world_size,
        "global_batch": global_batch,
        "steps": total_steps,
        "loss_curve": losses,
    }
    if trainer.is_world_process_zero():
        output_dir = Path(training_args.output_dir)
        trainer.save_model(str(output_dir))
        SpikingPointFeatureExtractor(num_points=data_options["num_points"], sampling="random").save_pretrained(output_dir)
        (output_dir / "training_summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def main(argv: list[str] | None = None) -> int:
    """``python -m hf_spiking.jobs.pretrain_svl_openshape`` (and ``accelerate launch -m ...``): parses and trains."""
    show_info_logs()
    pretrain(*parse_arguments(argv))
    return 0


__all__ = [
    "RECIPES_DIR",
    "PretrainSVLOpenShapeArguments",
    "build_optimizer",
    "build_parser",
    "load_recipe",
    "main",
    "parse_arguments",
    "pretrain",
    "warmup_cosine_factors",
]

if __name__ == "__main__":
    raise SystemExit(main())
