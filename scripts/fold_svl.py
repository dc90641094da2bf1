"""Fold precomputed class embeddings into a text-free SVL zero-shot head (``--help`` lists the arguments)."""

from hf_spiking.jobs.fold_svl import main

if __name__ == "__main__":
    raise SystemExit(main())
