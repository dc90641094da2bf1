"""Fine-tune a spiking point encoder for 3D / event-cloud classification (``--help`` lists the arguments)."""

from hf_spiking.jobs.finetune_point_classifier import main

if __name__ == "__main__":
    raise SystemExit(main())
