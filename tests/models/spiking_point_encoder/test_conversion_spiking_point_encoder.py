"""Parity of the Spike-driven PointFormer with the official SVL code (golden fixture pointformer_small)."""

import pytest
import torch
from safetensors.torch import load_file

from hf_spiking.models.spiking_point_encoder.grouping import farthest_point_sample, knn_indices

ATOL = 1e-4


@pytest.fixture(scope="module")
def fixture(fixtures_dir):
    return load_file(str(fixtures_dir / "pointformer_small.safetensors"))


@pytest.fixture(scope="module")
def converted(fixtures_dir, svl_convert, pointformer_small_overrides):
    checkpoint = svl_convert.load_official_checkpoint(fixtures_dir / "pointformer_small.safetensors")
    return svl_convert.convert_official_checkpoint(
        checkpoint, "pointformer", config_overrides=pointformer_small_overrides
    )


def test_fps_indices_match_official(fixture):
    xyz = fixture["inputs.features"][..., :3]
    assert torch.equal(farthest_point_sample(xyz, 16), fixture["intermediate.fps_idx"])


def test_knn_neighbour_sets_match_official(fixture):
    xyz = fixture["inputs.features"][..., :3]
    ours = knn_indices(xyz, fixture["intermediate.center"], 8)
    assert torch.equal(ours.sort(-1).values, fixture["intermediate.knn_idx"].sort(-1).values)
    assert torch.equal(ours, fixture["intermediate.knn_idx_sorted_by_distance"])  # ours are nearest-first


def test_fps_is_deterministic_first_index_on_ties():
    # Four corners of a square: from corner 0 the opposite corner 3 is farthest; 1 and 2 then tie -> lowest index.
    xyz = torch.tensor([[[0.0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]]])
    assert farthest_point_sample(xyz, 3).tolist() == [[0, 3, 1]]


def test_fps_does_not_skip_points_near_the_origin():
    # pointnet2_ops never selects points with |p|^2 <= 1e-3 (a centred cloud's centre); ours treats them as any other.
    xyz = torch.tensor([[[1.0, 0, 0], [0.01, 0, 0], [2.0, 0, 0]]])
    assert farthest_point_sample(xyz, 3).tolist() == [[0, 2, 1]]


def test_intermediates_and_embedding_match_official(converted, fixture):
    encoder = converted.point_encoder.encoder
    features = fixture["inputs.features"]
    with torch.no_grad():
        groups = encoder.grouper(features)
        assert torch.equal(groups.center_indices, fixture["intermediate.fps_idx"])
        torch.testing.assert_close(groups.centers, fixture["intermediate.center"], atol=ATOL, rtol=0)
        # The official neighbourhood is in topk's unspecified order: compare per-group neighbour rows sorted by index.
        order = fixture["intermediate.knn_idx"].argsort(-1)
        official = fixture["intermediate.neighborhood"].gather(2, order.unsqueeze(-1).expand(-1, -1, -1, 6))
        ours = groups.neighborhoods.gather(2, groups.neighbor_indices.argsort(-1).unsqueeze(-1).expand(-1, -1, -1, 6))
        torch.testing.assert_close(ours, official, atol=ATOL, rtol=0)
        tokenizer_out = encoder.tokenizer(groups.neighborhoods)
        torch.testing.assert_close(tokenizer_out, fixture["intermediate.encoder_out"], atol=ATOL, rtol=0)
        torch.testing.assert_close(
            encoder.token_projection(tokenizer_out), fixture["intermediate.tokens"], atol=ATOL, rtol=0
        )
        torch.testing.assert_close(
            encoder.position_embedding(groups.centers), fixture["intermediate.pos_embed_out"], atol=ATOL, rtol=0
        )
        output = converted.point_encoder(features)
    expected = fixture["outputs.embedding"][:, 0]
    assert output.pooler_output.shape == expected.shape == (2, 96)
    torch.testing.assert_close(output.pooler_output, expected, atol=ATOL, rtol=0)
    # last_hidden_state is the blocks' output after the final BatchNorm.
    blocks_out = fixture["intermediate.blocks_out"]
    torch.testing.assert_close(
        output.last_hidden_state,
        encoder.final_norm(blocks_out.reshape(-1, 48)).reshape(blocks_out.shape),
        atol=ATOL,
        rtol=0,
    )


def test_conversion_maps_every_official_key(fixture, svl_convert):
    convert = svl_convert
    official = {k[len("state_dict.") :]: v for k, v in fixture.items() if k.startswith("state_dict.")}
    converted = convert.convert_pointformer_state_dict(official)
    assert "projection.weight" not in converted  # the official forward never calls `project`
    assert len(converted) == len(official) - 2
    assert converted["tokenizer.first_conv.weight"].shape == (128, 6)
    torch.testing.assert_close(converted["cls_position"], official["cls_pos"])
    kwargs = convert.pointformer_config_from_state_dict(official)
    assert kwargs["transformer_hidden_size"] == 48 and kwargs["num_hidden_layers"] == 2
    assert kwargs["tokenizer_channels"] == (128, 256, 512) and kwargs["hidden_size"] == 96


def test_official_project_layer_must_fit_the_head(fixtures_dir, svl_convert, pointformer_small_overrides):
    convert = svl_convert
    checkpoint = convert.load_official_checkpoint(fixtures_dir / "pointformer_small.safetensors")
    # The official `project` is Linear(768, 1024); this small fixture's head is 96 wide, so it cannot be reused.
    with pytest.raises(ValueError, match="official `project` layer is \\(1024, 768\\)"):
        convert.convert_official_checkpoint(
            checkpoint, config_overrides={**pointformer_small_overrides, "hidden_size": 1024}
        )


def test_conversion_cli_writes_a_loadable_folder(fixtures_dir, fixture, svl_convert, tmp_path):
    from hf_spiking.models.spiking_point_encoder import SpikingPointEncoderModel

    svl_convert.main([
        "--checkpoint", str(fixtures_dir / "pointformer_small.safetensors"), "--backbone", "pointformer",
        "--num-groups", "16", "--group-size", "8", "--num-attention-heads", "3", "--output-dir", str(tmp_path),
    ])
    model = SpikingPointEncoderModel.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        embedding = model(fixture["inputs.features"]).pooler_output
    torch.testing.assert_close(embedding, fixture["outputs.embedding"][:, 0], atol=ATOL, rtol=0)
