"""hf_spiking.jobs.eval_lvc_mcq on tiny MLVU / Video-MME fixtures."""

import json

import pytest
from transformers import pipeline

from hf_spiking.jobs.eval_lvc_mcq import evaluate_benchmark, parse_arguments

from ..models.lvc.testing_utils import save_tiny_lvc, write_video


def run_job(argv):
    return evaluate_benchmark(parse_arguments(argv))


@pytest.fixture
def lvc_folder(tmp_path):
    return save_tiny_lvc(tmp_path / "lvc", num_frames=4, window_size=2)


def test_eval_mlvu_fixture_per_task_accuracy(lvc_folder, tmp_path):
    root = tmp_path / "MLVU"
    (root / "json").mkdir(parents=True)
    for task, count in (("1_plotQA", 2), ("4_count", 1)):
        (root / "video" / task).mkdir(parents=True)
        entries = []
        for index in range(count):
            write_video(root / "video" / task / f"{task}_{index}.mp4", num_frames=6 + index)
            entries.append({"video": f"{task}_{index}.mp4", "duration": 3.0, "question": "what is the cat doing ?",
                            "candidates": ["a cat", "a red dog", "yes", "no"], "answer": ["yes", "a cat"][index],
                            "question_type": task.split("_", 1)[1]})
        (root / "json" / f"{task}.json").write_text(json.dumps(entries))
    (root / "json" / "8_sub_scene.json").write_text(json.dumps([{"video": "x.mp4", "question": "describe",
                                                                   "answer": "text", "question_type": "subPlot"}]))
    output = tmp_path / "mlvu.json"
    results = run_job(["--model", str(lvc_folder), "--benchmark", "mlvu", "--annotations", str(root / "json"),
                           "--videos", str(root / "video"), "--output", str(output)])
    assert results["count_per_task_type"] == {"count": 1, "plotQA": 2}
    assert json.loads(output.read_text())["num_items"] == 3
    # every prediction is the argmax of the pipeline's own option scores, and accuracies aggregate them
    pipe = pipeline("video-question-answering", model=str(lvc_folder), device="cpu")
    for prediction in results["predictions"]:
        scores = pipe(prediction["video"], question="what is the cat doing ?",
                      options=["a cat", "a red dog", "yes", "no"])["scores"]
        assert prediction["predicted"] == max(range(4), key=scores.__getitem__)
    plot = [p["correct"] for p in results["predictions"] if p["task_type"] == "plotQA"]
    assert results["per_task_type"]["plotQA"] == sum(plot) / 2
    assert [p["answer"] for p in results["predictions"]] == [2, 0, 2]


def test_eval_videomme_flat_and_nested_formats(lvc_folder, tmp_path):
    videos = tmp_path / "data"
    videos.mkdir()
    write_video(videos / "fFjv93ACGo8.mp4", num_frames=5)
    options = ["A. a cat", "B. a dog", "C. yes", "D. no"]
    flat = [{"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
             "url": "https://www.youtube.com/watch?v=fFjv93ACGo8", "videoID": "fFjv93ACGo8", "question_id": f"001-{i}",
             "task_type": task, "question": "what is the cat doing ?", "options": options, "answer": answer}
            for i, (task, answer) in enumerate([("Counting Problem", "C"), ("Object Recognition", "A")], start=1)]
    nested = [{"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
               "videoID": "fFjv93ACGo8",
               "questions": [{k: row[k] for k in ("question_id", "task_type", "question", "options", "answer")}
                             for row in flat]}]
    outputs = []
    for name, annotation in (("flat.json", flat), ("nested.json", nested)):
        (tmp_path / name).write_text(json.dumps(annotation))
        outputs.append(run_job(["--model", str(lvc_folder), "--benchmark", "videomme", "--annotations",
                                    str(tmp_path / name), "--videos", str(videos)]))
    assert outputs[0]["count_per_task_type"] == {"Counting Problem": 1, "Object Recognition": 1}
    assert [p["answer"] for p in outputs[0]["predictions"]] == [2, 0]
    assert outputs[0]["predictions"] == outputs[1]["predictions"]
    (tmp_path / "bad.json").write_text(json.dumps([{**flat[0], "answer": "E"}]))
    with pytest.raises(ValueError, match="not among"):
        run_job(["--model", str(lvc_folder), "--benchmark", "videomme", "--annotations",
                     str(tmp_path / "bad.json"), "--videos", str(videos)])


def videomme_fixture(tmp_path, count=3):
    videos = tmp_path / "data"
    videos.mkdir()
    write_video(videos / "vid.mp4", num_frames=5)
    rows = [{"video_id": "001", "videoID": "vid", "question_id": f"001-{i}", "task_type": "Counting Problem",
             "question": "what is the cat doing ?", "options": ["A. a cat", "B. a dog", "C. yes", "D. no"],
             "answer": "ABC"[i % 3]} for i in range(count)]
    (tmp_path / "videomme.json").write_text(json.dumps(rows))
    return ["--benchmark", "videomme", "--annotations", str(tmp_path / "videomme.json"), "--videos", str(videos)]


def test_predictions_are_written_as_they_go_and_a_rerun_resumes(lvc_folder, tmp_path, monkeypatch):
    from hf_spiking.jobs import eval_lvc_mcq

    argv = ["--model", str(lvc_folder), *videomme_fixture(tmp_path), "--predictions", str(tmp_path / "p.jsonl")]
    complete = run_job(argv[:-2])
    predict, calls = eval_lvc_mcq.predict, []

    def crash_on_third_item(pipe, item, *args):
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        calls.append(item["item_id"])
        return predict(pipe, item, *args)

    monkeypatch.setattr(eval_lvc_mcq, "predict", crash_on_third_item)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_job(argv)
    assert [json.loads(line)["key"] for line in (tmp_path / "p.jsonl").read_text().splitlines()] == [
        eval_lvc_mcq.item_key(item) for item in eval_lvc_mcq.load_videomme(tmp_path / "videomme.json",
                                                                           tmp_path / "data")[:2]]
    calls.clear()
    monkeypatch.setattr(eval_lvc_mcq, "predict", lambda pipe, item, *args: calls.append(item) or predict(pipe, item, *args))
    resumed = run_job(argv)
    assert [item["item_id"] for item in calls] == ["001-2"]  # only the item the crash lost
    assert resumed["predictions"] == complete["predictions"] and resumed["accuracy"] == complete["accuracy"]


def test_generation_scoring_reads_the_generated_letter(lvc_folder, tmp_path):
    from hf_spiking.models.lvc.multiple_choice import parse_option_letter

    results = run_job(["--model", str(lvc_folder), *videomme_fixture(tmp_path, count=2), "--scoring", "generate",
                       "--max_new_tokens", "3"])
    assert results["scoring"] == "generate"
    pipe = pipeline("video-question-answering", model=str(lvc_folder), device="cpu")
    for prediction in results["predictions"]:
        answer = pipe(prediction["video"], question="what is the cat doing ?", options=["A. a cat", "B. a dog",
                      "C. yes", "D. no"], scoring="generate", prompt_template="videomme", max_new_tokens=3)
        assert prediction["generated_text"] == answer["generated_text"]
        index = parse_option_letter(answer["generated_text"], 4)
        assert prediction["predicted"] == (-1 if index is None else index)
        assert prediction["correct"] == (prediction["predicted"] == prediction["answer"])


def test_missing_pyav_is_reported_before_loading(lvc_folder, tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "av" else find_spec(name, *a))
    with pytest.raises(ImportError, match="pip install av"):
        run_job(["--model", str(tmp_path / "absent"), "--benchmark", "mlvu", "--annotations", str(tmp_path),
                 "--videos", str(tmp_path)])
