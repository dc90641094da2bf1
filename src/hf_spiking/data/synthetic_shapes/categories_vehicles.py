"""Vehicles: buses, trucks, trains, tractors, motorcycles, scooters, skateboards and helicopters (registered after
the furniture; see ``categories.EXTENSION_MODULES``).

Vehicles point along +x with their wheels' axles along y. They differ in how the body sits on the wheels (one long
box on two axles, a cab ahead of a load, cars on bogies along a track, unequal wheels under an engine and a cab, two
wheels in line) and in one tell-tale part (rotor blades, a steering column, kicked-up deck ends).
"""

from __future__ import annotations

import numpy as np

from .categories import EVERYDAY_SOURCE, Assembly, BuiltShape, register_category, shapenet_source
from .finishes import Finish, article, count, fixed, grade, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import add_wheels, arc, ellipsoid, open_box, tapered_box, tube

_BODY_COLOURS = ("red", "blue", "white", "yellow", "green", "orange", "silver", "grey", "black", "dark red", "navy blue")


def _window_row(parts: Assembly, glass: Finish, x0: float, x1: float, n: int, z: float, height: float, half_width: float) -> None:
    """``n`` side windows between x0 and x1 at height ``z`` on both sides of a body ``2 * half_width`` wide."""
    pitch = (x1 - x0) / n
    for k in range(n):
        for side in (-1, 1):
            parts.add(box((pitch * 0.8, 0.03, height), (x0 + pitch * (k + 0.5), side * half_width, z)), glass)


@register_category("bus", "Long tall box body on two or three axles with a row of side windows along each side (two rows for double-deckers), a large flat windscreen, a destination sign and a side door; city, school or double-decker bus.", source=shapenet_source("bus"))
def build_bus(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["city bus", "school bus", "double-decker bus", "coach"]))
    finish = fixed("yellow", rng) if kind == "school bus" else (fixed("red", rng) if kind == "double-decker bus" and rng.random() < 0.6 else paint(rng, _BODY_COLOURS))
    glass = fixed("dark grey", rng, "glass")
    length = rng.uniform(9.0, 13.0)
    width = rng.uniform(2.4, 2.55)
    decks = 2 if kind == "double-decker bus" else 1
    wheel_r = rng.uniform(0.48, 0.55)
    clearance = wheel_r * 0.6
    deck_h = rng.uniform(2.2, 2.6) if decks == 1 else rng.uniform(1.9, 2.1)
    height = decks * deck_h + 0.3
    parts.add(box((length, width, height), (0, 0, clearance + height / 2)), finish)
    n_windows = int(rng.integers(5, 10))
    for deck in range(decks):
        z = clearance + 0.3 + deck * deck_h + deck_h * 0.6
        _window_row(parts, glass, -length / 2 + 0.4, length / 2 - 1.8, n_windows, z, deck_h * 0.45, width / 2)
    parts.add(box((0.03, width * 0.9, deck_h * 0.55), (length / 2, 0, clearance + 0.3 + deck_h * 0.6)), glass)
    parts.add(box((0.03, width * 0.6, 0.25), (length / 2, 0, clearance + height - 0.2)), fixed("black", rng))
    parts.add(box((1.0, 0.03, deck_h * 0.85), (length / 2 - 1.0, -width / 2, clearance + deck_h * 0.45)), glass)
    n_axles = 3 if length > 12.0 and decks == 1 else 2
    xs = [length / 2 - 2.4, -length / 2 + 2.8] + ([-length / 2 + 4.2] if n_axles == 3 else [])
    add_wheels(parts, rng, [(x, side * (width / 2 - 0.2)) for x in xs for side in (-1, 1)], wheel_r, 0.3)
    captions = (
        f"{article(finish.colour)} {kind} with {count(decks * n_windows, 'side window')} on each side",
        f"a {grade(length, (10.5, 12.0), ('short', 'standard', 'long'))} bus on {count(2 * n_axles, 'wheel')}",
        f"{article(kind)} for carrying passengers, painted {finish.colour}",
        f"a {'two-storey' if decks == 2 else 'single-deck'} {finish.colour} bus with a large windscreen",
    )
    return BuiltShape(parts, captions)


def _cab(parts: Assembly, rng: np.random.Generator, finish: Finish, x_back: float, length: float, width: float, z: float, height: float) -> None:
    """A driver's cab: a box with a windscreen at its front (+x) and a side window on each side."""
    glass = fixed("dark grey", rng, "glass")
    parts.add(box((length, width, height), (x_back + length / 2, 0, z + height / 2)), finish)
    parts.add(box((0.03, width * 0.85, height * 0.4), (x_back + length, 0, z + height * 0.7)), glass)
    for side in (-1, 1):
        parts.add(box((length * 0.45, 0.03, height * 0.35), (x_back + length * 0.65, side * width / 2, z + height * 0.7)), glass)


@register_category("truck", "Lorry: a tall driver's cab at the front of a long chassis carrying its load behind: a tall box trailer, a flatbed with crates, a horizontal tank or a tipping dump body; 6-10 wheels on 3-4 axles.", source=EVERYDAY_SOURCE)
def build_truck(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["box truck", "flatbed truck", "tanker truck", "dump truck"]))
    cab_finish = paint(rng, _BODY_COLOURS)
    load_finish = cab_finish if rng.random() < 0.4 else paint(rng, ("white", "silver", "grey", "yellow", "orange", "red", "blue"))
    length = rng.uniform(7.0, 12.0)
    width = rng.uniform(2.4, 2.55)
    wheel_r = rng.uniform(0.5, 0.55)
    frame_z = wheel_r * 1.3
    parts.add(box((length, width * 0.8, 0.3), (0, 0, frame_z - 0.15)), fixed("black", rng, "metal"))
    cab_len, cab_h = rng.uniform(1.8, 2.4), rng.uniform(2.0, 2.5)
    _cab(parts, rng, cab_finish, length / 2 - cab_len, cab_len, width, frame_z, cab_h)
    load_len = length - cab_len - 0.3
    load_x = -length / 2 + load_len / 2
    if kind == "box truck":
        load_h = rng.uniform(2.4, 3.0)
        parts.add(box((load_len, width, load_h), (load_x, 0, frame_z + load_h / 2)), load_finish)
    elif kind == "flatbed truck":
        parts.add(box((load_len, width, 0.15), (load_x, 0, frame_z + 0.075)), load_finish)
        n_crates = int(rng.integers(0, 4))
        for x in np.linspace(load_x - load_len * 0.3, load_x + load_len * 0.3, n_crates):
            size = rng.uniform(0.8, 1.4)
            parts.add(box((size, size, size), (x, 0, frame_z + 0.15 + size / 2)), fixed("brown", rng, "wooden"))
    elif kind == "tanker truck":
        tank_r = rng.uniform(0.9, 1.15)
        tank = lathe([0.0, tank_r * 0.8, tank_r, tank_r, tank_r * 0.8, 0.0], np.array([0.0, 0.02, 0.08, 0.92, 0.98, 1.0]) * load_len, 20)
        parts.add(transform(tank, rotation=rotation_y(np.pi / 2), translation=(load_x - load_len / 2, 0, frame_z + tank_r)), load_finish)
    else:
        tip = rng.uniform(0.0, 0.5)
        bed = open_box((load_len, width, 1.3), 0.08, (load_len / 2, 0, 0.65))
        parts.add(transform(bed, rotation=rotation_y(-tip), translation=(-length / 2, 0, frame_z)), load_finish)
    n_rear = int(rng.choice([2, 2, 3])) if length > 9.0 else 1
    xs = [length / 2 - cab_len * 0.5] + [-length / 2 + 1.2 + 1.3 * k for k in range(n_rear)]
    add_wheels(parts, rng, [(x, side * (width / 2 - 0.25)) for x in xs for side in (-1, 1)], wheel_r, 0.35)
    n_wheels = 2 * len(xs)
    captions = (
        f"{article(cab_finish.colour)} {kind} with {count(n_wheels, 'wheel')}",
        f"a heavy truck with a cab in front and {'a ' + load_finish.colour + ' load' if kind != 'flatbed truck' else 'a flat open platform'} behind",
        f"a {grade(length, (8.5, 10.5), ('medium', 'large', 'very long'))} lorry, {article(kind)}",
        f"{article(kind)} for carrying goods on the road",
    )
    return BuiltShape(parts, captions)


def _bogie_wheels(parts: Assembly, rng: np.random.Generator, x: float, gauge: float, radius: float, rail_z: float) -> None:
    """Two axles of small steel wheels under a car, at ``x`` and standing on the rails at ``rail_z``."""
    steel = fixed("dark grey", rng, "metal")
    for dx in (-0.9, 0.9):
        add_wheels(parts, rng, [(x + dx, side * gauge / 2) for side in (-1, 1)], radius, 0.12, tyre=steel, hub=steel)
    parts.add(box((2.6, gauge * 0.9, 0.3), (x, 0, radius + 0.05)), fixed("black", rng, "metal"))


@register_category("train", "Railway train on a straight track (two rails on sleepers): a locomotive (a modern cab-nosed box or a steam engine with a long boiler, chimney, cab and big driving wheels) followed by 0-3 long passenger or freight cars on small wheeled bogies.", source=shapenet_source("train"))
def build_train(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    steam = bool(rng.random() < 0.35)
    finish = paint(rng, ("black", "dark green", "dark red", "navy blue") if steam else ("red", "blue", "white", "yellow", "silver", "green", "orange", "grey"))
    glass = fixed("dark grey", rng, "glass")
    gauge, rail_z = 1.435, 0.2
    width = rng.uniform(2.8, 3.1)
    n_cars = int(rng.integers(0, 4))
    car_len = rng.uniform(14.0, 20.0)
    loco_len = rng.uniform(10.0, 16.0)
    total = loco_len + n_cars * (car_len + 1.0)
    rail = fixed("grey", rng, "metal")
    x_front = total / 2
    for side in (-1, 1):
        parts.add(box((total + 4.0, 0.08, 0.15), (0, side * gauge / 2, rail_z - 0.075)), rail)
    for x in np.arange(-total / 2 - 1.5, total / 2 + 2.0, 1.5):
        parts.add(box((0.25, gauge + 1.0, 0.05), (x, 0, 0.025)), fixed("brown", rng, "wooden"))
    body_z = rail_z + 1.1
    if steam:
        boiler_r = rng.uniform(0.7, 0.9)
        parts.add(box((loco_len, width * 0.8, 0.4), (x_front - loco_len / 2, 0, rail_z + 0.9)), fixed("black", rng, "metal"))
        boiler = transform(cylinder(boiler_r, loco_len * 0.65, segments=18), rotation=rotation_y(-np.pi / 2))
        parts.add(transform(boiler, translation=(x_front, 0, rail_z + 1.1 + boiler_r)), finish)
        parts.add(transform(cylinder(0.3, 1.0, top_radius=0.45, segments=12), translation=(x_front - 1.0, 0, rail_z + 1.1 + boiler_r * 1.8)), fixed("black", rng, "metal"))
        parts.add(transform(sphere(0.45, segments=10, rings=5), translation=(x_front - loco_len * 0.35, 0, rail_z + 1.1 + boiler_r * 2)), finish)
        cab_len = loco_len * 0.3
        parts.add(box((cab_len, width, 2.6), (x_front - loco_len + cab_len / 2, 0, rail_z + 1.1 + 1.3)), finish)
        parts.add(box((cab_len * 0.5, 0.03, 0.8), (x_front - loco_len + cab_len / 2, width / 2, rail_z + 3.0)), glass)
        n_drivers = int(rng.integers(2, 5))
        driver_r = rng.uniform(0.7, 0.9)
        xs = np.linspace(x_front - loco_len * 0.25, x_front - loco_len * 0.65, n_drivers)
        add_wheels(parts, rng, [(x, side * gauge / 2) for x in xs for side in (-1, 1)], driver_r, 0.15,
                   tyre=fixed("black", rng, "metal"), hub=fixed("red", rng, "metal"))
        parts.add(transform(prism([(0, 0), (0, 0.9), (1.0, 0)], width * 0.8), translation=(x_front, 0, rail_z)), fixed("red", rng, "metal"))
        engine = f"a steam locomotive with a tall chimney and {count(2 * n_drivers, 'driving wheel')}"
    else:
        height = rng.uniform(3.3, 4.0)
        nose = rng.uniform(1.0, 3.0)
        parts.add(box((loco_len - nose, width, height), (x_front - loco_len / 2 - nose / 2, 0, body_z + height / 2)), finish)
        profile = [(0, 0), (nose, 0), (nose * 0.2, height * 0.85), (0, height)]
        parts.add(transform(prism(profile, width), translation=(x_front - nose, 0, body_z)), finish)
        parts.add(transform(prism([(nose * 0.22, height * 0.55), (nose * 0.45, height * 0.55), (nose * 0.22, height * 0.82)], width * 0.9), translation=(x_front - nose + 0.05, 0, body_z)), glass)
        for x in (x_front - loco_len * 0.25, x_front - loco_len * 0.8):
            _bogie_wheels(parts, rng, x, gauge, 0.45, rail_z)
        pantograph = bool(rng.random() < 0.5)
        if pantograph:
            top = body_z + height
            parts.add(tube([(x_front - loco_len * 0.4, 0, top), (x_front - loco_len * 0.3, 0, top + 1.0), (x_front - loco_len * 0.4, 0, top + 1.6)], 0.05, segments=4), fixed("grey", rng, "metal"))
        engine = "an electric locomotive with a pantograph" if pantograph else "a diesel locomotive with a sloped nose"
    x = x_front - loco_len - 1.0
    car_finish = finish if rng.random() < 0.6 else paint(rng, ("red", "blue", "green", "grey", "brown", "white"))
    freight = bool(rng.random() < 0.35)
    for _ in range(n_cars):
        height = rng.uniform(3.0, 3.8)
        parts.add(box((car_len, width, height), (x - car_len / 2, 0, body_z + height / 2)), car_finish)
        if not freight:
            _window_row(parts, glass, x - car_len + 1.0, x - 1.0, int(rng.integers(6, 12)), body_z + height * 0.6, height * 0.3, width / 2)
        for bx in (x - car_len * 0.15, x - car_len * 0.85):
            _bogie_wheels(parts, rng, bx, gauge, 0.4, rail_z)
        x -= car_len + 1.0
    cars = "" if not n_cars else f" pulling {count(n_cars, 'freight wagon' if freight else 'passenger carriage')}"
    captions = (
        f"{article(finish.colour)} train: {engine}{cars}",
        "a railway train on a track of two rails and wooden sleepers",
        f"a {'steam train' if steam else 'modern train'} with {count(1 + n_cars, 'car')} in a line",
        f"a locomotive running on rails{cars}",
    )
    return BuiltShape(parts, captions)


@register_category("tractor", "Farm tractor: two very large rear wheels and two much smaller front wheels, a long engine hood in front with an upright exhaust pipe, and a driver's cab (glass box on posts) or an open seat under a roll bar over the rear axle, with mudguards over the big wheels.", source=EVERYDAY_SOURCE)
def build_tractor(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("green", "red", "blue", "orange", "yellow", "dark green"))
    rear_r, front_r = rng.uniform(0.7, 0.9), rng.uniform(0.35, 0.5)
    base = rng.uniform(2.2, 2.8)
    track = rng.uniform(1.6, 1.9)
    rear_x, front_x = -base / 2, base / 2
    add_wheels(parts, rng, [(rear_x, side * track / 2) for side in (-1, 1)], rear_r, 0.45, hub=fixed("yellow", rng))
    add_wheels(parts, rng, [(front_x, side * track * 0.42) for side in (-1, 1)], front_r, 0.25, hub=fixed("yellow", rng))
    hood_h = rng.uniform(0.7, 1.0)
    hood_z = front_r + 0.2
    parts.add(box((base * 0.85, 0.8, hood_h), (front_x - base * 0.35, 0, hood_z + hood_h / 2)), finish)
    parts.add(box((1.2, track * 0.7, 0.5), (rear_x + 0.2, 0, rear_r + 0.1)), finish)
    top = hood_z + hood_h
    parts.add(rod((front_x - base * 0.2, 0.25, top), (front_x - base * 0.2, 0.25, top + rng.uniform(0.6, 1.0)), 0.05, segments=8), fixed("black", rng, "metal"))
    for side in (-1, 1):
        guard = tube(arc((0, 0, 0), rear_r + 0.12, 0.2, np.pi - 0.2, 8), 0.03, segments=4)
        parts.add(transform(guard, translation=(rear_x, side * track / 2, rear_r)), finish)
    cab = bool(rng.random() < 0.6)
    cab_z = rear_r + 0.35
    cab_h = rng.uniform(1.4, 1.7)
    post = fixed("black", rng, "metal")
    corners = [(rear_x + dx, dy) for dx in (-0.5, 0.6) for dy in (-0.6, 0.6)]
    if cab:
        for x, y in corners:
            parts.add(rod((x, y, cab_z), (x, y, cab_z + cab_h), 0.04, segments=6), post)
        parts.add(box((1.4, 1.5, 0.1), (rear_x + 0.05, 0, cab_z + cab_h)), finish)
        parts.add(box((1.1, 1.2, cab_h * 0.8), (rear_x + 0.05, 0, cab_z + cab_h * 0.45)), fixed("light blue", rng, "glass"))
        shelter = "an enclosed glass cab"
    else:
        parts.add(box((0.5, 0.5, 0.1), (rear_x, 0, cab_z + 0.3)), fixed("black", rng, "leather"))
        parts.add(tube([(rear_x - 0.5, -0.6, cab_z), (rear_x - 0.5, -0.6, cab_z + cab_h), (rear_x - 0.5, 0.6, cab_z + cab_h), (rear_x - 0.5, 0.6, cab_z)], 0.05, segments=6), post)
        shelter = "an open seat under a roll bar"
    captions = (
        f"{article(finish.colour)} farm tractor with {shelter}",
        "a tractor with two huge rear wheels and two small front wheels",
        f"a {finish.colour} tractor for ploughing fields, with an exhaust pipe on the hood",
        f"an agricultural tractor, {grade(rear_r / front_r, (1.7, 2.1), ('with medium rear wheels', 'with big rear wheels', 'with giant rear wheels'))}",
    )
    return BuiltShape(parts, captions)


def _inline_wheel(parts: Assembly, center, radius: float, tyre_width: float, tyre: Finish, hub: Finish, spokes: int) -> None:
    """A wheel in the xz plane (axle along y): a fat tyre ring, a hub and ``spokes`` straight spokes."""
    center = np.asarray(center, dtype=np.float64)
    upright = rotation_x(np.pi / 2)
    parts.add(transform(torus(radius - tyre_width, tyre_width, segments=24, tube_segments=6), rotation=upright, translation=tuple(center)), tyre)
    parts.add(transform(cylinder(radius * 0.18, tyre_width * 1.4, segments=12), rotation=upright, translation=tuple(center + [0, tyre_width * 0.7, 0])), hub)
    for k in range(spokes):
        angle = np.pi * k / spokes
        spoke = np.array([np.cos(angle), 0.0, np.sin(angle)]) * (radius - tyre_width)
        parts.add(rod(center - spoke, center + spoke, radius * 0.025, segments=4), hub)


@register_category("motorcycle", "Motorbike: two fat-tyred wheels in line, an engine block low between them, a teardrop fuel tank with the seat behind it, a front fork rising to wide handlebars and a headlight, an exhaust pipe along one side; sport bikes add a fairing over the front.", source=shapenet_source("motorcycle"))
def build_motorcycle(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["sport bike", "cruiser", "dirt bike", "touring motorcycle"]))
    finish = paint(rng, ("red", "black", "blue", "yellow", "orange", "green", "white", "silver", "dark red"))
    tyre, chrome = fixed("black", rng, "rubber"), fixed("silver", rng, "metal")
    wheel_r = rng.uniform(0.3, 0.36) if kind != "dirt bike" else rng.uniform(0.36, 0.42)
    base = rng.uniform(1.35, 1.7) if kind == "cruiser" else rng.uniform(1.3, 1.5)
    rear, front = np.array([-base / 2, 0, wheel_r]), np.array([base / 2, 0, wheel_r])
    for center in (rear, front):
        _inline_wheel(parts, center, wheel_r, wheel_r * 0.22, tyre, chrome, int(rng.choice([3, 5, 6])))
    seat_h = wheel_r + (rng.uniform(0.35, 0.45) if kind != "dirt bike" else rng.uniform(0.5, 0.6))
    parts.add(box((base * 0.3, 0.3, 0.3), (-0.05, 0, wheel_r + 0.05)), fixed("dark grey", rng, "metal"))
    parts.add(ellipsoid((base * 0.17, 0.16, 0.12), (base * 0.12, 0, seat_h + 0.05)), finish)
    parts.add(box((base * 0.3, 0.26, 0.08), (-base * 0.2, 0, seat_h)), fixed("black", rng, "leather"))
    parts.add(rod(rear + [0.05, 0, 0], (-base * 0.05, 0, seat_h - 0.05), 0.03, segments=6), finish)
    head = front + np.array([-wheel_r * 0.6, 0.0, seat_h - wheel_r + 0.35])
    for side in (-1, 1):
        parts.add(rod(front + [0, side * 0.08, 0], head + [0, side * 0.08, 0], 0.025, segments=6), chrome)
    bar_w = rng.uniform(0.3, 0.4) if kind != "cruiser" else rng.uniform(0.4, 0.5)
    rise = 0.05 if kind == "sport bike" else rng.uniform(0.1, 0.25)
    parts.add(tube([head + [-0.1, -bar_w, rise], head + [0, -0.08, 0.02], head + [0, 0.08, 0.02], head + [-0.1, bar_w, rise]], 0.015, segments=6), chrome)
    parts.add(transform(sphere(0.08, segments=10, rings=6), translation=tuple(head + [0.08, 0, -0.1])), fixed("white", rng))
    parts.add(rod((0.1, 0.2, wheel_r), (-base * 0.6, 0.2, wheel_r + 0.1), 0.04, segments=8), chrome)
    if kind in ("sport bike", "touring motorcycle"):
        fairing = tapered_box((0.5, 0.5), (0.25, 0.35), 0.55, offset=(-0.12, 0.0), base=(head[0] - 0.05, 0, head[2] - 0.45))
        parts.add(fairing, finish)
    if kind == "touring motorcycle":
        for side in (-1, 1):
            parts.add(box((0.45, 0.2, 0.35), (-base * 0.45, side * 0.28, wheel_r + 0.2)), finish)
    captions = (
        f"{article(finish.colour)} {kind} with two fat black tyres",
        f"a motorcycle with a fuel tank, a black seat and {'low' if rise < 0.1 else 'raised'} handlebars",
        f"a two-wheeled {finish.colour} motorbike with an engine between the wheels",
        f"{article(kind)}, a motor bike with a chrome exhaust pipe",
    )
    return BuiltShape(parts, captions)


@register_category("scooter", "Either a kick scooter (a narrow low deck on two small wheels with a tall steering column and a T-shaped handlebar at the front) or a motor scooter (step-through floorboard, bulbous rear body under a seat, a front shield and small wheels).", source=EVERYDAY_SOURCE)
def build_scooter(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    motor = bool(rng.random() < 0.45)
    finish = paint(rng, ("red", "blue", "black", "silver", "pink", "green", "white", "yellow", "light blue", "cream"))
    dark = fixed("black", rng, "rubber")
    if motor:
        wheel_r = rng.uniform(0.2, 0.25)
        base = rng.uniform(1.2, 1.4)
        add_wheels(parts, rng, [(-base / 2, 0.0), (base / 2, 0.0)], wheel_r, 0.12)
        parts.add(box((base * 0.45, 0.35, 0.08), (0.0, 0, wheel_r + 0.05)), finish)
        parts.add(ellipsoid((base * 0.3, 0.22, 0.25), (-base * 0.35, 0, wheel_r + 0.3)), finish)
        parts.add(box((base * 0.35, 0.25, 0.08), (-base * 0.3, 0, wheel_r + 0.55)), fixed("black", rng, "leather"))
        shield = transform(tapered_box((0.12, 0.45), (0.08, 0.3), 0.75), rotation=rotation_y(-0.25))
        parts.add(transform(shield, translation=(base * 0.3, 0, wheel_r)), finish)
        head = np.array([base * 0.25, 0.0, wheel_r + 0.95])
        parts.add(rod(head - [0, 0.35, 0], head + [0, 0.35, 0], 0.02, segments=6), fixed("silver", rng, "metal"))
        parts.add(transform(sphere(0.09, segments=10, rings=6), translation=tuple(head + [0.05, 0, 0])), finish)
        kind, details = "motor scooter", "a step-through floor, a seat and a front shield"
    else:
        wheel_r = rng.uniform(0.06, 0.1)
        deck_len = rng.uniform(0.5, 0.65)
        add_wheels(parts, rng, [(-deck_len / 2, 0.0), (deck_len / 2 + 0.08, 0.0)], wheel_r, 0.03, tyre=dark)
        parts.add(box((deck_len, 0.13, 0.025), (0.0, 0, wheel_r + 0.01)), finish)
        height = rng.uniform(0.75, 0.95)
        top = np.array([deck_len / 2 + 0.02, 0.0, height])
        parts.add(rod((deck_len / 2 + 0.08, 0, wheel_r), top, 0.018, segments=8), fixed("silver", rng, "metal"))
        parts.add(rod(top - [0, 0.22, 0], top + [0, 0.22, 0], 0.015, segments=6), fixed("silver", rng, "metal"))
        for side in (-1, 1):
            parts.add(rod(top + [0, side * 0.14, 0], top + [0, side * 0.23, 0], 0.02, segments=6), dark)
        kind, details = "kick scooter", "a T-shaped handlebar on a tall column"
    captions = (
        f"{article(finish.colour)} {kind} with {details}",
        f"a scooter with two small wheels, {'motorised' if motor else 'pushed along with one foot'}",
        f"{article(kind)} for getting around town, painted {finish.colour}",
        f"a {finish.colour} scooter standing on its wheels",
    )
    return BuiltShape(parts, captions)


@register_category("skateboard", "Flat narrow deck with upturned ends (kicktail and nose) on two trucks with four small wheels, or a long flat longboard with bigger wheels.", source=shapenet_source("skateboard"))
def build_skateboard(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    longboard = bool(rng.random() < 0.35)
    deck = wood(rng) if rng.random() < 0.4 else paint(rng, ("black", "red", "blue", "green", "yellow", "pink", "orange", "white"), "wooden")
    wheels = paint(rng, ("white", "cream", "red", "yellow", "blue", "green", "black"), "rubber")
    length = rng.uniform(0.9, 1.1) if longboard else rng.uniform(0.75, 0.83)
    width = rng.uniform(0.2, 0.25)
    wheel_r = rng.uniform(0.032, 0.038) if longboard else rng.uniform(0.025, 0.03)
    deck_z = 2 * wheel_r + 0.035
    flat = length * (0.95 if longboard else 0.7)
    parts.add(box((flat, width, 0.012), (0, 0, deck_z)), deck)
    parts.add(box((flat, width * 0.97, 0.002), (0, 0, deck_z + 0.007)), fixed("black", rng))
    kick = rng.uniform(0.2, 0.35)
    if not longboard:
        for side in (-1, 1):
            tail = box(((length - flat) / 2 + 0.01, width, 0.012), (side * (length - flat) / 4, 0, 0))
            parts.add(transform(tail, rotation=rotation_y(-side * kick), translation=(side * flat / 2, 0, deck_z)), deck)
    for x in (-flat * 0.35, flat * 0.35):
        parts.add(box((0.06, 0.05, 0.03), (x, 0, deck_z - 0.02)), fixed("silver", rng, "metal"))
        parts.add(rod((x, -width * 0.45, wheel_r), (x, width * 0.45, wheel_r), 0.006, segments=6), fixed("silver", rng, "metal"))
        for side in (-1, 1):
            wheel = transform(cylinder(wheel_r, 0.035, segments=14), rotation=rotation_x(np.pi / 2))
            parts.add(transform(wheel, translation=(x, side * (width * 0.45) + 0.0175, wheel_r)), wheels)
    noun = "longboard" if longboard else "skateboard"
    captions = (
        f"{article(deck.colour)} {noun} with four {wheels.colour} wheels",
        f"a skateboard deck {'long and flat' if longboard else 'with a kicked-up nose and tail'} on two trucks",
        f"a wooden {noun} for skating, {deck.colour} on top of small wheels",
        f"{article(noun)} lying on its wheels, a skate board",
    )
    return BuiltShape(parts, captions)


@register_category("helicopter", "Rounded cabin (ellipsoid with a dark glass nose) with a long thin tail boom ending in a fin and a small tail rotor, a main rotor of 2-5 long thin blades on a mast on top, standing on two long landing skids (or wheels).", source=EVERYDAY_SOURCE)
def build_helicopter(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("red", "yellow", "white", "blue", "black", "orange", "dark green", "grey", "navy blue"))
    cabin_l, cabin_w, cabin_h = rng.uniform(3.0, 4.5), rng.uniform(1.4, 1.9), rng.uniform(1.5, 2.0)
    gear_h = rng.uniform(0.4, 0.6)
    center = np.array([0.0, 0.0, gear_h + cabin_h / 2])
    parts.add(ellipsoid((cabin_l / 2, cabin_w / 2, cabin_h / 2), center, segments=18, rings=10), finish)
    shell = transform(sphere(1.0, segments=18, rings=10), scale=(cabin_l / 2 * 1.01, cabin_w / 2 * 1.01, cabin_h / 2 * 1.01))
    middles = shell.mean(axis=1)
    nose = shell[(middles[:, 0] > cabin_l * 0.2) & (middles[:, 2] > -cabin_h * 0.1)]
    parts.add(transform(nose, translation=tuple(center)), fixed("dark grey", rng, "glass"))
    boom_len = cabin_l * rng.uniform(1.1, 1.5)
    tail = center + np.array([-cabin_l / 2 - boom_len, 0.0, cabin_h * 0.15])
    parts.add(rod(center + [-cabin_l * 0.35, 0, cabin_h * 0.1], tail, cabin_h * 0.16, top_radius=cabin_h * 0.06, segments=10), finish)
    fin = [(0, 0), (0.6, 0), (0.2, 1.3), (-0.3, 1.3)]
    parts.add(transform(prism(fin, 0.08), scale=(cabin_h * 0.6, 1.0, cabin_h * 0.6), translation=tuple(tail + [-0.1, 0, 0])), finish)
    rotor = fixed("dark grey", rng, "metal")
    tail_r = cabin_h * 0.4
    for angle in (0.0, np.pi / 2):
        blade = transform(box((tail_r * 2, 0.03, 0.1)), rotation=rotation_y(angle))
        parts.add(transform(blade, translation=tuple(tail + [0, 0.15, cabin_h * 0.3])), rotor)
    mast_top = center + np.array([0.0, 0.0, cabin_h / 2 + 0.4])
    parts.add(rod(center + [0, 0, cabin_h * 0.4], mast_top, 0.1, segments=8), rotor)
    n_blades = int(rng.integers(2, 6))
    span = cabin_l * rng.uniform(1.3, 1.8)
    phase = rng.uniform(0.0, np.pi)
    for k in range(n_blades):
        blade = box((span, 0.25, 0.04), (span / 2, 0, 0))
        parts.add(transform(blade, rotation=rotation_z(phase + 2 * np.pi * k / n_blades), translation=tuple(mast_top)), rotor)
    skids = bool(rng.random() < 0.75)
    gear = fixed("black", rng, "metal")
    if skids:
        for side in (-1, 1):
            y = side * cabin_w * 0.55
            parts.add(tube([(-cabin_l * 0.45, y, 0.05), (cabin_l * 0.45, y, 0.05), (cabin_l * 0.55, y, 0.2)], 0.05, segments=6), gear)
            for x in (-cabin_l * 0.25, cabin_l * 0.25):
                parts.add(rod((x, y, 0.05), (x, y * 0.6, gear_h + 0.2), 0.04, segments=5), gear)
        gear_words = "two landing skids"
    else:
        add_wheels(parts, rng, [(cabin_l * 0.3, 0.0), (-cabin_l * 0.2, -cabin_w * 0.5), (-cabin_l * 0.2, cabin_w * 0.5)], gear_h * 0.5, 0.15)
        gear_words = "three small wheels"
    captions = (
        f"{article(finish.colour)} helicopter with {count(n_blades, 'rotor blade')} and {gear_words}",
        "a helicopter with a glass nose, a long tail boom and a tail rotor",
        f"a {grade(cabin_l, (3.5, 4.0), ('small', 'medium', 'large'))} {finish.colour} chopper standing on {gear_words}",
        f"{article(finish.colour)} rotorcraft, a helicopter for flying",
    )
    return BuiltShape(parts, captions)


__all__ = []  # nothing public: the builders are reached through ``categories.CATEGORIES``
