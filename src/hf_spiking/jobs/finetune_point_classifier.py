"""Fine-tune a spiking point encoder for 3D classification with ``Trainer`` (``hf-spiking finetune-point-classifier``).

The encoder comes from a preset (random weights) or a saved SVL folder (its pretrained encoder; ``--from_scratch``
rebuilds the same architecture with random weights, for pretrained-vs-scratch comparisons at an equal budget) and gets
a linear head (:class:`~hf_spiking.SpikingPointEncoderForPointCloudClassification`).

Data (``--dataset``), never downloaded:
    modelnet40-npy  ``--data_dir <root>/<class>/{train,test}/*.npy`` (pre-sampled clouds)
    modelnet40      ``--data_dir <root>/<class>/{train,test}/*.off`` (meshes, surface-sampled)
    events          event recordings as clouds (x, y, t, p) ("events as points"): ``--data_dir`` holds the files,
                    ``--train_labels`` / ``--test_labels`` list ``<id><TAB><class index>`` per line (``#`` header
                    lines skipped; the N-MNIST subset layout: ``train1K.txt``, ``test100.txt``, ``<id>.bs2``)

Protocol: the validation split is a stratified ``--validation_fraction`` of the training files (model and recipe
choices are made on it); the test split is read only with ``--do_predict``, after training, for the final model. Once a
recipe is fixed on validation, ``--validation_fraction 0 --eval_strategy no --load_best_model_at_end false`` retrains it
on the whole training split and keeps the final checkpoint (nothing is selected, so nothing needs validating).
Training augmentation (standard for ModelNet40 fine-tuning): a random subset of ``--num_points`` points, random
anisotropic scale in [2/3, 3/2], translation in [-0.2, 0.2], random point dropout, and rotation about the up axis with
``--rotate``. Evaluation averages the logits of ``--votes`` copies, each with its own draw of points and scale (1 = no
voting). Reported: overall accuracy (OA) with its 95 % Wilson interval, mean per-class accuracy, and the estimated
energy per sample. The recipe defaults (AdamW, learning rate 1e-3, cosine schedule, label smoothing 0.1, batch 32) can
be overridden with the usual ``TrainingArguments`` flags.

    hf-spiking finetune-point-classifier --model_name_or_path svl-pointformer-test --dataset modelnet40-npy \
        --data_dir ModelNet40 --output_dir runs/mn40 --num_train_epochs 1 --do_train --do_predict
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import HfArgumentParser, Trainer, TrainingArguments, set_seed
from transformers.utils import logging

from ..console import show_info_logs
from ..data.events import events_to_points, labelled_recordings, read_events
from ..data.modelnet import load_modelnet40_npy, load_modelnet40_off
from ..data.point_clouds import PointCloudDataset
from ..data.splits import stratified_split
from ..energy import estimate_energy
from ..hub import create_model_card
from ..metrics.intervals import wilson_interval
from ..models.spiking_point_encoder.feature_extraction_spiking_point_encoder import (
    SpikingPointEventFeatureExtractor,
    SpikingPointFeatureExtractor,
)
from ..models.spiking_point_encoder.modeling_spiking_point_encoder import SpikingPointEncoderForPointCloudClassification
from ..registry import apply_config_overrides, get_config, list_models
from .eval_zero_shot import accuracy_metrics

logger = logging.get_logger(__name__)

DATASETS = ("modelnet40-npy", "modelnet40", "events")
RECIPE_DEFAULTS = {
    "learning_rate": 1e-3,
    "weight_decay": 0.05,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 0.05,  # a float below 1 is a ratio of the total steps
    "label_smoothing_factor": 0.1,
    "per_device_train_batch_size": 32,
    "per_device_eval_batch_size": 64,
    "num_train_epochs": 50,
    "eval_strategy": "epoch",
    "save_strategy": "epoch",
    "save_total_limit": 2,
    "load_best_model_at_end": True,
    "metric_for_best_model": "accuracy",
    "logging_steps": 20,
    "report_to": "none",
    "remove_unused_columns": False,
}


@dataclass
class FinetunePointClassifierArguments:
    model_name_or_path: str = field(metadata={"help": "preset name (random weights) or a saved SVL model folder"})
    dataset: str = field(metadata={"choices": DATASETS})
    data_dir: str = field(metadata={"help": "data root (see the module docstring for each --dataset)"})
    from_scratch: bool = field(default=False, metadata={"help": "random weights in the architecture of the folder"})
    num_points: int = field(default=1024, metadata={"help": "points per training / evaluation cloud"})
    validation_fraction: float = field(default=0.1, metadata={
        "help": "stratified share of train kept for validation; 0 trains on all of it (a recipe fixed beforehand)"})
    rotate: bool = field(default=False, metadata={"help": "random rotation about the up axis while training"})
    votes: int = field(default=1, metadata={"help": "test-time voting: logits averaged over this many redrawn, scaled copies"})
    train_labels: str = field(default="train1K.txt", metadata={"help": "events: training label list in data_dir"})
    test_labels: str = field(default="test100.txt", metadata={"help": "events: test label list in data_dir"})
    sensor_size: tuple[int, int] = field(default=(34, 34), metadata={"help": "events: sensor height and width"})
    time_extent: float = field(default=1.0, metadata={"help": "events: t spans [-time_extent, time_extent] (x, y: [-1, 1])"})
    energy_samples: int = field(default=16, metadata={"help": "test clouds the energy estimate averages over"})
    config_overrides: str = field(
        default="",
        metadata={"help": "architecture changes as 'key=value,key=value' (e.g. 'num_groups=64,group_size=32'), applied "
                          "to the preset's or the folder's config before the model is built"},
    )

    def __post_init__(self):
        if not 0 <= self.time_extent <= 1:
            raise ValueError(f"--time_extent must lie in [0, 1], got {self.time_extent}")
        if not 0 <= self.validation_fraction < 1:
            raise ValueError(f"--validation_fraction must lie in [0, 1), got {self.validation_fraction}")
        for name in ("num_points", "votes", "energy_samples"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be a positive integer, got {getattr(self, name)}")


def load_event_clouds(
    root: str | Path, label_list: str, sensor_size: tuple[int, int], time_extent: float = 1.0
) -> PointCloudDataset:
    """Event recordings named by a label list as event clouds ``[N, 4]`` (x, y, p in [-1, 1], t in
    [-time_extent, time_extent])."""
    recordings = labelled_recordings(root, label_list)
    labels = np.array([label for _, label in recordings])
    return PointCloudDataset(
        [str(index) for index in range(labels.max() + 1)],
        labels,
        lambda index: events_to_points(read_events(recordings[index][0]), sensor_size, time_extent=time_extent),
        [path.stem for path, _ in recordings],
    )


def load_splits(args: FinetunePointClassifierArguments, seed: int) -> tuple[PointCloudDataset, list, list, PointCloudDataset]:
    """(training source, training indices, validation indices, test split); the test split is only opened later."""
    if args.dataset == "events":
        train, test = (load_event_clouds(args.data_dir, name, args.sensor_size, args.time_extent)
                       for name in (args.train_labels, args.test_labels))
    else:
        reader = load_modelnet40_npy if args.dataset == "modelnet40-npy" else load_modelnet40_off
        train, test = (reader(args.data_dir, split) for split in ("train", "test"))
    if args.validation_fraction == 0:
        return train, list(range(len(train))), [], test
    train_indices, validation_indices = stratified_split(train.labels, args.validation_fraction, seed)
    return train, train_indices, validation_indices, test


class PointCloudSplit(torch.utils.data.Dataset):
    """Items ``{"point_values": [num_points, C], "labels"}`` of ``source`` at ``indices``, augmented when training."""

    def __init__(self, source: PointCloudDataset, indices: list[int], num_points: int, train: bool, rotate: bool, seed: int):
        self.source, self.indices, self.num_points = source, indices, num_points
        self.train, self.rotate, self.seed = train, rotate, seed

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, item: int) -> dict:
        return self.draw(item)

    def draw(self, item: int, vote: int = 0) -> dict:
        """Item ``item``; evaluation vote ``vote`` > 0 draws its own seeded subset of the cloud's points."""
        points, label = self.source[self.indices[item]]
        # Training draws fresh randomness per access from torch's generator (seeded by set_seed, and per DataLoader
        # worker), so identical runs augment identically; evaluation is the same every time (seeded by the item).
        seed = int(torch.randint(0, 2**62, ())) if self.train else [self.seed, item] + [vote] * (vote > 0)
        rng = np.random.default_rng(seed)
        chosen = rng.choice(len(points), self.num_points, replace=len(points) < self.num_points)
        points = points[chosen].copy()
        if self.train:
            points[:, :3] = augment_xyz(points[:, :3], rng, self.rotate)
        return {"point_values": torch.from_numpy(points), "labels": torch.tensor(label)}


def augment_xyz(xyz: np.ndarray, rng: np.random.Generator, rotate: bool) -> np.ndarray:
    """Anisotropic scale [2/3, 3/2], translation [-0.2, 0.2], point dropout (dropped points repeat the first one, so
    the count stays fixed), and with ``rotate`` a rotation about the z (up) axis."""
    if rotate:
        angle = rng.uniform(0, 2 * math.pi)
        cos, sin = math.cos(angle), math.sin(angle)
        xyz = xyz @ np.array([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]], dtype=xyz.dtype).T
    xyz = xyz * rng.uniform(2 / 3, 3 / 2, size=3).astype(xyz.dtype) + rng.uniform(-0.2, 0.2, size=3).astype(xyz.dtype)
    dropped = rng.random(len(xyz)) < rng.uniform(0, 0.875)
    xyz[dropped] = xyz[0]
    return xyz


def collate_point_clouds(items: list[dict]) -> dict[str, torch.Tensor]:
    return {key: torch.stack([item[key] for item in items]) for key in ("point_values", "labels")}


def build_model(args: FinetunePointClassifierArguments, class_names: list[str], in_channels: int):
    """The classifier: a preset's architecture, or a folder's (pretrained encoder unless ``--from_scratch``)."""
    labels = {"num_labels": len(class_names), "id2label": dict(enumerate(class_names)),
              "label2id": {name: index for index, name in enumerate(class_names)}}
    # The preprocessing the model is trained with travels in its config (the fallback without a feature extractor).
    preprocessing = {"num_points": args.num_points, "point_sampling": "random"}
    if args.model_name_or_path in list_models():
        config = get_config(args.model_name_or_path, in_channels=in_channels, **labels, **preprocessing)
        if args.config_overrides:
            apply_config_overrides(config, args.config_overrides)
        return SpikingPointEncoderForPointCloudClassification(config)
    folder = Path(args.model_name_or_path)
    if not (folder / "config.json").is_file():
        raise ValueError(f"--model_name_or_path {folder} is neither a preset ({', '.join(list_models('svl-*'))}) nor a model folder")
    config = SpikingPointEncoderForPointCloudClassification.config_class.from_pretrained(folder)
    config.id2label, config.label2id = labels["id2label"], labels["label2id"]  # num_labels follows id2label
    config.update(preprocessing)
    if args.config_overrides:
        apply_config_overrides(config, args.config_overrides)
    if args.from_scratch:
        return SpikingPointEncoderForPointCloudClassification(config)
    # A folded zero-shot head of another vocabulary is replaced by a new classifier, as for any new label set.
    return SpikingPointEncoderForPointCloudClassification.from_pretrained(folder, config=config, ignore_mismatched_sizes=True)


@torch.no_grad()
def evaluate_split(model, split: PointCloudSplit, votes: int, batch_size: int, seed: int) -> dict:
    """OA (with its Wilson interval), mean per-class accuracy and top-5 of ``model`` on ``split``, logits averaged over
    ``votes`` copies (copy 0 as is; the others draw their own subset of each cloud's points, which matters when a
    cloud has more points than ``num_points``, and are scaled by a seeded factor in [0.8, 1.25] per axis)."""
    model.eval()
    rng = torch.Generator().manual_seed(seed)
    logits, labels = [], []
    for start in range(0, len(split), batch_size):
        items = range(start, min(start + batch_size, len(split)))
        batch = collate_point_clouds([split[i] for i in items])
        total = 0
        for vote in range(votes):
            points = batch["point_values"]
            if vote:
                points = collate_point_clouds([split.draw(i, vote) for i in items])["point_values"]
                points[..., :3] *= torch.empty(1, 1, 3).uniform_(0.8, 1.25, generator=rng)
            total = total + model(point_values=points.to(model.device, model.dtype)).logits.float().cpu()
        logits.append(total / votes)
        labels.append(batch["labels"])
    logits, labels = torch.cat(logits), torch.cat(labels)
    metrics = accuracy_metrics(logits, labels, model.config.num_labels)
    hits = logits.argmax(1) == labels
    low, high = wilson_interval(int(hits.sum()), len(labels))
    per_class = {model.config.id2label[c]: 100 * hits[labels == c].float().mean().item()
                 for c in range(model.config.num_labels) if (labels == c).any()}
    return {"accuracy": metrics["top1"], "accuracy_95ci": [100 * low, 100 * high], "mean_per_class": metrics["mean_per_class"],
            "top5": metrics["top5"], "num_samples": len(labels), "votes": votes, "per_class": per_class}


def finetune(args: FinetunePointClassifierArguments, training_args: TrainingArguments) -> dict:
    """Trains (``--do_train``), evaluates on validation, and with ``--do_predict`` on the test split once; writes
    ``results.json`` and the final model with its feature extractor into ``--output_dir``."""
    if args.validation_fraction == 0 and (training_args.eval_strategy != "no" or training_args.load_best_model_at_end):
        raise ValueError(
            "--validation_fraction 0 leaves nothing to evaluate or select on: pass --eval_strategy no "
            f"--load_best_model_at_end false (got --eval_strategy {training_args.eval_strategy.value}, "
            f"--load_best_model_at_end {training_args.load_best_model_at_end})")
    set_seed(training_args.seed)  # before the model is built: identical runs give identical weights
    source, train_indices, validation_indices, test = load_splits(args, training_args.seed)
    in_channels = source[0][0].shape[1]
    model = build_model(args, source.class_names, in_channels)
    splits = {
        "train": PointCloudSplit(source, train_indices, args.num_points, True, args.rotate, training_args.seed),
        "validation": PointCloudSplit(source, validation_indices, args.num_points, False, False, training_args.seed),
    }
    logger.info(f"{args.dataset}: {len(train_indices)} training, {len(validation_indices)} validation clouds, "
                f"{len(source.class_names)} classes; model {args.model_name_or_path} ({model.num_parameters() / 1e6:.2f} M)")

    def compute_metrics(prediction) -> dict:
        predicted = np.argmax(prediction.predictions, axis=1)
        return {"accuracy": 100 * float((predicted == prediction.label_ids).mean())}

    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=splits["train"],
        eval_dataset=splits["validation"] if validation_indices else None,
        data_collator=collate_point_clouds,
        compute_metrics=compute_metrics,
    )
    results = {"args": vars(args) | {"sensor_size": list(args.sensor_size)}, "seed": training_args.seed}
    if training_args.do_train:
        checkpoint = training_args.resume_from_checkpoint
        results["train"] = trainer.train(resume_from_checkpoint=checkpoint).metrics
        trainer.save_model()
        if args.dataset == "events":  # the preprocessing of load_event_clouds, from event streams
            extractor = SpikingPointEventFeatureExtractor(sensor_size=args.sensor_size, num_points=args.num_points,
                                                          time_extent=args.time_extent)
        else:
            # ModelNet40 has no colour (its readers give every point the missing-colour grey): a model trained on
            # it gets that grey for every cloud, including coloured ones.
            extractor = SpikingPointFeatureExtractor(num_points=args.num_points, sampling="random",
                                                     use_input_color=False)
        extractor.save_pretrained(training_args.output_dir)
    model = trainer.model
    batch = training_args.per_device_eval_batch_size
    if validation_indices:
        results["validation"] = evaluate_split(model, splits["validation"], args.votes, batch, training_args.seed)
        logger.info(f"validation: {_summary(results['validation'])}")
    if training_args.do_predict:
        test_split = PointCloudSplit(test, list(range(len(test))), args.num_points, False, False, training_args.seed)
        results["test"] = evaluate_split(model, test_split, args.votes, batch, training_args.seed)
        sample = collate_point_clouds([test_split[i] for i in range(min(args.energy_samples, len(test_split)))])
        report = estimate_energy(model.point_encoder, {"point_values": sample["point_values"].to(model.device, model.dtype)})
        # Every vote is one more forward pass: a sample's decision costs `votes` times the energy of one pass.
        results["test"]["energy_mj_per_forward"] = report.total_energy_mj
        results["test"]["energy_mj_per_sample"] = report.total_energy_mj * args.votes
        results["test"]["dense_energy_mj_per_sample"] = report.dense_energy_mj * args.votes
        logger.info(f"test: {_summary(results['test'])}, {results['test']['energy_mj_per_sample']:.4f} mJ per sample "
                    f"({args.votes} forward pass(es) of {report.total_energy_mj:.4f} mJ)")
        write_model_card(model, results, report, training_args.output_dir)
    output = Path(training_args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(results, indent=2, default=str))
    return results


DATASET_NOTES = {
    "modelnet40-npy": ("ModelNet40", "modelnet40", "ModelNet40 (Princeton; academic use only) as 1,024-point .npy clouds "
                       "from the public repository prasadsawant5/PointNet; the data is not redistributed here"),
    "modelnet40": ("ModelNet40", "modelnet40", "ModelNet40 (Princeton; academic use only) .off meshes, surface-sampled"),
    "events": ("event recordings", "events", "event-camera recordings as event clouds (x, y, t, p); for the N-MNIST "
               "subset of bamsumit/slayerPytorch, N-MNIST's own terms apply; the data is not redistributed here"),
}


def write_model_card(model, results: dict, energy, output_dir: str) -> None:
    """``README.md`` of the fine-tuned classifier: OA with its Wilson interval, mean per-class and per-class accuracy
    on the test split, the energy beside the same network run densely (its ANN twin's compute), the recipe and the
    data's origin and terms."""
    args, test = results["args"], results["test"]
    name, dataset_type, provenance = DATASET_NOTES[args["dataset"]]
    low, high = test["accuracy_95ci"]
    common = {"task_type": "point-cloud-classification", "dataset_type": dataset_type, "dataset_name": name,
              "dataset_split": "test"}
    eval_results = [
        {**common, "metric_type": "accuracy", "metric_name": "overall accuracy (OA)", "metric_value": round(test["accuracy"], 2)},
        {**common, "metric_type": "accuracy", "metric_name": "mean per-class accuracy", "metric_value": round(test["mean_per_class"], 2)},
    ]
    per_class = "\n".join(f"| {label} | {value:.1f} |" for label, value in test["per_class"].items())
    if "validation" in results:
        validation = results["validation"]
        selection = (f"validation OA {validation['accuracy']:.2f}% on {validation['num_samples']} clouds held out of the "
                     "training split (stratified); the checkpoint was chosen on validation before the test split was "
                     "read, once.")
    else:
        selection = ("trained on the whole training split with a recipe fixed beforehand on a validation split; the "
                     "final checkpoint, chosen by nothing, was fixed before the test split was read, once.")
    description = (
        f"`{type(model).__name__}` fine-tuned with `hf-spiking finetune-point-classifier` (arguments below) from "
        f"`{args['model_name_or_path']}`{' (random initialisation)' if args['from_scratch'] else ''}.\n\n"
        f"Test OA **{test['accuracy']:.2f}%** (95% Wilson interval [{low:.1f}, {high:.1f}], {test['num_samples']} "
        f"clouds, {test['votes']} vote(s)), mean per-class {test['mean_per_class']:.2f}%; estimated energy "
        f"{test['energy_mj_per_sample']:.4f} mJ per sample ({test['votes']} forward pass(es) of "
        f"{test['energy_mj_per_forward']:.4f} mJ; the energy table below is one pass); {selection}\n\n"
        f"Data: {provenance}.\n\nArguments (`results.json`):\n\n```json\n{json.dumps(args, indent=1)}\n```\n\n"
        f"Training: {json.dumps(results.get('train', {}))}\n\n"
        f"<details><summary>Per-class test accuracy (%)</summary>\n\n| class | accuracy |\n|---|---|\n{per_class}\n\n</details>"
    )
    card = create_model_card(model, eval_results, energy=energy, firing_rates_from=f"the trained checkpoint on "
                             f"{args['energy_samples']} test clouds", model_name=Path(output_dir).name,
                             model_description=description, tags=["point-cloud", "svl"])
    card.save(Path(output_dir) / "README.md")


def _summary(metrics: dict) -> str:
    low, high = metrics["accuracy_95ci"]
    return (f"OA {metrics['accuracy']:.2f}% [{low:.1f}, {high:.1f}], mean per-class {metrics['mean_per_class']:.2f}% "
            f"({metrics['num_samples']} clouds, {metrics['votes']} vote(s))")


def parse_arguments(argv: list[str] | None = None) -> tuple[FinetunePointClassifierArguments, TrainingArguments]:
    parser = HfArgumentParser((FinetunePointClassifierArguments, TrainingArguments))
    parser.set_defaults(**RECIPE_DEFAULTS)
    return parser.parse_args_into_dataclasses(args=argv)


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking finetune-point-classifier`` / ``scripts/finetune_point_classifier.py``."""
    show_info_logs()
    finetune(*parse_arguments(argv))
    return 0


__all__ = [
    "DATASETS",
    "FinetunePointClassifierArguments",
    "PointCloudSplit",
    "augment_xyz",
    "build_model",
    "collate_point_clouds",
    "evaluate_split",
    "finetune",
    "load_event_clouds",
    "write_model_card",
]


if __name__ == "__main__":
    raise SystemExit(main())
