"""pipeline("video-question-answering") end to end on a tiny InternVL, and multiple-choice scoring."""

import pytest
import torch
from transformers import pipeline

from hf_spiking.models.lvc.pipeline_lvc import VideoQuestionAnsweringPipeline

from .testing_utils import write_video

QUESTION = "what is the cat doing ?"


def test_pipeline_from_folder_generates_like_the_model(make_model, make_processor, tmp_path):
    model, processor = make_model(), make_processor()
    model.save_pretrained(tmp_path / "lvc")
    processor.save_pretrained(tmp_path / "lvc")
    video = write_video(tmp_path / "clip.mp4", num_frames=16)
    pipe = pipeline("video-question-answering", model=str(tmp_path / "lvc"), device="cpu")
    assert isinstance(pipe, VideoQuestionAnsweringPipeline)
    result = pipe(str(video), question=QUESTION, max_new_tokens=3)

    inputs = processor(videos=str(video), text=QUESTION)
    inputs.pop("frame_indices")
    generated = model.generate(**inputs, max_new_tokens=3, do_sample=False)
    expected = processor.decode(generated[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    assert result["answer"] == expected
    assert result["frame_indices"] == [1, 3, 5, 7, 9, 11, 13, 15]


def test_multiple_choice_scores_are_option_log_likelihoods(make_model, make_processor, video_array):
    model, processor = make_model(), make_processor()
    pipe = pipeline("video-question-answering", model=model, processor=processor, device="cpu")
    options = ["a cat", "a red dog", "yes"]
    result = pipe(video_array, question=QUESTION, options=options)

    inputs = processor(videos=video_array, text=QUESTION)
    expected = []
    for option in options:
        scored = processor.tokenize_with_answers([processor.build_prompt(QUESTION)], [option], add_eos=False)
        with torch.no_grad():
            logits = model(input_ids=scored["input_ids"], pixel_values_videos=inputs["pixel_values_videos"],
                           query_input_ids=inputs["query_input_ids"]).logits
        option_length = (scored["labels"] != -100).sum()
        targets = scored["input_ids"][0, -option_length:]
        log_probs = logits[0, -option_length - 1:-1].log_softmax(-1)
        expected.append(log_probs.gather(-1, targets[:, None]).sum().item())
    assert result["options"] == options
    torch.testing.assert_close(torch.tensor(result["scores"]), torch.tensor(expected), rtol=1e-4, atol=1e-4)
    assert result["answer"] == options[max(range(3), key=expected.__getitem__)]


def test_batching_gives_the_per_item_results(make_model, make_processor, video_array, tmp_path):
    model, processor = make_model(), make_processor()
    pipe = pipeline("video-question-answering", model=model, processor=processor, device="cpu")
    videos = [video_array, video_array[:9], str(write_video(tmp_path / "clip.mp4", num_frames=20)),
              video_array[::-1][:10].copy(), video_array[:5]]
    inputs = [{"video": video, "question": question}
              for video, question in zip(videos, [QUESTION, "how many dogs ?", QUESTION, "what color ?", "yes ?"])]
    for call_kwargs in ({"max_new_tokens": 3}, {"options": ["a cat", "a red dog", "yes"]},
                        {"options": ["a cat", "no"], "scoring": "generate", "max_new_tokens": 2}):
        one_by_one = [pipe(item["video"], question=item["question"], **call_kwargs) for item in inputs]
        assert len({tuple(result["frame_indices"]) for result in one_by_one}) == len(inputs)
        for batch_size in (1, 2, 7):
            assert pipe(inputs, batch_size=batch_size, **call_kwargs) == one_by_one, (batch_size, call_kwargs)


def test_generation_scoring_parses_the_generated_letter(make_model, make_processor, video_array):
    from hf_spiking.models.lvc.multiple_choice import multiple_choice_prompt, parse_option_letter

    model, processor = make_model(), make_processor()
    pipe = pipeline("video-question-answering", model=model, processor=processor, device="cpu")
    options = ["a cat", "a red dog", "yes"]
    result = pipe(video_array, question=QUESTION, options=options, scoring="generate", prompt_template="mlvu",
                  max_new_tokens=4)

    inputs = processor(videos=video_array, text=multiple_choice_prompt(QUESTION, options, "mlvu"), queries=QUESTION)
    assert torch.equal(inputs["query_input_ids"], processor(videos=video_array, text=QUESTION)["query_input_ids"])
    inputs.pop("frame_indices")
    generated = model.generate(**inputs, max_new_tokens=4, do_sample=False)
    text = processor.decode(generated[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    assert result["generated_text"] == text
    assert result["answer_index"] == parse_option_letter(text, 3)
    assert result["answer"] == (None if result["answer_index"] is None else options[result["answer_index"]])


def test_task_without_model_names_what_to_pass():
    with pytest.raises(ValueError, match="model="):
        pipeline("video-question-answering")
