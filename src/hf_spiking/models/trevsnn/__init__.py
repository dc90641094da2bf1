"""T-RevSNN: temporal reversible spiking networks for image classification (config, models, image processor).

Classes are imported on first use, so importing the package stays cheap.
"""

from ...auto_registration import ModelTypeRegistration
from ...lazy import lazy_getattr

_EXPORTS = {
    "TRevSNNConfig": ".configuration_trevsnn",
    "TRevSNNImageProcessor": ".image_processing_trevsnn",
    "TRevSNNAlphaPrecisionWarning": ".modeling_trevsnn",
    "TRevSNNForImageClassification": ".modeling_trevsnn",
    "TRevSNNImageClassifierOutput": ".modeling_trevsnn",
    "TRevSNNModel": ".modeling_trevsnn",
    "TRevSNNModelOutput": ".modeling_trevsnn",
    "TRevSNNPreTrainedModel": ".modeling_trevsnn",
    "TRevSNNReversibleColumn": ".modeling_trevsnn",
}

MODEL_TYPES = (
    ModelTypeRegistration(
        model_type="trevsnn",
        package=__name__,
        auto_classes={
            "AutoConfig": "TRevSNNConfig",
            "AutoModel": "TRevSNNModel",
            "AutoModelForImageClassification": "TRevSNNForImageClassification",
            "AutoImageProcessor": "TRevSNNImageProcessor",
        },
    ),
)
PIPELINES = ()

__getattr__ = lazy_getattr(__name__, _EXPORTS)

__all__ = list(_EXPORTS)
