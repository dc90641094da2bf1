#!/usr/bin/env python
"""Open-world 3D question answering in miniature: tiny language model from scratch -> caption alignment ->
instruction tuning, with a spiking and an ANN point encoder, tested on held-out shapes and question templates
(see :mod:`hf_spiking.jobs.point_qa_miniature`; also ``hf-spiking reproduce-point-qa-miniature``).

    python scripts/reproduce_point_qa_miniature.py --output_dir runs/point_qa            # full protocol, < 60 min
    python scripts/reproduce_point_qa_miniature.py --quick --output_dir runs/point_qa_quick   # < 5 min
"""

from hf_spiking.jobs.point_qa_miniature import main

if __name__ == "__main__":
    raise SystemExit(main())
