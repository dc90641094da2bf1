"""Console output for the command-line entry points (the jobs' and conversions' ``main``).

Library modules log through ``transformers.utils.logging.get_logger(__name__)``, which gives loggers named
``hf_spiking.*``: outside transformers' own logger tree, so ``set_verbosity_info()`` and Trainer's ``--log_level``
do not reach them, and a library must not configure logging for its users. An entry point is the user's program:
:func:`show_info_logs` makes hf_spiking's info messages visible there (transformers' own verbosity stays the job's
choice: Trainer jobs follow ``--log_level``).
"""

from __future__ import annotations

import logging
import sys

_FORMAT = "[%(levelname)s|%(name)s] %(message)s"


def show_info_logs() -> None:
    """Shows hf_spiking's info messages on stderr (idempotent)."""
    library_logger = logging.getLogger("hf_spiking")
    library_logger.setLevel(logging.INFO)
    if not library_logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        library_logger.addHandler(handler)
        library_logger.propagate = False  # a root handler set up by the user would print every message twice


__all__ = ["show_info_logs"]
