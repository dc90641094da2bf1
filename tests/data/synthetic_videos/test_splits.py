"""The synthetic splits as datasets.Dataset objects: columns, lazy frames, independence from the dataset size."""

import datasets
import numpy as np

from hf_spiking.data import synthetic_videos as sv


def test_image_qa_dataset_stores_uint8_frames():
    dataset = sv.image_qa_dataset(8, seed=3)
    assert isinstance(dataset, datasets.Dataset) and len(dataset) == 8
    row = dataset[5]
    expected = sv.generate_image_example(5, seed=3)
    assert isinstance(row["image"], np.ndarray) and row["image"].dtype == np.uint8
    np.testing.assert_array_equal(row["image"], expected["image"])
    assert row["question"] == expected["question"] and list(row["options"]) == expected["options"]
    assert [dataset[i]["question_type"] for i in range(4)] == list(sv.IMAGE_QUESTION_TYPES)


def test_long_video_rows_render_on_read_and_match_the_generator():
    dataset = sv.long_video_dataset(4, seed=2)
    row = dataset[3]
    expected = sv.generate_video_example(3, seed=2)
    assert row["video"].shape == (256, 32, 32, 3) and row["video"].dtype == np.uint8
    np.testing.assert_array_equal(row["video"], sv.render_video(expected))
    assert row["event_spans"] == expected["event_spans"] and row["answer"] == expected["answer"]
    compact = sv.long_video_dataset(4, seed=2, render=False)
    assert "video" not in compact[0] and compact[0]["spec"] == dataset[0]["spec"]
    assert compact.data.nbytes < 10_000  # specs, not frames


def test_short_videos_have_captions_and_sixteen_frames():
    dataset = sv.short_video_dataset(8)
    batch = dataset[:4]
    assert [video.shape for video in batch["video"]] == [(16, 32, 32, 3)] * 4
    assert batch["question_type"] == list(sv.VIDEO_QUESTION_TYPES)
    assert all(caption.endswith(".") and "moves around" in caption for caption in batch["caption"])
    # The short split is seeded apart from the long one: same index, different video.
    assert dataset[0]["spec"] != sv.generate_video_example(0, config=sv.SHORT_VIDEO_CONFIG, split="long")["spec"]


def test_vocabulary_covers_every_generated_text():
    words = set(sv.vocabulary())
    texts = []
    for i in range(40):
        for example in (sv.generate_video_example(i), sv.generate_image_example(i)):
            texts += [example["question"], example["caption"], *example["options"]]
    used = {word for text in texts for word in sv.WORD_PATTERN.findall(text.lower())}
    assert used <= words
