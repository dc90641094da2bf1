"""Train E-3DSNN as a spiking sparse U-Net for LiDAR semantic segmentation (``--help`` lists the arguments)."""

from hf_spiking.jobs.finetune_point_segmentation import main

if __name__ == "__main__":
    raise SystemExit(main())
