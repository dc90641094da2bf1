"""Compute-energy estimates for spiking networks: dense MACs for real-valued inputs, synaptic ACs for spikes.

:func:`estimate_energy` runs one forward pass with hooks on every synaptic layer and returns an
:class:`EnergyReport`. The rules:

1. **Which layers count.** ``nn.Linear``, ``nn.Conv1d``, ``nn.Conv2d``, ``nn.Conv3d`` (and subclasses), plus any
   module implementing the energy protocol below (e.g. sparse convolutions). Biases, normalisation, residual adds,
   pooling, attention score products and neuron updates are not counted. Layers nested inside a protocol layer are
   skipped (the protocol layer accounts for them).
2. **MAC or AC, per call.** A layer whose input holds only non-negative integers (binary spikes or integer spike
   counts in ``{0..D}``) is charged synaptic accumulates, SOPs, at ``E_AC``. Any other input is real-valued and is
   charged its dense multiply-accumulates, MACs, at ``E_MAC`` -- in practice the encoding layer that sees pixels or
   point coordinates, and heads fed by real-valued features. Raw inputs that happen to be non-negative integers
   (e.g. unnormalised 0..255 pixels) would look like spikes: name such layers in ``mac_layers``.
3. **SOPs = sum of input spike counts x fan-out.** An integer count ``s`` is played out as ``s`` binary events
   (see :func:`hf_spiking.snn.expand_spikes`), each accumulating one weight per synapse it reaches.
   * Linear: ``SOPs = sum(x) * out_features``.
   * ConvNd: the exact number of accumulates, borders, stride, dilation, padding mode and groups included:
     ``SOPs = (C_out / groups) * sum(conv(sum_c x, ones(kernel)))``, i.e. every (output position, kernel tap)
     pair that reads an input element adds that element's count once per output channel of its group.
   Dense MACs are ``out_features * in_features`` per input row (Linear) and
   ``output elements * C_in / groups * prod(kernel)`` (ConvNd), padded taps included, as usual.
4. **Time steps are counted.** Layers run on time-folded ``[T * B, ...]`` inputs (or once per step) see every step,
   so the counts cover all T steps. A static input repeated T times is charged T times in its encoding layer
   (some papers charge it once).
5. **Per sample.** Energies are divided by the batch size: ``batch_size`` if given, else the leading dimension of
   the first input tensor (Hugging Face models take batch-first inputs; pass ``batch_size`` for time-major input).
   Per-layer MACs and SOPs in the report are per sample as well.
6. **Costs** are per operation in pJ: ``fp32`` (default) E_MAC = 4.6, E_AC = 0.9 (Horowitz, 45 nm);
   ``fp16`` 1.5 / 0.4; ``int8`` 0.23 / 0.03; or custom ``e_mac`` / ``e_ac``. Data movement is not modelled.

The rules above are the default ``convention="measured"``: each call is charged for what its input holds.
``convention="paper"`` reproduces the accounting of the spiking-network papers (Spikformer, Spike-driven
Transformer, T-RevSNN, E-3DSNN, SVL): ``E = E_MAC * MACs(encoding layers) + E_AC * sum_l fr_l * MACs_l``.

* **Encoding layers** are the layers whose input is computed from the model's inputs without passing through any
  spikes (the stem that sees pixels or points, a position MLP on raw coordinates); they are charged their dense
  MACs. Dataflow is tracked per operation, so an encoding layer is recognised wherever it runs in the forward pass.
* **Every other layer** is charged ``fr_l * MACs_l`` accumulates, ``MACs_l`` its dense MAC count (padded taps
  included, as the papers' FLOPs are). For a layer fed spikes, ``fr_l`` is their mean count per element. A layer
  whose real-valued input was computed from spikes (a pointwise convolution after a depthwise one, a head after
  pooling) is charged at the rate of the spikes its input was last computed from: the consecutive synaptic layers
  behind one neuron are treated as one spike-driven operation, as the papers do. The row's ``firing_rate`` is this
  MAC-weighted rate.
* **Site-pooled final layers** are charged per site. A module with a ``forward_features(*inputs)`` method returning
  ``(site_features [M, C], site_index [M])`` and a linear ``final`` layer applied after the mean over each sample's
  sites (E-3DSNN's encoder, which pools first because both steps are linear) has ``final`` charged as if it ran on
  all M sites, as in the official architecture.

**Energy protocol for custom layers.** A module that defines

    def energy_counts(self, inputs: tuple, output) -> tuple[int, int]:
        '''(dense MACs, SOPs if its input were the spikes it received) for this call.'''

is hooked like the built-in layers: ``inputs`` is the tuple of positional arguments of the call and ``output``
its result. The rules above decide which of the two numbers is charged. Linear- or conv-like custom layers can
reuse the built-in counting as a class attribute: ``energy_counts = conv_energy_counts`` (or
``linear_energy_counts``). The layer's input activations, used to
classify the input as spikes and to compute the firing rate, are the first positional argument if it is a tensor,
else that argument's ``features`` tensor (the spconv ``SparseConvTensor`` convention, ``[N_active, C]``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves


@dataclass(frozen=True)
class EnergyCosts:
    """Energy per operation in picojoules."""

    e_mac: float
    e_ac: float

    def __post_init__(self):
        for name in ("e_mac", "e_ac"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and value > 0):
                raise ValueError(f"`{name}` must be a positive number of pJ per operation, got {value!r}.")


CONVENTIONS = ("measured", "paper")

ENERGY_PRESETS: dict[str, EnergyCosts] = {
    "fp32": EnergyCosts(e_mac=4.6, e_ac=0.9),
    "fp16": EnergyCosts(e_mac=1.5, e_ac=0.4),
    "int8": EnergyCosts(e_mac=0.23, e_ac=0.03),
}


@dataclass
class LayerEnergy:
    """One report row: a layer's operations per sample and their energy.

    ``kind`` is ``"MAC"`` (real-valued input; under the paper convention: an encoding layer) or ``"AC"`` (spike
    input; under the paper convention: every other layer); a layer called with both kinds of input gets one row per
    kind. ``firing_rate`` is the mean spike count per input element (``None`` for MAC rows; under the paper
    convention the rate its accumulates were charged at, weighted by MACs).
    """

    name: str
    kind: str
    macs: float
    sops: float
    firing_rate: float | None
    energy_pj: float
    calls: int


@dataclass
class EnergyReport:
    """Per-sample compute energy of one forward pass; see :mod:`hf_spiking.energy` for the counting rules."""

    layers: list[LayerEnergy]
    precision: str
    e_mac_pj: float
    e_ac_pj: float
    batch_size: int
    convention: str = "measured"
    # Spike counts and element counts of all AC-layer inputs, for the element-weighted mean firing rate.
    _spike_total: float = field(default=0.0, repr=False)
    _element_total: int = field(default=0, repr=False)

    @property
    def total_macs(self) -> float:
        """MACs actually charged (layers with real-valued input), per sample."""
        return sum(row.macs for row in self.layers if row.kind == "MAC")

    @property
    def total_sops(self) -> float:
        return sum(row.sops for row in self.layers)

    @property
    def mac_energy_mj(self) -> float:
        return sum(row.energy_pj for row in self.layers if row.kind == "MAC") * 1e-9

    @property
    def ac_energy_mj(self) -> float:
        return sum(row.energy_pj for row in self.layers if row.kind == "AC") * 1e-9

    @property
    def total_energy_mj(self) -> float:
        return self.mac_energy_mj + self.ac_energy_mj

    @property
    def dense_energy_mj(self) -> float:
        """The same network charged as an ANN: every layer's dense MACs at E_MAC."""
        return sum(row.macs for row in self.layers) * self.e_mac_pj * 1e-9

    @property
    def mean_firing_rate(self) -> float | None:
        """Mean spike count per input element over all AC layers (weighted by element count)."""
        return self._spike_total / self._element_total if self._element_total else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for model cards and logs)."""
        return {
            "convention": self.convention,
            "precision": self.precision,
            "e_mac_pj": self.e_mac_pj,
            "e_ac_pj": self.e_ac_pj,
            "batch_size": self.batch_size,
            "total_energy_mj": self.total_energy_mj,
            "mac_energy_mj": self.mac_energy_mj,
            "ac_energy_mj": self.ac_energy_mj,
            "dense_energy_mj": self.dense_energy_mj,
            "total_macs": self.total_macs,
            "total_sops": self.total_sops,
            "mean_firing_rate": self.mean_firing_rate,
            "layers": [asdict(row) for row in self.layers],
        }

    def __str__(self) -> str:
        return format_energy_table(self.to_dict())


def format_energy_table(report: Mapping[str, Any]) -> str:
    """Renders an :meth:`EnergyReport.to_dict` as a plain-text table."""
    rows = report["layers"]
    width = max([len("layer"), *(len(row["name"]) for row in rows)])
    header = f"{'layer':{width}s}  kind  {'MACs':>12s}  {'fire rate':>9s}  {'SOPs':>12s}  {'energy (pJ)':>13s}"
    lines = [header, "-" * len(header)]
    for row in rows:
        rate = "-" if row["firing_rate"] is None else f"{row['firing_rate']:.4f}"
        lines.append(
            f"{row['name']:{width}s}  {row['kind']:4s}  {row['macs']:12.4g}  {rate:>9s}  {row['sops']:12.4g}  "
            f"{row['energy_pj']:13.5g}"
        )
    rate = report["mean_firing_rate"]
    lines += [
        "-" * len(header),
        f"per sample (batch {report['batch_size']}), {report.get('convention', 'measured')} convention, "
        f"{report['precision']} costs "
        f"E_MAC = {report['e_mac_pj']} pJ, E_AC = {report['e_ac_pj']} pJ",
        f"total energy  {report['total_energy_mj']:.6g} mJ  (MAC {report['mac_energy_mj']:.6g} mJ, "
        f"AC {report['ac_energy_mj']:.6g} mJ)",
        f"same network as an ANN (all dense MACs)  {report['dense_energy_mj']:.6g} mJ",
        f"mean firing rate  {'-' if rate is None else format(rate, '.4f')}",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# Counting
# ----------------------------------------------------------------------------------------------------------------

_CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
_CONV_FUNCTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _input_activations(inputs: tuple) -> torch.Tensor | None:
    first = inputs[0] if inputs else None
    if isinstance(first, torch.Tensor):
        return first
    features = getattr(first, "features", None)
    return features if isinstance(features, torch.Tensor) else None


def _holds_spikes(x: torch.Tensor) -> bool:
    """True when ``x`` holds only non-negative integers (binary or integer spike counts)."""
    if x.numel() == 0:
        return False
    if not x.is_floating_point():
        return bool((x >= 0).all())
    return bool(((x >= 0) & (x == torch.floor(x))).all())


def linear_energy_counts(layer: nn.Module, inputs: tuple, output: torch.Tensor) -> tuple[int, int]:
    """The energy protocol for ``nn.Linear``-like layers (``in_features``, ``out_features``)."""
    x = _input_activations(inputs)
    macs = (x.numel() // layer.in_features) * layer.in_features * layer.out_features
    sops = round(x.double().sum().item()) * layer.out_features
    return macs, sops


def conv_energy_counts(layer: nn.Module, inputs: tuple, output: torch.Tensor) -> tuple[int, int]:
    """The energy protocol for ``nn.ConvNd``-like layers (``in_channels``, ``out_channels``, ``kernel_size``,
    ``stride``, ``padding``, ``dilation``, ``groups``, optional ``padding_mode``).

    A custom convolution (weight standardisation, fused BN, ...) can reuse it: ``energy_counts = conv_energy_counts``.
    """
    x = _input_activations(inputs)
    kernel_size = tuple(layer.kernel_size)
    spatial = len(kernel_size)
    macs = output.numel() * (layer.in_channels // layer.groups) * math.prod(kernel_size)
    if x.dim() == spatial + 1:  # unbatched input [C, *spatial]
        x = x.unsqueeze(0)
    # Each output channel of a group reads every channel of that group, so only the channel sum matters.
    counts = x.double().sum(dim=1, keepdim=True)
    padding = layer.padding
    padding_mode = getattr(layer, "padding_mode", "zeros")
    if padding_mode != "zeros":
        counts = F.pad(counts, layer._reversed_padding_repeated_twice, mode=padding_mode)
        padding = 0
    ones = counts.new_ones((1, 1, *kernel_size))
    taps = _CONV_FUNCTIONS[spatial](counts, ones, None, layer.stride, padding, layer.dilation)
    sops = round(taps.sum().item()) * (layer.out_channels // layer.groups)
    return macs, sops


@dataclass
class _Tally:
    macs: int = 0
    sops: float = 0
    spikes: float = 0.0
    elements: int = 0
    calls: int = 0


def estimate_energy(
    model: nn.Module,
    inputs: Any,
    *,
    precision: str = "fp32",
    e_mac: float | None = None,
    e_ac: float | None = None,
    batch_size: int | None = None,
    mac_layers: Iterable[str] = (),
    convention: str = "measured",
) -> EnergyReport:
    """Runs ``model`` once on ``inputs`` and estimates its per-sample compute energy.

    Args:
        model: any ``nn.Module``; it runs in eval mode under ``torch.no_grad()`` (its training flag is restored).
        inputs: a tensor (``model(inputs)``), a tuple/list of positional arguments, or a mapping of keyword
            arguments (e.g. a processor's ``BatchFeature``).
        precision: cost preset, ``"fp32"`` (4.6 / 0.9 pJ), ``"fp16"`` (1.5 / 0.4) or ``"int8"`` (0.23 / 0.03).
        e_mac, e_ac: custom pJ per MAC / per AC, overriding the preset's.
        batch_size: samples in ``inputs``; default: the leading dimension of the first input tensor.
        mac_layers: layer names (``fnmatch`` patterns allowed) always charged as MAC layers.
        convention: ``"measured"`` (each call charged for what its input holds) or ``"paper"`` (encoding layers
            as MACs, every other layer as accumulates at the measured firing rates, site-pooled final layers per
            site: the spiking-network papers' accounting).

    The counting rules are in the module docstring of :mod:`hf_spiking.energy`.
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"`convention` must be one of {list(CONVENTIONS)}, got {convention!r}.")
    if precision not in ENERGY_PRESETS:
        raise ValueError(f"`precision` must be one of {sorted(ENERGY_PRESETS)}, got {precision!r}.")
    preset = ENERGY_PRESETS[precision]
    costs = EnergyCosts(e_mac=preset.e_mac if e_mac is None else e_mac, e_ac=preset.e_ac if e_ac is None else e_ac)
    if isinstance(inputs, Mapping):
        args, kwargs = (), dict(inputs)
    elif isinstance(inputs, (tuple, list)):
        args, kwargs = tuple(inputs), {}
    else:
        args, kwargs = (inputs,), {}
    if batch_size is None:
        batch_size = _infer_batch_size([*args, *kwargs.values()])
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"`batch_size` must be an integer >= 1, got {batch_size!r}.")
    mac_patterns = tuple(mac_layers)

    tallies: dict[tuple[str, str], _Tally] = {}
    lineage = _SpikeLineage() if convention == "paper" else None
    site_counts: dict[int, int] = {}
    handles = []
    for name, module in _counted_layers(model):
        forced_mac = any(fnmatch.fnmatchcase(name, pattern) for pattern in mac_patterns)
        if lineage is None:
            handles.append(module.register_forward_hook(_make_hook(name, forced_mac, tallies)))
        else:
            handles += _paper_hooks(name, module, forced_mac, tallies, lineage, site_counts)
    site_pooled = _record_site_counts(model, site_counts) if lineage is not None else []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), lineage if lineage is not None else contextlib.nullcontext():
            model(*args, **kwargs)
    finally:
        model.train(was_training)
        for handle in handles:
            handle.remove()
        for module in site_pooled:
            del module.forward_features  # the instance attribute set by _record_site_counts

    rows = []
    spike_total, element_total = 0.0, 0
    for (name, kind), tally in tallies.items():
        charged = tally.macs * costs.e_mac if kind == "MAC" else tally.sops * costs.e_ac
        firing_rate = None
        if kind == "AC" and lineage is not None:
            firing_rate = tally.sops / tally.macs if tally.macs else 0.0
        elif kind == "AC":
            firing_rate = tally.spikes / tally.elements if tally.elements else 0.0
        if kind == "AC":
            spike_total += tally.spikes
            element_total += tally.elements
        rows.append(
            LayerEnergy(
                name=name,
                kind=kind,
                macs=tally.macs / batch_size,
                sops=tally.sops / batch_size if kind == "AC" else 0.0,
                firing_rate=firing_rate,
                energy_pj=charged / batch_size,
                calls=tally.calls,
            )
        )
    return EnergyReport(
        layers=rows,
        precision=precision if e_mac is None and e_ac is None else f"custom ({precision} base)",
        e_mac_pj=costs.e_mac,
        e_ac_pj=costs.e_ac,
        batch_size=batch_size,
        convention=convention,
        _spike_total=spike_total,
        _element_total=element_total,
    )


def _infer_batch_size(values: list) -> int:
    for value in values:
        if isinstance(value, torch.Tensor) and value.dim() > 0:
            return value.shape[0]
    raise ValueError("Cannot infer the batch size: no input tensor with a batch dimension; pass `batch_size`.")


def _counted_layers(model: nn.Module):
    protocol_prefixes: list[str] = []
    for name, module in model.named_modules():
        if any(name.startswith(prefix) for prefix in protocol_prefixes):
            continue
        if callable(getattr(module, "energy_counts", None)):
            protocol_prefixes.append(f"{name}." if name else "")
            yield name, module
        elif isinstance(module, (nn.Linear, *_CONV_TYPES)):
            yield name, module


def _layer_counts(module: nn.Module, inputs: tuple, output) -> tuple[int, int]:
    if callable(getattr(module, "energy_counts", None)):
        return module.energy_counts(inputs, output)
    if isinstance(module, nn.Linear):
        return linear_energy_counts(module, inputs, output)
    return conv_energy_counts(module, inputs, output)


def _make_hook(name: str, forced_mac: bool, tallies: dict):
    def hook(module, inputs, output):
        x = _input_activations(inputs)
        spiking = not forced_mac and x is not None and _holds_spikes(x)
        macs, sops = _layer_counts(module, inputs, output)
        tally = tallies.setdefault((name or type(module).__name__, "AC" if spiking else "MAC"), _Tally())
        tally.macs += int(macs)
        tally.calls += 1
        if spiking:
            tally.sops += int(sops)
            tally.spikes += float(x.double().sum())
            tally.elements += x.numel()

    return hook


class _SpikeLineage(TorchDispatchMode):
    """Tracks, per storage, the spikes a value was computed from: the ``(order, firing rate)`` of the latest spike
    tensor upstream of it, or nothing for values computed from the model inputs alone.

    Every operation's outputs inherit the latest lineage among its tensor arguments; outputs without one are cleared,
    since a freed address may be reused by a fresh storage.
    """

    def __init__(self):
        super().__init__()
        self._lineage: dict[int, tuple[int, float]] = {}
        self._marks = 0

    @staticmethod
    def _key(tensor: torch.Tensor) -> int | None:
        if tensor.layout != torch.strided or not tensor.untyped_storage().nbytes():
            return None
        return tensor.untyped_storage().data_ptr()

    def mark_spikes(self, spikes: torch.Tensor, rate: float) -> None:
        key = self._key(spikes)
        if key is not None:
            self._marks += 1
            self._lineage[key] = (self._marks, rate)

    def upstream_rate(self, tensor: torch.Tensor) -> float | None:
        """Firing rate of the latest spikes ``tensor`` was computed from; None when it comes from the inputs alone."""
        entry = self._lineage.get(self._key(tensor))
        return None if entry is None else entry[1]

    def inherit(self, target: torch.Tensor, source: torch.Tensor | None) -> None:
        """Gives ``target`` the lineage of ``source`` alone (e.g. coordinates multiplied by a spike-computed
        transform stay as dense as the coordinates)."""
        key = self._key(target)
        if key is None:
            return
        entry = None if source is None else self._lineage.get(self._key(source))
        if entry is None:
            self._lineage.pop(key, None)
        else:
            self._lineage[key] = entry

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        entries = [self._lineage.get(self._key(t)) for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        latest = max((entry for entry in entries if entry is not None), default=None)
        for tensor in tree_leaves(out):
            key = self._key(tensor) if isinstance(tensor, torch.Tensor) else None
            if key is None:
                continue
            if latest is None:
                self._lineage.pop(key, None)
            else:
                self._lineage[key] = latest
        return out


def _paper_hooks(name: str, module: nn.Module, forced_mac: bool, tallies: dict, lineage: _SpikeLineage,
                 site_counts: dict[int, int]) -> list:
    """Hooks charging ``module`` under the paper convention (see the module docstring)."""
    charges = []  # (kind, rate, spikes, elements) per call: pushed before the call, popped after it

    def pre_hook(module, inputs):
        x = _input_activations(inputs)
        rate, spikes, elements = None, 0.0, 0
        if x is not None and not forced_mac:
            if _holds_spikes(x):
                spikes, elements = float(x.double().sum()), x.numel()
                rate = spikes / elements
                lineage.mark_spikes(x, rate)
            else:
                rate = lineage.upstream_rate(x)
        charges.append(("MAC" if rate is None else "AC", rate, spikes, elements))

    def hook(module, inputs, output):
        kind, rate, spikes, elements = charges.pop()
        macs, _ = _layer_counts(module, inputs, output)
        sites = site_counts.pop(id(module), None)
        if sites is not None:  # run once per sample on pooled features; charged as if run on every site
            macs = macs * sites // _input_activations(inputs).shape[0]
        tally = tallies.setdefault((name or type(module).__name__, kind), _Tally())
        tally.macs += int(macs)
        tally.calls += 1
        if kind == "AC":
            tally.sops += rate * macs
            tally.spikes += spikes
            tally.elements += elements

    hooks = [module.register_forward_pre_hook(pre_hook), module.register_forward_hook(hook)]
    if getattr(module, "energy_activation_lineage", False):
        # The module's output is as dense (or as spike-driven) as its first input, whatever its other operands are.
        hooks.append(module.register_forward_hook(lambda module, inputs, output: lineage.inherit(output, _input_activations(inputs))))
    return hooks


def _record_site_counts(model: nn.Module, site_counts: dict[int, int]) -> list[nn.Module]:
    """For each site-pooled module (``forward_features`` returning ``(site_features, site_index)`` and a linear
    ``final``), shadows ``forward_features`` by an instance attribute that records the number of sites for ``final``;
    returns the modules to restore."""
    patched = []
    for module in model.modules():
        final, forward_features = getattr(module, "final", None), getattr(module, "forward_features", None)
        if not (isinstance(final, nn.Linear) and callable(forward_features)):
            continue

        def recording(*args, _forward_features=forward_features, _final=final, **kwargs):
            out = _forward_features(*args, **kwargs)
            if isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], torch.Tensor):
                site_counts[id(_final)] = out[0].shape[0]
            return out

        module.forward_features = recording
        patched.append(module)
    return patched


__all__ = [
    "CONVENTIONS",
    "ENERGY_PRESETS",
    "EnergyCosts",
    "EnergyReport",
    "LayerEnergy",
    "conv_energy_counts",
    "estimate_energy",
    "format_energy_table",
    "linear_energy_counts",
]
