"""The synthetic video generator: determinism, answers readable from the rendered pixels, sampling statistics."""

import json

import numpy as np
import pytest

from hf_spiking.data import synthetic_videos as sv

LONG_EXAMPLES = [sv.generate_video_example(i) for i in range(16)]
SHORT_EXAMPLES = [sv.generate_video_example(i, config=sv.SHORT_VIDEO_CONFIG, split="short") for i in range(16)]


def packed(pixels: np.ndarray) -> np.ndarray:
    """RGB pixels as one integer each, so a colour test is a single comparison."""
    pixels = pixels.astype(np.int32)
    return (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]


PACKED_COLOURS = {name: int(packed(np.asarray(rgb))) for name, rgb in sv.COLORS.items()}


def colour_mask(frames: np.ndarray, colour: str) -> np.ndarray:
    """Pixels with exactly this colour's RGB value."""
    return packed(frames) == PACKED_COLOURS[colour]


def cropped(mask: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def shape_of(frame: np.ndarray, colour: str, size: int) -> str:
    """The shape whose mask equals the colour's pixels (events are drawn on top, so never occluded)."""
    pixels = cropped(colour_mask(frame, colour))
    found = [name for name in sv.SHAPES if np.array_equal(pixels, cropped(sv.shape_mask(name, size)))]
    assert len(found) == 1, found
    return found[0]


def brief_colours(frames: np.ndarray) -> dict[str, np.ndarray]:
    """Colours present in some but not all frames, with their presence per frame."""
    frame_pixels = packed(frames)
    presence = {name: (frame_pixels == value).any((1, 2)) for name, value in PACKED_COLOURS.items()}
    return {name: seen for name, seen in presence.items() if 0 < seen.sum() < len(frames)}


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def test_same_seed_same_example_and_frames():
    again = sv.generate_video_example(5)
    assert again == LONG_EXAMPLES[5]
    np.testing.assert_array_equal(sv.render_video(again), sv.render_video(LONG_EXAMPLES[5]))
    other_seed = sv.generate_video_example(5, seed=1)
    assert other_seed["spec"] != again["spec"]
    first, second = sv.generate_image_example(3), sv.generate_image_example(3)
    np.testing.assert_array_equal(first["image"], second["image"])
    assert {k: v for k, v in first.items() if k != "image"} == {k: v for k, v in second.items() if k != "image"}


def test_frames_are_small_uint8_and_sampled_rendering_matches_full():
    frames = sv.render_video(LONG_EXAMPLES[0])
    assert frames.shape == (256, 32, 32, 3) and frames.dtype == np.uint8
    indices = sv.uniform_frame_indices(256, 8)
    np.testing.assert_array_equal(sv.render_frames(LONG_EXAMPLES[0], indices), frames[indices])
    large = sv.SyntheticVideoConfig(frame_size=64)
    assert sv.render_video(sv.generate_video_example(0, config=large)).shape == (256, 64, 64, 3)


@pytest.mark.parametrize("example", LONG_EXAMPLES + SHORT_EXAMPLES, ids=lambda e: e["question_type"])
def test_answer_is_readable_from_rendered_frames(example):
    options, answer = example["options"], example["answer"]
    assert len(options) == 4 and len(set(options)) == 4 and options.count(answer) == 1
    assert options[example["answer_index"]] == answer
    frames = sv.render_video(example)
    size = json.loads(example["spec"])["shape_size"]
    brief = brief_colours(frames)
    spans = [tuple(span) for span in example["event_spans"]]
    question, kind = example["question"], example["question_type"]
    if kind == "needle":
        ((colour, seen),) = brief.items()
        assert runs(seen) == spans
        if question.startswith("What color"):
            assert answer == colour and shape_of(frames[spans[0][0]], colour, size) in question
        else:
            assert colour in question and shape_of(frames[spans[0][0]], colour, size) == answer
    elif kind == "order":
        onsets = sorted((int(np.argmax(seen)), colour) for colour, seen in brief.items())
        assert [start for start, _ in onsets] == [start for start, _ in spans]
        onset, colour = onsets[0] if "first" in question else onsets[-1]
        expected = colour if question.startswith("What color") else shape_of(frames[onset], colour, size)
        assert answer == expected
    elif kind == "count":
        ((colour, seen),) = brief.items()
        assert colour in question and runs(seen) == spans
        assert sv.NUMBER_WORDS.index(answer) + 1 == len(runs(seen))
    else:
        ((colour, seen),) = brief.items()
        assert runs(seen) == spans
        centroids = np.array([np.argwhere(colour_mask(frame, colour)).mean(0) for frame in frames[seen]])
        dy, dx = centroids[-1] - centroids[0]
        moved = ("right" if dx > 0 else "left") if abs(dx) > abs(dy) else ("down" if dy > 0 else "up")
        assert answer == moved and min(abs(dx), abs(dy)) == 0


@pytest.mark.parametrize("index", range(16))
def test_image_answer_is_readable_from_pixels(index):
    example = sv.generate_image_example(index)
    image, answer, question = example["image"], example["answer"], example["question"]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert example["options"].count(answer) == 1 and example["options"][example["answer_index"]] == answer
    present = [name for name in sv.COLORS if colour_mask(image, name).any()]
    shapes = {name: shape_of(image, name, 8) for name in present}
    if example["question_type"] == "color":
        assert shapes[answer] in question
    elif example["question_type"] == "shape":
        colour = next(name for name in present if f" {name} " in question)
        assert shapes[colour] == answer
    elif example["question_type"] == "position":
        colour = next(name for name in present if f" {name} " in question)
        y, x = np.argwhere(colour_mask(image, colour)).mean(0)
        assert answer == f"{'top' if y < 16 else 'bottom'} {'left' if x < 16 else 'right'}"
    else:
        assert sv.NUMBER_WORDS.index(answer) + 1 == len(present)


def test_evidence_hits_and_uniform_indices():
    np.testing.assert_array_equal(sv.uniform_frame_indices(256, 8), [16, 48, 80, 112, 144, 176, 208, 240])
    assert sv.evidence_hits([[10, 20], [40, 50], [0, 3]], [2, 6, 10, 14, 18, 42]) == [3, 1, 1]
    direction = {"question_type": "direction", "event_spans": [[100, 136]]}
    assert sv.evidence_visible(direction, sv.uniform_frame_indices(256, 64))
    assert not sv.evidence_visible(direction, [110])


def test_sparse_sampling_misses_events_that_dense_sampling_catches():
    examples = [sv.generate_video_example(i) for i in range(400)]
    coverage = sv.coverage_by_num_frames(examples, (8, 64))
    assert all(per[64] == 1.0 for per in coverage.values())
    assert coverage["all"][8] < 0.25
    # A needle of L frames is hit by a stride-32 grid with probability L / 32; L is uniform in [4, 12].
    assert abs(coverage["needle"][8] - 8 / 32) < 0.1
    assert coverage["order"][8] < 0.1 and coverage["count"][8] < 0.2 and coverage["direction"][8] < 0.25


def test_bad_config_and_indices_raise_clear_errors():
    with pytest.raises(ValueError, match="too short"):
        sv.SyntheticVideoConfig(num_frames=32)
    with pytest.raises(ValueError, match="shape_size"):
        sv.SyntheticVideoConfig(frame_size=16, shape_size=12)
    with pytest.raises(ValueError, match="frame_indices"):
        sv.render_frames(LONG_EXAMPLES[0], [256])
    with pytest.raises(ValueError, match="question_type"):
        sv.generate_video_example(0, question_type="colour")
    with pytest.raises(ValueError, match="its own shape"):
        sv.SyntheticVideoConfig(order_events=4, num_distractors=2)
    with pytest.raises(ValueError, match="'spec' field"):
        sv.render_video({"question": "What color is the circle?"})
