"""Fine-tunes (or trains from a preset) a T-RevSNN image classifier with the transformers Trainer.

Any `datasets` image-classification dataset works: a local image folder (``--train_dir``/``--validation_dir``, one
sub-folder per class) or a named dataset with an image column and a label column. Accuracy comes from the metric
script shipped in ``hf_spiking/metrics/accuracy`` (works offline). Checkpoints are written every ``--save_steps``;
``--resume_from_checkpoint latest`` (or a path) continues a run. The metrics are written to
``<output_dir>/all_results.json`` and logged (shown with ``--log_level info``).

    hf-spiking finetune-trevsnn --model_name_or_path trevsnn-test --train_dir data/train \
        --validation_dir data/val --image_size 32 --output_dir runs/trevsnn --num_train_epochs 3
    accelerate launch --multi_gpu --num_processes 2 -m hf_spiking.jobs.finetune_trevsnn ...   # 2 CPU processes

``--model_name_or_path`` is a preset name (``hf_spiking.list_models("trevsnn*")``, random initialisation) or a
saved folder. All ``TrainingArguments`` flags are accepted.
"""

import json
import os
from dataclasses import dataclass, field

import numpy as np
import torch
from transformers import AutoModelForImageClassification, HfArgumentParser, Trainer, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging

from ..console import show_info_logs
from ..metrics import accuracy_metric_path
from ..models.trevsnn.image_processing_trevsnn import TRevSNNImageProcessor
from ..registry import create_model, list_models

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
        return create_model(args.model_name_or_path, **overrides)
    return AutoModelForImageClassification.from_pretrained(
        args.model_name_or_path, ignore_mismatched_sizes=True, **overrides
    )


def image_classification_transform(processor: TRevSNNImageProcessor, image_column: str, label_column: str):
    """A ``Dataset.set_transform`` function turning a batch of images and labels into ``pixel_values`` and ``labels``."""

    def transform(batch):
        images = [image.convert("RGB") for image in batch[image_column]]
        return {"pixel_values": processor(images, return_tensors="pt")["pixel_values"], "labels": batch[label_column]}

    return transform


def collate_image_classification(examples: list[dict]) -> dict[str, torch.Tensor]:
    """Stacks transformed examples into a ``pixel_values`` / ``labels`` batch."""
    return {
        "pixel_values": torch.stack([e["pixel_values"] for e in examples]),
        "labels": torch.tensor([e["labels"] for e in examples]),
    }


def finetune(args: FinetuneTRevSNNArguments, training_args: TrainingArguments) -> dict:
    """Trains (unless only ``--do_eval``) and evaluates (when there is an evaluation split); returns the metrics."""
    # The image transform replaces the raw columns on the fly, so Trainer must not drop them beforehand.
    training_args.remove_unused_columns = False
    train, evaluation = load_splits(args, training_args.seed)
    names = label_names(train, args.label_column)

    resize = args.resize_size or round(args.image_size * 232 / 224)
    processor = TRevSNNImageProcessor(
        size={"shortest_edge": resize}, crop_size={"height": args.image_size, "width": args.image_size}
    )
    transform = image_classification_transform(processor, args.image_column, args.label_column)
    train.set_transform(transform)
    if evaluation is not None:
        evaluation.set_transform(transform)

    compute_metrics = None
    if evaluation is not None:
        import evaluate  # slow to import; only needed with an evaluation split

        metric = evaluate.load(accuracy_metric_path())

        def compute_metrics(prediction):
            return metric.compute(predictions=np.argmax(prediction.predictions, axis=1), references=prediction.label_ids)

    model = build_model(args, names)
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=train,
        eval_dataset=evaluation,
        data_collator=collate_image_classification,
        compute_metrics=compute_metrics,
        processing_class=processor,
    )
    resume = training_args.resume_from_checkpoint
    if resume == "latest":
        resume = get_last_checkpoint(training_args.output_dir)
    results = {}
    if training_args.do_train or not training_args.do_eval:
        train_result = trainer.train(resume_from_checkpoint=resume)
        results.update(train_result.metrics)
        trainer.save_model()
        trainer.save_state()
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
    parser = HfArgumentParser((FinetuneTRevSNNArguments, TrainingArguments))
    return tuple(parser.parse_args_into_dataclasses(args=argv))


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking finetune-trevsnn`` / ``scripts/finetune_trevsnn.py``: parses ``argv`` and runs :func:`finetune`."""
    show_info_logs()
    finetune(*parse_arguments(argv))
    return 0


__all__ = [
    "FinetuneTRevSNNArguments",
    "build_model",
    "collate_image_classification",
    "finetune",
    "image_classification_transform",
    "label_names",
    "load_splits",
    "main",
    "parse_arguments",
]

# `accelerate launch -m hf_spiking.jobs.finetune_trevsnn` runs the job in each process.
if __name__ == "__main__":
    raise SystemExit(main())
