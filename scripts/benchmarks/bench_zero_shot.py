"""Throughput and peak memory of the shipped zero-shot model (svl-default) and its ANN twin on CPU.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_zero_shot`."""

from hf_spiking.benchmarks.bench_zero_shot import main

if __name__ == "__main__":
    main()
