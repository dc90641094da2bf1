"""Multiple-choice video QA accuracy of an LVC model on MLVU or Video-MME annotations, per task type.

Annotation formats, as the benchmarks release them:

- MLVU (dev, multiple-choice tasks): ``MLVU/json/<n>_<task>.json`` files, each a list of
  ``{"video": "x.mp4", "duration": 123.0, "question": "...", "candidates": ["...", ...], "answer": "<candidate>",
  "question_type": "plotQA"}``; videos live in ``<videos>/<n>_<task>/x.mp4`` (or directly in ``<videos>/``).
  ``--annotations`` takes one such file or the ``json`` folder.
- Video-MME: the Hugging Face release's flat rows (``videomme/test-*.parquet``, or the same rows as a JSON list)
  ``{"video_id": "001", "duration": "short", "domain": "...", "sub_category": "...", "videoID": "fFjv93ACGo8",
  "question_id": "001-1", "task_type": "Counting Problem", "question": "...", "options": ["A. ...", ...],
  "answer": "C"}``, or the GitHub release's nested JSON (``[{"video_id", "duration", "domain", "sub_category",
  "videoID"?, "url"?, "questions": [{"question_id", "task_type", "question", "options", "answer"}]}]``); videos are
  ``<videos>/<videoID>.mp4``.

``--scoring loglikelihood`` (default) scores each option by its log-likelihood after the video and question
(``pipeline("video-question-answering")`` with ``options=``); the best-scoring option is the prediction.
``--scoring generate`` follows the papers: the prompt lists the options with letters in the benchmark's layout
(``--prompt_template``, default: the benchmark's own, see :mod:`hf_spiking.models.lvc.multiple_choice`), the model
generates (``--max_new_tokens``) and the first option letter of its answer is the prediction (no letter: wrong).

Progress shows as a tqdm bar. With ``--predictions`` every finished item is appended to that JSON-lines file at once;
a rerun with the same file skips the items already there (resuming after a crash) and the accuracies cover all of
them. The per-task table is logged (info level; the command line shows it) and ``--output`` writes the results as
JSON. PyAV (``pip install av``) is checked before anything is loaded.

    hf-spiking eval-lvc-mcq --model <lvc folder> --benchmark mlvu --annotations MLVU/json --videos MLVU/video

Flags may be spelt with dashes or underscores (``--length-normalize`` / ``--length_normalize``).
"""

import importlib.util
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tqdm.auto import tqdm
from transformers import HfArgumentParser
from transformers.utils import logging
from ..console import show_info_logs


logger = logging.get_logger(__name__)


@dataclass
class EvalLVCMCQArguments:
    model: str = field(metadata={"help": "folder with an LVC model and its LVCProcessor"})
    benchmark: Literal["mlvu", "videomme"] = field(metadata={"help": "annotation format"})
    annotations: Path = field(metadata={"help": "annotation file or folder of JSON files"})
    videos: Path = field(metadata={"help": "folder with the benchmark's videos"})
    limit: int | None = field(default=None, metadata={"help": "evaluate only the first N items"})
    length_normalize: bool = field(default=False, metadata={"help": "mean instead of summed option log-prob"})
    scoring: Literal["loglikelihood", "generate"] = field(
        default="loglikelihood",
        metadata={"help": "option log-likelihood, or generate the option letter from a lettered prompt (papers)"},
    )
    prompt_template: Literal["mlvu", "videomme", "default"] | None = field(
        default=None, metadata={"help": "lettered-option prompt for --scoring generate (default: the benchmark's)"}
    )
    max_new_tokens: int = field(default=8, metadata={"help": "generated tokens per answer (--scoring generate)"})
    predictions: Path | None = field(
        default=None, metadata={"help": "JSON-lines file written item by item; a rerun skips the items in it"}
    )
    device: str = field(default="cpu", metadata={"help": "device of the pipeline"})
    output: Path | None = field(default=None, metadata={"help": "write the results as JSON here"})


VIDEO_EXTENSIONS = (".mp4", ".mkv", ".webm", ".avi", ".mov")


def _json_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise ValueError(f"no *.json annotation files in {path}.")
        return files
    if not path.is_file():
        raise ValueError(f"annotation path {path} does not exist.")
    return [path]


def _find_video(videos: Path, name: str, subfolder: str | None = None) -> Path:
    candidates = [videos / subfolder / name] if subfolder else []
    candidates.append(videos / name)
    if not Path(name).suffix:
        candidates += [videos / f"{name}{ext}" for ext in VIDEO_EXTENSIONS]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ValueError(f"video {name!r} not found under {videos} (tried {', '.join(map(str, candidates))}).")


def load_mlvu(annotations: Path, videos: Path) -> list[dict]:
    items = []
    for file in _json_files(annotations):
        for position, entry in enumerate(json.loads(file.read_text())):
            if "candidates" not in entry:  # the generation tasks (sub-scene captioning, summary) have no options
                continue
            options = list(entry["candidates"])
            if entry["answer"] not in options:
                raise ValueError(f"{file.name}: answer {entry['answer']!r} is not one of the candidates {options}.")
            items.append({
                "item_id": f"{file.stem}/{position}",
                "video": _find_video(videos, entry["video"], subfolder=file.stem),
                "question": entry["question"],
                "options": options,
                "answer_index": options.index(entry["answer"]),
                "task_type": entry.get("question_type", file.stem),
            })
    return items


def _videomme_rows(annotations: Path) -> list[dict]:
    if annotations.suffix == ".parquet":
        import pandas as pd

        return pd.read_parquet(annotations).to_dict(orient="records")
    rows = []
    for file in _json_files(annotations):
        for entry in json.loads(file.read_text()):
            if "questions" in entry:  # nested GitHub release: one entry per video
                video_fields = {key: value for key, value in entry.items() if key != "questions"}
                rows += [{**video_fields, **question} for question in entry["questions"]]
            else:
                rows.append(entry)
    return rows


def load_videomme(annotations: Path, videos: Path) -> list[dict]:
    items = []
    for position, row in enumerate(_videomme_rows(annotations)):
        options = list(row["options"])
        letters = [option.split(".", 1)[0].strip() for option in options]
        if row["answer"] not in letters:
            raise ValueError(f"question {row.get('question_id')}: answer {row['answer']!r} is not among {letters}.")
        items.append({
            "item_id": str(row.get("question_id") or position),
            "video": _find_video(videos, str(row.get("videoID") or row["video_id"])),
            "question": row["question"],
            "options": options,
            "answer_index": letters.index(row["answer"]),
            "task_type": row["task_type"],
            "duration": row.get("duration"),
        })
    return items


LOADERS = {"mlvu": load_mlvu, "videomme": load_videomme}


def item_key(item: dict) -> str:
    """Identifies an item across runs (the resume key in the predictions file)."""
    return json.dumps([item["item_id"], str(item["video"]), item["question"], item["options"]])


def _read_predictions(path: Path | None) -> dict[str, dict]:
    if path is None or not path.is_file():
        return {}
    done = {}
    for line in path.read_text().splitlines():
        if line.strip():  # a crash can leave a partial last line: that item is redone
            try:
                prediction = json.loads(line)
            except json.JSONDecodeError:
                continue
            done[prediction["key"]] = prediction
    return done


def predict(pipe, item: dict, scoring: str = "loglikelihood", length_normalize: bool = False,
            prompt_template: str = "default", max_new_tokens: int = 8) -> dict:
    """One item's prediction record: predicted option index (-1 when a generated answer names none) and evidence."""
    kwargs = {"options": item["options"], "scoring": scoring}
    if scoring == "generate":
        kwargs.update(prompt_template=prompt_template, max_new_tokens=max_new_tokens)
    else:
        kwargs["length_normalize"] = length_normalize
    result = pipe(str(item["video"]), question=item["question"], **kwargs)
    if scoring == "generate":
        predicted = -1 if result["answer_index"] is None else result["answer_index"]
        evidence = {"generated_text": result["generated_text"]}
    else:
        predicted = max(range(len(item["options"])), key=result["scores"].__getitem__)
        evidence = {"scores": result["scores"]}
    return {"key": item_key(item), "video": str(item["video"]), "task_type": item["task_type"],
            "predicted": predicted, "answer": item["answer_index"], "correct": predicted == item["answer_index"],
            **evidence}


def evaluate(pipe, items: list[dict], length_normalize: bool = False, scoring: str = "loglikelihood",
             prompt_template: str = "default", max_new_tokens: int = 8, predictions_file: Path | None = None) -> dict:
    """Scores every item (skipping those already in ``predictions_file``, appending new ones to it as they finish);
    returns overall and per-task-type accuracy plus per-item predictions."""
    done = _read_predictions(predictions_file)
    pending = [item for item in items if item_key(item) not in done]
    if done:
        logger.info(f"resuming: {len(items) - len(pending)} of {len(items)} items already in {predictions_file}")
    writer = predictions_file.open("a") if predictions_file is not None else None
    try:
        for item in tqdm(pending, desc=f"{scoring} scoring", unit="question"):
            prediction = predict(pipe, item, scoring, length_normalize, prompt_template, max_new_tokens)
            done[prediction["key"]] = prediction
            if writer is not None:
                writer.write(json.dumps(prediction) + "\n")
                writer.flush()
    finally:
        if writer is not None:
            writer.close()
    predictions = [done[item_key(item)] for item in items]
    if not predictions:
        raise ValueError("no multiple-choice items to evaluate.")
    per_type = defaultdict(list)
    for prediction in predictions:
        per_type[prediction["task_type"]].append(prediction["correct"])
    return {
        "accuracy": sum(p["correct"] for p in predictions) / len(predictions),
        "num_items": len(predictions),
        "scoring": scoring,
        "per_task_type": {task: sum(hits) / len(hits) for task, hits in sorted(per_type.items())},
        "count_per_task_type": {task: len(hits) for task, hits in sorted(per_type.items())},
        "predictions": predictions,
    }


def results_table(results: dict) -> str:
    """Items and accuracy per task type and overall, as a plain-text table."""
    width = max(len(task) for task in results["per_task_type"]) + 2
    lines = [f"{'task type':<{width}}{'items':>6}{'accuracy':>10}"]
    for task, accuracy in results["per_task_type"].items():
        lines.append(f"{task:<{width}}{results['count_per_task_type'][task]:>6}{accuracy:>10.3f}")
    lines.append(f"{'overall':<{width}}{results['num_items']:>6}{results['accuracy']:>10.3f}")
    return "\n".join(lines)


def evaluate_benchmark(args: EvalLVCMCQArguments) -> dict:
    """Loads the benchmark's items, scores them with the model's pipeline, logs the table and writes ``args.output``;
    returns the results (see :func:`evaluate`) with the benchmark's name."""
    if importlib.util.find_spec("av") is None:
        raise ImportError("eval-lvc-mcq decodes the benchmark's videos with PyAV: pip install av")
    from transformers import pipeline

    items = LOADERS[args.benchmark](args.annotations, args.videos)[: args.limit]
    pipe = pipeline("video-question-answering", model=args.model, device=args.device)
    results = evaluate(pipe, items, length_normalize=args.length_normalize, scoring=args.scoring,
                       prompt_template=args.prompt_template or args.benchmark, max_new_tokens=args.max_new_tokens,
                       predictions_file=args.predictions)
    results["benchmark"] = args.benchmark
    logger.info(f"{args.benchmark} multiple-choice accuracy:\n{results_table(results)}")
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2))
    return results


def parse_arguments(argv: list[str] | None = None) -> EvalLVCMCQArguments:
    """The job's arguments from command-line flags (``sys.argv`` when ``argv`` is None)."""
    (args,) = HfArgumentParser(EvalLVCMCQArguments).parse_args_into_dataclasses(args=argv)
    return args


def main(argv: list[str] | None = None) -> int:
    """``hf-spiking eval-lvc-mcq`` / ``scripts/eval_lvc_mcq.py``: parses ``argv`` and runs
    :func:`evaluate_benchmark`."""
    args = parse_arguments(argv)
    show_info_logs()  # the command's output is the logged table
    evaluate_benchmark(args)
    return 0


__all__ = [
    "EvalLVCMCQArguments",
    "LOADERS",
    "evaluate",
    "evaluate_benchmark",
    "item_key",
    "load_mlvu",
    "load_videomme",
    "main",
    "parse_arguments",
    "predict",
    "results_table",
]

if __name__ == "__main__":
    raise SystemExit(main())
