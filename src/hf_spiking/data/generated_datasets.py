"""``datasets.Dataset`` of a seeded generator, cached by its arguments and by the source code that draws the rows.

``datasets`` fingerprints a generator by pickling it, which misses edits to the modules it calls; here the
fingerprint hashes the arguments and every module of the packages that shape a row, so cached Arrow files follow
code changes and repeated calls with the same arguments are instant.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path


def source_fingerprint(gen_kwargs: dict, source_dirs: Iterable[Path]) -> str:
    """Hash of ``gen_kwargs`` (JSON) and of every ``*.py`` file in ``source_dirs``."""
    digest = hashlib.sha256(json.dumps(gen_kwargs, sort_keys=True).encode())
    for source in sorted(path for folder in source_dirs for path in Path(folder).glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def generated_dataset(
    generator: Callable, gen_kwargs: dict, *, features, split: str, source_dirs: Iterable[Path],
    cache_dir: str | None = None, keep_in_memory: bool = False, num_proc: int | None = None,
):
    """``datasets.Dataset.from_generator(generator, gen_kwargs=...)`` fingerprinted by :func:`source_fingerprint`
    (a list among ``gen_kwargs`` lets ``datasets`` shard it over ``num_proc`` workers)."""
    import datasets

    return datasets.Dataset.from_generator(
        generator,
        features=features,
        cache_dir=cache_dir,
        keep_in_memory=keep_in_memory,
        gen_kwargs=gen_kwargs,
        num_proc=num_proc,
        split=datasets.Split(split),
        fingerprint=source_fingerprint(gen_kwargs, source_dirs),
    )


__all__ = ["generated_dataset", "source_fingerprint"]
