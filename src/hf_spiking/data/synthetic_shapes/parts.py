"""Part layouts that several categories share: ellipsoids, open boxes, bent tubes, pull handles, key grids, wheels.

Each function returns one triangle soup (or adds finished parts to an assembly) in the registry's conventions: z up,
metres, float64 ``[T, 3, 3]``. They keep the category builders short and make the same real-world part (a drawer
pull, a row of keys) look the same wherever it appears.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .finishes import Finish, fixed
from .geometry import box, cylinder, rod, rotation_x, sphere, transform

if TYPE_CHECKING:  # the registry module imports the category modules that import this one
    from .categories import Assembly


def ellipsoid(radii, center=(0.0, 0.0, 0.0), *, segments: int = 14, rings: int = 8) -> np.ndarray:
    """Axis-aligned ellipsoid with semi-axes ``radii`` centred on ``center``."""
    return transform(sphere(1.0, segments=segments, rings=rings), scale=tuple(radii), translation=tuple(center))


def open_box(size, wall: float, center=(0.0, 0.0, 0.0)) -> np.ndarray:
    """Open-topped box (floor and four walls) with outer extents ``size``, its floor centred under ``center``'s
    x, y and its outer box centred on ``center`` (like :func:`box`)."""
    sx, sy, sz = size
    cx, cy, cz = center
    if min(sx, sy, sz) <= 2 * wall:
        raise ValueError(f"open_box size {tuple(size)} must exceed twice the wall thickness {wall} on every axis")
    bottom = cz - sz / 2
    return np.concatenate([
        box((sx, sy, wall), (cx, cy, bottom + wall / 2)),
        box((wall, sy, sz), (cx - sx / 2 + wall / 2, cy, cz)),
        box((wall, sy, sz), (cx + sx / 2 - wall / 2, cy, cz)),
        box((sx - 2 * wall, wall, sz), (cx, cy - sy / 2 + wall / 2, cz)),
        box((sx - 2 * wall, wall, sz), (cx, cy + sy / 2 - wall / 2, cz)),
    ])


def tapered_box(bottom, top, height: float, *, offset=(0.0, 0.0), base=(0.0, 0.0, 0.0)) -> np.ndarray:
    """A box whose horizontal section shrinks (or grows) linearly from ``bottom`` = (x, y) extents at ``base`` to
    ``top`` extents at ``height`` above it, the top shifted by ``offset`` = (dx, dy): bins, wedges, sloped fronts."""
    unit = box((1.0, 1.0, 1.0))
    upper = unit[..., 2:3] > 0.0
    out = np.empty_like(unit)
    out[..., :2] = unit[..., :2] * np.where(upper, top, bottom) + np.where(upper, offset, (0.0, 0.0))
    out[..., 2] = (unit[..., 2] + 0.5) * height
    return out + np.asarray(base, dtype=np.float64)


def posed(parts: Assembly, *, rotation: np.ndarray | None = None, translation=(0.0, 0.0, 0.0)) -> None:
    """Rotate then translate every part of an assembly in place (to lay an upright object on its side)."""
    parts.triangles[:] = [transform(triangles, rotation=rotation, translation=translation) for triangles in parts.triangles]


def add_placed(parts: Assembly, pieces, *, rotation: np.ndarray | None = None, pivot=(0.0, 0.0, 0.0),
               translation=(0.0, 0.0, 0.0)) -> None:
    """Add ``pieces`` ((triangles, finish) pairs built about the origin) to ``parts``: moved so that ``pivot`` is at
    the origin, turned by ``rotation``, then moved by ``translation`` (a sash swung on its hinge, a book stood up)."""
    shift = tuple(-np.asarray(pivot, dtype=np.float64))
    for triangles, finish in pieces:
        parts.add(transform(transform(triangles, translation=shift), rotation=rotation, translation=translation), finish)


def rods(starts, ends, radius: float, *, top_radius: float | None = None, segments: int = 8) -> np.ndarray:
    """Many capped cylinders (or frusta) at once, one from each start to its end point: the vectorised form of
    :func:`~.geometry.rod` for bars, spokes and tube segments."""
    starts, ends = np.atleast_2d(np.asarray(starts, dtype=np.float64)), np.atleast_2d(np.asarray(ends, dtype=np.float64))
    if starts.shape != ends.shape or starts.shape[1:] != (3,):
        raise ValueError(f"rods needs start and end points of the same shape [S, 3], got {starts.shape} and {ends.shape}")
    axes = ends - starts
    lengths = np.linalg.norm(axes, axis=1)
    if not (lengths > 0.0).all():
        raise ValueError("rods needs distinct start and end points")
    unit = cylinder(radius, 1.0, top_radius=top_radius, segments=segments)  # height 1, scaled per rod below
    directions = axes / lengths[:, None]
    # Rodrigues rotations taking +z onto each direction (a half turn about x for straight down).
    cross = np.stack([-directions[:, 1], directions[:, 0], np.zeros(len(directions))], axis=1)
    sin, cos = np.linalg.norm(cross, axis=1), directions[:, 2]
    axis = np.where(sin[:, None] > 1e-9, cross / np.maximum(sin, 1e-12)[:, None], [1.0, 0.0, 0.0])
    sin = np.where(sin > 1e-9, sin, 0.0)
    cos = np.where(sin > 0.0, cos, np.sign(cos))
    skew = np.zeros((len(axis), 3, 3))
    skew[:, 0, 1], skew[:, 0, 2], skew[:, 1, 2] = -axis[:, 2], axis[:, 1], -axis[:, 0]
    skew -= skew.transpose(0, 2, 1)
    rotation = np.eye(3) + sin[:, None, None] * skew + (1.0 - cos)[:, None, None] * skew @ skew
    stretched = unit[None] * np.stack([np.ones_like(lengths), np.ones_like(lengths), lengths], axis=1)[:, None, None, :]
    placed = np.einsum("sij,stkj->stki", rotation, stretched) + starts[:, None, None, :]
    return placed.reshape(-1, 3, 3)


def tube(points, radius: float, *, segments: int = 8) -> np.ndarray:
    """A bent tube through the polyline ``points`` (capped rods joined end to end): handles, spouts, cords."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 3 or len(points) < 2:
        raise ValueError(f"tube needs a polyline of shape [P>=2, 3], got {points.shape}")
    return rods(points[:-1], points[1:], radius, segments=segments)


def arc(center, radius: float, start: float, stop: float, n: int, *, plane: str = "xz") -> np.ndarray:
    """``n`` points on a circular arc from angle ``start`` to ``stop`` (radians) in an axis plane through
    ``center``; in the "xz" plane angle 0 points along +x and pi/2 along +z."""
    if plane not in ("xz", "yz", "xy"):
        raise ValueError(f"plane must be 'xz', 'yz' or 'xy', got {plane!r}")
    angles = np.linspace(start, stop, n)
    first, second = radius * np.cos(angles), radius * np.sin(angles)
    zeros = np.zeros(n)
    columns = {"xz": (first, zeros, second), "yz": (zeros, first, second), "xy": (first, second, zeros)}[plane]
    return np.stack(columns, axis=-1) + np.asarray(center, dtype=np.float64)


def bar_handle(center, length: float, *, vertical: bool, facing=(0.0, -1.0, 0.0), standoff: float = 0.03,
               radius: float = 0.008) -> np.ndarray:
    """A pull handle: a grip rod of ``length`` (vertical or horizontal, across the face) held ``standoff`` in front
    of a face by two short posts; ``center`` is on the face, ``facing`` its outward normal (an axis direction)."""
    center, facing = np.asarray(center, dtype=np.float64), np.asarray(facing, dtype=np.float64)
    along = np.array([0.0, 0.0, 1.0]) if vertical else np.cross([0.0, 0.0, 1.0], facing)
    ends = [center + s * along * length / 2 for s in (-1, 1)]
    grip = rod(ends[0] + facing * standoff, ends[1] + facing * standoff, radius, segments=8)
    posts = [rod(end, end + facing * standoff, radius * 0.8, segments=6) for end in ends]
    return np.concatenate([grip, *posts])


def key_grid(center, rows: int, columns: int, pitch: tuple[float, float], key: tuple[float, float, float]) -> np.ndarray:
    """``rows`` x ``columns`` key caps (boxes of size ``key``) on a horizontal plane, the grid centred on
    ``center`` (which is the height of the keys' undersides), ``pitch`` = (x spacing, y spacing)."""
    cx, cy, cz = center
    xs = cx + (np.arange(columns) - (columns - 1) / 2) * pitch[0]
    ys = cy + (np.arange(rows) - (rows - 1) / 2) * pitch[1]
    return np.concatenate([box(key, (x, y, cz + key[2] / 2)) for y in ys for x in xs])


def add_wheels(parts: Assembly, rng: np.random.Generator, positions, radius: float, width: float, *, tyre: Finish | None = None,
               hub: Finish | None = None) -> None:
    """Add wheels with axles along y (rubber tyre and a metal hub each) at the given (x, y) contact positions."""
    tyre = tyre or fixed("black", rng, "rubber")
    hub = hub or fixed("silver", rng)
    upright = rotation_x(np.pi / 2)
    for x, y in positions:
        parts.add(transform(cylinder(radius, width, segments=16), rotation=upright, translation=(x, y + width / 2, radius)), tyre)
        parts.add(transform(cylinder(radius * 0.55, width * 1.06, segments=10), rotation=upright,
                            translation=(x, y + width * 0.53, radius)), hub)


__all__ = ["add_wheels", "arc", "bar_handle", "ellipsoid", "key_grid", "open_box", "posed", "rods", "tapered_box", "tube"]
