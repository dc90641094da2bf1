#!/usr/bin/env python
"""MTA pretraining of an SVL spiking point encoder on the synthetic shapes corpus with the transformers Trainer
(see :mod:`hf_spiking.jobs.pretrain_svl`; also ``hf-spiking pretrain-svl``).

    python scripts/pretrain_svl.py --output_dir runs/svl-default --spike_energy_weight 2 --eval_every_epochs 2
    accelerate launch scripts/pretrain_svl.py --output_dir runs/svl-default ...
"""

from hf_spiking.jobs.pretrain_svl import main

if __name__ == "__main__":
    raise SystemExit(main())
