"""Reading numpy files the data sets hand us, without ever unpickling them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np


def load_plain_array(path: str | Path, what: str):
    """``np.load`` with pickles refused: an array (``.npy``) or an ``NpzFile`` (``.npz``). A pickled, truncated or
    corrupt file raises a ValueError naming ``path`` and ``what`` was expected (numpy's own advice for object arrays
    is to allow pickles, which is never right for a file a user names)."""
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, EOFError, OSError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path}: not a plain numeric {what} (pickled or corrupt): {error}") from None


__all__ = ["load_plain_array"]
