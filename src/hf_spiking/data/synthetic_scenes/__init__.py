"""Synthetic LiDAR scenes: seeded street scenes built from the synthetic shapes, scanned by a simulated 32-beam
rotating LiDAR, with per-point semantic and instance labels and 3D boxes (``docs/synthetic_scenes.md``).

Modules: ``generation`` (scenes, seeds, splits, ``datasets`` loading), ``layout`` (street, buildings, object
placement, the class list), ``objects`` (object classes, sizes, the scene-only person and pole builders) and ``lidar``
(the sensor and the ray caster). Their public names are importable from here, e.g.
``from hf_spiking.data.synthetic_scenes import generate_scene``; modules are imported on first use.
"""

from ...lazy import lazy_exports

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
