#!/usr/bin/env python
"""Converts an official BICLab/T-RevSNN state dict into a ``TRevSNNForImageClassification`` folder
(see :mod:`hf_spiking.models.trevsnn.convert_trevsnn_original_to_hf`; also ``hf-spiking convert-trevsnn``).

    python scripts/convert_trevsnn_original_to_hf.py official.safetensors out_dir [--prefix state_dict.]
    python scripts/convert_trevsnn_original_to_hf.py checkpoint.pth out_dir --key model
"""

from hf_spiking.models.trevsnn.convert_trevsnn_original_to_hf import main

if __name__ == "__main__":
    raise SystemExit(main())
