"""Sizes shared by the Phi-3.5-Vision tests."""

CROP, PATCH = 56, 14  # 4x4 patches per crop -> m = 2 merged tokens per side
