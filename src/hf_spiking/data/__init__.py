"""Data for the models: readers of real data sets (``modelnet``, ``openshape``, ``openshape_pretraining``, sharing
``point_clouds``; ``events``; ``kitti`` for SemanticKITTI and KITTI object labels), the generated corpora
(``synthetic_shapes``, ``synthetic_videos``, ``synthetic_scenes`` sub-packages) and the question-answer pairs about the
shapes (``synthetic_point_qa``).

The readers' public names are importable from here, e.g. ``from hf_spiking.data import load_openshape_pretraining``;
a module is imported on first use of one of its names, so ``import hf_spiking.data`` imports neither numpy nor torch.
"""

from ..lazy import lazy_exports

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
