"""Query-attention compression maths against hand-computed values."""

import math

import pytest
import torch

from hf_spiking.models.lvc import QueryAttentionCompressor, pool_query


def test_query_attention_matches_hand_computation():
    # one video, 4 frames, window 2, 1 token per frame, d = 2
    frames = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]], [[2.0, 2.0]], [[-1.0, 1.0]]]])
    query = torch.tensor([[2.0, 0.0]])
    out = QueryAttentionCompressor(window_size=2)(frames, query)

    # window 1: scores 2/sqrt(2), 0; window 2: scores 4/sqrt(2), -2/sqrt(2)
    def mix(score_a, score_b, a, b):
        weight_a = math.exp(score_a) / (math.exp(score_a) + math.exp(score_b))
        return [weight_a * x + (1 - weight_a) * y for x, y in zip(a, b)]

    expected = [
        mix(2 / math.sqrt(2), 0.0, [1.0, 0.0], [0.0, 1.0]),
        mix(4 / math.sqrt(2), -2 / math.sqrt(2), [2.0, 2.0], [-1.0, 1.0]),
    ]
    assert out.shape == (1, 2, 1, 2)
    torch.testing.assert_close(out[0, :, 0], torch.tensor(expected), rtol=0, atol=1e-6)
    torch.testing.assert_close(out[0, 0, 0], torch.tensor([0.804430, 0.195570]), rtol=0, atol=1e-6)


def test_windows_are_per_spatial_position_and_consecutive_frames():
    torch.manual_seed(0)
    frames = torch.randn(2, 6, 3, 4)
    query = torch.randn(2, 4)
    out = QueryAttentionCompressor(window_size=3)(frames, query)
    # pseudo-frame 1, token 2 of video 1 only mixes frames 3..5 at token 2
    window = frames[1, 3:6, 2]
    weights = torch.softmax(window @ query[1] / 2.0, dim=0)
    torch.testing.assert_close(out[1, 1, 2], weights @ window)


def test_temperature_sharpens_and_is_learnable():
    frames = torch.tensor([[[[1.0, 0.0]], [[0.0, 1.0]]]])
    query = torch.tensor([[2.0, 0.0]])
    cold = QueryAttentionCompressor(window_size=2, initial_temperature=0.01)(frames, query)
    torch.testing.assert_close(cold[0, 0, 0], torch.tensor([1.0, 0.0]))
    learned = QueryAttentionCompressor(window_size=2, learn_temperature=True, initial_temperature=2.0)
    assert [name for name, _ in learned.named_parameters()] == ["log_temperature"]
    learned(frames, query).sum().backward()
    assert learned.log_temperature.grad is not None
    assert list(QueryAttentionCompressor(window_size=2).parameters()) == []  # parameter-free by default


def test_window_one_is_exact_identity_and_mean_mode_averages():
    torch.manual_seed(0)
    frames = torch.randn(2, 4, 5, 8)
    assert torch.equal(QueryAttentionCompressor(window_size=1)(frames, torch.randn(2, 8)), frames)
    mean = QueryAttentionCompressor(window_size=2, mode="mean")(frames)
    torch.testing.assert_close(mean, frames.reshape(2, 2, 2, 5, 8).mean(dim=2))


def test_query_pooling_mean_and_last_respect_padding():
    embeddings = torch.tensor([[[1.0, 1.0], [3.0, 5.0], [9.0, 9.0]], [[7.0, 7.0], [2.0, 4.0], [4.0, 0.0]]])
    mask = torch.tensor([[1, 1, 0], [0, 1, 1]])  # right padding, then left padding
    torch.testing.assert_close(pool_query(embeddings, mask, "mean"), torch.tensor([[2.0, 3.0], [3.0, 2.0]]))
    torch.testing.assert_close(pool_query(embeddings, mask, "last"), torch.tensor([[3.0, 5.0], [4.0, 0.0]]))


def test_bad_inputs_raise_clear_errors():
    compressor = QueryAttentionCompressor(window_size=4)
    with pytest.raises(ValueError, match="divisible by the window size"):
        compressor(torch.randn(1, 6, 2, 3), torch.randn(1, 3))
    with pytest.raises(ValueError, match="query vector"):
        compressor(torch.randn(1, 8, 2, 3))
    with pytest.raises(ValueError, match="compression mode"):
        QueryAttentionCompressor(window_size=2, mode="max")
    with pytest.raises(ValueError, match="at least one unmasked token"):
        pool_query(torch.randn(1, 2, 3), torch.zeros(1, 2))
