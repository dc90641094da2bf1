"""Train E-3DSNN as the sparse backbone of a CenterPoint-style LiDAR 3D detector with ``Trainer``
(``hf-spiking finetune-point-detection``).

The model (:class:`~hf_spiking.SpikingPointEncoderForObjectDetection`) comes from a preset (random weights, default
``svl-e3dsnn-det-t``) or a saved detection folder; ``--init_from`` then loads the encoder of an E-3DSNN checkpoint
(encoder, pre-training or classification folder) into it, the BEV neck and heads staying new (only the first
convolution may differ in input channels, e.g. an xyz + rgb SVL encoder on x, y, z, intensity scans).

Data (``--dataset``), never downloaded:
    synthetic-scenes  the generated LiDAR street scenes (``docs/synthetic_scenes.md``; car, person, bicycle, traffic
                      cone), generated on the fly and cached by ``datasets`` (``--cache_dir``): scenes
                      0..``--num_train_scenes``-1 of train, ``--num_eval_scenes`` of validation (and, with
                      ``--do_predict``, of test). ``--azimuth_step_degrees`` coarsens the sensor for quick runs.
    kitti             ``--data_dir <root>`` holding the released ``training/{velodyne,label_2,calib}`` folders; Car,
                      Pedestrian, Cyclist (Van and Person_sitting are ignored for Car and Pedestrian, as the KITTI
                      benchmark does); the points in the camera's field of view (the labelled region); a seeded
                      ``--validation_fraction`` of the frames is held out for validation.

Ground-truth boxes with fewer than ``--min_points_in_box`` LiDAR points get no training target and are ignored by the
evaluation (neither missed nor matched), as are boxes whose centre lies outside the model's point-cloud range. Scans
are cropped to that range and randomly subsampled to ``--max_points`` (0 keeps every point); training scans are
augmented by a global rotation about z (U(-``--rotation_degrees``, +)), a flip of y (p = 0.5) and an isotropic scaling
U(0.95, 1.05), applied to the points and the boxes alike. Evaluation reports BEV and 3D average precision with 40
recall points (:func:`hf_spiking.metrics.detection.evaluate_detection`) at IoU 0.7 for cars and 0.5 for the other
classes, plus the estimated energy of the SNN per scan beside the same network run densely. ``--resume_from_checkpoint
latest`` continues from the newest checkpoint in ``--output_dir``. Everything is written to
``<output_dir>/results.json``; a run that evaluated the test split (synthetic scenes only) also writes the model card,
``<output_dir>/README.md`` (:func:`write_model_card`).

``--baseline`` trains nothing: it evaluates :func:`cluster_baseline_detections`, a non-learned reference (ground
removal by height above a fitted ground plane, Euclidean clustering, minimum-area oriented boxes, class by box size),
on the same splits with the same metrics.

Measured on the 2-core CPU alone (2 threads, ``svl-e3dsnn-det-t``, batch 2, the default 32,768 points per scan): a
training step takes about 0.84 s (data loading included); evaluating a scan about 0.4 s; generating a scene 0.3-2 s
(once: ``datasets`` caches it; ``--num_proc 2`` halves it). The defaults (1,000 steps on 500 scenes, 50 validation
scenes every 250 steps) took 22 minutes with the slower sparse path of the time (1.2 s per step); results of the
chained runs so far are in ``model_cards/svl-e3dsnn-det-synthetic.md``:

    hf-spiking finetune-point-detection --dataset synthetic-scenes --output_dir runs/det-synthetic --do_train \
        --do_predict --num_proc 2
"""

from __future__ import annotations

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
from ..data.kitti import (
    camera_boxes_to_lidar,
    kitti_objects_to_arrays,
    read_kitti_calibration,
    read_kitti_labels,
    read_semantickitti_scan,
)
from ..hub import create_model_card
from ..metrics.detection import KITTI_IOU_THRESHOLDS, evaluate_detection
from ..models.spiking_point_encoder.modeling_spiking_point_encoder import SpikingPointEncoderForObjectDetection
from ..registry import apply_config_overrides, get_config, list_models
from .finetune_point_segmentation import (
    energy_per_scan,
    format_percent,
    height_above_ground,
    lidar_card_description,
    load_encoder,
    save_results,
    synthetic_scenes_data,
)

logger = logging.get_logger(__name__)

DATASETS = ("synthetic-scenes", "kitti")
SYNTHETIC_IOU_THRESHOLDS = {"car": 0.7, "person": 0.5, "bicycle": 0.5, "traffic cone": 0.5}
KITTI_CLASS_NAMES = ("Car", "Pedestrian", "Cyclist")
# Types the KITTI benchmark neither rewards nor penalises when detected as the class they resemble.
KITTI_IGNORED_TYPES = {"Van": "Car", "Person_sitting": "Pedestrian"}
KITTI_POINT_CLOUD_RANGE = (0.0, -40.0, -3.0, 70.4, 40.0, 1.0)  # the usual KITTI range: in front of the car
KITTI_IMAGE_SIZE = (1242, 375)  # width, height of most KITTI frames: the labelled field of view
RECIPE_DEFAULTS = {
    "learning_rate": 2e-3,
    "weight_decay": 0.01,
    "lr_scheduler_type": "cosine",
    "warmup_steps": 0.05,  # a float below 1 is a ratio of the total steps
    "max_grad_norm": 35.0,  # CenterPoint's clip: the early focal loss has large gradients
    "per_device_train_batch_size": 2,
    "per_device_eval_batch_size": 2,
    "max_steps": 1000,
    "eval_strategy": "steps",
    "eval_steps": 250,
    "save_strategy": "steps",
    "save_steps": 250,
    "save_total_limit": 2,
    "load_best_model_at_end": True,
    "metric_for_best_model": "bev_map",
    "logging_steps": 10,
    "report_to": "none",
    "remove_unused_columns": False,
}


@dataclass
class FinetunePointDetectionArguments:
    dataset: str = field(metadata={"choices": DATASETS})
    model_name_or_path: str = field(
        default="svl-e3dsnn-det-t", metadata={"help": "detection preset (random weights) or a saved detection folder"}
    )
    init_from: str | None = field(
        default=None, metadata={"help": "E-3DSNN checkpoint folder whose encoder initialises the model's encoder"}
    )
    config_overrides: str = field(
        default="", metadata={"help": "architecture changes as 'key=value,key=value' (e.g. 'voxel_size=0.2')"}
    )
    point_cloud_range: list[float] | None = field(
        default=None,
        metadata={"help": "x_min y_min z_min x_max y_max z_max in metres (default: the preset's for synthetic-scenes, "
                          f"{' '.join(map(str, KITTI_POINT_CLOUD_RANGE))} for kitti)"},
    )
    max_points: int = field(default=32_768, metadata={"help": "points per scan after range cropping (0: every point)"})
    min_points_in_box: int = field(
        default=1, metadata={"help": "boxes with fewer LiDAR points get no target and are ignored by the evaluation"}
    )
    rotation_degrees: float = field(default=45.0, metadata={"help": "training rotation about z: U(-r, r) degrees"})
    augment: bool = field(default=True, metadata={"help": "augment training scans (rotation, flip, scaling)"})
    num_train_scenes: int = field(default=500, metadata={"help": "synthetic-scenes: training scenes"})
    num_eval_scenes: int = field(default=50, metadata={"help": "synthetic-scenes: validation (and test) scenes"})
    scene_seed: int = field(default=0, metadata={"help": "synthetic-scenes: base seed of the scene streams"})
    azimuth_step_degrees: float = field(
        default=0.2, metadata={"help": "synthetic-scenes: LiDAR column step (0.2 is the benchmark; coarser for tests)"}
    )
    cache_dir: str | None = field(default=None, metadata={"help": "synthetic-scenes: datasets cache folder"})
    num_proc: int | None = field(default=None, metadata={"help": "synthetic-scenes: processes generating scenes"})
    data_dir: str | None = field(default=None, metadata={"help": "kitti: the root holding training/"})
    validation_fraction: float = field(default=0.1, metadata={"help": "kitti: seeded share of frames for validation"})
    score_threshold: float = field(default=0.05, metadata={"help": "evaluation: lowest score kept before NMS"})
    nms_iou: float = field(default=0.1, metadata={"help": "evaluation: rotated BEV IoU suppressed by NMS per class"})
    baseline: bool = field(default=False, metadata={"help": "evaluate the non-learned clustering baseline instead"})
    energy_scans: int = field(default=2, metadata={"help": "validation scans the energy estimate averages over"})

    def __post_init__(self):
        for name in ("max_points", "min_points_in_box"):
            if getattr(self, name) < 0:
                raise ValueError(f"--{name} must be 0 or a positive count, got {getattr(self, name)}")
        for name in ("num_train_scenes", "num_eval_scenes", "energy_scans"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be a positive integer, got {getattr(self, name)}")
        if not 0 <= self.rotation_degrees <= 180:
            raise ValueError(f"--rotation_degrees must lie in [0, 180], got {self.rotation_degrees}")
        for name in ("score_threshold", "nms_iou"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"--{name} must lie in [0, 1], got {getattr(self, name)}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"--validation_fraction must lie in (0, 1), got {self.validation_fraction}")
        if self.point_cloud_range is not None and len(self.point_cloud_range) != 6:
            raise ValueError(
                "--point_cloud_range must be six numbers x_min y_min z_min x_max y_max z_max, got "
                f"{list(self.point_cloud_range)}"
            )
        if self.dataset == "kitti" and not self.data_dir:
            raise ValueError("--dataset kitti needs --data_dir <root> (the folder holding training/)")


# ---- data ----------------------------------------------------------------------------------------------------------


@dataclass
class LidarFrame:
    """One labelled scan: ``points [N, 4]`` float32 (x, y, z, intensity; LiDAR frame, metres), ``boxes [M, 7]``
    (x, y, z, l, w, h, yaw), ``class_labels [M]`` and ``ignore [M]`` (boxes that neither train nor count)."""

    points: np.ndarray
    boxes: np.ndarray
    class_labels: np.ndarray
    ignore: np.ndarray


@dataclass
class FrameSource:
    """Random access to the frames of one split."""

    load: Callable[[int], LidarFrame]
    length: int


def synthetic_scene_source(args: FinetunePointDetectionArguments, split: str, num_scenes: int) -> FrameSource:
    from ..data.synthetic_scenes import LidarConfig, load_synthetic_scenes

    lidar = LidarConfig(azimuth_step_degrees=args.azimuth_step_degrees)
    scenes = load_synthetic_scenes(split, num_scenes, args.scene_seed, lidar=lidar, cache_dir=args.cache_dir,
                                   num_proc=args.num_proc)
    scenes = scenes.select_columns(["points", "boxes", "class_labels", "num_points_in_box"]).with_format("numpy")

    def load(index: int) -> LidarFrame:
        row = scenes[index]
        boxes = row["boxes"].astype(np.float64).reshape(-1, 7)
        return LidarFrame(row["points"].astype(np.float32), boxes, row["class_labels"].astype(np.int64),
                          row["num_points_in_box"] < args.min_points_in_box)

    return FrameSource(load, len(scenes))


def points_in_boxes(points: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """How many of ``points [N, >=3]`` lie inside each box ``[M, 7]`` (x, y, z centre, l, w, h, yaw)."""
    counts = np.zeros(len(boxes), dtype=np.int64)
    for index, (x, y, z, length, width, height, yaw) in enumerate(boxes):
        offset = points[:, :3] - np.array([x, y, z])
        along = offset[:, 0] * math.cos(yaw) + offset[:, 1] * math.sin(yaw)
        across = -offset[:, 0] * math.sin(yaw) + offset[:, 1] * math.cos(yaw)
        inside = (np.abs(along) <= length / 2) & (np.abs(across) <= width / 2) & (np.abs(offset[:, 2]) <= height / 2)
        counts[index] = int(inside.sum())
    return counts


def kitti_field_of_view(points: np.ndarray, calibration) -> np.ndarray:
    """Mask of the points that project into the left colour camera's image (:data:`KITTI_IMAGE_SIZE`), the only
    region KITTI labels."""
    camera = calibration.lidar_to_camera(points[:, :3])
    projected = np.c_[camera, np.ones(len(camera))] @ calibration.p2[:3].T
    depth = projected[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        u, v = projected[:, 0] / depth, projected[:, 1] / depth
    width, height = KITTI_IMAGE_SIZE
    return (depth > 0) & (u >= 0) & (u < width) & (v >= 0) & (v < height)


def read_kitti_frame(root: Path, frame_id: str, min_points_in_box: int) -> LidarFrame:
    """Points in the camera's field of view, and the LiDAR boxes of the Car, Pedestrian and Cyclist labels (plus the
    ignored Van and Person_sitting ones, and boxes with fewer than ``min_points_in_box`` points, marked ``ignore``)."""
    calibration = read_kitti_calibration(root / "calib" / f"{frame_id}.txt")
    points = read_semantickitti_scan(root / "velodyne" / f"{frame_id}.bin")
    points = points[kitti_field_of_view(points, calibration)]
    wanted = {name: name for name in KITTI_CLASS_NAMES} | KITTI_IGNORED_TYPES
    objects = [obj for obj in read_kitti_labels(root / "label_2" / f"{frame_id}.txt") if obj.type in wanted]
    arrays = kitti_objects_to_arrays(objects)
    boxes = camera_boxes_to_lidar(arrays["locations"], arrays["dimensions"], arrays["rotation_y"], calibration)
    labels = np.array([KITTI_CLASS_NAMES.index(wanted[obj.type]) for obj in objects], dtype=np.int64)
    ignore = np.array([obj.type in KITTI_IGNORED_TYPES for obj in objects], dtype=bool)
    ignore |= points_in_boxes(points, boxes) < min_points_in_box
    return LidarFrame(points, boxes, labels, ignore)


def kitti_sources(args: FinetunePointDetectionArguments, seed: int) -> dict[str, FrameSource]:
    """Training and validation frames of ``<data_dir>/training``: a seeded split of the frame ids."""
    root = Path(args.data_dir) / "training"
    folders = [root / name for name in ("velodyne", "label_2", "calib")]
    missing = [str(folder) for folder in folders if not folder.is_dir()]
    if missing:
        raise ValueError(f"--data_dir {args.data_dir}: missing KITTI folders {missing} (expected training/velodyne, "
                         "training/label_2, training/calib)")
    frame_ids = sorted(path.stem for path in folders[0].glob("*.bin"))
    if len(frame_ids) < 2:
        raise ValueError(f"--data_dir {args.data_dir}: found {len(frame_ids)} scans in {folders[0]}, need at least 2")
    order = np.random.default_rng(seed).permutation(len(frame_ids))
    held_out = max(1, round(args.validation_fraction * len(frame_ids)))
    splits = {"train": sorted(order[held_out:]), "validation": sorted(order[:held_out])}

    def source(indices: list[int]) -> FrameSource:
        return FrameSource(lambda index: read_kitti_frame(root, frame_ids[indices[index]], args.min_points_in_box),
                           len(indices))

    return {split: source(indices) for split, indices in splits.items()}


def load_sources(args: FinetunePointDetectionArguments, do_predict: bool, seed: int) -> tuple[list[str], dict, dict]:
    """The class names, their evaluation IoU thresholds and the frame sources of the splits (``test`` only with
    ``do_predict``)."""
    if args.dataset == "synthetic-scenes":
        from ..data.synthetic_scenes import DETECTION_CLASSES

        sizes = {"train": args.num_train_scenes, "validation": args.num_eval_scenes}
        if do_predict:
            sizes["test"] = args.num_eval_scenes
        sources = {split: synthetic_scene_source(args, split, count) for split, count in sizes.items()}
        return list(DETECTION_CLASSES), SYNTHETIC_IOU_THRESHOLDS, sources
    if do_predict:
        raise ValueError("--do_predict needs a labelled test split; KITTI's testing/ has no labels (use validation)")
    return list(KITTI_CLASS_NAMES), KITTI_IOU_THRESHOLDS, kitti_sources(args, seed)


def augment_frame(points: np.ndarray, boxes: np.ndarray, rng: np.random.Generator, rotation_degrees: float):
    """A flip of y (p = 0.5), a rotation about z by U(-r, r) degrees and an isotropic scaling U(0.95, 1.05), applied
    to the points' xyz and to the boxes (centres, sizes and yaw, wrapped to [-pi, pi))."""
    points, boxes = points.copy(), boxes.copy()
    if rng.random() < 0.5:
        points[:, 1] *= -1
        boxes[:, 1] *= -1
        boxes[:, 6] *= -1
    angle = math.radians(rng.uniform(-rotation_degrees, rotation_degrees))
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    points[:, :2] = points[:, :2] @ rotation.T.astype(points.dtype)
    boxes[:, :2] = boxes[:, :2] @ rotation.T
    boxes[:, 6] = np.mod(boxes[:, 6] + angle + math.pi, 2 * math.pi) - math.pi
    scale = rng.uniform(0.95, 1.05)
    points[:, :3] *= np.float32(scale)
    boxes[:, :6] *= scale
    return points, boxes


def in_range(xyz: np.ndarray, point_cloud_range) -> np.ndarray:
    """Mask of the rows of ``xyz [N, 3]`` inside ``[min, max)`` of the range, the model's own crop."""
    low, high = np.asarray(point_cloud_range[:3]), np.asarray(point_cloud_range[3:])
    return ((xyz >= low) & (xyz < high)).all(axis=1)


class DetectionDataset(torch.utils.data.Dataset):
    """Items of a :class:`FrameSource`: ``point_values [n, 4]`` (cropped to the range, at most ``max_points``) and
    ``labels`` ``{"boxes", "class_labels"}`` (the boxes that train); evaluation items add ``ground_truth`` (every box,
    with ``ignore`` also set for centres outside the range). Training items are augmented."""

    def __init__(self, source: FrameSource, point_cloud_range, max_points: int, train: bool, augment: bool = True,
                 rotation_degrees: float = 45.0, seed: int = 0):
        self.source, self.point_cloud_range, self.max_points = source, tuple(point_cloud_range), max_points
        self.train, self.augment, self.rotation_degrees, self.seed = train, augment, rotation_degrees, seed

    def __len__(self) -> int:
        return self.source.length

    def __getitem__(self, item: int) -> dict:
        frame = self.source.load(item)
        # Training draws fresh randomness per access from torch's generator (seeded by set_seed, and per DataLoader
        # worker); evaluation subsamples the same points every time (seeded by the item).
        rng = np.random.default_rng(int(torch.randint(0, 2**62, ())) if self.train else [self.seed, item])
        points, boxes = frame.points, frame.boxes
        if self.train and self.augment:
            points, boxes = augment_frame(points, boxes, rng, self.rotation_degrees)
        points = points[in_range(points[:, :3], self.point_cloud_range)]
        if self.max_points and len(points) > self.max_points:
            points = points[np.sort(rng.choice(len(points), self.max_points, replace=False))]
        keep = ~frame.ignore
        item_dict = {
            "point_values": torch.from_numpy(np.ascontiguousarray(points, dtype=np.float32)),
            "labels": {"boxes": torch.from_numpy(boxes[keep].astype(np.float32)),
                       "class_labels": torch.from_numpy(frame.class_labels[keep])},
        }
        if not self.train:
            ignore = frame.ignore | ~in_range(boxes[:, :3], self.point_cloud_range)
            item_dict["ground_truth"] = {"boxes": boxes, "class_labels": frame.class_labels, "ignore": ignore}
        return item_dict


def collate_detection_batch(items: list[dict]) -> dict:
    """``point_values [B, n_max, C]`` zero-padded with ``point_mask [B, n_max]`` (True for real points) and
    ``labels``, the list of per-scan box dicts (the DETR convention: boxes are never stacked)."""
    size = max(len(item["point_values"]) for item in items)
    channels = items[0]["point_values"].shape[1]
    point_values = torch.zeros(len(items), size, channels)
    point_mask = torch.zeros(len(items), size, dtype=torch.bool)
    for row, item in enumerate(items):
        count = len(item["point_values"])
        point_values[row, :count] = item["point_values"]
        point_mask[row, :count] = True
    return {"point_values": point_values, "point_mask": point_mask, "labels": [item["labels"] for item in items]}


# ---- model ---------------------------------------------------------------------------------------------------------


def build_model(args: FinetunePointDetectionArguments, class_names: list[str], point_cloud_range) -> tuple:
    """The detector (a preset's or a folder's architecture, the data set's classes and range; folder weights kept
    except heads of another class set), then the encoder of ``--init_from``; and the range it uses."""
    labels = {"id2label": dict(enumerate(class_names)), "label2id": {name: i for i, name in enumerate(class_names)}}
    model_class = SpikingPointEncoderForObjectDetection
    if args.model_name_or_path in list_models():
        config = get_config(args.model_name_or_path, in_channels=4, **labels)
        folder = None
    else:
        folder = Path(args.model_name_or_path)
        if not (folder / "config.json").is_file():
            raise ValueError(
                f"--model_name_or_path {folder} is neither a preset ({', '.join(list_models('svl-e3dsnn-det-*'))}) "
                "nor a model folder"
            )
        config = model_class.config_class.from_pretrained(folder)
        config.id2label, config.label2id = labels["id2label"], labels["label2id"]  # num_labels follows id2label
    if point_cloud_range is not None:
        config.detection_point_cloud_range = tuple(float(value) for value in point_cloud_range)
    # The point budget per scan travels in the config (dummy inputs, `hf-spiking energy`).
    config.num_points = args.max_points or config.num_points
    if args.config_overrides:
        apply_config_overrides(config, args.config_overrides)
    config.validate()
    if args.init_from:
        return load_encoder(args.init_from, config, model_class)
    if folder is None:
        return model_class(config)
    return model_class.from_pretrained(folder, config=config, ignore_mismatched_sizes=True)


# ---- evaluation ----------------------------------------------------------------------------------------------------


@dataclass
class DetectionEvaluation:
    """How a split is scored: its classes, their IoU thresholds, the batch size and the post-processing."""

    class_names: list[str]
    iou_thresholds: dict[str, float]
    batch_size: int
    score_threshold: float
    nms_iou: float


@torch.no_grad()
def evaluate_detector(model, dataset: DetectionDataset, evaluation: DetectionEvaluation) -> dict:
    """BEV and 3D R40 AP per class and their means (:func:`evaluate_detection`), the mean loss and the detections
    per scan of ``model`` on ``dataset``."""
    model.eval()
    predictions, truths, loss_sum = [], [], 0.0
    for start in tqdm(range(0, len(dataset), evaluation.batch_size), desc="detection evaluation", leave=False):
        items = [dataset[index] for index in range(start, min(start + evaluation.batch_size, len(dataset)))]
        batch = collate_detection_batch(items)
        outputs = model(point_values=batch["point_values"].to(model.device, model.dtype),
                        point_mask=batch["point_mask"].to(model.device), labels=batch["labels"])
        loss_sum += float(outputs.loss) * len(items)
        detections = model.post_process_object_detection(outputs, evaluation.score_threshold, evaluation.nms_iou)
        predictions += [{key: value.cpu().numpy() for key, value in found.items()} for found in detections]
        truths += [item["ground_truth"] for item in items]
    metrics = score_detections(predictions, truths, evaluation)
    return metrics | {"loss": loss_sum / len(dataset)}


def score_detections(predictions: list[dict], truths: list[dict], evaluation: DetectionEvaluation) -> dict:
    """:func:`evaluate_detection` of per-scan predictions, NaN (a class without counted boxes) as None, plus the
    number of scans and the mean number of detections per scan."""
    metrics = evaluate_detection(predictions, truths, evaluation.class_names, evaluation.iou_thresholds)
    metrics = {key.replace(" ", "_"): None if math.isnan(value) else value for key, value in metrics.items()}
    detections = sum(len(found["scores"]) for found in predictions) / max(len(predictions), 1)
    return metrics | {"num_scans": len(predictions), "detections_per_scan": detections}


class DetectionTrainer(Trainer):
    """``Trainer`` whose evaluation decodes boxes and scores them with :func:`evaluate_detector` (the generic loop
    would concatenate the per-scan box lists), so ``eval_strategy`` and ``metric_for_best_model="bev_map"`` work."""

    def __init__(self, *args, evaluation: DetectionEvaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval") -> dict:
        dataset = self.eval_dataset if eval_dataset is None else eval_dataset
        metrics = evaluate_detector(self.model, dataset, self.evaluation)
        metrics = {f"{metric_key_prefix}_{key}": value for key, value in metrics.items()}
        self.log({key: value for key, value in metrics.items() if value is not None})
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


# ---- the non-learned baseline --------------------------------------------------------------------------------------

# (length, width, height) ranges in metres of each class's clusters: partial views included (a car seen from one
# side is short and narrow), classes tried in this order. Synonyms map KITTI's class names onto them.
SIZE_PRIORS = {
    "car": ((2.5, 6.0), (1.0, 2.6), (1.0, 2.2)),
    "person": ((0.1, 1.2), (0.1, 1.0), (1.2, 2.1)),
    "bicycle": ((1.0, 2.2), (0.1, 1.1), (0.6, 1.6)),
    "traffic cone": ((0.05, 0.8), (0.05, 0.8), (0.25, 1.0)),
}
CLASS_SYNONYMS = {"pedestrian": "person", "cyclist": "bicycle"}


def euclidean_clusters(xy: np.ndarray, tolerance: float) -> np.ndarray:
    """Cluster index of every point ``xy [N, 2]``: the connected components of the occupied ``tolerance``-sized BEV
    cells under 8-neighbourhood. Any two points closer than ``tolerance`` share a cluster (their cells touch), as
    Euclidean clustering with that tolerance requires; chains through touching cells may join slightly farther ones."""
    cells = np.floor(xy / tolerance).astype(np.int64)
    cells -= cells.min(axis=0)
    width = int(cells[:, 1].max()) + 3
    keys = (cells[:, 0] + 1) * width + cells[:, 1] + 1  # a margin of one cell, so neighbour keys never wrap
    cell_keys, point_cell = np.unique(keys, return_inverse=True)
    sources, targets = [], []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            neighbour = cell_keys + dx * width + dy
            position = np.clip(np.searchsorted(cell_keys, neighbour), 0, len(cell_keys) - 1)
            found = cell_keys[position] == neighbour
            sources.append(np.flatnonzero(found))
            targets.append(position[found])
    sources, targets = np.concatenate(sources), np.concatenate(targets)
    labels = np.arange(len(cell_keys))
    while True:  # minimum-label propagation with pointer jumping: each pass at least halves the label distances
        updated = labels.copy()
        np.minimum.at(updated, sources, labels[targets])
        updated = updated[updated]
        if np.array_equal(updated, labels):
            break
        labels = updated
    return np.unique(labels, return_inverse=True)[1].reshape(-1)[point_cell]


def minimum_area_rectangle(xy: np.ndarray) -> tuple[float, float, float, float, float]:
    """``(centre x, centre y, length, width, yaw)`` of the smallest rectangle around ``xy [N, 2]`` (N >= 1): one of
    its sides lies on an edge of the convex hull, so every hull-edge direction is tried; ``length`` is the longer
    side and ``yaw`` its direction."""
    angles = [0.0]
    if len(xy) >= 3:
        order = np.lexsort((xy[:, 1], xy[:, 0]))
        hull = _convex_hull(xy[order])
        edges = np.roll(hull, -1, axis=0) - hull
        angles = np.arctan2(edges[:, 1], edges[:, 0]) % (np.pi / 2)
    best = None
    for angle in np.unique(np.round(angles, 9)):
        axis_u, axis_v = np.array([math.cos(angle), math.sin(angle)]), np.array([-math.sin(angle), math.cos(angle)])
        u, v = xy @ axis_u, xy @ axis_v
        area = (u.max() - u.min()) * (v.max() - v.min())
        if best is None or area < best[0]:
            best = (area, angle, u, v, axis_u, axis_v)
    _, angle, u, v, axis_u, axis_v = best
    centre = axis_u * (u.max() + u.min()) / 2 + axis_v * (v.max() + v.min()) / 2
    extent_u, extent_v = u.max() - u.min(), v.max() - v.min()
    if extent_v > extent_u:
        extent_u, extent_v, angle = extent_v, extent_u, angle + math.pi / 2
    yaw = (angle + math.pi / 2) % math.pi - math.pi / 2  # a rectangle's heading is defined up to pi
    return float(centre[0]), float(centre[1]), float(extent_u), float(extent_v), float(yaw)


def _convex_hull(xy: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain on points sorted by (x, y): the hull's vertices counter-clockwise."""

    def half(points):
        chain = []
        for point in points:
            while len(chain) >= 2 and _cross(chain[-1] - chain[-2], point - chain[-2]) <= 0:
                chain.pop()
            chain.append(point)
        return chain[:-1]

    hull = half(xy) + half(xy[::-1])
    return np.array(hull) if len(hull) >= 2 else xy[:1]


def _cross(u: np.ndarray, v: np.ndarray) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def classify_box_size(length: float, width: float, height: float, class_names: list[str]) -> int | None:
    """Index in ``class_names`` of the first class whose :data:`SIZE_PRIORS` hold the box's sizes, else None."""
    for name, ((l_low, l_high), (w_low, w_high), (h_low, h_high)) in SIZE_PRIORS.items():
        if l_low <= length <= l_high and w_low <= width <= w_high and h_low <= height <= h_high:
            for index, class_name in enumerate(class_names):
                if CLASS_SYNONYMS.get(class_name.lower(), class_name.lower()) == name:
                    return index
    return None


def cluster_baseline_detections(
    points: np.ndarray, class_names: list[str], ground_clearance: float = 0.2, max_height: float = 2.5,
    tolerance: float = 0.4, min_cluster_points: int = 5,
) -> dict[str, np.ndarray]:
    """A non-learned detector: ``{"boxes" [K, 7], "scores" [K], "labels" [K]}`` for one scan ``points [N, >=3]``.

    Ground removal by height: points between ``ground_clearance`` and ``max_height`` metres above a ground plane
    fitted to the scan (:func:`height_above_ground`) are kept. Euclidean clustering in the bird's-eye view
    (:func:`euclidean_clusters`), an oriented box per cluster of ``min_cluster_points`` or more (the minimum-area
    rectangle of its points, from the ground up to its highest point), a class by box size (:func:`classify_box_size`;
    clusters fitting no class are dropped) and a score growing with the point count, ``n / (n + 20)``; sorted by
    decreasing score.
    """
    xyz = points[:, :3].astype(np.float64)
    height = height_above_ground(xyz) if len(xyz) >= 3 else np.zeros(len(xyz))
    keep = (height > ground_clearance) & (height < max_height)
    xyz, height = xyz[keep], height[keep]
    found = {"boxes": np.zeros((0, 7)), "scores": np.zeros(0), "labels": np.zeros(0, dtype=np.int64)}
    if not len(xyz):
        return found
    boxes, scores, labels = [], [], []
    # No box of any class has a longer diagonal, which bounds each side of its axis-aligned extent: clusters spreading
    # farther (walls, hedges) are dropped before fitting.
    longest = max(math.hypot(length[1], width[1]) for length, width, _ in SIZE_PRIORS.values())
    clusters = euclidean_clusters(xyz[:, :2], tolerance)
    for cluster in range(int(clusters.max()) + 1):
        members = clusters == cluster
        count = int(members.sum())
        spread = xyz[members, :2].max(axis=0) - xyz[members, :2].min(axis=0)
        if count < min_cluster_points or spread.max() > longest:
            continue
        x, y, length, width, yaw = minimum_area_rectangle(xyz[members, :2])
        top = xyz[members, 2].max()
        box_height = height[members].max()  # from the ground under the object to its top
        label = classify_box_size(length, width, box_height, class_names)
        if label is None:
            continue
        boxes.append([x, y, top - box_height / 2, length, width, box_height, yaw])
        scores.append(count / (count + 20))
        labels.append(label)
    if boxes:
        order = np.argsort(-np.array(scores), kind="stable")
        found = {"boxes": np.array(boxes)[order], "scores": np.array(scores)[order],
                 "labels": np.array(labels, dtype=np.int64)[order]}
    return found


def evaluate_baseline(source: FrameSource, evaluation: DetectionEvaluation, point_cloud_range) -> dict:
    """The clustering baseline on every frame of ``source``, cropped to the range as the model sees it."""
    dataset = DetectionDataset(source, point_cloud_range, max_points=0, train=False)
    predictions, truths = [], []
    for index in tqdm(range(len(dataset)), desc="baseline evaluation"):
        item = dataset[index]
        predictions.append(cluster_baseline_detections(item["point_values"].numpy(), evaluation.class_names))
        truths.append(item["ground_truth"])
    return score_detections(predictions, truths, evaluation)


# ---- the job -------------------------------------------------------------------------------------------------------


def finetune(args: FinetunePointDetectionArguments, training_args: TrainingArguments) -> dict:
    """Trains (``--do_train``) and evaluates on validation (and test with ``--do_predict``), or evaluates the baseline
    (``--baseline``); writes ``results.json``, the trained model and, after a test evaluation, its card
    (:func:`write_model_card`) into ``--output_dir``."""
    set_seed(training_args.seed)  # before the model is built: identical runs give identical weights
    class_names, iou_thresholds, sources = load_sources(args, training_args.do_predict, training_args.seed)
    default_range = KITTI_POINT_CLOUD_RANGE if args.dataset == "kitti" else None
    model = build_model(args, class_names, args.point_cloud_range or default_range)
    point_cloud_range = model.config.detection_point_cloud_range
    evaluation = DetectionEvaluation(class_names, iou_thresholds, training_args.per_device_eval_batch_size,
                                     args.score_threshold, args.nms_iou)
    output = Path(training_args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    results = {"args": asdict(args), "seed": training_args.seed, "class_names": class_names,
               "point_cloud_range": list(point_cloud_range)}
    if args.baseline:
        for split in ("validation", "test"):
            if split in sources:
                results[f"baseline_{split}"] = evaluate_baseline(sources[split], evaluation, point_cloud_range)
                logger.info(f"baseline, {split}: {_summary(results[f'baseline_{split}'])}")
    else:
        results.update(train_and_evaluate(args, training_args, model, sources, evaluation))
    save_results(results, output, model, write_model_card)
    return results


def train_and_evaluate(args, training_args: TrainingArguments, model, sources: dict,
                       evaluation: DetectionEvaluation) -> dict:
    point_cloud_range = model.config.detection_point_cloud_range
    splits = {
        split: DetectionDataset(source, point_cloud_range, args.max_points, split == "train", args.augment,
                                args.rotation_degrees, training_args.seed)
        for split, source in sources.items()
    }
    logger.info(f"{args.dataset}: {len(splits['train'])} training, {len(splits['validation'])} validation scans, "
                f"classes {evaluation.class_names}; model {model.num_parameters() / 1e6:.2f} M parameters, BEV grid "
                f"{model.grid.bev_shape} of {model.grid.cell_size:g} m cells")
    trainer = DetectionTrainer(
        model=model,
        args=training_args,
        train_dataset=splits["train"],
        eval_dataset=splits["validation"],
        data_collator=collate_detection_batch,
        evaluation=evaluation,
    )
    results = {}
    if training_args.do_train:
        resume = training_args.resume_from_checkpoint
        if resume == "latest":
            resume = get_last_checkpoint(training_args.output_dir)
        results["train"] = trainer.train(resume_from_checkpoint=resume).metrics
        trainer.save_model()
    results["validation"] = trainer.evaluate(metric_key_prefix="validation")
    logger.info(f"validation: {_summary(results['validation'], 'validation_')}")
    if "test" in splits:
        results["test"] = trainer.evaluate(splits["test"], metric_key_prefix="test")
        logger.info(f"test: {_summary(results['test'], 'test_')}")
    results["energy"] = energy_per_scan(trainer.model, splits["validation"], args.energy_scans)
    return results


def _summary(metrics: dict, prefix: str = "") -> str:
    bev, box = metrics.get(prefix + "bev_map"), metrics.get(prefix + "3d_map")
    return (f"BEV mAP {format_percent(bev)}, 3D mAP {format_percent(box)} "
            f"({metrics.get(prefix + 'num_scans')} scans)")


def write_model_card(model, results: dict, output_dir) -> None:
    """``README.md`` of the trained detector, from the loaded ``model`` and its run's ``results.json`` (a run with
    ``--do_predict``, which only the synthetic scenes have: KITTI's testing/ has no labels): car BEV and 3D AP at IoU
    0.7 on the test split (the model-index) with every class's AP, validation metrics, the energy per scan beside the
    same network run densely, the data's origin, the training metrics and the arguments."""
    test = results["test"]

    def average_precision(kind: str, name: str):
        return test.get(f"test_{kind}_ap_{name.replace(' ', '_')}_{SYNTHETIC_IOU_THRESHOLDS[name]:g}")

    car_bev, car_3d = average_precision("bev", "car"), average_precision("3d", "car")
    common = {"task_type": "3d-object-detection", "dataset_type": "synthetic-scenes",
              "dataset_name": "synthetic LiDAR street scenes", "dataset_split": "test"}
    eval_results = [{**common, "metric_type": metric_type, "metric_name": f"car {label} AP@0.7 (R40)",
                     "metric_value": round(100 * value, 2)}
                    for metric_type, label, value in (("bev_ap", "BEV", car_bev), ("3d_ap", "3D", car_3d))
                    if value is not None]
    table = "\n".join(
        f"| {name} | {SYNTHETIC_IOU_THRESHOLDS[name]:g} | {format_percent(average_precision('bev', name))} | "
        f"{format_percent(average_precision('3d', name))} |" for name in results["class_names"]
    )
    metrics_markdown = (
        f"Test car BEV AP@0.7 **{format_percent(car_bev)}**, car 3D AP@0.7 **{format_percent(car_3d)}** (R40 average "
        f"precision; {test['test_num_scans']} scans, the test split evaluated once at the end of the run); over the "
        f"classes (IoU 0.7 for cars, 0.5 for the others) BEV mAP {format_percent(test.get('test_bev_map'))}, 3D mAP "
        f"{format_percent(test.get('test_3d_map'))}. Validation: {_summary(results['validation'], 'validation_')}."
        f"\n\n| class | IoU threshold | test BEV AP | test 3D AP |\n|---|---|---|---|\n{table}"
    )
    description = lidar_card_description(model, results, "finetune-point-detection", metrics_markdown,
                                         synthetic_scenes_data(results["args"]))
    card = create_model_card(model, eval_results, model_name=Path(output_dir).name, model_description=description,
                             tags=["lidar", "svl"])
    card.save(Path(output_dir) / "README.md")


def parse_arguments(argv: list[str] | None = None) -> tuple[FinetunePointDetectionArguments, TrainingArguments]:
    parser = HfArgumentParser((FinetunePointDetectionArguments, TrainingArguments))
    parser.set_defaults(**RECIPE_DEFAULTS)
    return parser.parse_args_into_dataclasses(args=argv)


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking finetune-point-detection`` / ``scripts/finetune_point_detection.py``."""
    show_info_logs()
    finetune(*parse_arguments(argv))
    return 0


__all__ = [
    "DATASETS",
    "DetectionDataset",
    "DetectionEvaluation",
    "DetectionTrainer",
    "FinetunePointDetectionArguments",
    "FrameSource",
    "LidarFrame",
    "augment_frame",
    "build_model",
    "classify_box_size",
    "cluster_baseline_detections",
    "collate_detection_batch",
    "euclidean_clusters",
    "evaluate_baseline",
    "evaluate_detector",
    "finetune",
    "load_sources",
    "minimum_area_rectangle",
    "points_in_boxes",
    "read_kitti_frame",
    "write_model_card",
]


if __name__ == "__main__":
    raise SystemExit(main())
