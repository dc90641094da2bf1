"""Training memory and step time of T-RevSNN: reversible columns vs plain autograd vs a BPTT baseline.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_trevsnn_memory`."""

from hf_spiking.benchmarks.bench_trevsnn_memory import main

if __name__ == "__main__":
    main()
