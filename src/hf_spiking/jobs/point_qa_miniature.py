"""Open-world 3D question answering in miniature: a spiking point encoder vs its ANN twin as the eyes of a tiny
causal language model, trained and tested offline on the synthetic shapes (:mod:`hf_spiking.data.synthetic_point_qa`).

Same everything for both encoders (data, language model initialisation, steps, seeds); only the encoder's activation
differs (integer multi-spikes vs ReLU). Each stage runs through transformers' ``Trainer`` and is cached in the output
folder, so a rerun resumes where it stopped:

0. **Language model.** A tiny Qwen2 (``AutoModelForCausalLM``) trained from scratch on the text alone (training
   questions and captions, no clouds): it learns the language and the answer formats, not the shapes. Shared by
   both encoders.
1. **Alignment** (PointLLM's stage 1, captions, "describe this object."): the language model stays frozen. PointLLM
   freezes a pretrained encoder here; no pretrained encoder exists for both arms, so the encoder trains with the
   projector (``train_point_encoder``), from random initialisation in both arms.
2. **Instructions** (PointLLM's stage 2): questions from the training templates about the training shapes, mixed
   with captions; projector, language model and encoder train.

Evaluation: every question type that a held-out test shape answers, each asked once with a *held-out template*;
greedy decoding; exact match after normalisation (lower case, articles and punctuation removed); accuracy with a 95 %
Wilson interval per type and overall. Captions of test shapes: MiniLM (all-MiniLM-L6-v2) cosine between the
generated caption and the closest reference caption. Energy: the encoder's estimated energy per cloud (default,
measured convention) and its ANN twin's.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm
from transformers import HfArgumentParser, Trainer, TrainingArguments
from transformers.utils import logging

from ..console import show_info_logs
from ..data import synthetic_point_qa as qa
from ..metrics.intervals import wilson_interval
from .train_point_llm import train_stage

logger = logging.get_logger(__name__)

ENCODERS = {"snn": "multispike", "ann": "relu"}
TEXT_SEED, TRAIN_SEED, EVAL_SEED = 0, 1, 2


@dataclass(frozen=True)
class PointQASettings:
    """Sizes and budgets of one run (see ``PRESETS``)."""

    train_per_category: int = 200
    test_per_category: int = 22
    generated_points: int = 1024
    # Encoder resolution: points read per cloud and PointFormer groups (one point token each). Doubling both did not
    # make part counts readable (the count named first stayed at 62 %, the category's usual count gets 59 %), so the
    # cheaper resolution stays (see the model card).
    num_points: int = 512
    num_groups: int = 32
    text_hidden_size: int = 128
    text_layers: int = 2
    stage0_steps: int = 600
    stage1_steps: int = 800
    stage2_steps: int = 1600
    batch_size: int = 32
    stage0_learning_rate: float = 2e-3
    stage1_learning_rate: float = 1e-3
    stage2_learning_rate: float = 1e-3
    stage2_caption_fraction: float = 0.25
    # Relative frequency of each question type among stage 2's questions (types not named: 1). Part counts and
    # colour tones are the hardest answers for the encoder to read, so they are asked more often.
    stage2_question_weights: dict[str, float] = field(default_factory=lambda: {"count": 3.0, "colour": 2.0})
    caption_eval_shapes: int = 280
    energy_clouds: int = 16


PRESETS = {
    "smoke": PointQASettings(
        train_per_category=2, test_per_category=1, generated_points=256, num_points=128, num_groups=8,
        text_hidden_size=32, text_layers=1, stage0_steps=2, stage1_steps=2, stage2_steps=2, batch_size=4,
        caption_eval_shapes=4, energy_clouds=2,
    ),
    "quick": PointQASettings(
        train_per_category=10, test_per_category=3, stage0_steps=60, stage1_steps=40, stage2_steps=60,
        caption_eval_shapes=40, energy_clouds=4,
    ),
    "full": PointQASettings(),
}


# ------------------------------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------------------------------


def load_shapes(output_dir: Path, split: str, num_per_category: int, num_points: int) -> list[dict]:
    """The split's shapes, generated once and cached in ``output_dir`` (arrays in .npy, the rest in JSON)."""
    cache = output_dir / "data" / f"{split}_{num_per_category}_{num_points}"
    if not (cache / "shapes.json").is_file():
        rows = list(tqdm(qa.iter_shapes(split, num_per_category, num_points=num_points), desc=f"{split} shapes",
                         total=num_per_category * len(qa.QA_CATEGORIES)))
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cache / "points.npy", np.stack([row["points"] for row in rows]))
        meta = [{"captions": r["captions"], "attributes": asdict(r["attributes"]), "instance_id": r["instance_id"]}
                for r in rows]
        (cache / "shapes.json").write_text(json.dumps(meta))
    points = np.load(cache / "points.npy", allow_pickle=False)
    meta = json.loads((cache / "shapes.json").read_text())
    return [{**m, "attributes": qa.ShapeAttributes(**m["attributes"]), "points": p} for m, p in zip(meta, points)]


class SampledConversations(torch.utils.data.Dataset):
    """``size`` random ``{"point_cloud", "question", "answer"}`` items about ``shapes``: a caption request with
    probability ``caption_fraction``, else a question from the training templates of an answerable type, drawn in
    proportion to ``question_weights`` (type -> weight, 1 for types not named; ``None``: uniform). Item ``i`` is the
    same in every epoch and process (seeded by ``(seed, i)``)."""

    def __init__(self, shapes: list[dict], size: int, caption_fraction: float, seed: int = TRAIN_SEED,
                 question_weights: dict[str, float] | None = None):
        self.shapes, self.size, self.caption_fraction, self.seed = shapes, size, caption_fraction, seed
        self.question_probabilities = None
        if question_weights is not None:
            unknown = sorted(set(question_weights) - set(qa.QUESTION_TYPES))
            if unknown or any(weight <= 0 for weight in question_weights.values()):
                raise ValueError(f"question_weights must map question types {qa.QUESTION_TYPES} to positive weights, "
                                 f"got {question_weights}")
            weights = np.array([question_weights.get(name, 1.0) for name in qa.QUESTION_TYPES])
            self.question_probabilities = weights / weights.sum()

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        rng = np.random.default_rng([self.seed, index])
        shape = self.shapes[int(rng.integers(len(self.shapes)))]
        item = None
        if rng.random() >= self.caption_fraction:
            if self.question_probabilities is None:
                order = rng.permutation(qa.QUESTION_TYPES)
            else:  # weighted, without replacement: the first answerable type is drawn in proportion to its weight
                order = rng.choice(qa.QUESTION_TYPES, len(qa.QUESTION_TYPES), replace=False,
                                   p=self.question_probabilities)
            for question_type in order:
                item = qa.ask(shape["attributes"], str(question_type), "train", rng)
                if item is not None:
                    break
        if item is None:
            item = {"question": qa.CAPTION_REQUEST, "answer": str(rng.choice(shape["captions"]))}
        return {"point_cloud": shape["points"], "question": item["question"], "answer": item["answer"]}


class TextOnlyCollator:
    """Stage 0: the same chat prompts without the point placeholder; labels on the answer only."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, batch):
        tok = self.tokenizer
        rows, labels = [], []
        for item in batch:
            prompt = tok.apply_chat_template([{"role": "user", "content": item["question"]}], tokenize=False,
                                             add_generation_prompt=True)
            prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
            answer_ids = tok(item["answer"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
            rows.append(prompt_ids + answer_ids)
            labels.append([-100] * len(prompt_ids) + answer_ids)
        length = max(map(len, rows))
        return {
            "input_ids": torch.tensor([r + [tok.pad_token_id] * (length - len(r)) for r in rows]),
            "attention_mask": torch.tensor([[1] * len(r) + [0] * (length - len(r)) for r in rows]),
            "labels": torch.tensor([r + [-100] * (length - len(r)) for r in labels]),
        }


# ------------------------------------------------------------------------------------------------------------------
# Models and stages
# ------------------------------------------------------------------------------------------------------------------


def build_tokenizer(train_shapes: list[dict]):
    """The word tokenizer over the prompts, answers and the training captions."""
    return qa.build_point_qa_tokenizer(qa.vocabulary_words([c for shape in train_shapes for c in shape["captions"]]))


def encoder_config(settings: PointQASettings, spike_activation: str) -> dict:
    """svl-default's PointFormer on xyz + rgb at the settings' resolution, integer multi-spikes or ReLU."""
    from ..models.spiking_point_encoder.presets import SVL_DEFAULT

    return {**SVL_DEFAULT, "in_channels": 6, "num_points": settings.num_points, "num_groups": settings.num_groups,
            "point_sampling": "random", "spike_activation": spike_activation}


def build_processor(settings: PointQASettings, tokenizer, num_point_tokens: int):
    """``num_points`` random points per cloud with colour, and the word tokenizer."""
    from ..models.spiking_point_encoder import SpikingPointFeatureExtractor
    from ..models.spiking_point_llm import SpikingPointLLMProcessor

    extractor = SpikingPointFeatureExtractor(num_points=settings.num_points, sampling="random", use_color=True)
    return SpikingPointLLMProcessor(extractor, tokenizer, num_point_tokens=num_point_tokens)


def training_arguments(output_dir: Path, steps: int, learning_rate: float, batch_size: int) -> TrainingArguments:
    return TrainingArguments(
        output_dir=str(output_dir), max_steps=steps, per_device_train_batch_size=batch_size,
        learning_rate=learning_rate, lr_scheduler_type="cosine", warmup_steps=max(1, steps // 20),
        weight_decay=0.01, logging_steps=max(1, steps // 20), save_strategy="steps", save_steps=max(1, steps // 4),
        save_total_limit=1, report_to="none", remove_unused_columns=False, seed=0, dataloader_num_workers=0,
        disable_tqdm=False, use_cpu=not torch.cuda.is_available(),
    )


def _resume_point(stage_dir: Path):
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(stage_dir)) if stage_dir.is_dir() else None


def train_language_model(settings: PointQASettings, tokenizer, train_shapes, output_dir: Path):
    """Stage 0 (cached): a tiny Qwen2 trained from scratch on the training questions and captions as text."""
    from transformers import AutoConfig, AutoModelForCausalLM

    from ..models.spiking_point_llm.presets import tiny_qwen2_config

    final = output_dir / "final"
    if (final / "model.safetensors").is_file():
        return AutoModelForCausalLM.from_pretrained(final)
    torch.manual_seed(TEXT_SEED)
    config = tiny_qwen2_config(tokenizer, hidden_size=settings.text_hidden_size,
                               num_hidden_layers=settings.text_layers)
    model = AutoModelForCausalLM.from_config(AutoConfig.for_model(**config))
    args = training_arguments(output_dir, settings.stage0_steps, settings.stage0_learning_rate, settings.batch_size)
    data = SampledConversations(train_shapes, settings.stage0_steps * settings.batch_size, 0.5, seed=TEXT_SEED)
    Trainer(model=model, args=args, train_dataset=data, data_collator=TextOnlyCollator(tokenizer)).train(
        resume_from_checkpoint=_resume_point(output_dir))
    model.save_pretrained(final)
    return model


def train_point_language_model(settings, arm: str, language_model, tokenizer, train_shapes, output_dir: Path):
    """Stages 1 and 2 (cached) for one encoder arm; returns the final folder."""
    from ..models.spiking_point_llm import SpikingPointLLMConfig, SpikingPointLLMForConditionalGeneration

    final = output_dir / "stage2" / "final"
    if (final / "model.safetensors").is_file():
        return final
    stage1 = output_dir / "stage1"
    if (stage1 / "final" / "model.safetensors").is_file():
        model = SpikingPointLLMForConditionalGeneration.from_pretrained(stage1 / "final")
    else:
        torch.manual_seed(TRAIN_SEED)
        config = SpikingPointLLMConfig(
            point_config=encoder_config(settings, ENCODERS[arm]), text_config=language_model.config.to_dict(),
            point_token_id=tokenizer.convert_tokens_to_ids("<point>"),
        )
        model = SpikingPointLLMForConditionalGeneration(config)
        model.language_model.load_state_dict(language_model.state_dict())
    processor = build_processor(settings, tokenizer, model.config.num_point_tokens)
    for stage, stage_dir, steps, learning_rate, caption_fraction, question_weights in (
        ("alignment", stage1, settings.stage1_steps, settings.stage1_learning_rate, 1.0, None),
        ("instruction", output_dir / "stage2", settings.stage2_steps, settings.stage2_learning_rate,
         settings.stage2_caption_fraction, settings.stage2_question_weights),
    ):
        if (stage_dir / "final" / "model.safetensors").is_file():
            continue
        args = training_arguments(stage_dir, steps, learning_rate, settings.batch_size)
        args.resume_from_checkpoint = _resume_point(stage_dir)
        data = SampledConversations(train_shapes, steps * settings.batch_size, caption_fraction,
                                    seed=TRAIN_SEED + (stage == "instruction"), question_weights=question_weights)
        model = train_stage(model, processor, data, args, stage, train_point_encoder=True)
        model.save_pretrained(stage_dir / "final")
        processor.save_pretrained(stage_dir / "final")
    return final


# ------------------------------------------------------------------------------------------------------------------
# Evaluation
# ------------------------------------------------------------------------------------------------------------------


def held_out_questions(test_shapes: list[dict]) -> list[dict]:
    """Every answerable type of every test shape, asked once with a held-out template (seeded)."""
    rng = np.random.default_rng(EVAL_SEED)
    items = []
    for index, shape in enumerate(test_shapes):
        for question_type in qa.QUESTION_TYPES:
            item = qa.ask(shape["attributes"], question_type, "held_out", rng)
            if item is not None:
                items.append({**item, "shape": index})
    return items


@torch.no_grad()
def generate_answers(model, processor, clouds, questions, max_new_tokens: int, batch_size: int = 64) -> list[str]:
    answers = []
    for start in tqdm(range(0, len(questions), batch_size), desc="generating", leave=False):
        inputs = processor(point_clouds=list(clouds[start:start + batch_size]),
                           text=questions[start:start + batch_size])
        generated = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
        answers += processor.batch_decode(generated[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    return [answer.strip() for answer in answers]


def accuracy_summary(records: list[dict]) -> dict:
    """Exact-match accuracy with a 95 % Wilson interval, overall and per question type."""

    def stats(flags):
        low, high = wilson_interval(sum(flags), len(flags))
        return {"accuracy": sum(flags) / len(flags), "interval": [low, high], "count": len(flags)}

    per_type = {t: stats([r["correct"] for r in records if r["type"] == t])
                for t in qa.QUESTION_TYPES if any(r["type"] == t for r in records)}
    return {"overall": stats([r["correct"] for r in records]), "per_type": per_type}


def caption_similarity(generated: list[str], references: list[list[str]]) -> dict:
    """Mean over shapes of the MiniLM cosine between the generated caption and its closest reference caption."""
    from transformers import AutoModel, AutoTokenizer

    from ..models.spiking_point_encoder.modeling_spiking_point_encoder import encode_with_text_teacher
    from ..models.spiking_point_encoder.text_teacher import resolve_text_teacher

    folder = resolve_text_teacher("sentence-transformers/all-MiniLM-L6-v2")
    tokenizer, encoder = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()

    def embed(texts):
        tokens = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            features = encode_with_text_teacher(encoder, tokens["input_ids"], tokens["attention_mask"])
        return torch.nn.functional.normalize(features, dim=-1)

    scores = [float((embed(refs) @ embed([text]).T).max()) for text, refs in zip(generated, references)]
    return {"mean_max_cosine": float(np.mean(scores)), "shapes": len(scores)}


def evaluate(model_dir: Path, test_shapes: list[dict], settings: PointQASettings, output_dir: Path) -> dict:
    """Held-out QA accuracy, caption similarity and encoder energy of one trained arm (cached in ``output_dir``)."""
    from transformers import AutoModel, AutoProcessor

    from ..energy import estimate_energy

    result_file = output_dir / "evaluation.json"
    if result_file.is_file():
        return json.loads(result_file.read_text())
    model, processor = AutoModel.from_pretrained(model_dir).eval(), AutoProcessor.from_pretrained(model_dir)
    items = held_out_questions(test_shapes)
    clouds = [test_shapes[item["shape"]]["points"] for item in items]
    answers = generate_answers(model, processor, clouds, [item["question"] for item in items], max_new_tokens=8)
    records = [{**item, "prediction": answer,
                "correct": qa.normalize_answer(answer) == qa.normalize_answer(item["answer"])}
               for item, answer in zip(items, answers)]
    caption_shapes = test_shapes[:: max(1, len(test_shapes) // settings.caption_eval_shapes)][
        : settings.caption_eval_shapes]
    captions = generate_answers(model, processor, [s["points"] for s in caption_shapes],
                                [qa.CAPTION_REQUEST] * len(caption_shapes), max_new_tokens=32)
    energy_inputs = processor.feature_extractor([s["points"] for s in test_shapes[: settings.energy_clouds]],
                                                return_tensors="pt")
    report = estimate_energy(model.point_encoder, {"point_values": energy_inputs["point_values"]})
    result = {
        "questions": accuracy_summary(records),
        "captions": caption_similarity(captions, [s["captions"] for s in caption_shapes]),
        "caption_examples": [{"generated": c, "references": s["captions"]} for c, s in
                             zip(captions[:5], caption_shapes[:5])],
        "encoder_energy_mj": report.total_energy_mj,
        "encoder_dense_energy_mj": report.dense_energy_mj,
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / "predictions.jsonl", "w") as file:
        file.writelines(json.dumps(record) + "\n" for record in records)
    result_file.write_text(json.dumps(result, indent=2))
    return result


# ------------------------------------------------------------------------------------------------------------------
# The experiment
# ------------------------------------------------------------------------------------------------------------------


def run(output_dir: str | Path, settings: PointQASettings, preset: str = "custom") -> dict:
    """Data, stage 0, then stages 1-2 and evaluation for the SNN and the ANN encoder; writes ``results.json``."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_shapes = load_shapes(output_dir, "train", settings.train_per_category, settings.generated_points)
    test_shapes = load_shapes(output_dir, "test", settings.test_per_category, settings.generated_points)
    tokenizer = build_tokenizer(train_shapes)
    language_model = train_language_model(settings, tokenizer, train_shapes, output_dir / "stage0_language_model")
    results = {"preset": preset, "settings": asdict(settings), "arms": {}}
    for arm in ENCODERS:
        model_dir = train_point_language_model(settings, arm, language_model, tokenizer, train_shapes,
                                               output_dir / arm)
        results["arms"][arm] = evaluate(model_dir, test_shapes, settings, output_dir / arm)
        logger.info(f"{arm}: held-out accuracy {results['arms'][arm]['questions']['overall']['accuracy']:.3f}")
    snn, ann = (results["arms"][arm]["questions"]["overall"]["accuracy"] for arm in ("snn", "ann"))
    results["snn_minus_ann_points"] = 100 * (snn - ann)
    results["energy_ratio_ann_over_snn"] = (results["arms"]["ann"]["encoder_energy_mj"]
                                            / results["arms"]["snn"]["encoder_energy_mj"])
    results["wall_minutes_this_invocation"] = (time.time() - started) / 60
    (output_dir / "results.json").write_text(json.dumps(results, indent=2))
    return results


def results_table(results: dict) -> str:
    """Markdown table: accuracy (95 % interval) per question type and overall, caption similarity, energy."""
    types = [t for t in qa.QUESTION_TYPES if t in results["arms"]["snn"]["questions"]["per_type"]]
    header = "| Encoder | Overall | " + " | ".join(types) + " | Caption cosine | Encoder energy / cloud |"
    lines = [header, "|" + "---|" * (len(types) + 4)]

    def cell(stats):
        low, high = stats["interval"]
        return f"{100 * stats['accuracy']:.1f} [{100 * low:.1f}, {100 * high:.1f}]"

    for arm, label in (("snn", "SNN (integer multi-spikes)"), ("ann", "ANN twin (ReLU)")):
        entry = results["arms"][arm]
        row = [label, cell(entry["questions"]["overall"])]
        row += [cell(entry["questions"]["per_type"][t]) for t in types]
        row += [f"{entry['captions']['mean_max_cosine']:.3f}", f"{entry['encoder_energy_mj']:.4f} mJ"]
        lines.append("| " + " | ".join(row) + " |")
    counts = ", ".join(f"{t} {results['arms']['snn']['questions']['per_type'][t]['count']}" for t in types)
    lines.append(f"\nHeld-out questions: {results['arms']['snn']['questions']['overall']['count']} ({counts}).")
    return "\n".join(lines)


@dataclass
class ReproducePointQAArguments:
    """The command line of the experiment. ``--output_dir`` caches every stage, so rerunning resumes."""

    output_dir: str = field(metadata={"help": "folder of the run (created; a rerun resumes from it)"})
    quick: bool = field(default=False, metadata={"help": "small budgets, under 5 minutes on 2 cores"})
    smoke: bool = field(default=False, metadata={"help": "tiny budgets, seconds (tests)"})
    threads: int = field(default=2, metadata={"help": "torch intra-op threads"})

    def __post_init__(self):
        if self.quick and self.smoke:
            raise ValueError("--quick and --smoke are exclusive.")


def reproduce(args: ReproducePointQAArguments) -> dict:
    """Runs the experiment at the preset ``args`` names; returns the results."""
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    torch.set_num_threads(args.threads)
    preset = "smoke" if args.smoke else "quick" if args.quick else "full"
    results = run(args.output_dir, PRESETS[preset], preset=preset)
    logger.info("held-out 3D question answering:\n" + results_table(results))
    return results


def parse_arguments(argv: list[str] | None = None) -> ReproducePointQAArguments:
    """The job's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    (args,) = HfArgumentParser(ReproducePointQAArguments).parse_args_into_dataclasses(args=argv)
    return args


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking reproduce-point-qa-miniature`` / ``scripts/reproduce_point_qa_miniature.py``."""
    args = parse_arguments(argv)
    show_info_logs()
    reproduce(args)
    return 0


__all__ = [
    "ENCODERS",
    "PRESETS",
    "PointQASettings",
    "ReproducePointQAArguments",
    "SampledConversations",
    "TextOnlyCollator",
    "accuracy_summary",
    "build_processor",
    "build_tokenizer",
    "caption_similarity",
    "encoder_config",
    "evaluate",
    "held_out_questions",
    "load_shapes",
    "main",
    "parse_arguments",
    "reproduce",
    "results_table",
    "run",
    "train_language_model",
    "train_point_language_model",
]

if __name__ == "__main__":
    raise SystemExit(main())
