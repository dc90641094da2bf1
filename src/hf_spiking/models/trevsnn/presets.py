"""Named T-RevSNN presets (``hf_spiking.create_model("trevsnn-small")``), sized as in the official factories."""

from ...registry import ModelPreset
from .configuration_trevsnn import TRevSNNConfig
from .modeling_trevsnn import TRevSNNForImageClassification

# Unique parameters of the official `small` model with its three auxiliary heads (asserted in the tests).
TREVSNN_SMALL_NUM_PARAMETERS = 32_331_312


def _preset(name: str, description: str, deprecated_aliases: tuple[str, ...] = (), **config_kwargs) -> ModelPreset:
    return ModelPreset(
        name=name,
        config_class=TRevSNNConfig,
        model_class=TRevSNNForImageClassification,
        config_kwargs=config_kwargs,
        description=description,
        deprecated_aliases=deprecated_aliases,
    )


PRESETS = (
    _preset(
        "trevsnn-tiny",
        "T-RevSNN tiny: channels 64/128/256/384, kernel 3, T = 4 columns, ImageNet-1k (17.2 M parameters with aux heads).",
        hidden_sizes=(64, 128, 256, 384),
        kernel_size=3,
        num_columns=4,
        num_labels=1000,
    ),
    _preset(
        "trevsnn-small",
        "T-RevSNN small (paper's ImageNet model, 73.2 % top-1): channels 96/192/384/512, kernel 5, T = 4 columns, "
        "32,331,312 parameters with aux heads.",
        hidden_sizes=(96, 192, 384, 512),
        kernel_size=5,
        num_columns=4,
        num_labels=1000,
    ),
    _preset(
        "trevsnn-dvs-tiny",
        "T-RevSNN tiny DVS: channels 32/64/128/256, T = 8 event frames [T, B, 2, H, W], one stem per column, "
        "per-step spiking head (CIFAR10-DVS, 10 classes).",
        deprecated_aliases=("trevsnn-tiny-dvs",),
        hidden_sizes=(32, 64, 128, 256),
        kernel_size=3,
        num_columns=8,
        num_channels=2,
        dvs=True,
        intermediate_supervision=False,
        num_labels=10,
    ),
    _preset(
        "trevsnn-test",
        "Tiny T-RevSNN for tests and CPU demos: channels 8/16/32/48, kernel 3, T = 4, 10 classes (the golden fixture's size).",
        hidden_sizes=(8, 16, 32, 48),
        kernel_size=3,
        num_columns=4,
        num_labels=10,
    ),
    _preset(
        "trevsnn-dvs-test",
        "Tiny DVS T-RevSNN for tests: channels 8/16/32/48, T = 4 event frames, 10 classes.",
        deprecated_aliases=("trevsnn-test-dvs",),
        hidden_sizes=(8, 16, 32, 48),
        kernel_size=3,
        num_columns=4,
        num_channels=2,
        dvs=True,
        intermediate_supervision=False,
        num_labels=10,
    ),
)

__all__ = ["TREVSNN_SMALL_NUM_PARAMETERS"]
