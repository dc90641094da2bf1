"""Train E-3DSNN as a spiking sparse U-Net for LiDAR semantic segmentation with ``Trainer``
(``hf-spiking finetune-point-segmentation``).

The model (:class:`~hf_spiking.SpikingPointEncoderForSemanticSegmentation`) comes from a preset (random weights,
default ``svl-e3dsnn-seg-t``) or a saved segmentation folder; ``--init_from`` then loads the encoder of an E-3DSNN
checkpoint (encoder, pre-training or classification folder) into it, the decoder and classifier staying new. The
encoder's architecture must match; only its first convolution may differ in input channels (e.g. an xyz + rgb SVL
encoder on x, y, z, intensity scans), and is then initialised anew.

Data (``--dataset``), never downloaded:
    synthetic-scenes  the generated LiDAR street scenes (``docs/synthetic_scenes.md``, 11 classes), generated on the
                      fly and cached by ``datasets`` (``--cache_dir``): scenes 0..``--num_train_scenes``-1 of train,
                      ``--num_eval_scenes`` of validation (and, with ``--do_predict``, of test)
    semantickitti     ``--data_dir <root>/sequences/<NN>/{velodyne,labels}`` (the released layout), the 19 classes of
                      the learning map with unlabeled points ignored (label 255); ``--sequences`` for training,
                      ``--eval_sequences`` for validation (08, as usual), ``--test_sequences`` for ``--do_predict``

Training scans are randomly subsampled to ``--num_points`` (0 keeps every point; a smaller scan is padded with repeats
labelled 255, which the loss ignores) and augmented: rotation about z, flips of x and y, isotropic scaling
``[0.95, 1.05]``. Evaluation reads every point of every scan and accumulates one confusion matrix over the split
(``batch_eval_metrics``: no logits are kept), reporting mIoU, overall accuracy and per-class IoU
(:mod:`hf_spiking.metrics.segmentation`), plus the estimated energy of the SNN per scan beside the same network run
densely. ``--resume_from_checkpoint latest`` continues from the newest checkpoint in ``--output_dir``. Everything is
written to ``<output_dir>/results.json``; a run that evaluated the test split also writes the model card,
``<output_dir>/README.md`` (:func:`write_model_card`).

``--baseline`` trains nothing: it evaluates :class:`HeightCentroidBaseline`, a non-learned reference (ground plane,
height features, nearest class centroid), on the same splits with the same metrics.

Measured on the 2-core CPU alone (2 threads, ``svl-e3dsnn-seg-t``, batch 2, the default 16,384 points per scan): a
training step takes about 0.65 s (data loading included), evaluating a full scan about 0.2 s, generating a scene about
0.4 s (once: ``datasets`` caches it). The defaults (500 steps on 500 scenes, 25 validation scenes every 250 steps)
take about 7 minutes; 4,000 steps with 50 validation scenes every 1,000 took 45 minutes (results and the chained runs
in ``docs/benchmarks.md``):

    hf-spiking finetune-point-segmentation --dataset synthetic-scenes --output_dir runs/seg-synthetic --do_train
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import HfArgumentParser, Trainer, TrainingArguments, set_seed
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging

from ..console import show_info_logs
from ..data.kitti import SEMANTICKITTI_CLASSES, read_semantickitti_frame, semantickitti_sequence_files
from ..energy import ENERGY_PRESETS, estimate_energy
from ..hub import create_model_card
from ..metrics.segmentation import SegmentationMetric
from ..models.spiking_point_encoder.modeling_spiking_point_encoder import SpikingPointEncoderForSemanticSegmentation
from ..models.spiking_point_encoder.segmentation import SEGMENTATION_IGNORE_INDEX
from ..registry import apply_config_overrides, get_config, list_models

logger = logging.get_logger(__name__)

DATASETS = ("synthetic-scenes", "semantickitti")
# The parameters of the encoder's first convolution, the only ones --init_from may leave to a new initialisation.
STEM_INPUT_PARAMETER = "point_encoder.encoder.stem.0.conv.weight"
RECIPE_DEFAULTS = {
    "learning_rate": 2e-3,
    "weight_decay": 1e-4,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 0.05,  # a float below 1 is a ratio of the total steps
    "per_device_train_batch_size": 2,
    "per_device_eval_batch_size": 1,  # whole scans, no padding: exact per-point predictions
    "max_steps": 500,
    "eval_strategy": "steps",
    "eval_steps": 250,
    "save_strategy": "steps",
    "save_steps": 250,
    "save_total_limit": 2,
    "load_best_model_at_end": True,
    "metric_for_best_model": "miou",
    "batch_eval_metrics": True,
    "logging_steps": 10,
    "report_to": "none",
    "remove_unused_columns": False,
}


@dataclass
class FinetunePointSegmentationArguments:
    dataset: str = field(metadata={"choices": DATASETS})
    model_name_or_path: str = field(
        default="svl-e3dsnn-seg-t",
        metadata={"help": "segmentation preset (random weights) or a saved segmentation folder"},
    )
    init_from: str | None = field(
        default=None, metadata={"help": "E-3DSNN checkpoint folder whose encoder initialises the model's encoder"}
    )
    config_overrides: str = field(
        default="", metadata={"help": "architecture changes as 'key=value,key=value' (e.g. 'voxel_size=0.1')"}
    )
    num_points: int = field(default=16_384, metadata={"help": "points per training scan (0: every point)"})
    num_train_scenes: int = field(default=500, metadata={"help": "synthetic-scenes: training scenes"})
    num_eval_scenes: int = field(default=25, metadata={"help": "synthetic-scenes: validation (and test) scenes"})
    scene_seed: int = field(default=0, metadata={"help": "synthetic-scenes: base seed of the scene streams"})
    azimuth_step_degrees: float = field(
        default=0.2, metadata={"help": "synthetic-scenes: LiDAR column step (0.2 is the benchmark; coarser for tests)"}
    )
    cache_dir: str | None = field(default=None, metadata={"help": "synthetic-scenes: datasets cache folder"})
    data_dir: str | None = field(default=None, metadata={"help": "semantickitti: the root holding sequences/"})
    sequences: str = field(default="00,01,02,03,04,05,06,07,09,10", metadata={"help": "semantickitti: training"})
    eval_sequences: str = field(default="08", metadata={"help": "semantickitti: validation sequences"})
    test_sequences: str = field(default="", metadata={"help": "semantickitti: labelled sequences for --do_predict"})
    baseline: bool = field(default=False, metadata={"help": "evaluate the non-learned HeightCentroidBaseline instead"})
    baseline_scans: int = field(default=50, metadata={"help": "training scans the baseline's centroids come from"})
    energy_scans: int = field(default=2, metadata={"help": "validation scans the energy estimate averages over"})

    def __post_init__(self):
        if self.num_points < 0:
            raise ValueError(f"--num_points must be 0 (every point) or a positive count, got {self.num_points}")
        for name in ("num_train_scenes", "num_eval_scenes", "baseline_scans", "energy_scans"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be a positive integer, got {getattr(self, name)}")
        if self.dataset == "semantickitti" and not self.data_dir:
            raise ValueError("--dataset semantickitti needs --data_dir <root> (the folder holding sequences/)")


# ---- data ----------------------------------------------------------------------------------------------------------


@dataclass
class ScanSource:
    """Random access to the labelled scans of one split:
    ``load(index) -> (points [N, 4] float32, labels [N] int64)``."""

    load: Callable[[int], tuple[np.ndarray, np.ndarray]]
    length: int


def synthetic_scene_source(args: FinetunePointSegmentationArguments, split: str, num_scenes: int) -> ScanSource:
    from ..data.synthetic_scenes import LidarConfig, load_synthetic_scenes

    lidar = LidarConfig(azimuth_step_degrees=args.azimuth_step_degrees)
    scenes = load_synthetic_scenes(split, num_scenes, args.scene_seed, lidar=lidar, cache_dir=args.cache_dir)
    scenes = scenes.select_columns(["points", "semantic_labels"]).with_format("numpy")

    def load(index: int) -> tuple[np.ndarray, np.ndarray]:
        row = scenes[index]
        return row["points"].astype(np.float32), row["semantic_labels"].astype(np.int64)

    return ScanSource(load, len(scenes))


def semantickitti_source(root: str, sequences: str) -> ScanSource:
    names = [name.strip() for name in sequences.split(",") if name.strip()]
    if not names:
        raise ValueError(f"SemanticKITTI sequences must be a comma-separated list such as '00,01', got {sequences!r}")
    frames = [frame for name in names for frame in semantickitti_sequence_files(root, name)]
    unlabelled = sorted({scan.parent.parent.name for scan, label in frames if label is None})
    if unlabelled:
        raise ValueError(f"SemanticKITTI sequences {unlabelled} under {root} have no labels folder (test sequences?)")

    def load(index: int) -> tuple[np.ndarray, np.ndarray]:
        frame = read_semantickitti_frame(*frames[index])
        return frame["points"], frame["labels"]

    return ScanSource(load, len(frames))


def load_sources(args: FinetunePointSegmentationArguments, do_predict: bool) -> tuple[list[str], dict[str, ScanSource]]:
    """The class names and the scan sources of the splits (``test`` only with ``do_predict``)."""
    if args.dataset == "synthetic-scenes":
        from ..data.synthetic_scenes import SEMANTIC_CLASSES

        sizes = {"train": args.num_train_scenes, "validation": args.num_eval_scenes}
        if do_predict:
            sizes["test"] = args.num_eval_scenes
        return list(SEMANTIC_CLASSES), {split: synthetic_scene_source(args, split, n) for split, n in sizes.items()}
    sequences = {"train": args.sequences, "validation": args.eval_sequences}
    if do_predict:
        if not args.test_sequences:
            raise ValueError("--do_predict with --dataset semantickitti needs --test_sequences (labelled sequences)")
        sequences["test"] = args.test_sequences
    return list(SEMANTICKITTI_CLASSES), {split: semantickitti_source(args.data_dir, names)
                                         for split, names in sequences.items()}


def augment_scan(xyz: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotation about z by U(0, 2 pi), flips of x and of y (p = 0.5 each), isotropic scaling U(0.95, 1.05)."""
    angle = rng.uniform(0, 2 * math.pi)
    cos, sin = math.cos(angle), math.sin(angle)
    rotation = np.array([[cos, -sin, 0.0], [sin, cos, 0.0], [0.0, 0.0, 1.0]])
    flips = np.where(rng.random(2) < 0.5, -1.0, 1.0)
    transform = rotation * np.array([flips[0], flips[1], 1.0])[:, None] * rng.uniform(0.95, 1.05)
    return (xyz @ transform.T).astype(xyz.dtype)


class ScanSegmentationDataset(torch.utils.data.Dataset):
    """Items ``{"point_values": [n, 4], "labels": [n]}`` of a :class:`ScanSource`; training items are subsampled to
    ``num_points`` (0: all) and augmented, evaluation items are whole scans, unchanged."""

    def __init__(self, source: ScanSource, num_points: int, train: bool):
        self.source, self.num_points, self.train = source, num_points, train

    def __len__(self) -> int:
        return self.source.length

    def __getitem__(self, item: int) -> dict:
        points, labels = self.source.load(item)
        if self.train:
            # Fresh randomness per access from torch's generator (seeded by set_seed and per DataLoader worker).
            rng = np.random.default_rng(int(torch.randint(0, 2**62, ())))
            if self.num_points and len(points) != self.num_points:
                chosen = rng.choice(len(points), min(self.num_points, len(points)), replace=False)
                points, labels = points[chosen], labels[chosen]
                points, labels = pad_scan(points, labels, self.num_points)
            points = points.copy()
            points[:, :3] = augment_scan(points[:, :3], rng)
        return {"point_values": torch.from_numpy(points), "labels": torch.from_numpy(labels)}


def pad_scan(points: np.ndarray, labels: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``points`` / ``labels`` extended to ``size`` rows by repeating the scan's points, labelled
    :data:`SEGMENTATION_IGNORE_INDEX` (ignored by the loss and the metrics; they only add weight to the mean features
    of the voxels they repeat)."""
    missing = size - len(points)
    if missing <= 0:
        return points, labels
    repeat = np.arange(missing) % len(points)
    padding = np.full(missing, SEGMENTATION_IGNORE_INDEX, dtype=labels.dtype)
    return np.concatenate([points, points[repeat]]), np.concatenate([labels, padding])


def collate_scans(items: list[dict]) -> dict[str, torch.Tensor]:
    """Stacks scans, padding shorter ones with :func:`pad_scan` (eval batches of 1 stay exact)."""
    size = max(len(item["labels"]) for item in items)
    padded = [pad_scan(item["point_values"].numpy(), item["labels"].numpy(), size) for item in items]
    return {"point_values": torch.from_numpy(np.stack([points for points, _ in padded])),
            "labels": torch.from_numpy(np.stack([labels for _, labels in padded]))}


# ---- model ---------------------------------------------------------------------------------------------------------


def build_model(args: FinetunePointSegmentationArguments, class_names: list[str], in_channels: int):
    """The segmentation model: a preset's or a folder's architecture (folder weights kept, except a classifier of
    another label set), then the encoder of ``--init_from``."""
    labels = {"id2label": dict(enumerate(class_names)), "label2id": {name: i for i, name in enumerate(class_names)}}
    model_class = SpikingPointEncoderForSemanticSegmentation
    if args.model_name_or_path in list_models():
        config = get_config(args.model_name_or_path, in_channels=in_channels, **labels)
        folder = None
    else:
        folder = Path(args.model_name_or_path)
        if not (folder / "config.json").is_file():
            raise ValueError(
                f"--model_name_or_path {folder} is neither a preset ({', '.join(list_models('svl-e3dsnn-seg-*'))}) "
                "nor a model folder"
            )
        config = model_class.config_class.from_pretrained(folder)
        config.id2label, config.label2id = labels["id2label"], labels["label2id"]  # num_labels follows id2label
    if args.config_overrides:
        apply_config_overrides(config, args.config_overrides)
    if args.init_from:
        return load_encoder(args.init_from, config)
    if folder is None:
        return model_class(config)
    return model_class.from_pretrained(folder, config=config, ignore_mismatched_sizes=True)


def load_encoder(folder: str, config, model_class=SpikingPointEncoderForSemanticSegmentation):
    """A ``model_class`` model (by default the segmentation model) of ``config`` whose encoder comes from the
    checkpoint ``folder``; its head (decoder and classifier, detection heads, ...) is new. Raises ValueError naming the
    tensors when the encoder does not fit (other than the first convolution's input channels)."""
    model, info = model_class.from_pretrained(
        folder, config=config, ignore_mismatched_sizes=True, output_loading_info=True
    )
    mismatched = sorted(str(entry[0] if isinstance(entry, tuple) else entry) for entry in info["mismatched_keys"])
    missing = sorted(key for key in info["missing_keys"] if key.startswith("point_encoder."))
    refused = [key for key in mismatched + missing if key != STEM_INPUT_PARAMETER]
    if refused:
        raise ValueError(
            f"--init_from {folder}: its encoder does not fit the model's ({len(refused)} tensors missing or of other "
            f"shapes, e.g. {refused[:5]}); give --model_name_or_path / --config_overrides the checkpoint's encoder "
            "architecture (stem_channels, encoder_channels, encoder_depths)"
        )
    if mismatched:
        logger.info(f"--init_from {folder}: the encoder's first convolution reads other input channels; it starts anew")
    return model


# ---- evaluation ----------------------------------------------------------------------------------------------------


def metric_names(class_names: list[str]) -> list[str]:
    """Class names as metric-key suffixes (``iou_traffic_cone``)."""
    return [name.replace(" ", "_").replace("-", "_") for name in class_names]


def summary_metrics(metric: SegmentationMetric) -> dict:
    """The metric's result without the per-class array, NaN (a class absent from labels and predictions) as None."""
    result = metric.compute()
    del result["per_class_iou"]
    return {key: None if isinstance(value, float) and math.isnan(value) else value for key, value in result.items()}


def batch_metrics(class_names: list[str]) -> Callable:
    """A ``compute_metrics`` for ``batch_eval_metrics``: one confusion matrix over the evaluation split."""
    metric = SegmentationMetric(len(class_names), SEGMENTATION_IGNORE_INDEX, metric_names(class_names))

    def compute_metrics(prediction, compute_result: bool = False) -> dict:
        labels = torch.as_tensor(prediction.label_ids)
        # Distributed evaluation pads clouds to a common size with Trainer's -100: no points, like ignored ones.
        metric.update(prediction.predictions, labels.masked_fill(labels == -100, SEGMENTATION_IGNORE_INDEX))
        if not compute_result:
            return {}
        result = summary_metrics(metric)
        metric.reset()
        return result

    return compute_metrics


def predicted_ids(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """``preprocess_logits_for_metrics``: the class of each point, so that no logits are kept."""
    return logits.argmax(dim=-1)


@torch.no_grad()
def energy_per_scan(model, dataset: ScanSegmentationDataset, num_scans: int) -> dict:
    """The SNN's estimated energy per scan (mean over the first scans) beside the same network run densely (all
    MACs, its ANN twin's compute), in mJ."""
    totals = {"energy_mj_per_scan": 0.0, "dense_energy_mj_per_scan": 0.0, "mean_firing_rate": 0.0}
    count = min(num_scans, len(dataset))
    for index in range(count):
        points = dataset[index]["point_values"].unsqueeze(0).to(model.device, model.dtype)
        report = estimate_energy(model, {"point_values": points})
        totals["energy_mj_per_scan"] += report.total_energy_mj / count
        totals["dense_energy_mj_per_scan"] += report.dense_energy_mj / count
        totals["mean_firing_rate"] += (report.mean_firing_rate or 0.0) / count
    return totals


# ---- the non-learned baseline --------------------------------------------------------------------------------------


def height_above_ground(xyz: np.ndarray, iterations: int = 3, band: float = 0.25) -> np.ndarray:
    """Height of every point above a ground plane ``z = a x + b y + c`` fitted by least squares to the lowest 30 % of
    the points, then refitted to the points within ``band`` metres of the plane."""
    design = np.c_[xyz[:, :2], np.ones(len(xyz))]
    inliers = xyz[:, 2] <= np.percentile(xyz[:, 2], 30)
    for _ in range(iterations):
        coefficients = np.linalg.lstsq(design[inliers], xyz[inliers, 2], rcond=None)[0]
        height = xyz[:, 2] - design @ coefficients
        if (np.abs(height) < band).sum() >= 3:
            inliers = np.abs(height) < band
    return height


class HeightCentroidBaseline:
    """A non-learned reference segmenter: per-point features, nearest class centroid.

    Features of a point: its height above the fitted ground plane (:func:`height_above_ground`), the largest such
    height in its ``cell_size`` bird's-eye-view cell (tall structures vs ground and low objects), and its intensity;
    each standardised by the training points' mean and spread. :meth:`fit` stores each class's mean feature vector;
    :meth:`predict` gives every point the class of the nearest one (classes without training points never win).
    """

    def __init__(self, num_classes: int, cell_size: float = 0.5):
        self.num_classes, self.cell_size = num_classes, cell_size
        self.mean = self.scale = self.centroids = None

    def features(self, points: np.ndarray) -> np.ndarray:
        height = height_above_ground(points[:, :3].astype(np.float64))
        _, cell = np.unique(np.floor(points[:, :2] / self.cell_size).astype(np.int64), axis=0, return_inverse=True)
        cell = cell.reshape(-1)
        tallest = np.full(cell.max() + 1, -np.inf)
        np.maximum.at(tallest, cell, height)
        return np.stack([height, tallest[cell], points[:, 3].astype(np.float64)], axis=1)

    def fit(self, scans) -> HeightCentroidBaseline:
        """``scans``: ``(points, labels)`` pairs; labels outside ``[0, num_classes)`` (ignored points) are skipped."""
        sums, counts, features_seen = np.zeros((self.num_classes, 3)), np.zeros(self.num_classes), []
        for points, labels in scans:
            features = self.features(points)
            keep = (labels >= 0) & (labels < self.num_classes)
            np.add.at(sums, labels[keep], features[keep])
            counts += np.bincount(labels[keep], minlength=self.num_classes)
            features_seen.append(features[keep])
        features_seen = np.concatenate(features_seen)
        self.mean, self.scale = features_seen.mean(axis=0), features_seen.std(axis=0) + 1e-6
        with np.errstate(invalid="ignore", divide="ignore"):
            self.centroids = (sums / counts[:, None] - self.mean) / self.scale  # NaN rows: classes never seen
        return self

    def predict(self, points: np.ndarray) -> np.ndarray:
        features = (self.features(points) - self.mean) / self.scale
        distances = ((features[:, None, :] - self.centroids[None]) ** 2).sum(axis=-1)
        return np.argmin(np.where(np.isnan(distances), np.inf, distances), axis=1)


def evaluate_baseline(baseline: HeightCentroidBaseline, source: ScanSource, class_names: list[str]) -> dict:
    metric = SegmentationMetric(len(class_names), SEGMENTATION_IGNORE_INDEX, metric_names(class_names))
    for index in tqdm(range(source.length), desc="baseline evaluation"):
        points, labels = source.load(index)
        metric.update(baseline.predict(points), labels)
    return summary_metrics(metric) | {"num_scans": source.length}


# ---- the job -------------------------------------------------------------------------------------------------------


def finetune(args: FinetunePointSegmentationArguments, training_args: TrainingArguments) -> dict:
    """Trains (``--do_train``) and evaluates on validation (and test with ``--do_predict``), or evaluates the baseline
    (``--baseline``); writes ``results.json``, the trained model and, after a test evaluation, its card
    (:func:`write_model_card`) into ``--output_dir``."""
    set_seed(training_args.seed)  # before the model is built: identical runs give identical weights
    class_names, sources = load_sources(args, training_args.do_predict)
    output = Path(training_args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    results = {"args": asdict(args), "seed": training_args.seed, "class_names": class_names}
    if args.baseline:
        model = None  # nothing is learned: results.json, no card
        train = sources["train"]
        scans = (train.load(index) for index in range(min(args.baseline_scans, train.length)))
        baseline = HeightCentroidBaseline(len(class_names)).fit(scans)
        for split in ("validation", "test"):
            if split in sources:
                results[f"baseline_{split}"] = evaluate_baseline(baseline, sources[split], class_names)
                logger.info(f"baseline, {split}: mIoU {format_percent(results[f'baseline_{split}']['miou'])}")
    else:
        model = build_model(args, class_names, in_channels=4)  # both data sets: x, y, z, intensity (remission)
        results.update(train_and_evaluate(args, training_args, model, class_names, sources))
    save_results(results, output, model, write_model_card)
    return results


def save_results(results: dict, output: Path, model, write_card) -> None:
    """``results.json`` of a LiDAR job's run and, after a test evaluation, its card: ``write_card(model, results,
    output)`` reads the results as saved, as a later call on ``results.json`` does, so both give the same card."""
    saved = json.dumps(results, indent=2, default=str)
    (output / "results.json").write_text(saved)
    if "test" in results:
        write_card(model, json.loads(saved), output)


def train_and_evaluate(args, training_args: TrainingArguments, model, class_names: list[str], sources: dict) -> dict:
    splits = {split: ScanSegmentationDataset(source, args.num_points, split == "train")
              for split, source in sources.items()}
    logger.info(f"{args.dataset}: {len(splits['train'])} training, {len(splits['validation'])} validation scans, "
                f"{len(class_names)} classes; model {model.num_parameters() / 1e6:.2f} M parameters")
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=splits["train"],
        eval_dataset=splits["validation"],
        data_collator=collate_scans,
        compute_metrics=batch_metrics(class_names),
        preprocess_logits_for_metrics=predicted_ids,
    )
    results = {}
    if training_args.do_train:
        resume = training_args.resume_from_checkpoint
        if resume == "latest":
            resume = get_last_checkpoint(training_args.output_dir)
        train_result = trainer.train(resume_from_checkpoint=resume)
        results["train"] = train_result.metrics | {"resumed_from_checkpoint": resume}
        trainer.save_model()
    results["validation"] = trainer.evaluate(metric_key_prefix="validation")
    logger.info(f"validation: mIoU {format_percent(results['validation'].get('validation_miou'))}")
    if "test" in splits:
        results["test"] = trainer.evaluate(splits["test"], metric_key_prefix="test")
        logger.info(f"test: mIoU {format_percent(results['test'].get('test_miou'))}")
    results["energy"] = energy_per_scan(trainer.model, splits["validation"], args.energy_scans)
    return results


def format_percent(value) -> str:
    """A 0-1 metric as "12.34%", or "n/a" when the metric is missing."""
    return "n/a" if value is None else f"{100 * value:.2f}%"


# ---- the model card ------------------------------------------------------------------------------------------------

# --dataset -> (dataset name, model-index dataset type).
DATASET_NAMES = {"synthetic-scenes": ("synthetic LiDAR street scenes", "synthetic-scenes"),
                 "semantickitti": ("SemanticKITTI", "semantickitti")}


def write_model_card(model, results: dict, output_dir) -> None:
    """``README.md`` of the trained segmenter, from the loaded ``model`` and its run's ``results.json`` (a run with
    ``--do_predict``): test mIoU and overall accuracy (the model-index) with the per-class IoU, validation metrics, the
    energy per scan beside the same network run densely, the data's origin, the training metrics and the arguments."""
    args, test, validation = results["args"], results["test"], results["validation"]
    name, dataset_type = DATASET_NAMES[args["dataset"]]
    common = {"task_type": "point-cloud-segmentation", "dataset_type": dataset_type, "dataset_name": name,
              "dataset_split": "test"}
    metrics = (("mean_iou", "mIoU", "test_miou"), ("accuracy", "overall accuracy", "test_overall_accuracy"))
    eval_results = [{**common, "metric_type": metric_type, "metric_name": metric_name,
                     "metric_value": round(100 * test[key], 2)}
                    for metric_type, metric_name, key in metrics if test.get(key) is not None]
    per_class = "\n".join(f"| {label} | {format_percent(test.get(f'test_iou_{key}'))} |"
                           for label, key in zip(results["class_names"], metric_names(results["class_names"])))
    if args["dataset"] == "synthetic-scenes":
        data = synthetic_scenes_data(args)
    else:
        data = (f"SemanticKITTI (CC BY-NC-SA 3.0; not redistributed), sequences {args['sequences']} for training, "
                f"{args['eval_sequences']} for validation and {args['test_sequences']} for test")
    metrics_markdown = (
        f"Test mIoU **{format_percent(test.get('test_miou'))}**, overall accuracy "
        f"{format_percent(test.get('test_overall_accuracy'))} (every point of every test scan, one confusion matrix; "
        f"the test split was evaluated once, at the end of the run); validation mIoU "
        f"{format_percent(validation.get('validation_miou'))}, overall accuracy "
        f"{format_percent(validation.get('validation_overall_accuracy'))}.\n\n"
        f"<details><summary>Per-class test IoU</summary>\n\n| class | IoU |\n|---|---|\n{per_class}\n\n</details>"
    )
    description = lidar_card_description(model, results, "finetune-point-segmentation", metrics_markdown, data)
    card = create_model_card(model, eval_results, model_name=Path(output_dir).name, model_description=description,
                             tags=["lidar", "svl"])
    card.save(Path(output_dir) / "README.md")


def synthetic_scenes_data(args: dict) -> str:
    """The origin and the splits of a run on the generated scenes, for its model card."""
    return (f"LiDAR street scenes generated by hf_spiking.data.synthetic_scenes (docs/synthetic_scenes.md), seeded; "
            f"no real data: the first {args['num_train_scenes']} scenes of the training split and the first "
            f"{args['num_eval_scenes']} of the validation and of the test split (scene seed {args['scene_seed']}, "
            f"LiDAR column step {args['azimuth_step_degrees']} degrees)")


def lidar_card_description(model, results: dict, command: str, metrics_markdown: str, data: str) -> str:
    """The model-card description of a LiDAR job's run (the segmentation and the detection job): the model and its
    initialisation, ``metrics_markdown`` (the job's test and validation metrics), the estimated energy per scan beside
    the same network run densely, ``data`` (origin, terms and splits), the training metrics and the arguments."""
    args, energy = results["args"], results["energy"]
    source = args["model_name_or_path"]
    origin = (f"the preset `{source}` (random weights)" if source in list_models()
              else f"the model folder `{source}`")
    if args["init_from"]:
        origin += f", with the encoder of `{args['init_from']}`"
    if "train" in results:
        training = (f"Training metrics of the run's last `Trainer.train` call (runtime in seconds): "
                    f"`{json.dumps(results['train'])}`")
    else:
        training = "No training in this run: the model was evaluated as loaded."
    costs = ENERGY_PRESETS["fp32"]  # energy_per_scan's estimate_energy runs with the default costs
    return (
        f"`{type(model).__name__}` from `hf-spiking {command}` (arguments below), starting from {origin}.\n\n"
        f"{metrics_markdown}\n\n"
        f"Estimated energy: **{energy['energy_mj_per_scan']:.4g} mJ per scan**, against "
        f"{energy['dense_energy_mj_per_scan']:.4g} mJ for the same network run densely (every MAC: its ANN twin's "
        f"compute); `hf_spiking.estimate_energy`, measured convention, fp32 costs (E_MAC = {costs.e_mac} pJ, E_AC = "
        f"{costs.e_ac} pJ, 45 nm), mean over (at most) the first {args['energy_scans']} validation scans.\n\n"
        f"Data: {data}.\n\n{training}\n\n"
        f"Arguments (`results.json`, seed {results['seed']}):\n\n```json\n{json.dumps(args, indent=1)}\n```"
    )


def parse_arguments(argv: list[str] | None = None) -> tuple[FinetunePointSegmentationArguments, TrainingArguments]:
    parser = HfArgumentParser((FinetunePointSegmentationArguments, TrainingArguments))
    parser.set_defaults(**RECIPE_DEFAULTS)
    return parser.parse_args_into_dataclasses(args=argv)


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking finetune-point-segmentation`` / ``scripts/finetune_point_segmentation.py``."""
    show_info_logs()
    finetune(*parse_arguments(argv))
    return 0


__all__ = [
    "DATASETS",
    "FinetunePointSegmentationArguments",
    "HeightCentroidBaseline",
    "ScanSegmentationDataset",
    "ScanSource",
    "augment_scan",
    "build_model",
    "collate_scans",
    "energy_per_scan",
    "finetune",
    "height_above_ground",
    "load_encoder",
    "load_sources",
    "pad_scan",
    "save_results",
    "write_model_card",
]


if __name__ == "__main__":
    raise SystemExit(main())
