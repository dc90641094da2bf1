"""Bathroom fixtures and hanging fabrics: toilets, sinks, shower curtains, curtains and towels (registered after the outdoor objects); NYU40 classes, see ``categories.EXTENSION_MODULES``.

Front faces look along -y. The fixtures are ceramic shells of revolution squashed into ovals (a toilet bowl on its
pedestal with a cistern behind, a washbasin on a column, in a cabinet top or a kitchen worktop, always with a tap).
The hanging fabrics share one pleated sheet (:func:`_pleated_sheet`) and differ in proportions and hardware: a
single square-ish plastic shower curtain in soft waves on many rings along a straight or curved rod between wall
flanges, one or two longer, more finely pleated window curtain panels on a pole between finials (drawn open, closed
or tied back), or the two ends of a towel draped over a rail; towels also lie folded in a stack or rolled up.
"""

from __future__ import annotations

import numpy as np

from .categories import Assembly, BuiltShape, _vessel, nyu40_source, register_category
from .categories_furniture import _doors, _drawers
from .finishes import Finish, article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, rotation_x, rotation_y, sphere, torus, transform
from .parts import arc, open_box, posed, tube

_ALONG_X = rotation_y(np.pi / 2)  # +z onto +x: a cylinder laid along a rod or a rail
_CERAMIC_COLOURS = ("white", "white", "white", "white", "cream", "beige", "grey", "black")


def _grid_surface(grid: np.ndarray) -> np.ndarray:
    """Triangles of an open sheet through a [rows, columns, 3] grid of points."""
    a, b, c, d = grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]
    return np.concatenate([np.stack([a, b, d], axis=2).reshape(-1, 3, 3), np.stack([a, d, c], axis=2).reshape(-1, 3, 3)])


def _pleated_sheet(outline, n_folds: int, fold_depth: float, *, y: float = 0.0, bow: float = 0.0, span: float = 1.0,
                   columns_per_fold: int = 4, header: float = 0.0) -> np.ndarray:
    """A hanging fabric sheet with vertical folds: ``outline`` lists rows (z, x_left, x_right) from top to bottom,
    each spanned by ``n_folds`` waves of front-to-back depth ``fold_depth`` about the plane y = ``y``; a row
    gathered narrower than the widest one folds deeper (the cloth bunches). ``bow`` bends the sheet forward (-y)
    along a rod curved in plan whose ends are at x = +-``span``. Four columns per fold give sharp pleats, more give
    soft waves. Crests fall midway between x = x_left + k * width / n_folds, where the sheet crosses y. A
    ``header`` (metres) is a stiffened heading tape along the top, folded only a third as deep."""
    outline = np.asarray(outline, dtype=np.float64)
    depth_scale = np.ones(len(outline))
    if header > 0.0:
        share = header / (outline[0, 0] - outline[1, 0])
        outline = np.insert(outline, 1, outline[0] + share * (outline[1] - outline[0]), axis=0)
        depth_scale = np.r_[1.0 / 3.0, depth_scale]
    widths = outline[:, 2] - outline[:, 1]
    u = np.linspace(0.0, 1.0, n_folds * columns_per_fold + 1)
    xs = outline[:, 1:2] + widths[:, None] * u[None, :]
    bunching = np.clip(np.sqrt(widths.max() / widths), 1.0, 3.0) * depth_scale
    ys = y + fold_depth / 2 * bunching[:, None] * np.sin(2 * np.pi * n_folds * u)[None, :] - bow * (1 - (xs / span) ** 2)
    zs = np.broadcast_to(outline[:, :1], xs.shape)
    return _grid_surface(np.stack([xs, ys, zs], axis=-1))


def _tap(parts: Assembly, finish: Finish, x: float, y: float, z: float, height: float, reach: float, *, lever: bool) -> None:
    """A tap standing on a deck at (x, y, z): a round body, a spout arching forward (-y) and a lever pointing back
    on top (or a round knob for a pillar tap)."""
    radius = 0.016
    parts.add(transform(cylinder(radius * 1.4, 0.012, top_radius=radius, segments=10), translation=(x, y, z)), finish)
    parts.add(transform(cylinder(radius, height, segments=10), translation=(x, y, z)), finish)
    top = z + height
    spout = arc((x, y - reach / 2, top), reach / 2, 0.0, np.pi, 6, plane="yz")
    parts.add(tube(np.concatenate([spout, [spout[-1] - (0.0, 0.0, min(0.04, height * 0.3))]]), radius * 0.5, segments=6), finish)
    if lever:
        parts.add(tube([(x, y, top), (x, y + 0.07, top + 0.025)], 0.006, segments=5), finish)
    else:
        parts.add(transform(sphere(radius * 1.3, segments=8, rings=5), translation=(x, y + 0.01, top + 0.01)), finish)


def _oval(radii, heights, half_width: float, half_length: float, *, open_top: bool, wall: float = 0.02, segments: int = 20) -> np.ndarray:
    """A shell of revolution (radii given along y) squashed in x into an oval ``2 * half_width`` wide: an open
    bowl with a wall when ``open_top``, else a closed solid."""
    shell = _vessel(radii, heights, wall, segments) if open_top else lathe(np.r_[0.0, radii, 0.0], np.r_[heights[0], heights, heights[-1]], segments)
    return transform(shell, scale=(half_width / half_length, 1.0, 1.0))


@register_category("toilet", "Flush toilet: an oval ceramic bowl under a seat ring and a lid (closed or raised), on a pedestal narrowing to a floor foot with a tall close-coupled or low one-piece cistern tank at the back, or wall-hung on a boxed-in duct with a flush plate.", source=nyu40_source("toilet"))
def build_toilet(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, _CERAMIC_COLOURS, str(rng.choice(["ceramic", "porcelain"])))
    kind = str(rng.choice(["close-coupled", "close-coupled", "one-piece", "wall-hung"]))
    length, width = rng.uniform(0.44, 0.54), rng.uniform(0.34, 0.39)
    half = length / 2
    rim = rng.uniform(0.38, 0.43)
    t = np.linspace(0.0, np.pi / 2, 5)
    tank_front = half + rng.uniform(0.0, 0.05)
    if kind == "wall-hung":
        # A rounded bowl with no foot, held by a boxed-in frame (hiding the cistern) standing against the wall.
        bottom = rim - rng.uniform(0.26, 0.32)
        parts.add(_oval(half * (0.5 + 0.5 * np.sin(t)), bottom + (rim - bottom) * (1 - np.cos(t)), width / 2, half, open_top=True), finish)
        parts.add(box((width * 0.5, tank_front, rim - bottom - 0.1), (0, tank_front / 2, (rim + bottom) / 2)), finish)
        duct_w, duct_d, duct_h = rng.uniform(0.45, 0.6), rng.uniform(0.15, 0.22), rng.uniform(0.95, 1.2)
        parts.add(box((duct_w, duct_d, duct_h), (0, tank_front + duct_d / 2, duct_h / 2)), finish)
        plate = paint(rng, ("white", "silver", "black", "grey"), str(rng.choice(["plastic", "metal"])))
        plate_z = duct_h - rng.uniform(0.15, 0.25)
        parts.add(box((0.24, 0.01, 0.16), (0, tank_front - 0.005, plate_z)), plate)
        for side in (-1, 1):
            parts.add(box((0.1, 0.008, 0.12), (side * 0.055, tank_front - 0.012, plate_z)), plate)
        cistern = f"a concealed cistern in a wall box with {article(plate.colour)} flush plate"
        base = "a wall-hung bowl"
    else:
        waist = rim * rng.uniform(0.45, 0.6)
        foot = rng.uniform(0.55, 0.65)
        parts.add(_oval(half * np.array([foot, foot - 0.04, 0.55, 0.6]), np.array([0.0, 0.03, waist * 0.6, waist]), width / 2, half, open_top=False), finish)
        parts.add(_oval(half * (0.6 + 0.4 * np.sin(t)), waist + (rim - waist) * (1 - np.cos(t)), width / 2, half, open_top=True), finish)
        # The trunk under the back of the seat carries the tank (a solid block from the floor in a real toilet).
        parts.add(box((width * rng.uniform(0.45, 0.6), tank_front, rim - 0.01), (0, tank_front / 2, (rim - 0.01) / 2)), finish)
        one_piece = kind == "one-piece"
        tank_w = rng.uniform(0.36, 0.48) if not one_piece else width * rng.uniform(0.9, 1.05)
        tank_d = rng.uniform(0.15, 0.21)
        tank_bottom = rim - (0.06 if one_piece else 0.0)
        tank_h = rng.uniform(0.14, 0.22) if one_piece else rng.uniform(0.3, 0.42)
        parts.add(box((tank_w, tank_d, tank_h), (0, tank_front + tank_d / 2, tank_bottom + tank_h / 2)), finish)
        tank_top = tank_bottom + tank_h
        parts.add(box((tank_w + 0.02, tank_d + 0.02, 0.025), (0, tank_front + tank_d / 2, tank_top + 0.0125)), finish)
        flush = metal(rng, ("silver", "silver", "gold", "black"))
        if one_piece or rng.random() < 0.5:
            parts.add(transform(cylinder(0.022, 0.012, segments=10), translation=(0, tank_front + tank_d / 2, tank_top + 0.025)), flush)
            flush_words = "a flush button on top"
        else:
            lever_z = tank_top - 0.06
            parts.add(tube([(-tank_w / 2 + 0.04, tank_front, lever_z), (-tank_w / 2 + 0.04, tank_front - 0.02, lever_z),
                            (-tank_w / 2 + 0.13, tank_front - 0.03, lever_z - 0.01)], 0.007, segments=5), flush)
            flush_words = "a flush lever on the front"
        size = "low built-in" if one_piece else "tall"
        cistern = f"{article(size)} cistern tank behind the seat with {flush_words}"
        base = "a pedestal bowl"
    seat_kind = rng.random()
    seat = finish if seat_kind < 0.5 else (wood(rng) if seat_kind < 0.7 else paint(rng, ("white", "black", "grey"), "plastic"))
    seat_words = "a matching seat and lid" if seat is finish else f"{article(seat.full)} seat and lid"
    ring_r = half * rng.uniform(0.74, 0.8)
    parts.add(transform(torus(ring_r, half - ring_r, segments=20, tube_segments=5), scale=(width / length, 1.0, 0.3),
                        translation=(0, 0, rim + 0.015)), seat)
    lid_half = half * 0.92
    lid = transform(cylinder(lid_half, 0.02, segments=20), scale=(width / length / 0.92, 1.0, 1.0))
    lid_up = bool(rng.random() < 0.45)
    if lid_up:
        tilt = np.pi / 2 - rng.uniform(0.12, 0.25)  # leaning back against the tank or wall box
        hinge = np.array([0.0, tank_front - 0.1, rim + 0.03])
        parts.add(transform(lid, rotation=rotation_x(tilt), translation=hinge + (0.0, lid_half * np.cos(tilt), lid_half * np.sin(tilt))), seat)
    else:
        parts.add(transform(lid, translation=(0, 0, rim + 0.025)), seat)
    captions = (
        f"{article(finish.full)} {kind} toilet with the lid {'raised' if lid_up else 'closed'}",
        f"a flush toilet with {cistern}",
        f"a WC with {seat_words} on {base}",
        f"a {finish.colour} lavatory for the bathroom, its oval bowl {'open' if lid_up else 'covered by the lid'}",
    )
    return BuiltShape(parts, captions)


def _basin(parts: Assembly, finish: Finish, rectangular: bool, half_w: float, half_d: float, depth: float, rim_z: float) -> None:
    """A washbasin bowl with its rim at ``rim_z``: an oval shell flaring up to the rim, or a rectangular thick-walled
    box."""
    if rectangular:
        parts.add(open_box((2 * half_w, 2 * half_d, depth), 0.03, (0, 0, rim_z - depth / 2)), finish)
    else:
        t = np.linspace(0.0, np.pi / 2, 5)
        parts.add(_oval(half_d * (0.45 + 0.55 * np.sin(t)), rim_z - depth * np.cos(t), half_w, half_d, open_top=True), finish)


def _worktop(parts: Assembly, finish: Finish, length: float, depth: float, thickness: float, top_z: float, openings, y0: float, y1: float) -> None:
    """A slab with rectangular holes spanning y0..y1 at the x ranges in ``openings`` (sorted, non-overlapping)."""
    z = top_z - thickness / 2
    parts.add(box((length, y0 + depth / 2, thickness), (0, (y0 - depth / 2) / 2, z)), finish)
    parts.add(box((length, depth / 2 - y1, thickness), (0, (y1 + depth / 2) / 2, z)), finish)
    edges = [-length / 2] + [x for opening in openings for x in opening] + [length / 2]
    for left, right in zip(edges[::2], edges[1::2]):
        if right - left > 1e-6:
            parts.add(box((right - left, y1 - y0, thickness), ((left + right) / 2, (y0 + y1) / 2, z)), finish)


@register_category("sink", "Washbasin with a tap: an oval or rectangular ceramic basin on a pedestal column, set into (or sitting on) a vanity cabinet top with doors or drawers, or wall-hung over a bottle trap; or a kitchen sink of one or two rectangular steel bowls in a worktop slab.", source=nyu40_source("sink"))
def build_sink(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["pedestal sink", "vanity sink", "wall-hung basin", "kitchen sink"]))
    tap = metal(rng, ("silver", "silver", "gold", "black", "copper"))
    ceramic = paint(rng, _CERAMIC_COLOURS, str(rng.choice(["ceramic", "porcelain"])))
    rectangular = bool(rng.random() < 0.35)
    shape = "rectangular" if rectangular else "oval"
    half_w, half_d, depth = rng.uniform(0.2, 0.3), rng.uniform(0.16, 0.22), rng.uniform(0.12, 0.18)
    n_taps, tap_x, tall_tap = 1, 0.0, False
    if kind in ("pedestal sink", "wall-hung basin"):
        if kind == "pedestal sink":
            rim = rng.uniform(0.8, 0.88)
            foot_r, neck_r = rng.uniform(0.1, 0.14), rng.uniform(0.06, 0.09)
            column = lathe([0.0, foot_r, foot_r * 0.8, neck_r, neck_r * 1.3, 0.0], [0.0, 0.0, 0.06, (rim - depth) * 0.6, rim - depth + 0.01, rim - depth + 0.01], 16)
            parts.add(transform(column, scale=(1.0, 0.8, 1.0), translation=(0, 0.02, 0)), ceramic)
            support, setting = "on a tapering column", "a bathroom washbasin standing on a pedestal"
        else:
            # A bottle trap hangs under the bowl and its waste pipe runs back into the wall; it is the lowest part.
            trap_r = rng.uniform(0.025, 0.035)
            rim = rng.uniform(0.18, 0.28) + depth
            trap_finish = metal(rng, ("silver",)) if rng.random() < 0.6 else fixed("white", rng, "plastic")
            parts.add(cylinder(trap_r, 0.12, segments=10), trap_finish)
            parts.add(tube([(0, 0, 0.1), (0, 0, rim - depth + 0.01)], 0.015, segments=6), trap_finish)
            parts.add(tube([(0, 0, 0.08), (0, half_d + 0.09, 0.08)], 0.015, segments=6), trap_finish)
            support = f"above {article(trap_finish.colour)} waste trap"
            setting = f"a bathroom washbasin hung on the wall {support}"
        _basin(parts, ceramic, rectangular, half_w, half_d, depth, rim)
        ledge_d = rng.uniform(0.07, 0.11)
        parts.add(box((2 * half_w, ledge_d, 0.05), (0, half_d + ledge_d / 2 - 0.01, rim - 0.025)), ceramic)
        deck = (half_d + ledge_d / 2 - 0.01, rim)
        n_taps = int(rng.choice([1, 1, 2]))
        captions_kind = f"{article(ceramic.full)} {shape} {kind} {support}"
    elif kind == "vanity sink":
        body = wood(rng) if rng.random() < 0.5 else paint(rng, ("white", "grey", "navy blue", "dark green", "black", "cream"), "painted")
        counter = paint(rng, ("white", "black", "grey", "beige", "dark grey")) if rng.random() < 0.7 else body
        handle = metal(rng, ("silver", "gold", "black"))
        width, cab_d = rng.uniform(0.6, 1.2), rng.uniform(0.45, 0.55)
        top_z, slab = rng.uniform(0.8, 0.88), rng.uniform(0.02, 0.04)
        plinth = 0.08
        vessel = bool(rng.random() < 0.35)
        half_w, half_d = min(half_w, width / 2 - 0.08), min(half_d, cab_d / 2 - 0.06)
        band = depth + 0.02 if not vessel else 0.0  # the top of the body is open around an inset basin
        parts.add(box((width - 0.04, cab_d - 0.04, plinth), (0, 0.02, plinth / 2)), body)
        parts.add(box((width, cab_d, top_z - slab - band - plinth), (0, 0, (plinth + top_z - slab - band) / 2)), body)
        if vessel:
            parts.add(box((width + 0.02, cab_d + 0.02, slab), (0, 0, top_z - slab / 2)), counter)
            _basin(parts, ceramic, rectangular, half_w, half_d, depth, top_z + depth)
            deck, tall_tap = (half_d + 0.05, top_z), True
            basin_words = f"{article(ceramic.colour)} {shape} bowl sitting on the top"
        else:
            parts.add(open_box((width, cab_d, band), 0.02, (0, 0, top_z - slab - band / 2)), body)
            inset = 0.03 if rectangular else 0.3 * half_w
            inset_d = 0.03 if rectangular else 0.3 * half_d
            _worktop(parts, counter, width + 0.02, cab_d + 0.02, slab, top_z, [(-half_w + inset, half_w - inset)], -half_d + inset_d, half_d - inset_d)
            _basin(parts, ceramic, rectangular, half_w, half_d, depth, top_z - 0.002)
            deck = ((half_d + cab_d / 2) / 2, top_z)
            basin_words = f"{article(ceramic.colour)} {shape} basin set into the top"
        fronts_top = top_z - slab - 0.01
        if rng.random() < 0.65:
            n_fronts = 1 if width < 0.75 else 2
            _doors(parts, width, -cab_d / 2, plinth + 0.01, fronts_top, n_fronts, body, handle)
            fronts = count(n_fronts, "door")
        else:
            n_fronts = int(rng.integers(2, 4))
            _drawers(parts, 0.0, width, -cab_d / 2, plinth + 0.01, fronts_top, n_fronts, body, handle)
            fronts = count(n_fronts, "drawer")
        captions_kind = f"a vanity sink: {basin_words} of {article(body.full)} cabinet with {fronts}"
        setting = f"a bathroom sink unit with {fronts} below {article(counter.colour)} countertop"
    else:
        steel = fixed("silver", rng, "stainless steel")
        counter = wood(rng) if rng.random() < 0.4 else paint(rng, ("white", "black", "grey", "beige", "dark grey"))
        n_bowls = int(rng.choice([1, 2]))
        bowl_ws = [rng.uniform(0.34, 0.48)] + ([rng.uniform(0.2, 0.4)] if n_bowls == 2 else [])
        bowl_d, depth = rng.uniform(0.36, 0.42), rng.uniform(0.16, 0.22)
        drainer = bool(rng.random() < 0.6)
        drainer_w = rng.uniform(0.3, 0.4) if drainer else 0.0
        margin = rng.uniform(0.08, 0.25)
        length = sum(bowl_ws) + 0.05 * (n_bowls - 1) + drainer_w + 2 * margin
        counter_d, slab = rng.uniform(0.55, 0.62), rng.uniform(0.03, 0.04)
        top_z = depth  # the bowls hang below the worktop, their bottoms on z = 0
        y0 = -counter_d / 2 + 0.06
        openings, x = [], -length / 2 + margin + drainer_w
        for bowl_w in bowl_ws:
            openings.append((x, x + bowl_w))
            parts.add(open_box((bowl_w, bowl_d, depth), 0.01, (x + bowl_w / 2, y0 + bowl_d / 2, depth / 2)), steel)
            x += bowl_w + 0.05
        _worktop(parts, counter, length, counter_d, slab, top_z, openings, y0, y0 + bowl_d)
        if drainer:
            drain_x = -length / 2 + margin + drainer_w / 2
            parts.add(box((drainer_w, bowl_d, 0.006), (drain_x, y0 + bowl_d / 2, top_z + 0.003)), steel)
            for k in range(6):
                groove_x = drain_x - drainer_w * 0.35 + drainer_w * 0.7 * k / 5
                parts.add(box((0.012, bowl_d * 0.8, 0.006), (groove_x, y0 + bowl_d / 2, top_z + 0.009)), steel)
        deck = ((y0 + bowl_d + counter_d / 2) / 2, top_z)
        captions_kind = f"a stainless steel kitchen sink with {count(n_bowls, 'bowl')} set into {article(counter.full)} worktop"
        setting = "a kitchen sink with " + ("a ribbed draining board" if drainer else count(n_bowls, "rectangular basin"))
        tap_x, tall_tap = (openings[0][0] + openings[0][1]) / 2, True
    lever = n_taps == 1
    if not lever:
        for side in (-1, 1):
            _tap(parts, tap, side * half_w * 0.6, deck[0], deck[1], rng.uniform(0.05, 0.07), 0.06, lever=False)
    else:
        height = rng.uniform(0.2, 0.3) if tall_tap else rng.uniform(0.08, 0.14)
        _tap(parts, tap, tap_x, deck[0], deck[1], height, rng.uniform(0.12, 0.2), lever=True)
    taps = f"a {tap.colour} mixer tap" if lever else f"two {tap.colour} pillar taps"
    captions = (
        captions_kind,
        f"{taps} on {setting}",
        f"a {ceramic.colour} sink for washing hands" if kind != "kitchen sink" else "a sink for washing dishes in the kitchen",
        f"a {grade(depth, (0.14, 0.17), ('shallow', 'medium-deep', 'deep'))} wash basin with {taps}",
    )
    return BuiltShape(parts, captions)


def _horizontal_rod(parts: Assembly, finish: Finish, half: float, z: float, radius: float, *, bow: float = 0.0) -> None:
    """A horizontal rod from x = -half to +half at height z, bowed forward (-y) by ``bow`` in the middle."""
    xs = np.linspace(-half, half, 7 if bow else 2)
    parts.add(tube(np.stack([xs, -bow * (1 - (xs / half) ** 2), np.full(len(xs), z)], axis=1), radius, segments=8), finish)


def _rings(parts: Assembly, finish: Finish, xs, z: float, radius: float, *, bow: float = 0.0, span: float = 1.0) -> None:
    """Hanger rings centred at height z along a rod on x (each a small vertical loop across the rod)."""
    loop = transform(torus(radius, radius * 0.15, segments=8, tube_segments=3), rotation=_ALONG_X)
    xs = np.asarray(xs, dtype=np.float64)
    centres = np.stack([xs, -bow * (1 - (xs / span) ** 2), np.full(len(xs), z)], axis=1)
    parts.add((loop[None] + centres[:, None, None, :]).reshape(-1, 3, 3), finish)


@register_category("shower curtain", "Tall (about 1.8 m) single plastic sheet with soft vertical waves, often with a contrasting pattern band, hanging from a row of rings on a straight or curved shower rod with wall flanges at both ends; drawn closed or bunched to one side.", source=nyu40_source("shower curtain"))
def build_shower_curtain(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    sheet = paint(rng, ("white", "white", "light blue", "blue", "teal", "light green", "pink", "yellow", "grey", "cream", "purple"), "plastic")
    rod_finish = metal(rng, ("silver", "silver", "white", "black", "gold"))
    rings = rod_finish if rng.random() < 0.5 else paint(rng, ("white", "silver", "black", "blue", "grey"), "plastic")
    curved = bool(rng.random() < 0.35)
    span = rng.uniform(0.75, 0.95)  # half the length of the rod: a bathtub or a shower tray
    bow = rng.uniform(0.12, 0.25) if curved else 0.0
    drop = rng.uniform(1.7, 1.9)
    ring_r = rng.uniform(0.025, 0.035)
    rod_r = rng.uniform(0.01, 0.014)
    rod_z = drop + 2 * ring_r - rod_r  # the rod runs through the tops of the rings, the sheet through their bottoms
    _horizontal_rod(parts, rod_finish, span, rod_z, rod_r, bow=bow)
    for side in (-1, 1):
        flange = transform(cylinder(0.035, 0.012, segments=12), rotation=_ALONG_X, translation=(side * span - (side > 0) * 0.012, 0, rod_z))
        parts.add(flange, rod_finish)
    drawn_aside = bool(rng.random() < 0.3)
    cover = rng.uniform(0.3, 0.55) if drawn_aside else 1.0
    left, right = -span + 0.03, -span + 0.03 + (2 * span - 0.06) * cover
    n_folds = int(np.clip(round((right - left) / rng.uniform(0.14, 0.22) / cover), 6, 14))
    fold_depth = rng.uniform(0.04, 0.07) / np.sqrt(cover)
    # Bands of the same folds, top to bottom: the plain sheet, then a contrasting pattern band if any.
    band = paint(rng, ("navy blue", "red", "black", "blue", "green", "orange", "dark grey", "pink", "teal", "purple"), "plastic")
    banded = bool(rng.random() < 0.5) and band.colour != sheet.colour
    cuts = [drop]
    if banded:
        band_top = drop * rng.uniform(0.2, 0.6)
        cuts += [band_top, band_top - rng.uniform(0.1, 0.25)]
    cuts.append(0.0)
    for k, (top, bottom) in enumerate(zip(cuts[:-1], cuts[1:])):
        outline = [(top, left, right), (bottom, left, right)]
        parts.add(_pleated_sheet(outline, n_folds, fold_depth, bow=bow, span=span, columns_per_fold=8), band if k == 1 else sheet)
    _rings(parts, rings, np.linspace(left, right, n_folds + 1), drop + ring_r, ring_r, bow=bow, span=span)
    pattern = f" with {article(band.colour)} pattern band" if banded else ""
    captions = (
        f"{article(sheet.full)} shower curtain{pattern} on {article('curved' if curved else 'straight')} rod",
        f"a waterproof curtain for a bath or shower hanging from {count(n_folds + 1, 'ring')}",
        f"a tall {sheet.colour} bath curtain " + ("pushed to one side of the rod" if drawn_aside else "drawn closed along the whole rod"),
        f"a {sheet.colour} plastic shower screen hanging in soft folds from {article(rod_finish.colour)} shower rod",
    )
    return BuiltShape(parts, captions)


@register_category("curtain", "Window curtains: one or two fabric panels with many vertical pleats hanging from rings or a rod pocket on a long pole with a bracket and a finial at each end, sill or floor length, drawn closed or open with a gap, sometimes tied back at the sides with a band.", source=nyu40_source("curtain"))
def build_curtain(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    fabric = paint(rng, ("white", "cream", "beige", "grey", "dark grey", "navy blue", "dark red", "dark green", "light blue",
                         "brown", "pink", "teal", "purple", "yellow"), "fabric")
    pole = metal(rng, ("silver", "gold", "black", "copper")) if rng.random() < 0.6 else wood(rng)
    half = rng.uniform(0.6, 1.3)  # half the length of the pole, a little wider than the window
    floor_length = bool(rng.random() < 0.55)
    drop = rng.uniform(2.0, 2.5) if floor_length else rng.uniform(1.1, 1.5)
    rings = bool(rng.random() < 0.6)
    pole_r = rng.uniform(0.012, 0.02)
    ring_r = pole_r + 0.015
    pole_z = drop + (2 * ring_r - pole_r if rings else 0.0)
    _horizontal_rod(parts, pole, half, pole_z, pole_r)
    ball = bool(rng.random() < 0.6)
    for side in (-1, 1):
        finial = sphere(0.035, segments=10, rings=6) if ball else cylinder(0.025, 0.1, top_radius=0.0, segments=10)
        parts.add(transform(finial, rotation=None if ball else rotation_y(side * np.pi / 2), translation=(side * (half + (0.03 if ball else 0.0)), 0, pole_z)), pole)
        parts.add(tube([(side * (half - 0.08), 0, pole_z), (side * (half - 0.08), 0.1, pole_z)], 0.008, segments=5), pole)
    n_panels = int(rng.choice([1, 2, 2, 2]))
    state = str(rng.choice(["closed", "open", "tied back"]))
    closed_w = (2 * half - 0.1) / n_panels
    # Drawn open, the cloth bunches up towards the ends of the pole; tied back, it still hangs from most of it.
    cover = {"closed": 1.0, "open": rng.uniform(0.3, 0.6), "tied back": rng.uniform(0.75, 1.0)}[state]
    panel_w = closed_w * cover
    n_folds = int(np.clip(round(closed_w / rng.uniform(0.08, 0.14)), 4, 12))
    fold_depth = rng.uniform(0.05, 0.09) / np.sqrt(cover)
    header = rng.uniform(0.06, 0.12) if rng.random() < 0.5 else 0.0
    tie = paint(rng, ("gold", "cream", "white", "brown", "dark red", "navy blue"), "fabric")
    tie_z = drop * rng.uniform(0.3, 0.45)
    for k in range(n_panels):
        left = -half + 0.05 if k == 0 else half - 0.05 - panel_w
        right = left + panel_w
        outline = [(drop, left, right), (0.0, left, right)]
        if state == "tied back":
            # Gathered towards its outer edge at the tie-back, then flaring out again below it.
            pinch, flare = panel_w * rng.uniform(0.2, 0.35), panel_w * rng.uniform(0.5, 0.8)
            outer, inward = (left, 1.0) if k == 0 else (right, -1.0)
            rows = [(tie_z, outer, outer + inward * pinch), (0.0, outer, outer + inward * flare)]
            outline = [(drop, left, right)] + [(z, min(a, b), max(a, b)) for z, a, b in rows]
            band_x = sorted((outer, outer + inward * pinch))
            band_y = -fold_depth * np.sqrt(panel_w / pinch) / 2 - 0.01
            parts.add(tube([(band_x[0], 0.0, tie_z), (band_x[0], band_y, tie_z), (band_x[1], band_y, tie_z), (band_x[1], 0.0, tie_z)], 0.012, segments=5), tie)
        parts.add(_pleated_sheet(outline, n_folds, fold_depth, header=header), fabric)
        if rings:
            _rings(parts, pole, np.linspace(left, right, n_folds + 1), drop + ring_r, ring_r)
    panels = "a single curtain panel" if n_panels == 1 else "a pair of curtains"
    state_words = {
        "closed": "drawn closed",
        "open": "drawn open to the sides" if n_panels == 2 else "pushed to one side",
        "tied back": f"tied back at the sides with {tie.colour} bands" if n_panels == 2 else f"tied back to one side with {article(tie.colour)} band",
    }[state]
    hanging = f"on {'rings on ' if rings else ''}a curtain pole with {'ball' if ball else 'pointed'} finials"
    captions = (
        f"{article(fabric.full)} window curtain, {'floor' if floor_length else 'sill'} length, {state_words}",
        f"{panels} hanging in pleats {hanging}",
        f"{count(n_panels, 'drape')} of {fabric.colour} cloth on {article(pole.full)} curtain rod",
        f"a {'long' if floor_length else 'short'} {fabric.colour} curtain for a window with {count(n_folds * n_panels, 'vertical fold')}",
    )
    return BuiltShape(parts, captions)


def _folded_towel(width: float, depth: float, thickness: float, x: float, y: float, z: float) -> np.ndarray:
    """A towel folded flat on z: a slab whose front edge is the rounded fold."""
    slab = box((width, depth - thickness / 2, thickness), (x, y + thickness / 4, z + thickness / 2))
    fold = transform(cylinder(thickness / 2, width, segments=10), rotation=_ALONG_X, translation=(x - width / 2, y - depth / 2 + thickness / 2, z + thickness / 2))
    return np.concatenate([slab, fold])


@register_category("towel", "Bath towel: a stack of 1-5 towels folded flat (rounded fold edges), a towel draped over a bar in a U (a floor-standing rail with two uprights and feet, or a wall bar on brackets) with soft folds and an optional stripe, or 1-3 rolled towels.", source=nyu40_source("towel"))
def build_towel(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    colours = ("white", "cream", "beige", "light blue", "navy blue", "grey", "pink", "teal", "yellow", "light green", "dark red", "purple")
    finish = paint(rng, colours, "fabric")
    kind = str(rng.choice(["folded", "hanging on a stand", "hanging on a wall bar", "rolled"]))
    if kind == "folded":
        n = int(rng.integers(1, 6))
        width, depth = rng.uniform(0.28, 0.4), rng.uniform(0.22, 0.3)
        mixed = n > 1 and rng.random() < 0.4
        second = paint(rng, colours, "fabric")
        mixed = mixed and second.colour != finish.colour
        z = 0.0
        for k in range(n):
            thickness = rng.uniform(0.03, 0.055)
            parts.add(_folded_towel(width, depth, thickness, rng.normal(0, 0.01), rng.normal(0, 0.01), z), second if mixed and k % 2 else finish)
            z += thickness
        pile = f"a stack of {count(n, 'folded towel')}" if n > 1 else "one folded towel"
        shade = f"{finish.colour} and {second.colour}" if mixed else finish.colour
        captions = (
            f"{pile}, {shade}, lying flat",
            f"{article(finish.full)} bath towel folded into a neat rectangle" + (" under the others" if n > 1 else ""),
            f"a pile of folded {shade} towels with rounded fold edges" if n > 1 else f"a folded {shade} hand towel with a rounded fold edge",
            f"a neat pile of {count(n, 'towel')} ready for the bathroom" if n > 1 else "a single soft towel folded flat, ready for the bathroom",
        )
        return BuiltShape(parts, captions)
    if kind == "rolled":
        n = int(rng.choice([1, 2, 3]))
        length, radius = rng.uniform(0.2, 0.34), rng.uniform(0.04, 0.07)
        roll = transform(cylinder(radius, length, segments=14), rotation=_ALONG_X, translation=(-length / 2, 0, 0))
        # Two rolls side by side with a third on top between them; the loose end lies as a short flap.
        centres = [(0.0, 0.0, radius)] if n == 1 else [(0.0, (k - 0.5) * 2 * radius, radius) for k in range(2)]
        if n == 3:
            centres.append((0.0, 0.0, radius * (1 + np.sqrt(3))))
        for centre in centres:
            parts.add(transform(roll, translation=centre), finish)
        flap = rng.uniform(0.03, 0.08)
        parts.add(box((length, flap, 0.008), (0, centres[0][1] - flap / 2, 0.004)), finish)
        captions = (
            f"{count(n, 'rolled towel')}, {finish.colour}" if n > 1 else f"a rolled {finish.colour} towel lying on its side",
            f"{article(finish.full)} towel rolled up into a {grade(radius, (0.055,), ('slim', 'thick'))} cylinder",
            "rolled bath towels stacked like a spa display" if n == 3 else "a towel rolled tightly, its loose end lying flat in front",
            f"a soft {finish.colour} towel roll for a bathroom",
        )
        return BuiltShape(parts, captions)
    rail = metal(rng, ("silver", "gold", "black", "white")) if rng.random() < 0.6 else wood(rng)
    bar_r = rng.uniform(0.01, 0.018)
    bar_half = rng.uniform(0.3, 0.45)
    bar_z = rng.uniform(0.8, 0.95) if kind == "hanging on a stand" else 0.0
    width = rng.uniform(0.4, 1.6 * bar_half)
    drops = [rng.uniform(0.3, 0.55), rng.uniform(0.3, 0.55)]
    if kind == "hanging on a stand":
        n_bars = int(rng.choice([1, 2]))
        for z in [bar_z] + ([bar_z * rng.uniform(0.4, 0.55)] if n_bars == 2 else []):
            _horizontal_rod(parts, rail, bar_half, z, bar_r)
        foot_d = rng.uniform(0.14, 0.22)
        for side in (-1, 1):
            x = side * bar_half
            parts.add(tube([(x, 0, 0.02), (x, 0, bar_z + 0.03)], bar_r * 1.2, segments=6), rail)
            parts.add(tube([(x, -foot_d, bar_r * 1.2), (x, foot_d, bar_r * 1.2)], bar_r * 1.2, segments=6), rail)
        holder = f"a free-standing towel rail with {count(n_bars, 'bar')}"
    else:
        for side in (-1, 1):
            x = side * (bar_half - 0.03)
            parts.add(tube([(x, 0, 0), (x, 0.07, 0)], bar_r, segments=6), rail)
            parts.add(transform(cylinder(0.03, 0.01, segments=10), rotation=rotation_x(-np.pi / 2), translation=(x, 0.07, 0)), rail)
        _horizontal_rod(parts, rail, bar_half, 0.0, bar_r)
        holder = "a towel bar on the wall"
    over = bar_r + 0.006
    theta = np.linspace(0.0, np.pi, 7)
    x_cols = np.linspace(-width / 2, width / 2, 6)
    fold_over = np.stack(np.broadcast_arrays(x_cols[None, :], over * np.cos(theta)[:, None], bar_z + over * np.sin(theta)[:, None]), axis=-1)
    parts.add(_grid_surface(fold_over), finish)
    striped = bool(rng.random() < 0.4)
    stripe = paint(rng, ("white", "navy blue", "red", "grey", "gold", "black"), "fabric")
    striped = striped and stripe.colour != finish.colour
    n_folds = int(rng.integers(2, 4))
    for side, drop in zip((-1, 1), drops):
        bottom = bar_z - drop
        cuts = [bar_z, bottom + 0.09, bottom + 0.06, bottom] if striped else [bar_z, bottom]
        for k, (top, low) in enumerate(zip(cuts[:-1], cuts[1:])):
            parts.add(_pleated_sheet([(top, -width / 2, width / 2), (low, -width / 2, width / 2)], n_folds, 0.015, y=side * over), stripe if k == 1 else finish)
    if kind == "hanging on a wall bar":
        posed(parts, translation=(0.0, 0.0, max(drops)))  # the lowest hem on z = 0
    stripe_words = f" with {article(stripe.colour)} stripe near the hem" if striped else ""
    captions = (
        f"{article(finish.full)} towel hanging over {holder}",
        f"a bath towel draped over a bar, hanging down on both sides{stripe_words}",
        f"a {grade(width, (0.5, 0.65), ('narrow', 'mid-sized', 'wide'))} {finish.colour} hand towel draped over {article(rail.full)} rail",
        f"a soft towel drying on {'a stand' if kind == 'hanging on a stand' else 'a bathroom wall rail'}, its ends hanging down",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
