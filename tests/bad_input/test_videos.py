"""Bad-input corpus, videos: LVCProcessor's frame sampling and the video-question-answering pipeline.

Every encoding of one video (uint8, floats in [0, 1] or [0, 255], uint16, tensors, lists of frames)
gives the pixels of its uint8 (T, H, W, 3) form; what has no meaningful reading is refused naming the argument, the
offending value and the expected form. Cases already in tests/models/lvc/test_processing_lvc.py are not repeated.
"""

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import pipeline

from hf_spiking.data.synthetic_videos import build_lvc_test_tokenizer

from ..models.lvc.testing_utils import make_lvc_model, make_lvc_processor, tiny_vlm_config, write_video
from . import assert_refused

QUESTION = "what is the cat doing ?"
# Six frames, frame i a horizontal gradient offset by 20 * i: frames and columns are told apart by their values.
VIDEO = (20 * np.arange(6)[:, None, None, None] + 4 * np.arange(12)[None, None, :, None]
         + np.zeros((1, 10, 1, 3))).astype(np.uint8)


@pytest.fixture(scope="module")
def tokenizer():
    return build_lvc_test_tokenizer()


@pytest.fixture(scope="module")
def processor(tokenizer):
    return make_lvc_processor(tokenizer, num_frames=4, window_size=2)


@pytest.fixture(scope="module")
def reference(processor):
    return processor(videos=VIDEO, text=QUESTION)["pixel_values_videos"]


ENCODINGS = {
    "float32 in [0, 1]": lambda: VIDEO.astype(np.float32) / 255,
    "float16 in [0, 1]": lambda: (VIDEO / 255).astype(np.float16),
    "float64 in [0, 255]": lambda: VIDEO.astype(np.float64),
    "uint16 full range": lambda: VIDEO.astype(np.uint16) * 257,
    "int32 in 0-255": lambda: VIDEO.astype(np.int32),
    "int64 in 0-255": lambda: VIDEO.astype(np.int64),
    "uint8 tensor": lambda: torch.from_numpy(VIDEO),
    "float32 tensor in [0, 1]": lambda: torch.from_numpy(VIDEO / 255.0).float(),
    "float64 tensor in [0, 255]": lambda: torch.from_numpy(VIDEO.astype(np.float64)),
    "list of uint8 frames": lambda: list(VIDEO),
    "tuple of uint8 frames": lambda: tuple(VIDEO),
    "list of float frames in [0, 1]": lambda: [frame / 255.0 for frame in VIDEO],
    "list of PIL frames": lambda: [Image.fromarray(frame) for frame in VIDEO],
    "non-contiguous array": lambda: np.ascontiguousarray(VIDEO[:, :, ::-1])[:, :, ::-1],
    "batch of one (1, T, H, W, 3)": lambda: VIDEO[None],
}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_encoding_gives_the_pixels_of_the_uint8_video(processor, reference, encoding):
    pixels = processor(videos=ENCODINGS[encoding](), text=QUESTION)["pixel_values_videos"]
    torch.testing.assert_close(pixels, reference, rtol=0, atol=1e-6)


def test_a_list_of_videos_and_a_batch_array_give_each_video_its_pixels(processor, reference):
    for videos in ([VIDEO, VIDEO / 255.0], np.stack([VIDEO, VIDEO]), [list(VIDEO), torch.from_numpy(VIDEO)]):
        batch = processor(videos=videos, text=[QUESTION, "how many ?"])
        assert batch["pixel_values_videos"].shape[0] == 2
        for pixels in batch["pixel_values_videos"]:
            torch.testing.assert_close(pixels, reference[0], rtol=0, atol=1e-6)


@pytest.mark.parametrize(("length", "expected"), [(1, [0, 0, 0, 0]), (2, [0, 0, 1, 1]), (3, [0, 1, 1, 2])])
def test_fewer_frames_than_num_frames_repeat_frames_with_a_warning(processor, length, expected):
    with pytest.warns(UserWarning, match=f"only {length} frames, fewer than the 4"):
        batch = processor(videos=VIDEO[:length], text=QUESTION)
    assert batch["frame_indices"].tolist() == [expected]
    pixels = processor(videos=VIDEO[expected], text=QUESTION)["pixel_values_videos"]
    torch.testing.assert_close(batch["pixel_values_videos"], pixels, rtol=0, atol=0)


def test_long_video_samples_bin_centres(processor):
    long_video = np.repeat(VIDEO, 50, axis=0)  # 300 frames
    assert processor(videos=long_video, text=QUESTION)["frame_indices"].tolist() == [[37, 112, 187, 262]]


def test_a_bool_video_is_black_and_white(processor):
    mask = VIDEO > 100
    expected = processor(videos=np.where(mask, 255, 0).astype(np.uint8), text=QUESTION)["pixel_values_videos"]
    torch.testing.assert_close(processor(videos=mask, text=QUESTION)["pixel_values_videos"], expected, rtol=0, atol=0)


REFUSED = {
    # name: (videos, text, fragments naming the argument, the offending value and the expected form)
    "+inf floats": (np.full((4, 8, 8, 3), np.inf), QUESTION, ["video", "NaN or infinite", "finite"]),
    "-inf tensor": (torch.full((4, 8, 8, 3), -float("inf")), QUESTION, ["video", "NaN or infinite", "finite"]),
    "NaN in one pixel": (np.where(np.arange(3) == 1, np.nan, 0.5) * np.ones((4, 8, 8, 3)), QUESTION,
                         ["video", "NaN or infinite"]),
    "negative int8": (np.full((4, 8, 8, 3), -3, np.int8), QUESTION, ["video", "min -3", "0-255 or 0-65535"]),
    "negative float tensor": (-torch.ones(4, 8, 8, 3), QUESTION, ["video", "min -1.0", "[0, 1] (floats)"]),
    "uint32 beyond 16 bits": (np.full((4, 8, 8, 3), 2**20, np.uint32), QUESTION,
                              ["video", "1048576", "uint8, uint16 or floats"]),
    "complex": (np.zeros((4, 8, 8, 3), np.complex64), QUESTION, ["video", "complex64", "real pixel values"]),
    "object array": (np.array([VIDEO, None], dtype=object), QUESTION, ["video", "dtype object", "numeric or boolean"]),
    "one frame (H, W, 3) as the video": (VIDEO[0], QUESTION, ["video array", "(10, 12, 3)", "(T, H, W, 3)"]),
    "2-D array": (np.zeros((8, 8), np.uint8), QUESTION, ["video array", "(8, 8)", "(T, H, W, 3)"]),
    "6-D array": (np.zeros((1, 1, 4, 8, 8, 3), np.uint8), QUESTION, ["video array", "(1, 1, 4, 8, 8, 3)",
                                                                     "(T, H, W, 3)"]),
    "grey channel (T, H, W, 1)": (np.zeros((4, 8, 8, 1), np.uint8), QUESTION, ["video array", "(4, 8, 8, 1)",
                                                                              "(T, H, W, 3)"]),
    "RGBA (T, H, W, 4)": (np.zeros((4, 8, 8, 4), np.uint8), QUESTION, ["video array", "(4, 8, 8, 4)", "(T, H, W, 3)"]),
    "channels-first (T, 3, H, W)": (np.moveaxis(VIDEO, -1, 1), QUESTION, ["video array", "(6, 3, 10, 12)",
                                                                       "(T, H, W, 3)", "channels-first"]),
    "channels-first tensor": (torch.from_numpy(VIDEO).permute(0, 3, 1, 2), QUESTION, ["(6, 3, 10, 12)",
                                                                                      "channels last"]),
    "zero-width frames": (np.zeros((4, 8, 0, 3), np.uint8), QUESTION, ["video array", "(4, 8, 0, 3)", "H, W >= 1"]),
    "empty batch (0, T, H, W, 3)": (np.zeros((0, 4, 8, 8, 3), np.uint8), QUESTION,
                                    ["got 0 video(s) but 1 question(s)", "(0, 4, 8, 8, 3)"]),
    "list of grey frames": ([np.zeros((8, 8), np.uint8)] * 4, QUESTION, ["frames", "(8, 8)", "(H, W, 3)"]),
    "frame and video mixed": ([VIDEO[0], VIDEO], QUESTION, ["video given as a list", "(H, W, 3) arrays"]),
    "nested python lists": (VIDEO[:2].tolist(), QUESTION, ["got 2 video(s) but 1 question(s)", "of type list"]),
    "an int": (5, QUESTION, ["`videos`", "got int", "(T, H, W, 3) array"]),
    "a dict": ({"video": VIDEO}, QUESTION, ["`videos`", "got dict", "a file path"]),
    "a set": ({1, 2}, QUESTION, ["`videos`", "got set", "a file path"]),
    "two videos, one question": ([VIDEO, VIDEO], QUESTION, ["got 2 video(s) but 1 question(s)", "a list of 2",
                                                            "one question per video"]),
    "one video, two questions": (VIDEO, [QUESTION, QUESTION], ["got 1 video(s) but 2 question(s)",
                                                               "shape (6, 10, 12, 3)"]),
    "frames as one video, two questions": (list(VIDEO), [QUESTION, QUESTION], ["got 1 video(s) but 2 question(s)",
                                                                               "list of its frames"]),
    "batch array, three questions": (np.stack([VIDEO, VIDEO]), [QUESTION] * 3, ["got 2 video(s) but 3 question(s)",
                                                                                "(2, 6, 10, 12, 3)"]),
    "empty list": ([], QUESTION, ["got 0 video(s) but 1 question(s)", "a list of 0"]),
    "question an int": (VIDEO, 5, ["`text`", "got 5", "question string"]),
    "questions with a None": ([VIDEO, VIDEO], [QUESTION, None], ["`text`", "None", "question string"]),
    "empty question list": (VIDEO, [], ["`text`", "got []", "question string"]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_videos_without_a_meaningful_reading_are_refused(processor, name):
    videos, text, fragments = REFUSED[name]
    assert_refused(ValueError, lambda: processor(videos=videos, text=text), *fragments)


def test_answers_and_queries_must_match_the_questions(processor):
    assert_refused(ValueError, lambda: processor(videos=VIDEO, text=QUESTION, answers=["a", "b"]),
                   "got 2 answer(s) for 1 question(s)")
    assert_refused(ValueError, lambda: processor(videos=VIDEO, text=QUESTION, queries=["a", "b"]),
                   "got 2 queries for 1 question(s)")
    assert_refused(ValueError, lambda: processor(videos=VIDEO, text=QUESTION, queries=[""]), "`queries`", "['']")


@pytest.mark.parametrize(
    ("make_file", "fragments"),
    [
        pytest.param(lambda folder: folder / "missing.mp4", ["missing.mp4", "does not exist", "path of a video file"],
                     id="missing file"),
        pytest.param(lambda folder: folder, ["is a directory, not a file", "path of a video file"], id="a directory"),
        pytest.param(lambda folder: (folder / "notes.mp4").write_text("just text") and folder / "notes.mp4",
                     ["could not decode video file", "notes.mp4"], id="a text file named .mp4"),
        pytest.param(lambda folder: (folder / "empty.mp4").write_bytes(b"") or folder / "empty.mp4",
                     ["could not decode video file", "empty.mp4"], id="an empty file"),
    ],
)
def test_paths_that_are_not_videos_are_refused_naming_the_file(processor, tmp_path, make_file, fragments):
    path = make_file(tmp_path)
    for video in (str(path), path):
        assert_refused(ValueError, lambda: processor(videos=video, text=QUESTION), *fragments)


def test_a_video_file_with_fewer_frames_than_num_frames_repeats_them(processor, tmp_path):
    path = write_video(tmp_path / "short.mp4", num_frames=2)
    with pytest.warns(UserWarning, match="only 2 frames"):
        batch = processor(videos=str(path), text=QUESTION)
    assert batch["frame_indices"].tolist() == [[0, 0, 1, 1]]


def test_a_still_image_file_is_read_as_a_one_frame_video(processor, tmp_path):
    Image.fromarray(VIDEO[3]).save(tmp_path / "still.png")
    with pytest.warns(UserWarning, match="only 1 frames"):
        batch = processor(videos=str(tmp_path / "still.png"), text=QUESTION)
    assert batch["frame_indices"].tolist() == [[0, 0, 0, 0]]
    expected = processor(videos=VIDEO[[3, 3, 3, 3]], text=QUESTION)["pixel_values_videos"]
    torch.testing.assert_close(batch["pixel_values_videos"], expected, rtol=0, atol=0.1)  # PNG is lossless, RGB->YUV not


@pytest.fixture(scope="module")
def pipe(tokenizer):
    torch.manual_seed(0)
    model = make_lvc_model(tiny_vlm_config(tokenizer), num_frames=4, window_size=2)
    return pipeline("video-question-answering", model=model, processor=make_lvc_processor(tokenizer, 4, 2),
                    device="cpu")


@pytest.mark.parametrize(
    ("call_kwargs", "fragments"),
    [
        pytest.param({"options": []}, ["`options`", "[]", "non-empty list of non-empty strings"], id="no options"),
        pytest.param({"options": ["a cat", ""]}, ["`options`", "''", "non-empty strings"], id="an empty option"),
        pytest.param({"options": ["a cat", None]}, ["`options`", "None", "non-empty strings"], id="a None option"),
        pytest.param({"options": "a cat"}, ["`options`", "'a cat'", "list of non-empty strings"], id="a string"),
        pytest.param({"options": ["a cat", "a dog", "a cat"]}, ["`options`", "must be distinct", "['a cat'] repeated"],
                     id="a duplicated option"),
        pytest.param({"options": ["a cat", " a cat "]}, ["`options`", "must be distinct"], id="equal after spaces"),
        pytest.param({"options": ["a", "b"], "scoring": "vote"}, ["scoring", "'vote'", "loglikelihood"],
                     id="unknown scoring"),
    ],
)
def test_pipeline_refuses_meaningless_options(pipe, call_kwargs, fragments):
    assert_refused(ValueError, lambda: pipe(VIDEO, question=QUESTION, **call_kwargs), *fragments)


@pytest.mark.parametrize(
    ("inputs", "fragments"),
    [
        pytest.param({"video": VIDEO}, ["'video'", "non-empty 'question'"], id="no question key"),
        pytest.param({"video": VIDEO, "question": ""}, ["non-empty 'question'"], id="empty question"),
        pytest.param({"question": QUESTION}, ["'video'"], id="no video key"),
    ],
)
def test_pipeline_refuses_incomplete_items(pipe, inputs, fragments):
    assert_refused(ValueError, lambda: pipe(inputs), *fragments)


def test_pipeline_without_a_question_says_how_to_pass_it(pipe):
    assert_refused(ValueError, lambda: pipe(VIDEO), "pass the question", "question='...'")


def test_pipeline_scores_distinct_options_of_a_float_video_like_its_uint8_form(pipe):
    options = ["a cat", "a red dog", "yes"]
    as_uint8 = pipe(VIDEO, question=QUESTION, options=options)
    as_floats = pipe(VIDEO / 255.0, question=QUESTION, options=options)
    assert as_uint8["options"] == options and len(as_uint8["scores"]) == 3
    assert all(np.isfinite(as_uint8["scores"])) and max(as_uint8["scores"]) < 0
    np.testing.assert_allclose(as_floats["scores"], as_uint8["scores"], rtol=1e-5)
    assert as_floats["answer"] == as_uint8["answer"]
