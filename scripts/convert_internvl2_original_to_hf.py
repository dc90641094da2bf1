#!/usr/bin/env python
"""Converts original InternVL2 checkpoints (OpenGVLab remote-code naming) to transformers' native InternVL
(see :mod:`hf_spiking.models.lvc.convert_internvl2_original_to_hf`; also ``hf-spiking convert-internvl2``).

    python scripts/convert_internvl2_original_to_hf.py --input_dir InternVL2-2B --output_dir InternVL2-2B-hf
"""

from hf_spiking.models.lvc.convert_internvl2_original_to_hf import main

if __name__ == "__main__":
    raise SystemExit(main())
