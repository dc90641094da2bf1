"""Video decoding for LVC: seeking vs decoding every frame up to the last sampled one, on a generated long video.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_video_decoding`."""

from hf_spiking.benchmarks.bench_video_decoding import main

if __name__ == "__main__":
    main()
