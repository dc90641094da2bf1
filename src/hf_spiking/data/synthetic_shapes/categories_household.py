"""Household containers and small objects: bins, bags, baskets, cans, jars, pots, pillows, clocks, headwear, barrels,
buckets and watering cans (registered after the original categories; see ``categories.EXTENSION_MODULES``).

Mostly vessels of revolution and soft or curved shells, each with the part that tells it apart from its neighbours:
a lid or pedal for a bin, a bail handle for a bucket, a spout for a watering can, a visor for a cap.
"""

from __future__ import annotations

import numpy as np

from .categories import EVERYDAY_SOURCE, Assembly, BuiltShape, _vessel, register_category, shapenet_source
from .finishes import article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import add_wheels, arc, bar_handle, ellipsoid, open_box, posed, tapered_box, tube


@register_category("trash bin", "Waste container: a round pedal bin with a flat lid and a foot pedal, a round bin with a domed swing lid, an open tapered wastebasket, or a tall wheelie bin (tapered box, hinged lid, two back wheels and a handle).", source=shapenet_source("ashcan"))
def build_trash_bin(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["pedal bin", "swing-lid bin", "wastebasket", "wheelie bin"]))
    material = "plastic" if kind in ("wastebasket", "wheelie bin") or rng.random() < 0.4 else "metal"
    finish = paint(rng, ("grey", "black", "green", "blue", "white", "silver", "dark green", "red"), material)
    if kind == "wheelie bin":
        # Depth along x (the wheels and handle are at the back, -x), width along y.
        width, depth, height = rng.uniform(0.5, 0.6), rng.uniform(0.55, 0.75), rng.uniform(0.95, 1.1)
        parts.add(tapered_box((depth * 0.8, width * 0.8), (depth, width), height), finish)
        lid = finish if rng.random() < 0.5 else paint(rng, ("black", "green", "blue", "yellow", "brown"), "plastic")
        parts.add(box((depth * 1.08, width * 1.04, 0.04), (0.02, 0, height + 0.02)), lid)
        add_wheels(parts, rng, [(-depth * 0.4 - 0.06, side * width * 0.42) for side in (-1, 1)], 0.1, 0.05)
        parts.add(bar_handle((-depth / 2, 0, height - 0.05), width * 0.7, vertical=False, facing=(-1.0, 0.0, 0.0)), finish)
        parts_words = "a hinged lid, two wheels and a handle"
    else:
        radius = rng.uniform(0.12, 0.2)
        height = radius * rng.uniform(2.0, 3.2)
        flare = rng.uniform(1.1, 1.3) if kind == "wastebasket" else rng.uniform(0.95, 1.02)
        parts.add(_vessel([radius, radius * flare], [0.0, height], radius * 0.04), finish)
        top = radius * flare
        if kind == "pedal bin":
            parts.add(transform(cylinder(top * 1.03, 0.02, segments=24), translation=(0, 0, height)), finish)
            parts.add(box((radius * 0.5, radius * 0.4, 0.02), (0, -radius - radius * 0.2, 0.04)), fixed("black", rng, "plastic"))
            parts_words = "a flat lid and a foot pedal"
        elif kind == "swing-lid bin":
            dome = rng.uniform(0.35, 0.6) * top
            t = np.linspace(0.0, np.pi / 2, 6)
            parts.add(transform(lathe(top * 1.03 * np.cos(t), dome * np.sin(t), 24), translation=(0, 0, height)), finish)
            parts.add(box((top * 1.1, 0.015, dome * 0.6), (0, 0, height + dome * 0.55)), fixed("black", rng, "plastic"))
            parts_words = "a domed swing lid"
        else:
            parts.add(transform(torus(top, radius * 0.03, tube_segments=6), translation=(0, 0, height)), finish)
            parts_words = "an open top"
    captions = (
        f"{article(finish.full)} trash bin with {parts_words}",
        f"a {grade(height, (0.45, 0.7), ('small', 'medium-sized', 'large'))} {finish.colour} {kind} for rubbish",
        f"a waste bin used for throwing away garbage, made of {finish.material}",
        f"{article(finish.colour)} trash can, {kind.replace('-', ' ')} style",
    )
    return BuiltShape(parts, captions)


@register_category("bag", "Carry bag standing upright: a tall paper shopping bag (thin open box, two rope handles), a wide fabric tote (flat slab with two long loop handles) or a leather handbag (trapezoid body, one arched handle, front flap and clasp).", source=shapenet_source("bag"))
def build_bag(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["shopping bag", "tote bag", "handbag"]))
    if kind == "shopping bag":
        finish = paint(rng, ("brown", "white", "beige", "red", "black"), "paper")
        width, depth, height = rng.uniform(0.25, 0.4), rng.uniform(0.1, 0.17), rng.uniform(0.3, 0.45)
        parts.add(open_box((width, depth, height), 0.004, (0, 0, height / 2)), finish)
        handle_h, n_handles, handle_r = height * 0.3, 2, 0.005
    elif kind == "tote bag":
        finish = paint(rng, ("beige", "cream", "navy blue", "black", "green", "red"), "canvas")
        width, depth, height = rng.uniform(0.35, 0.45), rng.uniform(0.04, 0.08), rng.uniform(0.35, 0.45)
        parts.add(tapered_box((width, depth), (width * 0.95, depth * 0.6), height), finish)
        handle_h, n_handles, handle_r = height * rng.uniform(0.45, 0.7), 2, 0.01
    else:
        finish = paint(rng, ("black", "brown", "dark red", "beige", "navy blue", "pink", "white"), "leather")
        width, depth, height = rng.uniform(0.25, 0.35), rng.uniform(0.1, 0.15), rng.uniform(0.18, 0.26)
        parts.add(tapered_box((width, depth), (width * rng.uniform(0.7, 0.85), depth * 0.7), height), finish)
        flap = [(-width * 0.4, height * 0.5), (width * 0.4, height * 0.5), (width * 0.38, height), (-width * 0.38, height)]
        parts.add(transform(prism(flap, 0.008), translation=(0, -depth * 0.36, 0)), finish)
        parts.add(transform(sphere(0.012, segments=8, rings=5), translation=(0, -depth * 0.4, height * 0.55)), metal(rng, ("gold", "silver")))
        handle_h, n_handles, handle_r = height * rng.uniform(0.4, 0.7), 1, 0.012
    spread = width * (0.3 if kind != "shopping bag" else 0.2)
    loop = arc((0.0, 0.0, 0.0), 1.0, 0.0, np.pi, 11) * [spread, 1.0, handle_h]
    for y in ([-depth * 0.35, depth * 0.35] if n_handles == 2 else [0.0]):
        parts.add(tube(loop + [0.0, y, height], handle_r, segments=5), finish)
    handles = "one arched handle" if n_handles == 1 else "two handles"
    captions = (
        f"{article(finish.full)} {kind} with {handles}",
        f"a {finish.colour} bag made of {finish.material} for carrying things",
        f"{article(kind)}, {grade(height / width, (0.7, 1.1), ('wide', 'square', 'tall'))} and {finish.colour}",
        f"a {finish.material} carrier bag standing upright with {handles}",
    )
    return BuiltShape(parts, captions)


@register_category("basket", "Woven container: a round or oval flared bowl ribbed with horizontal rings and a hoop handle arching over the top, or a tall rectangular laundry basket with side hand holes.", source=shapenet_source("basket"))
def build_basket(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    laundry = bool(rng.random() < 0.35)
    wicker = bool(rng.random() < 0.65)
    finish = (paint(rng, ("brown", "beige", "cream"), "wicker") if wicker
              else paint(rng, ("white", "blue", "grey", "green", "pink"), "plastic"))
    if laundry:
        width, depth, height = rng.uniform(0.4, 0.6), rng.uniform(0.3, 0.4), rng.uniform(0.35, 0.6)
        parts.add(open_box((width, depth, height), 0.012, (0, 0, height / 2)), finish)
        n_rings = int(rng.integers(3, 7))
        for z in np.linspace(height * 0.15, height * 0.85, n_rings):
            parts.add(open_box((width + 0.01, depth + 0.01, 0.012), 0.005, (0, 0, z)), finish)
        for x in (-width / 2 - 0.006, width / 2 + 0.006):
            parts.add(box((0.004, depth * 0.35, height * 0.08), (x, 0, height * 0.88)), fixed("black", rng))
        noun, handle_words = "laundry basket", "two hand holes"
    else:
        radius = rng.uniform(0.12, 0.22)
        height = radius * rng.uniform(0.5, 0.9)
        oval = rng.uniform(1.0, 1.4)
        body = _vessel([radius * 0.75, radius], [0.0, height], 0.008)
        parts.add(transform(body, scale=(oval, 1.0, 1.0)), finish)
        n_rings = int(rng.integers(3, 7))
        for z in np.linspace(height * 0.15, height * 0.9, n_rings):
            ring_r = radius * (0.75 + 0.25 * z / height)
            parts.add(transform(torus(ring_r, 0.006, segments=20, tube_segments=4), scale=(oval, 1.0, 1.0), translation=(0, 0, z)), finish)
        hoop_h = height * rng.uniform(0.7, 1.3)
        parts.add(tube(arc((0.0, 0.0, 0.0), 1.0, 0.0, np.pi, 11) * [radius * oval, 1.0, hoop_h] + [0, 0, height], 0.012, segments=5), finish)
        noun, handle_words = "basket", "a hoop handle over the top"
    captions = (
        f"{article(finish.full)} {noun} with {handle_words}",
        f"a woven {finish.colour} basket ribbed with {count(n_rings, 'band')}",
        f"{article(finish.material)} basket for carrying or storing things",
        f"a {grade(height, (0.15, 0.35), ('low', 'medium', 'deep'))} {finish.colour} {noun}",
    )
    return BuiltShape(parts, captions)


@register_category("can", "Metal tin can: a slim drinks can (domed base, tapered neck, ring-pull tab on the lid) or a squat food tin with rolled rims, ridges and a paper label band.", source=shapenet_source("can"))
def build_can(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    drink = bool(rng.random() < 0.55)
    body = paint(rng, ("red", "blue", "silver", "green", "black", "yellow", "orange", "white", "purple"), "metal")
    radius = rng.uniform(0.029, 0.034) if drink else rng.uniform(0.035, 0.055)
    height = radius * (rng.uniform(3.4, 4.6) if drink else rng.uniform(1.6, 2.6))
    if drink:
        neck = radius * rng.uniform(0.78, 0.86)
        radii = [0.0, radius * 0.7, radius, radius, neck, neck, 0.0]
        zs = [0.006, 0.0, height * 0.06, height * 0.9, height * 0.98, height, height]
        parts.add(lathe(radii, zs, 24), body)
        parts.add(box((neck * 0.6, neck * 0.3, 0.002), (neck * 0.2, 0, height + 0.001)), fixed("silver", rng, "metal"))
        label = body
        details = "a ring-pull tab on top"
        noun = str(rng.choice(["soda can", "drinks can", "beer can"]))
    else:
        body = fixed("silver", rng, "metal")  # a food tin is bare tinplate under its label
        parts.add(cylinder(radius, height, segments=24), body)
        for z in (0.002, height - 0.002):
            parts.add(transform(torus(radius, 0.0025, segments=24, tube_segments=4), translation=(0, 0, z)), body)
        label = paint(rng, ("red", "green", "yellow", "orange", "white", "blue"), "paper")
        band = height * rng.uniform(0.6, 0.85)
        parts.add(transform(cylinder(radius * 1.01, band, segments=24, capped=False), translation=(0, 0, (height - band) / 2)), label)
        n_ridges = int(rng.integers(0, 4))
        for z in np.linspace(height * 0.25, height * 0.75, n_ridges):
            parts.add(transform(torus(radius * 1.01, 0.0015, segments=24, tube_segments=4), translation=(0, 0, z)), label)
        details = f"{article(label.colour)} paper label" + (f" and {count(n_ridges, 'ridge')}" if n_ridges else "")
        noun = str(rng.choice(["food tin", "tin can", "soup can"]))
    captions = (
        f"{article(label.colour)} {noun} with {details}",
        f"a cylindrical metal can, {grade(height / radius, (2.5, 3.8), ('short and wide', 'medium', 'tall and slim'))}",
        f"a sealed {noun} made of aluminium or tin",
        f"a {body.colour} can standing upright",
    )
    return BuiltShape(parts, captions)


@register_category("jar", "Wide-mouthed glass or ceramic container of revolution: a straight or rounded body, a short shoulder to a wide neck and a screw lid of another colour; optional label band and contents visible inside.", source=shapenet_source("jar"))
def build_jar(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    glass = bool(rng.random() < 0.7)
    finish = (paint(rng, ("white", "light blue", "light green"), "glass") if glass
              else paint(rng, ("white", "cream", "blue", "brown", "teal"), "ceramic"))
    radius = rng.uniform(0.035, 0.07)
    height = radius * rng.uniform(1.4, 3.0)
    neck = radius * rng.uniform(0.72, 0.92)
    belly = rng.uniform(1.0, 1.12)
    radii = [0.0, radius, radius * belly, radius, neck, neck]
    zs = [0.0, 0.0, height * 0.45, height * 0.8, height * 0.9, height]
    parts.add(lathe(radii, zs, 24), finish)
    lid = paint(rng, ("gold", "silver", "red", "white", "black", "green"), "metal" if rng.random() < 0.6 else "plastic")
    lid_h = radius * rng.uniform(0.25, 0.45)
    parts.add(transform(cylinder(neck * 1.08, lid_h, segments=24), translation=(0, 0, height)), lid)
    filled = glass and rng.random() < 0.5
    contents = paint(rng, ("red", "orange", "yellow", "brown", "purple", "dark red"))
    if filled:
        parts.add(cylinder(radius * 0.95, height * rng.uniform(0.4, 0.75), segments=20), contents)
    labelled = bool(rng.random() < 0.4)
    if labelled:
        band = height * 0.35
        parts.add(transform(cylinder(radius * 1.02, band, segments=24, capped=False), translation=(0, 0, height * 0.2)), fixed("white", rng, "paper"))
    captions = (
        f"{article(finish.full)} jar with {article(lid.colour)} screw lid",
        f"a {grade(height / radius, (1.9, 2.5), ('squat', 'medium', 'tall'))} jar with a wide mouth" + (" and a paper label" if labelled else ""),
        f"a {finish.material} jar " + (f"filled with something {contents.colour}" if filled else "for storing food"),
        f"a lidded {finish.colour} storage jar",
    )
    return BuiltShape(parts, captions)


@register_category("flowerpot", "Tapered plant pot with a rolled rim, soil near the top and a plant: leafy stems, a ribbed cactus with arms, or flowers on stalks; optional saucer.", source=shapenet_source("pot"))
def build_flowerpot(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["terracotta", "ceramic", "plastic"]))
    finish = (paint(rng, ("orange", "brown"), "terracotta") if material == "terracotta"
              else paint(rng, ("white", "black", "grey", "blue", "green", "cream"), material))
    radius = rng.uniform(0.06, 0.14)
    height = radius * rng.uniform(1.0, 1.6)
    parts.add(_vessel([radius * rng.uniform(0.6, 0.8), radius], [0.0, height], radius * 0.06), finish)
    parts.add(transform(cylinder(radius * 1.08, height * 0.15, segments=24, capped=False), translation=(0, 0, height * 0.86)), finish)
    parts.add(transform(cylinder(radius * 0.93, 0.01, segments=20), translation=(0, 0, height * 0.85)), fixed("brown", rng))
    plant = str(rng.choice(["leafy", "cactus", "flowers"]))
    green = paint(rng, ("green", "dark green", "light green"))
    top = height * 0.86
    if plant == "cactus":
        stem_h = height * rng.uniform(0.8, 1.8)
        stem_r = radius * rng.uniform(0.3, 0.5)
        parts.add(transform(lathe(stem_r * np.sqrt(np.sin(np.linspace(0, np.pi, 9)) + 1e-3), np.linspace(0, stem_h, 9), 10), translation=(0, 0, top)), green)
        for side in range(int(rng.integers(0, 3))):
            direction = 1 - 2 * side
            elbow = (direction * stem_r * 1.6, 0, top + stem_h * 0.45)
            parts.add(tube([(0, 0, top + stem_h * 0.35), elbow, (elbow[0], 0, elbow[2] + stem_h * 0.3)], stem_r * 0.45, segments=8), green)
        words = "a cactus"
    else:
        n_stems = int(rng.integers(3, 8))
        bloom = paint(rng, ("red", "yellow", "pink", "purple", "white", "orange"))
        for k in range(n_stems):
            angle = 2 * np.pi * k / n_stems + rng.uniform(-0.3, 0.3)
            reach, rise = radius * rng.uniform(0.4, 1.3), height * rng.uniform(0.8, 1.8)
            tip = (reach * np.cos(angle), reach * np.sin(angle), top + rise)
            parts.add(rod((0, 0, top), tip, radius * 0.03, segments=5), green)
            if plant == "leafy":
                leaf = ellipsoid((radius * 0.35, radius * 0.15, radius * 0.03), segments=8, rings=4)
                parts.add(transform(leaf, rotation=rotation_z(angle), translation=tip), green)
            else:
                parts.add(ellipsoid((radius * 0.18, radius * 0.18, radius * 0.07), tip, segments=8, rings=4), bloom)
        words = f"{count(n_stems, 'leafy stem')}" if plant == "leafy" else f"{count(n_stems, bloom.colour + ' flower')}"
    saucer = bool(rng.random() < 0.4)
    if saucer:
        parts.add(_vessel([radius * 0.9, radius * 1.0], [0.0, height * 0.08], 0.005), finish)
    captions = (
        f"{article(finish.full)} flowerpot with {words}",
        f"a potted plant in {article(finish.colour)} pot" + (" on a saucer" if saucer else ""),
        f"a {finish.material} flower pot holding soil and {words}",
        f"a house plant growing in a {grade(height / radius, (1.2, 1.4), ('wide', 'round', 'tall'))} planter",
    )
    return BuiltShape(parts, captions)


def _puffy_slab(length: float, width: float, thickness: float, n: int = 10) -> np.ndarray:
    """A closed cushion lying on z = 0: two height fields that meet at the rim and bulge most in the middle."""
    u = np.linspace(-1.0, 1.0, n + 1)
    grid_u, grid_v = np.meshgrid(u, u, indexing="ij")
    bulge = thickness / 2 * np.sqrt((1 - np.abs(grid_u) ** 3) * (1 - np.abs(grid_v) ** 3))
    surfaces = []
    for sign in (1.0, -1.0):
        grid = np.stack([grid_u * length / 2, grid_v * width / 2, thickness / 2 + sign * bulge], axis=-1)
        a, b, c, d = grid[:-1, :-1], grid[:-1, 1:], grid[1:, :-1], grid[1:, 1:]
        surfaces += [np.stack([a, b, d], axis=2).reshape(-1, 3, 3), np.stack([a, d, c], axis=2).reshape(-1, 3, 3)]
    return np.concatenate(surfaces)


@register_category("pillow", "Soft cushion lying flat: a rectangular bed pillow or square cushion (two bulging surfaces pinched at the rim, thickest in the middle), a round cushion, or a cylindrical bolster with rounded ends.", source=shapenet_source("pillow"))
def build_pillow(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "cream", "light blue", "grey", "beige", "pink", "yellow", "navy blue", "red", "teal"), "fabric")
    kind = str(rng.choice(["bed pillow", "square cushion", "round cushion", "bolster"]))
    if kind == "bolster":
        length, radius = rng.uniform(0.4, 0.8), rng.uniform(0.08, 0.13)
        t = np.linspace(-1.0, 1.0, 11)
        radii = radius * np.sqrt(np.clip(1 - np.abs(t) ** 6, 0.0, 1.0))
        parts.add(transform(lathe(radii, t * length / 2, 16), rotation=rotation_y(np.pi / 2), translation=(0, 0, radius)), finish)
        size = length
    elif kind == "round cushion":
        radius, thick = rng.uniform(0.18, 0.25), rng.uniform(0.06, 0.12)
        t = np.linspace(0.0, np.pi, 9)
        parts.add(lathe(radius * (0.85 + 0.15 * np.sin(t)) * np.sin(t) ** 0.3, thick / 2 * (1 - np.cos(t)), 24), finish)
        size = 2 * radius
    else:
        length = rng.uniform(0.6, 0.75) if kind == "bed pillow" else rng.uniform(0.35, 0.5)
        width = rng.uniform(0.4, 0.5) if kind == "bed pillow" else length * rng.uniform(0.95, 1.0)
        thick = rng.uniform(0.1, 0.2)
        parts.add(_puffy_slab(length, width, thick), finish)
        size = length
    piped = kind != "bolster" and rng.random() < 0.3
    trim = paint(rng, ("white", "gold", "black", "navy blue", "red"))
    if piped and kind == "round cushion":
        parts.add(transform(torus(radius * 0.85, 0.008, segments=24, tube_segments=4), translation=(0, 0, thick / 2)), trim)
    elif piped:
        rim = [(sx * length / 2, sy * width / 2, thick / 2) for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1))]
        parts.add(tube(rim, 0.007, segments=5), trim)
    captions = (
        f"{article(finish.colour)} {kind}, a soft fabric pillow",
        f"a {grade(size, (0.45, 0.65), ('small', 'medium', 'large'))} {finish.colour} cushion" + (f" with {trim.colour} piping" if piped else ""),
        f"a fluffy pillow for resting your head, shaped like {article(kind)}",
        f"a stuffed {finish.full} cushion lying flat",
    )
    return BuiltShape(parts, captions)


def _clock_face(parts: Assembly, rng: np.random.Generator, center, radius: float, hands_finish, n_ticks: int) -> None:
    """Hour ticks and two hands on a vertical dial facing -y whose centre is ``center``."""
    cx, cy, cz = center
    for angle in 2 * np.pi * np.arange(n_ticks) / n_ticks:
        tick = box((radius * 0.04, 0.004, radius * 0.14), (0, 0, radius * 0.8))
        parts.add(transform(tick, rotation=rotation_y(angle), translation=(cx, cy - 0.003, cz)), hands_finish)
    for length, width in ((0.5, 0.06), (0.75, 0.035)):
        hand = box((radius * width, 0.003, radius * length), (0, 0, radius * length / 2))
        parts.add(transform(hand, rotation=rotation_y(rng.uniform(0.0, 2 * np.pi)), translation=(cx, cy - 0.008, cz)), hands_finish)


@register_category("clock", "Round dial with hour ticks and two hands: a thin wall clock disc with a rim ring, or a drum-shaped alarm clock with two bells on top, a carrying loop and two feet.", source=shapenet_source("clock"))
def build_clock(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    alarm = bool(rng.random() < 0.45)
    finish = paint(rng, ("white", "black", "red", "blue", "silver", "gold", "green", "brown"), "metal" if alarm else None)
    dial = fixed("white", rng) if finish.colour != "white" else fixed("cream", rng)
    hands = fixed("black", rng)
    radius = rng.uniform(0.05, 0.08) if alarm else rng.uniform(0.12, 0.2)
    depth = radius * (rng.uniform(0.4, 0.6) if alarm else rng.uniform(0.08, 0.15))
    flat = rotation_x(np.pi / 2)  # +z onto -y: discs face the viewer
    lift = radius * 0.25 if alarm else 0.0
    center = (0.0, 0.0, radius + lift)
    parts.add(transform(cylinder(radius, depth, segments=28), rotation=flat, translation=(0, depth / 2, center[2])), finish)
    parts.add(transform(cylinder(radius * 0.9, 0.002, segments=28), rotation=flat, translation=(0, -depth / 2, center[2])), dial)
    n_ticks = int(rng.choice([4, 12]))
    _clock_face(parts, rng, (0.0, -depth / 2 - 0.002, center[2]), radius * 0.9, hands, n_ticks)
    if alarm:
        for side in (-1, 1):
            bell_center = (side * radius * 0.6, 0, center[2] + radius * 0.85)
            bell = lathe(radius * 0.45 * np.sin(np.linspace(0, np.pi / 2, 5)), radius * 0.35 * np.cos(np.linspace(0, np.pi / 2, 5)), 14)
            parts.add(transform(bell, rotation=rotation_y(side * 0.6), translation=bell_center), finish)
            parts.add(rod((side * radius * 0.5, 0, lift * 0.2), (side * radius * 0.7, 0, center[2] - radius * 0.8), radius * 0.06, segments=6), finish)
        parts.add(transform(torus(radius * 0.35, radius * 0.04, arc=np.pi, segments=10, tube_segments=5), rotation=flat, translation=(0, 0, center[2] + radius * 1.05)), finish)
        noun, extra = "alarm clock", "two bells on top"
    else:
        parts.add(transform(torus(radius, depth * 0.5, segments=28, tube_segments=6), rotation=flat, translation=(0, 0, center[2])), finish)
        noun, extra = "wall clock", f"{article(finish.colour)} rim"
    marks = "four hour marks" if n_ticks == 4 else "twelve hour marks"
    captions = (
        f"{article(finish.colour)} {noun} with {extra}",
        f"a round clock face with {marks} and two black hands",
        f"{article(noun)} for telling the time",
        f"a {grade(radius, (0.07, 0.15), ('small', 'medium', 'large'))} analog clock with a white dial",
    )
    return BuiltShape(parts, captions)


def _dome(radius: float, height: float, *, start: float = 0.0, segments: int = 20) -> np.ndarray:
    """Open-bottomed dome of revolution (quarter ellipse) from polar angle ``start`` (below the equator when
    negative) up to the pole, its equator on z = 0."""
    t = np.linspace(start, np.pi / 2, 8)
    return lathe(radius * np.cos(t), height * np.sin(t), segments)


@register_category("cap", "Baseball cap: a soft rounded crown (half ellipsoid) with a top button and a stiff curved visor sticking out at the front.", source=shapenet_source("cap"))
def build_cap(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("red", "blue", "black", "white", "navy blue", "green", "grey", "yellow", "orange", "pink"), "fabric")
    visor_finish = finish if rng.random() < 0.6 else paint(rng, ("black", "white", "red", "navy blue", "grey"))
    radius = rng.uniform(0.09, 0.1)
    crown_h = radius * rng.uniform(0.8, 1.1)
    parts.add(transform(_dome(radius, crown_h), scale=(1.12, 1.0, 1.0)), finish)
    parts.add(transform(sphere(radius * 0.08, segments=8, rings=4), translation=(0, 0, crown_h)), finish)
    visor_len = radius * rng.uniform(0.6, 0.85)
    n = 9
    angles = np.linspace(-np.pi / 2, np.pi / 2, n)
    outline = [(visor_len * np.cos(a), radius * 0.95 * np.sin(a)) for a in angles]  # inner edge on x = 0
    visor = transform(prism(outline, 0.006), rotation=rotation_x(np.pi / 2))
    tilt = rng.uniform(0.05, 0.35)
    parts.add(transform(visor, rotation=rotation_y(tilt), translation=(radius * 1.05, 0, radius * 0.1)), visor_finish)
    kind = "flat-brim" if tilt < 0.15 else "curved-brim"
    captions = (
        f"{article(finish.full)} baseball cap with {article(visor_finish.colour)} visor",
        f"a {kind} cap worn on the head to shade the eyes",
        f"{article(finish.colour)} sports cap with a rounded crown and a peak",
        f"a {finish.colour} hat with a visor, a baseball cap",
    )
    return BuiltShape(parts, captions)


@register_category("helmet", "Protective head shell: a vented bicycle helmet (elongated dome, dark vent slots, chin straps), a full-face motorcycle helmet (near-complete sphere with a dark visor band) or a construction hard hat (dome, all-round brim, top ridge).", source=shapenet_source("helmet"))
def build_helmet(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["bicycle helmet", "motorcycle helmet", "hard hat"]))
    finish = paint(rng, ("yellow", "orange", "white", "red", "blue") if kind == "hard hat" else ("red", "black", "white", "blue", "silver", "green", "yellow", "grey"), "plastic")
    dark = fixed("black", rng)
    radius = rng.uniform(0.11, 0.13)
    if kind == "bicycle helmet":
        parts.add(transform(_dome(radius, radius * 0.9), scale=(1.3, 1.0, 1.0)), finish)
        n_vents = int(rng.integers(3, 7))
        for k in range(n_vents):
            angle = np.pi * (k + 1) / (n_vents + 1)
            vent = box((radius * 0.6, radius * 0.08, 0.004), (0, 0, 0))
            x, z = 1.3 * radius * np.cos(angle) * 0.9, radius * 0.9 * np.sin(angle) * 0.92
            parts.add(transform(vent, rotation=rotation_y(np.pi / 2 - angle), translation=(x, 0, z)), dark)
        for y in (-radius * 0.9, radius * 0.9):
            parts.add(rod((0, y, 0), (radius * 0.2, y * 0.5, -radius * 0.9), 0.004, segments=4), dark)
        details = f"{count(n_vents, 'vent')} and chin straps"
    elif kind == "motorcycle helmet":
        parts.add(transform(_dome(radius * 1.1, radius * 1.1, start=-0.9), translation=(0, 0, radius * 0.86)), finish)
        band = sphere(radius * 1.12, segments=24, rings=12)
        centers = band.mean(axis=1)
        visor = band[(centers[:, 0] > radius * 0.5) & (np.abs(centers[:, 2]) < radius * 0.35)]
        parts.add(transform(visor, translation=(0, 0, radius * 0.86)), dark)
        details = "a dark visor across the face"
    else:
        parts.add(_dome(radius, radius * 1.0), finish)
        brim = lathe([radius, radius * 1.35, radius * 1.35, radius], [0.0, -0.01, -0.016, -0.006], 24)
        parts.add(transform(brim, scale=(1.1, 1.0, 1.0), translation=(0, 0, 0.016)), finish)
        parts.add(transform(torus(radius * 0.95, 0.01, arc=np.pi, segments=12, tube_segments=4), rotation=rotation_x(np.pi / 2)), finish)
        details = "a brim all around and a ridge on top"
    captions = (
        f"{article(finish.colour)} {kind} with {details}",
        f"a protective {finish.material} helmet for the head",
        f"{article(kind)}, a {finish.colour} safety helmet",
        f"a hard {finish.colour} shell helmet worn to protect the head",
    )
    return BuiltShape(parts, captions)


@register_category("barrel", "Bulging barrel of revolution with 2-4 hoops: a wooden stave barrel or a metal or plastic drum with a bung on the lid; standing upright or lying on its side.", source=EVERYDAY_SOURCE)
def build_barrel(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    wooden = bool(rng.random() < 0.55)
    finish = wood(rng) if wooden else paint(rng, ("blue", "red", "yellow", "green", "black", "grey", "orange"), str(rng.choice(["metal", "plastic"])))
    hoop = metal(rng, ("black", "dark grey", "silver")) if wooden else finish
    radius = rng.uniform(0.25, 0.35)
    height = radius * rng.uniform(2.2, 3.0)
    bulge = rng.uniform(0.12, 0.22) if wooden else rng.uniform(0.02, 0.06)
    t = np.linspace(0.0, 1.0, 11)
    profile = radius * (1.0 + bulge * np.sin(np.pi * t))
    parts.add(lathe(np.concatenate([[0.0], profile, [0.0]]), np.concatenate([[0.0], t * height, [height]]), 24), finish)
    n_hoops = int(rng.choice([2, 3, 4])) if wooden else 2
    for z in np.linspace(0.12, 0.88, n_hoops):
        parts.add(transform(torus(radius * (1.0 + bulge * np.sin(np.pi * z)) * 1.005, radius * 0.03, segments=24, tube_segments=4), translation=(0, 0, z * height)), hoop)
    if not wooden:
        parts.add(transform(cylinder(radius * 0.12, radius * 0.06, segments=10), translation=(radius * 0.5, 0, height)), hoop)
    lying = bool(rng.random() < 0.3)
    if lying:
        posed(parts, rotation=rotation_y(np.pi / 2), translation=(-height / 2, 0, radius * (1 + bulge)))
    noun = "wooden barrel" if wooden else f"{finish.material} drum"
    captions = (
        f"{article(finish.full)} barrel with {count(n_hoops, 'hoop')}",
        f"a {noun} {'lying on its side' if lying else 'standing upright'}",
        f"a round {'bulging' if bulge > 0.1 else 'straight-sided'} barrel for storing liquids",
        f"a {finish.colour} cask, a barrel with {hoop.colour} bands",
    )
    return BuiltShape(parts, captions)


@register_category("bucket", "Open pail widening upwards with a rolled rim and a thin semicircular bail handle pivoting on two ears (raised or tilted down).", source=EVERYDAY_SOURCE)
def build_bucket(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["metal", "plastic"]))
    finish = (metal(rng, ("silver", "grey")) if material == "metal"
              else paint(rng, ("red", "blue", "yellow", "green", "black", "white", "orange"), "plastic"))
    radius = rng.uniform(0.11, 0.16)
    height = radius * rng.uniform(1.2, 1.8)
    bottom = radius * rng.uniform(0.7, 0.85)
    parts.add(_vessel([bottom, radius], [0.0, height], 0.004), finish)
    parts.add(transform(torus(radius, 0.006, segments=24, tube_segments=4), translation=(0, 0, height)), finish)
    pivot_z = height * 0.9
    for side in (-1, 1):
        parts.add(box((0.01, 0.03, 0.04), (side * radius * 0.98, 0, pivot_z)), finish)
    tilt = rng.uniform(0.0, 1.2)
    handle = tube(arc((0, 0, 0), radius * 1.02, 0.0, np.pi, 9), 0.004, segments=5)
    parts.add(transform(handle, rotation=rotation_x(tilt), translation=(0, 0, pivot_z)), metal(rng, ("silver", "black")))
    grip = bool(rng.random() < 0.5)
    if grip:
        parts.add(transform(rod((-0.05, 0, radius * 1.02), (0.05, 0, radius * 1.02), 0.01, segments=8), rotation=rotation_x(tilt), translation=(0, 0, pivot_z)), fixed("black", rng, "plastic"))
    captions = (
        f"{article(finish.full)} bucket with a wire handle" + (" and a grip" if grip else ""),
        f"a {finish.colour} pail {'with its handle up' if tilt < 0.5 else 'with its handle tilted down'}",
        f"an open bucket for carrying water, made of {material}",
        f"a {grade(height / radius, (1.4, 1.6), ('wide', 'medium', 'deep'))} {finish.colour} bucket",
    )
    return BuiltShape(parts, captions)


@register_category("watering can", "Closed body (upright cylinder or oval tank) with a long straight spout rising from its lower front ending in a sprinkler rose, a filling opening and a handle arching over the top or at the back.", source=EVERYDAY_SOURCE)
def build_watering_can(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["plastic", "metal"]))
    finish = (paint(rng, ("green", "dark green", "blue", "red", "yellow", "orange"), "plastic") if material == "plastic"
              else metal(rng, ("silver", "grey", "copper")))
    radius = rng.uniform(0.08, 0.12)
    height = radius * rng.uniform(1.6, 2.6)
    oval = rng.uniform(1.0, 1.4)
    parts.add(transform(cylinder(radius, height, segments=20), scale=(oval, 1.0, 1.0)), finish)
    spout_len = height * rng.uniform(1.0, 1.5)
    angle = rng.uniform(0.5, 0.9)
    start = np.array([radius * oval * 0.9, 0.0, height * 0.15])
    end = start + spout_len * np.array([np.cos(angle), 0.0, np.sin(angle)])
    parts.add(rod(start, end, radius * 0.1, top_radius=radius * 0.07, segments=8), finish)
    rose = bool(rng.random() < 0.7)
    if rose:
        parts.add(rod(end, end + 0.2 * radius * np.array([np.cos(angle), 0, np.sin(angle)]), radius * 0.1, top_radius=radius * 0.3, segments=10), finish)
    parts.add(transform(cylinder(radius * 0.3, radius * 0.3, segments=12), translation=(radius * oval * 0.3, 0, height)), finish)
    over_top = bool(rng.random() < 0.5)
    if over_top:
        handle = arc((-radius * oval * 0.3, 0, height), radius * oval * 0.55, 0.0, np.pi, 9)
    else:  # a D-shaped loop standing out of the back
        handle = arc((-radius * oval * 0.9, 0, height * 0.6), height * 0.35, np.pi / 2, 3 * np.pi / 2, 9)
    parts.add(tube(handle, radius * 0.08, segments=6), finish)
    captions = (
        f"{article(finish.full)} watering can with a long spout",
        f"a garden watering can with {'a handle over the top' if over_top else 'a handle at the back'}" + (" and a sprinkler rose" if rose else ""),
        f"{article(finish.colour)} can for watering plants, with a spout",
        f"a {material} watering pot for the garden",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
