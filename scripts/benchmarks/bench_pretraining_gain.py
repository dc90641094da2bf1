"""Fine-tunes the SVL-pretrained encoder, the same encoder from scratch and its ANN twin at one equal budget over
several seeds and reports the pretraining gain with an interval.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.bench_pretraining_gain`."""

from hf_spiking.benchmarks.bench_pretraining_gain import main

if __name__ == "__main__":
    main()
