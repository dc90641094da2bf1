"""MTA pretraining on OpenShape-format data with precomputed teacher features (``--help`` lists the arguments)."""

from hf_spiking.jobs.pretrain_svl_openshape import main

if __name__ == "__main__":
    raise SystemExit(main())
