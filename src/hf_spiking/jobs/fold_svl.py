"""Rep-VLI from precomputed class embeddings: folds ``normalize(text_proj(E))`` into a bias-free head of an SVL
checkpoint, giving a text-free zero-shot classifier (no text encoder at folding or inference time).

``E`` comes from OpenShape's files (OpenCLIP ViT-bigG-14 features of the class names averaged over prompt
templates, the official zero-shot protocol): ``--openshape_meta_data <meta_data> --dataset modelnet40 |
objaverse-lvis | scanobjectnn`` (ModelNet40's and ScanObjectNN's ``cat_name_pt_feat.npy`` are pickled:
``--allow_pickle``; LVIS's (1156, 1280) array is not), or any ``--class_embeddings FILE.npy`` (a pickled
``{name: features}`` dict, or a plain [K, D] array with ``--class_names``). Class names are stored as prompt words
(underscores become spaces), the names ``hf-spiking eval-zero-shot`` matches a folded head against.

    hf-spiking convert-svl --checkpoint svl_e3dsnn_h.pt --allow-pickle --backbone e3dsnn --variant H --output-dir svl-e3dsnn-h
    python -m hf_spiking.jobs.fold_svl --checkpoint svl-e3dsnn-h --openshape_meta_data meta_data \
        --dataset modelnet40 --allow_pickle --output_dir svl-e3dsnn-h-modelnet40
    hf-spiking eval-zero-shot --checkpoint svl-e3dsnn-h-modelnet40 --dataset openshape-modelnet40 \
        --data_dir meta_data --allow_pickle
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformers import HfArgumentParser
from transformers.utils import logging

from ..console import show_info_logs
from ..models.spiking_point_encoder.class_prompts import checked_class_names
from ..models.spiking_point_encoder.configuration_spiking_point_encoder import MAX_NUM_POINTS
from ..data.openshape import OPENSHAPE_CLASS_EMBEDDINGS, load_openshape_class_embeddings, read_class_embeddings

logger = logging.get_logger(__name__)


@dataclass
class FoldSVLArguments:
    checkpoint: str = field(metadata={"help": "folder of an SVL model (pretraining or zero-shot, e.g. from convert-svl)"})
    output_dir: str = field(metadata={"help": "where the folded zero-shot model is saved"})
    openshape_meta_data: str | None = field(default=None, metadata={"help": "OpenShape meta_data folder (with --dataset)"})
    dataset: str | None = field(default=None, metadata={"choices": tuple(OPENSHAPE_CLASS_EMBEDDINGS)})
    class_embeddings: str | None = field(default=None, metadata={"help": "a class-embedding .npy instead of --dataset"})
    class_names: list[str] | None = field(default=None, metadata={"help": "names of a plain array's rows, in order"})
    allow_pickle: bool = field(default=False, metadata={"help": "trust pickled class-embedding files"})
    fold_final_layer: bool = field(default=False, metadata={"help": "E-3DSNN: also merge the head into the final layer"})
    num_points: int = field(default=10000, metadata={"help": "points per cloud of the saved feature extractor, if the "
                                                              "checkpoint has none (10000: E-3DSNN, 8192: PointFormer)"})

    def __post_init__(self):
        if not 1 <= self.num_points <= MAX_NUM_POINTS:
            raise ValueError(f"--num_points must be an integer in [1, {MAX_NUM_POINTS}], got {self.num_points}.")
        if self.class_names is not None:
            checked_class_names(self.class_names, "--class_names")


def class_embeddings_for(args: FoldSVLArguments) -> tuple[list[str], object]:
    """(class names, [K, D] features) named by the arguments."""
    if (args.dataset is None) == (args.class_embeddings is None):
        raise ValueError("Give either --dataset (with --openshape_meta_data) or --class_embeddings.")
    if args.dataset is not None:
        if args.openshape_meta_data is None:
            raise ValueError(f"--dataset {args.dataset} needs --openshape_meta_data (OpenShape's meta_data folder).")
        return load_openshape_class_embeddings(args.openshape_meta_data, args.dataset, allow_pickle=args.allow_pickle)
    names, features = read_class_embeddings(args.class_embeddings, allow_pickle=args.allow_pickle)
    names = names if args.class_names is None else list(args.class_names)
    if names is None or len(names) != len(features):
        raise ValueError(
            f"--class_embeddings {args.class_embeddings} holds {len(features)} unnamed rows: pass as many --class_names "
            f"(got {None if names is None else len(names)})."
        )
    return names, features


def fold(args: FoldSVLArguments):
    """Loads the checkpoint as a zero-shot model, folds the class embeddings, saves model and feature extractor."""
    from ..models.spiking_point_encoder import SpikingPointEncoderForZeroShotClassification, SpikingPointFeatureExtractor

    names, features = class_embeddings_for(args)
    checkpoint = Path(args.checkpoint)
    model = SpikingPointEncoderForZeroShotClassification.from_pretrained(checkpoint).eval()
    model.fold_class_embeddings([name.replace("_", " ") for name in names], features, args.fold_final_layer)
    model.save_pretrained(args.output_dir)
    if (checkpoint / "preprocessor_config.json").is_file():
        extractor = SpikingPointFeatureExtractor.from_pretrained(checkpoint)
    else:
        extractor = SpikingPointFeatureExtractor(num_points=args.num_points, sampling="random")
    extractor.save_pretrained(args.output_dir)
    logger.info(f"folded {len(names)} classes into {args.output_dir} ({model.config.rep_vli_fold})")
    return model


def parse_arguments(argv: list[str] | None = None) -> FoldSVLArguments:
    return HfArgumentParser(FoldSVLArguments).parse_args_into_dataclasses(args=argv)[0]


def main(argv: list[str] | None = None) -> int:
    """``python -m hf_spiking.jobs.fold_svl``: parses ``argv`` and runs :func:`fold`."""
    show_info_logs()
    fold(parse_arguments(argv))
    return 0


__all__ = ["FoldSVLArguments", "class_embeddings_for", "fold", "main", "parse_arguments"]

if __name__ == "__main__":
    raise SystemExit(main())
