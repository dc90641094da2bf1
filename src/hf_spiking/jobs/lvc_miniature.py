"""LVC in miniature: dense sampling + query-attention compression vs sparse sampling at an equal token budget.

Three stages, each cached in the output folder so that a rerun resumes where it stopped:

1. **Image VLM.** A tiny native-transformers ``InternVLForConditionalGeneration`` (ViT on 32 x 32 frames with 8 x 8
   patches, pixel shuffle, MLP projector, Qwen2 language model, the offline word tokenizer) trained from scratch, every
   weight trainable, on single-frame QA *and* on short multi-frame clips shown frame by frame (uncompressed, InternVL's
   ``Frame{i}: <img>...</img>`` layout). The clips are needed because the image QA never contains the video words
   ("appeared", "briefly", "first", "times", "move"): a language model frozen after image-only training could not
   learn what they mean from an alignment layer alone. Real InternVL2 is likewise trained on video data before LVC.
   Half of every batch asks for the caption instead of the question ("describe the image." -> every object and its
   quadrant; "describe the video." -> every event in time order): trained on questions alone, the model stayed at the
   answer prior (loss flat at the prior's value for 1,000+ steps), with captions it starts to read the frames.
2. **LVC alignment.** The image VLM wrapped in ``LVCForVideoQA`` (16 dense frames, window 2 -> 8 pseudo-frames),
   everything frozen except the alignment layer (the projector), trained with transformers' ``Trainer`` and
   :mod:`hf_spiking.jobs.train_lvc`'s collator on the short (16-frame) synthetic videos. Trained twice: with query
   attention and with plain mean pooling (the ablation). Query attention uses a fixed softmax temperature
   (``query_temperature``, alignment and evaluation alike), chosen by ``select_query_temperature`` on validation long
   videos (seed ``VALIDATION_SEED``), never on the test questions.
3. **Long-video evaluation** (256 frames) with the multiple-choice helper (``score_options``: log-likelihood of each
   option) at equal language-model token budget M / w frames: sparse (M / w uniform frames through the image VLM),
   LVC (M dense frames, window w), LVC without alignment training, mean pooling instead of query attention.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import HfArgumentParser
from transformers.utils import logging

from ..console import show_info_logs
from ..data import synthetic_videos as sv
from ..data.synthetic_videos.tokenizer import build_word_tokenizer
from ..metrics.intervals import wilson_interval
from ..plotting import agg_pyplot, require_matplotlib

logger = logging.get_logger(__name__)

FRAME_SIZE = 32
PIXEL_MEAN = (0.5, 0.5, 0.5)
PIXEL_STD = (0.5, 0.5, 0.5)
METHODS = ("sparse", "lvc", "lvc_no_alignment", "mean_pooling")
METHOD_LABELS = {
    "sparse": "sparse: M/w uniform frames, image VLM",
    "lvc": "LVC: M dense frames, query attention",
    "lvc_no_alignment": "LVC without alignment training",
    "mean_pooling": "LVC with mean pooling (aligned)",
}
# Seeds keep the stages' data apart: training uses seed 0 (image QA, alignment videos) and seed 2 (stage-1 clips);
# held-out evaluation uses seed 1 (image QA, clips) and the long split (its own seed stream). Long videos of seed 3
# are the validation set on which the query-attention temperature is chosen (never the test questions, long seed 0).
TRAIN_SEED, HELD_OUT_SEED, CLIP_TRAIN_SEED, VALIDATION_SEED = 0, 1, 2, 3
# Held-out single-frame questions scored at each stage-1 trend point (the final stage-1 evaluation uses more).
TREND_IMAGE_QUESTIONS = 100
CAPTION_REQUESTS = {"image": "describe the image.", "video": "describe the video."}


@dataclass(frozen=True)
class MiniatureSettings:
    """Sizes and budgets of one run (see ``PRESETS``)."""

    patch_size: int = 8
    vision_hidden_size: int = 64
    vision_layers: int = 2
    text_hidden_size: int = 128
    text_layers: int = 2
    stage1_steps: int = 6000
    stage1_image_only_steps: int = 600
    stage1_batch_size: int = 16
    stage1_learning_rate: float = 1e-3
    stage1_trend_points: int = 6
    clip_frames: tuple[int, ...] = (8,)
    caption_fraction: float = 0.5
    alignment_videos: int = 10000
    alignment_frames: int = 16
    alignment_window: int = 2
    stage2_steps: int = 1250
    stage2_batch_size: int = 8
    stage2_learning_rate: float = 2e-3
    # Fixed softmax temperature of query attention, in alignment training and evaluation alike (LVCConfig's
    # ``initial_temperature``); chosen on the validation long videos with ``select_query_temperature``.
    query_temperature: float = 1.0
    eval_image_questions: int = 200
    eval_clip_questions: int = 100
    eval_long_questions: int = 500
    budgets: tuple[tuple[int, int], ...] = ((64, 8), (64, 4), (128, 8))

    @property
    def tokens_per_frame(self) -> int:
        """Visual tokens per frame after InternVL's 2 x 2 pixel shuffle."""
        return (FRAME_SIZE // self.patch_size // 2) ** 2

    def validate(self) -> None:
        if FRAME_SIZE % (2 * self.patch_size):
            raise ValueError(f"patch_size must divide {FRAME_SIZE // 2} (pixel shuffle), got {self.patch_size}.")
        for num_frames, window in self.budgets:
            if window < 1 or num_frames % window:
                raise ValueError(f"each budget (M, w) needs w >= 1 dividing M, got {(num_frames, window)}.")
        if self.alignment_frames % self.alignment_window:
            raise ValueError("alignment_window must divide alignment_frames.")
        if not self.query_temperature > 0:
            raise ValueError(f"query_temperature must be > 0, got {self.query_temperature}.")
        if any(frames not in CLIP_CONFIGS for frames in self.clip_frames):
            raise ValueError(f"clip_frames must be among {sorted(CLIP_CONFIGS)}, got {self.clip_frames}.")


PRESETS = {
    # Seconds: exercises every stage and writes every output; the numbers mean nothing.
    "smoke": MiniatureSettings(
        vision_hidden_size=32, vision_layers=1, text_hidden_size=64, text_layers=1, stage1_steps=6,
        stage1_image_only_steps=2, stage1_batch_size=4, alignment_videos=8, stage2_steps=1, stage2_batch_size=2,
        eval_image_questions=4, eval_clip_questions=4, eval_long_questions=4, budgets=((16, 4),),
        stage1_trend_points=1,
    ),
    # A few minutes on 2 cores: the recipe end to end with small budgets.
    "quick": MiniatureSettings(
        stage1_steps=100, stage1_image_only_steps=30, alignment_videos=160, stage2_steps=20, eval_image_questions=40,
        eval_clip_questions=20, eval_long_questions=40, stage1_trend_points=2, budgets=((64, 8),),
    ),
    # The protocol (sized for well under 60 min on a shared 2-core machine): >= 500 long-video questions. The
    # temperature was chosen among 1, 0.3, 0.1 and 0.03 on 200 validation long videos at M = 64, w = 8
    # (``select_query_temperature``; reproduce-lvc-miniature --select_temperature): 0.385, 0.335, 0.370, 0.485.
    "full": MiniatureSettings(query_temperature=0.03),
}

# Stage-1 clips: all frames shown, events lasting 1-2 frames, as the language model later sees events in 8 or 16
# (pseudo-)frames of a long video.
CLIP_CONFIGS = {
    8: sv.SyntheticVideoConfig(num_frames=8, brief_event_length=(1, 1), direction_event_length=(3, 4), min_event_gap=1),
    16: sv.SyntheticVideoConfig(
        num_frames=16, brief_event_length=(1, 2), direction_event_length=(6, 8), min_event_gap=1
    ),
}


# ------------------------------------------------------------------------------------------------------------------
# Building blocks
# ------------------------------------------------------------------------------------------------------------------


def build_image_processor():
    """InternVL's image processor (PIL backend; the torchvision one is unavailable here) at the frames' own size."""
    from transformers.models.got_ocr2.image_processing_pil_got_ocr2 import GotOcr2ImageProcessorPil

    return GotOcr2ImageProcessorPil(
        size={"height": FRAME_SIZE, "width": FRAME_SIZE}, crop_to_patches=False, image_mean=PIXEL_MEAN,
        image_std=PIXEL_STD,
    )


def frames_to_pixels(frames: np.ndarray) -> torch.Tensor:
    """uint8 ``[N, H, W, 3]`` -> normalised ``[N, 3, H, W]``, exactly what ``build_image_processor`` returns (a test
    checks this); used in the training loops, where the PIL processor would dominate the step time."""
    pixels = torch.from_numpy(np.ascontiguousarray(frames)).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(PIXEL_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(PIXEL_STD).view(1, 3, 1, 1)
    return (pixels - mean) / std


def build_processor(tokenizer, num_frames: int, window_size: int, tokens_per_frame: int, image_processor=None):
    from ..models.lvc import LVCProcessor

    return LVCProcessor(
        image_processor or build_image_processor(), tokenizer, num_frames=num_frames, window_size=window_size,
        tokens_per_frame=tokens_per_frame,
    )


def build_image_vlm(settings: MiniatureSettings, tokenizer):
    """A randomly initialised native InternVL (``InternVLForConditionalGeneration``) of the given sizes."""
    from transformers import InternVLForConditionalGeneration

    from ..models.lvc.presets import tiny_internvl_config

    config = tiny_internvl_config(
        vocab_size=len(tokenizer), image_token_id=tokenizer.context_image_token_id,
        hidden_size=settings.text_hidden_size, num_hidden_layers=settings.text_layers,
        vision_hidden_size=settings.vision_hidden_size, vision_layers=settings.vision_layers,
        image_size=FRAME_SIZE, patch_size=settings.patch_size,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.bos_token_id,
    )
    return InternVLForConditionalGeneration(config)


def summarize(records: list[dict]) -> dict:
    """Accuracy with a 95 % Wilson interval, overall and per question type, from ``{"type", "correct"}`` records."""

    def stats(flags):
        low, high = wilson_interval(sum(flags), len(flags))
        return {"accuracy": sum(flags) / len(flags), "ci95": [low, high], "num_questions": len(flags)}

    per_type = defaultdict(list)
    for record in records:
        per_type[record["type"]].append(bool(record["correct"]))
    return {
        "overall": stats([bool(record["correct"]) for record in records]),
        "per_type": {name: stats(flags) for name, flags in sorted(per_type.items())},
    }


# ------------------------------------------------------------------------------------------------------------------
# Stage 1: the image VLM
# ------------------------------------------------------------------------------------------------------------------


def _image_batch(start: int, size: int) -> tuple[np.ndarray, list[dict]]:
    examples = [sv.generate_image_example(start + i, seed=TRAIN_SEED) for i in range(size)]
    return np.stack([example["image"] for example in examples])[:, None], examples


def _clip_batch(num_frames: int, start: int, size: int, seed: int = CLIP_TRAIN_SEED) -> tuple[np.ndarray, list[dict]]:
    config = CLIP_CONFIGS[num_frames]
    examples = [sv.generate_video_example(start + i, seed=seed, config=config, split="short") for i in range(size)]
    return np.stack([sv.render_video(example) for example in examples]), examples


def _stage1_loss(model, processors, frames: np.ndarray, examples: list[dict], caption_fraction: float) -> torch.Tensor:
    """Answer-token loss; the first ``caption_fraction`` of the batch is asked for its caption instead of its
    question (every object, and for clips every event in time order, is then named: a denser training signal)."""
    processor = processors[frames.shape[1]]
    num_captions = round(caption_fraction * len(examples))
    request = CAPTION_REQUESTS["image" if frames.shape[1] == 1 else "video"]
    questions = [request] * num_captions + [example["question"] for example in examples[num_captions:]]
    answers = [example["caption"] for example in examples[:num_captions]]
    answers += [example["answer"] for example in examples[num_captions:]]
    prompts = [processor.build_prompt(question) for question in questions]
    text = processor.tokenize_with_answers(prompts, answers)
    return model(
        input_ids=text["input_ids"], attention_mask=text["attention_mask"], labels=text["labels"],
        pixel_values=frames_to_pixels(frames.reshape(-1, *frames.shape[2:])),
    ).loss


def _held_out_image_accuracy(model, tokenizer, scratch: Path, num_questions: int) -> float:
    """Held-out single-frame accuracy of the model being trained (saved, then scored like the final evaluation)."""
    model.save_pretrained(scratch)
    examples = [sv.generate_image_example(i, seed=HELD_OUT_SEED) for i in range(num_questions)]
    scored = load_lvc(scratch, 1, 1)
    processor = build_processor(tokenizer, 1, 1, scored.tokens_per_frame)
    records = score_questions(scored, processor, ((example["image"][None], example) for example in examples))
    shutil.rmtree(scratch)
    return summarize(records)["overall"]["accuracy"]


def train_image_vlm(settings: MiniatureSettings, tokenizer, output_dir: Path) -> list[dict]:
    """Stage 1: every weight trainable; batches alternate between single-frame QA and each clip length. Returns the
    training trend: mean recent loss per source and held-out single-frame accuracy at ``stage1_trend_points`` steps."""
    model = build_image_vlm(settings, tokenizer)
    image_processor = build_image_processor()
    processors = {
        frames: build_processor(tokenizer, frames, 1, settings.tokens_per_frame, image_processor)
        for frames in (1, *settings.clip_frames)
    }
    # Clips are the harder task (and the one the language model must learn the video words from): twice as often.
    sources = ("image", *settings.clip_frames, *settings.clip_frames)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.stage1_learning_rate, weight_decay=0.01)
    warmup = max(1, settings.stage1_steps // 20)

    def learning_rate_factor(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, settings.stage1_steps - warmup)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate_factor)
    batch = settings.stage1_batch_size
    model.train()
    started, running, trend = time.time(), defaultdict(list), []
    points = settings.stage1_trend_points
    trend_steps = {round(k * settings.stage1_steps / points) for k in range(1, points + 1)}
    for step in range(settings.stage1_steps):
        # Single frames first: the vision tower learns to see before multi-frame clips are mixed in.
        source = "image" if step < settings.stage1_image_only_steps else sources[step % len(sources)]
        offset = step * batch  # fresh, never repeated examples
        frames, examples = _image_batch(offset, batch) if source == "image" else _clip_batch(source, offset, batch)
        loss = _stage1_loss(model, processors, frames, examples, settings.caption_fraction)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        running[source].append(loss.item())
        if (step + 1) % max(1, settings.stage1_steps // 15) == 0 or step + 1 == settings.stage1_steps:
            losses = ", ".join(f"{name}: {np.mean(values[-20:]):.3f}" for name, values in running.items())
            elapsed = time.time() - started
            logger.info(f"stage 1 step {step + 1}/{settings.stage1_steps} loss {losses} ({elapsed:.0f} s)")
        if step + 1 in trend_steps:
            accuracy = _held_out_image_accuracy(
                model, tokenizer, output_dir.parent / "stage1_trend_checkpoint", TREND_IMAGE_QUESTIONS
            )
            trend.append({
                "step": step + 1, "seconds": round(time.time() - started, 1), "held_out_image_accuracy": accuracy,
                "loss": {str(name): float(np.mean(values[-50:])) for name, values in running.items()},
            })
            logger.info(
                f"stage 1 step {step + 1}: held-out image QA accuracy {accuracy:.3f} ({TREND_IMAGE_QUESTIONS} q)"
            )
    model.save_pretrained(output_dir)
    tokenizer.save_pretrained(output_dir)
    return trend


# ------------------------------------------------------------------------------------------------------------------
# Evaluation with the multiple-choice helper
# ------------------------------------------------------------------------------------------------------------------


def load_lvc(
    checkpoint: Path, num_frames: int, window_size: int, compression_mode: str = "query_attention",
    temperature: float = 1.0,
):
    from ..models.lvc import LVCForVideoQA

    model = LVCForVideoQA.from_pretrained(
        checkpoint, num_frames=num_frames, window_size=window_size, compression_mode=compression_mode,
        initial_temperature=temperature,
    )
    return model.eval()


def score_questions(model, processor, items) -> list[dict]:
    """``items`` yields ``(frames [M, H, W, 3], example)``; each is answered by the option with the highest
    log-likelihood (``score_options``, the video-question-answering pipeline's multiple-choice helper)."""
    from ..models.lvc.pipeline_lvc import score_options

    records = []
    for frames, example in tqdm(items, desc="scoring options", unit="question", leave=False):
        inputs = processor(videos=frames, text=example["question"])
        scores = score_options(model, processor, inputs, example["question"], list(example["options"]))
        predicted = int(np.argmax(scores))
        records.append({
            "type": example["question_type"], "predicted": predicted, "answer": int(example["answer_index"]),
            "correct": predicted == int(example["answer_index"]),
        })
    return records


def evaluate_image_vlm(settings: MiniatureSettings, checkpoint: Path, tokenizer) -> dict:
    """Held-out single-frame accuracy (the image VLM's own task) and accuracy on held-out clips shown frame by frame."""
    image_examples = [sv.generate_image_example(i, seed=HELD_OUT_SEED) for i in range(settings.eval_image_questions)]
    model = load_lvc(checkpoint, 1, 1)
    image_records = score_questions(
        model, build_processor(tokenizer, 1, 1, model.tokens_per_frame), ((example["image"][None], example) for example in image_examples)
    )
    results = {"image_qa": summarize(image_records)}
    for frames in settings.clip_frames:
        clip_frames, clip_examples = _clip_batch(frames, 0, settings.eval_clip_questions, seed=HELD_OUT_SEED)
        model = load_lvc(checkpoint, frames, 1)
        processor = build_processor(tokenizer, frames, 1, model.tokens_per_frame)
        records = score_questions(model, processor, zip(clip_frames, clip_examples))
        results[f"clips_{frames}_frames"] = summarize(records)
    return results


# ------------------------------------------------------------------------------------------------------------------
# Stage 2: alignment with Trainer and the train-lvc job's collator
# ------------------------------------------------------------------------------------------------------------------


class ShortVideoPairs(torch.utils.data.Dataset):
    """The short synthetic videos as ``{"video": uint8 [16, H, W, 3], "question", "answer"}`` rows (rendered on read),
    the row format of :class:`hf_spiking.jobs.train_lvc.LVCCollator`."""

    def __init__(self, num_examples: int, seed: int = TRAIN_SEED):
        self.specs = sv.short_video_dataset(num_examples, seed=seed, render=False)

    def __len__(self):
        return len(self.specs)

    def __getitem__(self, index):
        row = self.specs[index]
        return {"video": sv.render_video(row), "question": row["question"], "answer": row["answer"]}


def align_lvc(settings: MiniatureSettings, image_vlm: Path, tokenizer, compression_mode: str, output_dir: Path):
    """Stage 2: only the projector trains; transformers ``Trainer`` with ``train_lvc.LVCCollator``."""
    from transformers import Trainer, TrainingArguments

    from .train_lvc import LVCCollator

    model = load_lvc(
        image_vlm, settings.alignment_frames, settings.alignment_window, compression_mode, settings.query_temperature
    )
    trainable = model.freeze_except_alignment()
    processor = build_processor(
        tokenizer, settings.alignment_frames, settings.alignment_window, model.tokens_per_frame
    )
    arguments = TrainingArguments(
        output_dir=str(output_dir / "trainer"),
        max_steps=settings.stage2_steps,
        per_device_train_batch_size=settings.stage2_batch_size,
        learning_rate=settings.stage2_learning_rate,
        warmup_steps=max(1, settings.stage2_steps // 20),
        lr_scheduler_type="cosine",
        remove_unused_columns=False,
        save_strategy="no",
        report_to=[],
        logging_steps=max(1, settings.stage2_steps // 10),
        seed=TRAIN_SEED,
        dataloader_num_workers=0,
        use_cpu=not torch.cuda.is_available(),
    )
    trainer = Trainer(
        model=model.train(),
        args=arguments,
        train_dataset=ShortVideoPairs(settings.alignment_videos),
        data_collator=LVCCollator(processor),
    )
    result = trainer.train()
    if trainer.is_world_process_zero():
        trainer.save_model(str(output_dir))
        processor.save_pretrained(str(output_dir))
        losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
        summary = {"trainable_parameters": trainable, "train_loss": result.training_loss, "logged_losses": losses}
        (output_dir / "alignment.json").write_text(json.dumps(summary, indent=2))
    return trainer


# ------------------------------------------------------------------------------------------------------------------
# Stage 3: long videos at equal token budget
# ------------------------------------------------------------------------------------------------------------------


def method_setup(method: str, num_frames: int, window: int, checkpoints: dict[str, Path]):
    """(checkpoint, frames sampled, window, compression mode) of one method at budget (M, w)."""
    if method == "sparse":
        return checkpoints["image_vlm"], num_frames // window, 1, "query_attention"
    if method == "lvc":
        return checkpoints["query_attention"], num_frames, window, "query_attention"
    if method == "lvc_no_alignment":
        return checkpoints["image_vlm"], num_frames, window, "query_attention"
    if method == "mean_pooling":
        return checkpoints["mean"], num_frames, window, "mean"
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}.")


def evaluate_long_videos(
    method, num_frames, window, checkpoints, tokenizer, examples, temperature: float = 1.0
) -> list[dict]:
    """``temperature``: the query-attention softmax temperature (no effect on sparse sampling or mean pooling)."""
    checkpoint, sampled, window_size, mode = method_setup(method, num_frames, window, checkpoints)
    model = load_lvc(checkpoint, sampled, window_size, mode, temperature)
    processor = build_processor(tokenizer, sampled, window_size, model.tokens_per_frame)
    items = (
        (sv.render_frames(example, sv.uniform_frame_indices(example["num_frames"], sampled)), example)
        for example in examples
    )
    return score_questions(model, processor, items)


def select_query_temperature(
    settings: MiniatureSettings, image_vlm: Path, tokenizer, output_dir: Path,
    candidates: tuple[float, ...] = (1.0, 0.3, 0.1, 0.03), num_questions: int = 200, budget: tuple[int, int] = (64, 8),
) -> dict:
    """Chooses the query-attention temperature on validation long videos (seed ``VALIDATION_SEED``, disjoint from the
    test questions): per candidate, the alignment layer is trained at that temperature (``align_lvc``, cached in
    ``output_dir/temperature_<t>``) and LVC is scored at ``budget``. Returns every candidate's summary and the most
    accurate candidate (ties: the earlier one)."""
    examples = [sv.generate_video_example(i, seed=VALIDATION_SEED) for i in range(num_questions)]
    num_frames, window = budget
    summaries = {}
    for temperature in candidates:
        candidate_settings = replace(settings, query_temperature=temperature)
        checkpoint = output_dir / f"temperature_{temperature:g}"
        if not (checkpoint / "alignment.json").is_file():
            logger.info(f"temperature {temperature:g}: aligning LVC on {settings.alignment_videos} short videos")
            align_lvc(candidate_settings, image_vlm, tokenizer, "query_attention", checkpoint)
        records = _cached_json(
            checkpoint / f"validation_M{num_frames}_w{window}_{num_questions}q.json",
            lambda: evaluate_long_videos(
                "lvc", num_frames, window, {"query_attention": checkpoint}, tokenizer, examples, temperature
            ),
        )
        summaries[f"{temperature:g}"] = summary = summarize(records)
        logger.info(f"temperature {temperature:g}: validation accuracy {summary['overall']['accuracy']:.3f}")
    chosen = max(candidates, key=lambda t: (summaries[f"{t:g}"]["overall"]["accuracy"], -candidates.index(t)))
    return {"validation_seed": VALIDATION_SEED, "budget": list(budget), "num_questions": num_questions,
            "candidates": summaries, "chosen": chosen}  # fmt: skip


# ------------------------------------------------------------------------------------------------------------------
# Driver
# ------------------------------------------------------------------------------------------------------------------


def _cached_json(path: Path, compute):
    if path.is_file():
        return json.loads(path.read_text())
    value = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2))
    return value


def run(output_dir: str | Path, settings: MiniatureSettings, preset: str = "custom") -> dict:
    """Runs (or resumes) all stages; writes ``results.json`` and ``accuracy_vs_frames.png`` in ``output_dir``."""
    settings.validate()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    # The plot is the run's last step: fail now, not after the training.
    require_matplotlib("reproduce-lvc-miniature ends with a plot")
    settings_file = output_dir / "settings.json"
    recorded = {"preset": preset, **json.loads(json.dumps(asdict(settings)))}
    # Budgets only choose which evaluations run (each is cached under its own name): a rerun may add or drop some.
    trained_with = {key: value for key, value in recorded.items() if key != "budgets"}
    # Runs recorded before ``query_temperature`` existed used temperature 1.0.
    previous = {"query_temperature": 1.0, **json.loads(settings_file.read_text())} if settings_file.is_file() else None
    if previous is not None and {key: value for key, value in previous.items() if key != "budgets"} != trained_with:
        raise ValueError(
            f"{output_dir} holds a run with other settings ({settings_file}); use another --output-dir or delete it."
        )
    settings_file.write_text(json.dumps(recorded, indent=2))
    started = time.time()
    tokenizer = build_word_tokenizer()
    checkpoints = {
        "image_vlm": output_dir / "stage1_image_vlm",
        "query_attention": output_dir / "stage2_lvc_query_attention",
        "mean": output_dir / "stage2_lvc_mean_pooling",
    }

    trend_file = output_dir / "stage1_trend.json"
    if not (checkpoints["image_vlm"] / "model.safetensors").is_file():
        logger.info("stage 1: training the image VLM from scratch")
        trend_file.write_text(json.dumps(train_image_vlm(settings, tokenizer, checkpoints["image_vlm"]), indent=2))
    stage1_trend = json.loads(trend_file.read_text()) if trend_file.is_file() else []
    stage1 = _cached_json(
        output_dir / "stage1_accuracy.json", lambda: evaluate_image_vlm(settings, checkpoints["image_vlm"], tokenizer)
    )
    logger.info(f"stage 1: held-out image QA accuracy {stage1['image_qa']['overall']['accuracy']:.3f}")

    alignment = {}
    for mode, key in (("query_attention", "query_attention"), ("mean", "mean")):
        if not (checkpoints[key] / "alignment.json").is_file():
            logger.info(f"stage 2: aligning LVC ({mode}) on {settings.alignment_videos} short videos")
            align_lvc(settings, checkpoints["image_vlm"], tokenizer, mode, checkpoints[key])
        alignment[mode] = json.loads((checkpoints[key] / "alignment.json").read_text())

    examples = [sv.generate_video_example(i, seed=TRAIN_SEED) for i in range(settings.eval_long_questions)]
    long_videos = {}
    for num_frames, window in settings.budgets:
        budget = f"M{num_frames}_w{window}"
        long_videos[budget] = {"num_frames": num_frames, "window": window, "pseudo_frames": num_frames // window,
                               "visual_tokens": num_frames // window * settings.tokens_per_frame, "methods": {}}  # fmt: skip
        for method in METHODS:
            records = _cached_json(
                output_dir / "eval_cache" / f"{budget}_{method}.json",
                lambda: evaluate_long_videos(
                    method, num_frames, window, checkpoints, tokenizer, examples, settings.query_temperature
                ),
            )
            summary = summarize(records)
            sampled = method_setup(method, num_frames, window, checkpoints)[1]
            long_videos[budget]["methods"][method] = {"frames_sampled": sampled, **summary}
            logger.info(f"stage 3 {budget} {method}: accuracy {summary['overall']['accuracy']:.3f}")

    coverage = sv.coverage_by_num_frames(examples, sorted({n for m, w in settings.budgets for n in (m, m // w)}))
    results = {
        "preset": preset,
        "settings": recorded,
        "tokens_per_frame": settings.tokens_per_frame,
        "stage1_image_vlm": stage1,
        "stage1_trend": stage1_trend,
        "stage2_alignment": alignment,
        "long_videos": long_videos,
        "evidence_coverage": {kind: {str(n): v for n, v in per.items()} for kind, per in coverage.items()},
        "question_types": list(sv.VIDEO_QUESTION_TYPES),
        "methods": {method: METHOD_LABELS[method] for method in METHODS},
        "wall_time_s_this_invocation": round(time.time() - started, 1),
    }
    (output_dir / "results.json").write_text(json.dumps(results, indent=2))
    plot_results(results, output_dir / "accuracy_vs_frames.png")
    return results


def plot_results(results: dict, path: Path) -> None:
    """Overall long-video accuracy (95 % CI) of every method, grouped by budget (M, w): one bar per method."""
    plt = agg_pyplot()
    budgets = list(results["long_videos"].values())
    figure, axis = plt.subplots(figsize=(7, 4.5), dpi=100)
    width = 0.8 / len(METHODS)
    for offset, method in enumerate(METHODS):
        overall = [entry["methods"][method]["overall"] for entry in budgets]
        accuracy = np.array([stats["accuracy"] for stats in overall])
        errors = [accuracy - [stats["ci95"][0] for stats in overall], [stats["ci95"][1] for stats in overall] - accuracy]
        positions = np.arange(len(budgets)) + (offset - (len(METHODS) - 1) / 2) * width
        axis.bar(positions, accuracy, width, yerr=errors, capsize=3, label=METHOD_LABELS[method])
    axis.axhline(0.25, color="grey", linestyle=":", linewidth=1, label="chance (4 options)")
    axis.set_xticks(
        np.arange(len(budgets)),
        [f"M = {entry['num_frames']}, w = {entry['window']}\n{entry['pseudo_frames']} LM frames" for entry in budgets],
    )
    axis.set_ylabel("multiple-choice accuracy (95 % CI)")
    axis.set_ylim(0, 1)
    axis.set_title("LVC in miniature: 256-frame synthetic videos, equal language-model token budget", fontsize=9)
    axis.legend(fontsize=7, loc="upper right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def results_markdown(results: dict) -> str:
    """The long-video table (accuracy and 95 % CI per method and question type) as Markdown, one block per budget."""
    types = results["question_types"]
    blocks = []
    for budget, entry in results["long_videos"].items():
        lines = [
            f"**M = {entry['num_frames']}, w = {entry['window']}**: {entry['pseudo_frames']} (pseudo-)frames x "
            f"{results['tokens_per_frame']} tokens = {entry['visual_tokens']} visual tokens for every method.",
            "",
            "| Method | Frames sampled | Overall | " + " | ".join(types) + " |",
            "|---|---|---|" + "---|" * len(types),
        ]
        for method, stats in entry["methods"].items():

            def cell(values):
                low, high = values["ci95"]
                return f"{values['accuracy']:.3f} [{low:.2f}, {high:.2f}]"

            row = [METHOD_LABELS[method], str(stats["frames_sampled"]), cell(stats["overall"])]
            row += [cell(stats["per_type"][t]) for t in types]
            lines.append("| " + " | ".join(row) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def settings_for(preset: str, **overrides) -> MiniatureSettings:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {sorted(PRESETS)}.")
    return replace(PRESETS[preset], **{key: value for key, value in overrides.items() if value is not None})


# ------------------------------------------------------------------------------------------------------------------
# Command line (hf-spiking reproduce-lvc-miniature, scripts/reproduce_lvc_miniature.py)
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class ReproduceLVCMiniatureArguments:
    """The command line of the protocol. Flags may be spelt with dashes or underscores (``--output-dir``).

    ``--output_dir`` caches every stage (checkpoints, accuracy JSONs, per-method evaluation records), so rerunning the
    same command resumes; results are ``results.json`` and ``accuracy_vs_frames.png``. ``--select_temperature``
    (after stage 1) retrains the alignment layer at each candidate query-attention temperature and scores it on 200
    validation long videos (seed 3; the test questions are seed 0): that is how the full preset's 0.03 was chosen.
    """

    output_dir: str = field(metadata={"help": "folder of the run (created; a rerun resumes from it)"})
    quick: bool = field(default=False, metadata={"help": "small budgets, a few minutes on 2 cores"})
    smoke: bool = field(default=False, metadata={"help": "tiny model and budgets, seconds (tests)"})
    threads: int = field(default=1, metadata={"help": "torch intra-op threads (default 1; at most 2)"})
    stage1_steps: int | None = field(default=None, metadata={"help": "override the preset's stage-1 steps"})
    stage2_steps: int | None = field(default=None, metadata={"help": "override the preset's stage-2 steps"})
    eval_long_questions: int | None = field(default=None, metadata={"help": "long-video test questions"})
    caption_fraction: float | None = field(
        default=None,
        metadata={"help": "share of each stage-1 batch trained on captions instead of questions (default 0.5)"},
    )
    budgets: str | None = field(
        default=None,
        metadata={"help": "comma-separated MxW budgets to evaluate, e.g. 64x8,64x4 (full preset: 64x8,64x4,128x8; "
                  "--quick: 64x8); a rerun with other budgets reuses the trained stages"},
    )
    query_temperature: float | None = field(
        default=None,
        metadata={"help": "fixed query-attention softmax temperature for alignment and evaluation (overrides the "
                  "preset's)"},
    )
    select_temperature: bool = field(
        default=False,
        metadata={"help": "instead of the protocol: choose the query-attention temperature on validation long videos "
                  "(seed 3, disjoint from the test questions) with the stage-1 model already in --output_dir; writes "
                  "temperature_selection/selection.json"},
    )

    def __post_init__(self):
        if self.quick and self.smoke:
            raise ValueError("--quick and --smoke are exclusive.")


def parse_budgets(text: str) -> tuple[tuple[int, int], ...]:
    try:
        return tuple(tuple(int(part) for part in item.lower().split("x", 1)) for item in text.split(","))
    except ValueError:
        raise ValueError(f"--budgets must look like 64x8,64x4 (M x w), got {text!r}.") from None


def results_table(results: dict) -> str:
    """Plain-text accuracy table per budget: frames sampled, overall and per question type for each method."""
    types = results["question_types"]
    lines = []
    for budget, entry in results["long_videos"].items():
        lines.append(f"{budget}: {entry['pseudo_frames']} frames x {results['tokens_per_frame']} tokens to the LM")
        lines.append(f"{'method':<18}{'frames':>7}{'overall':>9}  " + "".join(f"{t:>10}" for t in types))
        for method, stats in entry["methods"].items():
            per_type = "".join(f"{stats['per_type'][t]['accuracy']:>10.3f}" for t in types)
            lines.append(f"{method:<18}{stats['frames_sampled']:>7}{stats['overall']['accuracy']:>9.3f}  {per_type}")
    return "\n".join(lines)


def select_temperature(output_dir: str | Path, settings: MiniatureSettings) -> dict:
    """Runs :func:`select_query_temperature` with the stage-1 model in ``output_dir``; writes and returns the
    selection (``temperature_selection/selection.json``)."""
    image_vlm = Path(output_dir) / "stage1_image_vlm"
    if not (image_vlm / "model.safetensors").is_file():
        raise ValueError(f"no stage-1 model in {image_vlm}; run the protocol with this --output_dir first.")
    selection = select_query_temperature(
        settings, image_vlm, build_word_tokenizer(), Path(output_dir) / "temperature_selection",
        num_questions=min(200, settings.eval_long_questions), budget=settings.budgets[0],
    )
    (Path(output_dir) / "temperature_selection" / "selection.json").write_text(json.dumps(selection, indent=2))
    for temperature, summary in selection["candidates"].items():
        logger.info(f"temperature {temperature:>6}: validation accuracy {summary['overall']['accuracy']:.3f}")
    logger.info(f"chosen: {selection['chosen']:g}")
    return selection


def reproduce(args: ReproduceLVCMiniatureArguments) -> dict:
    """The protocol (:func:`run`) at the preset and overrides ``args`` name, or the temperature selection; returns the
    results (or the selection)."""
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    preset = "smoke" if args.smoke else "quick" if args.quick else "full"
    settings = settings_for(
        preset, stage1_steps=args.stage1_steps, stage2_steps=args.stage2_steps,
        eval_long_questions=args.eval_long_questions, caption_fraction=args.caption_fraction,
        budgets=parse_budgets(args.budgets) if args.budgets else None, query_temperature=args.query_temperature,
    )
    if args.select_temperature:
        return select_temperature(args.output_dir, settings)
    results = run(args.output_dir, settings, preset=preset)
    logger.info("long-video accuracy at equal token budget:\n" + results_table(results))
    return results


def parse_arguments(argv: list[str] | None = None) -> ReproduceLVCMiniatureArguments:
    """The job's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    (args,) = HfArgumentParser(ReproduceLVCMiniatureArguments).parse_args_into_dataclasses(args=argv)
    return args


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking reproduce-lvc-miniature`` / ``scripts/reproduce_lvc_miniature.py``: parses ``argv`` and runs
    :func:`reproduce`, logging progress and the results table."""
    args = parse_arguments(argv)
    show_info_logs()
    reproduce(args)
    return 0


__all__ = [
    "CLIP_CONFIGS",
    "METHODS",
    "MiniatureSettings",
    "PRESETS",
    "ReproduceLVCMiniatureArguments",
    "ShortVideoPairs",
    "align_lvc",
    "build_image_processor",
    "build_image_vlm",
    "build_processor",
    "evaluate_image_vlm",
    "evaluate_long_videos",
    "frames_to_pixels",
    "main",
    "parse_arguments",
    "parse_budgets",
    "plot_results",
    "reproduce",
    "results_markdown",
    "results_table",
    "run",
    "select_query_temperature",
    "select_temperature",
    "settings_for",
    "summarize",
    "train_image_vlm",
]

if __name__ == "__main__":
    raise SystemExit(main())
