"""Furniture and fixtures: bathtubs, cabinets, file cabinets, wardrobes, desks, pianos, radiators, fans and faucets
(registered after the electronics; see ``categories.EXTENSION_MODULES``).

Front faces look along -y. The box furniture differs in proportions and in the layout of its front (doors, a stack
of drawers, a keyboard shelf), the rest in repeated parts (radiator columns, fan blades in a cage) or in one bent
tube (a faucet's spout).
"""

from __future__ import annotations

import numpy as np

from .categories import EVERYDAY_SOURCE, Assembly, BuiltShape, _corners, _legs, _vessel, register_category, shapenet_source
from .finishes import Finish, article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import arc, bar_handle, ellipsoid, open_box, tube


def _cabinet_finish(rng: np.random.Generator) -> Finish:
    return wood(rng) if rng.random() < 0.6 else paint(rng, ("white", "black", "grey", "cream", "blue", "green"), "painted")


def _drawers(parts: Assembly, x: float, width: float, front: float, z0: float, z1: float, n: int, finish: Finish,
             handle: Finish, *, labels: Finish | None = None) -> None:
    """``n`` drawer fronts stacked from ``z0`` to ``z1`` on a front face at y = ``front``, each with a horizontal
    pull (and a small label frame above it when ``labels`` is given)."""
    pitch = (z1 - z0) / n
    for k in range(n):
        z = z0 + pitch * (k + 0.5)
        parts.add(box((width - 0.02, 0.015, pitch - 0.015), (x, front - 0.0075, z)), finish)
        parts.add(bar_handle((x, front - 0.015, z), min(width * 0.4, 0.18), vertical=False, standoff=0.02), handle)
        if labels is not None:
            parts.add(box((width * 0.15, 0.004, pitch * 0.12), (x, front - 0.017, z + pitch * 0.25)), labels)


def _doors(parts: Assembly, width: float, front: float, z0: float, z1: float, n: int, finish: Finish, handle: Finish,
           *, glass: Finish | None = None) -> None:
    """``n`` side-by-side doors covering ``width`` from ``z0`` to ``z1``, each with a vertical pull near the edge it
    opens at (a glass pane inset when ``glass`` is given)."""
    door_w = width / n
    for k in range(n):
        x = -width / 2 + door_w * (k + 0.5)
        parts.add(box((door_w - 0.01, 0.018, z1 - z0), (x, front - 0.009, (z0 + z1) / 2)), finish)
        if glass is not None:
            parts.add(box((door_w * 0.7, 0.004, (z1 - z0) * 0.75), (x, front - 0.02, (z0 + z1) / 2)), glass)
        # Pulls sit at the edge where a door meets its neighbour (the middle one of three opens like the right one).
        edge = 1.0 if k < n // 2 else -1.0
        pull = min((z1 - z0) * 0.3, 0.5)
        parts.add(bar_handle((x + edge * (door_w / 2 - 0.05), front - 0.018, (z0 + z1) / 2 + (z1 - z0) * 0.1), pull, vertical=True, standoff=0.02), handle)


@register_category("bathtub", "Long open tub: a rectangular built-in bath (thick-walled open box with a rim) or a freestanding roll-top tub (rounded vessel stretched lengthwise with a rolled rim) on four small feet, with a tap at one end.", source=shapenet_source("bathtub"))
def build_bathtub(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    freestanding = bool(rng.random() < 0.45)
    finish = paint(rng, ("white", "white", "cream", "black", "light blue", "pink") if freestanding else ("white", "white", "cream", "beige"), str(rng.choice(["ceramic", "plastic", "metal"])))
    length, width = rng.uniform(1.5, 1.8), rng.uniform(0.7, 0.85)
    height = rng.uniform(0.5, 0.65)
    lift = 0.0
    if freestanding:
        lift = rng.uniform(0.08, 0.15)
        t = np.linspace(0.0, np.pi / 2, 7)
        radii = width / 2 * (0.6 + 0.4 * np.sin(t))
        tub = _vessel(radii, (height - lift) * (1 - np.cos(t)), 0.03)
        parts.add(transform(tub, scale=(length / width, 1.0, 1.0), translation=(0, 0, lift)), finish)
        parts.add(transform(torus(width / 2, 0.025, segments=28, tube_segments=5), scale=(length / width, 1.0, 1.0), translation=(0, 0, height)), finish)
        feet = metal(rng, ("gold", "silver", "black", "copper"))
        for x, y in _corners(length * 0.32, width * 0.28):
            parts.add(rod((x, y, lift + 0.02), (x * 1.08, y * 1.15, 0.0), 0.025, segments=6), feet)
        kind, details = "freestanding bathtub", f"a rolled rim and four {feet.colour} feet"
    else:
        parts.add(open_box((length, width, height), 0.08, (0, 0, height / 2)), finish)
        kind, details = "built-in bathtub", "straight sides and a wide rim"
    tap = metal(rng, ("silver", "gold", "black"))
    spout = arc((-length / 2 + 0.1, 0, height + 0.1), 0.1, np.pi, 0.2, 6)
    parts.add(tube(np.concatenate([[(-length / 2 + 0.0, 0, height)], spout]), 0.015, segments=6), tap)
    captions = (
        f"{article(finish.full)} {kind} with {details}",
        f"a bathtub for bathing, {grade(length, (1.6, 1.7), ('compact', 'standard', 'long'))} and {finish.colour}",
        f"a bath tub with a {tap.colour} tap at one end",
        f"an empty {finish.colour} bath, open at the top",
    )
    return BuiltShape(parts, captions)


@register_category("cabinet", "Waist-high storage cupboard: a box body on a plinth or four short legs, its front covered by 1-4 doors with vertical pulls (plain or glass-paned showing shelves), optionally under a row of drawers.", source=shapenet_source("cabinet"))
def build_cabinet(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "gold", "black"))
    width, depth, height = rng.uniform(0.6, 1.6), rng.uniform(0.35, 0.5), rng.uniform(0.7, 1.2)
    legs = bool(rng.random() < 0.45)
    base = rng.uniform(0.1, 0.2) if legs else 0.08
    if legs:
        _legs(parts, _corners(width / 2 - 0.04, depth / 2 - 0.04), base, 0.04, finish, bool(rng.random() < 0.5))
    else:
        parts.add(box((width - 0.04, depth - 0.04, base), (0, 0.01, base / 2)), finish)
    parts.add(box((width, depth, height - base), (0, 0, base + (height - base) / 2)), finish)
    parts.add(box((width + 0.03, depth + 0.03, 0.025), (0, 0, height + 0.0125)), finish)
    n_doors = int(np.clip(round(width / rng.uniform(0.35, 0.55)), 1, 4))
    drawer_row = bool(rng.random() < 0.4)
    top = height - (0.18 if drawer_row else 0.02)
    glazed = bool(rng.random() < 0.25)
    _doors(parts, width, -depth / 2, base + 0.02, top, n_doors, finish, handle, glass=fixed("light blue", rng, "glass") if glazed else None)
    if drawer_row:
        for k in range(n_doors):
            _drawers(parts, -width / 2 + width / n_doors * (k + 0.5), width / n_doors, -depth / 2, top + 0.005, height - 0.01, 1, finish, handle)
    captions = (
        f"{article(finish.full)} cabinet with {count(n_doors, 'door')}" + (" and a row of drawers" if drawer_row else ""),
        f"a {grade(width / height, (0.9, 1.4), ('narrow', 'square', 'wide'))} cupboard {'on legs' if legs else 'on a plinth'}",
        f"a storage cabinet {'with glass doors' if glazed else f'with {handle.colour} handles'}",
        f"{article(finish.colour)} sideboard for storing things",
    )
    return BuiltShape(parts, captions)


@register_category("file cabinet", "Narrow deep upright metal box whose whole front is a vertical stack of 2-5 equal drawers, each with a horizontal pull and a small label frame; sometimes one drawer is pulled out.", source=shapenet_source("file cabinet"))
def build_file_cabinet(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("grey", "grey", "beige", "black", "white", "dark grey", "blue", "green"), "metal") if rng.random() < 0.8 else wood(rng)
    handle = metal(rng, ("silver", "black", "grey"))
    n_drawers = int(rng.integers(2, 6))
    width, depth = rng.uniform(0.38, 0.5), rng.uniform(0.5, 0.7)
    height = n_drawers * rng.uniform(0.26, 0.33) + 0.05
    parts.add(box((width, depth, height), (0, 0, height / 2)), finish)
    open_k = int(rng.integers(0, n_drawers)) if rng.random() < 0.35 else -1
    pitch = (height - 0.05) / n_drawers
    for k in range(n_drawers):
        z0 = 0.03 + pitch * k
        front = -depth / 2
        if k == open_k:
            pull = depth * rng.uniform(0.3, 0.6)
            parts.add(open_box((width - 0.04, pull, pitch - 0.04), 0.01, (0, front - pull / 2, z0 + pitch / 2 - 0.005)), finish)
            front -= pull
        _drawers(parts, 0.0, width, front, z0, z0 + pitch, 1, finish, handle, labels=fixed("white", rng, "paper"))
    captions = (
        f"{article(finish.full)} file cabinet with {count(n_drawers, 'drawer')}",
        "a filing cabinet for office papers" + (" with one drawer pulled out" if open_k >= 0 else ", all drawers closed"),
        f"a {grade(height, (0.8, 1.2), ('low', 'medium', 'tall'))} {finish.colour} filing cabinet with label holders",
        f"an office file cabinet, a stack of {count(n_drawers, 'drawer')} with {handle.colour} handles",
    )
    return BuiltShape(parts, captions)


@register_category("wardrobe", "Tall (1.8-2.2 m) clothes cupboard: a deep box with 2-3 full-height doors with long pulls (one may carry a mirror), a projecting cornice on top and a plinth or short feet; optional drawers at the bottom.", source=EVERYDAY_SOURCE)
def build_wardrobe(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "gold", "black"))
    n_doors = int(rng.choice([2, 2, 3]))
    width = n_doors * rng.uniform(0.4, 0.55)
    depth, height = rng.uniform(0.55, 0.65), rng.uniform(1.8, 2.2)
    base = rng.uniform(0.06, 0.12)
    parts.add(box((width - 0.04, depth - 0.04, base), (0, 0.01, base / 2)), finish)
    parts.add(box((width, depth, height - base), (0, 0, base + (height - base) / 2)), finish)
    parts.add(box((width + 0.06, depth + 0.04, 0.06), (0, 0, height + 0.03)), finish)
    n_drawers = int(rng.choice([0, 0, 1, 2]))
    door_bottom = base + 0.02 + n_drawers * 0.2
    _doors(parts, width, -depth / 2, door_bottom, height - 0.02, n_doors, finish, handle)
    if n_drawers:
        _drawers(parts, 0.0, width, -depth / 2, base + 0.01, door_bottom - 0.01, n_drawers, finish, handle)
    mirror = bool(rng.random() < 0.3)
    if mirror:
        door_w = width / n_doors
        parts.add(box((door_w * 0.6, 0.004, (height - door_bottom) * 0.7), (-width / 2 + door_w / 2, -depth / 2 - 0.02, (height + door_bottom) / 2)), fixed("silver", rng, "glass"))
    captions = (
        f"{article(finish.full)} wardrobe with {count(n_doors, 'door')}" + (f" and {count(n_drawers, 'drawer')}" if n_drawers else ""),
        f"a tall {finish.colour} clothes cupboard" + (" with a mirror on one door" if mirror else " with long handles"),
        f"a wardrobe for hanging clothes, {grade(width, (1.0, 1.4), ('narrow', 'medium', 'wide'))} and tall",
        f"an armoire, a tall {finish.short} wardrobe with a cornice on top",
    )
    return BuiltShape(parts, captions)


@register_category("desk", "Writing desk: a rectangular top at about 0.75 m on one or two drawer pedestals (with legs at the open end) or on four legs with a shallow drawer under the top; optional modesty panel along the back.", source=EVERYDAY_SOURCE)
def build_desk(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = _cabinet_finish(rng)
    handle = metal(rng, ("silver", "gold", "black"))
    length, depth = rng.uniform(1.0, 1.6), rng.uniform(0.55, 0.8)
    height, top_t = rng.uniform(0.72, 0.77), rng.uniform(0.025, 0.04)
    parts.add(box((length, depth, top_t), (0, 0, height - top_t / 2)), finish)
    layout = str(rng.choice(["one pedestal", "two pedestals", "legs"]))
    under = height - top_t
    leg_t = rng.uniform(0.04, 0.06)
    ped_w = rng.uniform(0.38, 0.45)
    n_drawers = 0
    if layout == "legs":
        _legs(parts, _corners(length / 2 - leg_t, depth / 2 - leg_t), under, leg_t, finish, True)
        _drawers(parts, 0.0, length * 0.45, -depth / 2 + 0.02, under - 0.12, under, 1, finish, handle)
        n_drawers = 1
    else:
        sides = (-1, 1) if layout == "two pedestals" else (1,)
        for side in sides:
            x = side * (length / 2 - ped_w / 2)
            parts.add(box((ped_w, depth - 0.04, under), (x, 0.02, under / 2)), finish)
            k = int(rng.integers(2, 5))
            _drawers(parts, x, ped_w, -depth / 2 + 0.04, 0.03, under - 0.01, k, finish, handle)
            n_drawers += k
        if layout == "one pedestal":
            _legs(parts, [(-length / 2 + leg_t, -depth / 2 + leg_t), (-length / 2 + leg_t, depth / 2 - leg_t)], under, leg_t, finish, True)
    panel = bool(rng.random() < 0.5)
    if panel:
        parts.add(box((length - 0.1, 0.02, under * 0.5), (0, depth / 2 - 0.03, under * 0.7)), finish)
    drawers = count(n_drawers, "drawer")
    captions = (
        f"{article(finish.full)} desk with {drawers}",
        f"a writing desk {'on four legs' if layout == 'legs' else f'with {layout}'}" + (" and a modesty panel" if panel else ""),
        f"an office desk for working at, {grade(length, (1.2, 1.4), ('compact', 'medium', 'large'))} and {finish.colour}",
        f"a {finish.short} computer desk with {drawers} and a flat top",
    )
    return BuiltShape(parts, captions)


def _piano_keys(parts: Assembly, rng: np.random.Generator, width: float, front: float, depth: float, z: float) -> int:
    """A keyboard: a white key slab with black keys in groups of two and three; returns the number of octaves."""
    octaves = int(np.clip(round(width / 0.165), 3, 7))
    key_w = width / (octaves * 7)
    parts.add(box((width, depth, 0.02), (0, front + depth / 2, z + 0.01)), fixed("white", rng))
    black = fixed("black", rng)
    for octave in range(octaves):
        for degree in (0, 1, 3, 4, 5):  # a black key after these white keys (C, D, F, G, A)
            x = -width / 2 + key_w * (octave * 7 + degree + 1)
            parts.add(box((key_w * 0.55, depth * 0.6, 0.015), (x, front + depth * 0.7, z + 0.027)), black)
    return octaves


@register_category("piano", "Upright piano (tall box with a keyboard shelf sticking out at waist height, a music rest, two front legs under the keys and pedals at the bottom) or grand piano (wide wing-shaped case on three legs with its lid propped open and the keyboard at the straight front).", source=shapenet_source("piano"))
def build_piano(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("black", "black", "white"), "painted") if rng.random() < 0.65 else wood(rng)
    grand = bool(rng.random() < 0.4)
    width = rng.uniform(1.4, 1.55)
    key_z = rng.uniform(0.7, 0.75)
    brass = metal(rng, ("gold",))
    if grand:
        length = rng.uniform(1.5, 2.7)
        case_h = 0.3
        # The wing outline is drawn with its straight side at x = 0 and the keyboard edge on z = 0 of the xz plane,
        # laid flat (the outline's z becomes -y), then turned half round so the case runs back from the keys (+y).
        outline = [(0.0, 0.0), (width, 0.0), (width, length * 0.45), (width * 0.6, length), (0.0, length * 0.8)]
        flat, turn = rotation_x(np.pi / 2), rotation_z(np.pi)
        parts.add(transform(prism(outline, case_h), rotation=turn @ flat, translation=(width / 2, 0, key_z)), finish)
        prop = rng.uniform(0.4, 0.7)  # the lid swings up about its straight side
        lid = transform(prism(outline, 0.02), rotation=flat)
        parts.add(transform(lid, rotation=turn @ rotation_y(-prop), translation=(width / 2, 0, key_z + case_h / 2)), finish)
        for x, y in ((-width * 0.35, 0.25), (width * 0.35, 0.25), (-width * 0.1, length * 0.75)):
            parts.add(transform(cylinder(0.05, key_z - case_h / 2, top_radius=0.07, segments=10), translation=(x, y, 0)), finish)
        front, kind = 0.0, "grand piano"
        details = "its lid propped open on three legs"
    else:
        depth, height = rng.uniform(0.55, 0.65), rng.uniform(1.1, 1.3)
        parts.add(box((width, depth * 0.45, height), (0, depth * 0.275, height / 2)), finish)
        parts.add(box((width, depth * 0.55, 0.06), (0, -depth * 0.1, key_z - 0.03)), finish)
        parts.add(box((width * 0.7, 0.02, 0.2), (0, depth * 0.02, key_z + 0.2)), finish)
        for x in (-width / 2 + 0.04, width / 2 - 0.04):
            parts.add(box((0.06, 0.06, key_z - 0.06), (x, -depth * 0.3, (key_z - 0.06) / 2)), finish)
        for x in np.linspace(-0.08, 0.08, int(rng.choice([2, 3]))):
            parts.add(box((0.03, 0.1, 0.015), (x, -0.02, 0.05)), brass)
        front, kind = -depth * 0.36, "upright piano"
        details = "its keyboard, music rest and brass pedals"
    octaves = _piano_keys(parts, rng, width * 0.9, front - (0.0 if not grand else 0.15), 0.15, key_z)
    captions = (
        f"{article(finish.full)} {kind} with {details}",
        f"a piano with black and white keys, about {count(octaves, 'octave')}",
        f"{article(kind)}, a musical instrument played with a keyboard",
        f"a {finish.colour} piano {'shaped like a wing' if grand else 'standing against the wall'}",
    )
    return BuiltShape(parts, captions)


@register_category("radiator", "Heating radiator standing on two feet: a row of 5-20 identical vertical columns (round tubes or flat fins) joined by top and bottom header pipes, with a valve on one end; or a flat panel radiator with vertical grooves.", source=EVERYDAY_SOURCE)
def build_radiator(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "white", "cream", "grey", "black", "silver", "dark grey"), "metal")
    kind = str(rng.choice(["column radiator", "panel radiator", "oil-filled radiator"]))
    height = rng.uniform(0.45, 0.9) if kind != "oil-filled radiator" else rng.uniform(0.55, 0.7)
    n_columns = int(rng.integers(5, 21)) if kind != "oil-filled radiator" else int(rng.integers(7, 13))
    pitch = rng.uniform(0.045, 0.07)
    length = n_columns * pitch
    lift = rng.uniform(0.06, 0.12)
    xs = -length / 2 + pitch * (np.arange(n_columns) + 0.5)
    if kind == "panel radiator":
        parts.add(box((length, 0.05, height), (0, 0, lift + height / 2)), finish)
        for x in xs:
            parts.add(box((pitch * 0.3, 0.06, height * 0.9), (x, 0, lift + height / 2)), finish)
        parts.add(box((length, 0.07, 0.01), (0, 0, lift + height)), finish)
    else:
        fin_depth = 0.1 if kind == "column radiator" else 0.2
        for x in xs:
            if kind == "column radiator":
                for y in (-0.02, 0.02):
                    parts.add(transform(cylinder(0.012, height, segments=8), translation=(x, y, lift)), finish)
            else:
                parts.add(ellipsoid((pitch * 0.3, fin_depth / 2, height / 2), (x, 0, lift + height / 2), segments=10, rings=6), finish)
        for z in (lift + 0.03, lift + height - 0.03):
            parts.add(rod((-length / 2, 0, z), (length / 2, 0, z), 0.02, segments=8), finish)
    if kind == "oil-filled radiator":
        for x in (-length / 2 + pitch, length / 2 - pitch):
            parts.add(box((0.04, 0.3, 0.03), (x, 0, lift - 0.015)), finish)
            for y in (-0.13, 0.13):
                parts.add(transform(sphere(0.025, segments=8, rings=5), translation=(x, y, 0.025)), fixed("black", rng, "plastic"))
    else:
        for x in (-length / 2 + pitch, length / 2 - pitch):
            parts.add(box((0.03, 0.12, lift + 0.02), (x, 0, (lift + 0.02) / 2)), finish)
    parts.add(rod((length / 2, 0, lift + 0.03), (length / 2 + 0.06, 0, lift + 0.03), 0.015, segments=8), metal(rng, ("silver", "gold", "black")))
    unit = "fin" if kind == "oil-filled radiator" else ("section" if kind == "column radiator" else "groove")
    captions = (
        f"{article(finish.full)} {kind} with {count(n_columns, unit)}",
        f"a heating radiator, {grade(length / height, (0.8, 1.5), ('tall and narrow', 'square', 'long and low'))}, standing on two feet",
        f"a room heater made of {finish.colour} metal with vertical {unit}s",
        f"{article(finish.colour)} radiator for warming a room",
    )
    return BuiltShape(parts, captions)


@register_category("fan", "Electric fan: a round cage (front and back rings with radial ribs) around 3-5 flat blades on a motor housing, on a pole with a round base (pedestal or desk fan), or set in a square frame on two feet (box fan).", source=EVERYDAY_SOURCE)
def build_fan(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "black", "grey", "silver", "blue", "cream"), "plastic")
    blade_finish = finish if rng.random() < 0.5 else paint(rng, ("light blue", "white", "grey", "black"), "plastic")
    kind = str(rng.choice(["pedestal fan", "desk fan", "box fan"]))
    radius = rng.uniform(0.15, 0.25)
    n_blades = int(rng.choice([3, 4, 5]))
    if kind == "box fan":
        center_z = radius + 0.08
        side = 2 * radius + 0.08
        for x, z, sx, sz in ((0, side / 2, side, 0.03), (0, -side / 2, side, 0.03), (side / 2, 0, 0.03, side), (-side / 2, 0, 0.03, side)):
            parts.add(box((sx, 0.12, sz), (x, 0, center_z + z)), finish)
        for x in (-side * 0.35, side * 0.35):
            parts.add(box((0.05, 0.2, 0.03), (x, 0, 0.015)), finish)
        hub = np.array([0.0, 0.0, center_z])
        stand = "a square frame on two feet"
    else:
        height = rng.uniform(1.0, 1.4) if kind == "pedestal fan" else rng.uniform(0.2, 0.35)
        parts.add(cylinder(radius * 0.9, 0.03, top_radius=radius * 0.8, segments=20), finish)
        parts.add(rod((0, 0, 0.03), (0, 0, height), 0.015, segments=8), finish)
        parts.add(ellipsoid((radius * 0.25, radius * 0.45, radius * 0.25), (0, radius * 0.35, height + radius * 0.1)), finish)
        hub = np.array([0.0, 0.0, height + radius * 0.1])
        stand = f"a {'tall pole' if kind == 'pedestal fan' else 'short stand'} and a round base"
    upright = rotation_x(np.pi / 2)  # blades and cage are laid out in the xy plane, then turned to face -y
    for k in range(n_blades):
        angle = 2 * np.pi * k / n_blades
        blade = ellipsoid((radius * 0.42, radius * 0.2, 0.004), (radius * 0.5, 0, 0), segments=10, rings=4)
        blade = transform(blade, rotation=rotation_z(angle) @ rotation_x(0.3))
        parts.add(transform(blade, rotation=upright, translation=tuple(hub)), blade_finish)
    for y, r in ((-0.05, radius), (0.05, radius)):
        parts.add(transform(torus(r, 0.006, segments=24, tube_segments=4), rotation=upright, translation=tuple(hub + [0, y, 0])), finish)
    n_ribs = int(rng.integers(8, 17))
    for angle in 2 * np.pi * np.arange(n_ribs) / n_ribs:
        rim = hub + radius * np.array([np.cos(angle), 0.0, np.sin(angle)])
        parts.add(tube([hub + [0, -0.08, 0], rim + [0, -0.05, 0], rim + [0, 0.05, 0]], 0.002, segments=3), finish)
    captions = (
        f"{article(finish.colour)} {kind} with {count(n_blades, 'blade')} inside a round cage",
        f"an electric fan on {stand}",
        f"a cooling fan for a room, made of {finish.colour} plastic",
        f"{article(kind)} with {blade_finish.colour} blades and {count(n_ribs, 'wire rib')}",
    )
    return BuiltShape(parts, captions)


@register_category("faucet", "Tap on a small deck plate: a round body with a spout (a high gooseneck arc bending down, or a short straight spout) and either one lever on top or two cross or knob handles on either side.", source=shapenet_source("faucet"))
def build_faucet(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = metal(rng, ("silver", "silver", "gold", "black", "copper"))
    radius = rng.uniform(0.02, 0.03)
    height = rng.uniform(0.08, 0.15)
    plate = bool(rng.random() < 0.5)
    two_handles = bool(rng.random() < 0.4)
    if plate or two_handles:
        parts.add(box((0.22 if two_handles else 0.08, 0.06, 0.012), (0, 0, 0.006)), finish)
    parts.add(cylinder(radius * 1.3, 0.02, top_radius=radius, segments=16), finish)
    parts.add(transform(cylinder(radius, height, segments=16), translation=(0, 0, 0.02)), finish)
    top = 0.02 + height
    gooseneck = bool(rng.random() < 0.5)
    if gooseneck:
        reach = rng.uniform(0.08, 0.14)
        spout = arc((reach / 2, 0, top), reach / 2, np.pi, 0.0, 10)
        spout = np.concatenate([spout, [spout[-1] + (0, 0, -reach * 0.3)]])
        parts.add(tube(spout, radius * 0.45, segments=8), finish)
        spout_words = "a high curved gooseneck spout"
    else:
        reach = rng.uniform(0.1, 0.16)
        parts.add(rod((0, 0, top - height * 0.3), (reach, 0, top - height * 0.45), radius * 0.45, segments=8), finish)
        spout_words = "a short straight spout"
    if two_handles:
        cross = bool(rng.random() < 0.5)
        for side in (-1, 1):
            x = side * 0.08
            parts.add(transform(cylinder(radius * 0.8, 0.04, segments=12), translation=(x, 0, 0.012)), finish)
            if cross:
                for angle in (0.0, np.pi / 2):
                    parts.add(transform(box((0.05, 0.008, 0.008), (0, 0, 0.058)), rotation=rotation_z(angle), translation=(x, 0, 0)), finish)
            else:
                parts.add(transform(sphere(radius * 0.9, segments=10, rings=6), translation=(x, 0, 0.058)), finish)
        handles = f"two {'cross' if cross else 'round'} handles"
    else:
        parts.add(rod((0, 0, top), (-0.07, 0, top + 0.03), 0.006, segments=6), finish)
        handles = "a single lever"
    captions = (
        f"{article(finish.full)} faucet with {spout_words} and {handles}",
        f"a water tap for a sink, {finish.colour}",
        f"a kitchen or bathroom faucet with {handles}",
        f"a {finish.colour} mixer tap with {spout_words}",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
