#!/usr/bin/env python
"""Converts official SVL checkpoints (bollossom/SVL, PointFormer or E-3DSNN) to ``SpikingPointEncoder*`` folders
(see :mod:`hf_spiking.models.spiking_point_encoder.convert_svl_original_to_hf`; also ``hf-spiking convert-svl``).

    python scripts/convert_svl_original_to_hf.py --checkpoint svl_pointformer.pt --backbone pointformer \
        --output-dir svl-pointformer-l
    python scripts/convert_svl_original_to_hf.py --checkpoint svl_e3dsnn_h.pt --backbone e3dsnn --variant H \
        --output-dir svl-e3dsnn-h
"""

from hf_spiking.models.spiking_point_encoder.convert_svl_original_to_hf import main

if __name__ == "__main__":
    raise SystemExit(main())
