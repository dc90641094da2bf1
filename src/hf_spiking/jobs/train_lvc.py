"""Aligns an LVC model on short video-text pairs: only the VLM's alignment layer (projector) is trained, as in LVC.

Training data is a JSON list (or JSON-lines file) of ``{"video": <path>, "question": "...", "answer": "..."}``;
relative video paths are resolved against ``--videos`` (default: the data file's folder). The loss covers only the
answer tokens. ``--model`` is an LVC folder or a plain InternVL ``-hf`` folder (then ``--num_frames`` /
``--window_size`` set the compression). The result (model + processor) is saved to ``--output_dir``.

    hf-spiking train-lvc --model <dir> --data pairs.json --output_dir out --max_steps 500
    accelerate launch -m hf_spiking.jobs.train_lvc --model <dir> --data pairs.json --output_dir out --max_steps 500

All ``TrainingArguments`` flags are accepted (``--save_strategy``, ``--report_to``, ``--resume_from_checkpoint``
(a path, or ``latest``), ...). Flags may be spelt with dashes or underscores (``--output-dir``). The defaults of
the former ``scripts/train_lvc.py`` are kept: ``--num_train_epochs 1``, ``--per_device_train_batch_size 1``,
``--learning_rate 1e-4``, ``--logging_steps 10``, ``--save_strategy no``, ``--seed 0``, no reporting. Its two flags
with other names still work: ``--epochs`` is ``--num_train_epochs`` and ``--batch-size`` is
``--per_device_train_batch_size``.
"""

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from torch.utils.data import Dataset
from transformers import HfArgumentParser, Trainer, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging

logger = logging.get_logger(__name__)


@dataclass
class TrainLVCArguments:
    model: str = field(metadata={"help": "LVC folder or InternVL -hf folder"})
    data: Path = field(metadata={"help": "JSON list / JSON lines of video-question-answer"})
    processor: str | None = field(default=None, metadata={"help": "processor folder (default: --model)"})
    videos: Path | None = field(default=None, metadata={"help": "folder that relative video paths refer to"})
    num_frames: int | None = field(default=None, metadata={"help": "M, dense frames per video (default: the model's)"})
    window_size: int | None = field(default=None, metadata={"help": "w, frames per window (default: the model's)"})


# The former script's defaults, where they differ from TrainingArguments'.
TRAINING_DEFAULTS = {
    "num_train_epochs": 1.0,
    "per_device_train_batch_size": 1,
    "learning_rate": 1e-4,
    "logging_steps": 10,
    "save_strategy": "no",
    "seed": 0,
    "report_to": "none",
    "remove_unused_columns": False,  # the collator needs the raw video / question / answer columns
}
# Flags of the former script whose TrainingArguments field has another name.
RENAMED_FLAGS = {"--epochs": ("num_train_epochs", float), "--batch-size": ("per_device_train_batch_size", int)}


class MediaTextPairs(Dataset):
    """``{<media_key>: <path>, "question", "answer"}`` records of a JSON list or JSON-lines file; relative paths are
    resolved against ``root`` (default: the data file's folder)."""

    media_key = "video"

    def __init__(self, data_file: Path, root: Path | None = None):
        text = data_file.read_text()
        if text.lstrip().startswith("["):
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        root = root or data_file.parent
        self.records = []
        for index, record in enumerate(records):
            missing = {self.media_key, "question", "answer"} - record.keys()
            if missing:
                raise ValueError(f"{data_file} item {index} lacks {sorted(missing)}.")
            media = Path(record[self.media_key])
            self.records.append({**record, self.media_key: str(media if media.is_absolute() else root / media)})
        if not self.records:
            raise ValueError(f"{data_file} holds no {self.media_key}-text pairs.")

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]


class VideoTextPairs(MediaTextPairs):
    media_key = "video"


class LVCCollator:
    """Turns a list of pairs into one LVC batch (frames, prompt with M/w pseudo-frames, query ids, answer labels)."""

    def __init__(self, processor):
        self.processor = processor

    def __call__(self, batch):
        inputs = self.processor(
            videos=[item["video"] for item in batch],
            text=[item["question"] for item in batch],
            answers=[item["answer"] for item in batch],
        )
        inputs.pop("frame_indices")
        return dict(inputs)


def build_model_and_processor(model_path: str, num_frames: int | None, window_size: int | None, processor_path=None):
    from transformers import AutoProcessor

    from ..models.lvc import LVCForVideoQA, LVCProcessor

    options = {key: value for key, value in (("num_frames", num_frames), ("window_size", window_size)) if value}
    model = LVCForVideoQA.from_pretrained(model_path, **options)
    # An LVCProcessor or the backbone's own processor (e.g. InternVLProcessor): either way, keep its image processor
    # and tokenizer and match the frame budget to the model.
    loaded = AutoProcessor.from_pretrained(processor_path or model_path)
    processor = LVCProcessor(
        loaded.image_processor, loaded.tokenizer, num_frames=model.config.num_frames,
        window_size=model.config.window_size, tokens_per_frame=model.tokens_per_frame,
    )
    return model, processor


def train(args: TrainLVCArguments, training_args: TrainingArguments):
    """Trains the alignment layer and saves model and processor to ``training_args.output_dir``; returns the
    ``TrainOutput``."""
    model, processor = build_model_and_processor(args.model, args.num_frames, args.window_size, args.processor)
    trainable = model.freeze_except_alignment()
    logger.info(
        f"trainable parameters (alignment layer): {trainable:,} of {sum(p.numel() for p in model.parameters()):,}"
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=VideoTextPairs(args.data, args.videos),
        data_collator=LVCCollator(processor),
    )
    resume = training_args.resume_from_checkpoint
    if resume == "latest":
        resume = get_last_checkpoint(training_args.output_dir)
    result = trainer.train(resume_from_checkpoint=resume)
    trainer.save_model(training_args.output_dir)
    if trainer.is_world_process_zero():
        processor.save_pretrained(training_args.output_dir)
    return result


def parse_arguments(argv: list[str] | None = None) -> tuple[TrainLVCArguments, TrainingArguments]:
    """The job's and Trainer's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    parser = HfArgumentParser((TrainLVCArguments, TrainingArguments))
    parser.set_defaults(**TRAINING_DEFAULTS)
    for flag, (name, value_type) in RENAMED_FLAGS.items():
        parser.add_argument(flag, dest=name, type=value_type, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return tuple(parser.parse_args_into_dataclasses(args=argv))


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking train-lvc`` / ``scripts/train_lvc.py``: parses ``argv`` and runs :func:`train`."""
    train(*parse_arguments(argv))
    return 0


__all__ = [
    "LVCCollator",
    "MediaTextPairs",
    "TrainLVCArguments",
    "VideoTextPairs",
    "build_model_and_processor",
    "main",
    "parse_arguments",
    "train",
]

# `accelerate launch -m hf_spiking.jobs.train_lvc` runs the job in each process.
if __name__ == "__main__":
    raise SystemExit(main())
