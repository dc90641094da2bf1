"""Sparse 3D convolution on integer voxel coordinates in pure PyTorch (CPU and GPU, no compiled dependency).

A :class:`SparseVoxelTensor` holds one feature row per active site and the site's ``(batch, x, y, z)`` integer
coordinates. Two convolutions cover E-3DSNN:

* :class:`SubmanifoldConv3d` (odd kernel, stride 1): output sites are exactly the input sites.
* :class:`SparseConv3d` with ``kernel_size == stride`` (E-3DSNN's k2 s2 downsampling): output site ``floor(p / s)``.
* :class:`SparseInverseConv3d`, its transpose (the up path of a segmentation decoder): each coarse site's features go
  back to the fine sites that formed it, through the kernel tap each came in by.

Neighbour search linearises the coordinates into int64 keys and finds every kernel offset with one gather from a
dense key table (small grids) or one ``torch.searchsorted`` on the sorted keys. A submanifold convolution multiplies
only the neighbour pairs that exist (a site of a LiDAR scan has a fifth to a third of its 26 neighbours): the centre
tap is one dense matmul, the pairs of the other offsets run as a few padded batched matmuls (offsets with similar pair
counts together), and one sparse CSR product sums every pair's product into its row (its transpose does the same for
the input gradient). The strided convolution is one scatter into (site, tap) slots and one matmul. Both use few large
ops: index_add_ sorts its index on every multi-threaded CPU call, and many small ops are slow with several threads.
Kernel maps are cached on the tensor and shared by every convolution that sees the same coordinates, as spconv's
``indice_key`` does.

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
import warnings
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.autograd.function import once_differentiable


# Grids with at most this many cells (batch included) find neighbours through a dense int32 lookup table
# (at most 64 MiB); larger ones binary-search the sorted keys.
_MAX_DENSE_LOOKUP_CELLS = 1 << 24

# A kernel offset joins a group of neighbour pairs (one batched matmul, padded to its busiest offset) while it has at
# least this share of the busiest offset's pairs: at most half of a group is padding.
_MIN_GROUP_FILL = 0.5


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
    """Row-major int64 keys of ``coords`` [M, D] in a box of size ``extent`` [D]; key order = lexicographic order."""
    keys = coords[:, 0]
    for axis in range(1, coords.shape[1]):
        keys = keys * extent[axis] + coords[:, axis]
    return keys


def unique_coordinates(coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``torch.unique(coords, dim=0, sorted=True, return_inverse=True)`` of integer coordinates ``[M, D]``: the
    distinct rows in lexicographic order and, per input row, its index among them.

    Each row becomes one int64 key (its offset from the column minima, row-major) and a 1-D unique does the work:
    ``unique(dim=0)`` sorts whole rows and is many times slower on CPU.
    """
    if coords.shape[0] == 0:  # no minima or maxima to offset by
        return coords.clone(), torch.zeros(0, dtype=torch.long, device=coords.device)
    low = coords.amin(dim=0)
    extent = coords.amax(dim=0) - low + 1
    if math.prod(extent.tolist()) > torch.iinfo(torch.int64).max:
        raise ValueError(f"Coordinates spanning {extent.tolist()} cells have more cells than int64 keys can address.")
    keys, inverse = torch.unique(_linear_keys(coords - low, extent), sorted=True, return_inverse=True)
    unique = coords.new_empty(keys.shape[0], coords.shape[1])
    unique[inverse] = coords
    return unique, inverse


def _kernel_offsets(kernel_size: int, device) -> torch.Tensor:
    """All kernel offsets [k^3, 3] in the weight's (k0, k1, k2) row-major order, centred for odd kernels."""
    axis = torch.arange(kernel_size, device=device) - kernel_size // 2
    return torch.cartesian_prod(axis, axis, axis)


@dataclass
class PairGroup:
    """Kernel offsets whose neighbour pairs run as one batched matmul: ``offsets`` [n] and, per offset, the pairs'
    ``inputs`` and ``outputs`` rows [n, P], padded to the busiest offset's P with the zero row."""

    offsets: torch.Tensor
    inputs: torch.Tensor
    outputs: torch.Tensor


@dataclass
class NeighbourPairs:
    """The (input row, output row) pairs of the off-centre kernel offsets of a submanifold map, in groups.

    The products of every pair of every group, concatenated (``slots`` rows, padding included), are summed into the
    ``num_rows`` rows by the CSR matrices ``to_outputs`` (the convolution) and ``to_inputs`` (its input gradient), each
    held as ``(crow_indices, col_indices)``; padding slots belong to no row.
    """

    groups: list[PairGroup]
    num_rows: int
    slots: int
    to_outputs: tuple[torch.Tensor, torch.Tensor]
    to_inputs: tuple[torch.Tensor, torch.Tensor]

    def sum_into_rows(self, products: list[torch.Tensor], rows: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """``[num_rows, C]``: per row, the sum of the products ``[n, P, C]`` (one per group) that ``rows`` gives it."""
        stacked = torch.cat([product.flatten(0, 1) for product in products])
        crow_indices, col_indices = rows
        ones = torch.ones(col_indices.shape[0], dtype=stacked.dtype, device=stacked.device)
        with warnings.catch_warnings():
            # PyTorch warns once per process that sparse CSR is beta; a CSR times a dense matrix is its basic use.
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta state")
            matrix = torch.sparse_csr_tensor(crow_indices, col_indices, ones, size=(self.num_rows, self.slots),
                                             check_invariants=False)
        return matrix @ stacked


def _csr_rows(rows: torch.Tensor, slots: torch.Tensor, num_rows: int, num_slots: int):
    """``(crow_indices, col_indices)`` of the 0/1 matrix ``[num_rows, num_slots]`` with a one at each (row, slot)."""
    order = torch.argsort(rows * num_slots + slots)  # by row, then slot: sorted columns within each row
    crow_indices = torch.zeros(num_rows + 1, dtype=torch.long, device=rows.device)
    crow_indices[1:] = torch.bincount(rows, minlength=num_rows).cumsum(0)
    return crow_indices, slots[order]


def neighbour_pairs(neighbours: torch.Tensor) -> NeighbourPairs | None:
    """The off-centre pairs of the map ``neighbours`` [V, K] (V: no neighbour) in groups; None when there are none."""
    num_rows, volume = neighbours.shape
    found = neighbours < num_rows
    found[:, volume // 2] = False  # the centre tap runs as a dense matmul
    pair_offset, pair_output = found.t().nonzero().unbind(1)  # by offset, then output row
    if pair_offset.shape[0] == 0:
        return None
    pair_input = neighbours[pair_output, pair_offset]
    counts = torch.bincount(pair_offset, minlength=volume)
    pair_counts = counts.tolist()
    grouped = []
    for offset in sorted((k for k in range(volume) if pair_counts[k]), key=lambda k: -pair_counts[k]):
        if grouped and pair_counts[offset] >= _MIN_GROUP_FILL * pair_counts[grouped[-1][0]]:
            grouped[-1].append(offset)
        else:
            grouped.append([offset])
    # Slot of each offset's first pair in the concatenated padded groups.
    first_slot, group_bounds, num_slots = [0] * volume, [], 0
    for offsets in grouped:
        width = pair_counts[offsets[0]]
        for index, offset in enumerate(offsets):
            first_slot[offset] = num_slots + index * width
        group_bounds.append((num_slots, len(offsets), width))
        num_slots += len(offsets) * width
    first_pair = torch.cumsum(counts, 0) - counts
    pair_slot = (torch.tensor(first_slot, device=neighbours.device)[pair_offset]
                 + torch.arange(pair_offset.shape[0], device=neighbours.device) - first_pair[pair_offset])
    padded_inputs = neighbours.new_full((num_slots,), num_rows).index_copy_(0, pair_slot, pair_input)
    padded_outputs = neighbours.new_full((num_slots,), num_rows).index_copy_(0, pair_slot, pair_output)
    groups = [
        PairGroup(
            offsets=torch.tensor(offsets, device=neighbours.device),
            inputs=padded_inputs[start : start + count * width].view(count, width),
            outputs=padded_outputs[start : start + count * width].view(count, width),
        )
        for offsets, (start, count, width) in zip(grouped, group_bounds)
    ]
    return NeighbourPairs(
        groups=groups,
        num_rows=num_rows,
        slots=num_slots,
        to_outputs=_csr_rows(pair_output, pair_slot, num_rows, num_slots),
        to_inputs=_csr_rows(pair_input, pair_slot, num_rows, num_slots),
    )


@dataclass
class SubmanifoldMap:
    """Neighbours of every voxel of a submanifold convolution, as rows of the table ``[voxels, zero row]``.

    ``neighbours[v, k]`` is the voxel at kernel offset k from voxel v (v itself at the centre), or ``num_voxels`` (the
    zero row) where there is none; ``pairs`` lists the off-centre ones. Without duplicates every row is its own voxel
    (``row_to_voxel`` is the identity). When rows share a voxel (``has_duplicates``) the voxels are the distinct
    coordinates in sorted order and the off-centre taps read the sum of a voxel's rows (``voxel_sum``), while each
    row's centre tap reads the row itself. ``row_to_voxel[r]`` is the voxel of row r.
    """

    neighbours: torch.Tensor
    pairs: NeighbourPairs | None
    row_to_voxel: torch.Tensor
    num_voxels: int
    has_duplicates: bool
    voxel_sum: ScatterPlan | None


def submanifold_map(sparse: SparseVoxelTensor, kernel_size: int) -> SubmanifoldMap:
    """Kernel map of a submanifold convolution (cached on ``sparse``)."""
    cache_key = ("submanifold", kernel_size)
    if cache_key in sparse.kernel_maps:
        return sparse.kernel_maps[cache_key]
    coords = sparse.coords
    num_rows = coords.shape[0]
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
    has_duplicates = num_voxels != num_rows
    if has_duplicates:
        row_to_voxel = torch.empty_like(row_to_voxel_sorted)
        row_to_voxel[order] = row_to_voxel_sorted
        site_keys = voxel_keys
    else:
        row_to_voxel = torch.arange(num_rows, device=coords.device)
        site_keys = keys

    offsets = _kernel_offsets(kernel_size, coords.device)
    offset_keys = _linear_keys(torch.cat([torch.zeros_like(offsets[:, :1]), offsets], dim=1), extent)
    queries = site_keys.unsqueeze(1) + offset_keys.unsqueeze(0)
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
    # Positions index the sorted voxel keys: voxels themselves with duplicates, rows (through `order`) without.
    neighbours = torch.where(found, positions if has_duplicates else order[positions], num_voxels)
    kernel_map = SubmanifoldMap(
        neighbours=neighbours,
        pairs=neighbour_pairs(neighbours),
        row_to_voxel=row_to_voxel,
        num_voxels=num_voxels,
        has_duplicates=has_duplicates,
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
    out_coords, out_row = unique_coordinates(coarse)
    remainder = coords[:, 1:] - coarse[:, 1:] * stride
    kernel_slot = (remainder[:, 0] * stride + remainder[:, 1]) * stride + remainder[:, 2]
    volume = stride**3
    kernel_map = StridedMap(out_coords=out_coords, out_row=out_row, kernel_slot=kernel_slot,
                            slot_sum=scatter_plan(out_row * volume + kernel_slot, out_coords.shape[0] * volume))
    sparse.kernel_maps[cache_key] = kernel_map
    return kernel_map


class _OffCentreTaps(torch.autograd.Function):
    """The off-centre taps of a submanifold convolution: ``features[s] @ weights[k]`` for every neighbour pair (s, r)
    of every off-centre offset k, summed into row r (``weights`` [K, in, out]).

    The backward reuses the pairs: the output gradient gathered at each pair's output row gives both the weight
    gradient and, through ``to_inputs``, the input gradient (autograd's backward of a gather would be a scatter-add,
    several times slower on CPU). Computed in the inputs' common dtype, autocast or not: a CSR product may not support
    the lower precisions.
    """

    @staticmethod
    def forward(ctx, features: torch.Tensor, weights: torch.Tensor, pairs: NeighbourPairs) -> torch.Tensor:
        ctx.save_for_backward(features, weights)
        ctx.pairs = pairs
        dtype = torch.promote_types(features.dtype, weights.dtype)
        with torch.autocast(features.device.type, enabled=False):
            table, weights = _with_zero_row(features.to(dtype)), weights.to(dtype)
            products = [torch.bmm(_gather(table, group.inputs), weights[group.offsets]) for group in pairs.groups]
            return pairs.sum_into_rows(products, pairs.to_outputs)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output: torch.Tensor):
        features, weights = ctx.saved_tensors
        pairs = ctx.pairs
        needs_features, needs_weights = ctx.needs_input_grad[:2]
        # The gradient has the forward's computing dtype.
        grad_table = _with_zero_row(grad_output)
        weights = weights.to(grad_output.dtype)
        table = _with_zero_row(features.to(grad_output.dtype)) if needs_weights else None
        grad_weights = torch.zeros_like(weights) if needs_weights else None
        input_products = []
        for group in pairs.groups:
            grad_at_outputs = _gather(grad_table, group.outputs)
            if needs_features:
                input_products.append(torch.bmm(grad_at_outputs, weights[group.offsets].transpose(1, 2)))
            if needs_weights:
                grad_weights[group.offsets] = torch.bmm(_gather(table, group.inputs).transpose(1, 2), grad_at_outputs)
        grad_features = pairs.sum_into_rows(input_products, pairs.to_inputs) if needs_features else None
        return grad_features, grad_weights, None


def _with_zero_row(values: torch.Tensor) -> torch.Tensor:
    """``values`` [N, C] and a zero row at index N, read by padding and missing neighbours."""
    return torch.cat([values, values.new_zeros(1, values.shape[1])])


def _gather(table: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Rows of ``table`` [N, C] at ``index`` [n, P] -> [n, P, C]."""
    return table.index_select(0, index.flatten()).view(*index.shape, table.shape[1])


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
        centre = features @ weights[weights.shape[0] // 2]
        if self.kernel_size == 1 or features.shape[0] == 0:
            return centre
        kernel_map = submanifold_map(sparse, self.kernel_size)
        if kernel_map.pairs is None:  # no site has a neighbour
            return centre
        if not kernel_map.has_duplicates:
            return centre + _OffCentreTaps.apply(features, weights, kernel_map.pairs)
        # Off-centre taps read whole voxels: the taps of the voxel sums, read by every row of the voxel.
        voxel_sums = scatter_sum(features, kernel_map.voxel_sum)
        off_centre = _OffCentreTaps.apply(voxel_sums, weights, kernel_map.pairs)
        return centre + off_centre.index_select(0, kernel_map.row_to_voxel)

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
        # The map is symmetric (v reads u at offset d exactly when u reads v at -d), so a voxel's rows feed the rows of
        # its neighbours (the zero row has none); through the centre tap a row feeds only itself.
        rows_per_voxel = torch.bincount(kernel_map.row_to_voxel, minlength=kernel_map.num_voxels + 1)
        fan_out = rows_per_voxel[kernel_map.neighbours].sum(dim=1) - rows_per_voxel[:-1] + 1
        return fan_out[kernel_map.row_to_voxel]

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
    "NeighbourPairs",
    "PairGroup",
    "ScatterPlan",
    "SparseConv3d",
    "SparseInverseConv3d",
    "SparseVoxelTensor",
    "SubmanifoldConv3d",
    "is_spconv_available",
    "neighbour_pairs",
    "scatter_mean",
    "scatter_plan",
    "scatter_sum",
    "strided_map",
    "submanifold_map",
    "unique_coordinates",
]
