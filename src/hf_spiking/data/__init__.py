"""Procedurally generated, seeded datasets for training and evaluating the models offline."""
