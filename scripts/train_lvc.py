#!/usr/bin/env python
"""Aligns an LVC model on short video-text pairs, training only the VLM's alignment layer
(see :mod:`hf_spiking.jobs.train_lvc`; also ``hf-spiking train-lvc``).

    accelerate launch scripts/train_lvc.py --model <dir> --data pairs.json --output_dir out --max_steps 500
"""

from hf_spiking.jobs.train_lvc import main

if __name__ == "__main__":
    raise SystemExit(main())
