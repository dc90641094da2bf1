"""The synthetic splits as ``datasets.Dataset`` objects: single-frame image QA, short videos (alignment training)
and long videos (evaluation). Video rows store compact specs; frames are rendered when a row is read."""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from .generation import (
    LONG_VIDEO_CONFIG,
    SHORT_VIDEO_CONFIG,
    SyntheticVideoConfig,
    generate_image_example,
    generate_video_example,
)
from .rendering import render_video


def _check_num_examples(num_examples: int) -> None:
    if num_examples < 1:
        raise ValueError(f"num_examples must be >= 1, got {num_examples}")


def image_qa_dataset(
    num_examples: int = 20000, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG
):
    """``datasets.Dataset`` of single-frame questions with an ``image`` column (uint8 ``[H, W, 3]``, Array3D)."""
    import datasets

    _check_num_examples(num_examples)
    examples = [generate_image_example(i, seed=seed, config=config)
                for i in tqdm(range(num_examples), desc="generating image questions", leave=False)]  # fmt: skip
    size = config.frame_size
    features = datasets.Features(
        {
            "image": datasets.Array3D(shape=(size, size, 3), dtype="uint8"),
            "question": datasets.Value("string"),
            "options": datasets.Sequence(datasets.Value("string")),
            "answer_index": datasets.Value("int32"),
            "answer": datasets.Value("string"),
            "question_type": datasets.Value("string"),
            "caption": datasets.Value("string"),
        }
    )
    columns = {name: [example[name] for example in examples] for name in features}
    columns["image"] = np.stack(columns["image"])
    dataset = datasets.Dataset.from_dict(columns, features=features)
    # datasets' numpy formatter widens integers to int64 unless told the dtype.
    return dataset.with_format("numpy", columns=["image"], output_all_columns=True, dtype=np.uint8)


def _render_batch(batch: dict) -> dict:
    batch["video"] = [render_video(spec) for spec in batch["spec"]]
    return batch


def video_qa_dataset(
    num_examples: int, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG, split: str = "long",
    render: bool = True,
):
    """``datasets.Dataset`` of video questions stored as compact specs (a few hundred bytes per video).

    With ``render=True`` a transform adds a ``video`` column (uint8 ``[T, H, W, 3]``) rendered when a row is read;
    with ``render=False`` call ``render_video(row)`` / ``render_frames(row, indices)`` yourself (cheaper when only
    sampled frames are needed).
    """
    import datasets

    _check_num_examples(num_examples)
    examples = [generate_video_example(i, seed=seed, config=config, split=split)
                for i in tqdm(range(num_examples), desc=f"generating {split} videos", leave=False)]  # fmt: skip
    features = datasets.Features(
        {
            "video_id": datasets.Value("int32"),
            "question": datasets.Value("string"),
            "options": datasets.Sequence(datasets.Value("string")),
            "answer_index": datasets.Value("int32"),
            "answer": datasets.Value("string"),
            "question_type": datasets.Value("string"),
            "event_spans": datasets.Sequence(datasets.Sequence(datasets.Value("int32"))),
            "caption": datasets.Value("string"),
            "num_frames": datasets.Value("int32"),
            "spec": datasets.Value("string"),
        }
    )
    dataset = datasets.Dataset.from_dict({name: [e[name] for e in examples] for name in features}, features=features)
    return dataset.with_transform(_render_batch) if render else dataset


def short_video_dataset(
    num_examples: int = 10000, *, seed: int = 0, config: SyntheticVideoConfig = SHORT_VIDEO_CONFIG, render: bool = True
):
    """Short videos (16 frames by default) with captions and questions, for LVC alignment training."""
    return video_qa_dataset(num_examples, seed=seed, config=config, split="short", render=render)


def long_video_dataset(
    num_examples: int = 500, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG, render: bool = True
):
    """Long videos (256 frames by default) with questions about brief events, for evaluation."""
    return video_qa_dataset(num_examples, seed=seed, config=config, split="long", render=render)


# --------------------------------------------------------------------------------------------------------------
# Sampling statistics
# --------------------------------------------------------------------------------------------------------------


__all__ = ["image_qa_dataset", "long_video_dataset", "short_video_dataset", "video_qa_dataset"]
