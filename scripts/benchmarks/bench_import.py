"""Import cost of hf_spiking next to transformers, in fresh interpreters (median of N runs).

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_import`."""

from hf_spiking.benchmarks.bench_import import main

if __name__ == "__main__":
    main()
