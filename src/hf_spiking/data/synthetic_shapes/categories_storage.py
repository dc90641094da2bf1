"""Storage and kitchen furniture: dressers, night stands, shelves, counters, refrigerators and boxes (registered
after the bathroom categories); NYU40 classes, see ``categories.EXTENSION_MODULES``.

Front faces look along -y. The case furniture is told apart from cabinets, file cabinets and wardrobes by its
proportions and its front: a wide, waist-high grid of drawers (dresser), a small near-cube on legs (night stand), a
long, low run of doors and drawer stacks under a thick worktop with a recessed kick plate (counter), a tall
appliance box split into thick doors with long standing-off bar handles (refrigerator). Shelves are open frames with
nothing enclosing them (brackets, corner posts, leaning rails, a grid of cubbies), unlike the boxed bookshelf full of
books; boxes are small closed or open containers (cartons, lidded tubs, slatted crates).
"""

from __future__ import annotations

import numpy as np

from .categories import Assembly, BuiltShape, _corners, _legs, nyu40_source, register_category
from .categories_furniture import _cabinet_finish
from .finishes import Finish, article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, rod, rotation_x, rotation_y, rotation_z, transform
from .parts import add_placed, add_wheels, arc, bar_handle, open_box, rods, tapered_box, tube


class _Hardware:
    """Pulls and knobs on fronts facing -y, collected and then drawn with a few vectorised ``rods`` calls: drawn one
    at a time (as ``parts.bar_handle`` does, with the same sizes), they dominate a many-drawer builder's time."""

    def __init__(self) -> None:
        self.grips: list = []
        self.posts: list = []
        self.knobs: list = []

    def pull(self, center, length: float, vertical: bool, standoff: float = 0.02) -> None:
        center = np.asarray(center, dtype=np.float64)
        half = np.array([0.0, 0.0, length / 2] if vertical else [length / 2, 0.0, 0.0])
        out = np.array([0.0, -standoff, 0.0])
        self.grips.append((center - half + out, center + half + out))
        self.posts += [(center - half, center - half + out), (center + half, center + half + out)]

    def knob(self, center) -> None:
        center = np.asarray(center, dtype=np.float64)
        self.knobs.append((center, center + (0.0, -0.025, 0.0)))

    def draw(self, parts: Assembly, finish: Finish) -> None:
        for pairs, radius, top, segments in ((self.grips, 0.008, None, 8), (self.posts, 0.0064, None, 6), (self.knobs, 0.01, 0.018, 6)):
            if pairs:
                starts, ends = np.array(pairs).transpose(1, 0, 2)
                parts.add(rods(starts, ends, radius, top_radius=top, segments=segments), finish)


def _drawer_column(parts: Assembly, hardware: _Hardware, x: float, width: float, front: float, z0: float, z1: float,
                   n: int, finish: Finish, knobs: bool = False) -> None:
    """``n`` drawer fronts stacked from ``z0`` to ``z1`` on a face at y = ``front`` (as ``categories_furniture``
    draws them), each with a horizontal pull or with one round knob (two when wide)."""
    pitch = (z1 - z0) / n
    for k in range(n):
        z = z0 + pitch * (k + 0.5)
        parts.add(box((width - 0.02, 0.015, pitch - 0.015), (x, front - 0.0075, z)), finish)
        if not knobs:
            hardware.pull((x, front - 0.015, z), min(width * 0.4, 0.18), vertical=False)
        else:
            for dx in (-width / 4, width / 4) if width > 0.5 else (0.0,):
                hardware.knob((x + dx, front - 0.015, z))


def _door_row(parts: Assembly, hardware: _Hardware, x: float, width: float, front: float, z0: float, z1: float, n: int,
              finish: Finish) -> None:
    """``n`` side-by-side doors centred on ``x`` (as ``categories_furniture`` draws them), each with a vertical pull
    near the edge it opens at."""
    door_w = width / n
    for k in range(n):
        door_x = x - width / 2 + door_w * (k + 0.5)
        parts.add(box((door_w - 0.01, 0.018, z1 - z0), (door_x, front - 0.009, (z0 + z1) / 2)), finish)
        edge = 1.0 if k < n // 2 else -1.0
        hardware.pull((door_x + edge * (door_w / 2 - 0.05), front - 0.018, (z0 + z1) / 2 + (z1 - z0) * 0.1), min((z1 - z0) * 0.3, 0.5), vertical=True)


def _furniture_legs(parts: Assembly, rng: np.random.Generator, width: float, depth: float, height: float, finish: Finish) -> str:
    """Four short legs under a case, tapered round or square; returns how a caption names them."""
    corners = _corners(width / 2 - 0.035, depth / 2 - 0.035)
    if rng.random() < 0.5:
        for x, y in corners:
            parts.add(rod((x, y, height), (x, y, 0.0), 0.022, top_radius=0.013, segments=8), finish)
        return "four tapered legs"
    _legs(parts, corners, height, 0.04, finish, True)
    return "four square legs"


@register_category("dresser", "Chest of drawers: a waist-high case wider than tall with a grid of 2-3 columns by 2-4 rows of drawers (or small top drawers over full-width ones), or a tall narrow chest of 4-6 drawers; pulls or knobs, an overhanging top, a plinth or short legs and sometimes a framed mirror standing on top.", source=nyu40_source("dresser"))
def build_dresser(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "gold", "black", "copper"))
    knobs = bool(rng.random() < 0.45)
    tall = bool(rng.random() < 0.35)
    width, height = (rng.uniform(0.7, 1.0), rng.uniform(1.1, 1.45)) if tall else (rng.uniform(1.0, 1.8), rng.uniform(0.75, 1.0))
    depth = rng.uniform(0.42, 0.55)
    legs = bool(rng.random() < 0.4)
    if legs:
        base = rng.uniform(0.1, 0.18)
        stand = _furniture_legs(parts, rng, width, depth, base, finish)
    else:
        base = rng.uniform(0.05, 0.1)
        parts.add(box((width - 0.04, depth - 0.04, base), (0, 0.01, base / 2)), finish)
        stand = "a plinth"
    top_t = rng.uniform(0.02, 0.035)
    body_top = height - top_t
    parts.add(box((width, depth, body_top - base), (0, 0, (base + body_top) / 2)), finish)
    parts.add(box((width + 0.03, depth + 0.02, top_t), (0, 0, height - top_t / 2)), finish)
    z0, z1, front = base + 0.015, body_top - 0.015, -depth / 2
    hardware = _Hardware()
    if tall:
        rows = int(rng.integers(4, 7))
        split_top = bool(rng.random() < 0.5)  # the top row as two small side-by-side drawers
        pitch = (z1 - z0) / rows
        _drawer_column(parts, hardware, 0.0, width, front, z0, z1 - pitch * split_top, rows - split_top, finish, knobs)
        if split_top:
            for side in (-1, 1):
                _drawer_column(parts, hardware, side * width / 4, width / 2, front, z1 - pitch, z1, 1, finish, knobs)
        n_drawers = rows + split_top
    else:
        columns = 2 if width < 1.3 else int(rng.choice([2, 3]))
        rows = int(rng.integers(2, 5))
        wide_below = bool(rng.random() < 0.4)  # a row of small drawers over full-width ones
        pitch = (z1 - z0) / rows
        if wide_below:
            _drawer_column(parts, hardware, 0.0, width, front, z0, z1 - pitch, rows - 1, finish, knobs)
            for k in range(columns):
                _drawer_column(parts, hardware, -width / 2 + width / columns * (k + 0.5), width / columns, front, z1 - pitch, z1, 1, finish, knobs)
            n_drawers = columns + rows - 1
        else:
            for k in range(columns):
                _drawer_column(parts, hardware, -width / 2 + width / columns * (k + 0.5), width / columns, front, z0, z1, rows, finish, knobs)
            n_drawers = columns * rows
    hardware.draw(parts, handle)
    mirror = not tall and bool(rng.random() < 0.35)
    if mirror:
        mirror_w, mirror_h = width * rng.uniform(0.5, 0.8), rng.uniform(0.6, 0.9)
        y = depth / 2 - 0.04
        parts.add(box((mirror_w, 0.025, mirror_h), (0, y, height + mirror_h / 2)), finish)
        parts.add(box((mirror_w - 0.08, 0.006, mirror_h - 0.08), (0, y - 0.015, height + mirror_h / 2)), fixed("silver", rng, "glass"))
    pulls = "knobs" if knobs else "pull handles"
    if tall:
        shape = f"a tall narrow {finish.short} chest of drawers in {count(rows, 'row')}"
    else:
        shape = f"a low {grade(width, (1.25, 1.55), ('compact', 'wide', 'long'))} dresser" + (" with a framed mirror on top" if mirror else " with a flat top")
    captions = (
        f"{article(finish.full)} dresser with {count(n_drawers, 'drawer')}",
        f"a chest of drawers on {stand} with {handle.colour} {pulls}",
        shape,
        f"{article(finish.colour)} bedroom bureau for storing folded clothes",
    )
    return BuiltShape(parts, captions)


@register_category("night stand", "Small bedside table (about 0.45-0.7 m high and 0.4-0.6 m wide): a near-cubic case on tapered or square legs or a plinth, its front two or three drawers, one drawer over an open shelf (boxed cubby or open legs with a low shelf) or one drawer over a door.", source=nyu40_source("night stand"))
def build_night_stand(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "gold", "black", "copper"))
    knobs = bool(rng.random() < 0.5)
    width, depth, height = rng.uniform(0.4, 0.6), rng.uniform(0.33, 0.45), rng.uniform(0.45, 0.68)
    kind = str(rng.choice(["drawers", "shelf", "door"]))
    legs = bool(rng.random() < 0.6)
    top_t = rng.uniform(0.02, 0.03)
    body_top = height - top_t
    front = -depth / 2
    parts.add(box((width + 0.02, depth + 0.02, top_t), (0, 0, height - top_t / 2)), finish)
    drawer_h = rng.uniform(0.12, 0.18)
    z_drawer = body_top - drawer_h
    n_drawers = 1
    hardware = _Hardware()
    if kind == "shelf" and legs and rng.random() < 0.5:
        # A drawer box on four long legs, with an open shelf between the legs near the floor.
        stand = _furniture_legs(parts, rng, width, depth, z_drawer, finish).replace("four", "four long")
        parts.add(box((width, depth, drawer_h), (0, 0, z_drawer + drawer_h / 2)), finish)
        parts.add(box((width - 0.03, depth - 0.03, 0.02), (0, 0, rng.uniform(0.08, 0.16))), finish)
    else:
        if legs:
            base = rng.uniform(0.1, 0.2)
            stand = _furniture_legs(parts, rng, width, depth, base, finish)
        else:
            base = rng.uniform(0.03, 0.06)
            parts.add(box((width - 0.04, depth - 0.04, base), (0, 0.01, base / 2)), finish)
            stand = "a low plinth"
        if kind == "shelf":
            board = 0.018
            parts.add(box((width, depth, drawer_h), (0, 0, z_drawer + drawer_h / 2)), finish)
            for x in (-width / 2 + board / 2, width / 2 - board / 2):
                parts.add(box((board, depth, z_drawer - base), (x, 0, (base + z_drawer) / 2)), finish)
            parts.add(box((width, board, z_drawer - base), (0, depth / 2 - board / 2, (base + z_drawer) / 2)), finish)
            parts.add(box((width, depth, board), (0, 0, base + board / 2)), finish)
        else:
            parts.add(box((width, depth, body_top - base), (0, 0, (base + body_top) / 2)), finish)
        if kind == "drawers":
            n_drawers = int(rng.integers(2, 4))
            z_drawer = base + 0.01
        elif kind == "door":
            door_z = (base + z_drawer) / 2
            parts.add(box((width - 0.02, 0.018, z_drawer - base - 0.02), (0, front - 0.009, door_z)), finish)
            edge = float(rng.choice([-1, 1])) * (width / 2 - 0.05)
            if knobs:
                hardware.knob((edge, front - 0.018, door_z))
            else:
                hardware.pull((edge, front - 0.018, door_z), (z_drawer - base) * 0.4, vertical=True)
    _drawer_column(parts, hardware, 0.0, width, front, z_drawer + 0.005, body_top - 0.005, n_drawers, finish, knobs)
    hardware.draw(parts, handle)
    layout = {"drawers": count(n_drawers, "drawer"), "shelf": "a drawer over an open shelf", "door": "a drawer above a small door"}[kind]
    captions = (
        f"{article(finish.full)} night stand with {layout}",
        f"a small bedside table on {stand}",
        f"a {grade(height, (0.52, 0.6), ('low', 'medium height', 'tall'))} {finish.colour} nightstand with {handle.colour} {'knobs' if knobs else 'pulls'}",
        f"a compact bedside cabinet to keep beside a bed, with a flat {finish.short} top",
    )
    return BuiltShape(parts, captions)


def _shelf_items(parts: Assembly, rng: np.random.Generator, xs: tuple[float, float], depth: float, levels) -> int:
    """A few jars and small boxes standing on some of the shelf ``levels`` (heights of their top faces); returns how
    many were placed."""
    placed = 0
    for z in levels:
        for _ in range(int(rng.integers(0, 3))):
            x = rng.uniform(xs[0] + 0.08, xs[1] - 0.08)
            colour = paint(rng, ("white", "red", "blue", "green", "yellow", "beige", "brown", "grey", "black"))
            if rng.random() < 0.5:
                radius = rng.uniform(0.03, 0.05)
                parts.add(transform(cylinder(radius, rng.uniform(0.08, 0.18), segments=10), translation=(x, 0, z)), colour)
            else:
                size = (rng.uniform(0.08, 0.18), depth * rng.uniform(0.5, 0.8), rng.uniform(0.06, 0.16))
                parts.add(box(size, (x, 0, z + size[2] / 2)), colour)
            placed += 1
    return placed


def _wall_shelves(parts: Assembly, rng: np.random.Generator) -> tuple[str, ...]:
    """1-4 planks above one another on L brackets, or on arms hooked into two upright wall rails."""
    finish = wood(rng) if rng.random() < 0.65 else paint(rng, ("white", "black", "grey"), "painted")
    bracket = metal(rng, ("black", "silver", "gold", "grey"))
    n_planks = int(rng.choice([1, 2, 2, 3, 3, 4]))
    length, depth = rng.uniform(0.6, 1.2), rng.uniform(0.18, 0.28)
    plank_t, gap = rng.uniform(0.02, 0.04), rng.uniform(0.25, 0.4)
    drop = rng.uniform(0.12, 0.18)  # how far a bracket reaches down the wall below its plank
    rails = bool(rng.random() < 0.35)
    back = depth / 2
    xs = [side * (length / 2 - rng.uniform(0.1, 0.2)) for side in (-1, 1)]
    levels = [drop + k * gap for k in range(n_planks)]
    for z in levels:
        parts.add(box((length, depth, plank_t), (0, 0, z + plank_t / 2)), finish)
        for x in xs:
            parts.add(box((0.025, depth * 0.85, 0.008), (x, back - depth * 0.425, z - 0.004)), bracket)
            if not rails:
                parts.add(box((0.025, 0.008, drop), (x, back - 0.004, z - drop / 2)), bracket)
                parts.add(rod((x, back - 0.008, z - drop * 0.85), (x, back - depth * 0.6, z - 0.008), 0.005, segments=4), bracket)
    if rails:
        top = levels[-1] + plank_t + 0.08
        for x in xs:
            parts.add(box((0.025, 0.015, top), (x, back - 0.0075, top / 2)), bracket)
    n_items = _shelf_items(parts, rng, (-length / 2, length / 2), depth, [z + plank_t for z in levels]) if rng.random() < 0.5 else 0
    return (
        f"{article(finish.full)} set of wall shelves with {count(n_planks, 'plank')}",
        f"wall shelves held up by {bracket.colour} metal brackets" + (" hooked into two upright wall rails" if rails else ""),
        f"{'a single wall-mounted shelf' if n_planks == 1 else 'wall-mounted shelves one above another'}"
        + (f" with {count(n_items, 'small item')} standing on {'it' if n_planks == 1 else 'them'}" if n_items else ", empty"),
        f"{article(grade(length, (0.8, 1.0), ('short', 'medium', 'long')))} {finish.short} shelf mounted on a wall",
    )


def _utility_shelving(parts: Assembly, rng: np.random.Generator) -> tuple[str, ...]:
    """A freestanding metal unit: four corner posts through 3-5 wire or sheet shelves, sometimes on casters."""
    steel = metal(rng, ("silver", "silver", "black", "grey", "white"))
    width, depth, height = rng.uniform(0.75, 1.2), rng.uniform(0.35, 0.6), rng.uniform(1.4, 2.0)
    n_shelves = int(rng.integers(3, 6))
    post = rng.uniform(0.025, 0.035)
    casters = bool(rng.random() < 0.3)
    lift = 0.09 if casters else 0.0
    if casters:
        add_wheels(parts, rng, _corners(width / 2 - post, depth / 2 - post), 0.04, 0.025)
        for x, y in _corners(width / 2 - post, depth / 2 - post):
            parts.add(box((0.03, 0.04, lift - 0.07), (x, y, 0.07 + (lift - 0.07) / 2)), steel)
    round_posts = bool(rng.random() < 0.5)
    for x, y in _corners(width / 2 - post / 2, depth / 2 - post / 2):
        if round_posts:
            parts.add(transform(cylinder(post / 2, height, segments=8), translation=(x, y, lift)), steel)
        else:
            parts.add(box((post, post, height), (x, y, lift + height / 2)), steel)
    wire = bool(rng.random() < 0.5)
    levels = lift + np.linspace(rng.uniform(0.1, 0.2), height - 0.02, n_shelves)
    for z in levels:
        for y in (-depth / 2 + 0.006, depth / 2 - 0.006):
            parts.add(box((width, 0.012, 0.03), (0, y, z - 0.015)), steel)
        if wire:
            for x in (-width / 2 + 0.006, width / 2 - 0.006):
                parts.add(box((0.012, depth, 0.03), (x, 0, z - 0.015)), steel)
            for x in np.linspace(-width / 2, width / 2, int(width / 0.09) + 1)[1:-1]:
                parts.add(box((0.006, depth, 0.006), (x, 0, z - 0.003)), steel)
        else:
            parts.add(box((width, depth, 0.008), (0, 0, z - 0.004)), steel)
    n_items = _shelf_items(parts, rng, (-width / 2, width / 2), depth, levels) if rng.random() < 0.5 else 0
    return (
        f"{article(steel.full)} shelving unit with {count(n_shelves, 'shelf', 'shelves')} on four corner posts",
        f"free-standing {'wire' if wire else 'solid metal'} shelves" + (" on four casters" if casters else " for a garage or storeroom"),
        f"{'an empty' if not n_items else 'a'} {grade(height, (1.6, 1.8), ('medium', 'tall', 'very tall'))} {steel.colour} metal rack"
        + (f" holding {count(n_items, 'box or jar', 'boxes and jars')}" if n_items else " with open sides"),
        f"industrial storage shelves with {'round' if round_posts else 'square'} metal uprights",
    )


def _ladder_shelf(parts: Assembly, rng: np.random.Generator) -> tuple[str, ...]:
    """Two side rails leaning back to the wall (alone, or as A-frames with an upright back rail) carrying 3-5
    shelves that get shallower toward the top."""
    finish = wood(rng) if rng.random() < 0.6 else paint(rng, ("white", "black", "grey"), "painted")
    height, width, foot = rng.uniform(1.4, 1.9), rng.uniform(0.45, 0.8), rng.uniform(0.4, 0.55)
    n_shelves = int(rng.integers(3, 6))
    a_frame = bool(rng.random() < 0.5)
    rail = rng.uniform(0.03, 0.045)
    back = foot / 2
    for x in (-width / 2 + rail / 2, width / 2 - rail / 2):
        parts.add(rod((x, -foot / 2, rail / 2), (x, back, height), rail / 2, segments=4), finish)  # cap clear of the floor
        if a_frame:
            parts.add(box((rail, rail, height), (x, back - rail / 2, height / 2)), finish)
    for z in np.linspace(rng.uniform(0.08, 0.2), height * rng.uniform(0.68, 0.75), n_shelves):
        rail_y = -foot / 2 + foot * z / height  # where the leaning rails are at this height
        parts.add(box((width - 0.01, back - rail_y + 0.02, 0.02), (0, (rail_y + back) / 2 - 0.01, z)), finish)
    return (
        f"{article(finish.full)} ladder shelf with {count(n_shelves, 'shelf', 'shelves')}",
        "leaning ladder-style shelves, deeper at the bottom and narrower toward the top",
        f"{finish.colour} shelves between two {'A-frame' if a_frame else 'leaning'} side rails",
        f"a tall {grade(width, (0.55, 0.7), ('narrow', 'medium', 'wide'))} open shelving unit that leans against a wall",
    )


def _cube_shelves(parts: Assembly, rng: np.random.Generator) -> tuple[str, ...]:
    """A grid of 2x2 to 4x4 equal square cubbies, some holding a fabric storage bin."""
    finish = wood(rng) if rng.random() < 0.5 else paint(rng, ("white", "white", "black", "grey"), "painted")
    rows, columns = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    cell, depth, board = rng.uniform(0.3, 0.38), rng.uniform(0.28, 0.39), rng.uniform(0.015, 0.03)
    width, height = columns * cell + board, rows * cell + board
    feet = bool(rng.random() < 0.3)
    lift = rng.uniform(0.05, 0.12) if feet else 0.0
    if feet:
        _legs(parts, _corners(width / 2 - 0.03, depth / 2 - 0.03), lift, 0.04, finish, False)
    for k in range(columns + 1):
        parts.add(box((board, depth, height), (-width / 2 + board / 2 + k * cell, 0, lift + height / 2)), finish)
    for k in range(rows + 1):
        parts.add(box((width, depth, board), (0, 0, lift + board / 2 + k * cell)), finish)
    backed = bool(rng.random() < 0.35)
    if backed:
        parts.add(box((width, 0.006, height), (0, depth / 2 - 0.003, lift + height / 2)), finish)
    fill = rng.uniform(0.0, 0.6)
    n_bins = 0
    bin_finish = paint(rng, ("grey", "beige", "navy blue", "white", "black", "teal", "pink", "dark grey"), "fabric")
    for row in range(rows):
        for column in range(columns):
            if rng.random() < fill:
                inner = cell - board
                x = -width / 2 + board + inner / 2 + column * cell
                z = lift + board + row * cell + inner * 0.43
                parts.add(box((inner - 0.02, depth * 0.9, inner * 0.86), (x, -depth * 0.04, z)), bin_finish)
                n_bins += 1
    bins = f"{count(n_bins, bin_finish.colour + ' fabric bin')} in some of them" if n_bins else "all of them open"
    return (
        f"{article(finish.full)} cube storage unit of {count(rows * columns, 'square cubby', 'square cubbies')}",
        f"cube shelves in {count(rows, 'row')} of {count(columns, 'cubby', 'cubbies')}, {bins}",
        f"a grid of open shelves {'with a back panel' if backed else 'open at the back'}" + (" on short feet" if feet else ""),
        f"{article(finish.colour)} cubby shelving unit with vertical and horizontal dividers",
    )


@register_category("shelves", "Open shelving without an enclosing case: 1-4 wall planks on L brackets or wall rails, a freestanding metal unit of four corner posts through 3-5 wire or sheet shelves (maybe on casters), a leaning ladder shelf whose shelves shrink toward the top, or a 2x2-4x4 grid of cube cubbies with fabric bins; some hold jars and boxes.", source=nyu40_source("shelves"))
def build_shelves(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = rng.choice(4, p=[0.3, 0.25, 0.2, 0.25])
    captions = (_wall_shelves, _utility_shelving, _ladder_shelf, _cube_shelves)[kind](parts, rng)
    return BuiltShape(parts, captions)


def _base_run(rng: np.random.Generator, length: float, depth: float, height: float, finish: Finish, handle: Finish,
              sink_x: float | None = None) -> tuple[Assembly, int, int]:
    """A straight run of base cabinets ``height`` high along x, centred on the origin and facing -y: an open-topped
    carcase over a recessed kick plate, its front split into units of doors (under the sink at ``sink_x``) or drawer
    stacks; returns it with its door and drawer counts."""
    run = Assembly()
    kick, recess = rng.uniform(0.08, 0.12), rng.uniform(0.05, 0.08)
    run.add(box((length, depth - recess, kick), (0, recess / 2, kick / 2)), finish)
    run.add(open_box((length, depth, height - kick), 0.018, (0, 0, kick + (height - kick) / 2)), finish)
    n_units = max(1, round(length / rng.uniform(0.45, 0.65)))
    unit_w = length / n_units
    front, z0, z1 = -depth / 2, kick + 0.01, height - 0.01
    sink_unit = -1 if sink_x is None else min(int((sink_x + length / 2) // unit_w), n_units - 1)
    n_doors = n_drawers = 0
    hardware = _Hardware()
    for k in range(n_units):
        x = -length / 2 + unit_w * (k + 0.5)
        if k != sink_unit and rng.random() < 0.3:
            stack = int(rng.integers(3, 5))
            _drawer_column(run, hardware, x, unit_w, front, z0, z1, stack, finish)
            n_drawers += stack
            continue
        pair = 2 if unit_w > 0.7 else 1
        top_drawer = k != sink_unit and bool(rng.random() < 0.5)
        door_top = z1 - 0.16 * top_drawer
        _door_row(run, hardware, x, unit_w, front, z0, door_top, pair, finish)
        n_doors += pair
        if top_drawer:
            _drawer_column(run, hardware, x, unit_w, front, door_top + 0.005, z1, 1, finish)
            n_drawers += 1
    hardware.draw(run, handle)
    return run, n_doors, n_drawers


@register_category("counter", "Kitchen counter run about 0.9 m high, 0.6 m deep and 1.4-3 m long: a thick worktop over base cabinets with doors and drawer stacks and a recessed kick plate; optionally L-shaped, with a breakfast-bar overhang at the back, a backsplash, or a sunken sink with a gooseneck tap.", source=nyu40_source("counter"))
def build_counter(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    cabinet = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "black", "gold"))
    worktop_style = rng.random()
    if worktop_style < 0.3:
        worktop = wood(rng)
    elif worktop_style < 0.85:
        worktop = paint(rng, ("white", "black", "grey", "dark grey", "beige", "cream"))
    else:
        worktop = fixed("silver", rng, "stainless steel")
    length, depth, height = rng.uniform(1.4, 3.0), rng.uniform(0.58, 0.65), rng.uniform(0.88, 0.94)
    top_t, overhang = rng.uniform(0.03, 0.05), 0.025
    under = height - top_t
    sink = bool(rng.random() < 0.45)
    sink_x = rng.uniform(-length / 2 + 0.4, length / 2 - 0.4) if sink else None
    run, n_doors, n_drawers = _base_run(rng, length, depth, under, cabinet, handle, sink_x)
    add_placed(parts, zip(run.triangles, run.finishes))
    l_shape = bool(rng.random() < 0.3)
    bar = not l_shape and bool(rng.random() < 0.3)
    y0, y1 = -depth / 2 - overhang, depth / 2 + (rng.uniform(0.25, 0.35) if bar else 0.0)

    def slab(x0: float, x1: float, ya: float, yb: float) -> None:
        parts.add(box((x1 - x0, yb - ya, top_t), ((x0 + x1) / 2, (ya + yb) / 2, height - top_t / 2)), worktop)

    if sink:
        # The worktop is laid around a hole so that the basin below it is a real recess.
        sink_w, sink_d, sink_h = rng.uniform(0.45, 0.6), rng.uniform(0.34, 0.42), rng.uniform(0.16, 0.2)
        sink_y = -0.02
        hx0, hx1, hy0, hy1 = sink_x - sink_w / 2, sink_x + sink_w / 2, sink_y - sink_d / 2, sink_y + sink_d / 2
        slab(-length / 2, hx0, y0, y1)
        slab(hx1, length / 2, y0, y1)
        slab(hx0, hx1, y0, hy0)
        slab(hx0, hx1, hy1, y1)
        steel = fixed("silver", rng, "stainless steel")
        parts.add(open_box((sink_w, sink_d, sink_h), 0.01, (sink_x, sink_y, height - sink_h / 2)), steel)
        tap_y, rise, reach = hy1 + 0.05, rng.uniform(0.12, 0.25), rng.uniform(0.08, 0.12)
        spout = arc((sink_x, tap_y - reach, height + rise), reach, 0.0, np.pi, 8, plane="yz")
        parts.add(tube(np.concatenate([[(sink_x, tap_y, height)], spout, [spout[-1] - (0, 0, 0.05)]]), 0.012, segments=6), steel)
    else:
        slab(-length / 2, length / 2, y0, y1)
    total = length
    if l_shape:
        side = float(rng.choice([-1, 1]))
        extra = rng.uniform(0.7, 1.4)  # how far the return reaches out from the main run's front
        ret, doors, drawers = _base_run(rng, extra, depth, under, cabinet, handle)
        add_placed(parts, zip(ret.triangles, ret.finishes), rotation=rotation_z(-side * np.pi / 2), translation=(side * (length - depth) / 2, -depth / 2 - extra / 2, 0))
        inner = side * (length / 2 - depth - overhang)
        slab(min(inner, side * length / 2), max(inner, side * length / 2), -depth / 2 - extra, y0)
        n_doors, n_drawers, total = n_doors + doors, n_drawers + drawers, length + extra
    splash = not bar and bool(rng.random() < 0.5)
    if splash:
        splash_h = rng.uniform(0.08, 0.15)
        parts.add(box((length, 0.015, splash_h), (0, depth / 2 - 0.0075, height + splash_h / 2)), worktop)
    fronts = " and ".join(count(n, noun) for n, noun in ((n_doors, "door"), (n_drawers, "drawer")) if n)
    features = [words for flag, words in ((sink, "a sunken sink and a tap"), (bar, "a breakfast bar overhang at the back"),
                                          (splash, "a low backsplash")) if flag]
    captions = (
        f"a kitchen counter with {fronts} under {article(worktop.full)} worktop",
        f"a {grade(total, (1.7, 2.4), ('short', 'medium length', 'long'))} run of {cabinet.full} base cabinets with {handle.colour} handles",
        ("a corner kitchen countertop, L-shaped" if l_shape else "a straight kitchen countertop")
        + (f"{',' if l_shape else ''} with {' and '.join(features)}" if features else ""),
        "a waist-high kitchen worktop on cupboards with a recessed kick plate along the floor",
    )
    return BuiltShape(parts, captions)


@register_category("refrigerator", "Fridge freezer: a tall appliance box (1.65-1.9 m) over a dark kick grille, its front split into thick doors with long standing-off bar handles: freezer on top, freezer drawer at the bottom, side-by-side doors or French doors over drawers, maybe a dispenser panel; or a small one-door mini fridge on feet.", source=nyu40_source("refrigerator"))
def build_refrigerator(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["top freezer", "bottom freezer", "side-by-side", "French door", "mini"], p=[0.25, 0.2, 0.2, 0.2, 0.15]))
    mini = kind == "mini"
    colours = ("white", "black", "silver", "red", "light blue", "cream") if mini else ("white", "white", "silver", "silver", "black", "grey", "cream")
    colour = str(rng.choice(colours))
    body = fixed(colour, rng, "stainless steel" if colour == "silver" else "metal")
    handle = body if rng.random() < 0.3 else metal(rng, ("silver", "black", "grey"))
    if mini:
        width, depth, height = rng.uniform(0.44, 0.52), rng.uniform(0.45, 0.55), rng.uniform(0.65, 0.9)
    else:
        wide = kind in ("side-by-side", "French door")
        width, depth, height = rng.uniform(0.83, 0.95) if wide else rng.uniform(0.55, 0.75), rng.uniform(0.65, 0.78), rng.uniform(1.65, 1.9)
    door_t = 0.035 if mini else 0.05
    dark = fixed("black", rng, "plastic")
    if mini:
        base = rng.uniform(0.02, 0.04)
        for x, y in _corners(width / 2 - 0.04, depth / 2 - 0.05):
            parts.add(transform(cylinder(0.018, base, segments=8), translation=(x, y, 0)), dark)
    else:
        base = rng.uniform(0.05, 0.1)
        parts.add(box((width - 0.02, depth - door_t - 0.04, base), (0, door_t / 2 + 0.02, base / 2)), body)
        parts.add(box((width - 0.08, 0.01, base * 0.7), (0, -depth / 2 + door_t + 0.015, base / 2)), dark)
    parts.add(box((width, depth - door_t, height - base), (0, door_t / 2, (base + height) / 2)), body)
    front = -depth / 2

    def door(x: float, w: float, z0: float, z1: float) -> None:
        parts.add(box((w - 0.008, door_t, z1 - z0 - 0.008), (x, front + door_t / 2, (z0 + z1) / 2)), body)

    def pull(x: float, z: float, length: float, vertical: bool = True) -> None:
        parts.add(bar_handle((x, front, z), length, vertical=vertical, standoff=0.04, radius=0.012), handle)

    edge = float(rng.choice([-1, 1])) * (width / 2 - 0.05)
    n_doors, n_drawers, n_handles = 1, 0, 1
    dispenser = False
    if kind == "top freezer":
        split = base + (height - base) * rng.uniform(0.66, 0.74)
        door(0, width, base, split)
        door(0, width, split, height)
        pull(edge, split + 0.15, 0.2)
        pull(edge, split - 0.35, rng.uniform(0.4, 0.6))
        n_doors, n_handles = 2, 2
    elif kind == "bottom freezer":
        split = base + (height - base) * rng.uniform(0.3, 0.36)
        door(0, width, split, height)
        door(0, width, base, split)
        pull(edge, split + 0.45, rng.uniform(0.5, 0.7))
        pull(0, split - 0.08, width * 0.6, vertical=False)
        n_drawers, n_handles = 1, 2
    elif kind == "side-by-side":
        meet = -width / 2 + width * rng.uniform(0.42, 0.48)
        door((meet - width / 2) / 2, meet + width / 2, base, height)
        door((meet + width / 2) / 2, width / 2 - meet, base, height)
        for x in (meet - 0.04, meet + 0.04):
            pull(x, height * 0.6, rng.uniform(0.6, 0.9))
        n_doors, n_handles = 2, 2
        dispenser = bool(rng.random() < 0.6)
        panel_x = (meet - width / 2) / 2
    elif kind == "French door":
        split = base + (height - base) * rng.uniform(0.3, 0.38)
        for side in (-1, 1):
            door(side * width / 4, width / 2, split, height)
            pull(side * 0.04, split + 0.45, rng.uniform(0.5, 0.8))
        n_drawers = int(rng.choice([1, 1, 2]))
        pitch = (split - base) / n_drawers
        for k in range(n_drawers):
            door(0, width, base + k * pitch, base + (k + 1) * pitch)
            pull(0, base + (k + 1) * pitch - 0.06, width * 0.6, vertical=False)
        n_doors, n_handles = 2, 2 + n_drawers
        dispenser = bool(rng.random() < 0.5)
        panel_x = -width / 4
    else:
        door(0, width, base, height)
        pull(edge, height - min(0.15, height * 0.25), min(0.25, height * 0.3))
    if dispenser:
        parts.add(box((0.17, 0.012, 0.28), (panel_x, front - 0.006, height * 0.6)), dark)
    layout = {
        "top freezer": "the freezer door on top",
        "bottom freezer": "a freezer drawer at the bottom",
        "side-by-side": "tall fridge and freezer doors side by side",
        "French door": f"two French doors over {count(n_drawers, 'freezer drawer')}",
        "mini": "a single door",
    }[kind]
    handles = f"{handle.colour} bar handle" if n_handles == 1 else f"{count(n_handles, handle.colour + ' bar handle')}"
    captions = (
        f"{article(body.full)} refrigerator with {layout}",
        f"a mini fridge with {article(handles)}, small enough to fit under a counter" if mini
        else f"a tall {body.colour} fridge freezer with {handles}",
        "a kitchen fridge with a water and ice dispenser in its door" if dispenser
        else "a small fridge for keeping drinks cold" if mini
        else f"{article(grade(height, (1.75,), ('standard', 'tall')))} kitchen fridge for keeping food and drinks cold",
        f"{article('compact' if mini else kind.replace(' freezer', '-freezer'))} refrigerator, a box-shaped kitchen appliance with {count(n_doors, 'door')}"
        + (f" and {count(n_drawers, 'drawer')}" if n_drawers else ""),
    )
    return BuiltShape(parts, captions)


def _carton(parts: Assembly, rng: np.random.Generator, size: tuple[float, float, float]) -> tuple[str, ...]:
    """A closed cardboard box, its top seam taped along its length and down both ends, maybe with a label."""
    length, width, height = size
    cardboard = paint(rng, ("brown", "brown", "beige"))
    tape = paint(rng, ("beige", "brown", "white"), "plastic")
    parts.add(box(size, (0, 0, height / 2)), cardboard)
    tape_w = rng.uniform(0.048, 0.06)
    parts.add(box((length + 0.004, tape_w, 0.002), (0, 0, height + 0.001)), tape)
    for x in (-length / 2 - 0.001, length / 2 + 0.001):
        parts.add(box((0.002, tape_w, height * 0.3), (x, 0, height * 0.85)), tape)
    label = bool(rng.random() < 0.4)
    if label:
        parts.add(box((min(0.15, length * 0.4), min(0.1, width * 0.3), 0.002), (0, width / 4, height + 0.001)), fixed("white", rng, "paper"))
    return (
        f"a closed cardboard box sealed with {tape.colour} packing tape",
        f"a {grade(length, (0.35, 0.5), ('small', 'medium', 'large'))} {cardboard.colour} shipping carton",
        "a taped-up parcel ready to be mailed" + (" with a white label on top" if label else ""),
        "a sealed corrugated box, a plain rectangular carton",
    )


def _open_carton(parts: Assembly, rng: np.random.Generator, size: tuple[float, float, float]) -> tuple[str, ...]:
    """An open cardboard box with its four top flaps standing up and splayed outward."""
    length, width, height = size
    cardboard = paint(rng, ("brown", "brown", "beige"))
    wall = 0.006
    parts.add(open_box(size, wall, (0, 0, height / 2)), cardboard)
    flap = width / 2 * rng.uniform(0.9, 1.0)
    # Each flap is drawn upright about the origin, then tipped outward about its hinge on the top edge.
    for rotation, hinge, extent in (
        (rotation_x(rng.uniform(0.2, 1.2)), (0, -width / 2 + wall / 2, height), (length, wall, flap)),
        (rotation_x(-rng.uniform(0.2, 1.2)), (0, width / 2 - wall / 2, height), (length, wall, flap)),
        (rotation_y(-rng.uniform(0.2, 1.2)), (-length / 2 + wall / 2, 0, height), (wall, width, flap)),
        (rotation_y(rng.uniform(0.2, 1.2)), (length / 2 - wall / 2, 0, height), (wall, width, flap)),
    ):
        parts.add(transform(box(extent, (0, 0, flap / 2)), rotation=rotation, translation=hinge), cardboard)
    return (
        "an open cardboard box with its four flaps folded up",
        f"an empty {cardboard.colour} carton, open at the top",
        "a moving box with the top flaps sticking out",
        f"an unsealed {grade(length, (0.35, 0.5), ('small', 'medium', 'large'))} box made of cardboard",
    )


def _storage_tub(parts: Assembly, rng: np.random.Generator, size: tuple[float, float, float]) -> tuple[str, ...]:
    """A lidded plastic storage box: a tub tapering toward its foot, a flat lid and handle ledges at both ends,
    maybe clip latches on the long sides."""
    length, width, height = size
    body = paint(rng, ("white", "grey", "black", "blue", "light blue", "green", "red", "purple", "pink", "beige"), "plastic")
    lid = body if rng.random() < 0.5 else paint(rng, ("white", "blue", "black", "grey", "red", "green"), "plastic")
    lid_t = rng.uniform(0.02, 0.035)
    parts.add(tapered_box((length * 0.9, width * 0.9), (length, width), height - lid_t), body)
    parts.add(box((length + 0.02, width + 0.02, lid_t), (0, 0, height - lid_t / 2)), lid)
    for x in (-length / 2 - 0.015, length / 2 + 0.015):
        parts.add(box((0.03, width * 0.45, 0.02), (x, 0, height - lid_t - 0.04)), body)
    latches = bool(rng.random() < 0.5)
    if latches:
        for x in (-length / 4, length / 4):
            for y in (-width / 2 - 0.012, width / 2 + 0.012):
                parts.add(box((0.05, 0.012, 0.06), (x, y, height - lid_t - 0.015)), lid)
    lid_words = "a matching lid" if lid.colour == body.colour else f"{article(lid.colour)} lid"
    return (
        f"{article(body.full)} storage box with {lid_words}",
        "a lidded plastic tub for storage" + (" with clip latches on its sides" if latches else " with handles at both ends"),
        f"a {grade(length, (0.45, 0.6), ('small', 'medium', 'large'))} {body.colour} storage container with a flat lid",
        "a plastic bin with a snap-on lid, slightly narrower at the bottom",
    )


def _crate(parts: Assembly, rng: np.random.Generator, size: tuple[float, float, float]) -> tuple[str, ...]:
    """An open-topped wooden crate: four corner posts inside rows of side slats with gaps, on a slatted floor."""
    length, width, height = size
    finish = wood(rng)
    post, slat_t = rng.uniform(0.025, 0.04), 0.012
    _legs(parts, _corners(length / 2 - slat_t - post / 2, width / 2 - slat_t - post / 2), height, post, finish, True)
    n_slats = int(rng.integers(2, 5))
    slat_h = height / n_slats * rng.uniform(0.55, 0.8)
    for k in range(n_slats):
        z = height / n_slats * (k + 0.5)
        for y in (-width / 2 + slat_t / 2, width / 2 - slat_t / 2):
            parts.add(box((length, slat_t, slat_h), (0, y, z)), finish)
        for x in (-length / 2 + slat_t / 2, length / 2 - slat_t / 2):
            parts.add(box((slat_t, width - 2 * slat_t, slat_h), (x, 0, z)), finish)
    n_floor = int(rng.integers(3, 6))
    for y in np.linspace(-width / 2, width / 2, 2 * n_floor + 1)[1::2]:
        parts.add(box((length - 2 * slat_t, width / n_floor * 0.8, slat_t), (0, y, slat_t / 2)), finish)
    return (
        f"{article(finish.full)} crate with {count(n_slats, 'slat')} on each side",
        "a slatted wooden box, open at the top",
        f"a {grade(length, (0.45, 0.55), ('small', 'medium', 'large'))} fruit crate made of {finish.colour} boards with gaps between them",
        "a wooden box crate with corner posts and a slatted bottom",
    )


@register_category("box", "Small rectangular container: a closed cardboard carton with a taped seam (maybe a label), an open carton with its four flaps splayed up, a lidded plastic storage tub with end handles or clip latches, or an open-topped slatted wooden crate.", source=nyu40_source("box"))
def build_box(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = rng.choice(4, p=[0.3, 0.25, 0.25, 0.2])
    length = rng.uniform(0.25, 0.65) if kind < 2 else rng.uniform(0.35, 0.7)
    width = length * rng.uniform(0.5, 0.9)
    height = length * rng.uniform(0.35, 0.9) if kind < 2 else length * rng.uniform(0.35, 0.65)
    captions = (_carton, _open_carton, _storage_tub, _crate)[kind](parts, rng, (length, width, height))
    return BuiltShape(parts, captions)
