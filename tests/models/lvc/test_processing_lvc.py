"""LVCProcessor: video inputs, dense sampling, prompts with M/w pseudo-frames, query ids, labels, bad input."""

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import AutoProcessor

from hf_spiking.models.lvc import LVCProcessor
from hf_spiking.models.lvc.processing_lvc import uniform_frame_indices

from .testing_utils import TOKENS_PER_FRAME, write_video

QUESTION = "what is the cat doing ?"


def test_uniform_dense_sampling_indices():
    assert uniform_frame_indices(12, 4).tolist() == [1, 4, 7, 10]
    assert uniform_frame_indices(3, 6).tolist() == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="zero frames"):
        uniform_frame_indices(0, 4)


def test_numpy_video_prompt_query_and_pixels(make_processor, tokenizer, video_array):
    processor = make_processor(num_frames=4, window_size=2)
    inputs = processor(videos=video_array, text=QUESTION)
    assert inputs["frame_indices"].tolist() == [[1, 4, 7, 10]]
    assert inputs["pixel_values_videos"].shape == (1, 4, 3, 16, 16)
    # frame i has brightness 10 * i, so the processed frames are ordered like the sampled indices
    means = inputs["pixel_values_videos"][0].mean(dim=(1, 2, 3))
    assert torch.all(means[1:] > means[:-1])
    ids = inputs["input_ids"][0]
    assert int((ids == tokenizer.context_image_token_id).sum()) == 2 * TOKENS_PER_FRAME
    text = tokenizer.decode(ids)
    assert text.startswith("<|user|> Frame 1 : <img>") and "Frame 3" not in text and text.endswith("<|assistant|>")
    assert inputs["query_input_ids"].tolist() == [tokenizer(QUESTION, add_special_tokens=False)["input_ids"]]


def test_pil_list_and_file_path_match_the_array(make_processor, video_array, tmp_path):
    processor = make_processor(num_frames=4, window_size=2)
    from_array = processor(videos=video_array, text=QUESTION)
    from_pil = processor(videos=[Image.fromarray(frame) for frame in video_array], text=QUESTION)
    torch.testing.assert_close(from_pil["pixel_values_videos"], from_array["pixel_values_videos"])
    path = write_video(tmp_path / "clip.mp4", num_frames=20)
    from_file = processor(videos=str(path), text=QUESTION)
    assert from_file["frame_indices"].tolist() == [[2, 7, 12, 17]]
    means = from_file["pixel_values_videos"][0].mean(dim=(1, 2, 3))
    assert torch.all(means[1:] > means[:-1])


def test_batch_of_videos_and_answers_give_answer_only_labels(make_processor, tokenizer, video_array):
    processor = make_processor(num_frames=4, window_size=4, use_chat_template=False)
    inputs = processor(videos=[video_array, video_array[:8]], text=[QUESTION, "how many dog ?"],
                       answers=["a cat", "two"])
    assert inputs["pixel_values_videos"].shape[:2] == (2, 4)
    for row, answer in enumerate(["a cat", "two"]):
        labels = inputs["labels"][row]
        answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
        assert labels[labels != -100].tolist() == answer_ids
        assert tokenizer.decode(inputs["input_ids"][row][: inputs["attention_mask"][row].sum()]).startswith("Frame 1")


def test_processor_round_trip(make_processor, tmp_path, video_array):
    processor = make_processor(num_frames=8, window_size=2)
    processor.save_pretrained(tmp_path)
    loaded = AutoProcessor.from_pretrained(tmp_path)
    assert isinstance(loaded, LVCProcessor)
    assert (loaded.num_frames, loaded.window_size, loaded.tokens_per_frame) == (8, 2, TOKENS_PER_FRAME)
    assert torch.equal(loaded(videos=video_array, text=QUESTION)["input_ids"],
                       processor(videos=video_array, text=QUESTION)["input_ids"])


def test_bad_inputs(make_processor, video_array, tmp_path):
    processor = make_processor(num_frames=4, window_size=2)
    with pytest.raises(ValueError, match="zero frames"):
        processor(videos=np.zeros((0, 8, 8, 3), dtype=np.uint8), text=QUESTION)
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x01 definitely not a video" * 50)
    with pytest.raises(ValueError, match="could not decode video file"):
        processor(videos=str(corrupt), text=QUESTION)
    with pytest.raises(ValueError, match="does not exist"):
        processor(videos=str(tmp_path / "missing.mp4"), text=QUESTION)
    with pytest.raises(ValueError, match="multiple of window_size"):
        make_processor(num_frames=6, window_size=4)
    with pytest.warns(UserWarning, match="only 3 frames"):
        inputs = processor(videos=video_array[:3], text=QUESTION)
    assert inputs["frame_indices"].tolist() == [[0, 1, 1, 2]]
    with pytest.raises(ValueError, match="non-empty question"):
        processor(videos=video_array, text=None)
    with pytest.raises(ValueError, match="non-empty question"):
        processor(videos=video_array, text="  ")
    with pytest.raises(ValueError, match="placeholder tokens"):
        processor(videos=video_array, text="what is <IMG_CONTEXT> ?")
    with pytest.raises(ValueError, match=r"\(T, H, W, 3\)"):
        processor(videos=np.zeros((4, 8, 8)), text=QUESTION)


def test_seeking_reader_gives_the_full_decode_frames(tmp_path):
    import av

    from hf_spiking.benchmarks.bench_video_decoding import write_test_pattern_video
    from hf_spiking.models.lvc.processing_lvc import read_video_frames

    # 300 frames with a keyframe every 25: sampling reaches most frames by seeking, some by decoding on
    path = write_test_pattern_video(tmp_path / "long.mp4", 300, fps=24, size=(64, 16), keyframe_interval=25)
    with av.open(str(path)) as container:
        every_frame = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(every_frame) == 300
    for num_frames in (1, 7, 16, 64):
        frames, indices = read_video_frames(path, num_frames)
        assert indices.tolist() == uniform_frame_indices(300, num_frames).tolist()
        np.testing.assert_array_equal(frames, np.stack([every_frame[i] for i in indices]))


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda video: video.astype(np.float32) / 255, id="float32 in [0, 1]"),
        pytest.param(lambda video: video.astype(np.float64), id="float64 in [0, 255]"),
        pytest.param(lambda video: video.astype(np.uint16) * 257, id="uint16"),
        pytest.param(lambda video: torch.from_numpy(video.astype(np.float32) / 255).bfloat16(), id="bfloat16 tensor"),
        pytest.param(lambda video: list(video), id="list of numpy frames"),
        pytest.param(lambda video: [torch.from_numpy(frame) for frame in video], id="list of tensor frames"),
    ],
)
def test_video_value_range_is_read_from_dtype_and_values(make_processor, video_array, encode):
    processor = make_processor(num_frames=4, window_size=2)
    expected = processor(videos=video_array, text=QUESTION)["pixel_values_videos"]
    got = processor(videos=encode(video_array), text=QUESTION)["pixel_values_videos"]
    # bfloat16 keeps 8 significant bits, so a level can move by one step of 1/255.
    torch.testing.assert_close(got, expected, rtol=0, atol=0.05)


def test_boolean_video_is_black_and_white(make_processor):
    processor = make_processor(num_frames=4, window_size=2)
    mask = np.zeros((4, 16, 16, 3), dtype=bool)
    mask[:, :, 8:] = True
    white = processor(videos=np.full((4, 16, 16, 3), 255, np.uint8), text=QUESTION)["pixel_values_videos"]
    pixels = processor(videos=mask, text=QUESTION)["pixel_values_videos"]
    torch.testing.assert_close(pixels[..., 12], white[..., 12])


@pytest.mark.parametrize(
    ("video", "message"),
    [
        (np.full((4, 8, 8, 3), np.nan, np.float32), "NaN or infinite"),
        (-np.ones((4, 8, 8, 3), np.float32), "negative values"),
        (np.full((4, 8, 8, 3), 300.0), r"float values up to 300.0; expected \[0, 1\] or \[0, 255\]"),
        (np.zeros((0, 8, 8, 3), np.uint8), "zero frames"),
        (np.zeros((4, 0, 8, 3), np.uint8), r"\(T, H, W, 3\) with H, W >= 1"),
        (np.zeros((4, 3, 8, 8), np.uint8), r"must have shape \(T, H, W, 3\)"),
        ([np.zeros((8, 8, 3)), np.zeros((9, 8, 3))], "must share one shape"),
        (np.array([["a"]]), "numeric or boolean"),
    ],
)
def test_unreadable_videos_are_refused_naming_the_problem(make_processor, video, message):
    with pytest.raises(ValueError, match=message):
        make_processor(num_frames=4, window_size=2)(videos=video, text=QUESTION)
