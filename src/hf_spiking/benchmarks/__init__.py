"""Benchmark programs: import cost, neuron speed, point-encoder latency and energy, zero-shot throughput, T-RevSNN
training memory, LVC prefill cost, and a T-RevSNN training run on scikit-learn's digits. Each module has
``build_parser()``, ``parse_arguments(argv)`` and ``main(argv)``, runs as ``python -m hf_spiking.benchmarks.<module>``
(or through its thin wrapper in ``scripts/benchmarks/``), prints its tables (they are the program's output) and
writes its results as JSON. Nothing is imported here: the modules import torch and their optional dependencies only
when run.
"""
