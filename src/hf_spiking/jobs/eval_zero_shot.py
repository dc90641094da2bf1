"""Zero-shot 3D classification of an SVL checkpoint by class-name prompts: top-1 / top-5 / mean per-class accuracy.

Datasets (``--dataset``):
    synthetic              the test split of hf_spiking.data.synthetic_shapes (its first release's 28 categories)
    modelnet40             ModelNet40 as released: ``--data_dir <root>/<class>/{train,test}/*.off``
    modelnet40-npy         ModelNet40 as pre-sampled clouds: ``--data_dir <root>/<class>/{train,test}/*.npy`` (the
                           stored points are used as they are)
    openshape-modelnet40   OpenShape's ``<meta_data>/modelnet40/{test_split.json, test_pc.npy}``
    openshape-lvis         OpenShape's ``<meta_data>/split/lvis.json`` + per-object ``.npy``
    openshape-scanobjectnn OpenShape's ``<meta_data>/scanobjectnn/xyz_label.npy``
The OpenShape files are pickled: pass ``--allow_pickle`` only for files you trust.

``--split train`` (ModelNet40 only) is the *validation* use of ModelNet40: scoring finished recipes and checkpoints
to choose among them, never training on it. The result file says so (``"split_use": "validation"``) and so does the
log; the test split (the default) is for the one final evaluation of a released model. The other datasets have no
train split to read and refuse ``--split train``.

Class embeddings: the text teacher's features of every prompt template filled with the class name, each mapped by
the checkpoint's ``text_proj`` and L2-normalised, averaged over the templates and normalised again (CLIP's prompt
ensembling, :func:`~hf_spiking.models.spiking_point_encoder.modeling_spiking_point_encoder.prompt_ensemble_embeddings`).
A Rep-VLI folded checkpoint scores its stored classes when they are the dataset's classes, without a text encoder.

    hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --dataset synthetic \
        --num_per_category 40 --energy --output results.json

Besides top-1 / top-5 / mean per-class accuracy, the metrics hold each class's top-1 accuracy and sample count
(``per_class``) and the confusion matrix of top-1 predictions (``confusion_matrix``, counts, rows = true class, columns
= predicted, both in ``class_names`` order); ``--confusion_plot`` draws it row-normalised. ``--training_categories``
names the synthetic corpus categories the checkpoint was trained on and splits the accuracy between the evaluation
classes they cover and those they do not (the honest open-vocabulary figure):

    hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --dataset modelnet40-npy \
        --data_dir ModelNet40 --training_categories all --confusion_plot modelnet40_confusion.png \
        --output modelnet40.json

The svl-default model card (``--model_card PATHS``, with ``--compare_ann`` and ``--energy``) states the recipe that
the checkpoint's ``training_summary.json`` records (``pretrain-svl --fold_to`` copies it next to the folded model) and
the commands that reproduce it. ``--modelnet40_results ROLE=PATH ...`` adds a ModelNet40 section from results that
``--dataset modelnet40-npy --output PATH`` wrote: ``snn`` (the new default), ``ann`` (its ANN twin) and ``previous``
(the previous default) on the test split, ``validation`` (repeatable) on the train split. ``--confusion_plot`` then
draws the ``snn`` result's confusion matrix, which the card shows by its file name and which is copied next to every
card path (the card and its figure travel together):

    hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --compare_ann runs/ann --energy \
        --modelnet40_results snn=modelnet40_snn.json ann=modelnet40_ann.json previous=modelnet40_previous.json \
        --confusion_plot model_cards/svl-default_modelnet40_confusion.png \
        --model_card model_cards/svl-default.md src/hf_spiking/assets/svl-default/README.md

Every flag is also accepted with dashes (``--num-per-category``), as the former ``scripts/eval_zero_shot.py`` spelled
them. The metrics are logged (``hf_spiking.jobs.eval_zero_shot`` logger, level INFO) and written to ``--output``.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import shlex
import shutil
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from transformers import HfArgumentParser
from transformers.utils import logging

from ..console import show_info_logs
from ..data.point_clouds import MAX_POINTS_PER_ITEM
from ..data.synthetic_shapes.realism import RealismConfig
from ..models.spiking_point_encoder.configuration_spiking_point_encoder import MAX_NUM_POINTS
from ..models.spiking_point_encoder.zero_shot import class_prompt_features, load_text_teacher, zero_shot_logits
from ..plotting import agg_pyplot, require_matplotlib

logger = logging.get_logger(__name__)

DATASETS = (
    "synthetic",
    "modelnet40",
    "modelnet40-npy",
    "openshape-modelnet40",
    "openshape-lvis",
    "openshape-scanobjectnn",
)
# The datasets read from a train / test folder layout; the others are evaluation sets only.
DATASETS_WITH_SPLITS = ("modelnet40", "modelnet40-npy")
# --training_categories values that stand for a set of corpus categories.
CATEGORY_SETS = ("all", "first_release")


@dataclass
class EvalZeroShotArguments:
    checkpoint: str = field(metadata={"help": "folder of a saved SVL model (pretraining or zero-shot)"})
    dataset: str = field(default="synthetic", metadata={"choices": DATASETS})
    data_dir: str | None = field(default=None, metadata={"help": "dataset root (ModelNet40) or OpenShape meta_data folder"})
    split: str = field(
        default="test",
        metadata={"choices": ("train", "test"), "help": "ModelNet40 split (modelnet40, modelnet40-npy); train is "
                  "the validation use: choosing among finished recipes and checkpoints"},
    )
    allow_pickle: bool = field(default=False, metadata={"help": "trust OpenShape's pickled .npy files"})
    num_per_category: int = field(default=40, metadata={"help": "synthetic test instances per category"})
    source_points: int = field(default=8192, metadata={"help": "points read or sampled per source cloud"})
    num_points: int = field(default=512, metadata={"help": "model input points (no preprocessor config)"})
    templates: list[str] | None = field(
        default=None, metadata={"help": "prompt templates with '{}' (default: the checkpoint's)"}
    )
    text_teacher: str | None = field(
        default=None, metadata={"help": "text teacher name/folder (default: all-MiniLM-L6-v2 package)"}
    )
    batch_size: int = 32
    limit: int | None = field(default=None, metadata={"help": "evaluate only the first N clouds"})
    seed: int = 0
    energy: bool = field(default=False, metadata={"help": "add estimate_energy of the encoder (per cloud)"})
    threads: int = 2
    output: str | None = field(default=None, metadata={"help": "write the metrics as JSON here"})
    predictions: str | None = field(
        default=None,
        metadata={
            "help": "append each batch's logits to this JSON-lines file as it is scored, and skip the batches it "
            "already holds when rerun (resume after a crash); default with --output: <output>.<checkpoint>.jsonl"
        },
    )
    compare_ann: str | None = field(
        default=None, metadata={"help": "also evaluate this ANN-twin checkpoint (same data) and compare"}
    )
    model_card: list[str] | None = field(
        default=None,
        metadata={"help": "with --compare_ann and --energy: write the svl-default model card here (recipe and "
                  "reproduce commands from --checkpoint's training_summary.json when it has one)"},
    )
    modelnet40_results: list[str] | None = field(
        default=None,
        metadata={
            "help": "with --model_card: ROLE=PATH results of `eval-zero-shot --dataset modelnet40-npy --output PATH` "
            "for the card's ModelNet40 section. ROLE: snn (the new default, test split; required), ann (its ANN twin, "
            "test split), previous (the previous default, test split), validation (repeatable: a validation-use run "
            "on the train split)"
        },
    )
    confusion_plot: str | None = field(
        default=None,
        metadata={
            "help": "write a PNG of --checkpoint's row-normalised confusion matrix here (needs matplotlib); with "
            "--model_card and --modelnet40_results: the snn result's ModelNet40 matrix, which the card shows by its "
            "file name and which is copied next to every card path"
        },
    )
    training_categories: list[str] | None = field(
        default=None,
        metadata={
            "help": "synthetic corpus categories the checkpoint was trained on ('all': every one, 'first_release': "
            "the first 28, those of the first svl-default): adds accuracy over the evaluation classes they cover "
            "and over those they do not. Covered means equal names after lower-casing and removing spaces, "
            "underscores and hyphens (flower_pot = flowerpot), nothing looser (cone is not traffic cone). With "
            "--dataset synthetic: the categories of the synthetic test split (default: the first release's 28)"
        },
    )
    realism: str | None = field(
        default=None,
        metadata={"help": "--dataset synthetic: JSON dict of RealismConfig fields, the scan-like realism the "
                  "checkpoint was trained with (pretrain-svl --realism); default: the clean clouds"},
    )
    training_category_names: list[str] | None = field(init=False, default=None)
    realism_config: RealismConfig | None = field(init=False, default=None)
    modelnet40_result_paths: list[tuple[str, str]] = field(init=False, default_factory=list)

    def __post_init__(self):
        for name, most in (("source_points", MAX_POINTS_PER_ITEM), ("num_points", MAX_NUM_POINTS),
                           ("num_per_category", None), ("batch_size", None), ("threads", None)):
            value = getattr(self, name)
            if value < 1 or (most is not None and value > most):
                raise ValueError(f"--{name} must be an integer in [1, {most or 'inf'}], got {value}.")
        if self.training_categories is not None:
            self.training_category_names = resolve_training_categories(self.training_categories)
        from .pretrain_svl import parse_realism  # that module imports this one

        self.realism_config = parse_realism(self.realism)
        if self.modelnet40_results is not None:
            self.modelnet40_result_paths = parse_modelnet40_results(self.modelnet40_results)

    def check_model_folders(self) -> None:
        """Refuses a --checkpoint / --compare_ann that is not a saved model folder (checked when the job runs, so
        that documented commands parse anywhere)."""
        for name in ("checkpoint", "compare_ann"):
            folder = getattr(self, name)
            if folder is not None and not (Path(folder) / "config.json").is_file():
                raise ValueError(f"--{name} {folder!r} is not a saved model folder (no config.json there).")


def resolve_training_categories(values: list[str]) -> list[str]:
    """``--training_categories``: the synthetic corpus categories named, with ``all`` standing for every one and
    ``first_release`` for the first release's 28 (duplicates dropped, first mention first).

    A name that is not a corpus category is refused (a ValueError naming the flag, the value, close matches and a few
    valid names) rather than skipped: a typo would silently count a covered class as not covered.
    """
    from ..data.synthetic_shapes import category_names, first_release_categories

    known = category_names()
    sets = {"all": known, "first_release": first_release_categories()}
    names = []
    for value in values:
        if value in sets:
            names.extend(sets[value])
        elif value in known:
            names.append(value)
        else:
            close = difflib.get_close_matches(value, known, n=3)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            raise ValueError(
                f"--training_categories {value!r} is not a synthetic corpus category; {hint}expected corpus category "
                f"names ({', '.join(map(repr, known[:5]))}, ... {len(known)} in all: "
                f"hf_spiking.data.synthetic_shapes.category_names()) or one of {', '.join(CATEGORY_SETS)}."
            )
    return list(dict.fromkeys(names))


def normalized_class_name(name: str) -> str:
    """``name`` lower-cased without spaces, underscores and hyphens: "flower_pot", "Flower pot" -> "flowerpot"."""
    return name.lower().replace(" ", "").replace("_", "").replace("-", "")


def _ranked_classes(logits: torch.Tensor) -> torch.Tensor:
    """The five (at most) best classes of each row, best first: every metric reads this one ranking, so that ties
    break the same way for the overall top-1 and the confusion matrix."""
    return logits.topk(min(5, logits.shape[1]), dim=1).indices


def accuracy_metrics(logits: torch.Tensor, labels: torch.Tensor, num_classes: int) -> dict:
    """Top-1 / top-5 overall accuracy and the mean of per-class top-1 accuracies (classes present only), in %."""
    if logits.shape[0] != labels.shape[0] or logits.shape[0] == 0:
        raise ValueError(f"Need one row of logits per label, got {tuple(logits.shape)} and {tuple(labels.shape)}.")
    ranked = _ranked_classes(logits)
    top1 = ranked[:, 0] == labels
    top5 = (ranked == labels[:, None]).any(1)
    per_class = [top1[labels == c].float().mean().item() for c in range(num_classes) if (labels == c).any()]
    return {
        "top1": 100 * top1.float().mean().item(),
        "top5": 100 * top5.float().mean().item(),
        "mean_per_class": 100 * float(np.mean(per_class)),
        "num_samples": int(labels.shape[0]),
        "num_classes": int(num_classes),
    }


def per_class_metrics(logits: torch.Tensor, labels: torch.Tensor, class_names: list[str]) -> dict:
    """``class_names`` (label order), ``per_class`` (name -> top-1 accuracy in % and sample ``count``, classes present
    only) and ``confusion_matrix`` (top-1 prediction counts, rows = true class, columns = predicted, label order)."""
    num_classes = len(class_names)
    if logits.shape != (labels.shape[0], num_classes) or labels.shape[0] == 0:
        raise ValueError(
            f"Need one row of logits per label and one column per class name, got {tuple(logits.shape)}, "
            f"{tuple(labels.shape)} and {num_classes} names."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"Labels must index the {num_classes} class names, got labels in "
                         f"[{int(labels.min())}, {int(labels.max())}].")
    predicted = _ranked_classes(logits)[:, 0]
    confusion = torch.bincount(labels * num_classes + predicted, minlength=num_classes**2).view(num_classes, -1)
    counts, correct = confusion.sum(1), confusion.diagonal()
    per_class = {
        name: {"top1": 100 * int(correct[c]) / int(counts[c]), "count": int(counts[c])}
        for c, name in enumerate(class_names) if counts[c] > 0
    }
    return {"class_names": list(class_names), "per_class": per_class, "confusion_matrix": confusion.tolist()}


def _group_accuracy(confusion: np.ndarray, classes: list[int]) -> dict:
    """Top-1 and mean per-class accuracy (%) over the samples whose true class is one of ``classes`` (predictions
    among all classes), their count and the number of those classes present; None accuracies when none is present."""
    counts, correct = confusion.sum(1)[classes], confusion.diagonal()[classes]
    present = counts > 0
    num_samples = int(counts.sum())
    return {
        "top1": 100 * float(correct.sum()) / num_samples if num_samples else None,
        "mean_per_class": 100 * float(np.mean(correct[present] / counts[present])) if num_samples else None,
        "num_samples": num_samples,
        "num_classes_present": int(present.sum()),
    }


def coverage_metrics(confusion_matrix: list[list[int]], class_names: list[str], training_categories: list[str]) -> dict:
    """Accuracy over the evaluation classes that ``training_categories`` cover and over those they do not.

    A class is covered when its :func:`normalized_class_name` equals that of a training category (exact equality:
    "flower_pot" is covered by "flowerpot", "cone" is not covered by "traffic cone"). The uncovered figure is the
    open-vocabulary one: classes the checkpoint only knows from the text alignment.
    """
    trained = {normalized_class_name(name) for name in training_categories}
    covered = [c for c, name in enumerate(class_names) if normalized_class_name(name) in trained]
    uncovered = [c for c in range(len(class_names)) if c not in covered]
    confusion = np.asarray(confusion_matrix)
    return {
        "training_categories": list(training_categories),
        "covered_classes": [class_names[c] for c in covered],
        "uncovered_classes": [class_names[c] for c in uncovered],
        "covered": _group_accuracy(confusion, covered),
        "uncovered": _group_accuracy(confusion, uncovered),
    }


def plot_confusion_matrix(metrics: dict, path: str | Path) -> None:
    """Writes a PNG of the row-normalised confusion matrix in ``metrics`` (from :func:`evaluate_checkpoint`): each
    row is the share of that true class's clouds given each predicted class; the title names the checkpoint, dataset,
    split and top-1 accuracy."""
    plt = agg_pyplot()
    confusion = np.asarray(metrics["confusion_matrix"], dtype=float)
    rows = confusion.sum(1, keepdims=True)
    shares = np.divide(confusion, rows, out=np.zeros_like(confusion), where=rows > 0)  # absent classes: empty rows
    names = metrics["class_names"]
    # About 0.25 inch per class (room for an 8-point label at 40 classes), capped so that thousand-class sets stay
    # a drawable image; the labels shrink with the cells.
    side = float(np.clip(4 + 0.25 * len(names), 6, 32))
    font_size = float(np.clip(40 * (side - 4) / len(names), 1, 8))
    figure, axis = plt.subplots(figsize=(side, side), dpi=100)
    image = axis.imshow(shares, cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    axis.set_xticks(np.arange(len(names)), names, rotation=90, fontsize=font_size)
    axis.set_yticks(np.arange(len(names)), names, fontsize=font_size)
    axis.set_xlabel("predicted class")
    axis.set_ylabel("true class")
    axis.set_title(
        f"{Path(metrics['checkpoint']).name} zero-shot on {metrics['dataset']} ({metrics['split']} split): "
        f"top-1 {metrics['top1']:.1f}%, {metrics['num_samples']} clouds"
    )
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.02, label="share of the true class's clouds")
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    plt.close(figure)


@functools.lru_cache(maxsize=2)  # the SNN and its ANN twin are scored on the same clouds
def synthetic_test_set(
    num_per_category: int,
    num_points: int,
    seed: int = 0,
    split: str = "test",
    categories: tuple[str, ...] | None = None,
    realism=None,
):
    """(clouds float32 [M, num_points, 6], labels [M] indexing the names, class names) of a split of the synthetic
    corpus, over ``categories`` (default: the first release's 28), with the scan-like
    ``realism`` (a frozen, hashable :class:`~hf_spiking.data.synthetic_shapes.realism.RealismConfig`) if given."""
    from ..data.synthetic_shapes import first_release_categories, iter_split

    names = list(categories) if categories else first_release_categories()
    rows = iter_split(split, num_per_category=num_per_category, seed=seed, num_points=num_points, with_images=False,
                      categories=names, realism=realism)
    rows = list(logging.tqdm(rows, desc=f"generating synthetic {split} clouds", unit="cloud"))
    labels = np.array([names.index(r["category"]) for r in rows])
    return np.stack([r["points"] for r in rows]), labels, names


def load_eval_dataset(args: EvalZeroShotArguments):
    """(sequence of (points, label), class names as prompt words) for ``args.dataset``."""
    from ..data import modelnet, openshape

    if args.split != "test" and args.dataset not in DATASETS_WITH_SPLITS:
        raise ValueError(
            f"--split {args.split} applies to {' and '.join(DATASETS_WITH_SPLITS)} only; --dataset {args.dataset} is "
            "an evaluation set, read whole."
        )
    if args.dataset == "synthetic":
        # The test split of the categories the checkpoint was trained on, as scan-like as its training clouds.
        categories = tuple(args.training_category_names) if args.training_category_names else None
        clouds, labels, names = synthetic_test_set(args.num_per_category, args.source_points, args.seed,
                                                   categories=categories, realism=args.realism_config)
        return list(zip(clouds, labels.tolist())), names
    if args.data_dir is None:
        raise ValueError(f"--dataset {args.dataset} needs --data_dir.")
    if args.dataset == "modelnet40":
        dataset = modelnet.load_modelnet40_off(args.data_dir, args.split, num_points=args.source_points, seed=args.seed)
    elif args.dataset == "modelnet40-npy":
        dataset = modelnet.load_modelnet40_npy(args.data_dir, args.split, seed=args.seed)
    else:
        loader = {
            "openshape-modelnet40": openshape.load_openshape_modelnet40,
            "openshape-lvis": openshape.load_openshape_objaverse_lvis,
            "openshape-scanobjectnn": openshape.load_openshape_scanobjectnn,
        }[args.dataset]
        dataset = loader(args.data_dir, num_points=args.source_points, allow_pickle=args.allow_pickle, seed=args.seed)
    return dataset, dataset.prompt_names


class PredictionLog:
    """Per-batch logits appended to a JSON-lines file, so that a rerun resumes where a crashed run stopped.

    The first line describes the run (checkpoint, dataset, classes, batch size, ...); a file written by another run
    is started afresh (with a warning), never mixed in. A partly written last line (a crash while writing) is ignored.
    """

    def __init__(self, path: str | Path, run: dict):
        self.path = Path(path)
        self.done: dict[int, tuple[torch.Tensor, list[int]]] = {}
        lines = self.path.read_text().splitlines() if self.path.is_file() else []
        if lines and lines[0] != json.dumps(run):
            logger.warning(f"{self.path} holds another run's predictions ({lines[0][:200]}); starting afresh.")
            lines = []
        kept = [json.dumps(run)]
        for line in lines[1:]:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                break
            self.done[row["start"]] = (torch.tensor(row["logits"]), row["labels"])
            kept.append(line)
        # Rewritten without a torn last line, so that appends start on a fresh line.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("\n".join(kept) + "\n")

    def append(self, start: int, logits: torch.Tensor, labels: list[int]) -> None:
        row = {"start": start, "logits": logits.tolist(), "labels": list(labels)}
        with open(self.path, "a") as handle:
            handle.write(json.dumps(row) + "\n")


def _predictions_path(args: EvalZeroShotArguments) -> Path | None:
    if args.predictions is not None:
        return Path(args.predictions)
    if args.output is None:
        return None
    output = Path(args.output)
    return output.with_name(f"{output.stem}.{Path(args.checkpoint).resolve().name}.jsonl")


def split_use(split: str) -> str:
    """What reading ``split`` is for: ``validation`` (the train split: choosing among finished recipes and
    checkpoints) or ``test`` (the final evaluation of a released model)."""
    return "validation" if split == "train" else "test"


def evaluate_checkpoint(args: EvalZeroShotArguments) -> dict:
    """Zero-shot metrics of ``args.checkpoint`` on ``args.dataset`` (plus its energy estimate with ``args.energy``)."""
    from ..models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification, SpikingPointFeatureExtractor

    checkpoint = Path(args.checkpoint)
    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(checkpoint).eval()
    if (checkpoint / "preprocessor_config.json").is_file():
        feature_extractor = SpikingPointFeatureExtractor.from_pretrained(checkpoint)
    else:
        feature_extractor = SpikingPointFeatureExtractor(num_points=args.num_points, sampling="random")
    dataset, class_names = load_eval_dataset(args)
    if args.limit:
        dataset = [dataset[i] for i in range(min(args.limit, len(dataset)))]
    templates = tuple(args.templates) if args.templates else model.config.prompt_templates

    stored = [model.config.id2label[i] for i in range(model.config.num_labels)] if model.config.rep_vli_fold else []
    use_folded = bool(stored) and all(name in stored for name in class_names)
    if use_folded:
        class_features = None
    else:
        text_encoder, tokenizer = load_text_teacher(args.text_teacher)
        class_features = class_prompt_features(class_names, templates, text_encoder, tokenizer)

    started = time.perf_counter()
    predictions_path = _predictions_path(args)
    run = {"checkpoint": str(checkpoint.resolve()), "dataset": args.dataset, "data_dir": args.data_dir,
           "split": args.split, "num_samples": len(dataset), "classes": list(class_names),
           "templates": list(templates), "batch_size": args.batch_size, "seed": args.seed}
    log = PredictionLog(predictions_path, run) if predictions_path is not None else None
    done = log.done if log is not None else {}
    if done:
        logger.info(f"Resuming from {predictions_path}: {len(done)} batches already scored.")
    all_logits, labels = [], []
    starts = range(0, len(dataset), args.batch_size)
    for start in logging.tqdm(starts, desc=f"zero-shot {checkpoint.name} on {args.dataset}", unit="batch"):
        if start in done:
            logits, batch_labels = done[start]
        else:
            items = [dataset[i] for i in range(start, min(start + args.batch_size, len(dataset)))]
            point_values = feature_extractor([points for points, _ in items], return_tensors="pt")["point_values"]
            with torch.no_grad():
                if use_folded:
                    logits = model(point_values).logits[:, [stored.index(name) for name in class_names]]
                else:
                    logits = zero_shot_logits(model.point_encoder, model.text_proj, class_features, point_values)
            batch_labels = [int(label) for _, label in items]
            if log is not None:
                log.append(start, logits, batch_labels)
        all_logits.append(logits)
        labels.extend(batch_labels)
    all_logits, labels = torch.cat(all_logits), torch.tensor(labels)
    metrics = accuracy_metrics(all_logits, labels, len(class_names))
    metrics.update(
        checkpoint=str(checkpoint),
        dataset=args.dataset,
        split=args.split,
        split_use=split_use(args.split),
        templates=list(templates),
        folded_head=use_folded,
        spike_activation=model.config.spike_activation,
        seconds=time.perf_counter() - started,
    )
    if args.dataset == "synthetic":
        metrics["realism"] = dataclasses.asdict(args.realism_config) if args.realism_config else None
    if args.energy:
        from ..energy import estimate_energy

        clouds = [dataset[i][0] for i in range(min(args.batch_size, len(dataset)))]
        sample = feature_extractor(clouds, return_tensors="pt")["point_values"]
        report = estimate_energy(model.point_encoder, {"point_values": sample})
        metrics["energy"] = report.to_dict()
    per_class = per_class_metrics(all_logits, labels, list(class_names))
    if args.training_category_names is not None:
        metrics.update(coverage_metrics(per_class["confusion_matrix"], class_names, args.training_category_names))
    metrics.update(per_class)  # last: the confusion matrix is the longest part of the JSON
    return metrics


# The firing-rate regulariser weight of the first release's SNN (hf_spiking.jobs.pretrain_svl --spike_energy_weight).
SHIPPED_SPIKE_ENERGY_WEIGHT = 2.0

# The first release's commands, for the card of a checkpoint folded without its training_summary.json.
REPRODUCE_COMMANDS = f"""\
hf-spiking pretrain-svl --output_dir runs/snn --threads 1 --eval_every_epochs 2 \\
    --spike_energy_weight {SHIPPED_SPIKE_ENERGY_WEIGHT:g}
hf-spiking pretrain-svl --output_dir runs/snn --threads 1 --skip_training \\
    --fold_to src/hf_spiking/assets/svl-default
hf-spiking pretrain-svl --output_dir runs/ann --threads 1 --eval_every_epochs 2 --spike_activation relu
hf-spiking eval-zero-shot --checkpoint src/hf_spiking/assets/svl-default --compare_ann runs/ann \\
    --num_per_category 40 --energy --output zero_shot.json \\
    --model_card model_cards/svl-default.md src/hf_spiking/assets/svl-default/README.md"""

# Where the generated reproduce commands put the runs and the cards.
CARD_PATHS = ("model_cards/svl-default.md", "src/hf_spiking/assets/svl-default/README.md")
SHIPPED_FOLDER = "src/hf_spiking/assets/svl-default"

# --modelnet40_results roles and the split each one's result must come from: the new default, its ANN twin and the
# previous default are compared on the test split (read once per released model); validation runs (choosing among
# recipes and checkpoints) read the train split.
MODELNET40_ROLE_SPLITS = {"snn": "test", "ann": "test", "previous": "test", "validation": "train"}
# What the card reads from a `hf-spiking eval-zero-shot --dataset modelnet40-npy --output PATH` result.
MODELNET40_RESULT_KEYS = (
    "checkpoint", "dataset", "split", "split_use", "top1", "top5", "mean_per_class", "num_samples", "num_classes",
    "class_names", "per_class", "confusion_matrix",
)
# Published ModelNet40 zero-shot top-1 accuracies (%), quoted for scale: (model, top-1, source).
MODELNET40_ANCHORS = (
    ("PointCLIP (training-free CLIP on depth maps)", 20.2, "Zhang et al., CVPR 2022, arXiv 2112.02413"),
    ("ULIP (Point-BERT, ShapeNet55 + CLIP)", 60.4, "Xue et al., CVPR 2023, arXiv 2212.05171"),
    ("OpenShape (Point-BERT, ensembled 3D datasets + CLIP)", 85.3, "Liu et al., NeurIPS 2023, arXiv 2305.10764"),
    ("SVL E-3DSNN-H (spiking)", 85.4, "SVL, arXiv 2505.17674"),
)


def parse_modelnet40_results(values: list[str]) -> list[tuple[str, str]]:
    """``--modelnet40_results``: the (role, path) pairs of its ``ROLE=PATH`` entries, in the order given.

    Refused (ValueError naming the entry and the expected form): an entry that is not ``ROLE=PATH``, an unknown
    role, ``snn``, ``ann`` or ``previous`` given twice, no ``snn`` entry. The files are read when the job runs
    (:func:`load_modelnet40_results`), so that documented commands parse anywhere.
    """
    roles = ", ".join(MODELNET40_ROLE_SPLITS)
    pairs = []
    for value in values:
        role, separator, path = value.partition("=")
        if not (separator and path):
            raise ValueError(f"--modelnet40_results {value!r} is not ROLE=PATH; expected ROLE one of {roles}.")
        if role not in MODELNET40_ROLE_SPLITS:
            raise ValueError(f"--modelnet40_results {value!r}: unknown role {role!r}; expected one of {roles}.")
        pairs.append((role, path))
    given = [role for role, _ in pairs]
    for role in ("snn", "ann", "previous"):
        if given.count(role) > 1:
            raise ValueError(
                f"--modelnet40_results gives {role}= {given.count(role)} times; snn, ann and previous are one result "
                "each (only validation repeats)."
            )
    if "snn" not in given:
        raise ValueError(
            "--modelnet40_results needs a snn=PATH entry: the new default's test-split result, which the card's "
            "ModelNet40 section reports."
        )
    return pairs


def _read_modelnet40_result(role: str, path: str) -> dict:
    """The result in ``path`` for ``role``, refused unless it is a modelnet40-npy result on the role's split."""
    entry = f"--modelnet40_results {role}={path}"
    expected = "the JSON that `hf-spiking eval-zero-shot --dataset modelnet40-npy --output PATH` writes"
    if not Path(path).is_file():
        raise ValueError(f"{entry}: no such file; expected {expected}.")
    try:
        result = json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{entry} is not JSON ({error}); expected {expected}.") from None
    if not isinstance(result, dict) or result.get("dataset") != "modelnet40-npy":
        found = f"dataset {result.get('dataset')!r}" if isinstance(result, dict) else f"a JSON {type(result).__name__}"
        raise ValueError(f"{entry} is not a modelnet40-npy result ({found}); expected {expected} (one checkpoint "
                         "per file: a --compare_ann result holds two).")
    missing = [key for key in MODELNET40_RESULT_KEYS if key not in result]
    if missing:
        raise ValueError(f"{entry} lacks {missing}; expected {expected} (a result of this version: older ones have "
                         "no per-class metrics).")
    split = MODELNET40_ROLE_SPLITS[role]
    if result["split"] != split:
        use = "--split test, the final evaluation" if split == "test" else "--split train, the validation use"
        raise ValueError(f"{entry} is a result on the {result['split']} split; a {role} result must be on the "
                         f"{split} split ({use}).")
    return result


def load_modelnet40_results(pairs: list[tuple[str, str]]) -> dict:
    """The ``--modelnet40_results`` files (:func:`parse_modelnet40_results` pairs) as ``{"snn": result, "ann": result
    or None, "previous": result or None, "validation": [results]}``, each logged.

    Refused (ValueError naming the entry): a missing file, a file that is not an ``eval-zero-shot --dataset
    modelnet40-npy --output`` result, a ``snn`` / ``ann`` / ``previous`` result not on the test split, a
    ``validation`` result not on the train split, and an ``ann`` or ``previous`` result on other shapes or classes
    than the ``snn`` one (the rows of one table must score the same test shapes).
    """
    results = {"snn": None, "ann": None, "previous": None, "validation": []}
    for role, path in pairs:
        result = _read_modelnet40_result(role, path)
        logger.info(
            f"ModelNet40 {role} result {path}: {result['checkpoint']} ({result['split']} split, {result['split_use']} "
            f"use): top-1 {result['top1']:.2f}%  top-5 {result['top5']:.2f}%  mean per-class "
            f"{result['mean_per_class']:.2f}%  ({result['num_samples']} clouds)"
        )
        if role == "validation":
            results["validation"].append(result)
        else:
            results[role] = result
    snn = results["snn"]
    for role in ("ann", "previous"):
        other = results[role]
        if other is None:
            continue
        if (other["num_samples"], other["class_names"]) != (snn["num_samples"], snn["class_names"]):
            raise ValueError(
                f"--modelnet40_results {role}= scored {other['num_samples']} shapes of {len(other['class_names'])} "
                f"classes, snn= {snn['num_samples']} of {len(snn['class_names'])}: the rows of one table must score "
                "the same test shapes."
            )
    return results


def read_training_summary(checkpoint: str | Path) -> dict | None:
    """The ``training_summary.json`` that ``pretrain-svl --fold_to`` copies next to the folded model, or None when the
    folder has none (checkpoints folded before it was copied); a file without the run's ``args`` and
    ``training_args`` is refused (a ValueError naming it), since the card would state a recipe it cannot know."""
    path = Path(checkpoint) / "training_summary.json"
    if not path.is_file():
        return None
    summary = json.loads(path.read_text())
    if not (isinstance(summary, dict) and isinstance(summary.get("args"), dict)
            and isinstance(summary.get("training_args"), dict)):
        raise ValueError(f"{path} is not a pretrain-svl training summary; expected a JSON dict with the run's 'args' "
                         "and 'training_args' (hf-spiking pretrain-svl writes it).")
    return summary


def comparison_table(snn: dict, ann: dict) -> str:
    """Markdown table: zero-shot accuracy and estimated energy of the SNN and of its ANN twin."""
    rows = ["| Encoder | Zero-shot top-1 | Top-5 | Mean per-class | Energy / cloud (fp32) |", "|---|---|---|---|---|"]
    for name, metrics in (("SNN (integer multi-spikes, D = 4)", snn), ("ANN twin (ReLU in place of spikes)", ann)):
        rows.append(
            f"| {name} | {metrics['top1']:.1f}% | {metrics['top5']:.1f}% | {metrics['mean_per_class']:.1f}% | "
            f"{metrics['energy']['total_energy_mj']:.4f} mJ |"
        )
    ratio = ann["energy"]["total_energy_mj"] / snn["energy"]["total_energy_mj"]
    return "\n".join(rows) + (
        f"\n\nSynthetic test split: {snn['num_samples']} clouds, {snn['num_classes']} categories, scan-like realism: "
        f"{realism_in_words(snn.get('realism'))}; class-name prompts averaged over {len(snn['templates'])} templates. "
        f"SNN - ANN: {snn['top1'] - ann['top1']:+.1f} points; "
        f"the SNN needs {ratio:.1f}x less estimated energy."
    )


def _paragraph(text: str) -> str:
    """``text`` wrapped at 116 characters, never inside a word (flags, JSON and category names stay whole)."""
    return textwrap.fill(text, 116, break_long_words=False, break_on_hyphens=False)


def _command(*parts: str) -> str:
    """One shell command of ``parts`` (unbreakable pieces such as ``--flag value``), continued with ``\\`` after 110
    characters."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 1 + len(part) > 110:
            lines.append("    " + part)
        else:
            lines[-1] += " " + part
    return " \\\n".join(lines)


def realism_in_words(realism: dict | None) -> str:
    """The scan-like realism of a recorded ``realism_config`` (:class:`RealismConfig` fields) in words."""
    config = RealismConfig.from_value(realism)
    if config is None or config == RealismConfig():
        return "none (the clean clouds)"
    words = []
    if config.drop_color:
        words.append("colour dropped (every point the 0.4 grey that colourless scans get)")
    if config.noise_std:
        words.append(f"Gaussian jitter of standard deviation {config.noise_std:g} (unit-sphere units)")
    if config.anisotropic_scale is not None:
        low, high = config.anisotropic_scale
        words.append(f"each object stretched along its own axes by factors drawn log-uniformly in [{low:g}, {high:g}]")
    if config.partial_view_probability:
        words.append(f"a partial view (the points a camera at a random viewpoint sees) with probability "
                     f"{config.partial_view_probability:g}")
    if config.density_falloff:
        words.append(f"non-uniform density (points kept with a probability falling linearly to "
                     f"{1 - config.density_falloff:g} across the object)")
    return "; ".join(words)


def _first_release_recipe(config, snn: dict) -> tuple[str, str, str, str]:
    """(introduction, training data, recipe, reproduction) of the first release's card: the text of a checkpoint
    folded without its training summary."""
    intro = (
        "The default zero-shot 3D classifier shipped inside `hf_spiking`: a CPU-scale Spike-driven PointFormer\n"
        "(SVL, arXiv 2505.17674) whose integer multi-spike encoder was aligned with all-MiniLM-L6-v2 caption "
        "features by\nMTA (text term only) and whose text side is folded into a bias-free classifier by Rep-VLI over\n"
        f"{config.num_labels} class names (the {snn['num_classes']} synthetic categories plus a general vocabulary). "
        "It runs\noffline on CPU; no text encoder is needed for the folded classes."
    )
    training_data = (
        f"`hf_spiking.data.synthetic_shapes` train split: procedurally built objects of {snn['num_classes']} everyday\n"
        "categories (random proportions, colours, poses, part counts), 100 instances per category, point clouds "
        "(xyz + rgb)\nsampled from the surfaces, each with 3+ captions. Only the captions are used for training, "
        "never the labels."
    )
    recipe = f"""- Encoder: PointFormer, width {config.transformer_hidden_size}, {config.num_hidden_layers} blocks,
  {config.num_attention_heads} heads, {config.num_groups} groups of {config.group_size} points, integer spikes in
  {{0..{config.max_level}}}, {config.hidden_size}-d embedding; 512 input points (random subset of the cloud).
- MTA: symmetric InfoNCE between the point embedding and `text_proj` of the frozen MiniLM caption feature (one
  random caption per cloud per step); no image teacher was available offline, so the image and MSE terms are off.
- Firing-rate regulariser (SNN only): the loss adds {SHIPPED_SPIKE_ENERGY_WEIGHT:g} x (estimated synaptic energy per
  cloud / the same network's dense ANN energy), where the synaptic energy is `hf_spiking.energy`'s SOP rule (input
  spike counts x fan-out x E_AC) made differentiable through the spikes' surrogate. It lowers the firing rates where
  spikes cost most. The ANN twin is trained with the same recipe without it (ReLU has no spikes to count).
- AdamW (lr 2e-3, betas 0.9/0.98, weight decay 0.05), batch 64, 8 epochs, 5% warm-up then cosine; augmentation:
  random rotation about the up axis, scale 0.85-1.15, colours dropped to 0.4 grey with p = 0.5; BatchNorm
  statistics re-estimated on 1024 training clouds after training.
- Rep-VLI: class embeddings = MiniLM features of {len(snn['templates'])} prompt templates, each through `text_proj`
  and L2-normalised, averaged and normalised again (CLIP's prompt ensembling), stored as the classifier weight."""
    reproduce = f"Reproduce (CPU, about 10 min per training run on 1 thread):\n\n```bash\n{REPRODUCE_COMMANDS}\n```"
    return intro, training_data, recipe, reproduce


def _recorded_recipe(summary: dict, config, snn: dict, args: EvalZeroShotArguments, modelnet40: dict | None):
    """(introduction, training data, recipe, reproduction) of the card, from the run recorded in ``summary`` (the
    checkpoint's ``training_summary.json``); the reproduction ends with the command that wrote this card."""
    from .pretrain_svl import recipe_flags, recorded_recipe

    run, training = recorded_recipe(summary)
    category_flag = run["categories"] or ["first_release"]  # --categories' default, as --training_categories says it
    categories = resolve_training_categories(category_flag)
    vocabulary = sum(name not in categories for name in config.id2label.values())  # the folded names beyond them
    if run["categories"] is None:
        chosen = "the first release's, `--categories` left at its default"
    elif run["categories"] == ["all"]:
        chosen = "every corpus category, `--categories all`"
    else:
        chosen = "chosen with `--categories`"
    realism = run["realism_config"]
    grey = bool(realism and realism["drop_color"])
    teacher = run["text_teacher"] or "all-MiniLM-L6-v2"
    image = run["image_teacher"]
    terms = "text term only" if image is None else f"text and image terms, image teacher {image}"
    intro = _paragraph(
        "The default zero-shot 3D classifier shipped inside `hf_spiking`: a CPU-scale Spike-driven PointFormer (SVL, "
        f"arXiv 2505.17674) whose integer multi-spike encoder was aligned with {teacher} caption features by MTA "
        f"({terms}) and whose text side is folded into a bias-free classifier by Rep-VLI over {config.num_labels} "
        f"class names (the {len(categories)} training categories plus {vocabulary} general-vocabulary names). It "
        "runs offline on CPU; no text encoder is needed for the folded classes."
    )
    training_data = _paragraph(
        f"`hf_spiking.data.synthetic_shapes` train split: procedurally built objects of {len(categories)} everyday "
        f"categories ({chosen}: {', '.join(categories)}), with random proportions, colours, poses and part counts; "
        f"{run['num_per_category']} instances per category, {run['source_points']} points per instance sampled from "
        f"the surfaces ({'xyz; rgb replaced by 0.4 grey' if grey else 'xyz + rgb'}), each with 3+ captions. "
        f"Scan-like realism (`--realism`): {realism_in_words(realism)}; the validation clouds and the sample clouds "
        "in `samples/` have the same. Only the captions are used for training, never the labels."
    )
    if training["max_steps"] > 0:
        duration = f"{training['max_steps']} steps"
    else:
        duration = f"{training['num_train_epochs']:g} epochs"
    colour_drop = f"colours dropped to 0.4 grey with p = {run['color_drop']:g}" + (
        " (moot here: the realism already drops every colour)" if grey else ""
    )
    weight = run["spike_energy_weight"]
    regulariser = (
        f"Firing-rate regulariser (SNN only, `--spike_energy_weight {weight:g}`): the loss adds {weight:g} x "
        "(estimated synaptic energy per cloud / the same network's dense ANN energy), where the synaptic energy is "
        "`hf_spiking.energy`'s SOP rule (input spike counts x fan-out x E_AC) made differentiable through the spikes' "
        "surrogate. It lowers the firing rates where spikes cost most. The ANN twin is trained with the same recipe "
        "without it (ReLU has no spikes to count)."
        if weight else "No firing-rate regulariser (`--spike_energy_weight 0`)."
    )
    bullets = [
        f"Encoder: `{run['preset']}` PointFormer, width {config.transformer_hidden_size}, {config.num_hidden_layers} "
        f"blocks, {config.num_attention_heads} heads, {config.num_groups} groups of {config.group_size} points, "
        f"integer spikes in {{0..{config.max_level}}}, {config.hidden_size}-d embedding; {run['num_points']} input "
        "points (random subset of the cloud).",
        f"MTA: symmetric InfoNCE between the point embedding and `text_proj` of the frozen {teacher} caption feature "
        f"(one random caption per cloud per step); {terms}.",
        regulariser,
        f"AdamW (lr {training['learning_rate']:g}, betas {training['adam_beta1']:g}/{training['adam_beta2']:g}, weight "
        f"decay {training['weight_decay']:g}), batch {training['per_device_train_batch_size']}, {duration}, "
        f"{training['warmup_steps']} warm-up steps then {training['lr_scheduler_type']}, seed {training['seed']}; "
        f"augmentation: random rotation about the up axis, scale 0.85-1.15, {colour_drop}; BatchNorm statistics "
        "re-estimated on 1024 training clouds after training.",
        f"Rep-VLI: class embeddings = {teacher} features of {len(snn['templates'])} prompt templates, each through "
        "`text_proj` and L2-normalised, averaged and normalised again (CLIP's prompt ensembling), stored as the "
        f"classifier weight, for the {len(categories)} training categories and {vocabulary} general-vocabulary names.",
    ]
    recipe = "\n".join("- " + textwrap.indent(_paragraph(bullet), "  ")[2:] for bullet in bullets)

    flags = recipe_flags(summary)
    snn_run = "hf-spiking pretrain-svl --output_dir runs/snn"
    commands = [
        _command(snn_run, *flags),
        _command(snn_run, *flags, "--skip_training", f"--fold_to {SHIPPED_FOLDER}"),
        _command("hf-spiking pretrain-svl --output_dir runs/ann",
                 *recipe_flags(summary, spike_activation="relu", spike_energy_weight=0.0)),
    ]
    card_flags = []
    if modelnet40 is not None:
        files = {role: Path(path).name for role, path in args.modelnet40_result_paths}
        for role, checkpoint in (("snn", SHIPPED_FOLDER), ("ann", "runs/ann")):
            if role in files:
                scored = [f"hf-spiking eval-zero-shot --checkpoint {checkpoint}",
                          "--dataset modelnet40-npy --data_dir ModelNet40"]
                if "covered" in modelnet40[role]:
                    scored.append(f"--training_categories {shlex.join(category_flag)}")
                commands.append(_command(*scored, f"--output {files[role]}"))
        card_flags.append("--modelnet40_results " + " ".join(
            f"{role}={Path(path).name}" for role, path in args.modelnet40_result_paths))
        if args.confusion_plot:
            card_flags.append(f"--confusion_plot {Path(CARD_PATHS[0]).parent / Path(args.confusion_plot).name}")
    synthetic_flags = []  # the synthetic test split of the training categories, as scan-like as the training
    if args.training_categories:
        synthetic_flags.append(f"--training_categories {shlex.join(args.training_categories)}")
    if args.realism:
        synthetic_flags.append(f"--realism {shlex.quote(args.realism)}")
    commands.append(_command(
        f"hf-spiking eval-zero-shot --checkpoint {SHIPPED_FOLDER} --compare_ann runs/ann", *synthetic_flags,
        f"--num_per_category {args.num_per_category} --energy --output zero_shot.json", *card_flags,
        "--model_card " + " ".join(CARD_PATHS),
    ))
    reproduce = (
        "Reproduce (generated from the run's `training_summary.json`, which ships next to the model):\n\n```bash\n"
        + "\n".join(commands) + "\n```"
    )
    return intro, training_data, recipe, reproduce


def _short_name(checkpoint: str) -> str:
    """The last two parts of a checkpoint path (``runs/snn``, ``assets/svl-default``): names it without the machine's
    folders."""
    return "/".join(Path(checkpoint).parts[-2:])


def _counted(count: int, singular: str, plural: str) -> str:
    """``count`` with the noun's singular or plural form: "1 class", "2 classes"."""
    return f"{count} {singular if count == 1 else plural}"


def _group_cell(result: dict, group: str) -> str:
    """Top-1 over a result's ``covered`` / ``uncovered`` classes, with their counts; – without coverage metrics."""
    if group not in result or not result[group]["num_samples"]:
        return "–"
    part = result[group]
    classes = _counted(part["num_classes_present"], "class", "classes")
    return f"{part['top1']:.1f}% ({classes}, {_counted(part['num_samples'], 'shape', 'shapes')})"


def modelnet40_section(modelnet40: dict, figure: str | None = None) -> str:
    """The card's ModelNet40 section from :func:`load_modelnet40_results`: the table of the new default, its ANN twin,
    the previous default and the published anchors (:data:`MODELNET40_ANCHORS`), the confusion-matrix figure
    ``figure`` (a file name next to the card), the per-class table and the validation runs."""
    snn, previous = modelnet40["snn"], modelnet40["previous"]
    lines = [
        f"## ModelNet40 zero-shot ({snn['num_samples']:,} test shapes, {snn['num_classes']} classes, class-name "
        "prompts through the checkpoint's templates and text teacher)",
        "",
        _paragraph(
            "Real CAD shapes (ModelNet40, Princeton, academic use only; read as 1,024-point `.npy` clouds from a folder "
            "the user names, e.g. the public repository `prasadsawant5/PointNet` @ 76fa94e, never redistributed "
            "here): no ModelNet40 shape was used for training, and the test split is read once per released "
            "model (`hf-spiking eval-zero-shot --dataset modelnet40-npy`); recipes and checkpoints are chosen on the "
            "train split instead (the validation runs below). Covered classes are the ModelNet40 classes whose name "
            "equals one of that model's training categories (after lower-casing and removing spaces, underscores and "
            "hyphens); the others are open vocabulary, known from the text alignment alone. The published anchors are "
            "larger models aligned with CLIP on real 3D data, quoted from their papers for scale."
        ),
        "",
        "| Model | Top-1 | Top-5 | Mean per-class | Top-1, covered classes | Top-1, not covered (open vocabulary) "
        "| Source |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, role in (("New default (SNN)", "snn"), ("Its ANN twin (ReLU in place of spikes)", "ann"),
                       ("Previous default (SNN)", "previous")):
        result = modelnet40[role]
        if result is not None:
            lines.append(
                f"| {name} | {result['top1']:.1f}% | {result['top5']:.1f}% | {result['mean_per_class']:.1f}% | "
                f"{_group_cell(result, 'covered')} | {_group_cell(result, 'uncovered')} | measured here, "
                f"`{_short_name(result['checkpoint'])}` |"
            )
    for name, top1, source in MODELNET40_ANCHORS:
        lines.append(f"| {name} | {top1:.1f}% | not reported here | not reported here | – | – | {source} |")
    if figure is not None:
        lines += ["", f"Confusion matrix of the new default on the test split (rows = true class, each row normalised "
                      f"to the shares of its shapes): `{figure}`.", "", f"![ModelNet40 confusion matrix]({figure})"]

    columns = ["Class", "Test shapes"] + (["Trained category"] if "covered_classes" in snn else [])
    columns += ["New default"] + (["Previous default"] if previous is not None else [])
    lines += ["", "### Per class (test split, top-1)", "", "| " + " | ".join(columns) + " |",
              "|" + "---|" * len(columns)]
    for name in snn["class_names"]:
        if name not in snn["per_class"]:
            continue
        cells = [name, str(snn["per_class"][name]["count"])]
        if "covered_classes" in snn:
            cells.append("yes" if name in snn["covered_classes"] else "no")
        cells.append(f"{snn['per_class'][name]['top1']:.1f}%")
        if previous is not None:
            cells.append(f"{previous['per_class'][name]['top1']:.1f}%" if name in previous["per_class"] else "–")
        lines.append("| " + " | ".join(cells) + " |")

    lines += ["", "### Validation runs (ModelNet40 train split)", "", _paragraph(
        "Validation use: scored on the train split to choose among recipes and checkpoints; never trained on, and "
        "not test results."), ""]
    lines += [
        f"- `{_short_name(run['checkpoint'])}`: top-1 {run['top1']:.1f}%, top-5 {run['top5']:.1f}%, mean per-class "
        f"{run['mean_per_class']:.1f}% ({run['num_samples']:,} train shapes)"
        for run in modelnet40["validation"]
    ] or ["- none given for this card"]
    return "\n".join(lines)


def write_model_card(args: EvalZeroShotArguments, snn: dict, ann: dict, modelnet40: dict | None = None) -> None:
    """The svl-default model card of ``args.checkpoint``, written to every ``args.model_card`` path: data, recipe,
    reproduction, evaluation tables, energy and limits.

    The training data, recipe and reproduce commands come from the checkpoint's ``training_summary.json``
    (:func:`read_training_summary`; ``pretrain-svl --fold_to`` copies it there): the recorded run's categories,
    instances, realism, optimiser and regulariser, and the pretrain commands with exactly its non-default flags
    (:func:`~hf_spiking.jobs.pretrain_svl.recipe_flags`). Without one (checkpoints folded before it was copied), the
    first release's text. ``modelnet40`` (:func:`load_modelnet40_results`) adds the ModelNet40 section; with
    ``args.confusion_plot`` (drawn by then) that section shows the PNG by its file name, and the PNG is copied next to
    every card path outside its folder, so that each card travels with its figure (the Hub repository, the shipped
    folder).
    """
    from ..hub import DEFAULT_LIMITATIONS, create_model_card
    from ..models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification

    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(args.checkpoint)
    config = model.config
    summary = read_training_summary(args.checkpoint)
    if summary is None:
        intro, training_data, recipe, reproduce = _first_release_recipe(config, snn)
    else:
        intro, training_data, recipe, reproduce = _recorded_recipe(summary, config, snn, args, modelnet40)
    figure = Path(args.confusion_plot) if modelnet40 is not None and args.confusion_plot else None
    description = f"""{intro}

```python
from transformers import pipeline
import hf_spiking

classifier = pipeline("zero-shot-3d-classification", model=hf_spiking.default_model_path())
classifier("cloud.npy", top_k=3)           # folded vocabulary, no text encoder
classifier("cloud.ply", candidate_labels=["chair", "spaceship"])  # new labels: MiniLM text encoder
```

Command line: `hf-spiking demo`, `hf-spiking zero-shot FILE [--labels a,b,c]`.

## Training data

{training_data}

## Recipe

{recipe}

{reproduce}

## Zero-shot evaluation (SNN vs ANN)

{comparison_table(snn, ann)}
"""
    if modelnet40 is not None:
        description += "\n" + modelnet40_section(modelnet40, figure and figure.name) + "\n"
    real_data = (
        "The ModelNet40 section measures the gap on real CAD shapes; real scans (ScanObjectNN, Objaverse-LVIS) are "
        "not evaluated here and look different again"
        if modelnet40 is not None else
        "Real scans (ModelNet40, ScanObjectNN, Objaverse-LVIS) look different and accuracy there is expected to be "
        "far lower"
    )
    limitations = (
        f"- {'Trained on' if modelnet40 is not None else 'Trained and evaluated on'} synthetic, procedurally generated "
        "shapes only; not the paper's scale (SVL pretrains on ~800 K real 3D objects with OpenCLIP ViT-bigG "
        f"teachers). {real_data}; evaluate with `hf-spiking eval-zero-shot` before relying on it.\n"
        "- The general-vocabulary classes beyond the synthetic categories never had training shapes: their scores "
        "come from the text alignment alone.\n"
        "- The text teacher is the small all-MiniLM-L6-v2 sentence encoder, not CLIP.\n" + DEFAULT_LIMITATIONS
    )
    synthetic = {"dataset_type": "hf_spiking/synthetic_shapes", "dataset_name": "Synthetic shapes"}
    scored = [(synthetic, "zero-shot top-1 (SNN)", snn), (synthetic, "zero-shot top-1 (ANN twin)", ann)]
    if modelnet40 is not None:
        real = {"dataset_type": "modelnet40", "dataset_name": "ModelNet40"}
        scored += [(real, "zero-shot top-1 (SNN)", modelnet40["snn"])]
        scored += [(real, "zero-shot top-1 (ANN twin)", modelnet40["ann"])] if modelnet40["ann"] is not None else []
    eval_results = [
        {"task_type": "zero-shot-3d-classification", **dataset, "dataset_split": "test", "metric_type": "accuracy",
         "metric_name": metric_name, "metric_value": round(metrics["top1"], 2)}
        for dataset, metric_name, metrics in scored
    ]
    card = create_model_card(
        model,
        eval_results,
        energy=snn["energy"],
        model_name="svl-default",
        model_description=description,
        intended_use="Demonstrating open-vocabulary spiking 3D classification on CPU; a starting point for "
        "fine-tuning or re-folding with other class names. Not for safety-critical decisions.",
        limitations=limitations,
        datasets="hf_spiking/synthetic_shapes",  # the training data; ModelNet40 is evaluation only
        library_name="hf_spiking",
        tags=["point-cloud", "zero-shot-3d-classification", "svl"],
    )
    for path in args.model_card:
        card.save(path)
        if figure is not None and Path(path).parent.resolve() != figure.parent.resolve():
            shutil.copyfile(figure, Path(path).parent / figure.name)


def _group_summary(metrics: dict, group: str) -> str:
    """One log line's worth of ``metrics[group]`` (``covered`` / ``uncovered``)."""
    names, result = metrics[f"{group}_classes"], metrics[group]
    if not result["num_samples"]:
        return f"{len(names)} classes, no clouds"
    return (f"top-1 {result['top1']:.2f}%  mean per-class {result['mean_per_class']:.2f}%  ({result['num_samples']} "
            f"clouds, {result['num_classes_present']} of {len(names)} classes present)")


def parse_arguments(argv: list[str] | None = None) -> EvalZeroShotArguments:
    """The job's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    (args,) = HfArgumentParser(EvalZeroShotArguments).parse_args_into_dataclasses(args=argv)
    return args


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking eval-zero-shot`` / ``scripts/eval_zero_shot.py``: evaluates, compares, writes JSON and cards."""
    show_info_logs()
    args = parse_arguments(argv)
    args.check_model_folders()
    if args.confusion_plot:
        require_matplotlib("--confusion_plot draws with matplotlib")  # now, not after the scoring
    torch.set_num_threads(args.threads)
    if args.model_card and not (args.compare_ann and args.energy):
        print("eval_zero_shot: --model_card needs --compare_ann and --energy.", file=sys.stderr)  # usage error
        return 2
    if args.modelnet40_results and not args.model_card:
        print("eval_zero_shot: --modelnet40_results needs --model_card (it adds the card's ModelNet40 section).",
              file=sys.stderr)  # usage error
        return 2
    # Read now, so that a wrong file is refused before the scoring, not after it.
    modelnet40 = load_modelnet40_results(args.modelnet40_result_paths) if args.modelnet40_results else None
    try:
        metrics = evaluate_checkpoint(args)
        if args.compare_ann:
            ann = evaluate_checkpoint(dataclasses.replace(args, checkpoint=args.compare_ann))
    except ValueError as error:
        print(f"eval_zero_shot: {error}", file=sys.stderr)  # usage error
        return 2
    if split_use(args.split) == "validation":
        logger.info(
            f"{args.dataset} --split {args.split}: validation use of the train split (choosing among finished recipes "
            "and checkpoints), not a test result"
        )
    for result in [metrics] + ([ann] if args.compare_ann else []):
        logger.info(
            f"{result['checkpoint']} on {args.dataset} ({args.split} split): top-1 {result['top1']:.2f}%  "
            f"top-5 {result['top5']:.2f}%  "
            f"mean per-class {result['mean_per_class']:.2f}%  ({result['num_samples']} clouds, "
            f"{result['num_classes']} classes)"
        )
        if "covered" in result:
            logger.info(f"  classes covered by --training_categories: {_group_summary(result, 'covered')}")
            logger.info(f"  classes not covered (open vocabulary): {_group_summary(result, 'uncovered')}")
        if "energy" in result:
            logger.info(f"  estimated energy per cloud: {result['energy']['total_energy_mj']:.4f} mJ")
    if args.confusion_plot:
        # A card with a ModelNet40 section shows the new default's ModelNet40 matrix (from its result), not this run's.
        drawn = modelnet40["snn"] if modelnet40 is not None else metrics
        plot_confusion_matrix(drawn, args.confusion_plot)
        logger.info(f"Confusion matrix of {drawn['checkpoint']} on {drawn['dataset']} ({drawn['split']} split) drawn "
                    f"in {args.confusion_plot}")
    if args.compare_ann and args.energy:
        logger.info(comparison_table(metrics, ann))
        metrics = {"snn": metrics, "ann": ann}
    if args.model_card:
        write_model_card(args, metrics["snn"], metrics["ann"], modelnet40)
    if args.output:
        Path(args.output).write_text(json.dumps(metrics, indent=2))
    return 0


__all__ = [
    "CARD_PATHS",
    "CATEGORY_SETS",
    "DATASETS",
    "DATASETS_WITH_SPLITS",
    "EvalZeroShotArguments",
    "MODELNET40_ANCHORS",
    "MODELNET40_RESULT_KEYS",
    "MODELNET40_ROLE_SPLITS",
    "PredictionLog",
    "REPRODUCE_COMMANDS",
    "SHIPPED_FOLDER",
    "SHIPPED_SPIKE_ENERGY_WEIGHT",
    "accuracy_metrics",
    "comparison_table",
    "coverage_metrics",
    "evaluate_checkpoint",
    "load_eval_dataset",
    "load_modelnet40_results",
    "main",
    "modelnet40_section",
    "normalized_class_name",
    "parse_arguments",
    "parse_modelnet40_results",
    "per_class_metrics",
    "plot_confusion_matrix",
    "read_training_summary",
    "realism_in_words",
    "resolve_training_categories",
    "split_use",
    "synthetic_test_set",
    "write_model_card",
]
