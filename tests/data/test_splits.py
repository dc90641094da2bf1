"""Stratified validation splits taken from a training set."""

import numpy as np
import pytest

from hf_spiking.data.splits import stratified_split


def test_stratified_splits():
    labels = np.repeat(np.arange(4), [10, 20, 1, 5])
    train, validation = stratified_split(labels, 0.1, seed=0)
    assert sorted(train + validation) == list(range(len(labels)))
    assert np.bincount(labels[validation], minlength=4).tolist() == [1, 2, 0, 1]
    assert stratified_split(labels, 0.1, seed=0) == (train, validation)
    with pytest.raises(ValueError, match="fraction must lie in"):
        stratified_split(labels, 1.0, seed=0)
