"""Seeded synthetic videos of coloured shapes with multiple-choice questions about brief events.

Everything is procedural and offline. An example is a compact JSON *spec* (background texture, object tracks) plus
a question; frames are rendered on demand from the spec, so a 256-frame video costs a few hundred bytes until it is
read. The answers of the video questions depend on events that last a few frames (see ``docs/synthetic_videos.md``
for the timing and the probability that sparse or dense uniform sampling sees them).

Public entry points:

- ``generate_image_example`` / ``image_qa_dataset``: single frames with questions about colour, shape, position
  and count (the image-VLM stage).
- ``generate_video_example`` / ``short_video_dataset`` (16 frames, captions + QA, alignment) and
  ``long_video_dataset`` (256 frames, QA, evaluation).
- ``render_video`` / ``render_frames``: frames of a video example, all of them or only the sampled indices.
- ``uniform_frame_indices``, ``evidence_hits``, ``evidence_visible``, ``coverage_by_num_frames``: sampling helpers.
- ``vocabulary``: every word the generator can emit (for the word-level tokenizer).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 190, 70),
    "blue": (40, 90, 230),
    "yellow": (235, 215, 40),
    "cyan": (40, 205, 215),
    "magenta": (215, 50, 210),
    "orange": (245, 135, 30),
    "purple": (125, 55, 195),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross")
DIRECTIONS: tuple[str, ...] = ("left", "right", "up", "down")
POSITIONS: tuple[str, ...] = ("top left", "top right", "bottom left", "bottom right")
NUMBER_WORDS: tuple[str, ...] = ("one", "two", "three", "four")
TIMES_WORDS: tuple[str, ...] = ("once", "twice", "three times", "four times")
VIDEO_QUESTION_TYPES: tuple[str, ...] = ("needle", "order", "count", "direction")
IMAGE_QUESTION_TYPES: tuple[str, ...] = ("color", "shape", "position", "count")
TEXTURE_KINDS: tuple[str, ...] = ("stripes", "checker", "noise")
# Texture seeds per kind; few enough that every texture stays cached after first use.
TEXTURE_VARIANTS = 256
# The background is grey (R = G = B) in this range, so no background pixel ever equals an object colour.
BACKGROUND_GREY_RANGE: tuple[int, int] = (60, 160)

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
_WORD_PATTERN = re.compile(r"\w+|[^\w\s]")


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


# --------------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def shape_mask(shape: str, size: int) -> np.ndarray:
    """Boolean ``[size, size]`` mask of a shape (read-only, cached)."""
    coords = np.arange(size) + 0.5
    y, x = np.meshgrid(coords, coords, indexing="ij")
    centre, radius = size / 2, size / 2
    if shape == "circle":
        mask = (x - centre) ** 2 + (y - centre) ** 2 <= radius**2
    elif shape == "square":
        inset = size // 8
        mask = np.zeros((size, size), dtype=bool)
        mask[inset : size - inset, inset : size - inset] = True
    elif shape == "triangle":
        mask = np.abs(x - centre) <= y / 2
    elif shape == "diamond":
        mask = np.abs(x - centre) + np.abs(y - centre) <= radius
    elif shape == "cross":
        arm = max(size / 6, 1.0)
        mask = (np.abs(x - centre) <= arm) | (np.abs(y - centre) <= arm)
    else:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=16)
def _texture(kind: str, seed: int, size: int) -> np.ndarray:
    """Grey ``[size, size]`` uint8 texture in ``BACKGROUND_GREY_RANGE`` (read-only, cached)."""
    rng = np.random.default_rng(seed)
    low, high = BACKGROUND_GREY_RANGE
    y, x = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    if kind == "stripes":
        period = size / rng.choice([2, 4, 8])
        fx, fy = [(1, 0), (0, 1), (1, 1), (1, -1)][rng.integers(4)]
        unit = 0.5 + 0.5 * np.sin(2 * np.pi * (fx * x + fy * y) / period)
    elif kind == "checker":
        cell = max(size // int(rng.choice([4, 8])), 1)
        unit = ((x // cell + y // cell) % 2).astype(float)
    elif kind == "noise":
        coarse = rng.random((4, 4))
        unit = np.kron(coarse, np.ones((size // 4 + 1, size // 4 + 1)))[:size, :size]
    else:
        raise ValueError(f"unknown texture kind {kind!r}; expected one of {TEXTURE_KINDS}")
    contrast = rng.uniform(0.3, 1.0)
    mid = rng.uniform(low + (high - low) * contrast / 2, high - (high - low) * contrast / 2)
    grey = mid + (unit - 0.5) * (high - low) * contrast
    texture = np.clip(np.rint(grey), low, high).astype(np.uint8)
    texture.setflags(write=False)
    return texture


_RGB_PIXEL = np.dtype((np.void, 3))


@lru_cache(maxsize=len(TEXTURE_KINDS) * TEXTURE_VARIANTS)
def _tiled_rgb_texture(kind: str, seed: int, size: int) -> np.ndarray:
    """The texture tiled 2x2 as ``[2 size, 2 size]`` RGB pixels (3-byte void scalars, read-only, cached)."""
    grey = np.tile(_texture(kind, seed, size), (2, 2))
    tiled = np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=-1)).view(_RGB_PIXEL)[..., 0]
    tiled.setflags(write=False)
    return tiled


@lru_cache(maxsize=len(COLORS))
def _rgb_pixel(color: str) -> np.void:
    return np.frombuffer(bytes(COLORS[color]), dtype=_RGB_PIXEL)[0]


def object_positions(obj: Mapping[str, Any], frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top-left ``x, y`` of a track at ``frames``: linear from (x0, y0) at ``start`` to (x1, y1) at ``stop - 1``."""
    frac = (np.asarray(frames) - obj["start"]) / max(obj["stop"] - obj["start"] - 1, 1)
    x = np.rint(obj["x0"] + frac * (obj["x1"] - obj["x0"])).astype(np.int64)
    y = np.rint(obj["y0"] + frac * (obj["y1"] - obj["y0"])).astype(np.int64)
    return x, y


def _as_spec(video: Mapping[str, Any] | str) -> dict:
    if isinstance(video, str):
        return json.loads(video)
    if "spec" in video:
        spec = video["spec"]
        return json.loads(spec) if isinstance(spec, str) else dict(spec)
    if "objects" in video and "background" in video:
        return dict(video)
    raise ValueError("expected a video example with a 'spec' field, a spec dict or its JSON string")


def render_frames(video: Mapping[str, Any] | str, frame_indices: Iterable[int] | None = None) -> np.ndarray:
    """Renders frames of a video example (or its spec) as uint8 ``[N, H, W, 3]``; all frames when indices are None.

    Rendering only the sampled indices is what makes a 256-frame evaluation cheap: sparse sampling renders 8 frames.
    """
    spec = _as_spec(video)
    num_frames, size = spec["num_frames"], spec["frame_size"]
    indices = np.arange(num_frames) if frame_indices is None else np.asarray(list(frame_indices), dtype=np.int64)
    if indices.ndim != 1 or (indices.size and (indices.min() < 0 or indices.max() >= num_frames)):
        raise ValueError(f"frame_indices must be a flat list of frame numbers in [0, {num_frames}), got {indices}")
    background = spec["background"]
    dx, dy = background["scroll"]
    # A scrolled periodic texture is a window of the 2x2-tiled texture at offset (-dy * t, -dx * t) mod size.
    # Pixels are handled as 3-byte void scalars: gathering and stamping whole RGB pixels is several times faster.
    windows = np.lib.stride_tricks.sliding_window_view(_tiled_rgb_texture(background["kind"], background["seed"], size),
                                                       (size, size))  # fmt: skip
    pixels = windows[(-dy * indices) % size, (-dx * indices) % size]
    shape_size = spec["shape_size"]
    for obj in spec["objects"]:
        visible = np.flatnonzero((indices >= obj["start"]) & (indices < obj["stop"]))
        if visible.size == 0:
            continue
        mask_y, mask_x = np.nonzero(shape_mask(obj["shape"], shape_size))
        x, y = object_positions(obj, indices[visible])
        pixels[visible[:, None], y[:, None] + mask_y, x[:, None] + mask_x] = _rgb_pixel(obj["color"])
    return pixels[..., None].view(np.uint8)


def render_video(video: Mapping[str, Any] | str) -> np.ndarray:
    """All frames of a video example (or its spec / spec JSON) as uint8 ``[T, H, W, 3]``."""
    return render_frames(video)


# --------------------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------------------


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


def _check_num_examples(num_examples: int) -> None:
    if num_examples < 1:
        raise ValueError(f"num_examples must be >= 1, got {num_examples}")


def image_qa_dataset(
    num_examples: int = 20000, *, seed: int = 0, config: SyntheticVideoConfig = LONG_VIDEO_CONFIG
):
    """``datasets.Dataset`` of single-frame questions with an ``image`` column (uint8 ``[H, W, 3]``, Array3D)."""
    import datasets

    _check_num_examples(num_examples)
    examples = [generate_image_example(i, seed=seed, config=config) for i in range(num_examples)]
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
    examples = [generate_video_example(i, seed=seed, config=config, split=split) for i in range(num_examples)]
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

# Least number of sampled frames inside every relevant event for the answer to be readable from the samples:
# a direction needs two positions of the moving object, every other type one sight of each event.
REQUIRED_HITS: dict[str, int] = {"needle": 1, "order": 1, "count": 1, "direction": 2}


def uniform_frame_indices(total_frames: int, num_samples: int) -> np.ndarray:
    """Uniform sampling at the middle of ``num_samples`` equal bins, ``floor((i + 0.5) * T / N)`` (InternVL's rule)."""
    if total_frames < 1 or num_samples < 1:
        raise ValueError(f"total_frames and num_samples must be >= 1, got {total_frames} and {num_samples}")
    return np.floor((np.arange(num_samples) + 0.5) * total_frames / num_samples).astype(np.int64)


def evidence_hits(event_spans: Sequence[Sequence[int]], frame_indices: Iterable[int]) -> list[int]:
    """Number of sampled frames that fall inside each ``[start, stop)`` event span."""
    indices = np.asarray(list(frame_indices))
    return [int(np.count_nonzero((indices >= start) & (indices < stop))) for start, stop in event_spans]


def evidence_visible(example: Mapping[str, Any], frame_indices: Iterable[int]) -> bool:
    """Whether the sampled frames show every event the answer depends on (``REQUIRED_HITS`` frames each)."""
    required = REQUIRED_HITS[example["question_type"]]
    return all(hits >= required for hits in evidence_hits(example["event_spans"], frame_indices))


def coverage_by_num_frames(examples: Iterable[Mapping[str, Any]], sample_counts: Sequence[int] = (8, 16, 32, 64, 128)):
    """Fraction of questions whose evidence is visible with N uniform frames, per question type and ``"all"``."""
    totals: dict[str, dict[int, list[bool]]] = {}
    for example in examples:
        for count in sample_counts:
            seen = evidence_visible(example, uniform_frame_indices(example["num_frames"], count))
            for key in (example["question_type"], "all"):
                totals.setdefault(key, {}).setdefault(count, []).append(seen)
    return {key: {count: float(np.mean(flags)) for count, flags in per.items()} for key, per in totals.items()}


def vocabulary() -> list[str]:
    """Every word and punctuation mark that questions, options, answers and captions can contain (lower case)."""
    texts = [*QUESTION_TEMPLATES.values(), *CAPTION_TEMPLATES.values(), "an", ORDER_CAPTION_JOINER, *COLORS,
             *SHAPES, *DIRECTIONS, *POSITIONS, *NUMBER_WORDS, *TIMES_WORDS, *ORDER_RANKS]  # fmt: skip
    words = set()
    for text in texts:
        words.update(_WORD_PATTERN.findall(re.sub(r"\{\w+\}", " ", text).lower()))
    return sorted(words)


__all__ = [
    "BACKGROUND_GREY_RANGE",
    "CAPTION_TEMPLATES",
    "COLORS",
    "DIRECTIONS",
    "IMAGE_QUESTION_TYPES",
    "LONG_VIDEO_CONFIG",
    "NUMBER_WORDS",
    "POSITIONS",
    "QUESTION_TEMPLATES",
    "REQUIRED_HITS",
    "SHAPES",
    "SHORT_VIDEO_CONFIG",
    "SyntheticVideoConfig",
    "VIDEO_QUESTION_TYPES",
    "coverage_by_num_frames",
    "evidence_hits",
    "evidence_visible",
    "generate_image_example",
    "generate_video_example",
    "image_qa_dataset",
    "long_video_dataset",
    "object_positions",
    "render_frames",
    "render_video",
    "shape_mask",
    "short_video_dataset",
    "uniform_frame_indices",
    "video_qa_dataset",
    "vocabulary",
]
