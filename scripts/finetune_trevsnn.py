#!/usr/bin/env python
"""Fine-tunes (or trains from a preset) a T-RevSNN image classifier with the transformers Trainer
(see :mod:`hf_spiking.jobs.finetune_trevsnn`; also ``hf-spiking finetune-trevsnn``).

    python scripts/finetune_trevsnn.py --model_name_or_path trevsnn-test --train_dir data/train \
        --validation_dir data/val --image_size 32 --output_dir runs/trevsnn --num_train_epochs 3
    accelerate launch --multi_gpu --num_processes 2 scripts/finetune_trevsnn.py ...   # 2 CPU processes (MULTI_CPU)
"""

from hf_spiking.jobs.finetune_trevsnn import main

if __name__ == "__main__":
    raise SystemExit(main())
