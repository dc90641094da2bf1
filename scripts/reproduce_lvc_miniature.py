#!/usr/bin/env python
"""LVC in miniature: image VLM from scratch -> align-only LVC training on short videos -> long-video evaluation at an
equal language-model token budget (see :mod:`hf_spiking.jobs.lvc_miniature`; also
``hf-spiking reproduce-lvc-miniature``).

    python scripts/reproduce_lvc_miniature.py --output_dir runs/lvc_miniature            # full protocol, ~30-60 min
    python scripts/reproduce_lvc_miniature.py --quick --output_dir runs/lvc_quick        # smoke run, a few minutes
"""

from hf_spiking.jobs.lvc_miniature import main

if __name__ == "__main__":
    raise SystemExit(main())
