"""Named LVC presets (random weights; real backbones load with ``LVCForVideoQA.from_pretrained(<InternVL dir>)``),
``tiny_internvl_config``, the random InternVL they (and the LVC tests, benchmarks and miniature runs) wrap, and
``lvc_test_processor``, the processor that feeds the test preset."""

from transformers import InternVLConfig

from ...data.synthetic_videos.tokenizer import build_lvc_test_tokenizer
from ...registry import ModelPreset
from .configuration_lvc import LVCConfig
from .modeling_lvc import LVCForVideoQA
from .processing_lvc import LVCProcessor


def tiny_internvl_config(
    vocab_size: int,
    image_token_id: int,
    hidden_size: int = 64,
    num_hidden_layers: int = 2,
    vision_hidden_size: int = 32,
    vision_layers: int = 1,
    image_size: int = 32,
    patch_size: int = 4,
    **text_overrides,
) -> InternVLConfig:
    """A random InternVL config (Qwen2 text model); ``(image_size / patch_size / 2) ** 2`` tokens per frame."""
    text_config = {
        "model_type": "qwen2",
        "vocab_size": vocab_size,
        "hidden_size": hidden_size,
        "intermediate_size": 2 * hidden_size,
        "num_hidden_layers": num_hidden_layers,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 8192,
        "tie_word_embeddings": True,
        **text_overrides,
    }
    vision_config = {
        "hidden_size": vision_hidden_size,
        "num_hidden_layers": vision_layers,
        "num_attention_heads": 4,
        "intermediate_size": 2 * vision_hidden_size,
        "image_size": image_size,
        "patch_size": patch_size,
        "hidden_act": "quick_gelu",
    }
    tokens_per_frame = (image_size // patch_size // 2) ** 2
    return InternVLConfig(
        text_config=text_config,
        vision_config=vision_config,
        image_token_id=image_token_id,
        image_seq_length=tokens_per_frame,
        downsample_ratio=0.5,
    )


def lvc_test_processor(config: LVCConfig) -> LVCProcessor:
    """An ``LVCProcessor`` for a model built from ``lvc-internvl-test`` (or a config with the same tokenizer):
    InternVL's image processor at the vision tower's frame size and ``build_lvc_test_tokenizer()``."""
    from transformers.models.got_ocr2.image_processing_pil_got_ocr2 import GotOcr2ImageProcessorPil

    from .backbones import get_lvc_backbone

    vlm_config = config.vlm_config
    frame_size = vlm_config.vision_config.image_size[0]
    return LVCProcessor(
        GotOcr2ImageProcessorPil(size={"height": frame_size, "width": frame_size}), build_lvc_test_tokenizer(),
        num_frames=config.num_frames, window_size=config.window_size,
        tokens_per_frame=get_lvc_backbone(vlm_config.model_type).tokens_per_frame(vlm_config),
    )


def _test_vlm_config(**sizes):
    tokenizer = build_lvc_test_tokenizer()
    return tiny_internvl_config(len(tokenizer), tokenizer.context_image_token_id, **sizes).to_dict()


PRESETS = (
    ModelPreset(
        name="lvc-internvl-test",
        config_class=LVCConfig,
        model_class=LVCForVideoQA,
        config_kwargs={"vlm_config": _test_vlm_config(), "num_frames": 16, "window_size": 4},
        description="Tiny random InternVL (Qwen2 text, 16 tokens per 32x32 frame) with LVC, M=16, w=4; matches "
        "hf_spiking.data.synthetic_videos.build_lvc_test_tokenizer(). For tests and examples.",
        deprecated_aliases=("lvc-internvl-tiny",),
    ),
)

__all__ = ["lvc_test_processor", "tiny_internvl_config"]
