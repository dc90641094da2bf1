"""Fine-tunes (or trains from a preset) a T-RevSNN image classifier with the transformers Trainer.

Any `datasets` image-classification dataset works: a local image folder (``--train_dir``/``--validation_dir``, one
sub-folder per class) or a named dataset with an image column and a label column. A DVS-mode model (e.g.
``trevsnn-dvs-test``) trains on event recordings instead: ``--event_dir`` holds the files and ``--train_labels`` /
``--eval_labels`` list ``<id> <class index>`` per line (the N-MNIST subset's ``train1K.txt`` layout); each recording
becomes one frame of per-polarity event counts per column (``TRevSNNEventFeatureExtractor``, saved with the model).
Without ``--eval_labels``, ``--validation_fraction`` of the training recordings (stratified) is held out. Accuracy comes from the metric
script shipped in ``hf_spiking/metrics/accuracy`` (works offline). Checkpoints are written every ``--save_steps``;
``--resume_from_checkpoint latest`` (or a path) continues a run. The metrics are written to
``<output_dir>/all_results.json`` and logged (shown with ``--log_level info``).

    hf-spiking finetune-trevsnn --model_name_or_path trevsnn-test --train_dir data/train \
        --validation_dir data/val --image_size 32 --output_dir runs/trevsnn --num_train_epochs 3
    accelerate launch --multi_gpu --num_processes 2 -m hf_spiking.jobs.finetune_trevsnn ...   # 2 CPU processes

``--model_name_or_path`` is a preset name (``hf_spiking.list_models("trevsnn*")``, random initialisation) or a
saved folder. All ``TrainingArguments`` flags are accepted.

What runs: ``--do_train`` trains; an ``--eval_strategy`` other than ``no`` trains with periodic evaluation;
``--do_eval`` alone only evaluates; with none of the three the job trains. A run with an evaluation split ends
with an evaluation. The seed is set before the model is built, so two identical runs give identical weights.
Under several processes, BatchNorm running statistics are averaged across processes before every evaluation and
save, so the saved model is the one evaluated.

``--recipe imagenet`` trains as the official ImageNet recipe (``configs/small.yaml``): LAMB (trust clipping, global
gradient-norm clip 1.0, weight decay 0.01 except 1-D tensors and biases), adaptive gradient clipping 0.02, an EMA of
the weights (decay 0.9992) evaluated beside the raw weights (``eval_ema_*`` metrics, the better accuracy as
``eval_best_accuracy``; the EMA weights are saved in ``<output_dir>/ema``), RandAugment ``rand-m9-mstd0.5-inc1``,
random erasing 0.25, random resized crops and flips, the model's label smoothing (0.1), a learning rate of
``--base_learning_rate`` x global batch / 1024 with per-iteration linear warm-up over ``--warmup_epochs`` and cosine
decay (warm-up and final rates scaled alike), no mixup or cutmix. The official run:

    hf-spiking finetune-trevsnn --recipe imagenet --model_name_or_path trevsnn-small --dataset_name imagenet-1k \
        --num_train_epochs 300 --per_device_train_batch_size 512 --bf16 true --output_dir runs/imagenet  # 8 GPUs
"""

import json
import os
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import (
    AutoConfig,
    AutoModelForImageClassification,
    HfArgumentParser,
    Trainer,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR, get_last_checkpoint
from transformers.utils import logging

from ..console import show_info_logs
from ..data.events import labelled_recordings
from ..data.splits import stratified_split
from ..metrics import accuracy_metric_path
from ..models.trevsnn.feature_extraction_trevsnn import TRevSNNEventFeatureExtractor
from ..models.trevsnn.image_processing_trevsnn import TRevSNNImageProcessor
from ..models.trevsnn.training_recipe import (
    ExponentialMovingAverage,
    Lamb,
    adaptive_clip_grad_,
    lamb_parameter_groups,
    training_transform,
    warmup_cosine_schedule,
)
from ..registry import apply_config_overrides, get_config, get_preset, list_models

logger = logging.get_logger(__name__)


@dataclass
class FinetuneTRevSNNArguments:
    model_name_or_path: str = field(default="trevsnn-tiny", metadata={"help": "preset name or saved model folder"})
    dataset_name: str | None = field(default=None, metadata={"help": "datasets name or script (e.g. 'imagefolder')"})
    dataset_config_name: str | None = field(default=None, metadata={"help": "dataset configuration name"})
    train_dir: str | None = field(default=None, metadata={"help": "image folder with one sub-folder per class"})
    validation_dir: str | None = field(default=None, metadata={"help": "image folder for evaluation"})
    train_split: str = field(default="train", metadata={"help": "split used for training"})
    eval_split: str | None = field(default=None, metadata={"help": "evaluation split (default: validation or test)"})
    validation_fraction: float = field(default=0.0, metadata={"help": "held out of train when no eval split exists"})
    image_column: str = field(default="image", metadata={"help": "column holding the images"})
    label_column: str = field(default="label", metadata={"help": "column holding the integer class labels"})
    image_size: int = field(default=224, metadata={"help": "centre-crop side fed to the model"})
    resize_size: int | None = field(default=None, metadata={"help": "shortest side before cropping (232/224 ratio)"})
    max_train_samples: int | None = field(default=None, metadata={"help": "truncate the training set"})
    max_eval_samples: int | None = field(default=None, metadata={"help": "truncate the evaluation set"})
    reversible: bool = field(default=True, metadata={"help": "train through the reversible columns"})
    recipe: str = field(
        default="default",
        metadata={"help": "'default' (Trainer's optimiser, evaluation transform) or 'imagenet' (the official recipe)",
                  "choices": ["default", "imagenet"]},
    )
    base_learning_rate: float = field(default=2e-3, metadata={"help": "imagenet recipe: lr per 1024 images of batch"})
    warmup_learning_rate: float = field(default=1e-5, metadata={"help": "imagenet recipe: first warm-up lr per 1024"})
    min_learning_rate: float = field(default=1e-6, metadata={"help": "imagenet recipe: final cosine lr per 1024"})
    warmup_epochs: float = field(default=20.0, metadata={"help": "imagenet recipe: linear warm-up epochs"})
    agc_clip: float = field(default=0.02, metadata={"help": "imagenet recipe: adaptive gradient clipping factor"})
    ema_decay: float = field(default=0.9992, metadata={"help": "imagenet recipe: EMA decay (0 disables the EMA)"})
    rand_augment: str = field(default="rand-m9-mstd0.5-inc1", metadata={"help": "imagenet recipe: RandAugment policy"})
    random_erasing: float = field(default=0.25, metadata={"help": "imagenet recipe: random erasing probability"})
    event_dir: str | None = field(default=None, metadata={"help": "folder of event recordings (DVS-mode models)"})
    train_labels: str = field(default="train1K.txt", metadata={"help": "events: training label list in event_dir"})
    eval_labels: str | None = field(default=None, metadata={"help": "events: evaluation label list in event_dir"})
    sensor_size: tuple[int, int] = field(default=(34, 34), metadata={"help": "events: sensor height and width"})
    event_max_shift: int = field(
        default=0, metadata={"help": "events: random translation of training recordings, up to this many pixels per axis"}
    )
    config_overrides: str = field(
        default="",
        metadata={"help": "architecture changes as 'key=value,key=value', lists in brackets (e.g. "
                          "'hidden_sizes=[16,32,64,96]'), applied to the preset's or the folder's config"},
    )


def load_splits(args: FinetuneTRevSNNArguments, seed: int):
    """The training split and the evaluation split (None when there is none) of the dataset ``args`` names."""
    from datasets import load_dataset

    if args.dataset_name is None and args.train_dir is None:
        raise ValueError("Pass --dataset_name (with --image_column/--label_column) or --train_dir (an image folder).")
    if args.dataset_name is not None:
        data = load_dataset(args.dataset_name, args.dataset_config_name)
    else:
        data_files = {"train": os.path.join(args.train_dir, "**")}
        if args.validation_dir:
            data_files["validation"] = os.path.join(args.validation_dir, "**")
        data = load_dataset("imagefolder", data_files=data_files)
    train = data[args.train_split]
    eval_split = args.eval_split or next((s for s in ("validation", "test") if s in data), None)
    evaluation = data[eval_split] if eval_split else None
    if evaluation is None and args.validation_fraction > 0:
        parts = train.train_test_split(test_size=args.validation_fraction, seed=seed, stratify_by_column=None)
        train, evaluation = parts["train"], parts["test"]
    for column in (args.image_column, args.label_column):
        if column not in train.column_names:
            raise ValueError(f"Column {column!r} is not in the dataset; columns are {train.column_names}.")
    if args.max_train_samples:
        train = train.select(range(min(args.max_train_samples, len(train))))
    if evaluation is not None and args.max_eval_samples:
        evaluation = evaluation.select(range(min(args.max_eval_samples, len(evaluation))))
    return train, evaluation


class EventFrames(torch.utils.data.Dataset):
    """Items ``{"pixel_values": [T, 2, H, W] event-count frames, "labels"}`` of labelled event recordings; with
    ``max_shift`` > 0 (training), each item is translated by a random whole-pixel offset in [-max_shift, max_shift]
    per axis (events shifted off the sensor are dropped), the usual augmentation for small event data sets."""

    def __init__(self, recordings: list[tuple], extractor: TRevSNNEventFeatureExtractor, max_shift: int = 0):
        self.recordings, self.extractor, self.max_shift = recordings, extractor, max_shift

    def __len__(self) -> int:
        return len(self.recordings)

    def __getitem__(self, index: int) -> dict:
        path, label = self.recordings[index]
        frames = torch.from_numpy(self.extractor.frames(path))
        if self.max_shift:
            # torch's generator: seeded by set_seed (and per DataLoader worker), so identical runs augment alike
            dy, dx = torch.randint(-self.max_shift, self.max_shift + 1, (2,)).tolist()
            frames = translated(frames, dy, dx)
        return {"pixel_values": frames, "labels": label}


def translated(frames: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """``frames [..., H, W]`` moved by ``dy`` rows and ``dx`` columns, zeros where nothing moved in."""
    height, width = frames.shape[-2:]
    moved = torch.zeros_like(frames)
    if abs(dy) < height and abs(dx) < width:
        moved[..., max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = (
            frames[..., max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)]
        )
    return moved


def load_event_splits(args: "FinetuneTRevSNNArguments", num_frames: int, seed: int):
    """(training frames, evaluation frames or None, class names, the feature extractor) of ``--event_dir``."""
    recordings = labelled_recordings(args.event_dir, args.train_labels)
    extractor = TRevSNNEventFeatureExtractor(num_frames=num_frames, sensor_size=tuple(args.sensor_size))
    evaluation = None
    if args.eval_labels is not None:
        evaluation = labelled_recordings(args.event_dir, args.eval_labels)
    elif args.validation_fraction > 0:
        train_indices, eval_indices = stratified_split([label for _, label in recordings], args.validation_fraction, seed)
        recordings, evaluation = [recordings[i] for i in train_indices], [recordings[i] for i in eval_indices]
    if args.max_train_samples:
        recordings = recordings[: args.max_train_samples]
    num_classes = 1 + max(label for _, label in recordings + (evaluation or []))
    names = [str(label) for label in range(num_classes)]
    evaluation = EventFrames(evaluation, extractor) if evaluation else None
    return EventFrames(recordings, extractor, args.event_max_shift), evaluation, names, extractor


def collate_event_frames(examples: list[dict]) -> dict[str, torch.Tensor]:
    """Stacks event-frame examples time-major, ``[T, B, 2, H, W]``, as the DVS columns take them."""
    return {
        "pixel_values": torch.stack([e["pixel_values"] for e in examples], dim=1),
        "labels": torch.tensor([e["labels"] for e in examples]),
    }


def label_names(dataset, label_column: str) -> list[str]:
    """Class names from the label feature, else the sorted distinct label values as strings."""
    feature = dataset.features[label_column]
    if hasattr(feature, "names"):
        return list(feature.names)
    return [str(v) for v in sorted(set(dataset[label_column]))]


def build_model(args: FinetuneTRevSNNArguments, names: list[str]):
    """A randomly initialised preset, or a saved folder with its head resized to ``names``."""
    id2label = dict(enumerate(names))
    label2id = {n: i for i, n in id2label.items()}
    overrides = dict(num_labels=len(names), id2label=id2label, label2id=label2id, reversible=args.reversible)
    if args.model_name_or_path in list_models("trevsnn*"):
        config = apply_config_overrides(get_config(args.model_name_or_path, **overrides), args.config_overrides)
        return get_preset(args.model_name_or_path).model_class(config)
    config = apply_config_overrides(AutoConfig.from_pretrained(args.model_name_or_path, **overrides), args.config_overrides)
    return AutoModelForImageClassification.from_pretrained(args.model_name_or_path, config=config,
                                                           ignore_mismatched_sizes=True)


def image_classification_transform(processor: TRevSNNImageProcessor, image_column: str, label_column: str,
                                   augment=None):
    """A ``Dataset.set_transform`` function turning a batch of images and labels into ``pixel_values`` and
    ``labels``: the processor's evaluation transform, or ``augment`` (PIL image -> tensor) when given."""

    def transform(batch):
        images = [image.convert("RGB") for image in batch[image_column]]
        if augment is not None:
            pixel_values = torch.stack([augment(image) for image in images])
        else:
            pixel_values = processor(images, return_tensors="pt")["pixel_values"]
        return {"pixel_values": pixel_values, "labels": batch[label_column]}

    return transform


def synchronize_batch_norm_statistics(model: nn.Module) -> None:
    """Averages BatchNorm running statistics over the processes of a distributed run (a no-op otherwise): each
    process updates them from its own batches, and SyncBatchNorm is unavailable on CPU/gloo."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return
    world_size = dist.get_world_size()
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and module.running_mean is not None:
            for statistic in (module.running_mean, module.running_var):
                dist.all_reduce(statistic)
                statistic.div_(world_size)


class _EMACallback(TrainerCallback):
    """Updates the EMA after every optimiser step and stores it in each checkpoint (``ema.safetensors``)."""

    FILE = "ema.safetensors"

    def __init__(self, ema: ExponentialMovingAverage, model: nn.Module, resume_from: str | None):
        self.ema, self.model, self.resume_from = ema, model, resume_from

    def on_train_begin(self, args, state, control, **kwargs):
        path = os.path.join(self.resume_from, self.FILE) if self.resume_from else None
        if path and os.path.exists(path):
            self.ema.shadow.update(load_file(path))

    def on_step_end(self, args, state, control, **kwargs):
        self.ema.update(self.model)

    def on_save(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            folder = os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}")
            save_file({k: v.contiguous() for k, v in self.ema.shadow.items()}, os.path.join(folder, self.FILE))


class TRevSNNTrainer(Trainer):
    """Trainer that agrees on BatchNorm statistics across processes before evaluating or saving, and (imagenet
    recipe) builds LAMB with AGC and the warm-up cosine schedule and evaluates the EMA beside the raw weights."""

    def __init__(self, *args, job_args: FinetuneTRevSNNArguments, ema: ExponentialMovingAverage | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.job_args, self.ema = job_args, ema

    def _recipe(self) -> bool:
        return self.job_args.recipe == "imagenet"

    def _scaled(self, learning_rate: float) -> float:
        """Linear scaling to the global batch, as the official recipe does."""
        args = self.args
        global_batch = args.per_device_train_batch_size * args.world_size * args.gradient_accumulation_steps
        return learning_rate * global_batch / 1024

    def create_optimizer(self, model=None):
        if not self._recipe():
            return super().create_optimizer(model)
        if self.optimizer is None:
            model = model if model is not None else self.model
            self.optimizer = Lamb(lamb_parameter_groups(model, self.args.weight_decay), lr=self._scaled(self.job_args.base_learning_rate))
            clip = self.job_args.agc_clip
            if clip > 0:
                self.optimizer.register_step_pre_hook(lambda optimizer, *_: adaptive_clip_grad_(model.parameters(), clip))
        return self.optimizer

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        if not self._recipe():
            return super().create_scheduler(num_training_steps, optimizer)
        if self.lr_scheduler is None:
            job = self.job_args
            epochs = self.args.num_train_epochs if self.args.max_steps <= 0 else None
            warmup_steps = round(num_training_steps * job.warmup_epochs / epochs) if epochs else self.args.warmup_steps
            factor = warmup_cosine_schedule(
                self._scaled(job.base_learning_rate), self._scaled(job.warmup_learning_rate),
                self._scaled(job.min_learning_rate), warmup_steps, num_training_steps,
            )
            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer or self.optimizer, factor)
        return self.lr_scheduler

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval"):
        synchronize_batch_norm_statistics(self.model)
        metrics = super().evaluate(eval_dataset, ignore_keys, metric_key_prefix)
        if self.ema is None:
            return metrics
        raw = {name: value.clone() for name, value in self.model.state_dict().items()}
        self.model.load_state_dict(self.ema.shadow)
        synchronize_batch_norm_statistics(self.model)
        metrics.update(super().evaluate(eval_dataset, ignore_keys, f"{metric_key_prefix}_ema"))
        self.model.load_state_dict(raw)
        accuracies = [metrics.get(f"{metric_key_prefix}_accuracy"), metrics.get(f"{metric_key_prefix}_ema_accuracy")]
        if None not in accuracies:
            metrics[f"{metric_key_prefix}_best_accuracy"] = max(accuracies)  # the official "max accuracy"
        return metrics

    def save_model(self, output_dir: str | None = None, _internal_call: bool = False):
        synchronize_batch_norm_statistics(self.model)
        super().save_model(output_dir, _internal_call)


def collate_image_classification(examples: list[dict]) -> dict[str, torch.Tensor]:
    """Stacks transformed examples into a ``pixel_values`` / ``labels`` batch."""
    return {
        "pixel_values": torch.stack([e["pixel_values"] for e in examples]),
        "labels": torch.tensor([e["labels"] for e in examples]),
    }


def _preset_or_folder_config(name_or_path: str):

    return get_config(name_or_path) if name_or_path in list_models("trevsnn*") else AutoConfig.from_pretrained(name_or_path)


def _image_pipeline(args: FinetuneTRevSNNArguments, train, evaluation, training_args: TrainingArguments):
    """Sets the image transforms of the splits (the recipe's augmentation for training) and returns the processor."""
    resize = args.resize_size or round(args.image_size * 232 / 224)
    processor = TRevSNNImageProcessor(
        size={"shortest_edge": resize}, crop_size={"height": args.image_size, "width": args.image_size}
    )
    augment = None
    if args.recipe == "imagenet":
        augment = training_transform(args.image_size, args.rand_augment, args.random_erasing)
        # LAMB clips the global gradient norm itself (and AGC runs before it).
        training_args.max_grad_norm = 0.0
    train.set_transform(image_classification_transform(processor, args.image_column, args.label_column, augment))
    if evaluation is not None:
        evaluation.set_transform(image_classification_transform(processor, args.image_column, args.label_column))
    return processor


def finetune(args: FinetuneTRevSNNArguments, training_args: TrainingArguments) -> dict:
    """Trains (unless only ``--do_eval``) and evaluates (when there is an evaluation split); returns the metrics."""
    # The image transform replaces the raw columns on the fly, so Trainer must not drop them beforehand.
    training_args.remove_unused_columns = False
    if args.event_dir is not None:
        if args.recipe == "imagenet":
            raise ValueError("--recipe imagenet augments images; it does not apply to --event_dir recordings.")
        config = _preset_or_folder_config(args.model_name_or_path)
        if not config.dvs:
            raise ValueError(f"--event_dir needs a DVS-mode model (e.g. trevsnn-dvs-test); {args.model_name_or_path!r} takes images.")
        if args.event_max_shift < 0:
            raise ValueError(f"--event_max_shift must be a whole number of pixels >= 0, got {args.event_max_shift}.")
        train, evaluation, names, processor = load_event_splits(args, config.num_columns, training_args.seed)
        collate = collate_event_frames
    else:
        train, evaluation = load_splits(args, training_args.seed)
        names = label_names(train, args.label_column)
        processor = _image_pipeline(args, train, evaluation, training_args)
        collate = collate_image_classification

    compute_metrics = None
    if evaluation is not None:
        import evaluate  # slow to import; only needed with an evaluation split

        metric = evaluate.load(accuracy_metric_path())

        def compute_metrics(prediction):
            return metric.compute(predictions=np.argmax(prediction.predictions, axis=1), references=prediction.label_ids)

    set_seed(training_args.seed)  # before the model is built: its random initialisation is part of the run
    model = build_model(args, names)
    resume = training_args.resume_from_checkpoint
    if resume == "latest":
        resume = get_last_checkpoint(training_args.output_dir)
    ema = ExponentialMovingAverage(model, args.ema_decay) if args.recipe == "imagenet" and args.ema_decay > 0 else None
    trainer = TRevSNNTrainer(
        job_args=args,
        ema=ema,
        callbacks=[_EMACallback(ema, model, resume)] if ema is not None else None,
        model=model,
        args=training_args,
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=collate,
        compute_metrics=compute_metrics,
        processing_class=processor,
    )
    results = {}
    if training_args.do_train or training_args.eval_strategy != "no" or not training_args.do_eval:
        train_result = trainer.train(resume_from_checkpoint=resume)
        results.update(train_result.metrics)
        trainer.save_model()
        trainer.save_state()
        if ema is not None and trainer.is_world_process_zero():
            raw = {name: value.clone() for name, value in model.state_dict().items()}
            model.load_state_dict(ema.shadow)
            model.save_pretrained(os.path.join(training_args.output_dir, "ema"))
            model.load_state_dict(raw)
    if evaluation is not None:
        results.update(trainer.evaluate())
    if trainer.is_world_process_zero():
        results["world_size"] = training_args.world_size
        with open(os.path.join(training_args.output_dir, "all_results.json"), "w") as f:
            json.dump(results, f, indent=2)
        logger.info(json.dumps(results))
    return results


def parse_arguments(argv: list[str] | None = None) -> tuple[FinetuneTRevSNNArguments, TrainingArguments]:
    """The job's and Trainer's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    parser = HfArgumentParser(
        (FinetuneTRevSNNArguments, TrainingArguments),
        description=next(paragraph for paragraph in __doc__.split("\n\n") if paragraph.startswith("What runs")),
    )
    return tuple(parser.parse_args_into_dataclasses(args=argv))


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking finetune-trevsnn`` / ``scripts/finetune_trevsnn.py``: parses ``argv`` and runs :func:`finetune`."""
    show_info_logs()
    finetune(*parse_arguments(argv))
    return 0


__all__ = [
    "EventFrames",
    "FinetuneTRevSNNArguments",
    "TRevSNNTrainer",
    "build_model",
    "collate_event_frames",
    "collate_image_classification",
    "finetune",
    "image_classification_transform",
    "label_names",
    "load_event_splits",
    "load_splits",
    "main",
    "parse_arguments",
    "synchronize_batch_norm_statistics",
    "translated",
]

# `accelerate launch -m hf_spiking.jobs.finetune_trevsnn` runs the job in each process.
if __name__ == "__main__":
    raise SystemExit(main())
