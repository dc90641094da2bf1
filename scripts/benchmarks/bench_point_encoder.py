"""SVL point encoders on CPU: latency, estimated energy, sparse-conv backends, FPS / kNN, zero-shot heads.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_point_encoder`."""

from hf_spiking.benchmarks.bench_point_encoder import main

if __name__ == "__main__":
    main()
