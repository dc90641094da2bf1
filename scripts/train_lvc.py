#!/usr/bin/env python
"""Aligns an LVC model on short video-text pairs: only the VLM's alignment layer (projector) is trained, as in LVC.

Training data is a JSON list (or JSON-lines file) of ``{"video": <path>, "question": "...", "answer": "..."}``;
relative video paths are resolved against ``--videos`` (default: the data file's folder). The loss covers only the
answer tokens. ``--model`` is an LVC folder or a plain InternVL ``-hf`` folder (then ``--num-frames`` /
``--window-size`` set the compression). The result (model + processor) is saved to ``--output-dir``.

    accelerate launch scripts/train_lvc.py --model <dir> --data pairs.json --output-dir out --max-steps 500
"""

import argparse
import json
from pathlib import Path

import torch
from torch.utils.data import Dataset


class VideoTextPairs(Dataset):
    def __init__(self, data_file: Path, videos: Path | None = None):
        text = data_file.read_text()
        if text.lstrip().startswith("["):
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        root = videos or data_file.parent
        self.records = []
        for index, record in enumerate(records):
            missing = {"video", "question", "answer"} - record.keys()
            if missing:
                raise ValueError(f"{data_file} item {index} lacks {sorted(missing)}.")
            video = Path(record["video"])
            self.records.append({**record, "video": str(video if video.is_absolute() else root / video)})
        if not self.records:
            raise ValueError(f"{data_file} holds no video-text pairs.")

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]


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

    from hf_spiking.models.lvc import LVCForVideoQA, LVCProcessor

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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="LVC folder or InternVL -hf folder")
    parser.add_argument("--processor", default=None, help="processor folder (default: --model)")
    parser.add_argument("--data", required=True, type=Path, help="JSON list / JSON lines of video-question-answer")
    parser.add_argument("--videos", type=Path, default=None, help="folder that relative video paths refer to")
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--num-frames", type=int, default=None)
    parser.add_argument("--window-size", type=int, default=None)
    parser.add_argument("--max-steps", type=int, default=-1)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--gradient-accumulation-steps", type=int, default=1)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--activation-checkpointing", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import hf_spiking  # noqa: F401  (registers LVC with the Auto* classes)
    from transformers import Trainer, TrainingArguments

    model, processor = build_model_and_processor(args.model, args.num_frames, args.window_size, args.processor)
    trainable = model.freeze_except_alignment()
    print(f"trainable parameters (alignment layer): {trainable:,} of {sum(p.numel() for p in model.parameters()):,}")

    training_args = TrainingArguments(
        output_dir=str(args.output_dir),
        max_steps=args.max_steps,
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        learning_rate=args.learning_rate,
        activation_checkpointing=args.activation_checkpointing,
        remove_unused_columns=False,
        save_strategy="no",
        report_to=[],
        logging_steps=10,
        seed=args.seed,
        use_cpu=not torch.cuda.is_available(),
    )
    trainer = Trainer(
        model=model,
        args=training_args,
        train_dataset=VideoTextPairs(args.data, args.videos),
        data_collator=LVCCollator(processor),
    )
    result = trainer.train()
    trainer.save_model(str(args.output_dir))
    if trainer.is_world_process_zero():
        processor.save_pretrained(str(args.output_dir))
    return result


if __name__ == "__main__":
    main()
