"""Trains a tiny T-RevSNN on scikit-learn's handwritten digits and reports test top-1 and time.

Run with ``--help`` for the options; the program is :mod:`hf_spiking.benchmarks.train_trevsnn_digits`."""

from hf_spiking.benchmarks.train_trevsnn_digits import main

if __name__ == "__main__":
    main()
