"""T-RevSNN: temporal reversible spiking networks for image classification (config, models, image processor).

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration
from ...lazy import lazy_exports

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="trevsnn",
        package=__name__,
        auto_classes={
            "AutoConfig": "TRevSNNConfig",
            "AutoModel": "TRevSNNModel",
            "AutoModelForImageClassification": "TRevSNNForImageClassification",
            "AutoImageProcessor": "TRevSNNImageProcessor",
            "AutoFeatureExtractor": "TRevSNNEventFeatureExtractor",
        },
    ),
)
PIPELINES = ()

# Public names: the `__all__` of the modules in this folder (read statically, imported on first use).
__getattr__, __dir__ = lazy_exports(globals())
