"""Reproducible small-scale experiments built on hf_spiking models and synthetic data."""
