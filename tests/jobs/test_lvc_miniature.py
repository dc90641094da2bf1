"""Smoke test of hf_spiking.jobs.lvc_miniature (--smoke: tiny model, a handful of steps and questions) plus the
pieces whose numbers can be checked exactly."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from hf_spiking.data import synthetic_videos as sv
from hf_spiking.jobs import lvc_miniature as lm


def reproduce(argv):
    return lm.reproduce(lm.parse_arguments(argv))


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("lvc_miniature")
    results = reproduce(["--smoke", "--output-dir", str(output)])
    return output, results


def test_smoke_run_writes_every_method_and_question_type(smoke_run):
    output, returned = smoke_run
    results = json.loads((output / "results.json").read_text())
    assert results == json.loads(json.dumps(returned))
    assert (output / "accuracy_vs_frames.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (budget,) = results["long_videos"].values()
    assert (budget["num_frames"], budget["window"], budget["pseudo_frames"]) == (16, 4, 4)
    assert results["tokens_per_frame"] == lm.PRESETS["smoke"].tokens_per_frame
    assert budget["visual_tokens"] == 4 * results["tokens_per_frame"]
    assert set(budget["methods"]) == set(lm.METHODS)
    frames = {method: stats["frames_sampled"] for method, stats in budget["methods"].items()}
    assert frames == {"sparse": 4, "lvc": 16, "lvc_no_alignment": 16, "mean_pooling": 16}
    for stats in budget["methods"].values():
        assert set(stats["per_type"]) == set(sv.VIDEO_QUESTION_TYPES)
        for entry in (stats["overall"], *stats["per_type"].values()):
            assert 0.0 <= entry["ci95"][0] <= entry["accuracy"] <= entry["ci95"][1] <= 1.0
        assert stats["overall"]["num_questions"] == 4
    image_qa = results["stage1_image_vlm"]["image_qa"]
    assert set(image_qa["per_type"]) == set(sv.IMAGE_QUESTION_TYPES)
    assert 0.0 <= image_qa["overall"]["accuracy"] <= 1.0
    assert set(results["stage2_alignment"]) == {"query_attention", "mean"}
    (trend_point,) = results["stage1_trend"]
    assert trend_point["step"] == lm.PRESETS["smoke"].stage1_steps
    assert 0.0 <= trend_point["held_out_image_accuracy"] <= 1.0 and set(trend_point["loss"]) <= {"image", "8"}


def test_rerun_resumes_from_the_cached_stages(smoke_run):
    output, first = smoke_run
    checkpoint = output / "stage1_image_vlm" / "model.safetensors"
    stamp = checkpoint.stat().st_mtime_ns
    again = reproduce(["--smoke", "--output-dir", str(output)])
    assert checkpoint.stat().st_mtime_ns == stamp
    assert again["long_videos"] == json.loads(json.dumps(first["long_videos"]))
    with pytest.raises(ValueError, match="other settings"):
        reproduce(["--smoke", "--output-dir", str(output), "--stage1-steps", "3"])
    # Budgets only select evaluations: another one reuses the trained stages.
    other = reproduce(["--smoke", "--output-dir", str(output), "--budgets", "8x2"])
    assert checkpoint.stat().st_mtime_ns == stamp
    assert list(other["long_videos"]) == ["M8_w2"] and other["long_videos"]["M8_w2"]["pseudo_frames"] == 4


def test_temperature_is_chosen_on_validation_videos_disjoint_from_the_test_questions(smoke_run):
    output, _ = smoke_run
    selection = reproduce(["--smoke", "--output-dir", str(output), "--select-temperature"])
    accuracies = {t: summary["overall"]["accuracy"] for t, summary in selection["candidates"].items()}
    assert list(accuracies) == ["1", "0.3", "0.1", "0.03"]
    assert accuracies[f"{selection['chosen']:g}"] == max(accuracies.values())
    assert selection["validation_seed"] == lm.VALIDATION_SEED != lm.TRAIN_SEED
    for temperature in (0.3, 0.03):
        checkpoint = output / "temperature_selection" / f"temperature_{temperature:g}"
        assert json.loads((checkpoint / "alignment.json").read_text())["trainable_parameters"] > 0
        assert lm.load_lvc(checkpoint, 16, 4, temperature=temperature).compressor.temperature == temperature
    validation = sv.generate_video_example(0, seed=lm.VALIDATION_SEED)
    assert validation["event_spans"] != sv.generate_video_example(0, seed=lm.TRAIN_SEED)["event_spans"]


def test_training_pixels_match_the_image_processor():
    frames = sv.render_frames(sv.generate_video_example(0), [0, 100, 200])
    processed = lm.build_image_processor()(images=list(frames), return_tensors="pt")["pixel_values"]
    torch.testing.assert_close(lm.frames_to_pixels(frames), processed, rtol=0, atol=1e-6)


def test_summarize_counts_per_type():
    records = [{"type": "needle", "correct": True}, {"type": "needle", "correct": False},
               {"type": "count", "correct": True}]  # fmt: skip
    summary = lm.summarize(records)
    assert summary["overall"]["accuracy"] == pytest.approx(2 / 3)
    assert summary["per_type"]["needle"]["accuracy"] == 0.5 and summary["per_type"]["count"]["num_questions"] == 1


def test_sparse_method_sees_the_same_language_model_budget():
    checkpoints = {"image_vlm": Path("a"), "query_attention": Path("b"), "mean": Path("c")}
    assert lm.method_setup("sparse", 64, 8, checkpoints) == (Path("a"), 8, 1, "query_attention")
    assert lm.method_setup("mean_pooling", 64, 8, checkpoints) == (Path("c"), 64, 8, "mean")
    with pytest.raises(ValueError, match="unknown method"):
        lm.method_setup("dense", 64, 8, checkpoints)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="w >= 1 dividing M"):
        lm.settings_for("smoke", budgets=((10, 4),)).validate()
    with pytest.raises(ValueError, match="query_temperature must be > 0"):
        lm.settings_for("smoke", query_temperature=0.0).validate()
    with pytest.raises(ValueError, match="unknown preset"):
        lm.settings_for("huge")
    with pytest.raises(ValueError, match="64x8"):
        lm.parse_budgets("64by8")


def test_stage1_clips_fit_their_frames():
    for frames, config in lm.CLIP_CONFIGS.items():
        example = sv.generate_video_example(3, seed=lm.CLIP_TRAIN_SEED, config=config, split="short")
        assert sv.render_video(example).shape == (frames, sv.LONG_VIDEO_CONFIG.frame_size,
                                                  sv.LONG_VIDEO_CONFIG.frame_size, 3)  # fmt: skip
        assert np.all([stop <= frames for _, stop in example["event_spans"]])
