"""Named LVC presets (random weights; real backbones load with ``LVCForVideoQA.from_pretrained(<InternVL dir>)``)."""

from ...registry import ModelPreset
from .configuration_lvc import LVCConfig
from .modeling_lvc import LVCForVideoQA
from .tiny_lvc import build_word_tokenizer, tiny_internvl_config


def _tiny_vlm_config(**sizes):
    tokenizer = build_word_tokenizer()
    return tiny_internvl_config(len(tokenizer), tokenizer.context_image_token_id, **sizes).to_dict()


PRESETS = (
    ModelPreset(
        name="lvc-internvl-test",
        config_class=LVCConfig,
        model_class=LVCForVideoQA,
        config_kwargs={"vlm_config": _tiny_vlm_config(), "num_frames": 16, "window_size": 4},
        description="Tiny random InternVL (Qwen2 text, 16 tokens per 32x32 frame) with LVC, M=16, w=4; matches "
        "hf_spiking.models.lvc.tiny_lvc.build_word_tokenizer(). For tests and examples.",
        deprecated_aliases=("lvc-internvl-tiny",),
    ),
)

__all__ = []
