"""CPU speed of hf_spiking's multi-step neurons against spikingjelly and snnTorch, eager and compiled.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_neurons`."""

from hf_spiking.benchmarks.bench_neurons import main

if __name__ == "__main__":
    main()
