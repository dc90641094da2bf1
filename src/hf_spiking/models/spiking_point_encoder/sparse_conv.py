"""Sparse 3D convolution on integer voxel coordinates in pure PyTorch (CPU and GPU, no compiled dependency).

A :class:`SparseVoxelTensor` holds one feature row per active site and the site's ``(batch, x, y, z)`` integer
coordinates. Two convolutions cover E-3DSNN:

* :class:`SubmanifoldConv3d` (odd kernel, stride 1): output sites are exactly the input sites.
* :class:`SparseConv3d` with ``kernel_size == stride`` (E-3DSNN's k2 s2 downsampling): output site ``floor(p / s)``.
* :class:`SparseInverseConv3d`, its transpose (the up path of a segmentation decoder): each coarse site's features go
  back to the fine sites that formed it, through the kernel tap each came in by.

Neighbour search linearises the coordinates into int64 keys and finds every kernel offset with one gather from a
dense key table (small grids) or one ``torch.searchsorted`` on the sorted keys. A submanifold convolution is then
a sparse im2col: one gather of every kernel tap of the output rows (a zero row where no site is) and one matmul; the
strided one is one scatter into (site, tap) slots and one matmul. Kernel maps are cached on the tensor and shared by
every convolution that sees the same coordinates, as spconv's ``indice_key`` does.

Weights use spconv 2.x's layout ``(out_channels, k0, k1, k2, in_channels)``; kernel axes 0, 1, 2 are the coordinate
columns x, y, z, and the operation is a cross-correlation (``torch.nn.functional.conv3d`` on the densified grid).

Duplicate sites (several rows with one coordinate, kept by E-3DSNN's faithful voxelisation) are handled
deterministically: each row keeps its own centre tap and, for every other kernel offset, receives the sum of all rows
at the neighbouring coordinate; a strided convolution sums every row of a coarse voxel. spconv instead treats
duplicates asymmetrically (a site below a duplicated voxel sees only one of its rows), so the two backends agree only
on inputs without duplicate sites.

With ``backend="spconv"`` (only when ``spconv`` is importable) the same weights run through spconv's kernels instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
from dataclasses import dataclass, field

import torch
from torch import nn


# The gathered taps of one submanifold convolution are processed in row blocks of at most this many values.
_MAX_GATHER_ELEMENTS = 1 << 24

# Grids with at most this many cells (batch included) find neighbours through a dense int32 lookup table
# (at most 64 MiB); larger ones binary-search the sorted keys.
_MAX_DENSE_LOOKUP_CELLS = 1 << 24


def is_spconv_available() -> bool:
    """Whether the optional ``spconv`` package (2.x) can be imported."""
    return importlib.util.find_spec("spconv") is not None


@dataclass
class SparseVoxelTensor:
    """Features of the active sites of a batch of voxel grids.

    Args:
        features: ``[M, C]`` one row per active site.
        coords: ``[M, 4]`` int64 ``(batch, x, y, z)``, all non-negative.
        batch_size: number of samples B (batch indices lie in ``[0, B)``).
        kernel_maps: neighbour maps computed for these coordinates, shared by every tensor with the same ``coords``.
    """

    features: torch.Tensor
    coords: torch.Tensor
    batch_size: int
    kernel_maps: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.features.dim() != 2 or self.coords.dim() != 2 or self.coords.shape[1] != 4:
            raise ValueError(
                f"SparseVoxelTensor expects features [M, C] and coords [M, 4], got {tuple(self.features.shape)} and "
                f"{tuple(self.coords.shape)}."
            )
        if self.features.shape[0] != self.coords.shape[0]:
            raise ValueError(
                f"SparseVoxelTensor has {self.features.shape[0]} feature rows but {self.coords.shape[0]} coordinates."
            )

    def replace_features(self, features: torch.Tensor) -> SparseVoxelTensor:
        """Same sites (and shared kernel maps), new features."""
        return SparseVoxelTensor(features, self.coords, self.batch_size, self.kernel_maps)

    @property
    def batch_index(self) -> torch.Tensor:
        return self.coords[:, 0]


def scatter_mean(values: torch.Tensor, index: torch.Tensor, num_groups: int) -> torch.Tensor:
    """Mean of the rows of ``values`` [M, C] per group ``index`` [M] -> [num_groups, C] (empty groups give 0).

    Sums are differences of a float64 running sum over the rows sorted by group (``index_add_`` sorts the index on
    every multi-threaded CPU call, which is far slower).
    """
    if index.shape[0] > 1 and not bool((index[1:] >= index[:-1]).all()):
        index, order = torch.sort(index, stable=True)
        values = values.index_select(0, order)
    counts = torch.bincount(index, minlength=num_groups)
    running = torch.cat([values.new_zeros(1, values.shape[1], dtype=torch.float64), values.double().cumsum(0)])
    ends = torch.cumsum(counts, 0)
    sums = running.index_select(0, ends) - running.index_select(0, ends - counts)
    return (sums / counts.clamp_min(1).unsqueeze(1)).to(values.dtype)


@dataclass
class ScatterPlan:
    """A precomputed sum of rows into ``num_rows`` targets along ``index``, split into rounds without repeats.

    ``index_add_`` would do this in one call, but its multi-threaded CPU path sorts the index on every call, which made
    a 2-thread forward tens of times slower than a 1-thread one; repeat-free rounds use ``index_copy_`` instead.
    ``rounds`` is None when no target repeats, else the source positions of each round.
    """

    index: torch.Tensor
    num_rows: int
    rounds: list | None


def scatter_plan(index: torch.Tensor, num_rows: int) -> ScatterPlan:
    sorted_index, order = torch.sort(index, stable=True)
    starts_group = torch.ones_like(sorted_index, dtype=torch.bool)
    starts_group[1:] = sorted_index[1:] != sorted_index[:-1]
    if bool(starts_group.all()):
        return ScatterPlan(index, num_rows, None)
    position = torch.arange(index.shape[0], device=index.device)
    group_start = torch.cummax(torch.where(starts_group, position, torch.zeros_like(position)), dim=0).values
    rank = position - group_start
    rounds = [order[rank == r] for r in range(int(rank.max()) + 1)]
    return ScatterPlan(index, num_rows, rounds)


def scatter_sum(values: torch.Tensor, plan: ScatterPlan) -> torch.Tensor:
    """Rows of ``values`` summed into ``[plan.num_rows, C]`` along ``plan.index`` (targets without rows stay 0)."""
    out = values.new_zeros(plan.num_rows, values.shape[1])
    if plan.rounds is None:
        return out.index_copy_(0, plan.index, values)
    for r, rows in enumerate(plan.rounds):
        targets = plan.index[rows]
        chunk = values.index_select(0, rows)
        out.index_copy_(0, targets, chunk + out.index_select(0, targets) if r else chunk)
    return out


def _linear_keys(coords: torch.Tensor, extent: torch.Tensor) -> torch.Tensor:
    """Row-major int64 keys of ``coords`` [M, 4] in a box of size ``extent`` [4]; key order = lexicographic order."""
    keys = coords[:, 0]
    for axis in range(1, 4):
        keys = keys * extent[axis] + coords[:, axis]
    return keys


def _kernel_offsets(kernel_size: int, device) -> torch.Tensor:
    """All kernel offsets [k^3, 3] in the weight's (k0, k1, k2) row-major order, centred for odd kernels."""
    axis = torch.arange(kernel_size, device=device) - kernel_size // 2
    return torch.cartesian_prod(axis, axis, axis)


@dataclass
class SubmanifoldMap:
    """Neighbours of every output row of a submanifold convolution, as rows of one source table.

    The table is ``[rows, zero row]`` or, when two rows share a voxel (``has_duplicates``), ``[per-voxel sums of the
    rows, rows, zero row]``. ``neighbours[r, k]`` is the table row read by output row r at kernel offset k: the
    neighbouring site (or voxel sum), the row itself at the centre, the zero row where no site is.
    ``row_to_voxel[r]`` is the voxel of row r; ``voxel_sum`` sums rows per voxel.
    """

    neighbours: torch.Tensor
    row_to_voxel: torch.Tensor
    num_voxels: int
    has_duplicates: bool
    centre: int
    voxel_sum: ScatterPlan | None

    @property
    def num_sources(self) -> int:
        """Table rows before the zero row."""
        rows = self.neighbours.shape[0]
        return self.num_voxels + rows if self.has_duplicates else rows


def submanifold_map(sparse: SparseVoxelTensor, kernel_size: int) -> SubmanifoldMap:
    """Kernel map of a submanifold convolution (cached on ``sparse``)."""
    cache_key = ("submanifold", kernel_size)
    if cache_key in sparse.kernel_maps:
        return sparse.kernel_maps[cache_key]
    coords = sparse.coords
    radius = kernel_size // 2
    # Shift by the kernel radius and leave that margin on both sides so that no offset wraps into another row
    # (spatial axes only: offsets never change the batch index).
    shifted = coords.clone()
    shifted[:, 1:] += radius
    extent = shifted.amax(dim=0) + 1
    extent[1:] += radius
    keys = _linear_keys(shifted, extent)
    sorted_keys, order = torch.sort(keys, stable=True)
    voxel_keys, row_to_voxel_sorted = torch.unique_consecutive(sorted_keys, return_inverse=True)
    num_voxels = voxel_keys.shape[0]
    row_to_voxel = torch.empty_like(row_to_voxel_sorted)
    row_to_voxel[order] = row_to_voxel_sorted
    has_duplicates = num_voxels != coords.shape[0]

    offsets = _kernel_offsets(kernel_size, coords.device)
    centre = offsets.shape[0] // 2
    offset_keys = _linear_keys(torch.cat([torch.zeros_like(offsets[:, :1]), offsets], dim=1), extent)
    queries = keys.unsqueeze(1) + offset_keys.unsqueeze(0)
    num_cells = int(extent.prod())
    if num_cells <= _MAX_DENSE_LOOKUP_CELLS:
        # Small grids: a dense key -> voxel table answers every query with one gather.
        lookup = torch.full((num_cells,), -1, dtype=torch.int32, device=coords.device)
        lookup[voxel_keys] = torch.arange(num_voxels, dtype=torch.int32, device=coords.device)
        positions = lookup[queries].long()
        found = positions >= 0
    else:
        positions = torch.searchsorted(voxel_keys, queries).clamp_max_(num_voxels - 1)
        found = voxel_keys[positions] == queries
    rows = torch.arange(coords.shape[0], device=coords.device)
    if has_duplicates:
        # Off-centre taps read the voxel sums; the centre tap reads the row's own features.
        neighbours = torch.where(found, positions, num_voxels + coords.shape[0])
        neighbours[:, centre] = num_voxels + rows
    else:
        neighbours = torch.where(found, order[positions], coords.shape[0])
        neighbours[:, centre] = rows
    kernel_map = SubmanifoldMap(
        neighbours=neighbours,
        row_to_voxel=row_to_voxel,
        num_voxels=num_voxels,
        has_duplicates=has_duplicates,
        centre=centre,
        voxel_sum=scatter_plan(row_to_voxel, num_voxels) if has_duplicates else None,
    )
    sparse.kernel_maps[cache_key] = kernel_map
    return kernel_map


@dataclass
class StridedMap:
    """Output sites of a ``kernel_size == stride`` convolution and, per input row, its output row and kernel slot."""

    out_coords: torch.Tensor
    out_row: torch.Tensor
    kernel_slot: torch.Tensor
    slot_sum: ScatterPlan


def strided_map(sparse: SparseVoxelTensor, stride: int) -> StridedMap:
    """Kernel map of a non-overlapping strided convolution (cached on ``sparse``); output rows sorted by coordinate."""
    cache_key = ("strided", stride)
    if cache_key in sparse.kernel_maps:
        return sparse.kernel_maps[cache_key]
    coords = sparse.coords
    coarse = coords.clone()
    coarse[:, 1:] = torch.div(coords[:, 1:], stride, rounding_mode="floor")
    extent = coarse.amax(dim=0) + 1 if coords.shape[0] else torch.ones(4, dtype=coords.dtype)
    out_keys, out_row = torch.unique(_linear_keys(coarse, extent), sorted=True, return_inverse=True)
    out_coords = torch.empty(out_keys.shape[0], 4, dtype=coords.dtype, device=coords.device)
    out_coords[out_row] = coarse
    remainder = coords[:, 1:] - coarse[:, 1:] * stride
    kernel_slot = (remainder[:, 0] * stride + remainder[:, 1]) * stride + remainder[:, 2]
    volume = stride**3
    kernel_map = StridedMap(out_coords=out_coords, out_row=out_row, kernel_slot=kernel_slot,
                            slot_sum=scatter_plan(out_row * volume + kernel_slot, out_keys.shape[0] * volume))
    sparse.kernel_maps[cache_key] = kernel_map
    return kernel_map


def _row_blocks(num_rows: int, row_width: int):
    """Row slices whose gathered taps hold at most _MAX_GATHER_ELEMENTS values (bounds the im2col memory)."""
    rows_per_block = max(1, _MAX_GATHER_ELEMENTS // max(row_width, 1))
    for start in range(0, num_rows, rows_per_block):
        yield slice(start, min(start + rows_per_block, num_rows))


def _check_backend(backend: str) -> None:
    if backend not in ("torch", "spconv"):
        raise ValueError(f"Sparse convolution `backend` must be 'torch' or 'spconv', got {backend!r}.")
    if backend == "spconv" and not is_spconv_available():
        raise ValueError("Sparse convolution backend 'spconv' needs the `spconv` package (2.x); it is not installed.")


@contextlib.contextmanager
def _single_thread_on_cpu(device: torch.device):
    # spconv 2.3.8 on CPU gives run-to-run different, wrong sums with more than one intra-op thread.
    if device.type != "cpu":
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _spconv_tensor(sparse: SparseVoxelTensor):
    import spconv.pytorch as spconv

    spatial_shape = (sparse.coords[:, 1:].amax(dim=0) + 2).tolist() if sparse.coords.shape[0] else [1, 1, 1]
    tensor = spconv.SparseConvTensor(
        sparse.features, sparse.coords.int().contiguous(), spatial_shape, sparse.batch_size
    )
    # Reuse spconv's index pairs across the convolutions that share these coordinates.
    tensor.indice_dict = sparse.kernel_maps.setdefault("spconv", {})
    return tensor


class _SparseConvBase(nn.Module):
    """Shared weight handling: spconv layout ``(out, k0, k1, k2, in)``, optional bias, backend choice."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, bias: bool, backend: str):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels), ("kernel_size", kernel_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        _check_backend(backend)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.backend = backend
        self.weight = nn.Parameter(torch.empty(out_channels, kernel_size, kernel_size, kernel_size, in_channels))
        self.bias = nn.Parameter(torch.empty(out_channels)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # nn.Conv3d's default initialisation, with the fan-in of this layout.
        fan_in = self.in_channels * self.kernel_size**3
        bound = 1.0 / math.sqrt(fan_in)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def _spconv_module(self, class_name: str, **kwargs) -> nn.Module:
        """The spconv layer running this layer's own weight; built once and kept out of the state dict."""
        conv = self.__dict__.get("_spconv_conv")
        if conv is None:
            import spconv.pytorch as spconv

            conv = getattr(spconv, class_name)(
                self.in_channels, self.out_channels, self.kernel_size, bias=False, **kwargs
            )
            self.__dict__["_spconv_conv"] = conv
        # Point the spconv layer at this layer's current parameters on every call.
        conv.weight = self.weight
        conv.bias = self.bias
        return conv

    def _matrix(self) -> torch.Tensor:
        """The weight as one ``[kernel_volume * in_channels, out_channels]`` matrix (kernel offset major)."""
        return self.weight.permute(1, 2, 3, 4, 0).reshape(-1, self.out_channels)

    def _check_input(self, sparse: SparseVoxelTensor) -> None:
        if not isinstance(sparse, SparseVoxelTensor):
            raise ValueError(f"{type(self).__name__} expects a SparseVoxelTensor, got {type(sparse).__name__}.")
        if sparse.features.shape[1] != self.in_channels:
            raise ValueError(
                f"{type(self).__name__} expects {self.in_channels} input channels, got features of shape "
                f"{tuple(sparse.features.shape)}."
            )

    def _add_bias(self, features: torch.Tensor) -> torch.Tensor:
        return features if self.bias is None else features + self.bias

    @staticmethod
    def _synaptic_accumulates(features: torch.Tensor, fan_out: torch.Tensor, out_channels: int) -> int:
        # Each input value (a spike count when the input holds spikes) triggers one accumulate per output channel
        # of every output site it reaches.
        per_row = features.detach().sum(dim=1).double()
        return int(round(float((per_row * fan_out.double()).sum()) * out_channels))

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"bias={self.bias is not None}, backend={self.backend!r}"
        )


class SubmanifoldConv3d(_SparseConvBase):
    """Submanifold sparse convolution (stride 1, odd kernel): outputs at exactly the input sites.

    Equal, at the active sites, to ``torch.nn.functional.conv3d`` with padding ``kernel_size // 2`` on the densified
    grid, using ``weight.permute(0, 4, 1, 2, 3)``.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3, bias: bool = False,
                 backend: str = "torch"):
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"SubmanifoldConv3d needs an odd positive `kernel_size`, got {kernel_size!r}.")
        super().__init__(in_channels, out_channels, kernel_size, bias, backend)

    def forward(self, sparse: SparseVoxelTensor) -> SparseVoxelTensor:
        self._check_input(sparse)
        # spconv routes 1x1 kernels through a fast path that misreads the weight (spconv issue 450); a 1x1
        # submanifold convolution is a per-site linear layer, so it always runs here.
        if self.backend == "spconv" and self.kernel_size > 1:
            return sparse.replace_features(self._forward_spconv(sparse))
        return sparse.replace_features(self._add_bias(self._forward_torch(sparse)))

    def _forward_torch(self, sparse: SparseVoxelTensor) -> torch.Tensor:
        features = sparse.features
        weights = self.weight.permute(1, 2, 3, 4, 0).reshape(-1, self.in_channels, self.out_channels)
        if self.kernel_size == 1 or features.shape[0] == 0:
            return features @ weights[weights.shape[0] // 2]
        kernel_map = submanifold_map(sparse, self.kernel_size)
        parts = [features, features.new_zeros(1, features.shape[1])]
        if kernel_map.has_duplicates:
            parts.insert(0, scatter_sum(features, kernel_map.voxel_sum))
        table = torch.cat(parts)
        matrix = weights.reshape(-1, self.out_channels)
        # Sparse im2col: gather every tap of a block of output rows, then one matmul. Few large ops; many small ones
        # (a matmul per offset) are pathologically slow with several CPU threads.
        outputs = []
        for block in _row_blocks(features.shape[0], kernel_map.neighbours.shape[1] * features.shape[1]):
            taps = kernel_map.neighbours[block]
            outputs.append(table.index_select(0, taps.flatten()).view(taps.shape[0], -1) @ matrix)
        return outputs[0] if len(outputs) == 1 else torch.cat(outputs)

    def _forward_spconv(self, sparse: SparseVoxelTensor) -> torch.Tensor:
        conv = self._spconv_module(
            "SubMConv3d", padding=self.kernel_size // 2, indice_key=f"submanifold{self.kernel_size}"
        )
        with _single_thread_on_cpu(sparse.features.device):
            return conv(_spconv_tensor(sparse)).features

    def fan_out(self, sparse: SparseVoxelTensor) -> torch.Tensor:
        """Number of output sites each input row contributes to (its matched pairs)."""
        num_rows = sparse.coords.shape[0]
        if self.kernel_size == 1:
            return torch.ones(num_rows, dtype=torch.long, device=sparse.coords.device)
        kernel_map = submanifold_map(sparse, self.kernel_size)
        reads = torch.bincount(kernel_map.neighbours.flatten(), minlength=kernel_map.num_sources + 1)
        if kernel_map.has_duplicates:  # a voxel sum read is one read of each of its rows
            return reads[: kernel_map.num_voxels][kernel_map.row_to_voxel] + reads[kernel_map.num_voxels: -1]
        return reads[:-1]

    def energy_counts(self, inputs: tuple, output) -> tuple[int, int]:
        """(dense MACs, synaptic accumulates) of one call: pairs x in x out, and sum over pairs of input x out."""
        sparse = inputs[0]
        fan_out = self.fan_out(sparse)
        macs = int(fan_out.sum()) * self.in_channels * self.out_channels
        return macs, self._synaptic_accumulates(sparse.features, fan_out, self.out_channels)


class SparseConv3d(_SparseConvBase):
    """Strided sparse convolution with ``kernel_size == stride`` (non-overlapping windows, no padding).

    Input site ``p`` feeds output site ``floor(p / stride)`` through kernel tap ``p mod stride``; output rows are
    sorted by ``(batch, x, y, z)``. Equal, at the active output sites, to ``torch.nn.functional.conv3d`` with this
    stride and no padding on the densified grid.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 2, stride: int = 2, bias: bool = False,
                 backend: str = "torch"):
        if stride != kernel_size:
            raise ValueError(
                f"SparseConv3d supports only non-overlapping windows (kernel_size == stride), got kernel_size="
                f"{kernel_size!r}, stride={stride!r}."
            )
        super().__init__(in_channels, out_channels, kernel_size, bias, backend)
        self.stride = stride

    def forward(self, sparse: SparseVoxelTensor) -> SparseVoxelTensor:
        self._check_input(sparse)
        if self.backend == "spconv":
            return self._forward_spconv(sparse)
        kernel_map = strided_map(sparse, self.stride)
        features = sparse.features
        num_out = kernel_map.out_coords.shape[0]
        volume = self.kernel_size**3
        # Scatter every row into its (output site, kernel tap) slot, summing rows that share a slot, then one matmul.
        slots = scatter_sum(features, kernel_map.slot_sum)
        out_features = self._add_bias(slots.view(num_out, volume * features.shape[1]) @ self._matrix())
        return SparseVoxelTensor(out_features, kernel_map.out_coords, sparse.batch_size)

    def _forward_spconv(self, sparse: SparseVoxelTensor) -> SparseVoxelTensor:
        conv = self._spconv_module("SparseConv3d", stride=self.stride)
        with _single_thread_on_cpu(sparse.features.device):
            result = conv(_spconv_tensor(sparse))
        coords = result.indices.long()
        extent = coords.amax(dim=0) + 1
        order = torch.argsort(_linear_keys(coords, extent))
        return SparseVoxelTensor(result.features[order], coords[order], sparse.batch_size)

    def energy_counts(self, inputs: tuple, output) -> tuple[int, int]:
        """(dense MACs, synaptic accumulates): every input row is one matched pair."""
        sparse = inputs[0]
        fan_out = torch.ones(sparse.coords.shape[0], dtype=torch.long, device=sparse.coords.device)
        macs = sparse.coords.shape[0] * self.in_channels * self.out_channels
        return macs, self._synaptic_accumulates(sparse.features, fan_out, self.out_channels)


class SparseInverseConv3d(_SparseConvBase):
    """Inverse of a ``kernel_size == stride`` :class:`SparseConv3d` (spconv's ``SparseInverseConv3d``): the strided
    map run backwards, from coarse sites to the fine sites that formed them.

    ``forward(sparse, target)``: ``sparse`` holds coarse sites that are exactly the output sites of a strided
    convolution with this stride on ``target`` (the finer tensor, e.g. an encoder skip connection). Fine row i, which
    fell into coarse site ``floor(p_i / stride)`` through kernel tap ``p_i mod stride``, gets
    ``weight[:, tap_i, :] @ sparse.features[coarse site]`` (plus the bias); duplicate fine rows get the same value.
    The output has ``target``'s sites and shares its kernel maps. With the weight's in/out axes swapped, it is the
    transpose (adjoint) of :class:`SparseConv3d`, as a transposed convolution is of a convolution. It always runs in
    PyTorch: spconv's inverse convolution needs the index pairs of its own forward pass, which the strided map here
    replaces exactly.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 2, bias: bool = False):
        super().__init__(in_channels, out_channels, kernel_size, bias, "torch")
        self.stride = kernel_size

    def forward(self, sparse: SparseVoxelTensor, target: SparseVoxelTensor) -> SparseVoxelTensor:
        self._check_input(sparse)
        if not isinstance(target, SparseVoxelTensor):
            raise ValueError(f"SparseInverseConv3d expects a SparseVoxelTensor `target`, got {type(target).__name__}.")
        kernel_map = strided_map(target, self.stride)
        if kernel_map.out_coords.shape != sparse.coords.shape or not torch.equal(kernel_map.out_coords, sparse.coords):
            raise ValueError(
                f"SparseInverseConv3d needs `sparse` at the {kernel_map.out_coords.shape[0]} sites a stride-{self.stride} "
                f"convolution makes of `target` (in coordinate order); got {sparse.coords.shape[0]} other sites."
            )
        volume = self.kernel_size**3
        # Every kernel tap of every coarse site in one matmul (as the strided forward fills empty taps with zeros),
        # then each fine row reads the (coarse site, tap) it came from.
        matrix = self.weight.permute(4, 1, 2, 3, 0).reshape(self.in_channels, volume * self.out_channels)
        per_tap = (sparse.features @ matrix).view(-1, self.out_channels)
        out_features = per_tap.index_select(0, kernel_map.out_row * volume + kernel_map.kernel_slot)
        return target.replace_features(self._add_bias(out_features))

    def energy_counts(self, inputs: tuple, output) -> tuple[int, int]:
        """(dense MACs, synaptic accumulates): every fine output row is one matched pair with its coarse site."""
        sparse = inputs[0]
        # The output has the fine sites (and their cached strided map), however `target` was passed.
        out_row = strided_map(output, self.stride).out_row
        fan_out = torch.bincount(out_row, minlength=sparse.coords.shape[0])
        macs = output.coords.shape[0] * self.in_channels * self.out_channels
        return macs, self._synaptic_accumulates(sparse.features, fan_out, self.out_channels)


__all__ = [
    "ScatterPlan",
    "SparseConv3d",
    "SparseInverseConv3d",
    "SparseVoxelTensor",
    "SubmanifoldConv3d",
    "is_spconv_available",
    "scatter_mean",
    "scatter_plan",
    "scatter_sum",
    "strided_map",
    "submanifold_map",
]
