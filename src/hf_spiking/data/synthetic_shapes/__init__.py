"""The synthetic shapes corpus: seeded, procedurally generated, captioned 3D objects for offline SVL pretraining and
zero-shot evaluation (``docs/synthetic_shapes.md``).

Modules: ``generation`` (instances, splits, ``datasets`` loading), ``categories`` (the registry and the original
category builders; ``categories_*`` hold the later ones), ``parts`` (shared part layouts), ``geometry`` (primitives,
surface sampling, visibility, rendering), ``finishes`` (colour and material words), ``realism`` (scan-like
degradations of the clouds) and ``builder`` (the ``datasets`` builder and Parquet exporter). Their public names are
importable from here, e.g. ``from hf_spiking.data.synthetic_shapes import generate_instance``; modules are imported
on first use.
"""

from ...lazy import lazy_exports

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
