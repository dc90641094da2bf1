"""Named SpikingPointLLM presets (random weights) and ``point_qa_test_processor``, the processor that feeds them:
each test preset pairs a tiny colour encoder of one backbone with a tiny Qwen2 over the 3D-QA word tokenizer
(:func:`hf_spiking.data.synthetic_point_qa.build_point_qa_tokenizer`)."""

from functools import cache

from ...data.synthetic_point_qa import build_point_qa_tokenizer, vocabulary_words
from ...registry import ModelPreset
from ..spiking_point_encoder.presets import E3DSNN_TEST, POINTFORMER_TEST, POINTNET_TEST
from .configuration_spiking_point_llm import SpikingPointLLMConfig
from .modeling_spiking_point_llm import SpikingPointLLMForConditionalGeneration
from .processing_spiking_point_llm import POINT_TOKEN, SpikingPointLLMProcessor


@cache
def point_qa_test_tokenizer():
    """The test presets' tokenizer: the 3D-QA vocabulary without caption words."""
    return build_point_qa_tokenizer(vocabulary_words([]))


def tiny_qwen2_config(tokenizer, hidden_size: int = 32, num_hidden_layers: int = 1, **overrides) -> dict:
    """A random Qwen2 language model config over ``tokenizer``'s vocabulary."""
    return {
        "model_type": "qwen2", "vocab_size": len(tokenizer), "hidden_size": hidden_size,
        "intermediate_size": 2 * hidden_size, "num_hidden_layers": num_hidden_layers, "num_attention_heads": 4,
        "num_key_value_heads": 2, "max_position_embeddings": 512, "tie_word_embeddings": True,
        "pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id,
        "bos_token_id": tokenizer.bos_token_id, **overrides,
    }


def point_llm_config_kwargs(point_config: dict, tokenizer, **text_overrides) -> dict:
    return {
        "point_config": point_config,
        "text_config": tiny_qwen2_config(tokenizer, **text_overrides),
        "point_token_id": tokenizer.convert_tokens_to_ids(POINT_TOKEN),
    }


def point_qa_test_processor(config: SpikingPointLLMConfig) -> SpikingPointLLMProcessor:
    """A processor for a model built from a test preset: the encoder's preprocessing (colour when it takes six
    channels) and ``point_qa_test_tokenizer()``."""
    from ..spiking_point_encoder import SpikingPointFeatureExtractor

    return SpikingPointLLMProcessor(
        SpikingPointFeatureExtractor.from_model_config(config.point_config), point_qa_test_tokenizer(),
        num_point_tokens=config.num_point_tokens,
    )


def _test_preset(backbone: str, point_config: dict) -> ModelPreset:
    colour_encoder = {**point_config, "in_channels": 6, "num_points": 256}
    return ModelPreset(
        name=f"svl-qa-{backbone}-test",
        config_class=SpikingPointLLMConfig,
        model_class=SpikingPointLLMForConditionalGeneration,
        config_kwargs=point_llm_config_kwargs(colour_encoder, point_qa_test_tokenizer()),
        description=f"Tiny random {backbone} colour encoder (xyz + rgb, 256 points) with a one-layer Qwen2 over the "
        "3D-QA word tokenizer (point_qa_test_processor). For tests and examples.",
    )


PRESETS = (
    _test_preset("pointformer", POINTFORMER_TEST),
    _test_preset("e3dsnn", E3DSNN_TEST),
    _test_preset("pointnet", POINTNET_TEST),
)

__all__ = ["point_llm_config_kwargs", "point_qa_test_processor", "point_qa_test_tokenizer", "tiny_qwen2_config"]
