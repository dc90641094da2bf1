"""pipeline("video-question-answering") end to end on a tiny InternVL, and multiple-choice scoring."""

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
