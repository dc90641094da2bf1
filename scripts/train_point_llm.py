#!/usr/bin/env python
"""Trains one stage of a point-language model, alignment on captions or instruction tuning (optionally LoRA)
(see :mod:`hf_spiking.jobs.train_point_llm`; also ``hf-spiking train-point-llm``).

    accelerate launch scripts/train_point_llm.py --model <dir> --data qa.jsonl --stage instruction --output_dir out
"""

from hf_spiking.jobs.train_point_llm import main

if __name__ == "__main__":
    raise SystemExit(main())
