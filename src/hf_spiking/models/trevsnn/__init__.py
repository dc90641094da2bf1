"""T-RevSNN: temporal reversible spiking networks for image classification (config, models, image processor)."""

from .configuration_trevsnn import TRevSNNConfig
from .image_processing_trevsnn import TRevSNNImageProcessor
from .modeling_trevsnn import (
    TRevSNNAlphaPrecisionWarning,
    TRevSNNForImageClassification,
    TRevSNNImageClassifierOutput,
    TRevSNNModel,
    TRevSNNModelOutput,
    TRevSNNPreTrainedModel,
    TRevSNNReversibleColumn,
)


def register_auto_classes() -> None:
    """Registers T-RevSNN with AutoConfig, AutoModel, AutoModelForImageClassification and AutoImageProcessor, and
    marks the classes for ``trust_remote_code`` export (``save_pretrained`` then writes ``auto_map`` and the code)."""
    from transformers import AutoConfig, AutoImageProcessor, AutoModel, AutoModelForImageClassification

    AutoConfig.register(TRevSNNConfig.model_type, TRevSNNConfig, exist_ok=True)
    AutoModel.register(TRevSNNConfig, TRevSNNModel, exist_ok=True)
    AutoModelForImageClassification.register(TRevSNNConfig, TRevSNNForImageClassification, exist_ok=True)
    AutoImageProcessor.register(TRevSNNConfig, image_processor_classes={"pil": TRevSNNImageProcessor}, exist_ok=True)
    TRevSNNConfig.register_for_auto_class()
    TRevSNNModel.register_for_auto_class("AutoModel")
    TRevSNNForImageClassification.register_for_auto_class("AutoModelForImageClassification")
    TRevSNNImageProcessor.register_for_auto_class("AutoImageProcessor")


__all__ = [
    "TRevSNNAlphaPrecisionWarning",
    "TRevSNNConfig",
    "TRevSNNForImageClassification",
    "TRevSNNImageClassifierOutput",
    "TRevSNNImageProcessor",
    "TRevSNNModel",
    "TRevSNNModelOutput",
    "TRevSNNPreTrainedModel",
    "TRevSNNReversibleColumn",
]
