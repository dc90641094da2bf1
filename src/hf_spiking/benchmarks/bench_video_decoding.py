"""Video decoding for LVC's dense sampling: seeking (``read_video_frames``) vs decoding every frame up to the last
sampled one (the previous reader), on a generated long video.

The program writes a test-pattern video with PyAV (``--minutes`` long at ``--fps``, ``--width`` x ``--height``,
MPEG-4 with a keyframe every ``--keyframe_interval`` frames; small so that writing it is quick), then for each count in
``--num_frames`` samples that many uniformly spaced frames both ways, checks that both give the same frames, and
reports the median decode time of ``--repeats`` runs of each and their ratio. The table is printed: it is this
program's output.

    python scripts/benchmarks/bench_video_decoding.py --output bench_video_decoding.json
    python -m hf_spiking.benchmarks.bench_video_decoding --minutes 10 --num_frames 16 64
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def write_test_pattern_video(path, num_frames: int, fps: int = 24, size=(64, 48), keyframe_interval: int = 250):
    """An MPEG-4 video whose frame ``i`` shows ``i`` in binary as black/white blocks along the top row (so every frame
    differs, also after compression) above a bar that moves across the picture."""
    import av

    width, height = size
    bits = width // 4
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = keyframe_interval
        for index in range(num_frames):
            image = np.full((height, width, 3), 96, dtype=np.uint8)
            for bit in range(bits):
                image[:8, 4 * bit:4 * bit + 4] = 255 if (index >> bit) & 1 else 0
            column = (index * 2) % width
            image[16:, column:column + 4] = (200, 40, 40)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return Path(path)


def decode_up_to_last_wanted(path, num_frames: int) -> np.ndarray:
    """The previous reader: decodes every frame from the start up to the last sampled one, keeping the sampled."""
    import av

    from ..models.lvc.processing_lvc import uniform_frame_indices

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        indices = uniform_frame_indices(stream.frames, num_frames)
        wanted, kept = set(indices.tolist()), {}
        for position, frame in enumerate(container.decode(stream)):
            if position in wanted:
                kept[position] = frame.to_ndarray(format="rgb24")
            if position >= indices.max():
                break
    return np.stack([kept[i] for i in indices])


def median_seconds(function, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(minutes: float, fps: int, width: int, height: int, keyframe_interval: int, num_frames: list[int],
        repeats: int) -> dict:
    from ..models.lvc.processing_lvc import read_video_frames

    total_frames = int(minutes * 60 * fps)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.mp4"
        start = time.perf_counter()
        write_test_pattern_video(path, total_frames, fps, (width, height), keyframe_interval)
        write_seconds = time.perf_counter() - start
        rows = []
        for count in num_frames:
            sequential_s, sequential = median_seconds(lambda: decode_up_to_last_wanted(path, count), repeats)
            seeking_s, (seeking, _) = median_seconds(lambda: read_video_frames(path, count), repeats)
            rows.append({"num_frames": count, "sequential_s": sequential_s, "seeking_s": seeking_s,
                         "speedup": sequential_s / seeking_s, "same_frames": bool(np.array_equal(sequential, seeking))})
    return {"video": {"minutes": minutes, "fps": fps, "frames": total_frames, "size": [width, height],
                      "keyframe_interval": keyframe_interval, "write_s": write_seconds},
            "repeats": repeats, "rows": rows}


def format_table(results: dict) -> str:
    video = results["video"]
    lines = [f"{video['minutes']} min, {video['frames']} frames at {video['fps']} fps, {video['size'][0]}x"
             f"{video['size'][1]}, keyframe every {video['keyframe_interval']} (written in {video['write_s']:.1f} s); "
             f"median of {results['repeats']}",
             f"{'frames':>7}{'sequential s':>14}{'seeking s':>11}{'speed-up':>10}{'same':>6}"]
    for row in results["rows"]:
        lines.append(f"{row['num_frames']:>7}{row['sequential_s']:>14.3f}{row['seeking_s']:>11.3f}"
                     f"{row['speedup']:>10.1f}{str(row['same_frames']):>6}")
    return "\n".join(lines)


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument("--keyframe_interval", type=int, default=250, help="GOP size (libx264's default is 250)")
    parser.add_argument("--num_frames", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_arguments(argv)
    results = run(args.minutes, args.fps, args.width, args.height, args.keyframe_interval, args.num_frames,
                  args.repeats)
    print(format_table(results))
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
