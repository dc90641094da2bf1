"""Training and evaluation jobs as library functions.

Each module holds one job: its argument dataclasses, the job function(s) and ``main(argv)``, which the thin wrapper in
``scripts/`` and the ``hf-spiking`` subcommand of the same name both call (see :data:`hf_spiking.cli.JOB_COMMANDS`).
"""
