"""pipeline("3d-question-answering") on a saved folder: answers as the model generates them, batching, errors."""

import numpy as np
import pytest
from transformers import pipeline

from hf_spiking.models.spiking_point_llm.pipeline_spiking_point_llm import Point3DQuestionAnsweringPipeline


def _expected_answer(model, processor, cloud, question, max_new_tokens):
    inputs = processor(point_clouds=cloud, text=question)
    generated = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False)
    return processor.decode(generated[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True).strip()


def test_pipeline_from_folder_answers_like_the_model_for_files_and_batches(make_model, processor, clouds, tmp_path):
    model = make_model()
    model.save_pretrained(tmp_path / "model")
    processor.save_pretrained(tmp_path / "model")
    np.save(tmp_path / "cloud.npy", clouds[0])
    pipe = pipeline("3d-question-answering", model=str(tmp_path / "model"), device="cpu")
    assert isinstance(pipe, Point3DQuestionAnsweringPipeline)
    expected = _expected_answer(model, processor, clouds[0], "what colour is it?", 3)
    assert pipe(str(tmp_path / "cloud.npy"), question="what colour is it?", max_new_tokens=3) == {"answer": expected}
    items = [{"point_cloud": cloud, "question": q} for cloud, q in zip(clouds, ["what is it?", "what colour is it?",
                                                                                  "how many legs does it have?"])]
    one_by_one = [pipe(item, max_new_tokens=3) for item in items]
    assert pipe(items, batch_size=2, max_new_tokens=3) == one_by_one
    assert one_by_one[2]["answer"] == _expected_answer(model, processor, clouds[2], items[2]["question"], 3)


def test_pipeline_errors_say_what_to_pass(make_model, processor, clouds):
    pipe = pipeline("3d-question-answering", model=make_model(), processor=processor, device="cpu")
    with pytest.raises(ValueError, match="pass the question"):
        pipe(clouds[0])
    with pytest.raises(ValueError, match="non-empty 'question'"):
        pipe({"point_cloud": clouds[0], "question": " "})
    with pytest.raises(ValueError, match="max_new_tokens"):
        pipe(clouds[0], question="what?", max_new_tokens=0)
    with pytest.raises(ValueError, match="no default model"):
        pipeline("3d-question-answering")
