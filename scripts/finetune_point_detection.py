"""Train E-3DSNN as the backbone of a CenterPoint-style LiDAR 3D detector (``--help`` lists the arguments)."""

from hf_spiking.jobs.finetune_point_detection import main

if __name__ == "__main__":
    raise SystemExit(main())
