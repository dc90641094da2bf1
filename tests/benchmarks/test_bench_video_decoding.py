"""Smoke test of the video-decoding benchmark at its smallest setting: structure and recomputed ratios."""

from hf_spiking.benchmarks.bench_video_decoding import main


def test_main_reports_matching_frames_and_consistent_speedups(tmp_path, capsys):
    results = main(["--minutes", "0.1", "--fps", "10", "--keyframe_interval", "12", "--num_frames", "4", "16",
                    "--repeats", "1", "--output", str(tmp_path / "out.json")])
    assert results["video"]["frames"] == 60 and [row["num_frames"] for row in results["rows"]] == [4, 16]
    for row in results["rows"]:
        assert row["same_frames"]
        assert row["speedup"] == row["sequential_s"] / row["seeking_s"]
    assert "speed-up" in capsys.readouterr().out and (tmp_path / "out.json").is_file()
