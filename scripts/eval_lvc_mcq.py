#!/usr/bin/env python
"""Multiple-choice video QA accuracy of an LVC model on MLVU or Video-MME annotations, per task type
(see :mod:`hf_spiking.jobs.eval_lvc_mcq`; also ``hf-spiking eval-lvc-mcq``).

    python scripts/eval_lvc_mcq.py --model <lvc folder> --benchmark mlvu --annotations MLVU/json --videos MLVU/video
"""

from hf_spiking.jobs.eval_lvc_mcq import main

if __name__ == "__main__":
    raise SystemExit(main())
