"""Outdoor and street objects: birdhouses, mailboxes, towers, fences, swings, tents, street lamps, traffic lights and
fire hydrants (the last extension module; see ``categories.EXTENSION_MODULES``).

Many stand on a pole or post; what sits on it tells them apart (a little house with a round hole, a tunnel-shaped
box with a flag, a lantern on an arm, a housing of three round lights). The rest are frames (fence rails, swing
A-frames, lattice towers), sheltering shells (tents) or a squat casting of revolution (a hydrant).
"""

from __future__ import annotations

import numpy as np

from .categories import EVERYDAY_SOURCE, Assembly, BuiltShape, register_category, shapenet_source
from .finishes import article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import arc, ellipsoid, rods, tapered_box, tube

_UPRIGHT = rotation_x(np.pi / 2)  # +z onto -y: a disc or cylinder stood up against a front face


def _and_list(words: list[str]) -> str:
    """"red", "red and green", "red, yellow and green"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@register_category("birdhouse", "Small wooden house (box walls under a pitched roof) with a round entrance hole and a little perch below it, mounted on a tall post or hanging from a ring on its roof.", source=shapenet_source("birdhouse"))
def build_birdhouse(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    walls = wood(rng) if rng.random() < 0.6 else paint(rng, ("white", "blue", "red", "yellow", "green", "light blue"), "painted")
    roof = paint(rng, ("red", "dark green", "brown", "dark grey", "blue", "black")) if rng.random() < 0.5 else walls
    width, depth, height = rng.uniform(0.14, 0.22), rng.uniform(0.14, 0.2), rng.uniform(0.18, 0.28)
    on_post = bool(rng.random() < 0.6)
    base = rng.uniform(0.9, 1.5) if on_post else 0.0
    if on_post:
        parts.add(box((0.06, 0.06, base), (0, 0, base / 2)), wood(rng))
    parts.add(box((width, depth, height), (0, 0, base + height / 2)), walls)
    roof_h = width * rng.uniform(0.35, 0.6)
    gable = [(-width / 2 - 0.03, 0.0), (width / 2 + 0.03, 0.0), (0.0, roof_h)]
    parts.add(transform(prism(gable, depth + 0.06), translation=(0, 0, base + height)), roof)
    hole_r = width * rng.uniform(0.12, 0.2)
    hole_z = base + height * 0.6
    parts.add(transform(cylinder(hole_r, 0.004, segments=16), rotation=_UPRIGHT, translation=(0, -depth / 2, hole_z)), fixed("black", rng))
    perch = bool(rng.random() < 0.7)
    if perch:
        parts.add(rod((0, -depth / 2, hole_z - hole_r * 2), (0, -depth / 2 - 0.06, hole_z - hole_r * 2), 0.006, segments=6), wood(rng))
    if not on_post:
        parts.add(transform(torus(0.03, 0.004, segments=12, tube_segments=4), rotation=rotation_x(np.pi / 2), translation=(0, 0, base + height + roof_h + 0.03)), metal(rng, ("silver", "black")))
    captions = (
        f"{article(walls.full)} birdhouse with {article(roof.colour)} pitched roof",
        f"a little bird house {'on a tall wooden post' if on_post else 'hanging from a ring'} with a round entrance hole",
        "a nesting box for birds" + (" with a perch under the hole" if perch else ""),
        f"a {walls.colour} birdhouse shaped like a tiny house",
    )
    return BuiltShape(parts, captions)


@register_category("mailbox", "Letter box: a rural mailbox (tunnel-shaped box with a rounded top and a red side flag) on a wooden post, or a round pillar box (short cylinder with a domed cap and a letter slot) standing on the ground.", source=shapenet_source("mailbox"))
def build_mailbox(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    pillar = bool(rng.random() < 0.35)
    dark = fixed("black", rng)
    if pillar:
        finish = paint(rng, ("red", "red", "dark red", "green", "blue", "yellow"), "cast iron")
        radius, height = rng.uniform(0.22, 0.3), rng.uniform(1.3, 1.6)
        parts.add(cylinder(radius * 1.1, 0.1, top_radius=radius, segments=20), finish)
        parts.add(transform(cylinder(radius, height, segments=20), translation=(0, 0, 0.1)), finish)
        t = np.linspace(0.0, np.pi / 2, 6)
        parts.add(transform(lathe(radius * 1.12 * np.cos(t), radius * 0.5 * np.sin(t), 20), translation=(0, 0, height + 0.1)), finish)
        parts.add(box((radius * 0.9, 0.02, 0.04), (0, -radius, height * 0.8)), dark)
        kind, details = "pillar box", "a domed cap and a letter slot"
    else:
        finish = paint(rng, ("black", "silver", "white", "green", "blue", "red", "grey"), "metal")
        length, width = rng.uniform(0.45, 0.55), rng.uniform(0.16, 0.22)
        post = rng.uniform(0.95, 1.1)
        parts.add(box((0.1, 0.1, post), (0, 0, post / 2)), wood(rng))
        body_h = width * 0.6
        parts.add(box((length, width, body_h), (0, 0, post + body_h / 2)), finish)
        roof = transform(cylinder(width / 2, length, segments=16), rotation=rotation_y(np.pi / 2), translation=(-length / 2, 0, post + body_h))
        parts.add(roof, finish)
        flag = fixed("red", rng, "metal")
        raised = bool(rng.random() < 0.5)
        pole_top = (0.0, width / 2 + 0.01, post + body_h + (0.2 if raised else 0.05))
        parts.add(rod((-length * 0.2, width / 2 + 0.01, post + body_h * 0.5), pole_top if raised else (length * 0.2, width / 2 + 0.01, post + body_h * 0.5), 0.008, segments=5), flag)
        parts.add(box((0.08, 0.01, 0.06), (pole_top[0] if raised else length * 0.25, width / 2 + 0.01, pole_top[2] if raised else post + body_h * 0.5)), flag)
        kind, details = "rural mailbox", f"a red flag {'raised' if raised else 'lowered'} and a rounded top"
    captions = (
        f"{article(finish.colour)} {kind} with {details}",
        f"a mailbox for letters and post, {'standing on the pavement' if pillar else 'on a wooden post'}",
        f"a {finish.full} letter box",
        f"{article(kind)}, a post box for mail",
    )
    return BuiltShape(parts, captions)


@register_category("tower", "Tall structure many times taller than wide: a tapering steel lattice tower (four corner legs with cross braces), a round stone castle tower with crenellations, a water tower (tank on four legs) or a square bell tower with a pyramid roof.", source=shapenet_source("tower"))
def build_tower(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["lattice tower", "castle tower", "water tower", "bell tower"]))
    if kind == "lattice tower":
        finish = metal(rng, ("grey", "silver", "copper", "red"))
        height, base = rng.uniform(30.0, 60.0), rng.uniform(6.0, 12.0)
        top = base * rng.uniform(0.1, 0.3)
        n_levels = int(rng.integers(5, 10))
        zs = np.linspace(0.0, height, n_levels + 1)
        half = base / 2 + (top - base) / 2 * zs / height
        signs = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)], dtype=np.float64)
        # Corner points of every level [level, corner, xyz]; legs join levels, braces run diagonally and around.
        levels = np.concatenate([signs[None] * half[:, None, None], np.broadcast_to(zs[:, None, None], (n_levels + 1, 4, 1))], axis=-1)
        lower, upper = levels[:-1].reshape(-1, 3), levels[1:].reshape(-1, 3)
        turned = np.roll(levels[1:], -1, axis=1).reshape(-1, 3)
        parts.add(rods(lower, upper, height * 0.006, segments=5), finish)
        parts.add(rods(np.concatenate([lower, upper]), np.concatenate([turned, turned]), height * 0.003, segments=4), finish)
        parts.add(rod((0, 0, height), (0, 0, height * 1.12), height * 0.004, segments=5), finish)
        details = f"{count(n_levels, 'level')} of cross-braced steel"
    elif kind == "castle tower":
        finish = paint(rng, ("grey", "beige", "brown", "cream"), "brick")
        radius, height = rng.uniform(3.0, 5.0), rng.uniform(12.0, 25.0)
        parts.add(cylinder(radius * 1.1, height, top_radius=radius, segments=20), finish)
        n_merlons = int(rng.integers(8, 15))
        for angle in 2 * np.pi * np.arange(n_merlons) / n_merlons:
            merlon = box((radius * 0.35, radius * 0.3, radius * 0.35), (radius * 0.92, 0, height + radius * 0.17))
            parts.add(transform(merlon, rotation=rotation_z(angle)), finish)
        for z in np.linspace(height * 0.3, height * 0.8, int(rng.integers(2, 5))):
            parts.add(box((0.6, 0.2, 1.2), (0, -radius * 1.02, z)), fixed("black", rng))
        details = f"a ring of {count(n_merlons, 'battlement')} on top"
    elif kind == "water tower":
        finish = metal(rng, ("silver", "grey", "white", "blue"))
        legs_h, tank_r = rng.uniform(10.0, 20.0), rng.uniform(3.0, 5.0)
        for x, y in [(sx * tank_r * 0.7, sy * tank_r * 0.7) for sx in (-1, 1) for sy in (-1, 1)]:
            parts.add(rod((x * 1.3, y * 1.3, 0), (x, y, legs_h), 0.3, segments=6), finish)
        for z in np.linspace(legs_h * 0.3, legs_h * 0.7, 2):
            parts.add(transform(torus(tank_r * 0.7 * 1.3 ** (1 - z / legs_h) * np.sqrt(2), 0.12, segments=4, tube_segments=4), rotation=rotation_z(np.pi / 4), translation=(0, 0, z)), finish)
        t = np.linspace(0.0, np.pi, 9)
        tank = lathe(tank_r * np.sin(t) ** 0.5, tank_r * 1.2 * (1 - np.cos(t)), 20)
        parts.add(transform(tank, translation=(0, 0, legs_h)), finish)
        details = "a round tank high up on four legs"
    else:
        finish = paint(rng, ("grey", "beige", "cream", "white", "brown"), str(rng.choice(["brick", "concrete"])))
        side, height = rng.uniform(3.0, 5.0), rng.uniform(15.0, 30.0)
        parts.add(box((side, side, height), (0, 0, height / 2)), finish)
        parts.add(box((side * 1.1, side * 1.1, side * 0.8), (0, 0, height * 0.8)), finish)
        for angle in np.arange(4) * np.pi / 2:
            opening = box((side * 0.35, 0.2, side * 0.5), (0, -side * 0.55, height * 0.8))
            parts.add(transform(opening, rotation=rotation_z(angle)), fixed("black", rng))
        roof = transform(cylinder(side * 0.78, side * rng.uniform(0.8, 2.0), top_radius=0.0, segments=4), rotation=rotation_z(np.pi / 4))
        parts.add(transform(roof, translation=(0, 0, height)), paint(rng, ("dark grey", "dark green", "red", "brown")))
        details = "open arches near the top and a pointed roof"
    captions = (
        f"{article(kind)} with {details}",
        f"a tall {finish.colour} {kind}",
        f"a {finish.short} tower rising high above the ground",
        f"a landmark tower, {article(kind)}",
    )
    return BuiltShape(parts, captions)


@register_category("fence", "Straight section of fence much longer than tall: 3-8 evenly spaced posts joined by 2-3 horizontal rails, with upright pointed pickets (picket fence), without them (rail fence), or with thin spiked bars (metal railing).", source=EVERYDAY_SOURCE)
def build_fence(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["picket fence", "rail fence", "metal railing"]))
    finish = (metal(rng, ("black", "dark green", "grey")) if kind == "metal railing"
              else (fixed("white", rng, "painted") if kind == "picket fence" and rng.random() < 0.6 else wood(rng)))
    n_posts = int(rng.integers(3, 7))
    span = rng.uniform(1.5, 2.5)
    height = rng.uniform(0.8, 1.5)
    length = (n_posts - 1) * span
    xs = np.linspace(-length / 2, length / 2, n_posts)
    post = 0.04 if kind == "metal railing" else rng.uniform(0.08, 0.12)
    for x in xs:
        parts.add(box((post, post, height + 0.05), (x, 0, (height + 0.05) / 2)), finish)
    n_rails = int(rng.choice([2, 3]))
    for z in np.linspace(height * 0.2, height * 0.85, n_rails):
        parts.add(box((length, 0.03, 0.08 if kind != "metal railing" else 0.03), (0, 0.04, z)), finish)
    if kind == "picket fence":
        gap = rng.uniform(0.04, 0.08)
        for x in np.arange(-length / 2 + 0.06, length / 2, 0.09 + gap):
            picket = [(-0.045, 0.0), (0.045, 0.0), (0.045, height * 0.9), (0.0, height), (-0.045, height * 0.9)]
            parts.add(transform(prism(picket, 0.02), translation=(x, -0.04 + 0.06, 0)), finish)
    elif kind == "metal railing":
        bottoms = np.stack(np.broadcast_arrays(np.arange(-length / 2, length / 2, 0.15)[:, None], 0.04, 0.0), axis=-1)[:, 0]
        tops = bottoms + [0.0, 0.0, height]
        parts.add(rods(bottoms, tops, 0.01, segments=4), finish)
        parts.add(rods(tops, tops + [0.0, 0.0, 0.08], 0.02, top_radius=0.0, segments=4), finish)
    captions = (
        f"{article(finish.colour)} {kind} with {count(n_posts, 'post')} and {count(n_rails, 'rail')}",
        f"a {grade(height, (1.0, 1.3), ('low', 'waist-high', 'tall'))} fence, a straight section of {kind}",
        f"a garden fence made of {finish.short} {'bars' if kind == 'metal railing' else 'boards'}",
        f"a {finish.colour} fence marking a boundary",
    )
    return BuiltShape(parts, captions)


@register_category("swing", "Playground swing set: two A-frames of splayed legs joined by a long top beam, with 1-3 seats (boards or tyres) hanging from pairs of ropes or chains.", source=EVERYDAY_SOURCE)
def build_swing(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    frame = wood(rng) if rng.random() < 0.5 else metal(rng, ("red", "blue", "green", "yellow", "silver"))
    n_seats = int(rng.integers(1, 4))
    length = n_seats * rng.uniform(0.9, 1.2) + 0.4
    height = rng.uniform(2.0, 2.5)
    splay = height * rng.uniform(0.3, 0.45)
    radius = 0.05
    for x in (-length / 2, length / 2):
        for y in (-splay, splay):
            parts.add(rod((x, y, 0), (x, 0, height), radius, segments=6), frame)
        parts.add(rod((x, -splay * 0.5, height * 0.5), (x, splay * 0.5, height * 0.5), radius * 0.7, segments=6), frame)
    parts.add(rod((-length / 2 - 0.1, 0, height), (length / 2 + 0.1, 0, height), radius * 1.2, segments=8), frame)
    chain = metal(rng, ("silver", "grey")) if rng.random() < 0.5 else paint(rng, ("beige", "brown"), "fabric")
    seat_z = rng.uniform(0.4, 0.6)
    tyre = bool(rng.random() < 0.3)
    seat = fixed("black", rng, "rubber") if tyre else paint(rng, ("red", "blue", "yellow", "green", "black", "orange"), "plastic")
    for x in np.linspace(-length / 2 + 0.2, length / 2 - 0.2, n_seats + 2)[1:-1]:
        for dx in (-0.2, 0.2):
            parts.add(rod((x + dx, 0, height), (x + dx, 0, seat_z), 0.008, segments=4), chain)
        if tyre:
            parts.add(transform(torus(0.25, 0.07, segments=16, tube_segments=6), rotation=_UPRIGHT, translation=(x, 0, seat_z)), seat)
        else:
            parts.add(box((0.5, 0.2, 0.03), (x, 0, seat_z)), seat)
    ropes = "ropes" if chain.material == "fabric" else "chains"
    captions = (
        f"{article(frame.full)} swing set with {count(n_seats, 'tyre seat' if tyre else 'seat')}",
        "a playground swing hanging from a top beam on two A-frames",
        f"a garden swing with {'tyre' if tyre else seat.colour} seats on {ropes}",
        "a swing for children" + (f", {count(n_seats, 'swing')} side by side" if n_seats > 1 else " with a single seat"),
    )
    return BuiltShape(parts, captions)


@register_category("tent", "Camping shelter on the ground: a ridge tent (long triangular prism with a dark door triangle), a dome tent (low dome crossed by two pole arcs, dark doorway) or a tipi (tall cone with poles sticking out of the top).", source=EVERYDAY_SOURCE)
def build_tent(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["ridge tent", "dome tent", "tipi"]))
    finish = paint(rng, ("orange", "green", "blue", "yellow", "red", "dark green", "beige", "grey"), "canvas" if kind != "dome tent" else "fabric")
    dark = fixed("black", rng)
    if kind == "ridge tent":
        length, width, height = rng.uniform(2.0, 3.5), rng.uniform(1.5, 2.5), rng.uniform(1.1, 1.8)
        parts.add(transform(prism([(-width / 2, 0), (width / 2, 0), (0, height)], length), rotation=rotation_z(np.pi / 2)), finish)
        parts.add(transform(prism([(-width * 0.25, 0), (width * 0.25, 0), (0, height * 0.7)], 0.01), rotation=rotation_z(np.pi / 2), translation=(length / 2 + 0.005, 0, 0)), dark)
        for x in (-length / 2 - 0.05, length / 2 + 0.05):
            parts.add(rod((x, 0, 0), (x, 0, height + 0.15), 0.02, segments=5), fixed("silver", rng, "metal"))
        details = "a triangular doorway and two poles"
    elif kind == "dome tent":
        radius, height = rng.uniform(1.0, 1.6), rng.uniform(1.0, 1.4)
        t = np.linspace(0.0, np.pi / 2, 7)
        parts.add(lathe(radius * np.cos(t), height * np.sin(t), 20), finish)
        pole = fixed("black", rng, "metal")
        for angle in (np.pi / 4, -np.pi / 4):
            points = arc((0, 0, 0), 1.0, 0.0, np.pi, 11) * [radius * 1.02, 1.0, height * 1.02]
            parts.add(transform(tube(points, 0.015, segments=4), rotation=rotation_z(angle)), pole)
        door = transform(sphere(1.0, segments=20, rings=10), scale=(radius * 1.01, radius * 1.01, height * 1.01))
        centers = door.mean(axis=1)
        parts.add(door[(centers[:, 0] > radius * 0.6) & (centers[:, 2] > 0) & (centers[:, 2] < height * 0.7)], dark)
        details = "two crossing poles and a dark doorway"
    else:
        radius, height = rng.uniform(1.5, 2.5), rng.uniform(3.0, 4.5)
        parts.add(cylinder(radius, height * 0.85, top_radius=radius * 0.15, segments=16, capped=False), finish)
        n_poles = int(rng.integers(5, 10))
        for angle in 2 * np.pi * np.arange(n_poles) / n_poles:
            foot = np.array([radius * np.cos(angle), radius * np.sin(angle), 0.0])
            parts.add(rod(foot, -foot * 0.1 + [0, 0, height], 0.03, segments=4), wood(rng))
        parts.add(transform(prism([(-radius * 0.25, 0), (radius * 0.25, 0), (0, height * 0.35)], 0.01), rotation=rotation_z(np.pi / 2), translation=(radius * 0.95, 0, 0)), dark)
        details = f"{count(n_poles, 'pole')} crossing at its tip"
    captions = (
        f"{article(finish.full)} {kind} with {details}",
        f"a camping tent pitched on the ground, {finish.colour}",
        f"{article(kind)}, a {grade(height, (1.3, 2.0), ('low', 'medium', 'tall'))} shelter for sleeping outdoors",
        f"a {finish.colour} tent made of {finish.material}",
    )
    return BuiltShape(parts, captions)


@register_category("street lamp", "Lamp post: a very tall thin pole on a wider base carrying a light: a lantern (glass box under a small roof) on top, or a flat lamp head at the end of an arm curving out over the street; double-armed variants carry two heads.", source=EVERYDAY_SOURCE)
def build_street_lamp(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = metal(rng, ("black", "dark grey", "grey", "dark green", "silver"))
    light = fixed("yellow", rng, "glass")
    height = rng.uniform(3.5, 9.0)
    parts.add(cylinder(0.2, 0.6, top_radius=0.12, segments=12), finish)
    parts.add(cylinder(0.09, height, top_radius=0.06, segments=10), finish)
    lantern = bool(rng.random() < 0.4)
    if lantern:
        parts.add(transform(tapered_box((0.3, 0.3), (0.4, 0.4), 0.5), translation=(0, 0, height)), light)
        parts.add(transform(cylinder(0.35, 0.25, top_radius=0.0, segments=4), rotation=rotation_z(np.pi / 4), translation=(0, 0, height + 0.5)), finish)
        details, n_heads = "a glass lantern on top", 1
    else:
        n_heads = int(rng.choice([1, 1, 2]))
        reach = rng.uniform(1.0, 2.5)
        for direction in (1, -1)[:n_heads]:
            # A quarter circle leaving the pole top upwards and ending horizontal, mirrored for the second arm.
            curve = arc((reach, 0, height), reach, np.pi, np.pi / 2, 8) * [direction, 1, 1]
            parts.add(tube(curve, 0.05, segments=6), finish)
            head = curve[-1]
            parts.add(ellipsoid((0.35, 0.18, 0.08), (head[0] + direction * 0.25, 0, head[2] - 0.05)), finish)
            parts.add(box((0.45, 0.22, 0.02), (head[0] + direction * 0.25, 0, head[2] - 0.12)), light)
        details = f"{count(n_heads, 'curved arm')} holding the lights"
    captions = (
        f"{article(finish.colour)} street lamp with {details}",
        f"a {grade(height, (5.0, 7.0), ('short', 'tall', 'very tall'))} lamp post lighting the street",
        f"a streetlight on a thin {finish.full} pole",
        "an outdoor street lamp on a pole with a base",
    )
    return BuiltShape(parts, captions)


@register_category("traffic light", "Traffic signal: a tall narrow housing with three (sometimes two or four) round lamps stacked vertically, each under a hood, on top of a pole or hanging from a horizontal mast arm.", source=EVERYDAY_SOURCE)
def build_traffic_light(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    housing = paint(rng, ("black", "black", "dark grey", "yellow", "dark green"), "metal")
    pole = metal(rng, ("grey", "silver", "black", "dark grey"))
    n_lamps = int(rng.choice([3, 3, 3, 2, 4]))
    lamp_r = rng.uniform(0.1, 0.15)
    box_h = n_lamps * lamp_r * 2.6
    box_w, box_d = lamp_r * 2.6, lamp_r * 1.6
    height = rng.uniform(2.5, 4.0)
    mast = bool(rng.random() < 0.4)
    parts.add(cylinder(0.08, height + (1.0 if mast else 0.0), segments=10), pole)
    if mast:
        reach = rng.uniform(2.0, 4.0)
        parts.add(rod((0, 0, height + 0.9), (reach, 0, height + 0.9), 0.06, segments=8), pole)
        center = (reach, 0.0, height + 0.9 - box_h / 2 - 0.1)
    else:
        center = (0.0, 0.0, height + box_h / 2)
    cx, cy, cz = center
    parts.add(box((box_w, box_d, box_h), center), housing)
    colours = {2: ("red", "green"), 3: ("red", "yellow", "green"), 4: ("red", "yellow", "green", "green")}[n_lamps]
    lit = int(rng.integers(0, n_lamps))
    for k, colour in enumerate(colours):
        z = cz + box_h / 2 - lamp_r * 1.3 * (2 * k + 1)
        finish = fixed(colour, rng, "glass") if k == lit else fixed("dark grey", rng, "glass")
        parts.add(transform(cylinder(lamp_r, 0.02, segments=16), rotation=_UPRIGHT, translation=(cx, cy - box_d / 2, z)), finish)
        hood = torus(lamp_r * 1.05, 0.015, arc=np.pi, segments=8, tube_segments=4)
        parts.add(transform(hood, rotation=_UPRIGHT, translation=(cx, cy - box_d / 2 - 0.02, z)), housing)
    captions = (
        f"a traffic light with {count(n_lamps, 'round lamp')} in {article(housing.colour)} housing",
        f"a traffic signal {'hanging from a mast arm' if mast else 'on top of a pole'} with the {colours[lit]} light on",
        "a stop light for controlling cars at a crossing",
        f"a road traffic light with {_and_list(list(dict.fromkeys(colours)))} lamps stacked vertically",
    )
    return BuiltShape(parts, captions)


@register_category("fire hydrant", "Squat cast-iron post of revolution: a flanged base, a barrel, a domed bonnet with a nut on top, two side outlets and a larger front outlet with caps.", source=EVERYDAY_SOURCE)
def build_fire_hydrant(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("red", "red", "yellow", "silver", "orange", "green", "blue"), "cast iron")
    caps = finish if rng.random() < 0.5 else paint(rng, ("silver", "white", "yellow", "black", "red"), "cast iron")
    radius = rng.uniform(0.1, 0.14)
    height = radius * rng.uniform(4.0, 6.0)
    profile_r = [0.0, radius * 1.5, radius * 1.5, radius * 1.1, radius, radius, radius * 1.25, radius * 1.25, radius * 1.0]
    profile_z = [0.0, 0.0, 0.06, 0.08, 0.1, height * 0.72, height * 0.74, height * 0.78, height * 0.8]
    parts.add(lathe(profile_r, profile_z, 20), finish)
    t = np.linspace(0.0, np.pi / 2, 6)
    dome = lathe(radius * np.cos(t), radius * 0.8 * np.sin(t), 20)
    parts.add(transform(dome, translation=(0, 0, height * 0.8)), finish)
    parts.add(transform(cylinder(radius * 0.3, radius * 0.3, segments=5), translation=(0, 0, height * 0.8 + radius * 0.75)), caps)
    outlet_z = height * rng.uniform(0.5, 0.62)
    outlets = [(np.pi / 2, 0.35), (-np.pi / 2, 0.35)] + ([(0.0, 0.5)] if rng.random() < 0.7 else [])
    for angle, size in outlets:
        direction = np.array([np.cos(angle), np.sin(angle), 0.0])
        start = direction * radius * 0.8 + [0, 0, outlet_z]
        parts.add(rod(start, start + direction * radius * 0.6, radius * size, segments=10), finish)
        parts.add(rod(start + direction * radius * 0.6, start + direction * radius * 0.8, radius * size * 1.15, segments=6), caps)
    captions = (
        f"{article(finish.colour)} fire hydrant with {count(len(outlets), 'outlet')} and {caps.colour} caps",
        f"a {finish.material} fire hydrant on the pavement with a domed top",
        f"a {grade(height / radius, (4.6, 5.4), ('short', 'medium', 'tall'))} {finish.colour} hydrant for firefighters' hoses",
        "a street fire hydrant, a water pillar for fire hoses",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
