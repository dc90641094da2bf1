"""LVC token budget, prefill latency and peak memory: dense M frames with window w vs sparse M/w frames.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_lvc`."""

from hf_spiking.benchmarks.bench_lvc import main

if __name__ == "__main__":
    main()
