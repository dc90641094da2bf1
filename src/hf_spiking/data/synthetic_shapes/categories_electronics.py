"""Electronics and home appliances: cameras, phones, remote controls, keyboards, laptops, monitors, loudspeakers,
microphones, headphones, printers, microwaves, dishwashers, washing machines and stoves (registered after the
utensils; see ``categories.EXTENSION_MODULES``).

Front faces look along -y. Boxy appliances are told apart by what their front and top carry (a porthole, a side
window and keypad, burners, paper trays), handheld devices by their outline and the layout of their keys.
"""

from __future__ import annotations

import numpy as np

from .categories import Assembly, BuiltShape, register_category, shapenet_source
from .finishes import Finish, article, count, fixed, grade, metal, paint
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import arc, bar_handle, ellipsoid, key_grid, open_box, rods, tapered_box, tube

_UPRIGHT = rotation_x(np.pi / 2)  # +z onto -y: a horizontal layout stood up on a front face


def _on_front(triangles: np.ndarray, center) -> np.ndarray:
    """A layout built facing +z (keys, discs, a cylinder's cap), stood on a front face at ``center``, facing -y."""
    return transform(triangles, rotation=_UPRIGHT, translation=tuple(center))


def _disc(radius: float, thickness: float, center, segments: int = 20) -> np.ndarray:
    """A disc (short cylinder) lying against a front face at ``center`` and standing ``thickness`` out of it."""
    return _on_front(cylinder(radius, thickness, segments=segments), center)


def _appliance_colour(rng: np.random.Generator) -> Finish:
    """The enamelled or steel finish of a kitchen or laundry appliance."""
    return paint(rng, ("white", "white", "silver", "black", "grey", "cream"), "metal")


@register_category("camera", "Photo camera: a box body with a lens of stacked cylinders on its front; DSLRs add a viewfinder hump on top and a hand grip, compacts a flat short lens and a flash window, instant cameras are chunky with a big lens.", source=shapenet_source("camera"))
def build_camera(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["DSLR camera", "compact camera", "instant camera"]))
    body = paint(rng, ("black", "black", "silver", "dark grey") if kind != "instant camera" else ("white", "pink", "light blue", "yellow", "black", "teal"), "plastic")
    dark = fixed("black", rng)
    width = {"DSLR camera": 0.14, "compact camera": 0.1, "instant camera": 0.12}[kind] * rng.uniform(0.9, 1.1)
    height = width * rng.uniform(0.6, 0.75) if kind != "instant camera" else width * rng.uniform(0.8, 1.0)
    depth = width * (0.25 if kind == "compact camera" else rng.uniform(0.45, 0.6))
    parts.add(box((width, depth, height), (0, 0, height / 2)), body)
    lens_r = height * (0.3 if kind == "compact camera" else rng.uniform(0.32, 0.4))
    lens_len = {"DSLR camera": rng.uniform(0.4, 0.9), "compact camera": 0.1, "instant camera": rng.uniform(0.15, 0.3)}[kind] * width
    lens_x = 0.0 if kind == "instant camera" else -width * 0.08
    n_rings = 1 if kind == "compact camera" else int(rng.integers(2, 4))
    for k in range(n_rings):
        ring = _disc(lens_r * (1 - 0.08 * k), lens_len / n_rings + 1e-3, (lens_x, -depth / 2 - k * lens_len / n_rings, height * 0.45))
        parts.add(ring, dark if kind != "instant camera" or k else body)
    parts.add(_disc(lens_r * 0.75, 0.002, (lens_x, -depth / 2 - lens_len, height * 0.45)), fixed("dark grey", rng, "glass"))
    if kind == "DSLR camera":
        hump = [(-width * 0.15, 0), (width * 0.15, 0), (width * 0.08, height * 0.3), (-width * 0.08, height * 0.3)]
        parts.add(transform(prism(hump, depth * 0.8), translation=(lens_x, 0, height)), body)
        parts.add(box((width * 0.2, depth * 0.5, height * 0.9), (width * 0.38, -depth * 0.45, height * 0.47)), dark)
        details = "a viewfinder hump and a hand grip"
    else:
        parts.add(box((width * 0.2, 0.002, height * 0.15), (width * 0.3, -depth / 2 - 0.001, height * 0.8)), fixed("white", rng))
        details = "a built-in flash"
    parts.add(transform(cylinder(width * 0.04, height * 0.05, segments=10), translation=(width * 0.35, 0, height)), fixed("silver", rng))
    captions = (
        f"{article(body.colour)} {kind} with {details}",
        f"a camera with {article(grade(lens_len / width, (0.2, 0.6), ('short', 'medium', 'long')))} lens on its front",
        f"{article(kind)} for taking photographs",
        f"a {body.colour} photo camera, {count(n_rings, 'lens ring')} on the lens",
    )
    return BuiltShape(parts, captions)


@register_category("mobile phone", "Thin slab lying flat: a smartphone (tall rounded slab with a dark screen covering nearly its whole face and a camera bump) or a keypad phone (small screen above a grid of number keys).", source=shapenet_source("cellular telephone"))
def build_mobile_phone(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    smart = bool(rng.random() < 0.65)
    body = paint(rng, ("black", "silver", "white", "gold", "blue", "red", "pink", "dark grey"), "plastic" if not smart or rng.random() < 0.3 else "metal")
    screen = fixed("black", rng, "glass")
    width = rng.uniform(0.065, 0.078) if smart else rng.uniform(0.045, 0.055)
    length = width * (rng.uniform(2.0, 2.2) if smart else rng.uniform(2.1, 2.5))
    thick = rng.uniform(0.007, 0.01) if smart else rng.uniform(0.012, 0.018)
    parts.add(tapered_box((width, length), (width * 0.98, length * 0.99), thick), body)
    if smart:
        parts.add(box((width * 0.92, length * 0.93, 0.001), (0, 0, thick + 0.0005)), screen)
        n_lenses = int(rng.integers(1, 4))
        for k in range(n_lenses):
            parts.add(transform(cylinder(width * 0.07, 0.0015, segments=12), rotation=rotation_x(np.pi), translation=(-width * 0.3, length * 0.4 - k * width * 0.17, 0)), fixed("dark grey", rng, "glass"))
        details = f"a large touch screen and {count(n_lenses, 'camera lens', 'camera lenses')} on the back"
        noun = "smartphone"
    else:
        parts.add(box((width * 0.75, length * 0.3, 0.001), (0, length * 0.25, thick + 0.0005)), screen)
        parts.add(key_grid((0, -length * 0.22, thick), 4, 3, (width * 0.25, length * 0.09), (width * 0.18, length * 0.06, 0.002)), fixed("grey", rng, "plastic"))
        details = "a small screen and twelve number keys"
        noun = "keypad phone"
    captions = (
        f"{article(body.colour)} mobile phone with {details}",
        f"{article(noun)} lying flat, a cell phone",
        f"a thin {body.full} mobile phone",
        f"a handheld phone for calls and messages, {body.colour}",
    )
    return BuiltShape(parts, captions)


def _coil(start, end, radius: float, turns: int) -> np.ndarray:
    """A coiled cord: a helix of ``turns`` loops of ``radius`` around the straight line from ``start`` to ``end``."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    axis = end - start
    side = np.cross(axis, [0.0, 0.0, 1.0])
    side = side / max(np.linalg.norm(side), 1e-9) if np.linalg.norm(side) > 1e-9 else np.array([1.0, 0.0, 0.0])
    other = np.cross(axis / np.linalg.norm(axis), side)
    t = np.linspace(0.0, 1.0, turns * 6 + 1)
    angle = 2 * np.pi * turns * t
    points = start + t[:, None] * axis + radius * (np.cos(angle)[:, None] * side + np.sin(angle)[:, None] * other)
    return tube(points, radius * 0.2, segments=4)


@register_category("telephone", "Desk telephone: a wedge-shaped base with a keypad or a round rotary dial, a handset (bar with ear and mouth pieces) resting across its top, joined to the base by a coiled cord.", source=shapenet_source("telephone"))
def build_telephone(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("black", "white", "red", "cream", "grey", "beige", "green"), "plastic")
    rotary = bool(rng.random() < 0.4)
    width, depth = rng.uniform(0.17, 0.23), rng.uniform(0.18, 0.23)
    back_h, front_h = rng.uniform(0.07, 0.1), rng.uniform(0.03, 0.05)
    # The wedge: the top slopes down towards the front (-y).
    parts.add(tapered_box((width, depth), (width * 0.9, depth * 0.6), back_h, offset=(0, depth * 0.15)), body)
    slope = np.arctan2(back_h - front_h, depth * 0.6)
    if rotary:
        dial = transform(cylinder(width * 0.3, 0.006, segments=24), rotation=rotation_x(slope), translation=(0, -depth * 0.1, back_h * 0.7))
        parts.add(dial, fixed("white", rng) if body.colour == "black" else fixed("black", rng))
        details = "a rotary dial"
    else:
        keys = transform(key_grid((0, 0, 0), 4, 3, (width * 0.16, depth * 0.09), (width * 0.11, depth * 0.06, 0.006)), rotation=rotation_x(slope))
        parts.add(transform(keys, translation=(0, -depth * 0.1, back_h * 0.65)), fixed("grey", rng, "plastic"))
        details = "a keypad of twelve buttons"
    handset_len = width * rng.uniform(1.0, 1.2)
    z = back_h + 0.02
    parts.add(box((handset_len * 0.7, 0.045, 0.03), (0, depth * 0.15, z)), body)
    for side in (-1, 1):
        parts.add(transform(cylinder(0.028, 0.04, segments=14), translation=(side * handset_len * 0.4, depth * 0.15, z - 0.025)), body)
    turns = int(rng.integers(8, 16))
    parts.add(_coil((-handset_len * 0.4, depth * 0.15, z - 0.03), (-width / 2, -depth * 0.3, 0.01), 0.008, turns), body)
    captions = (
        f"{article(body.colour)} desk telephone with {details}",
        "a landline phone with a handset resting on its base and a coiled cord",
        f"{article('old-fashioned' if rotary else 'office')} telephone made of {body.colour} plastic",
        "a corded telephone with a handset for making calls",
    )
    return BuiltShape(parts, captions)


@register_category("remote control", "Long narrow slab lying flat (about four times longer than wide) with rows of small buttons, a round direction pad near the top and a red power button.", source=shapenet_source("remote control"))
def build_remote_control(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("black", "black", "dark grey", "silver", "white", "grey"), "plastic")
    keys = fixed("grey", rng, "rubber") if body.colour != "grey" else fixed("black", rng, "rubber")
    length, width = rng.uniform(0.14, 0.22), rng.uniform(0.04, 0.055)
    thick = rng.uniform(0.014, 0.024)
    parts.add(tapered_box((width * 0.9, length * 0.98), (width, length), thick), body)
    rows = int(rng.integers(3, 8))
    pitch = length * 0.5 / rows
    parts.add(key_grid((0, -length * 0.18, thick), rows, 3, (width * 0.28, pitch), (width * 0.18, pitch * 0.6, 0.003)), keys)
    pad = bool(rng.random() < 0.7)
    if pad:
        parts.add(transform(torus(width * 0.22, width * 0.05, segments=16, tube_segments=4), translation=(0, length * 0.22, thick)), keys)
    parts.add(transform(cylinder(width * 0.08, 0.003, segments=10), translation=(-width * 0.25, length * 0.42, thick)), fixed("red", rng, "rubber"))
    captions = (
        f"{article(body.colour)} remote control with {count(rows * 3, 'button')}" + (" and a round direction pad" if pad else ""),
        f"a TV remote control, a {grade(length, (0.16, 0.19), ('short', 'standard', 'long'))} narrow handset",
        "a handheld remote for the television with a red power button",
        f"{article(body.full)} remote control lying flat",
    )
    return BuiltShape(parts, captions)


@register_category("keyboard", "Wide low computer keyboard (about three times wider than deep), slightly wedge-shaped, covered with a grid of 4-6 rows of key caps with a long space bar; optional number pad block and cable.", source=shapenet_source("computer keyboard"))
def build_keyboard(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("black", "white", "silver", "dark grey", "grey"), "plastic")
    keys = body if rng.random() < 0.5 else paint(rng, ("black", "white", "grey", "cream"), "plastic")
    rows, columns = int(rng.integers(4, 7)), int(rng.integers(12, 16))
    pitch = rng.uniform(0.018, 0.02)
    numpad = bool(rng.random() < 0.4)
    width = (columns + (4.5 if numpad else 0)) * pitch + 0.03
    depth = (rows + 1) * pitch + 0.02
    parts.add(tapered_box((width, depth), (width, depth * 0.98), 0.015, offset=(0, depth * 0.01)), body)
    key = (pitch * 0.8, pitch * 0.8, 0.008)
    main_x = -width / 2 + 0.015 + columns * pitch / 2
    parts.add(key_grid((main_x, pitch / 2, 0.015), rows, columns, (pitch, pitch), key), keys)
    parts.add(box((pitch * 6, pitch * 0.8, 0.008), (main_x, pitch / 2 - (rows + 1) * pitch / 2, 0.019)), keys)
    if numpad:
        parts.add(key_grid((width / 2 - 0.015 - 2 * pitch, pitch / 2, 0.015), rows, 4, (pitch, pitch), key), keys)
    cable = bool(rng.random() < 0.4)
    if cable:
        parts.add(tube([(0, depth / 2, 0.008), (0.02, depth / 2 + 0.08, 0.004), (-0.03, depth / 2 + 0.18, 0.004)], 0.003, segments=5), fixed("black", rng))
    captions = (
        f"{article(body.colour)} computer keyboard with {count(rows, 'row')} of keys" + (" and a number pad" if numpad else ""),
        f"a {'wired' if cable else 'wireless'} keyboard for typing, with a long space bar",
        f"a flat {body.full} keyboard covered in {keys.colour} keys",
        "a desktop keyboard, wide and low",
    )
    return BuiltShape(parts, captions)


@register_category("laptop", "Open laptop: a thin base slab carrying a keyboard grid and a touchpad, and a screen lid of the same footprint hinged at its back edge and tilted open by 95-135 degrees.", source=shapenet_source("laptop"))
def build_laptop(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("silver", "silver", "black", "dark grey", "white", "gold"), "metal" if rng.random() < 0.6 else "plastic")
    width, depth = rng.uniform(0.3, 0.38), rng.uniform(0.21, 0.26)
    thick = rng.uniform(0.012, 0.02)
    parts.add(box((width, depth, thick), (0, 0, thick / 2)), body)
    rows = int(rng.integers(5, 7))
    pitch = width * 0.85 / 14
    parts.add(key_grid((0, depth * 0.12, thick), rows, 14, (pitch, pitch), (pitch * 0.8, pitch * 0.8, 0.002)), fixed("black", rng, "plastic"))
    parts.add(box((width * 0.3, depth * 0.25, 0.001), (0, -depth * 0.32, thick + 0.0005)), fixed("dark grey", rng))
    angle = rng.uniform(np.deg2rad(95), np.deg2rad(135))
    # The lid as if closed, in hinge coordinates (lying forward of the hinge, screen on its underside), then swung
    # up and back about the hinge axis by the opening angle.
    lid = box((width, depth, thick * 0.5), (0, -depth / 2, thick * 0.25))
    screen = box((width * 0.9, depth * 0.85, 0.001), (0, -depth / 2, -0.0005))
    for part, finish in ((lid, body), (screen, fixed("black", rng, "glass"))):
        parts.add(transform(part, rotation=rotation_x(-angle), translation=(0, depth / 2, thick)), finish)
    captions = (
        f"an open {body.full} laptop with a keyboard and a touchpad",
        f"a notebook computer with its screen tilted {'far back' if angle > np.deg2rad(115) else 'upright'}",
        f"{article(body.colour)} laptop, a portable computer",
        f"a laptop whose lid shows a dark screen above {count(rows, 'row')} of keys",
    )
    return BuiltShape(parts, captions)


@register_category("monitor", "Computer display: a thin upright rectangular panel with a dark screen framed by a bezel, on a stand (a neck rising from a flat base plate, or two splayed feet); some are deep old CRT monitors with a tapering back.", source=shapenet_source("display"))
def build_monitor(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("black", "black", "silver", "white", "dark grey"), "plastic")
    crt = bool(rng.random() < 0.2)
    width = rng.uniform(0.35, 0.45) if crt else rng.uniform(0.45, 0.75)
    height = width * (0.8 if crt else rng.uniform(0.5, 0.65))
    thick = width * (0.9 if crt else rng.uniform(0.03, 0.06))
    lift = rng.uniform(0.02, 0.05) if crt else rng.uniform(0.08, 0.18)
    if crt:
        # The tube housing tapers backwards from the full screen size (a tapered box laid along +y).
        housing = transform(tapered_box((width, height), (width * 0.6, height * 0.6), thick * 0.7), rotation=rotation_x(-np.pi / 2))
        parts.add(transform(housing, translation=(0, 0, lift + height / 2)), body)
        parts.add(box((width, thick * 0.3, height), (0, -thick * 0.15, lift + height / 2)), body)
        face_y = -thick * 0.3
    else:
        parts.add(box((width, thick, height), (0, 0, lift + height / 2)), body)
        face_y = -thick / 2
    parts.add(box((width * 0.92, 0.002, height * 0.88), (0, face_y - 0.001, lift + height * 0.52)), fixed("black", rng, "glass"))
    feet = bool(rng.random() < 0.3) and not crt
    if crt:
        parts.add(box((width * 0.5, thick * 0.5, lift), (0, thick * 0.3, lift / 2)), body)
        stand = "a small base"
    elif feet:
        for side in (-1, 1):
            parts.add(rod((side * width * 0.35, 0, lift + 0.02), (side * width * 0.42, -width * 0.1, 0.005), 0.01, segments=6), body)
            parts.add(box((0.03, width * 0.22, 0.01), (side * width * 0.42, -width * 0.05, 0.005)), body)
        stand = "two feet"
    else:
        base = width * rng.uniform(0.3, 0.45)
        parts.add(box((base, base * 0.7, 0.015), (0, thick, 0.0075)), body)
        parts.add(box((0.05, 0.02, lift + height * 0.4), (0, thick / 2 + 0.012, (lift + height * 0.4) / 2)), body)
        stand = "a stand and a flat base"
    kind = "CRT monitor" if crt else ("widescreen monitor" if height / width < 0.58 else "monitor")
    captions = (
        f"{article(body.colour)} computer {kind} on {stand}",
        f"a display screen, {'deep and boxy' if crt else 'thin and flat'}, with {article(body.colour)} bezel",
        "a desktop monitor showing a dark screen",
        f"{article(grade(width, (0.5, 0.62), ('small', 'medium', 'large')))} {body.full} computer screen",
    )
    return BuiltShape(parts, captions)


def _driver(radius: float, center) -> list[np.ndarray]:
    """A loudspeaker driver on a front face: a shallow cone opening towards the viewer and its rubber surround."""
    cone = lathe([0.0, radius * 0.25, radius], [-radius * 0.35, -radius * 0.3, 0.0], 20)
    surround = torus(radius, radius * 0.06, segments=20, tube_segments=4)
    return [_on_front(part, center) for part in (cone, surround)]


@register_category("loudspeaker", "Speaker: an upright box cabinet (small bookshelf or tall floor-standing) with 1-4 round drivers (cones with surrounds) and a small tweeter dome on its front, optional bass port; or a cylindrical smart speaker with a light ring on top.", source=shapenet_source("loudspeaker"))
def build_loudspeaker(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["bookshelf speaker", "floor-standing speaker", "smart speaker"]))
    cabinet = paint(rng, ("black", "black", "white", "dark grey"), "plastic") if rng.random() < 0.6 else paint(rng, ("brown", "dark red", "black"), "wooden")
    dark = fixed("black", rng)
    if kind == "smart speaker":
        radius, height = rng.uniform(0.05, 0.08), rng.uniform(0.1, 0.25)
        cabinet = paint(rng, ("grey", "black", "white", "dark grey", "blue"), "fabric")
        parts.add(cylinder(radius, height, top_radius=radius * rng.uniform(0.85, 1.0), segments=24), cabinet)
        parts.add(transform(torus(radius * 0.7, radius * 0.05, segments=20, tube_segments=4), translation=(0, 0, height)), fixed("light blue", rng))
        n_drivers, details = 1, "a light ring on top"
    else:
        tall = kind == "floor-standing speaker"
        width = rng.uniform(0.18, 0.26)
        height = width * (rng.uniform(3.5, 5.0) if tall else rng.uniform(1.4, 1.9))
        depth = width * rng.uniform(1.1, 1.5)
        parts.add(box((width, depth, height), (0, 0, height / 2)), cabinet)
        n_drivers = int(rng.integers(2, 5)) if tall else 1
        driver_r = width * rng.uniform(0.3, 0.4)
        top_z = height - width * 0.45
        parts.add(ellipsoid((width * 0.1, width * 0.06, width * 0.1), (0, -depth / 2, top_z)), dark)
        for k in range(n_drivers):
            for part in _driver(driver_r, (0, -depth / 2 - 0.001, top_z - width * 0.3 - driver_r - k * driver_r * 2.3)):
                parts.add(part, dark)
        port = bool(rng.random() < 0.5)
        if port:
            parts.add(_disc(width * 0.1, 0.002, (0, -depth / 2 - 0.001, width * 0.3)), fixed("dark grey", rng))
        details = f"{count(n_drivers, 'round driver')} and a tweeter" + (" above a bass port" if port else "")
    captions = (
        f"{article(cabinet.full)} {kind} with {details}",
        f"a loudspeaker for playing music, {cabinet.colour}",
        f"{article(kind)}, an audio speaker",
        f"a {cabinet.colour} loudspeaker {'standing on the floor' if kind == 'floor-standing speaker' else 'for a shelf or desk'}",
    )
    return BuiltShape(parts, captions)


@register_category("microphone", "Microphone on a stand: a round or tripod base, a thin vertical pole, optionally a slanted boom arm, and a handheld mic (tapered grip with a ball grille) or a studio condenser mic (capsule body in a ring shock mount).", source=shapenet_source("microphone"))
def build_microphone(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    stand = metal(rng, ("black", "black", "silver", "dark grey"))
    mic = metal(rng, ("black", "silver", "dark grey", "gold"))
    height = rng.uniform(0.3, 1.5)
    tripod = bool(rng.random() < 0.5)
    if tripod:
        for angle in 2 * np.pi * np.arange(3) / 3:
            parts.add(rod((0, 0, height * 0.15), (0.25 * height * np.cos(angle) * 0.5, 0.25 * height * np.sin(angle) * 0.5, 0.0), 0.008, segments=5), stand)
    else:
        parts.add(cylinder(height * 0.12, 0.015, segments=20), stand)
    parts.add(rod((0, 0, 0), (0, 0, height), 0.009, segments=6), stand)
    boom = bool(rng.random() < 0.4)
    head = np.array([0.0, 0.0, height])
    if boom:
        head = head + height * 0.45 * np.array([np.cos(0.4), 0.0, np.sin(0.4)])
        parts.add(rod((-height * 0.1, 0, height - height * 0.04), head, 0.007, segments=6), stand)
    condenser = bool(rng.random() < 0.35)
    if condenser:
        radius = rng.uniform(0.025, 0.035)
        body = transform(lathe([0.0, radius, radius, radius * 0.9, 0.0], [0.0, 0.0, radius * 3.5, radius * 4.3, radius * 4.6], 14), translation=tuple(head + [0, 0, radius * 1.4]))
        parts.add(body, mic)
        parts.add(transform(torus(radius * 1.6, 0.004, segments=16, tube_segments=4), translation=tuple(head + [0, 0, radius * 2.0])), stand)
        kind = "studio condenser microphone"
    else:
        tilt = rotation_y(rng.uniform(0.2, 0.8))
        grip = transform(cylinder(0.012, 0.14, top_radius=0.02, segments=12), rotation=tilt, translation=tuple(head))
        tip = head + tilt @ np.array([0.0, 0.0, 0.16])
        parts.add(grip, mic)
        parts.add(transform(sphere(0.03, segments=12, rings=7), translation=tuple(tip)), fixed("silver", rng, "metal"))
        kind = "handheld microphone"
    captions = (
        f"{article(kind)} on {article('tripod' if tripod else 'round-based')} stand" + (" with a boom arm" if boom else ""),
        f"{article(mic.colour)} microphone for singing or recording",
        f"a mic on a {grade(height, (0.6, 1.1), ('short desk', 'medium', 'tall floor'))} stand",
        f"a {stand.colour} microphone stand holding a microphone",
    )
    return BuiltShape(parts, captions)


@register_category("headphones", "Over-ear headphones standing upright: a curved headband (an arc of about 200 degrees) with two round or oval ear cups with cushions facing each other at its ends.", source=shapenet_source("earphone"))
def build_headphones(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("black", "white", "silver", "red", "blue", "grey", "pink", "gold"), "plastic")
    cushion = fixed("black", rng, "leather") if rng.random() < 0.7 else paint(rng, ("grey", "white", "brown"), "fabric")
    half_width = rng.uniform(0.075, 0.095)
    cup_r = rng.uniform(0.035, 0.05)
    cup_t = rng.uniform(0.02, 0.035)
    center_z = cup_r + rng.uniform(0.04, 0.07)
    band_h = half_width * rng.uniform(1.0, 1.3)
    band = arc((0, 0, 0), 1.0, -0.15, np.pi + 0.15, 15) * [half_width + cup_t * 0.5, 1.0, band_h] + [0, 0, center_z]
    parts.add(tube(band, rng.uniform(0.006, 0.01), segments=6), finish)
    oval = rng.uniform(1.0, 1.3)
    for side in (-1, 1):
        # Cups and pads are built about the z axis, turned onto the x axis and stretched upwards into ovals.
        cup = transform(cylinder(cup_r, cup_t, segments=20), rotation=rotation_y(side * np.pi / 2))
        x = side * (half_width + cup_t * 0.5)
        parts.add(transform(cup, scale=(1.0, 1.0, oval), translation=(x, 0, center_z - band_h * 0.2)), finish)
        pad = transform(torus(cup_r * 0.75, cup_t * 0.3, segments=18, tube_segments=5), rotation=rotation_y(np.pi / 2))
        parts.add(transform(pad, scale=(1.0, 1.0, oval), translation=(x - side * cup_t * 0.1, 0, center_z - band_h * 0.2)), cushion)
    captions = (
        f"a pair of {finish.colour} headphones with {cushion.colour} ear cushions",
        f"over-ear headphones with a curved headband and two {'oval' if oval > 1.15 else 'round'} ear cups",
        f"a {finish.full} headset for listening to music",
        "headphones standing upright on their ear cups",
    )
    return BuiltShape(parts, captions)


@register_category("printer", "Desktop printer: a wide box body with a sloped paper input tray rising from its back (holding a white sheet), a thin output tray sticking out of the front and a small control panel; optional flat scanner lid on top.", source=shapenet_source("printer"))
def build_printer(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = paint(rng, ("white", "black", "grey", "dark grey", "cream"), "plastic")
    paper = fixed("white", rng, "paper")
    width, depth, height = rng.uniform(0.38, 0.5), rng.uniform(0.28, 0.4), rng.uniform(0.13, 0.25)
    parts.add(box((width, depth, height), (0, 0, height / 2)), body)
    scanner = bool(rng.random() < 0.5)
    if scanner:
        parts.add(box((width * 0.98, depth * 0.95, 0.03), (0, 0, height + 0.015)), fixed("dark grey", rng, "plastic") if body.colour != "dark grey" else fixed("grey", rng))
    top = height + (0.03 if scanner else 0.0)
    tilt = rotation_x(-rng.uniform(0.35, 0.7))  # leaning back, away from the front
    tray_h = depth * rng.uniform(0.5, 0.8)
    for part, finish in ((box((width * 0.6, 0.006, tray_h), (0, 0, tray_h / 2)), body), (box((width * 0.5, 0.003, tray_h * 0.9), (0, -0.004, tray_h * 0.45)), paper)):
        parts.add(transform(part, rotation=tilt, translation=(0, depth * 0.45, top - 0.03)), finish)
    out_len = depth * rng.uniform(0.25, 0.5)
    parts.add(box((width * 0.55, out_len, 0.006), (0, -depth / 2 - out_len / 2, height * 0.35)), body)
    parts.add(box((width * 0.45, out_len * 0.8, 0.002), (0, -depth / 2 - out_len * 0.4, height * 0.35 + 0.004)), paper)
    parts.add(tapered_box((width * 0.22, 0.05), (width * 0.22, 0.03), 0.02, base=(width * 0.32, -depth / 2 + 0.03, top)), fixed("black", rng, "plastic"))
    captions = (
        f"{article(body.colour)} printer with a paper tray at the back and an output tray in front",
        f"{article('all-in-one printer with a scanner lid' if scanner else 'desktop inkjet printer')}",
        f"a {body.full} office printer holding white paper",
        f"a {grade(height / width, (0.35, 0.5), ('flat', 'medium', 'tall'))} printer for printing documents",
    )
    return BuiltShape(parts, captions)


@register_category("microwave", "Microwave oven: a box wider than tall on small feet; its front has a door with a dark window over about two thirds of the width and a control panel strip (keypad or two dials) beside it, with a vertical handle or push button.", source=shapenet_source("microwave"))
def build_microwave(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = _appliance_colour(rng)
    width, depth, height = rng.uniform(0.45, 0.55), rng.uniform(0.32, 0.4), rng.uniform(0.26, 0.32)
    lift = 0.01
    parts.add(box((width, depth, height), (0, 0, lift + height / 2)), body)
    for x, y in [(sx * width * 0.4, sy * depth * 0.4) for sx in (-1, 1) for sy in (-1, 1)]:
        parts.add(transform(cylinder(0.015, lift, segments=8), translation=(x, y, 0)), fixed("black", rng))
    panel_w = width * rng.uniform(0.22, 0.3)
    door_w = width - panel_w
    front = -depth / 2
    parts.add(box((door_w * 0.7, 0.004, height * 0.65), (-width / 2 + door_w * 0.45, front - 0.002, lift + height / 2)), fixed("black", rng, "glass"))
    panel_x = width / 2 - panel_w / 2
    dials = bool(rng.random() < 0.35)
    if dials:
        for z in (0.68, 0.35):
            parts.add(_disc(panel_w * 0.28, 0.02, (panel_x, front, lift + height * z)), fixed("silver", rng))
        controls = "two dials"
    else:
        parts.add(box((panel_w * 0.8, 0.003, height * 0.18), (panel_x, front - 0.0015, lift + height * 0.82)), fixed("black", rng, "glass"))
        parts.add(_on_front(key_grid((0, 0, 0), 4, 3, (panel_w * 0.25, height * 0.11), (panel_w * 0.18, height * 0.07, 0.004)), (panel_x, front, lift + height * 0.45)), fixed("grey", rng, "plastic"))
        controls = "a keypad and a display"
    handle = bool(rng.random() < 0.6)
    if handle:
        parts.add(bar_handle((-width / 2 + door_w - 0.03, front, lift + height / 2), height * 0.6, vertical=True, standoff=0.025), fixed("silver", rng))
    captions = (
        f"{article(body.full)} microwave oven with {controls}",
        "a microwave with a dark window in its door" + (" and a vertical handle" if handle else ""),
        f"a kitchen microwave for heating food, {body.colour}",
        f"{article(body.colour)} countertop microwave, a box oven",
    )
    return BuiltShape(parts, captions)


def _front_strip(parts: Assembly, rng: np.random.Generator, width: float, front: float, z: float, height: float, n_buttons: int) -> None:
    """A dark control strip across an appliance front with a row of small buttons."""
    parts.add(box((width * 0.96, 0.006, height), (0, front - 0.003, z)), fixed("black", rng, "plastic"))
    for x in np.linspace(-width * 0.3, width * 0.3, n_buttons):
        parts.add(_disc(height * 0.18, 0.006, (x, front - 0.006, z), segments=10), fixed("silver", rng))


@register_category("dishwasher", "Under-counter cube (about 0.6 x 0.6 x 0.85 m) with a full-width front door under a control strip and a horizontal bar handle, and a dark kick plate; sometimes shown open: the door folded down flat and two wire racks (with plates) pulled out of the empty tub.", source=shapenet_source("dishwasher"))
def build_dishwasher(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = _appliance_colour(rng)
    width, depth, height = rng.uniform(0.55, 0.62), rng.uniform(0.55, 0.62), rng.uniform(0.8, 0.88)
    kick = 0.09
    front = -depth / 2
    open_door = bool(rng.random() < 0.35)
    if open_door:
        # The tub opens towards the viewer; the door lies flat in front of it at kick-plate height.
        parts.add(transform(open_box((width, height - kick, depth), 0.02), rotation=_UPRIGHT, translation=(0, 0, kick + (height - kick) / 2)), body)
        parts.add(box((width, height - kick, 0.04), (0, front - (height - kick) / 2, kick)), body)
        rack = metal(rng, ("silver", "grey"))
        for k, z in enumerate((kick + 0.08, kick + (height - kick) * 0.55)):
            pull = depth * (0.5 if k == 0 else 0.2)
            ys = np.linspace(-depth * 0.4, depth * 0.4, 7) - pull
            xs = np.linspace(-width * 0.45, width * 0.45, 5)
            across = [np.stack([np.full(7, x), ys, np.full(7, z)], axis=1) for x in (xs[0], xs[-1])]
            along = [np.stack([xs, np.full(5, y), np.full(5, z)], axis=1) for y in (ys[0], ys[-1])]
            parts.add(np.concatenate([rods(*across, 0.004, segments=4), rods(*along, 0.004, segments=4)]), rack)
        plates = fixed("white", rng, "porcelain")
        n_plates = int(rng.integers(0, 6))
        for y in np.linspace(-depth * 0.3, depth * 0.2, n_plates) - depth * 0.5:
            parts.add(_on_front(cylinder(0.11, 0.01, segments=16), (0, y, kick + 0.19)), plates)
        details = "its door open and two wire racks pulled out" + (f" holding {count(n_plates, 'plate')}" if n_plates else "")
    else:
        parts.add(box((width, depth, height), (0, 0, height / 2)), body)
        _front_strip(parts, rng, width, front, height - 0.05, 0.07, int(rng.integers(2, 6)))
        parts.add(bar_handle((0, front, height - 0.13), width * 0.6, vertical=False), fixed("silver", rng))
        parts.add(box((width * 0.98, 0.01, kick * 0.9), (0, front + 0.03, kick / 2)), fixed("black", rng))
        details = "a control strip along the top and a bar handle"
    captions = (
        f"{article(body.full)} dishwasher with {details}",
        f"a built-in dishwasher for washing dishes, {body.colour}",
        f"a kitchen dishwasher {'standing open' if open_door else 'with its door closed'}",
        f"a square {body.colour} dishwasher machine",
    )
    return BuiltShape(parts, captions)


@register_category("washing machine", "Cube-shaped appliance: a front loader with a round porthole door (a ring around dark glass) in the middle of its front, a dial and a soap drawer on the top strip; or a top loader with a lid on top and a raised control panel along the back.", source=shapenet_source("washer"))
def build_washing_machine(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = _appliance_colour(rng)
    width, depth, height = rng.uniform(0.58, 0.62), rng.uniform(0.55, 0.65), rng.uniform(0.82, 0.9)
    parts.add(box((width, depth, height), (0, 0, height / 2)), body)
    front = -depth / 2
    dial = fixed("silver", rng)
    front_loader = bool(rng.random() < 0.7)
    if front_loader:
        door_r = width * rng.uniform(0.3, 0.36)
        door_z = height * rng.uniform(0.45, 0.52)
        parts.add(_on_front(torus(door_r, door_r * 0.12, segments=24, tube_segments=6), (0, front - door_r * 0.06, door_z)), fixed("silver", rng) if body.colour != "silver" else fixed("white", rng))
        parts.add(_disc(door_r * 0.9, 0.01, (0, front, door_z), segments=24), fixed("dark grey", rng, "glass"))
        parts.add(_disc(width * 0.06, 0.025, (width * 0.3, front, height - 0.07)), dial)
        parts.add(box((width * 0.3, 0.01, 0.07), (-width * 0.28, front - 0.005, height - 0.07)), body)
        kind, details = "front-loading washing machine", "a round porthole door"
    else:
        parts.add(box((width * 0.8, depth * 0.6, 0.01), (0, -depth * 0.1, height + 0.005)), body)
        parts.add(box((width * 0.3, 0.03, 0.02), (0, -depth * 0.38, height + 0.02)), fixed("black", rng))
        parts.add(box((width, 0.08, 0.15), (0, depth / 2 - 0.04, height + 0.075)), body)
        parts.add(_disc(width * 0.07, 0.02, (width * 0.3, depth / 2 - 0.08, height + 0.075)), dial)
        kind, details = "top-loading washing machine", "a lid on top and a control panel at the back"
    captions = (
        f"{article(body.full)} {kind} with {details}",
        f"a washing machine for laundry, {body.colour} and box-shaped",
        "a laundry washer with a control dial",
        f"{article(body.colour)} washing machine standing on the floor",
    )
    return BuiltShape(parts, captions)


@register_category("stove", "Kitchen range: a box with 2-6 burners on its top (ring grates, or flat rings on a dark glass top), knobs along a front strip or on a back splash, and an oven door with a dark window and a horizontal bar handle below.", source=shapenet_source("stove"))
def build_stove(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = _appliance_colour(rng)
    n_burners = int(rng.choice([2, 4, 4, 5, 6]))
    width = rng.uniform(0.5, 0.6) if n_burners <= 4 else rng.uniform(0.75, 0.9)
    depth, height = rng.uniform(0.55, 0.65), rng.uniform(0.85, 0.92)
    parts.add(box((width, depth, height), (0, 0, height / 2)), body)
    front = -depth / 2
    gas = bool(rng.random() < 0.55)
    if not gas:
        parts.add(box((width * 0.98, depth * 0.95, 0.006), (0, 0, height + 0.003)), fixed("black", rng, "glass"))
    columns = 2 if n_burners <= 4 else 3
    rows = -(-n_burners // columns)
    positions = [(x, y) for y in np.linspace(-depth * 0.2, depth * 0.2, rows) for x in np.linspace(-width * 0.3, width * 0.3, columns)][:n_burners]
    grate = fixed("black", rng, "cast iron")
    for x, y in positions:
        radius = rng.uniform(0.06, 0.1)
        if gas:
            parts.add(transform(cylinder(radius * 0.5, 0.02, segments=14), translation=(x, y, height)), grate)
            parts.add(transform(torus(radius, 0.006, segments=16, tube_segments=4), translation=(x, y, height + 0.03)), grate)
            for angle in (0.0, np.pi / 2):
                parts.add(transform(box((radius * 2.2, 0.01, 0.01), (0, 0, height + 0.03)), rotation=rotation_z(angle), translation=(x, y, 0)), grate)
        else:
            parts.add(transform(torus(radius, 0.004, segments=18, tube_segments=4), translation=(x, y, height + 0.006)), fixed("red", rng))
    splash = bool(rng.random() < 0.5)
    knob_finish = fixed("silver", rng) if body.colour != "silver" else fixed("black", rng)
    if splash:
        parts.add(box((width, 0.05, 0.12), (0, depth / 2 - 0.025, height + 0.06)), body)
        for x in np.linspace(-width * 0.35, width * 0.35, n_burners):
            parts.add(_disc(0.02, 0.02, (x, depth / 2 - 0.05, height + 0.06), segments=10), knob_finish)
    else:
        for x in np.linspace(-width * 0.35, width * 0.35, n_burners):
            parts.add(_disc(0.02, 0.02, (x, front, height - 0.05), segments=10), knob_finish)
    parts.add(box((width * 0.6, 0.006, height * 0.3), (0, front - 0.003, height * 0.45)), fixed("black", rng, "glass"))
    parts.add(bar_handle((0, front, height * 0.72), width * 0.7, vertical=False), fixed("silver", rng))
    kind = "gas stove" if gas else "electric stove"
    captions = (
        f"{article(body.colour)} {kind} with {count(n_burners, 'burner')} and an oven below",
        f"a kitchen stove, a cooking range with knobs {'on a back panel' if splash else 'along the front'}",
        f"a {body.full} cooker with an oven door and a handle",
        f"a stove for cooking with {count(n_burners, 'ring')} on top",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
