"""Spiking core: parity with spikingjelly 2.x, torch.compile, the stateless quantisers and bad input."""

import itertools

import pytest
import torch

from hf_spiking.snn import (
    BinarySpike,
    IntegerLIFNeuron,
    LIFNeuron,
    MultiSpike,
    binary_spike,
    get_surrogate,
    multispike,
)

LIF_GRID = list(
    itertools.product(
        [0.0, None],  # hard / soft reset
        [True, False],  # decay_input
        [True, False],  # detach_reset
        ["atan", "sigmoid"],
        [1, 4, 6],  # T
    )
)


def _run(neuron, x, grad_out):
    x = x.detach().clone().requires_grad_()
    out = neuron(x)
    out.backward(grad_out)
    return out.detach(), x.grad


@pytest.fixture(scope="module")
def sj():
    neuron = pytest.importorskip("spikingjelly.activation_based.neuron")
    surrogate = pytest.importorskip("spikingjelly.activation_based.surrogate")
    return neuron, surrogate


@pytest.mark.parametrize("v_reset, decay_input, detach_reset, surrogate, T", LIF_GRID)
def test_lif_matches_spikingjelly_lifnode(sj, v_reset, decay_input, detach_reset, surrogate, T):
    neuron, sj_surrogate = sj
    reference = neuron.LIFNode(
        tau=2.0,
        decay_input=decay_input,
        v_reset=v_reset,
        detach_reset=detach_reset,
        surrogate_function=sj_surrogate.ATan() if surrogate == "atan" else sj_surrogate.Sigmoid(),
        step_mode="m",
    )
    ours = LIFNeuron(tau=2.0, decay_input=decay_input, v_reset=v_reset, detach_reset=detach_reset, surrogate=surrogate)
    x = torch.randn(T, 3, 7, 11) * 2
    grad_out = torch.randn_like(x)
    ref_spikes, ref_grad = _run(reference, x, grad_out)
    spikes, grad = _run(ours, x, grad_out)
    assert 0.05 < spikes.mean() < 0.95  # both firing and silent neurons are exercised
    assert torch.equal(spikes, ref_spikes)
    torch.testing.assert_close(grad, ref_grad, rtol=0, atol=1e-6)


def test_lif_matches_spikingjelly_with_nonzero_reset_and_threshold(sj):
    neuron, sj_surrogate = sj
    kwargs = {"tau": 3.0, "v_threshold": 0.7, "v_reset": -0.4, "decay_input": False, "detach_reset": False}
    reference = neuron.LIFNode(**kwargs, surrogate_function=sj_surrogate.ATan(alpha=3.0), step_mode="m")
    ours = LIFNeuron(**kwargs, surrogate="atan", surrogate_width=3.0)
    x = torch.randn(6, 4, 50)
    grad_out = torch.randn_like(x)
    ref_spikes, ref_grad = _run(reference, x, grad_out)
    spikes, grad = _run(ours, x, grad_out)
    assert torch.equal(spikes, ref_spikes)
    torch.testing.assert_close(grad, ref_grad, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "detach_reset, T, v_threshold, max_level",
    [(d, t, 1.0, 4) for d, t in itertools.product([True, False], [1, 4, 6])] + [(False, 4, 0.6, 2)],
)
def test_integer_lif_matches_spikingjelly_ilifnode(sj, detach_reset, T, v_threshold, max_level):
    neuron, sj_surrogate = sj
    reference = neuron.ILIFNode(
        v_threshold=v_threshold,
        surrogate_function=sj_surrogate.MultiLevelSpikeCount(max_level),
        detach_reset=detach_reset,
        step_mode="m",
    )
    # spikingjelly rounds half to even (torch.round) and passes gradients on the closed window [0, D].
    ours = IntegerLIFNeuron(
        max_level=max_level,
        v_threshold=v_threshold,
        detach_reset=detach_reset,
        rounding="half_to_even",
        grad_window="closed",
    )
    x = torch.randn(T, 3, 9, 13) * 3
    x[0, 0, 0, :5] = torch.tensor([0.5, 1.5, 2.5, 0.0, float(max_level)]) * v_threshold  # exact halves and edges
    grad_out = torch.randn_like(x)
    ref_counts, ref_grad = _run(reference, x, grad_out)
    counts, grad = _run(ours, x, grad_out)
    assert set(counts.unique().tolist()) == set(range(max_level + 1))
    assert torch.equal(counts, ref_counts)
    torch.testing.assert_close(grad, ref_grad, rtol=0, atol=1e-6)


def test_compiled_lif_equals_eager():
    neuron = LIFNeuron(v_reset=None, surrogate="atan")
    x = torch.randn(2, 2, 3, 8, 8) * 2  # T = 2 keeps the unrolled graph (and the compile time) small
    grad_out = torch.randn_like(x)
    spikes, grad = _run(neuron, x, grad_out)
    compiled_spikes, compiled_grad = _run(torch.compile(neuron, fullgraph=True), x, grad_out)
    assert torch.equal(compiled_spikes, spikes)
    torch.testing.assert_close(compiled_grad, grad, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "rounding, grad_window, detach_reset, v_threshold, max_level",
    [("half_to_even", "closed", False, 1.0, 4), ("half_up", "open", True, 0.7, 3)],
    ids=["spikingjelly-conventions", "svl-conventions-detached"],
)
def test_compiled_integer_lif_equals_eager_bit_for_bit(rounding, grad_window, detach_reset, v_threshold, max_level):
    # Compiled, the backward recomputes the potentials from the input and tests the window by comparisons.
    neuron = IntegerLIFNeuron(
        max_level=max_level,
        v_threshold=v_threshold,
        detach_reset=detach_reset,
        rounding=rounding,
        grad_window=grad_window,
    )
    x = torch.randn(3, 2, 4, 16) * 3
    x[0, 0, 0, :5] = torch.tensor([0.5, 1.5, 2.5, 0.0, float(max_level)]) * v_threshold  # exact halves and edges
    grad_out = torch.randn_like(x)
    counts, grad = _run(neuron, x, grad_out)
    compiled_counts, compiled_grad = _run(torch.compile(neuron, fullgraph=True), x, grad_out)
    assert torch.equal(compiled_counts, counts)
    assert torch.equal(compiled_grad, grad)
    assert 0 < (grad == 0).float().mean() < 1  # inside and outside the gradient window


def test_integer_lif_at_one_step_is_multispike_exactly():
    values = torch.tensor([-1.0, -0.0, 0.0, 0.2, 0.5, 1.5, 2.5, 3.5, 3.9, 4.0, 4.5, 7.0, 0.49999997, 2.5000002])
    x = torch.cat([values, torch.randn(200) * 3])
    x_seq = x.view(1, 1, -1).clone().requires_grad_()
    counts = IntegerLIFNeuron(max_level=4)(x_seq)
    counts.backward(torch.arange(x.numel(), dtype=torch.float32).view(1, 1, -1))
    x_flat = x.clone().requires_grad_()
    expected = multispike(x_flat, max_level=4)
    expected.backward(torch.arange(x.numel(), dtype=torch.float32))
    assert torch.equal(counts.view(-1), expected)
    assert torch.equal(x_seq.grad.view(-1), x_flat.grad)
    # round half up (not to even) and the open gradient window (0, 4)
    assert counts.view(-1)[:12].tolist() == [0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4]
    assert (x_flat.grad[:12] != 0).tolist() == [False, False, False, True, True, True, True, True, True, False, False, False]
    assert torch.equal(MultiSpike(4)(x), expected.detach())


def test_binary_spike_rounds_half_up_with_closed_straight_through_window():
    x = torch.tensor([-0.5, 0.0, 0.49, 0.5, 0.51, 1.0, 1.5], requires_grad=True)
    spikes = binary_spike(x)
    spikes.backward(torch.full_like(x, 2.0))
    assert spikes.tolist() == [0, 0, 0, 1, 1, 1, 1]
    assert x.grad.tolist() == [0, 2, 2, 2, 2, 2, 0]
    assert torch.equal(BinarySpike().train()(x.detach()), spikes.detach())
    assert spikes.dtype == x.dtype


def test_binary_spike_rounds_half_to_even_in_evaluation_like_the_official_model():
    x = torch.tensor([-0.5, 0.0, 0.49, 0.5, 0.51, 1.0, 1.5])
    expected = torch.round(x.clamp(0, 1))  # the official eval path: clamp, then torch.round
    assert binary_spike(x, "half_to_even").tolist() == expected.tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert torch.equal(BinarySpike().eval()(x), expected)
    assert BinarySpike().train()(x)[3] == 1  # training keeps floor(x + 0.5)
    with pytest.raises(ValueError, match="rounding"):
        binary_spike(x, "nearest")


def test_neurons_keep_no_state_between_calls():
    neuron = LIFNeuron()
    x = torch.rand(3, 2, 5) * 2
    assert torch.equal(neuron(x), neuron(x))



@pytest.mark.parametrize(
    "neuron",
    [
        LIFNeuron(),
        LIFNeuron(v_reset=None, decay_input=False),
        LIFNeuron(v_reset=-0.2, v_threshold=0.8),
        IntegerLIFNeuron(),
        IntegerLIFNeuron(max_level=2, v_threshold=0.6),
    ],
    ids=["lif-hard", "lif-soft-no-decay", "lif-hard-nonzero", "integer-lif", "integer-lif-d2"],
)
def test_spikes_without_autograd_equal_spikes_with_it(neuron):
    # Without a backward to come the potentials are not kept; the spikes must not change.
    x = torch.randn(4, 3, 2, 8) * 2
    with_grad, _ = _run(neuron, x, torch.ones_like(x))
    with torch.no_grad():
        assert torch.equal(neuron(x), with_grad)
    assert torch.equal(neuron(x), with_grad)  # grad enabled, input not requiring grad


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: LIFNeuron(tau=1.0), "`tau` must be a finite number > 1"),
        (lambda: LIFNeuron(tau=float("inf")), "`tau`"),
        (lambda: LIFNeuron(v_threshold=-1.0), "`v_threshold` must be a finite number > 0.0"),
        (lambda: LIFNeuron(v_reset="zero"), "`v_reset`"),
        (lambda: LIFNeuron(surrogate="erf"), "Unknown surrogate 'erf'"),
        (lambda: LIFNeuron(surrogate="atan", surrogate_width=0.0), "`surrogate_width` must be a finite number > 0"),
        (lambda: IntegerLIFNeuron(max_level=0), r"`max_level` \(D\) must be an integer >= 1"),
        (lambda: IntegerLIFNeuron(max_level=2.5), "`max_level`"),
        (lambda: IntegerLIFNeuron(tau=0.5), "`tau` must be a finite number > 1"),
        (lambda: IntegerLIFNeuron(v_threshold=0), "`v_threshold` must be a finite number > 0"),
        (lambda: IntegerLIFNeuron(rounding="down"), "`rounding`"),
        (lambda: IntegerLIFNeuron(grad_window="half"), "`grad_window`"),
        (lambda: MultiSpike(max_level=0), "`max_level`"),
        (lambda: get_surrogate("sigmoid", alpha=-1.0), "`alpha` must be > 0"),
    ],
)
def test_bad_settings_raise_value_error_naming_the_argument(build, match):
    with pytest.raises(ValueError, match=match):
        build()


@pytest.mark.parametrize("neuron", [LIFNeuron(), IntegerLIFNeuron()], ids=["lif", "integer-lif"])
@pytest.mark.parametrize(
    "x, match",
    [
        (torch.randn(5), r"`x_seq` must have shape \[T, B, \.\.\.\] \(rank >= 2\)"),
        (torch.ones(2, 3, dtype=torch.int64), "`x_seq` must be a floating-point tensor"),
    ],
    ids=["rank-1", "int64"],
)
def test_bad_input_raises_value_error(neuron, x, match):
    with pytest.raises(ValueError, match=match):
        neuron(x)


def test_stateless_quantisers_reject_integer_tensors():
    with pytest.raises(ValueError, match="`x` must be a floating-point tensor"):
        multispike(torch.ones(3, dtype=torch.int32))
    with pytest.raises(ValueError, match="`x` must be a floating-point tensor"):
        binary_spike(torch.ones(3, dtype=torch.int32))
