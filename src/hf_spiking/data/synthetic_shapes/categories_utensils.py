"""Kitchen utensils and hand tools: kettles, teapots, frying pans, spoons, knives, hammers, screwdrivers and wrenches
(registered after the household categories; see ``categories.EXTENSION_MODULES``).

Vessels stand on z = 0; the long hand-held objects lie flat on a table along x, the way they are usually seen.
Their layouts differ in the working end: a bowl, a blade, a head across the handle, a thin shaft, jaws or rings.
"""

from __future__ import annotations

import numpy as np

from .categories import EVERYDAY_SOURCE, Assembly, BuiltShape, _vessel, register_category, shapenet_source
from .finishes import article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import arc, ellipsoid, tube


def _lid(parts: Assembly, radius: float, z: float, finish, knob) -> None:
    """A low domed lid of ``radius`` sitting at height ``z`` with a small ball knob on top."""
    t = np.linspace(0.0, np.pi / 2, 5)
    rise = radius * 0.3
    parts.add(transform(lathe(radius * np.cos(t), rise * np.sin(t), 20), translation=(0, 0, z)), finish)
    parts.add(transform(sphere(radius * 0.18, segments=8, rings=5), translation=(0, 0, z + rise + radius * 0.1)), knob)


@register_category("kettle", "Water kettle: a tall electric jug (body tapering upwards on a flat power base, a D-shaped handle down its back, a short spout at the top front) or a squat stovetop kettle (round body, curved spout from low on the front, a handle arching over the lid).", source=EVERYDAY_SOURCE)
def build_kettle(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    electric = bool(rng.random() < 0.5)
    material = "stainless steel" if rng.random() < 0.45 else "plastic"
    finish = (paint(rng, ("silver",), material) if material == "stainless steel"
              else paint(rng, ("white", "black", "red", "cream", "blue", "green", "grey"), material))
    accent = fixed("black", rng, "plastic")
    radius = rng.uniform(0.07, 0.1)
    if electric:
        height = radius * rng.uniform(2.0, 2.8)
        top_r = radius * rng.uniform(0.7, 0.85)
        parts.add(cylinder(radius * 1.1, 0.02, segments=20), accent)
        parts.add(transform(cylinder(radius, height, top_radius=top_r, segments=20), translation=(0, 0, 0.02)), finish)
        back = np.array([-(radius + top_r) / 2, 0, 0])
        parts.add(tube([back + (0, 0, height * 0.95), back + (-radius * 0.6, 0, height * 0.85),
                        back + (-radius * 0.6, 0, height * 0.35), back + (0, 0, height * 0.25)], radius * 0.1, segments=6), accent)
        parts.add(rod((top_r * 0.8, 0, height * 0.85), (top_r * 1.4, 0, height * 1.0), radius * 0.15, top_radius=radius * 0.08, segments=8), finish)
        _lid(parts, top_r * 0.9, height + 0.02, finish, accent)
        kind, handle = "electric kettle", "a handle down its back"
    else:
        height = radius * rng.uniform(1.2, 1.7)
        t = np.linspace(0.0, np.pi, 9)
        radii = radius * (0.75 + 0.35 * np.sin(t))
        radii[-1] = radius * 0.5
        parts.add(lathe(np.concatenate([[0.0], radii]), np.concatenate([[0.0], height * (1 - np.cos(t)) / 2]), 22), finish)
        spout = [(radius * 0.9, 0, height * 0.3), (radius * 1.4, 0, height * 0.6), (radius * 1.7, 0, height * 0.95)]
        parts.add(tube(spout, radius * 0.1, segments=6), finish)
        parts.add(tube(arc((0, 0, height), radius * 0.55, 0.0, np.pi, 9) * [1, 1, 1.3] + [0, 0, -height * 0.3], radius * 0.07, segments=6), accent)
        _lid(parts, radius * 0.5, height, finish, accent)
        kind, handle = "stovetop kettle", "a handle arching over the lid"
    captions = (
        f"{article(finish.full)} {kind} with {handle}",
        f"a {finish.colour} kettle for boiling water, with a spout and a lid",
        f"{article(kind)} made of {material}",
        f"a {grade(height / radius, (1.6, 2.3), ('squat', 'medium', 'tall'))} {finish.colour} water kettle",
    )
    return BuiltShape(parts, captions)


@register_category("teapot", "Round bulbous pot of revolution on a flat base with a long S-curved spout rising from low on one side, a loop handle on the opposite side and a small lid with a knob.", source=EVERYDAY_SOURCE)
def build_teapot(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["porcelain", "ceramic", "cast iron", "glass"]))
    colours = {"cast iron": ("black", "dark grey", "dark green", "dark red"), "glass": ("white", "light blue")}
    finish = paint(rng, colours.get(material, ("white", "cream", "blue", "green", "brown", "red", "pink", "yellow", "teal")), material)
    radius = rng.uniform(0.07, 0.11)
    height = radius * rng.uniform(1.1, 1.6)
    t = np.linspace(0.0, np.pi, 11)
    radii = radius * np.maximum(np.sin(t) ** 0.8, 0.55)
    radii[-1] = radius * 0.5
    parts.add(lathe(np.concatenate([[0.0], radii]), np.concatenate([[0.0], height * (1 - np.cos(t)) / 2]), 24), finish)
    reach = radius * rng.uniform(0.6, 1.0)
    spout = [(radius * 0.85, 0, height * 0.25), (radius + reach * 0.4, 0, height * 0.4),
             (radius + reach * 0.7, 0, height * 0.7), (radius + reach, 0, height * 0.95)]
    parts.add(tube(spout, radius * 0.09, segments=7), finish)
    handle = transform(torus(height * 0.3, radius * 0.06, arc=np.pi, segments=12, tube_segments=6), rotation=rotation_x(np.pi / 2))
    parts.add(transform(handle, rotation=rotation_y(-np.pi / 2), translation=(-radius * 0.95, 0, height * 0.55)), finish)
    _lid(parts, radius * 0.5, height, finish, finish)
    captions = (
        f"{article(finish.full)} teapot with a curved spout and a loop handle",
        f"a round {finish.colour} teapot for brewing tea",
        f"a {grade(height / radius, (1.25, 1.45), ('squat', 'round', 'tall'))} {finish.material} tea pot with a lid",
        f"{article(finish.colour)} teapot, a pot with a spout for serving tea",
    )
    return BuiltShape(parts, captions)


@register_category("frying pan", "Shallow round pan with a flat bottom and low flared walls and one long straight handle sticking out from the rim (skillets and woks vary the depth), sometimes a small helper handle opposite.", source=EVERYDAY_SOURCE)
def build_frying_pan(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["frying pan", "skillet", "wok"]))
    material = "cast iron" if kind == "skillet" else str(rng.choice(["metal", "stainless steel"]))
    body = paint(rng, ("black", "dark grey") if material != "stainless steel" else ("silver",), material)
    radius = rng.uniform(0.11, 0.16)
    depth = radius * (rng.uniform(0.45, 0.6) if kind == "wok" else rng.uniform(0.18, 0.3))
    if kind == "wok":
        t = np.linspace(0.0, np.pi / 2, 7)
        parts.add(_vessel(radius * (0.35 + 0.65 * np.sin(t)), depth * (1 - np.cos(t)), 0.004), body)
    else:
        parts.add(_vessel([radius * 0.82, radius], [0.0, depth], 0.005), body)
    handle_material = str(rng.choice(["wooden", "plastic", "metal"])) if kind != "skillet" else "metal"
    handle = wood(rng) if handle_material == "wooden" else (body if handle_material == "metal" else fixed("black", rng, "plastic"))
    length = radius * rng.uniform(1.2, 1.8)
    rise = rng.uniform(0.1, 0.3)
    start = np.array([radius * 0.95, 0, depth * 0.8])
    end = start + length * np.array([np.cos(rise), 0, np.sin(rise)])
    parts.add(rod(start, end, radius * 0.07, top_radius=radius * 0.09, segments=8), handle)
    helper = bool(rng.random() < 0.35)
    if helper:
        # A half ring in the xy plane (y >= 0) turned to stick out of the rim opposite the handle.
        loop = torus(radius * 0.12, radius * 0.03, arc=np.pi, segments=8, tube_segments=4)
        parts.add(transform(loop, rotation=rotation_z(np.pi / 2), translation=(-radius * 0.98, 0, depth * 0.85)), body)
    captions = (
        f"{article(body.full)} {kind} with {article(handle_material)} handle",
        f"a frying pan for cooking, {'deep and round' if kind == 'wok' else 'shallow and flat'}" + (" with a helper handle" if helper else ""),
        f"a {body.colour} {kind}, a cooking pan with a long handle",
        f"a round {material} pan used on a stove",
    )
    return BuiltShape(parts, captions)


def _dish(radii) -> np.ndarray:
    """The lower half of an ellipsoid surface with semi-axes ``radii``: a spoon's or ladle's open bowl, rim on z = 0."""
    half = sphere(1.0, segments=16, rings=8)
    return transform(half[half[:, :, 2].max(axis=1) <= 1e-9], scale=tuple(radii))


@register_category("spoon", "Lying flat: an oval open bowl (half ellipsoid) at one end of a long thin handle that rises gently and widens at its end; teaspoons, tablespoons, wooden spoons and deep round ladles with a hooked handle.", source=EVERYDAY_SOURCE)
def build_spoon(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["teaspoon", "tablespoon", "wooden spoon", "ladle"]))
    finish = wood(rng) if kind == "wooden spoon" else metal(rng, ("silver", "silver", "gold", "copper"))
    scale = {"teaspoon": 0.13, "tablespoon": 0.19, "wooden spoon": 0.3, "ladle": 0.3}[kind] * rng.uniform(0.9, 1.1)
    bowl_len = scale * (0.45 if kind == "ladle" else rng.uniform(0.28, 0.36))
    bowl_w = bowl_len * (1.0 if kind == "ladle" else rng.uniform(0.55, 0.75))
    bowl_d = bowl_w * (0.6 if kind == "ladle" else rng.uniform(0.15, 0.3))
    parts.add(transform(_dish((bowl_len / 2, bowl_w / 2, bowl_d)), translation=(0, 0, bowl_d)), finish)
    handle_len = scale - bowl_len
    thick = 0.012 if kind == "wooden spoon" else 0.004
    lift = handle_len * rng.uniform(0.05, 0.2) + (handle_len * 0.4 if kind == "ladle" else 0.0)
    start, end = np.array([bowl_len / 2 * 0.9, 0, bowl_d]), np.array([bowl_len / 2 + handle_len, 0, bowl_d + lift])
    parts.add(rod(start, end, thick, top_radius=thick * 1.6, segments=6), finish)
    if kind == "ladle":
        parts.add(tube(arc(end + [0, 0, -scale * 0.04], scale * 0.04, np.pi / 2, -np.pi / 2, 6), thick, segments=5), finish)
    captions = (
        f"{article(finish.full)} {kind} lying on the table",
        f"a spoon with {'a deep round' if kind == 'ladle' else 'an oval'} bowl and a long {finish.short} handle",
        f"{article(kind)}, {'a large serving spoon' if kind == 'ladle' else 'cutlery for eating or stirring'}",
        f"a {grade(scale, (0.16, 0.25), ('small', 'medium-sized', 'long'))} {finish.colour} spoon",
    )
    return BuiltShape(parts, captions)


@register_category("knife", "Kitchen knife lying flat: a thin blade (straight spine, edge curving up to a point, or a round-ended butter knife) and a thicker handle with rivets or a metal grip.", source=shapenet_source("knife"))
def build_knife(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["chef's knife", "bread knife", "paring knife", "butter knife"]))
    steel = fixed("silver", rng, "metal")
    blade_len = {"chef's knife": 0.2, "bread knife": 0.22, "paring knife": 0.09, "butter knife": 0.11}[kind] * rng.uniform(0.85, 1.15)
    width = blade_len * {"chef's knife": 0.22, "bread knife": 0.12, "paring knife": 0.2, "butter knife": 0.16}[kind] * rng.uniform(0.85, 1.15)
    if kind == "butter knife":
        profile = [(0, 0), (blade_len * 0.85, 0), (blade_len, width * 0.5), (blade_len * 0.85, width), (0, width)]
    elif kind == "bread knife":
        profile = [(0, 0), (blade_len * 0.95, 0), (blade_len, width * 0.6), (blade_len * 0.9, width), (0, width)]
    else:
        profile = [(0, 0), (blade_len * 0.6, 0), (blade_len * 0.85, width * 0.25), (blade_len, width), (0, width)]
    # The blade is drawn in the xz plane (edge at the bottom), then laid flat on its side.
    parts.add(transform(prism(profile, 0.002), rotation=rotation_x(np.pi / 2), translation=(0, width / 2, 0.008)), steel)
    handle_len = blade_len * (0.6 if kind != "paring knife" else 0.9)
    handle = steel if kind == "butter knife" else (wood(rng) if rng.random() < 0.5 else paint(rng, ("black", "red", "white", "blue"), "plastic"))
    parts.add(ellipsoid((handle_len / 2, width * 0.35, 0.009), (-handle_len / 2, 0, 0.009)), handle)
    rivets = 0 if kind == "butter knife" else int(rng.choice([0, 2, 3]))
    for x in np.linspace(-handle_len * 0.75, -handle_len * 0.25, rivets):
        parts.add(transform(cylinder(0.004, 0.004, segments=8), translation=(x, 0, 0.016)), steel)
    captions = (
        f"{article(kind)} with {article(handle.full)} handle",
        f"a {grade(blade_len, (0.12, 0.18), ('small', 'medium', 'long'))} kitchen knife with a steel blade" + (f" and {count(rivets, 'rivet')}" if rivets else ""),
        "a sharp knife for cutting food, lying flat",
        f"a metal blade knife, {kind}",
    )
    return BuiltShape(parts, captions)


@register_category("hammer", "Lying flat: a straight handle with a head across its end: a claw hammer (round striking face one side, two curved claws the other), a sledgehammer (long handle, heavy block head) or a mallet (wooden or rubber drum head).", source=EVERYDAY_SOURCE)
def build_hammer(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["claw hammer", "sledgehammer", "mallet"]))
    handle = wood(rng) if rng.random() < 0.6 else paint(rng, ("black", "red", "yellow", "orange", "blue"), "rubber")
    length = {"claw hammer": 0.32, "sledgehammer": 0.8, "mallet": 0.3}[kind] * rng.uniform(0.85, 1.15)
    grip = length * 0.045
    parts.add(rod((0, 0, grip), (length, 0, grip), grip, top_radius=grip * 0.8, segments=8), handle)
    head_len = length * {"claw hammer": 0.4, "sledgehammer": 0.3, "mallet": 0.38}[kind]
    head_r = grip * {"claw hammer": 1.3, "sledgehammer": 2.8, "mallet": 2.6}[kind]
    x = length - head_r * 0.6
    if kind == "claw hammer":
        head = metal(rng, ("silver", "black", "grey"))
        parts.add(rod((x, 0, head_r), (x, head_len * 0.5, head_r), head_r, segments=10), head)
        claw = [(x, 0, head_r), (x, -head_len * 0.25, head_r * 1.05), (x - head_r * 0.6, -head_len * 0.45, head_r * 1.1)]
        for dz in (-head_r * 0.45, head_r * 0.45):
            parts.add(tube(np.array(claw) + [0, 0, dz], head_r * 0.4, segments=6), head)
    elif kind == "sledgehammer":
        head = metal(rng, ("black", "dark grey", "silver"))
        parts.add(box((head_r * 2, head_len, head_r * 2), (x, 0, head_r)), head)
    else:
        head = wood(rng) if rng.random() < 0.5 else fixed("black", rng, "rubber")
        parts.add(rod((x, -head_len / 2, head_r), (x, head_len / 2, head_r), head_r, segments=16), head)
    captions = (
        f"{article(kind)} with {article(handle.full)} handle",
        f"a hammer with {article(head.full)} head, lying on its side",
        f"a {'heavy ' if kind == 'sledgehammer' else ''}hammer for driving nails or striking",
        f"a {grade(length, (0.35, 0.6), ('short', 'medium', 'long'))}-handled {kind}, a hand tool",
    )
    return BuiltShape(parts, captions)


@register_category("screwdriver", "Lying flat: a fat ribbed handle of revolution, a long thin steel shaft and a flat-blade or cross-point tip.", source=EVERYDAY_SOURCE)
def build_screwdriver(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    handle = paint(rng, ("red", "yellow", "blue", "black", "orange", "green"), "plastic") if rng.random() < 0.8 else wood(rng)
    steel = fixed("silver", rng, "metal")
    handle_len, handle_r = rng.uniform(0.08, 0.12), rng.uniform(0.012, 0.02)
    shaft_len = handle_len * rng.uniform(0.8, 2.0)
    n_ribs = int(rng.integers(4, 9))
    t = np.linspace(0.0, 1.0, 2 * n_ribs + 1)
    radii = handle_r * (0.9 + 0.1 * np.cos(2 * np.pi * n_ribs * t)) * np.minimum(1.0, 3 * np.minimum(t, 1 - t) + 0.6)
    grip = lathe(np.concatenate([[0.0], radii, [0.0]]), np.concatenate([[0.0], t * handle_len, [handle_len]]), 14)
    parts.add(transform(grip, rotation=rotation_y(np.pi / 2), translation=(0, 0, handle_r)), handle)
    shaft_r = handle_r * rng.uniform(0.18, 0.28)
    tip = np.array([handle_len + shaft_len, 0, handle_r])
    parts.add(rod((handle_len, 0, handle_r), tip, shaft_r, segments=8), steel)
    flat = bool(rng.random() < 0.5)
    if flat:
        parts.add(box((shaft_r * 4, shaft_r * 2.6, shaft_r * 0.6), tuple(tip + [shaft_r * 2, 0, 0])), steel)
    else:
        parts.add(rod(tip, tip + [shaft_r * 4, 0, 0], shaft_r, top_radius=0.0, segments=4), steel)
    tip_words = "a flat-blade tip" if flat else "a cross-point Phillips tip"
    captions = (
        f"{article(handle.full)}-handled screwdriver with {tip_words}",
        f"a screwdriver with a {grade(shaft_len / handle_len, (1.1, 1.6), ('short', 'medium', 'long'))} steel shaft",
        f"a hand tool for turning screws, {article(handle.colour)} screwdriver lying flat",
        f"a screwdriver with a ribbed {handle.colour} grip",
    )
    return BuiltShape(parts, captions)


@register_category("wrench", "Flat steel spanner lying on a table: a long flat handle with an open C-shaped jaw at one or both ends, a closed ring at the other end, or an adjustable head with a sliding jaw.", source=EVERYDAY_SOURCE)
def build_wrench(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["combination wrench", "open-end wrench", "adjustable wrench"]))
    steel = metal(rng, ("silver", "silver", "grey", "black"))
    length = rng.uniform(0.12, 0.3)
    thick = length * 0.025
    width = length * rng.uniform(0.08, 0.12)
    parts.add(box((length, width, thick), (0, 0, thick / 2)), steel)
    jaw_r = width * rng.uniform(0.9, 1.3)

    def open_jaw(x: float, facing: float, radius: float) -> None:
        # A thick ring with its outer quarter missing: the gap faces away from the handle.
        jaw = torus(radius, thick * 1.2, arc=1.5 * np.pi, segments=14, tube_segments=6)  # gap centred on -pi/4
        turn = np.pi / 4 + (0.0 if facing > 0 else np.pi)
        parts.add(transform(jaw, rotation=rotation_z(turn), translation=(x + facing * radius, 0, thick * 1.2)), steel)

    if kind == "adjustable wrench":
        open_jaw(length / 2, 1.0, jaw_r * 1.4)
        # The knurled worm screw that sets the jaw opening, under the jaw.
        parts.add(rod((length / 2 + jaw_r * 0.6, -jaw_r * 0.8, thick * 1.2), (length / 2 + jaw_r * 0.6, -jaw_r * 0.2, thick * 1.2), thick * 1.4, segments=10), steel)
        parts.add(transform(torus(width * 0.25, thick * 0.6, segments=12, tube_segments=4), translation=(-length / 2 + width * 0.5, 0, thick)), steel)
        ends = "an adjustable jaw and a hanging hole"
    else:
        open_jaw(length / 2, 1.0, jaw_r)
        if kind == "combination wrench":
            parts.add(transform(torus(jaw_r * 0.8, thick * 1.2, segments=16, tube_segments=6), translation=(-length / 2 - jaw_r * 0.6, 0, thick * 1.2)), steel)
            ends = "an open jaw at one end and a ring at the other"
        else:
            open_jaw(-length / 2, -1.0, jaw_r * 0.85)
            ends = "an open jaw at each end"
    captions = (
        f"{article(steel.full)} {kind} with {ends}",
        "a spanner for turning nuts and bolts, lying flat",
        f"a {grade(length, (0.17, 0.24), ('small', 'medium', 'large'))} steel wrench, a hand tool",
        f"{article(kind)} made of {steel.colour} metal",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
