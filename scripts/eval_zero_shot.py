#!/usr/bin/env python
"""Zero-shot 3D classification accuracy of an SVL checkpoint by class-name prompts
(see :mod:`hf_spiking.jobs.eval_zero_shot`; also ``hf-spiking eval-zero-shot``).

    python scripts/eval_zero_shot.py --checkpoint src/hf_spiking/assets/svl-default --dataset synthetic \
        --num_per_category 40 --energy --output results.json
"""

from hf_spiking.jobs.eval_zero_shot import main

if __name__ == "__main__":
    raise SystemExit(main())
