"""scripts/eval_lvc_mcq.py on tiny MLVU / Video-MME fixtures and scripts/train_lvc.py on tiny video-text pairs."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch
from lvc_testing import write_video
from safetensors.torch import load_file
from transformers import pipeline

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_script(name):
    spec = importlib.util.spec_from_file_location(f"lvc_script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lvc_folder(make_model, make_processor, tmp_path):
    folder = tmp_path / "lvc"
    make_model(num_frames=4, window_size=2).save_pretrained(folder)
    make_processor(num_frames=4, window_size=2).save_pretrained(folder)
    return folder


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
    script = load_script("eval_lvc_mcq")
    output = tmp_path / "mlvu.json"
    results = script.main(["--model", str(lvc_folder), "--benchmark", "mlvu", "--annotations", str(root / "json"),
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
    script = load_script("eval_lvc_mcq")
    outputs = []
    for name, annotation in (("flat.json", flat), ("nested.json", nested)):
        (tmp_path / name).write_text(json.dumps(annotation))
        outputs.append(script.main(["--model", str(lvc_folder), "--benchmark", "videomme", "--annotations",
                                    str(tmp_path / name), "--videos", str(videos)]))
    assert outputs[0]["count_per_task_type"] == {"Counting Problem": 1, "Object Recognition": 1}
    assert [p["answer"] for p in outputs[0]["predictions"]] == [2, 0]
    assert outputs[0]["predictions"] == outputs[1]["predictions"]
    (tmp_path / "bad.json").write_text(json.dumps([{**flat[0], "answer": "E"}]))
    with pytest.raises(ValueError, match="not among"):
        script.main(["--model", str(lvc_folder), "--benchmark", "videomme", "--annotations",
                     str(tmp_path / "bad.json"), "--videos", str(videos)])


def test_train_script_updates_only_the_projector(lvc_folder, tmp_path):
    for index in range(2):
        write_video(tmp_path / f"pair{index}.mp4", num_frames=8)
    pairs = [{"video": f"pair{i}.mp4", "question": "what is the cat doing ?", "answer": "the cat jumps"} for i in (0, 1)]
    (tmp_path / "pairs.json").write_text(json.dumps(pairs))
    script = load_script("train_lvc")
    script.main(["--model", str(lvc_folder), "--data", str(tmp_path / "pairs.json"), "--output-dir",
                 str(tmp_path / "out"), "--max-steps", "2", "--batch-size", "2", "--learning-rate", "0.01"])
    before, after = load_file(lvc_folder / "model.safetensors"), load_file(tmp_path / "out" / "model.safetensors")
    assert before.keys() == after.keys()
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    assert changed and all("multi_modal_projector" in name for name in changed)
    assert (tmp_path / "out" / "processor_config.json").is_file()
