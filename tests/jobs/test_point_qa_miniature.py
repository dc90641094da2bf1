"""Smoke test of hf_spiking.jobs.point_qa_miniature (--smoke: tiny models, a few steps) and its exact pieces."""

import json

import numpy as np
import pytest

from hf_spiking.data import synthetic_point_qa as qa
from hf_spiking.jobs import point_qa_miniature as job


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("point_qa")
    results = job.reproduce(job.ReproducePointQAArguments(output_dir=str(output), smoke=True, threads=1))
    return output, results


def test_smoke_run_evaluates_both_encoders_on_every_question_type(smoke_run):
    output, results = smoke_run
    assert json.loads((output / "results.json").read_text()) == json.loads(json.dumps(results))
    assert set(results["arms"]) == {"snn", "ann"}
    for arm in results["arms"].values():
        assert set(arm["questions"]["per_type"]) == set(qa.QUESTION_TYPES)
        assert arm["questions"]["overall"]["count"] == sum(t["count"] for t in arm["questions"]["per_type"].values())
        assert -1 <= arm["captions"]["mean_max_cosine"] <= 1
    # Same questions for both arms, spikes cost less than the ANN twin's dense MACs.
    snn = [json.loads(line) for line in (output / "snn" / "predictions.jsonl").read_text().splitlines()]
    ann = [json.loads(line) for line in (output / "ann" / "predictions.jsonl").read_text().splitlines()]
    assert [r["question"] for r in snn] == [r["question"] for r in ann]
    assert results["energy_ratio_ann_over_snn"] > 1
    assert "| SNN (integer multi-spikes) |" in job.results_table(results)


def test_rerun_resumes_from_the_cached_stages(smoke_run):
    output, results = smoke_run
    again = job.run(output, job.PRESETS["smoke"], preset="smoke")
    assert again["arms"] == results["arms"]


def test_held_out_questions_use_held_out_templates_only():
    attributes = qa.ShapeAttributes("chair", "red", "wood", {"legs": "four"}, "yes", "sitting")
    items = job.held_out_questions([{"attributes": attributes}])
    assert [item["type"] for item in items] == list(qa.QUESTION_TYPES)
    held_out = {t.format(noun="legs") for templates in qa.TEMPLATES.values() for t in templates["held_out"]}
    assert all(item["question"] in held_out for item in items)


def test_training_conversations_are_seeded_and_use_training_templates():
    attributes = qa.ShapeAttributes("chair", "red", None, {}, None, "sitting")
    shapes = [{"attributes": attributes, "captions": ["a red chair"], "points": np.zeros((8, 6), np.float32)}]
    data = job.SampledConversations(shapes, size=50, caption_fraction=0.3)
    items = [data[i] for i in range(50)]
    assert [item["question"] for item in items] == [data[i]["question"] for i in range(50)]
    train = {t for templates in qa.TEMPLATES.values() for t in templates["train"]} | {qa.CAPTION_REQUEST}
    assert {item["question"] for item in items} <= train
    assert 5 < sum(item["question"] == qa.CAPTION_REQUEST for item in items) < 30


def test_question_weights_shift_the_mix_towards_the_weighted_types_and_are_validated():
    attributes = qa.ShapeAttributes("chair", "red", "wood", {"legs": "four"}, "yes", "sitting")
    shapes = [{"attributes": attributes, "captions": ["a red chair"], "points": np.zeros((8, 6), np.float32)}]
    count_questions = {t.format(noun="legs") for t in qa.TEMPLATES["count"]["train"]}

    def count_share(weights):
        data = job.SampledConversations(shapes, size=600, caption_fraction=0.0, question_weights=weights)
        return sum(data[i]["question"] in count_questions for i in range(600)) / 600

    # six answerable types: 1/6 uniformly, 6/11 when count weighs 6 and the other five 1
    assert count_share(None) == pytest.approx(1 / 6, abs=0.05)
    assert count_share({"count": 6.0}) == pytest.approx(6 / 11, abs=0.06)
    with pytest.raises(ValueError, match="question_weights must map question types"):
        job.SampledConversations(shapes, size=1, caption_fraction=0.0, question_weights={"legs": 2.0})
