"""Two-stage training of a point-language model (:class:`SpikingPointLLMForConditionalGeneration`) with transformers'
``Trainer``, as PointLLM trains: stage ``alignment`` fits the projector on captions (encoder and language model
frozen), stage ``instruction`` tunes projector and language model (or LoRA adapters on it, ``--lora_rank``) on
instructions. ``--train_point_encoder`` also trains the encoder in either stage (for encoders not pretrained
elsewhere).

Training data is a JSON list or JSON-lines file of ``{"point_cloud": <path>, "question": "...", "answer": "..."}``
(a caption is an answer to "describe this object."); relative paths are resolved against ``--point_clouds``
(default: the data file's folder); clouds are read by the processor's feature extractor (.npy, .ply, .pcd, .off...).
The loss covers only the answer tokens. ``--model`` is a folder holding the model and its processor; the result is
saved to ``--output_dir``, LoRA adapters merged, with the processor.

    hf-spiking train-point-llm --model <dir> --data captions.jsonl --stage alignment --output_dir stage1 --max_steps 500
    accelerate launch -m hf_spiking.jobs.train_point_llm --model stage1 --data qa.jsonl --stage instruction \\
        --output_dir stage2 --max_steps 1000

All ``TrainingArguments`` flags are accepted; ``--resume_from_checkpoint latest`` continues from the newest checkpoint
in ``--output_dir``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformers import HfArgumentParser, Trainer, TrainingArguments
from transformers.trainer_utils import get_last_checkpoint
from transformers.utils import logging

from .train_lvc import MediaTextPairs

logger = logging.get_logger(__name__)

# What each stage trains: (point encoder, projector, language model), the encoder optionally added.
STAGES: dict[str, tuple[bool, bool, bool]] = {"alignment": (False, True, False), "instruction": (False, True, True)}
LORA_TARGET_MODULES = r"language_model\..*\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)"
TRAINING_DEFAULTS = {"report_to": "none", "remove_unused_columns": False, "save_strategy": "no", "seed": 0}


@dataclass
class TrainPointLLMArguments:
    model: str = field(metadata={"help": "folder with a SpikingPointLLM model and its processor"})
    data: Path = field(metadata={"help": "JSON list / JSON lines of point_cloud-question-answer"})
    stage: str = field(default="instruction", metadata={"help": "alignment (captions) or instruction"})
    point_clouds: Path | None = field(default=None, metadata={"help": "folder that relative cloud paths refer to"})
    train_point_encoder: bool = field(default=False, metadata={"help": "also train the point encoder"})
    lora_rank: int = field(default=0, metadata={"help": "instruction stage: LoRA rank on the language model (0: full)"})
    lora_alpha: int = field(default=16, metadata={"help": "LoRA alpha"})

    def __post_init__(self):
        if self.stage not in STAGES:
            raise ValueError(f"--stage must be one of {sorted(STAGES)}, got {self.stage!r}.")
        if self.lora_rank < 0 or (self.lora_rank and self.stage != "instruction"):
            raise ValueError(
                f"--lora_rank must be 0, or positive with --stage instruction; got {self.lora_rank} with "
                f"--stage {self.stage}."
            )


class PointTextPairs(MediaTextPairs):
    media_key = "point_cloud"


class PointConversationCollator:
    """A list of ``{"point_cloud", "question", "answer"}`` -> one batch (clouds, prompts with point placeholders,
    answer labels)."""

    def __init__(self, processor):
        self.processor = processor

    def __call__(self, batch):
        return dict(self.processor(
            point_clouds=[item["point_cloud"] for item in batch],
            text=[item["question"] for item in batch],
            answers=[item["answer"] for item in batch],
        ))


def prepare_stage(model, stage: str, train_point_encoder: bool = False, lora_rank: int = 0, lora_alpha: int = 16):
    """Freezes what ``stage`` does not train; with ``lora_rank`` wraps the model in peft LoRA adapters on the language
    model (the projector, and the encoder if trained, fully trainable). Returns the model to train."""
    point_encoder, projector, language_model = STAGES[stage]
    point_encoder = point_encoder or train_point_encoder
    if lora_rank:
        from peft import LoraConfig, get_peft_model

        model.set_trainable(False, False, False)
        modules_to_save = ["projector"] + (["point_encoder"] if point_encoder else [])
        model = get_peft_model(model, LoraConfig(
            r=lora_rank, lora_alpha=lora_alpha, target_modules=LORA_TARGET_MODULES, modules_to_save=modules_to_save,
        ))
        trainable = sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)
    else:
        trainable = model.set_trainable(point_encoder, projector, language_model)
    total = sum(parameter.numel() for parameter in model.parameters())
    logger.info(f"stage {stage}: {trainable:,} trainable parameters of {total:,}")
    return model


def train_stage(model, processor, train_dataset, training_args: TrainingArguments, stage: str,
                train_point_encoder: bool = False, lora_rank: int = 0, lora_alpha: int = 16):
    """One stage through ``Trainer`` (resuming from ``--resume_from_checkpoint``; ``latest`` = the newest checkpoint
    in the output folder). Returns the trained model, LoRA adapters merged, everything trainable again."""
    trainee = prepare_stage(model, stage, train_point_encoder, lora_rank, lora_alpha)
    trainer = Trainer(model=trainee, args=training_args, train_dataset=train_dataset,
                      data_collator=PointConversationCollator(processor))
    resume = training_args.resume_from_checkpoint
    if resume == "latest":
        resume = get_last_checkpoint(training_args.output_dir)
    trainer.train(resume_from_checkpoint=resume)
    trained = trainee.merge_and_unload() if lora_rank else trainee
    trained.set_trainable(True, True, True)
    return trained


def train(args: TrainPointLLMArguments, training_args: TrainingArguments):
    """Trains one stage and saves model and processor to ``training_args.output_dir``; returns the model."""
    from transformers import AutoModel, AutoProcessor

    model = AutoModel.from_pretrained(args.model)
    processor = AutoProcessor.from_pretrained(args.model)
    model = train_stage(model, processor, PointTextPairs(args.data, args.point_clouds), training_args, args.stage,
                        args.train_point_encoder, args.lora_rank, args.lora_alpha)
    if training_args.process_index == 0:
        model.save_pretrained(training_args.output_dir)
        processor.save_pretrained(training_args.output_dir)
    return model


def parse_arguments(argv: list[str] | None = None) -> tuple[TrainPointLLMArguments, TrainingArguments]:
    """The job's and Trainer's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    parser = HfArgumentParser((TrainPointLLMArguments, TrainingArguments))
    parser.set_defaults(**TRAINING_DEFAULTS)
    return tuple(parser.parse_args_into_dataclasses(args=argv))


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking train-point-llm`` / ``scripts/train_point_llm.py``: parses ``argv`` and runs :func:`train`."""
    train(*parse_arguments(argv))
    return 0


__all__ = [
    "LORA_TARGET_MODULES",
    "PointConversationCollator",
    "PointTextPairs",
    "STAGES",
    "TrainPointLLMArguments",
    "main",
    "parse_arguments",
    "prepare_stage",
    "train",
    "train_stage",
]

# `accelerate launch -m hf_spiking.jobs.train_point_llm` runs the job in each process.
if __name__ == "__main__":
    raise SystemExit(main())
