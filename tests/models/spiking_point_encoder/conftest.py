"""Fixtures shared by the SVL tests: the conversion module and the PointFormer fixture's settings."""

import pytest


@pytest.fixture(scope="session")
def svl_convert():
    """The official-checkpoint conversion module (all SVL key maps)."""
    from hf_spiking.models.spiking_point_encoder import convert_svl_original_to_hf

    return convert_svl_original_to_hf


@pytest.fixture(scope="session")
def pointformer_small_overrides():
    """The fixture's grouping/head settings, which are not stored in its weights."""
    return {"num_groups": 16, "group_size": 8, "num_attention_heads": 3}
