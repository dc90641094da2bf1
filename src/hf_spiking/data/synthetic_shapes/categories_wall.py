"""Flat things on walls and screens: windows, blinds, pictures, mirrors, whiteboards and televisions (registered after the storage categories); NYU40 classes, see ``categories.EXTENSION_MODULES``.

Front faces look along -y and wall-hung objects hang with their lowest part on z = 0. All are thin upright slabs, so
they are told apart by outline, proportions and what frames or carries the slab: a window's sill, frame and
mullions (wider than tall or square, never reaching the floor, unlike a door), a blind's rows of slats or vanes
under a headrail, a picture's thick moulding round a recessed canvas, a mirror's oval outline or tall pivoting stand,
a whiteboard's wide thin board over a marker tray, and a television's wide 16:9 panel low on a pedestal or two feet
(a computer monitor is smaller and raised on a neck), or a deep CRT box.
"""

from __future__ import annotations

import numpy as np

from .categories import Assembly, BuiltShape, nyu40_source, register_category
from .finishes import Finish, article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, prism, rod, rotation_x, rotation_z, torus, transform
from .parts import add_placed, add_wheels, ellipsoid, posed, rods, tapered_box

_FACE = rotation_x(np.pi / 2)  # +z onto -y: a disc laid out in the xy plane stood up to face the viewer


def _rect_frame(width: float, height: float, bar: float, depth: float, center) -> np.ndarray:
    """Four bars of width ``bar`` framing a ``width`` x ``height`` outline (outer size) upright in the xz plane."""
    cx, cy, cz = center
    return np.concatenate([
        box((width, depth, bar), (cx, cy, cz - height / 2 + bar / 2)),
        box((width, depth, bar), (cx, cy, cz + height / 2 - bar / 2)),
        box((bar, depth, height - 2 * bar), (cx - width / 2 + bar / 2, cy, cz)),
        box((bar, depth, height - 2 * bar), (cx + width / 2 - bar / 2, cy, cz)),
    ])


def _oval(rx: float, rz: float, thick: float, center, segments: int = 28) -> np.ndarray:
    """An upright oval (or round) disc of semi-axes ``rx`` (across) and ``rz`` (up), ``thick`` deep along y."""
    cx, cy, cz = center
    disc = cylinder(1.0, thick, segments=segments)
    return transform(disc, scale=(rx, rz, 1.0), rotation=_FACE, translation=(cx, cy + thick / 2, cz))


def _oval_ring(rx: float, rz: float, tube_radius: float, center, segments: int = 28) -> np.ndarray:
    """A round-section rim of even thickness around an upright oval (a torus whose centre line is stretched)."""
    ring = torus(1.0, tube_radius, segments=segments, tube_segments=5)
    angle = np.arctan2(ring[..., 1], ring[..., 0])
    spread = np.hypot(ring[..., 0], ring[..., 1]) - 1.0
    ring = np.stack([(rx + spread) * np.cos(angle), (rz + spread) * np.sin(angle), ring[..., 2]], axis=-1)
    return transform(ring, rotation=_FACE, translation=tuple(center))


def _repeated(part: np.ndarray, offsets) -> np.ndarray:
    """Copies of one triangle soup shifted by each offset: rows of slats or vanes in one array operation."""
    offsets = np.asarray(offsets, dtype=np.float64)
    return (part[None] + offsets[:, None, None, :]).reshape(-1, 3, 3)


def _sash(width: float, height: float, bar: float, depth: float, rows: int, columns: int, frame: Finish,
          glass: Finish) -> list[tuple[np.ndarray, Finish]]:
    """A glazed sash centred on the origin: a frame round a glass pane, split into rows x columns by glazing bars."""
    pieces = [(_rect_frame(width, height, bar, depth, (0, 0, 0)), frame), (box((width - bar, 0.006, height - bar)), glass)]
    for k in range(1, columns):
        pieces.append((box((0.018, depth * 0.6, height - bar), (-width / 2 + width * k / columns, 0, 0)), frame))
    for k in range(1, rows):
        pieces.append((box((width - bar, depth * 0.6, 0.018), (0, 0, -height / 2 + height * k / rows)), frame))
    return pieces


def _window_frame_finish(rng: np.random.Generator) -> Finish:
    roll = rng.random()
    if roll < 0.45:
        return paint(rng, ("white", "white", "cream", "grey", "dark grey"), "plastic")
    if roll < 0.8:
        return wood(rng)
    return metal(rng, ("silver", "grey", "black", "dark grey"))


@register_category("window", "Standalone window unit standing upright, wider than tall or square: an outer frame on a projecting sill round 1-4 glass panes in sashes split by mullions (casement with one sash maybe swung open, double-hung sash with the lower sash maybe raised, or a fixed pane under a transom light), optional glazing bars.", source=nyu40_source("window"))
def build_window(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    frame = _window_frame_finish(rng)
    glass = fixed("light blue", rng, "glass")
    kind = str(rng.choice(["casement window", "sash window", "fixed window"]))
    width = rng.uniform(0.6, 1.8)
    height = float(np.clip(width * rng.uniform(0.6, 1.1), 0.5, 1.5))
    depth, bar = rng.uniform(0.07, 0.14), rng.uniform(0.045, 0.075)
    sill_t, sill_out, sill_over = rng.uniform(0.03, 0.05), rng.uniform(0.04, 0.12), rng.uniform(0.0, 0.06)
    painted_sill = bool(rng.random() < 0.3)
    sill = fixed("white", rng, "painted") if painted_sill else frame
    parts.add(box((width + 2 * sill_over, depth + sill_out, sill_t), (0, -sill_out / 2, sill_t / 2)), sill)
    zc = sill_t + height / 2
    parts.add(_rect_frame(width, height, bar, depth, (0, 0, zc)), frame)
    inner_w, inner_h = width - 2 * bar, height - 2 * bar
    sash_bar, mullion = rng.uniform(0.03, 0.045), bar * 0.8
    grid = bool(rng.random() < 0.35)
    opened = ""
    if kind == "casement window":
        n_panes = int(np.clip(round(width / rng.uniform(0.4, 0.65)), 1, 4))
        light_w = (inner_w - (n_panes - 1) * mullion) / n_panes
        sash_d = depth * 0.5
        open_k = int(rng.integers(n_panes)) if rng.random() < 0.4 else -1
        for k in range(n_panes):
            left = -inner_w / 2 + k * (light_w + mullion)
            if k:
                parts.add(box((mullion, depth, inner_h), (left - mullion / 2, 0, zc)), frame)
            sash = _sash(light_w, inner_h, sash_bar, sash_d, 2 if grid else 1, 2 if grid and light_w > 0.45 else 1, frame, glass)
            if k == open_k:
                # Hinged at its outer edge (left casements on the left), swung out towards the viewer.
                hinge_left = k + 0.5 <= n_panes / 2 or n_panes == 1
                angle = rng.uniform(0.5, 1.2)
                side = -1.0 if hinge_left else 1.0
                add_placed(parts, sash, rotation=rotation_z(angle * side), pivot=(side * light_w / 2, -sash_d / 2, 0),
                           translation=(left + (0 if hinge_left else light_w), -sash_d / 2, zc))
                opened = "one casement swung open"
            else:
                add_placed(parts, sash, translation=(left + light_w / 2, 0, zc))
        layout = count(n_panes, "side-hinged sash", "side-hinged sashes") + (" between mullions" if n_panes > 1 else "")
    elif kind == "sash window":
        n_units = 1 if width < 1.0 else int(rng.choice([1, 2]))
        unit_w = (inner_w - (n_units - 1) * mullion) / n_units
        sash_h, sash_d = inner_h / 2 + sash_bar / 2, depth * 0.4
        raise_by = sash_h * rng.uniform(0.25, 0.5) if rng.random() < 0.4 else 0.0
        rows, columns = (int(rng.choice([1, 2])), int(rng.choice([2, 3]))) if grid else (1, 1)
        for k in range(n_units):
            x = -inner_w / 2 + unit_w / 2 + k * (unit_w + mullion)
            if k:
                parts.add(box((mullion, depth, inner_h), (x - unit_w / 2 - mullion / 2, 0, zc)), frame)
            sash = _sash(unit_w, sash_h, sash_bar, sash_d, rows, columns, frame, glass)
            add_placed(parts, sash, translation=(x, depth * 0.22, zc + inner_h / 2 - sash_h / 2))
            add_placed(parts, sash, translation=(x, -depth * 0.22, zc - inner_h / 2 + sash_h / 2 + raise_by))
        n_panes = 2 * n_units
        layout = f"{count(n_units, 'pair')} of sliding sashes, upper and lower" if n_units > 1 else "an upper and a lower sliding sash"
        opened = "the lower sash pushed up" if raise_by else ""
    else:
        transom_z = sill_t + bar + inner_h * rng.uniform(0.65, 0.78)
        parts.add(box((inner_w, depth, mullion), (0, 0, transom_z)), frame)
        low_h = transom_z - mullion / 2 - (sill_t + bar)
        parts.add(box((inner_w, 0.008, low_h), (0, 0, transom_z - mullion / 2 - low_h / 2)), glass)
        n_top = 1 if inner_w < 0.9 else 2
        top_w, top_h = (inner_w - (n_top - 1) * mullion) / n_top, sill_t + height - bar - transom_z - mullion / 2
        open_top = bool(rng.random() < 0.4)
        for k in range(n_top):
            x = -inner_w / 2 + top_w / 2 + k * (top_w + mullion)
            if k:
                parts.add(box((mullion, depth, top_h), (x - top_w / 2 - mullion / 2, 0, transom_z + mullion / 2 + top_h / 2)), frame)
            sash = _sash(top_w, top_h, sash_bar, depth * 0.5, 1, 1, frame, glass)
            top_z = transom_z + mullion / 2 + top_h
            if open_top and k == 0:
                # Top-hung: the bottom edge swings out towards the viewer.
                add_placed(parts, sash, rotation=rotation_x(-rng.uniform(0.3, 0.6)), pivot=(0, -depth * 0.25, top_h / 2), translation=(x, -depth * 0.25, top_z))
            else:
                add_placed(parts, sash, translation=(x, 0, top_z - top_h / 2))
        n_panes = 1 + n_top
        layout = f"one large fixed pane under {count(n_top, 'small transom light')}"
        opened = "a top light tilted open" if open_top else ""
    details = layout + (f", {opened}" if opened else "")
    shape_word = grade(width / height, (1.15, 1.6), ("square", "wide", "very wide"))
    captions = (
        f"{article(frame.full)} {kind} with {details}",
        f"a {shape_word} window with {count(n_panes, 'glass pane')}, a frame and a {'white painted' if painted_sill else frame.colour} sill",
        "a window unit" + (" with glazing bars dividing the glass into small panes" if grid else " with clear glass panes") + f", {frame.short} frame",
        f"a {grade(width, (0.9, 1.4), ('small', 'medium', 'large'))} {frame.colour} window frame glazed with glass",
    )
    return BuiltShape(parts, captions)


@register_category("blinds", "Window blinds hanging from a headrail: venetian blinds (20-50 thin horizontal slats tilted on ladder cords, a bottom rail and a pull cord with a tassel), vertical blinds (a row of tall vanes turned on a track) or a roller blind (a roll tube between brackets with a fabric sheet down to a bottom bar).", source=nyu40_source("blinds"))
def build_blinds(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["venetian blinds", "vertical blinds", "roller blind"]))
    width, drop = rng.uniform(0.6, 1.8), rng.uniform(0.8, 1.7)
    plastic = fixed("white", rng, "plastic")
    if kind == "venetian blinds":
        wooden = bool(rng.random() < 0.35)
        finish = wood(rng) if wooden else metal(rng, ("white", "white", "silver", "grey", "cream", "black", "beige"))
        slat_w = rng.uniform(0.045, 0.065) if wooden else rng.uniform(0.03, 0.05)
        tilt = rng.uniform(0.0, 1.2)
        parts.add(box((width, 0.06, 0.05), (0, 0, drop - 0.025)), finish)
        parts.add(box((width, slat_w, 0.02), (0, 0, 0.01)), finish)
        stacked = int(rng.integers(6, 15)) if rng.random() < 0.35 else 0
        stack_top = 0.02 + stacked * 0.006
        if stacked:
            flat = box((width - 0.01, slat_w, 0.003))
            parts.add(_repeated(flat, [(0, 0, 0.023 + 0.006 * k) for k in range(stacked)]), finish)
        pitch = slat_w * rng.uniform(0.8, 0.9)
        n_hanging = int((drop - 0.06 - stack_top) / pitch)
        slat = transform(box((width - 0.01, slat_w, 0.003)), rotation=rotation_x(tilt))
        parts.add(_repeated(slat, [(0, 0, stack_top + pitch * (k + 0.5)) for k in range(n_hanging)]), finish)
        n_ladders = 2 if width < 1.0 else 3
        xs = np.linspace(-width * 0.38, width * 0.38, n_ladders)
        half = slat_w * np.cos(tilt) / 2
        starts = [(x, y, 0.02) for x in xs for y in (-half, half)]
        parts.add(rods(starts, [(x, y, drop - 0.05) for x, y, _ in starts], 0.0015, segments=4), plastic)
        cord_end = drop * rng.uniform(0.3, 0.6)
        parts.add(rod((width / 2 - 0.04, -0.035, drop - 0.03), (width / 2 - 0.04, -0.035, cord_end), 0.002, segments=4), plastic)
        parts.add(transform(cylinder(0.008, 0.04, top_radius=0.004, segments=8), translation=(width / 2 - 0.04, -0.035, cord_end - 0.04)), finish)
        wand = bool(rng.random() < 0.5)
        if wand:
            parts.add(rod((-width / 2 + 0.04, -0.04, drop - 0.03), (-width / 2 + 0.04, -0.04, drop - 0.03 - rng.uniform(0.4, 0.8)), 0.005, segments=6), plastic)
        n_slats = n_hanging + stacked
        state = "partly raised, the slats stacked above the bottom rail" if stacked else ("tilted almost shut" if tilt > 0.9 else "with open slats")
        captions = (
            f"a set of {finish.full} venetian blinds with {n_slats} horizontal slats",
            f"window blinds made of thin {'wooden' if wooden else 'metal'} slats hanging from a headrail, {state}",
            "horizontal blinds on ladder cords with a pull cord and a tassel" + (" and a tilt wand" if wand else ""),
            f"{article(grade(width, (1.0, 1.4), ('narrow', 'medium', 'wide')))} {finish.colour} slatted window blind",
        )
    elif kind == "vertical blinds":
        finish = paint(rng, ("white", "cream", "beige", "grey", "light blue", "dark grey"), "fabric")
        vane_w = rng.uniform(0.08, 0.12)
        angle = rng.uniform(0.15, 1.4)
        parts.add(box((width, 0.07, 0.04), (0, 0, drop - 0.02)), plastic)
        n_vanes = int(width / (vane_w * 0.85))
        length = drop - 0.06
        vane = transform(box((vane_w, 0.002, length)), rotation=rotation_z(angle), translation=(0, 0, length / 2))
        xs = np.linspace(-width / 2 + vane_w / 2, width / 2 - vane_w / 2, n_vanes)
        parts.add(_repeated(vane, [(x, 0, 0) for x in xs]), finish)
        parts.add(_repeated(box((0.012, 0.012, 0.03), (0, 0, drop - 0.055)), [(x, 0, 0) for x in xs]), plastic)
        parts.add(rod((xs[0], 0, 0.03), (xs[-1], 0, 0.03), 0.002, segments=4), plastic)
        chain_end = drop * rng.uniform(0.3, 0.6)
        for x in (width / 2 + 0.01, width / 2 + 0.025):
            parts.add(rod((x, -0.03, drop - 0.03), (x, -0.03, chain_end), 0.0025, segments=4), plastic)
        state = "turned half open" if angle > 0.5 else "turned almost closed"
        captions = (
            f"a set of {finish.full} vertical blinds with {count(n_vanes, 'tall vane')}",
            f"window blinds: a row of long {finish.colour} fabric strips hanging from a track, {state}",
            "vertical blinds on a ceiling track with a pull chain at one side",
            f"a {grade(width, (1.0, 1.4), ('narrow', 'medium', 'wide'))} set of vertical louvre blinds",
        )
    else:
        finish = paint(rng, ("white", "cream", "beige", "grey", "dark grey", "navy blue", "dark green", "light blue", "yellow", "brown"), "fabric")
        roll_r = rng.uniform(0.025, 0.045)
        ring = bool(rng.random() < 0.4)
        base = 0.09 if ring else 0.0
        top = base + drop
        parts.add(rod((-width / 2, 0, top - roll_r), (width / 2, 0, top - roll_r), roll_r, segments=14), finish)
        for x in (-width / 2 - 0.01, width / 2 + 0.01):
            parts.add(box((0.02, roll_r * 2 + 0.02, roll_r * 2 + 0.03), (x, 0.005, top - roll_r)), plastic)
        length = drop - roll_r
        parts.add(box((width - 0.03, 0.0015, length), (0, -roll_r, base + length / 2)), finish)
        bar = metal(rng, ("white", "silver", "grey", "black"))
        parts.add(rod((-width / 2 + 0.015, -roll_r, base + 0.012), (width / 2 - 0.015, -roll_r, base + 0.012), 0.012, segments=8), bar)
        if ring:
            parts.add(rod((0, -roll_r, base), (0, -roll_r, 0.04), 0.002, segments=4), plastic)
            parts.add(transform(torus(0.018, 0.003, segments=12, tube_segments=4), rotation=_FACE, translation=(0, -roll_r, 0.02)), plastic)
            control = "a pull ring under the bottom bar"
        else:
            chain_end = top - drop * rng.uniform(0.4, 0.7)
            for y in (-roll_r - 0.006, -roll_r + 0.006):
                parts.add(rod((width / 2 - 0.02, y, top - roll_r), (width / 2 - 0.02, y, chain_end), 0.002, segments=4), plastic)
            control = "a side chain loop"
        captions = (
            f"{article(finish.full)} roller blind with {article(bar.colour)} bottom bar and {control}",
            f"window blinds: a single {finish.colour} fabric sheet unrolled from a roll tube at the top",
            f"a roller shade hanging straight down, {grade(drop / width, (0.8, 1.3), ('wider than long', 'about square', 'longer than wide'))}",
            f"a {grade(width, (1.0, 1.4), ('narrow', 'medium', 'wide'))} roller blind between two brackets",
        )
    return BuiltShape(parts, captions)


_PAINT_COLOURS = ("red", "orange", "yellow", "green", "dark green", "blue", "light blue", "navy blue", "teal", "purple",
                  "pink", "brown", "beige", "cream", "dark red", "grey")


def _artwork(parts: Assembly, rng: np.random.Generator, width: float, height: float, face_y: float, zc: float,
             material: str) -> tuple[str, str]:
    """A picture on a front plane at ``face_y``: a landscape (sky, ground band, maybe a sun) or an abstract of a few
    coloured blocks over a ground colour; returns (subject words, main colour)."""
    ground = paint(rng, _PAINT_COLOURS, material)
    parts.add(box((width, 0.003, height), (0, face_y + 0.0015, zc)), ground)
    if rng.random() < 0.5:
        land = paint(rng, ("green", "dark green", "brown", "beige", "yellow"))
        band = height * rng.uniform(0.3, 0.5)
        parts.add(box((width, 0.002, band), (0, face_y - 0.001, zc - height / 2 + band / 2)), land)
        if rng.random() < 0.5:
            sun = min(width, height) * rng.uniform(0.06, 0.12)
            parts.add(_oval(sun, sun, 0.002, (width * rng.uniform(-0.3, 0.3), face_y - 0.001, zc + height * 0.25), 14), fixed("yellow", rng))
        return "landscape", ground.colour
    for _ in range(int(rng.integers(2, 5))):
        w, h = width * rng.uniform(0.15, 0.45), height * rng.uniform(0.15, 0.45)
        x, z = rng.uniform(-(width - w) / 2, (width - w) / 2), zc + rng.uniform(-(height - h) / 2, (height - h) / 2)
        parts.add(box((w, 0.002, h), (x, face_y - 0.001 - rng.uniform(0, 0.001), z)), paint(rng, _PAINT_COLOURS))
    return "abstract", ground.colour


@register_category("picture", "Framed picture or painting: a flat rectangle of thick moulding round a recessed canvas (optional white mat), hanging upright, a small photo frame leaning on a back strut, a deep canvas on stretcher bars (sometimes three side by side), or a painting on a small tabletop easel.", source=nyu40_source("picture"))
def build_picture(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["framed picture", "photo frame", "canvas", "easel"], p=[0.45, 0.2, 0.2, 0.15]))
    portrait = bool(rng.random() < 0.45)
    frame = wood(rng) if rng.random() < 0.55 else paint(rng, ("black", "white", "gold", "silver", "dark grey", "brown"), "painted")
    if kind == "canvas":
        height = rng.uniform(0.3, 1.0)
        width = height * (rng.uniform(0.6, 0.85) if portrait else rng.uniform(1.2, 1.8))
        depth = rng.uniform(0.02, 0.045)
        n_panels = 3 if rng.random() < 0.25 else 1
        gap = rng.uniform(0.04, 0.1)
        subjects = []
        for k in range(n_panels):
            x = (k - (n_panels - 1) / 2) * (width + gap)
            edge = paint(rng, ("white", "black", "cream"), "canvas")
            parts.add(box((width, depth, height), (x, depth / 2, height / 2)), edge)
            sub = Assembly()
            subjects.append(_artwork(sub, rng, width, height, -0.003, height / 2, "canvas"))
            for triangles, finish in zip(sub.triangles, sub.finishes):
                parts.add(transform(triangles, translation=(x, 0, 0)), finish)
        subject, colour = subjects[0]
        set_words = "a set of three canvases side by side" if n_panels == 3 else "a single stretched canvas"
        captions = (
            f"{article(subject)} painting on canvas, {set_words}, with no frame",
            f"a picture: a deep {'portrait' if portrait else 'landscape'} canvas on stretcher bars, mostly {colour}",
            f"wall art, {set_words} hanging flat on the wall",
            f"a {grade(height, (0.45, 0.75), ('small', 'medium', 'large'))} {subject} canvas print",
        )
        return BuiltShape(parts, captions)
    small = kind == "photo frame"
    height = rng.uniform(0.12, 0.3) if small else rng.uniform(0.35, 1.1)
    width = height * (rng.uniform(0.65, 0.85) if portrait else rng.uniform(1.2, 1.6))
    moulding = height * rng.uniform(0.06, 0.14)
    depth = moulding * rng.uniform(0.4, 0.8) if not small else rng.uniform(0.012, 0.02)
    zc = height / 2
    parts.add(_rect_frame(width, height, moulding, depth, (0, 0, zc)), frame)
    inner_w, inner_h = width - 2 * moulding, height - 2 * moulding
    back_y = depth * 0.3  # the picture sits recessed behind the front of the moulding
    parts.add(box((inner_w, 0.004, inner_h), (0, back_y + 0.002, zc)), fixed("brown", rng, "wooden") if not small else frame)
    mat = bool(rng.random() < 0.4)
    if mat:
        margin = min(inner_w, inner_h) * rng.uniform(0.1, 0.2)
        parts.add(box((inner_w, 0.003, inner_h), (0, back_y - 0.0015, zc)), fixed("white", rng, "paper"))
        inner_w, inner_h, back_y = inner_w - 2 * margin, inner_h - 2 * margin, back_y - 0.003
    subject, colour = _artwork(parts, rng, inner_w, inner_h, back_y - 0.003, zc, "paper" if small else "canvas")
    art = "photo" if small else (f"{subject} painting" if rng.random() < 0.6 else f"{subject} print")
    mat_words = " and a white mat" if mat else ""
    frame_words = f"{grade(moulding / height, (0.09, 0.12), ('slim', 'medium', 'thick'))} {frame.full} frame"
    if kind == "framed picture":
        captions = (
            f"a framed picture: {article(art)} in {article(frame_words)}{mat_words}",
            f"a {'portrait' if portrait else 'landscape'} format picture hanging flat on a wall, mostly {colour}",
            f"{article(frame.colour)} picture frame with {article(subject)} artwork recessed inside it",
            f"a {grade(height, (0.5, 0.8), ('small', 'medium', 'large'))} framed {art} for a wall",
        )
        return BuiltShape(parts, captions)
    tilt = rng.uniform(0.15, 0.3)
    if kind == "easel":
        # The picture rests on the easel's ledge; the easel's front legs lean back with it.
        stand = wood(rng) if frame.material != "wooden" else fixed("black", rng, "metal")
        ledge_z, easel_h = height * rng.uniform(0.25, 0.4), height * rng.uniform(1.5, 1.8)
        posed(parts, translation=(0, -depth / 2 - 0.02, ledge_z))
        spread = width * rng.uniform(0.35, 0.45)
        parts.add(rods([(-spread, 0.0, 0.0), (spread, 0.0, 0.0)], [(0, 0.0, easel_h)] * 2, 0.015, segments=6), stand)
        parts.add(box((width * 0.9, 0.05, 0.015), (0, -0.02, ledge_z - 0.0075)), stand)
        posed(parts, rotation=rotation_x(-tilt))
        top = rotation_x(-tilt) @ np.array([0.0, 0.0, easel_h * 0.95])
        parts.add(rod(tuple(top), (0, top[2] * np.tan(tilt) * 2.2 + top[1], 0.0), 0.015, segments=6), stand)
        captions = (
            f"a picture: {article(art)} in {article(frame_words)}{mat_words}, standing on a small easel",
            f"a framed painting propped on {article(stand.full)} tabletop easel with three legs",
            f"a {'portrait' if portrait else 'landscape'} picture leaning back on an easel, mostly {colour}",
            f"a small {stand.colour} display easel holding a framed {subject} picture",
        )
        return BuiltShape(parts, captions)
    posed(parts, rotation=rotation_x(-tilt))
    hinge = rotation_x(-tilt) @ np.array([0.0, depth / 2, height * 0.65])
    foot = (0.0, hinge[1] + height * 0.45, 0.0)
    parts.add(box((width * 0.15, 0.004, 0.004), (0, hinge[1], hinge[2])), frame)
    parts.add(rods([tuple(hinge)], [foot], width * 0.03, segments=4), frame)
    captions = (
        f"a picture: a small photo frame on a back stand, {article(frame_words)}{mat_words}",
        f"{article(frame.colour)} desk photo frame leaning back on a strut, {'portrait' if portrait else 'landscape'} format",
        f"a tabletop picture frame holding a mostly {colour} photo",
        "a little framed photograph standing on a table",
    )
    return BuiltShape(parts, captions)


@register_category("mirror", "Mirror: a silvered glass plate in a thin frame (oval, round or rectangular) hanging flat on a wall, a tall cheval mirror tilted between two uprights on feet, or a small round vanity mirror pivoting in a U-shaped yoke on a stem and round base.", source=nyu40_source("mirror"))
def build_mirror(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    glass = fixed("silver", rng, "glass")
    kind = str(rng.choice(["wall mirror", "cheval mirror", "vanity mirror"], p=[0.5, 0.3, 0.2]))
    if kind == "vanity mirror":
        finish = metal(rng, ("silver", "gold", "black", "copper"))
        radius = rng.uniform(0.08, 0.15)
        stem = rng.uniform(0.08, 0.2)
        base_r = radius * rng.uniform(0.6, 0.9)
        parts.add(cylinder(base_r, 0.02, top_radius=base_r * 0.85, segments=24), finish)
        pivot_z = 0.02 + stem + radius * 1.1
        parts.add(rod((0, 0, 0.02), (0, 0, 0.02 + stem), 0.008, segments=8), finish)
        yoke = torus(radius * 1.12, 0.006, arc=np.pi, segments=12, tube_segments=4)
        parts.add(transform(yoke, rotation=_FACE @ rotation_z(np.pi), translation=(0, 0, pivot_z)), finish)
        tilt = rotation_x(-rng.uniform(0.0, 0.3))
        for triangles, face in ((_oval(radius, radius, 0.012, (0, 0, 0)), finish), (_oval_ring(radius, radius, 0.008, (0, 0, 0)), finish),
                                (_oval(radius * 0.95, radius * 0.95, 0.002, (0, -0.007, 0)), glass)):
            parts.add(transform(triangles, rotation=tilt, translation=(0, 0, pivot_z)), face)
        double = bool(rng.random() < 0.5)
        if double:
            parts.add(transform(_oval(radius * 0.95, radius * 0.95, 0.002, (0, 0.007, 0)), rotation=tilt, translation=(0, 0, pivot_z)), glass)
        captions = (
            f"a round vanity mirror on {article(finish.full)} stand" + (", double-sided" if double else ""),
            "a small tabletop makeup mirror pivoting in a U-shaped holder on a round base",
            f"a {finish.colour} swivel mirror for a dressing table",
            "a cosmetic mirror with a circular glass on a short stem",
        )
        return BuiltShape(parts, captions)
    frame = wood(rng) if rng.random() < 0.45 else paint(rng, ("gold", "silver", "black", "white", "copper", "dark grey"), str(rng.choice(["metal", "painted"])))
    if kind == "cheval mirror":
        shape = str(rng.choice(["rectangular", "oval"]))
        height, width = rng.uniform(1.1, 1.5), rng.uniform(0.4, 0.6)
        feet_h, rim = rng.uniform(0.15, 0.3), rng.uniform(0.03, 0.06)
        pivot_z = feet_h + height * 0.5
        upright_h = pivot_z + height * rng.uniform(0.0, 0.25)
        mirror = Assembly()
        if shape == "oval":
            mirror.add(_oval(width / 2, height / 2, 0.02, (0, 0.01, 0)), frame)
            mirror.add(_oval_ring(width / 2, height / 2, rim / 2, (0, 0, 0)), frame)
            mirror.add(_oval(width / 2 - rim / 2, height / 2 - rim / 2, 0.002, (0, -0.001, 0)), glass)
        else:
            mirror.add(_rect_frame(width, height, rim, 0.03, (0, 0, 0)), frame)
            mirror.add(box((width - rim, 0.004, height - rim)), glass)
        posed(mirror, rotation=rotation_x(-rng.uniform(0.05, 0.2)), translation=(0, 0, pivot_z))
        for triangles, face in zip(mirror.triangles, mirror.finishes):
            parts.add(triangles, face)
        post = rng.uniform(0.03, 0.045)
        foot_l = rng.uniform(0.35, 0.5)
        for side in (-1, 1):
            x = side * (width / 2 + post / 2 + 0.02)
            parts.add(box((post, post, upright_h), (x, 0, upright_h / 2)), frame)
            parts.add(box((post * 1.2, foot_l, post), (x, 0, post / 2)), frame)
            parts.add(rod((x, 0, pivot_z), (x - side * 0.03, 0, pivot_z), 0.008, segments=6), metal(rng, ("gold", "silver", "black")))
        parts.add(box((width + 0.04, post * 0.8, post * 0.8), (0, 0, feet_h * 0.5)), frame)
        captions = (
            f"a tall {shape} cheval mirror tilting between two {frame.short} uprights on feet",
            f"a floor-standing full-length mirror in {article(frame.full)} frame",
            "a free-standing dressing mirror that swivels on two side posts",
            f"a {frame.colour} framed standing mirror, {grade(height, (1.25, 1.4), ('tall', 'very tall', 'full height'))}",
        )
        return BuiltShape(parts, captions)
    shape = str(rng.choice(["oval", "round", "rectangular", "rectangular"]))
    rim = rng.uniform(0.01, 0.05)
    frameless = bool(rng.random() < 0.2)
    depth = rng.uniform(0.015, 0.035)
    if shape == "rectangular":
        landscape = bool(rng.random() < 0.35)
        width = rng.uniform(0.7, 1.3) if landscape else rng.uniform(0.35, 0.8)
        height = width * (rng.uniform(0.55, 0.8) if landscape else rng.uniform(1.2, 1.9))
        zc = height / 2
        if frameless:
            parts.add(box((width, 0.006, height), (0, 0.003, zc)), glass)
            parts.add(box((width * 0.9, depth, height * 0.9), (0, 0.006 + depth / 2, zc)), fixed("dark grey", rng, "plastic"))
        else:
            parts.add(_rect_frame(width, height, rim, depth, (0, 0, zc)), frame)
            parts.add(box((width - rim, 0.004, height - rim), (0, depth * 0.2, zc)), glass)
            parts.add(box((width - rim, 0.004, height - rim), (0, depth * 0.45, zc)), frame)
        outline = "landscape rectangular" if landscape else "tall rectangular"
    else:
        rx = rng.uniform(0.2, 0.45)
        rz = rx * (rng.uniform(1.3, 1.6) if shape == "oval" else 1.0)
        zc = rz + (0.0 if frameless else rim)
        if frameless:
            parts.add(_oval(rx, rz, 0.006, (0, 0.003, zc)), glass)
            parts.add(_oval(rx * 0.9, rz * 0.9, depth, (0, 0.006 + depth / 2, zc)), fixed("dark grey", rng, "plastic"))
        else:
            parts.add(_oval_ring(rx, rz, rim, (0, 0, zc)), frame)
            parts.add(_oval(rx, rz, depth * 0.5, (0, depth * 0.4, zc)), frame)
            parts.add(_oval(rx, rz, 0.003, (0, 0.0, zc)), glass)
        outline = shape
    surround = "no frame, just bevelled glass" if frameless else f"{article(grade(rim, (0.025, 0.04), ('thin', 'medium', 'wide')))} {frame.full} frame"
    captions = (
        f"{article(outline)} wall mirror with {surround}",
        f"a mirror hanging flat on the wall, {outline} glass reflecting silver",
        "a looking glass for a hallway or bathroom" + ("" if frameless else f", framed in {frame.colour}"),
        f"a {grade(height if shape == 'rectangular' else 2 * rz, (0.6, 1.0), ('small', 'medium', 'large'))} {shape} mirror",
    )
    return BuiltShape(parts, captions)


@register_category("whiteboard", "Wide thin white writing board in a slim metal frame with a marker tray along its bottom edge (markers and an eraser in it), hung on a wall or carried on a mobile stand with casters: two uprights on foot bars, or two A-shaped side frames.", source=nyu40_source("whiteboard"))
def build_whiteboard(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["wall", "mobile", "A-frame"], p=[0.45, 0.35, 0.2]))
    surface = fixed("white", rng, str(rng.choice(["painted", "metal"])))
    frame = metal(rng, ("silver", "silver", "grey", "black"))
    if kind == "wall":
        width = rng.uniform(0.9, 2.4)
        height = float(np.clip(width * rng.uniform(0.45, 0.7), 0.6, 1.2))
        lift = 0.0
    else:
        width, height = rng.uniform(1.0, 1.8), rng.uniform(0.8, 1.2)
        lift = rng.uniform(0.7, 0.9)
    thick, rim = rng.uniform(0.015, 0.025), rng.uniform(0.015, 0.03)
    tray_d = rng.uniform(0.05, 0.08)
    zc = lift + 0.03 + height / 2
    parts.add(box((width, thick, height), (0, 0, zc)), surface)
    parts.add(_rect_frame(width + 2 * rim, height + 2 * rim, rim, thick + 0.01, (0, 0, zc)), frame)
    tray_l = width * rng.uniform(0.5, 1.0)
    parts.add(box((tray_l, tray_d, 0.008), (0, -tray_d / 2, lift + 0.004)), frame)
    parts.add(box((tray_l, 0.006, 0.022), (0, -tray_d, lift + 0.011)), frame)
    n_markers = int(rng.integers(0, 5))
    for k in range(n_markers):
        x = -tray_l / 2 + 0.1 + k * 0.04
        parts.add(rod((x, -tray_d * 0.5 + 0.005 * k, lift + 0.018), (x + 0.13, -tray_d * 0.5 + 0.005 * k, lift + 0.018), 0.009, segments=6),
                  paint(rng, ("black", "red", "blue", "green")))
    eraser = bool(rng.random() < 0.5)
    if eraser:
        parts.add(box((0.15, 0.05, 0.03), (tray_l / 2 - 0.12, -tray_d / 2, lift + 0.023)), fixed("black", rng, "plastic"))
    if kind == "mobile":
        post = rng.uniform(0.03, 0.045)
        top, foot_l = zc + height / 2 + rng.uniform(0.03, 0.25), rng.uniform(0.45, 0.6)
        for side in (-1, 1):
            x = side * (width / 2 + rim + post / 2 + 0.01)
            parts.add(box((post, post, top - 0.07), (x, 0, 0.07 + (top - 0.07) / 2)), frame)
            parts.add(box((post * 1.2, foot_l, post), (x, 0, 0.07 + post / 2)), frame)
            add_wheels(parts, rng, [(x - 0.01, -foot_l / 2 + 0.04), (x - 0.01, foot_l / 2 - 0.06)], 0.035, 0.02)
        parts.add(box((width + 2 * rim, post * 0.8, post * 0.8), (0, 0, 0.25)), frame)
        stand = "on a mobile stand of two uprights on wheeled feet"
    elif kind == "A-frame":
        spread = rng.uniform(0.25, 0.35)
        top = zc + height / 2
        low = 1 - (0.3 - 0.07) / (top - 0.07)  # the legs' spread at the height of the cross bars
        for side in (-1, 1):
            x = side * (width / 2 + rim + 0.02)
            parts.add(rods([(x, -spread, 0.07), (x, spread, 0.07)], [(x, 0, top)] * 2, 0.015, segments=6), frame)
            parts.add(box((0.02, 2 * spread * low, 0.02), (x, 0, 0.3)), frame)
            add_wheels(parts, rng, [(x - 0.01, -spread), (x - 0.01, spread - 0.02)], 0.035, 0.02)
        for y in (-spread * low, spread * low):
            parts.add(rod((-width / 2 - rim - 0.02, y, 0.3), (width / 2 + rim + 0.02, y, 0.3), 0.01, segments=6), frame)
        stand = "on a wheeled stand with two A-shaped side frames"
    else:
        stand = "mounted flat on a wall"
    markers = count(n_markers, "marker") if n_markers else "no markers"
    captions = (
        f"a whiteboard with {article(frame.colour)} metal frame and a marker tray, {stand}",
        f"a {grade(width / height, (1.2, 1.7), ('squarish', 'wide', 'very wide'))} white dry-erase board with {markers} in its tray" + (" and an eraser" if eraser else ""),
        "a classroom or office white board for writing with markers" + (", on casters" if kind != "wall" else ""),
        f"a {grade(width, (1.2, 1.8), ('small', 'medium', 'large'))} marker board, thin and flat with a white surface",
    )
    return BuiltShape(parts, captions)


@register_category("television", "Television: a very thin wide 16:9 flat panel (dark screen, slim bezel, thicker back box) low on a wide centre pedestal or two splayed feet near its ends, or wall-mounted on a bracket; or an old CRT set (deep tapering box, bulging screen, side controls, optional rabbit-ear antenna).", source=nyu40_source("television"))
def build_television(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["pedestal", "feet", "wall", "CRT"], p=[0.35, 0.3, 0.2, 0.15]))
    screen = fixed("black", rng, "glass")
    if kind == "CRT":
        body = wood(rng) if rng.random() < 0.3 else paint(rng, ("black", "grey", "silver", "dark grey", "beige"), "plastic")
        width = rng.uniform(0.5, 0.8)
        height, depth = width * rng.uniform(0.72, 0.85), width * rng.uniform(0.75, 1.0)
        lift = 0.02
        parts.add(box((width, depth * 0.4, height), (0, depth * 0.2, lift + height / 2)), body)
        housing = transform(tapered_box((width * 0.95, height * 0.95), (width * 0.5, height * 0.55), depth * 0.6), rotation=rotation_x(-np.pi / 2))
        parts.add(transform(housing, translation=(0, depth * 0.4, lift + height / 2)), body)
        side_panel = bool(rng.random() < 0.5)
        screen_w = width * (0.7 if side_panel else 0.82)
        screen_x = -width * 0.1 if side_panel else 0.0
        screen_z = lift + height * (0.52 if side_panel else 0.58)
        screen_h = height * (0.8 if side_panel else 0.7)
        parts.add(ellipsoid((screen_w / 2, 0.035, screen_h / 2), (screen_x, 0.0, screen_z), segments=16, rings=8), screen)
        controls = fixed("dark grey", rng, "plastic")
        if side_panel:
            for k in range(int(rng.integers(2, 5))):
                parts.add(transform(cylinder(0.015, 0.015, segments=10), rotation=_FACE, translation=(width * 0.38, 0, lift + height * (0.75 - 0.12 * k))), controls)
            parts.add(box((width * 0.12, 0.004, height * 0.25), (width * 0.38, -0.002, lift + height * 0.2)), controls)
        else:
            parts.add(box((width * 0.7, 0.004, height * 0.12), (0, -0.002, lift + height * 0.1)), controls)
        for x, y in ((-width * 0.4, 0.03), (width * 0.4, 0.03), (-width * 0.4, depth * 0.35), (width * 0.4, depth * 0.35)):
            parts.add(box((0.04, 0.04, lift), (x, y, lift / 2)), controls)
        antenna = bool(rng.random() < 0.5)
        if antenna:
            base = (0, depth * 0.25, lift + height)
            parts.add(ellipsoid((0.05, 0.05, 0.03), base, segments=10, rings=4), controls)
            reach = rng.uniform(0.35, 0.55)
            spread = rng.uniform(0.4, 0.8)
            tips = [(s * reach * np.sin(spread), base[1] + 0.05, base[2] + reach * np.cos(spread)) for s in (-1, 1)]
            parts.add(rods([base, base], tips, 0.004, segments=4), fixed("silver", rng, "metal"))
        inches = int(round(np.hypot(screen_w, screen_h) / 0.0254))
        captions = (
            "an old CRT television with a curved screen" + (" and a rabbit-ear antenna on top" if antenna else ""),
            f"a deep boxy {body.full} TV set" + (" with control knobs beside the screen" if side_panel else " with a control strip under the screen"),
            f"a vintage tube television, about {inches} inches, {grade(depth / width, (0.85,), ('deep', 'very deep'))} at the back",
            f"a retro {body.colour} TV with a bulging glass screen",
        )
        return BuiltShape(parts, captions)
    body = paint(rng, ("black", "black", "dark grey", "silver", "grey", "white"), "plastic")
    width = rng.uniform(0.8, 1.65)
    bezel = rng.uniform(0.005, 0.02)
    height = width * 9 / 16 + 2 * bezel
    panel = rng.uniform(0.015, 0.04)
    lift = 0.0 if kind == "wall" else rng.uniform(0.05, 0.12)
    zc = lift + height / 2
    parts.add(box((width, panel, height), (0, 0, zc)), body)
    parts.add(box((width - 2 * bezel, 0.002, height - 2 * bezel), (0, -panel / 2 - 0.001, zc)), screen)
    back_d = rng.uniform(0.02, 0.06)
    parts.add(box((width * rng.uniform(0.5, 0.75), back_d, height * rng.uniform(0.4, 0.6)), (0, panel / 2 + back_d / 2, lift + height * 0.4)), body)
    if kind == "pedestal":
        base_w = width * rng.uniform(0.3, 0.5)
        base_d = rng.uniform(0.2, 0.3)
        neck_w = rng.uniform(0.06, 0.15)
        round_base = bool(rng.random() < 0.35)
        if round_base:
            parts.add(transform(cylinder(1.0, 0.02, segments=24), scale=(base_w / 2, base_d / 2, 1.0), translation=(0, panel, 0)), body)
        else:
            parts.add(box((base_w, base_d, 0.02), (0, panel, 0.01)), body)
        parts.add(box((neck_w, 0.025, lift + height * 0.3), (0, panel / 2 + back_d + 0.0125, (lift + height * 0.3) / 2)), body)
        stand = f"a wide {'oval' if round_base else 'flat'} centre pedestal"
    elif kind == "feet":
        foot_x = width * rng.uniform(0.36, 0.45)
        foot_d = rng.uniform(0.2, 0.3)
        for side in (-1, 1):
            x = side * foot_x
            # Each foot is a flat triangular blade under the panel, splayed forward and back.
            blade = prism([(-foot_d / 2, 0.0), (foot_d / 2, 0.0), (0.0, lift + 0.04)], 0.015)
            parts.add(transform(blade, rotation=rotation_z(np.pi / 2), translation=(x, 0, 0)), body)
        stand = "two splayed feet near its ends"
    else:
        bracket = metal(rng, ("black", "grey", "silver"))
        parts.add(box((width * 0.35, 0.01, height * 0.4), (0, panel / 2 + back_d + 0.045, lift + height * 0.42)), bracket)
        for x in (-width * 0.12, width * 0.12):
            parts.add(box((0.03, 0.04, height * 0.55), (x, panel / 2 + back_d + 0.02, lift + height * 0.42)), bracket)
        stand = "a wall bracket behind it"
    inches = int(round(np.hypot(width - 2 * bezel, height - 2 * bezel) / 0.0254))
    captions = (
        f"a flat-screen television on {stand}" if kind != "wall" else "a wall-mounted flat-screen television on a bracket",
        f"{article(body.colour)} {inches}-inch TV with a wide dark screen and a {grade(bezel, (0.01, 0.015), ('very thin', 'thin', 'narrow'))} bezel",
        f"a {grade(width, (1.1, 1.4), ('medium', 'large', 'very large'))} widescreen TV, very thin and wide",
        f"a living room television set, {body.full}, 16:9 panel",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
