"""Seeded synthetic video and image questions about brief events of coloured shapes.

An example is a compact JSON *spec* (background texture, object tracks) plus a question, four options, the answer
and a caption; frames are drawn from the spec by :mod:`.rendering`. Everything is procedural and offline, and an
example is deterministic in ``(seed, split, index)``. The answers of the video questions depend on events that last a
few frames (see ``docs/synthetic_videos.md`` for the timing and the probability that sparse or dense uniform
sampling sees them). ``vocabulary`` lists every word the generator can emit (for the word-level tokenizer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from .rendering import COLORS, SHAPES, TEXTURE_KINDS, TEXTURE_VARIANTS, render_frames

DIRECTIONS: tuple[str, ...] = ("left", "right", "up", "down")
POSITIONS: tuple[str, ...] = ("top left", "top right", "bottom left", "bottom right")
NUMBER_WORDS: tuple[str, ...] = ("one", "two", "three", "four")
TIMES_WORDS: tuple[str, ...] = ("once", "twice", "three times", "four times")
VIDEO_QUESTION_TYPES: tuple[str, ...] = ("needle", "order", "count", "direction")
IMAGE_QUESTION_TYPES: tuple[str, ...] = ("color", "shape", "position", "count")

QUESTION_TEMPLATES: dict[str, str] = {
    "needle_color": "What color was the {shape} that appeared briefly?",
    "needle_shape": "What shape was the {color} object that appeared briefly?",
    "order_color": "What color was the {rank} shape that appeared briefly?",
    "order_shape": "What shape was the {rank} object that appeared briefly?",
    "count": "How many times did the {color} {shape} appear?",
    "direction": "Which direction did the {color} {shape} move?",
    "image_color": "What color is the {shape}?",
    "image_shape": "What shape is the {color} object?",
    "image_position": "Where is the {color} {shape}?",
    "image_count": "How many shapes are there?",
}
CAPTION_TEMPLATES: dict[str, str] = {
    "distractor": "a {color} {shape} moves around.",
    "needle": "a {color} {shape} appears briefly.",
    "order_first": "a {color} {shape} appears",
    "order_next": "then a {color} {shape}",
    "count": "a {color} {shape} appears {times}.",
    "direction": "a {color} {shape} moves {direction}.",
    "image_object": "a {color} {shape} in the {position}.",
}
ORDER_RANKS: tuple[str, ...] = ("first", "last")
ORDER_CAPTION_JOINER = ", "

_SPLIT_IDS = {"image": 0, "short": 1, "long": 2}
WORD_PATTERN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, kw_only=True)
class SyntheticVideoConfig:
    """Size and event timing of the generated videos (``num_frames`` is ignored for single images).

    ``brief_event_length`` is the (min, max) number of frames of a needle, order or count appearance;
    ``direction_event_length`` the (min, max) frames a moving object takes to cross the frame; ``min_event_gap`` the
    least number of frames between two events of the same question, so they never share a sampling window of
    ``min_event_gap`` frames. ``shape_size`` defaults to a quarter of ``frame_size``.
    """

    num_frames: int = 256
    frame_size: int = 32
    shape_size: int | None = None
    num_distractors: int = 1
    brief_event_length: tuple[int, int] = (4, 12)
    direction_event_length: tuple[int, int] = (32, 40)
    min_event_gap: int = 32
    order_events: int = 3
    max_count: int = 4
    scroll_per_frame: int = 1

    def __post_init__(self):
        self.validate_sizes()
        self.validate_timing()

    @property
    def object_size(self) -> int:
        return self.shape_size if self.shape_size is not None else self.frame_size // 4

    def validate_sizes(self) -> None:
        if self.frame_size < 8:
            raise ValueError(f"frame_size must be >= 8 pixels, got {self.frame_size}")
        if not 3 <= self.object_size <= self.frame_size // 2:
            raise ValueError(
                f"shape_size must be in [3, frame_size // 2] = [3, {self.frame_size // 2}] so that every object fits "
                f"in one quadrant, got {self.object_size}"
            )
        if not 0 <= self.num_distractors <= 2:
            raise ValueError(f"num_distractors must be 0, 1 or 2, got {self.num_distractors}")
        if not 0 <= self.scroll_per_frame <= 4:
            raise ValueError(f"scroll_per_frame must be in [0, 4] pixels, got {self.scroll_per_frame}")

    def validate_timing(self) -> None:
        for name in ("brief_event_length", "direction_event_length"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"{name} must be a (min, max) pair with 1 <= min <= max, got {(low, high)}")
        if not 2 <= self.order_events <= 4:
            raise ValueError(f"order_events must be in [2, 4], got {self.order_events}")
        if self.order_events + self.num_distractors > len(SHAPES):
            raise ValueError(
                f"order_events + num_distractors must be <= {len(SHAPES)} (each object needs its own shape), got "
                f"{self.order_events} + {self.num_distractors}"
            )
        if not 1 <= self.max_count <= len(NUMBER_WORDS):
            raise ValueError(f"max_count must be in [1, {len(NUMBER_WORDS)}], got {self.max_count}")
        if self.min_event_gap < 0:
            raise ValueError(f"min_event_gap must be >= 0, got {self.min_event_gap}")
        longest = max(self.max_count, self.order_events)
        needed = longest * self.brief_event_length[1] + (longest - 1) * self.min_event_gap
        if needed > self.num_frames or self.direction_event_length[1] > self.num_frames:
            raise ValueError(
                f"num_frames={self.num_frames} is too short for the event timing: {longest} brief events of up to "
                f"{self.brief_event_length[1]} frames with gaps of {self.min_event_gap} need {needed} frames, and "
                f"a direction event up to {self.direction_event_length[1]}"
            )


LONG_VIDEO_CONFIG = SyntheticVideoConfig()
SHORT_VIDEO_CONFIG = SyntheticVideoConfig(
    num_frames=16, brief_event_length=(2, 3), direction_event_length=(6, 10), min_event_gap=1
)






def _example_rng(seed: int, split: str, index: int) -> np.random.Generator:
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return np.random.default_rng([seed, _SPLIT_IDS[split], index])


def _distinct(rng: np.random.Generator, values: Sequence[str], count: int) -> list[str]:
    return [values[i] for i in rng.permutation(len(values))[:count]]


def _shuffled_options(
    rng: np.random.Generator, answer: str, pool: Sequence[str], preferred: Iterable[str] = ()
) -> tuple[list[str], int]:
    """Four options: the answer, the ``preferred`` distractors first, random others from ``pool``; shuffled."""
    distractors = list(dict.fromkeys(value for value in preferred if value != answer))
    others = [value for value in pool if value != answer and value not in distractors]
    distractors += [others[i] for i in rng.permutation(len(others))]
    options = [answer, *distractors[:3]]
    order = rng.permutation(4)
    options = [options[i] for i in order]
    return options, options.index(answer)


def _random_spot(rng: np.random.Generator, config: SyntheticVideoConfig) -> tuple[int, int]:
    limit = config.frame_size - config.object_size
    return int(rng.integers(limit + 1)), int(rng.integers(limit + 1))


def _track(shape: str, color: str, start: int, stop: int, xy0: tuple[int, int], xy1: tuple[int, int], role: str):
    return {"shape": shape, "color": color, "start": start, "stop": stop, "x0": xy0[0], "y0": xy0[1],
            "x1": xy1[0], "y1": xy1[1], "role": role}  # fmt: skip


def _place_events(rng: np.random.Generator, lengths: Sequence[int], num_frames: int, gap: int) -> list[int]:
    """Uniformly random start frames of consecutive events with at least ``gap`` frames between them."""
    slack = num_frames - sum(lengths) - gap * (len(lengths) - 1)
    offsets = np.sort(rng.integers(0, slack + 1, size=len(lengths)))
    starts, used = [], 0
    for offset, length in zip(offsets, lengths):
        starts.append(int(offset) + used)
        used += length + gap
    return starts


def _distractor_tracks(rng, config: SyntheticVideoConfig, colors: Sequence[str], shapes: Sequence[str]) -> list[dict]:
    """Objects that wander over the whole video along random waypoints (present in every frame)."""
    tracks = []
    for color, shape in zip(colors, shapes):
        start, position = 0, _random_spot(rng, config)
        while start < config.num_frames:
            length = int(rng.integers(max(config.num_frames // 4, 2), max(config.num_frames // 2, 2) + 1))
            stop = min(start + length, config.num_frames)
            target = _random_spot(rng, config)
            tracks.append(_track(shape, color, start, stop, position, target, "distractor"))
            start, position = stop, target
    return tracks


def _brief_lengths(rng, config: SyntheticVideoConfig, count: int) -> list[int]:
    low, high = config.brief_event_length
    return [int(length) for length in rng.integers(low, high + 1, size=count)]


def _caption(template: str, **fields: str) -> str:
    return re.sub(r"\ba (?=[aeiou])", "an ", CAPTION_TEMPLATES[template].format(**fields))


def generate_video_example(
    index: int, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG, question_type: str | None = None,
    split: str = "long",
) -> dict:
    """One video question: spec, question, 4 options, answer, type, event spans and a caption.

    Deterministic in ``(seed, split, index)`` and independent of how many examples are generated. The question type
    cycles through ``VIDEO_QUESTION_TYPES`` with ``index`` unless given. ``event_spans`` lists the ``[start, stop)``
    frames of every event the answer depends on, in time order.
    """
    if split not in ("short", "long"):
        raise ValueError(f"split must be 'short' or 'long', got {split!r}")
    question_type = question_type or VIDEO_QUESTION_TYPES[index % len(VIDEO_QUESTION_TYPES)]
    if question_type not in VIDEO_QUESTION_TYPES:
        raise ValueError(f"unknown question_type {question_type!r}; expected one of {VIDEO_QUESTION_TYPES}")
    rng = _example_rng(seed, split, index)
    num_events = config.order_events if question_type == "order" else 1
    # Every colour and shape is used by one role only, so a colour's pixels mark exactly its object's frames.
    colors = _distinct(rng, tuple(COLORS), num_events + config.num_distractors)
    shapes = _distinct(rng, SHAPES, num_events + config.num_distractors)
    event_colors, distractor_colors = colors[:num_events], colors[num_events:]
    event_shapes, distractor_shapes = shapes[:num_events], shapes[num_events:]
    objects = _distractor_tracks(rng, config, distractor_colors, distractor_shapes)
    captions = [_caption("distractor", color=c, shape=s) for c, s in zip(distractor_colors, distractor_shapes)]
    color, shape = event_colors[0], event_shapes[0]

    if question_type == "needle":
        (length,) = _brief_lengths(rng, config, 1)
        (start,) = _place_events(rng, [length], config.num_frames, 0)
        spot = _random_spot(rng, config)
        objects.append(_track(shape, color, start, start + length, spot, spot, "event"))
        spans = [[start, start + length]]
        if rng.random() < 0.5:
            question = QUESTION_TEMPLATES["needle_color"].format(shape=shape)
            options, answer_index = _shuffled_options(rng, color, tuple(COLORS), distractor_colors)
        else:
            question = QUESTION_TEMPLATES["needle_shape"].format(color=color)
            options, answer_index = _shuffled_options(rng, shape, SHAPES, distractor_shapes)
        captions.append(_caption("needle", color=color, shape=shape))
    elif question_type == "order":
        lengths = _brief_lengths(rng, config, num_events)
        starts = _place_events(rng, lengths, config.num_frames, config.min_event_gap)
        spans = []
        for c, s, start, length in zip(event_colors, event_shapes, starts, lengths):
            spot = _random_spot(rng, config)
            objects.append(_track(s, c, start, start + length, spot, spot, "event"))
            spans.append([start, start + length])
        rank = ORDER_RANKS[int(rng.integers(2))]
        target = 0 if rank == "first" else num_events - 1
        if rng.random() < 0.5:
            question = QUESTION_TEMPLATES["order_color"].format(rank=rank)
            options, answer_index = _shuffled_options(
                rng, event_colors[target], tuple(COLORS), [*event_colors, *distractor_colors]
            )
        else:
            question = QUESTION_TEMPLATES["order_shape"].format(rank=rank)
            options, answer_index = _shuffled_options(
                rng, event_shapes[target], SHAPES, [*event_shapes, *distractor_shapes]
            )
        captions.append(
            ORDER_CAPTION_JOINER.join(
                [_caption("order_first", color=event_colors[0], shape=event_shapes[0])]
                + [_caption("order_next", color=c, shape=s) for c, s in zip(event_colors[1:], event_shapes[1:])]
            )
            + "."
        )
    elif question_type == "count":
        count = int(rng.integers(1, config.max_count + 1))
        lengths = _brief_lengths(rng, config, count)
        starts = _place_events(rng, lengths, config.num_frames, config.min_event_gap)
        spans = []
        for start, length in zip(starts, lengths):
            spot = _random_spot(rng, config)
            objects.append(_track(shape, color, start, start + length, spot, spot, "event"))
            spans.append([start, start + length])
        question = QUESTION_TEMPLATES["count"].format(color=color, shape=shape)
        options = list(NUMBER_WORDS)
        answer_index = count - 1
        captions.append(_caption("count", color=color, shape=shape, times=TIMES_WORDS[count - 1]))
    else:
        low, high = config.direction_event_length
        length = int(rng.integers(low, high + 1))
        (start,) = _place_events(rng, [length], config.num_frames, 0)
        direction = DIRECTIONS[int(rng.integers(len(DIRECTIONS)))]
        far = config.frame_size - config.object_size
        across = int(rng.integers(far + 1))
        begin, end = {
            "left": ((far, across), (0, across)),
            "right": ((0, across), (far, across)),
            "up": ((across, far), (across, 0)),
            "down": ((across, 0), (across, far)),
        }[direction]
        objects.append(_track(shape, color, start, start + length, begin, end, "event"))
        spans = [[start, start + length]]
        question = QUESTION_TEMPLATES["direction"].format(color=color, shape=shape)
        options = list(DIRECTIONS)
        answer_index = DIRECTIONS.index(direction)
        captions.append(_caption("direction", color=color, shape=shape, direction=direction))

    texture_kind = TEXTURE_KINDS[int(rng.integers(len(TEXTURE_KINDS)))]
    scroll = [int(v) * config.scroll_per_frame for v in rng.integers(-1, 2, size=2)]
    spec = {
        "num_frames": config.num_frames,
        "frame_size": config.frame_size,
        "shape_size": config.object_size,
        "background": {"kind": texture_kind, "seed": int(rng.integers(TEXTURE_VARIANTS)), "scroll": scroll},
        "objects": objects,
    }
    return {
        "video_id": index,
        "question": question,
        "options": options,
        "answer_index": int(answer_index),
        "answer": options[answer_index],
        "question_type": question_type,
        "event_spans": spans,
        "caption": " ".join(captions),
        "num_frames": config.num_frames,
        "spec": json.dumps(spec, separators=(",", ":")),
    }


def generate_image_example(
    index: int, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG, question_type: str | None = None
) -> dict:
    """One single-frame question: uint8 ``image [H, W, 3]`` with 1-4 objects, each alone in its quadrant.

    Question types cycle through ``IMAGE_QUESTION_TYPES`` with ``index`` unless given; ``caption`` lists every object.
    """
    question_type = question_type or IMAGE_QUESTION_TYPES[index % len(IMAGE_QUESTION_TYPES)]
    if question_type not in IMAGE_QUESTION_TYPES:
        raise ValueError(f"unknown question_type {question_type!r}; expected one of {IMAGE_QUESTION_TYPES}")
    rng = _example_rng(seed, "image", index)
    count = int(rng.integers(1, len(POSITIONS) + 1))
    colors, shapes = _distinct(rng, tuple(COLORS), count), _distinct(rng, SHAPES, count)
    quadrants = [int(q) for q in rng.permutation(len(POSITIONS))[:count]]
    half, size = config.frame_size // 2, config.object_size
    objects = []
    for color, shape, quadrant in zip(colors, shapes, quadrants):
        x = (quadrant % 2) * half + int(rng.integers(half - size + 1))
        y = (quadrant // 2) * half + int(rng.integers(half - size + 1))
        objects.append(_track(shape, color, 0, 1, (x, y), (x, y), "object"))
    spec = {
        "num_frames": 1,
        "frame_size": config.frame_size,
        "shape_size": size,
        "background": {"kind": TEXTURE_KINDS[int(rng.integers(len(TEXTURE_KINDS)))],
                       "seed": int(rng.integers(TEXTURE_VARIANTS)), "scroll": [0, 0]},
        "objects": objects,
    }  # fmt: skip
    target = int(rng.integers(count))
    color, shape = colors[target], shapes[target]
    if question_type == "color":
        question = QUESTION_TEMPLATES["image_color"].format(shape=shape)
        options, answer_index = _shuffled_options(rng, color, tuple(COLORS), colors)
    elif question_type == "shape":
        question = QUESTION_TEMPLATES["image_shape"].format(color=color)
        options, answer_index = _shuffled_options(rng, shape, SHAPES, shapes)
    elif question_type == "position":
        question = QUESTION_TEMPLATES["image_position"].format(color=color, shape=shape)
        options, answer_index = list(POSITIONS), quadrants[target]
    else:
        question = QUESTION_TEMPLATES["image_count"]
        options, answer_index = list(NUMBER_WORDS), count - 1
    caption = " ".join(
        _caption("image_object", color=c, shape=s, position=POSITIONS[q])
        for c, s, q in sorted(zip(colors, shapes, quadrants), key=lambda item: item[2])
    )
    return {
        "image": render_frames(spec)[0],
        "question": question,
        "options": options,
        "answer_index": int(answer_index),
        "answer": options[answer_index],
        "question_type": question_type,
        "caption": caption,
    }


# --------------------------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------------------------


def vocabulary() -> list[str]:
    """Every word and punctuation mark that questions, options, answers and captions can contain (lower case)."""
    texts = [*QUESTION_TEMPLATES.values(), *CAPTION_TEMPLATES.values(), "an", ORDER_CAPTION_JOINER, *COLORS,
             *SHAPES, *DIRECTIONS, *POSITIONS, *NUMBER_WORDS, *TIMES_WORDS, *ORDER_RANKS]  # fmt: skip
    words = set()
    for text in texts:
        words.update(WORD_PATTERN.findall(re.sub(r"\{\w+\}", " ", text).lower()))
    return sorted(words)


__all__ = [
    "CAPTION_TEMPLATES",
    "DIRECTIONS",
    "IMAGE_QUESTION_TYPES",
    "LONG_VIDEO_CONFIG",
    "NUMBER_WORDS",
    "ORDER_CAPTION_JOINER",
    "ORDER_RANKS",
    "POSITIONS",
    "QUESTION_TEMPLATES",
    "SHORT_VIDEO_CONFIG",
    "SyntheticVideoConfig",
    "TIMES_WORDS",
    "VIDEO_QUESTION_TYPES",
    "WORD_PATTERN",
    "generate_image_example",
    "generate_video_example",
    "vocabulary",
]
