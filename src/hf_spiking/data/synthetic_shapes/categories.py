"""The category registry: one procedural builder per everyday object class.

Each builder draws its proportions, part counts, colours and materials from the given generator, assembles the object
from primitives (z-up, standing on z = 0, roughly in metres) and writes captions from the attributes it drew, so a
caption never claims a part or colour the object does not have. Categories differ in their part layout (legs under
a slab, a vessel of revolution, rails with rungs...) so a small point network can tell them apart, while proportions,
counts and optional parts vary within each class.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .finishes import COLOURS, Finish, article, count, fix_articles, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform


@dataclass
class Assembly:
    """Parts of one object: triangle soups with one rgb each."""

    triangles: list[np.ndarray] = field(default_factory=list)
    colors: list[np.ndarray] = field(default_factory=list)
    finishes: list[Finish] = field(default_factory=list)

    def add(self, triangles: np.ndarray, finish: Finish) -> None:
        self.triangles.append(triangles)
        self.colors.append(np.broadcast_to(np.asarray(finish.rgb, dtype=np.float64), (len(triangles), 3)))
        self.finishes.append(finish)

    def main_finish(self) -> Finish:
        """The finish covering the largest surface area (most of the sampled points): what the object "is" in colour
        and material."""
        areas: dict[Finish, float] = {}
        for triangles, finish in zip(self.triangles, self.finishes):
            edges = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
            areas[finish] = areas.get(finish, 0.0) + 0.5 * float(np.linalg.norm(edges, axis=1).sum())
        return max(areas, key=areas.get)

    def concatenated(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.triangles), np.concatenate(self.colors)


@dataclass(frozen=True)
class BuiltShape:
    assembly: Assembly
    captions: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    """A registry entry: ``builder(rng)`` returns a :class:`BuiltShape`; ``description`` documents the recipe and
    ``source`` the list the category was chosen from (``docs/synthetic_shapes.md``)."""

    name: str
    builder: Callable[[np.random.Generator], BuiltShape]
    description: str
    source: str = "original corpus"


CATEGORIES: dict[str, Category] = {}
# Modules beside this one that register more categories, in label order after the ones defined here. Labels follow
# this tuple and the order of definition inside each module, never the order in which modules happen to be imported,
# because shipped models index their outputs by label.
EXTENSION_MODULES = (
    "categories_household",
    "categories_utensils",
    "categories_electronics",
    "categories_furniture",
    "categories_vehicles",
    "categories_outdoor",
    "categories_bathroom",
    "categories_storage",
    "categories_wall",
    "categories_personal",
)
_RANKS: dict[str, int] = {}
# Where the extension categories come from (``docs/synthetic_shapes.md``): ShapeNetCore55's synsets, named by their
# synset word, a generic list of everyday household, vehicle, furniture and street objects, and the object classes
# of the NYU Depth v2 40-class list (Gupta et al. 2013, used by NYUv2, SUN RGB-D and ScanNet). ModelNet40's class
# list was not used to choose them.
EVERYDAY_SOURCE = "everyday objects"


def shapenet_source(synset: str) -> str:
    """The ``source`` of a category taken from the ShapeNetCore55 synset named ``synset``."""
    return f"ShapeNetCore55 synset '{synset}'"


def nyu40_source(nyu_class: str) -> str:
    """The ``source`` of a category taken, under its own name, from the NYU Depth v2 40-class list."""
    return f"NYU40 class '{nyu_class}'"


def _module_rank(module: str) -> int:
    """0 for this module, 1 + the position in ``EXTENSION_MODULES`` for those, and last for any other module."""
    stem = module.rsplit(".", 1)[-1]
    if module == __name__:
        return 0
    return 1 + (EXTENSION_MODULES.index(stem) if stem in EXTENSION_MODULES else len(EXTENSION_MODULES))


def register_category(name: str, description: str, *, source: str = "original corpus"):
    """Register a builder; its captions pass through :func:`fix_articles` so templates need not track a/an."""

    def decorator(builder):
        if name in CATEGORIES:
            raise ValueError(f"category {name!r} is already registered")

        def build(rng: np.random.Generator) -> BuiltShape:
            built = builder(rng)
            return BuiltShape(built.assembly, tuple(fix_articles(caption) for caption in built.captions))

        CATEGORIES[name] = Category(name=name, builder=build, description=description, source=source)
        _RANKS[name] = _module_rank(builder.__module__)
        # Stable re-sort by module rank: a module imported out of turn still lands in its place in label order.
        for key in sorted(CATEGORIES, key=_RANKS.__getitem__):
            CATEGORIES[key] = CATEGORIES.pop(key)
        return builder

    return decorator


def _legs(parts: Assembly, positions, height: float, thickness: float, finish: Finish, square: bool, top_z=None):
    """Vertical legs from the floor up to ``height`` at the given (x, y) positions."""
    for x, y in positions:
        if square:
            parts.add(box((thickness, thickness, height), (x, y, height / 2)), finish)
        else:
            parts.add(transform(cylinder(thickness / 2, height, segments=10), translation=(x, y, 0.0)), finish)


def _corners(half_x: float, half_y: float):
    return [(sx * half_x, sy * half_y) for sx in (-1, 1) for sy in (-1, 1)]


def _ring_positions(n: int, radius: float, phase: float = 0.0):
    angles = phase + 2 * np.pi * np.arange(n) / n
    return list(zip(radius * np.cos(angles), radius * np.sin(angles)))


def _vessel(outer_radii, heights, wall: float, segments: int = 24) -> np.ndarray:
    """Open-topped hollow vessel: up the outer profile, over the rim, down an inner profile ``wall`` inside it."""
    outer_radii, heights = np.asarray(outer_radii, float), np.asarray(heights, float)
    inner_radii = np.maximum(outer_radii - wall, 0.0)[::-1]
    floor = heights[0] + wall
    inner_heights = np.maximum(heights[::-1], floor)
    radii = np.concatenate([[0.0], outer_radii, inner_radii, [0.0]])
    zs = np.concatenate([[heights[0]], heights, inner_heights, [floor]])
    return lathe(radii, zs, segments)


@register_category("table", "A rectangular or round top slab on four (rectangular) or three/four (round) legs, or on a single pedestal with a foot; optional lower shelf. Height decides dining vs coffee table.")
def build_table(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = wood(rng) if rng.random() < 0.65 else paint(rng, ("white", "black", "grey", "red", "blue", "green"), "painted")
    height = rng.uniform(0.4, 0.85)
    top_thickness = rng.uniform(0.03, 0.07)
    leg_thickness = rng.uniform(0.035, 0.09)
    square_legs = bool(rng.random() < 0.5)
    round_top = bool(rng.random() < 0.3)
    legs_z = height - top_thickness
    if round_top:
        radius = rng.uniform(0.4, 0.65)
        parts.add(transform(cylinder(radius, top_thickness, segments=28), translation=(0, 0, legs_z)), finish)
        pedestal = bool(rng.random() < 0.35)
        if pedestal:
            n_legs = 1
            parts.add(cylinder(leg_thickness * 0.9, legs_z, segments=12), finish)
            parts.add(cylinder(radius * 0.55, 0.04, top_radius=radius * 0.4, segments=20), finish)
        else:
            n_legs = int(rng.choice([3, 4]))
            _legs(parts, _ring_positions(n_legs, radius * 0.7), legs_z, leg_thickness, finish, square_legs)
        shape_word = "round"
    else:
        length = rng.uniform(0.9, 2.0)
        depth = rng.uniform(0.5, 0.95) * min(length, 1.1)
        parts.add(box((length, depth, top_thickness), (0, 0, height - top_thickness / 2)), finish)
        inset = leg_thickness
        _legs(parts, _corners(length / 2 - inset, depth / 2 - inset), legs_z, leg_thickness, finish, square_legs)
        n_legs = 4
        if rng.random() < 0.3:
            parts.add(box((length - 2 * inset, depth - 2 * inset, 0.025), (0, 0, legs_z * 0.3)), finish)
        shape_word = "square" if depth > 0.85 * length else "rectangular"
    kind = "coffee table" if height < 0.52 else "dining table"
    legs = "a single pedestal" if n_legs == 1 else count(n_legs, grade(leg_thickness, (0.05, 0.075), ("thin", "sturdy", "thick")) + " leg")
    captions = (
        f"{article(finish.full)} {shape_word} table with {legs}",
        f"{article(shape_word)} {finish.short} {kind}",
        f"a {grade(height, (0.52, 0.7), ('low', 'medium-height', 'tall'))} {finish.colour} table standing on {legs}",
        f"a {kind} with {article(shape_word)} top",
    )
    return BuiltShape(parts, captions)


@register_category("chair", "Seat slab on four legs (or a five-spoke swivel base for office chairs) with a backrest that is a solid panel or a set of vertical slats; optional armrests.")
def build_chair(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    office = bool(rng.random() < 0.25)
    finish = paint(rng, ("black", "grey", "blue", "red"), "plastic") if office else (wood(rng) if rng.random() < 0.6 else paint(rng))
    width, depth = rng.uniform(0.4, 0.55), rng.uniform(0.4, 0.55)
    seat_z, seat_t = rng.uniform(0.42, 0.5), rng.uniform(0.03, 0.07)
    back_h = rng.uniform(0.35, 0.65)
    leg_t = rng.uniform(0.03, 0.05)
    parts.add(box((width, depth, seat_t), (0, 0, seat_z)), finish)
    back_y = -depth / 2 + 0.02
    slats = 0
    if rng.random() < 0.5:
        parts.add(box((width, 0.035, back_h), (0, back_y, seat_z + back_h / 2)), finish)
        back_words = "a solid backrest"
    else:
        slats = int(rng.integers(2, 6))
        for x in np.linspace(-width / 2 + leg_t / 2, width / 2 - leg_t / 2, slats + 2)[1:-1]:
            parts.add(box((0.025, 0.02, back_h * 0.8), (x, back_y, seat_z + back_h * 0.4)), finish)
        for x in (-width / 2 + leg_t / 2, width / 2 - leg_t / 2):
            parts.add(box((leg_t, leg_t, back_h), (x, back_y, seat_z + back_h / 2)), finish)
        parts.add(box((width, 0.035, 0.06), (0, back_y, seat_z + back_h - 0.03)), finish)
        back_words = f"a backrest of {count(slats, 'slat')}"
    if office:
        parts.add(cylinder(0.03, seat_z, segments=10), metal(rng, ("silver", "black")))
        for angle in 2 * np.pi * np.arange(5) / 5:
            end = (0.3 * np.cos(angle), 0.3 * np.sin(angle), 0.05)
            parts.add(rod((0, 0, 0.07), end, 0.02, segments=6), finish)
            parts.add(transform(sphere(0.03, segments=8, rings=5), translation=(end[0], end[1], 0.03)), fixed("black", rng))
        base_words = "a five-spoke swivel base"
    else:
        _legs(parts, _corners(width / 2 - leg_t / 2, depth / 2 - leg_t / 2), seat_z - seat_t / 2, leg_t, finish, True)
        base_words = "four legs"
    arms = bool(rng.random() < 0.35)
    if arms:
        for x in (-width / 2, width / 2):
            parts.add(box((0.04, depth * 0.85, 0.03), (x, 0, seat_z + 0.22)), finish)
            parts.add(box((0.03, 0.03, 0.22), (x, depth * 0.3, seat_z + 0.11)), finish)
    noun = "office chair" if office else ("armchair" if arms else "chair")
    captions = (
        f"{article(finish.full)} {noun} with {back_words}",
        f"a {finish.colour} chair on {base_words}",
        f"{article(grade(back_h, (0.45, 0.55), ('low-backed', 'plain', 'high-backed')))} {finish.short} chair"
        + (" with armrests" if arms else " without armrests"),
        f"{article(noun)} with a seat, a back and {base_words}",
    )
    return BuiltShape(parts, captions)


@register_category("stool", "Small round or square seat on three or four slightly splayed legs, taller than it is wide; optional footrest ring. Bar stools are the tall ones.")
def build_stool(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = wood(rng) if rng.random() < 0.55 else metal(rng, ("silver", "black", "red"))
    seat_finish = finish if rng.random() < 0.6 else paint(rng, ("black", "red", "brown", "white"), "padded")
    height = rng.uniform(0.45, 0.8)
    radius = rng.uniform(0.14, 0.21)
    thickness = rng.uniform(0.03, 0.06)
    n_legs = int(rng.choice([3, 4]))
    round_seat = bool(rng.random() < 0.7)
    if round_seat:
        parts.add(transform(cylinder(radius, thickness, segments=24), translation=(0, 0, height - thickness)), seat_finish)
    else:
        parts.add(box((2 * radius, 2 * radius, thickness), (0, 0, height - thickness / 2)), seat_finish)
    splay = rng.uniform(1.0, 1.35)
    leg_r = rng.uniform(0.012, 0.025)
    for x, y in _ring_positions(n_legs, radius * 0.75, np.pi / 4):
        parts.add(rod((x * splay, y * splay, 0), (x, y, height - thickness), leg_r, segments=8), finish)
    ring = bool(rng.random() < 0.5)
    if ring:
        ring_z = height * rng.uniform(0.25, 0.4)
        scale = 1 - (ring_z / height) * (splay - 1) / splay
        parts.add(transform(torus(radius * 0.75 * splay * scale, leg_r * 0.8, tube_segments=6), translation=(0, 0, ring_z)), finish)
    noun = "bar stool" if height > 0.65 else "stool"
    seat = "round" if round_seat else "square"
    captions = (
        f"{article(finish.full)} {noun} with {count(n_legs, 'leg')}",
        f"a {grade(height, (0.55, 0.68), ('short', 'mid-height', 'tall'))} {noun} with {article(seat)} seat",
        f"a {n_legs}-legged {finish.short} stool" + (" with a footrest ring" if ring else ""),
        f"a small {seat_finish.colour} {seat} seat on {count(n_legs, 'thin leg')}, a stool",
    )
    return BuiltShape(parts, captions)


@register_category("bed", "Long low frame with a thick mattress, a tall headboard, optional footboard, one or two pillows and a blanket over the lower part; single or double width.")
def build_bed(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    frame = wood(rng) if rng.random() < 0.7 else metal(rng, ("black", "white", "silver"))
    linen = paint(rng, ("white", "cream", "light blue", "grey", "beige"))
    blanket = paint(rng, ("blue", "red", "green", "grey", "navy blue", "pink", "purple", "beige", "white"))
    double = bool(rng.random() < 0.5)
    length, width = rng.uniform(1.9, 2.15), (rng.uniform(1.35, 1.8) if double else rng.uniform(0.85, 1.05))
    frame_z, mattress_t = rng.uniform(0.2, 0.4), rng.uniform(0.15, 0.25)
    head_h = rng.uniform(0.35, 0.9)
    parts.add(box((length, width, 0.12), (0, 0, frame_z - 0.06)), frame)
    _legs(parts, _corners(length / 2 - 0.05, width / 2 - 0.05), frame_z - 0.12, 0.07, frame, True)
    parts.add(box((length - 0.04, width - 0.04, mattress_t), (0, 0, frame_z + mattress_t / 2)), linen)
    top = frame_z + mattress_t
    parts.add(box((0.06, width + 0.04, top + head_h), (-length / 2 - 0.03, 0, (top + head_h) / 2)), frame)
    footboard = bool(rng.random() < 0.5)
    if footboard:
        foot_h = top + rng.uniform(0.05, 0.3)
        parts.add(box((0.05, width + 0.04, foot_h), (length / 2 + 0.025, 0, foot_h / 2)), frame)
    n_pillows = 2 if double else 1
    for y in np.linspace(-width / 4, width / 4, n_pillows) if double else [0.0]:
        parts.add(transform(sphere(1.0, segments=12, rings=6), scale=(0.18, width / (2.4 * n_pillows) + 0.1, 0.07), translation=(-length / 2 + 0.25, y, top + 0.05)), linen)
    parts.add(box((length * 0.62, width + 0.02, 0.04), (length * 0.19, 0, top + 0.02)), blanket)
    size = "double" if double else "single"
    captions = (
        f"{article(size)} bed with {article(frame.full)} frame and {article(blanket.colour)} blanket",
        f"{article(frame.short)} {size} bed with {count(n_pillows, 'pillow')}",
        f"a bed with a {grade(head_h, (0.55, 0.75), ('low', 'medium-height', 'tall'))} headboard" + (" and a footboard" if footboard else ""),
        f"{article(frame.colour)} bed frame holding a mattress with {count(n_pillows, linen.colour + ' pillow')}",
    )
    return BuiltShape(parts, captions)


@register_category("lamp", "Round base, thin vertical pole and an open conical lampshade over a bulb; desk (short) or floor (tall) lamps, some with a bent arm and a small cone shade.")
def build_lamp(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    body = metal(rng, ("silver", "black", "gold", "copper", "white"))
    shade = paint(rng, ("white", "cream", "beige", "red", "green", "blue", "black", "yellow"), "fabric" if rng.random() < 0.6 else None)
    floor = bool(rng.random() < 0.45)
    pole_h = rng.uniform(1.2, 1.7) if floor else rng.uniform(0.3, 0.55)
    base_r = rng.uniform(0.12, 0.2) if floor else rng.uniform(0.07, 0.12)
    parts.add(cylinder(base_r, 0.03, top_radius=base_r * 0.85, segments=24), body)
    angled = bool(rng.random() < 0.3)
    if angled:
        elbow = (0.0, 0.0, pole_h * 0.6)
        head = (pole_h * 0.45, 0.0, pole_h * 0.95)
        parts.add(rod((0, 0, 0.02), elbow, 0.012, segments=8), body)
        parts.add(rod(elbow, head, 0.012, segments=8), body)
        shade_r = rng.uniform(0.06, 0.1)
        cone = transform(lathe([shade_r, shade_r * 0.35, 0.0], [0.0, shade_r * 1.3, shade_r * 1.3], 20), rotation=rotation_y(0.5))
        parts.add(transform(cone, translation=(head[0] + 0.02, 0, head[2] - shade_r)), shade)
        style = "an adjustable arm"
    else:
        parts.add(cylinder(0.012 if not floor else 0.018, pole_h, segments=8), body)
        shade_bottom = rng.uniform(0.14, 0.26) if floor else rng.uniform(0.1, 0.17)
        shade_top = shade_bottom * rng.uniform(0.5, 0.9)
        shade_h = shade_bottom * rng.uniform(0.8, 1.3)
        z0 = pole_h - shade_h * 0.6
        parts.add(transform(cylinder(shade_bottom, shade_h, top_radius=shade_top, capped=False, segments=24), translation=(0, 0, z0)), shade)
        parts.add(transform(sphere(0.04, segments=10, rings=6), translation=(0, 0, pole_h)), fixed("cream", rng))
        style = f"{article(shade.full)} lampshade"
    noun = "floor lamp" if floor else "desk lamp"
    captions = (
        f"{article(body.full)} {noun} with {style}",
        f"a {'tall' if floor else 'small'} lamp with a thin pole and {article(shade.colour)} shade",
        f"{article(noun)} on a round {body.colour} base",
        f"a {grade(pole_h, (0.45, 1.0), ('short', 'mid-height', 'tall'))} lamp with {article(shade.colour)} shade for lighting a room",
    )
    return BuiltShape(parts, captions)


@register_category("cup", "Teacup: a flared open bowl with thin walls and a small ring handle, sitting on a wide flat saucer.")
def build_cup(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "cream", "blue", "pink", "light green", "yellow", "light blue"), "porcelain" if rng.random() < 0.5 else None)
    radius, height = rng.uniform(0.035, 0.05), rng.uniform(0.05, 0.075)
    foot = radius * rng.uniform(0.45, 0.6)
    saucer_r = radius * rng.uniform(1.7, 2.2)
    saucer = finish if rng.random() < 0.7 else paint(rng, ("white", "cream", "blue"))
    parts.add(lathe([0.0, saucer_r * 0.5, saucer_r, saucer_r * 0.97, 0.0], [0.0, 0.0, 0.012, 0.016, 0.008], 28), saucer)
    profile = [foot, foot * 1.05, radius * 0.85, radius]
    zs = np.array([0.0, 0.006, 0.55, 1.0]) * height + 0.01
    parts.add(_vessel(profile, zs, 0.004), finish)
    handle = transform(torus(height * 0.28, 0.005, arc=np.pi * 1.3, segments=12, tube_segments=6), rotation=rotation_x(np.pi / 2))
    parts.add(transform(handle, rotation=rotation_y(np.pi * 0.15), translation=(radius * 0.92, 0, 0.01 + height * 0.55)), finish)
    captions = (
        f"{article(finish.full)} teacup on a saucer",
        f"a small {finish.colour} cup with a little handle, resting on {article(saucer.colour)} saucer",
        f"a {grade(height / radius, (1.3, 1.6), ('wide', 'classic', 'tall'))} cup and saucer",
        f"a delicate {finish.short} tea cup with a curved handle",
    )
    return BuiltShape(parts, captions)


@register_category("mug", "Straight-sided cylindrical vessel with thick walls and a large D-shaped handle; no saucer.")
def build_mug(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "black", "red", "blue", "yellow", "green", "grey", "orange", "teal"), "ceramic" if rng.random() < 0.6 else None)
    radius, height = rng.uniform(0.035, 0.05), rng.uniform(0.08, 0.12)
    taper = rng.uniform(0.9, 1.05)
    parts.add(_vessel([radius * taper, radius], [0.0, height], 0.006), finish)
    handle_r = height * rng.uniform(0.28, 0.36)
    handle = transform(torus(handle_r, rng.uniform(0.007, 0.011), arc=np.pi, segments=14, tube_segments=6), rotation=rotation_z(-np.pi / 2))
    parts.add(transform(handle, rotation=rotation_x(np.pi / 2), translation=(radius * 0.95, 0, height * 0.52)), finish)
    captions = (
        f"{article(finish.full)} coffee mug with a big handle",
        f"a {grade(height / radius, (2.2, 2.7), ('short', 'standard', 'tall'))} {finish.colour} mug",
        f"a cylindrical {finish.short} mug for hot drinks",
        f"{article(finish.colour)} mug with straight sides and a handle",
    )
    return BuiltShape(parts, captions)


@register_category("bottle", "Straight cylindrical body, rounded shoulder, long or short narrow neck and a cap of a different colour (glass or plastic).")
def build_bottle(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    glass = bool(rng.random() < 0.6)
    finish = paint(rng, ("green", "dark green", "brown", "light blue", "white"), "glass") if glass else paint(rng, ("light blue", "blue", "white", "red", "green"), "plastic")
    cap = paint(rng, ("red", "white", "gold", "black", "blue", "silver"))
    radius = rng.uniform(0.03, 0.045)
    body_h = radius * rng.uniform(3.0, 5.5)
    neck_r = radius * rng.uniform(0.28, 0.4)
    neck_h = radius * rng.uniform(1.0, 3.2)
    shoulder = radius * rng.uniform(0.6, 1.5)
    radii = [0.0, radius, radius, radius * 0.92, neck_r * 1.15, neck_r, neck_r]
    zs = [0.0, 0.0, body_h, body_h + shoulder * 0.4, body_h + shoulder, body_h + shoulder + neck_h * 0.2, body_h + shoulder + neck_h]
    parts.add(lathe(radii, zs, 20), finish)
    top = zs[-1]
    cap_h = neck_r * rng.uniform(1.2, 2.2)
    parts.add(transform(cylinder(neck_r * 1.12, cap_h, segments=14), translation=(0, 0, top)), cap)
    kind = ("wine bottle" if neck_h > 2.2 * radius else "bottle") if glass else "water bottle"
    captions = (
        f"{article(finish.full)} {kind} with {article(cap.colour)} cap",
        f"a {grade(body_h / radius, (3.8, 4.8), ('short', 'slim', 'tall'))} {finish.colour} bottle with a {'long' if neck_h > 2.2 * radius else 'short'} narrow neck",
        f"a sealed {finish.short} bottle",
        f"{article(finish.colour)} bottle with a cylindrical body and a capped neck",
    )
    return BuiltShape(parts, captions)


@register_category("bowl", "Wide shallow open hemisphere-like vessel with walls, optionally on a short foot ring; width is 2-3.5 times height.")
def build_bowl(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["ceramic", "wooden", "glass", "plastic"]))
    finish = wood(rng) if material == "wooden" else paint(rng, ("white", "cream", "blue", "red", "green", "yellow", "light blue", "black"), material)
    radius = rng.uniform(0.07, 0.15)
    height = radius * rng.uniform(0.55, 0.95)
    angles = np.linspace(0.0, np.pi / 2, 7)
    foot = bool(rng.random() < 0.5)
    base_r = radius * rng.uniform(0.35, 0.5)
    radii = base_r + (radius - base_r) * np.sin(angles)
    zs = height * (1 - np.cos(angles))
    lift = radius * 0.08 if foot else 0.0
    parts.add(transform(_vessel(radii, zs, radius * 0.05), translation=(0, 0, lift)), finish)
    if foot:
        parts.add(cylinder(base_r * 0.9, lift + 0.002, top_radius=base_r, segments=20), finish)
    captions = (
        f"{article(finish.full)} bowl" + (" on a small foot" if foot else ""),
        f"{article(finish.colour)} bowl that is {grade(height / radius, (0.7, 0.85), ('wide and shallow', 'round and fairly deep', 'deep'))}",
        f"an empty {finish.short} bowl for soup or salad",
        f"a round open {finish.colour} dish, a bowl",
    )
    return BuiltShape(parts, captions)


@register_category("vase", "Tall open vessel of revolution with a bulging belly that narrows to a neck and flares at the lip; 1.5-3 times taller than wide.")
def build_vase(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = (None, "ceramic", "glass", "porcelain")[int(rng.integers(4))]
    finish = paint(rng, ("white", "blue", "red", "green", "teal", "black", "yellow", "purple", "orange", "cream"), material)
    width = rng.uniform(0.06, 0.11)
    height = width * rng.uniform(3.0, 6.0)
    belly_at = rng.uniform(0.25, 0.55)
    neck_r = width * rng.uniform(0.3, 0.5)
    lip_r = neck_r * rng.uniform(1.2, 1.9)
    t = np.linspace(0.0, 1.0, 12)
    belly = np.exp(-(((t - belly_at) / rng.uniform(0.2, 0.32)) ** 2))
    neck = np.clip((t - 0.75) / 0.25, 0.0, 1.0) ** 2
    radii = neck_r + (width - neck_r) * belly
    radii = radii * (1 - neck) + lip_r * neck
    radii[0] = max(radii[0], width * 0.5)
    parts.add(_vessel(radii, t * height, width * 0.04), finish)
    shape = grade(height / width, (4.0, 5.0), ("squat", "elegant", "tall"))
    captions = (
        f"a {shape} {finish.full} vase",
        f"{article(finish.colour)} flower vase with a round belly and a narrow neck",
        f"a {finish.short} vase that flares out at the lip",
        f"a decorative {finish.colour} vase, {'taller than it is wide' if height > 3.5 * width else 'round and bulbous'}",
    )
    return BuiltShape(parts, captions)


@register_category("bookshelf", "Upright open box (sides, top, bottom, back panel) divided by 2-5 horizontal shelves, most holding rows of upright books of mixed colours.")
def build_bookshelf(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = wood(rng) if rng.random() < 0.75 else paint(rng, ("white", "black", "grey"), "painted")
    width, height, depth = rng.uniform(0.6, 1.3), rng.uniform(1.0, 2.0), rng.uniform(0.25, 0.38)
    board = rng.uniform(0.02, 0.035)
    for x in (-width / 2 + board / 2, width / 2 - board / 2):
        parts.add(box((board, depth, height), (x, 0, height / 2)), finish)
    parts.add(box((width, 0.01, height), (0, -depth / 2 + 0.005, height / 2)), finish)
    n_shelves = int(rng.integers(2, 6))
    levels = np.linspace(0.05, height - board / 2, n_shelves + 2)
    for z in levels:
        parts.add(box((width, depth, board), (0, 0, z)), finish)
    gap = levels[1] - levels[0]
    fill = rng.uniform(0.4, 0.95)
    shelves_with_books = 0
    for z in levels[:-1]:
        if rng.random() > fill:
            continue
        shelves_with_books += 1
        x = -width / 2 + board + 0.01
        end = x + (width - 2 * board) * rng.uniform(0.5, 0.98)
        while x < end:
            thick, tall = rng.uniform(0.02, 0.05), gap * rng.uniform(0.55, 0.85)
            book = paint(rng, ("red", "blue", "green", "yellow", "black", "white", "brown", "navy blue", "dark red", "orange"))
            parts.add(box((thick, depth * 0.8, tall), (x + thick / 2, 0.0, z + board / 2 + tall / 2)), book)
            x += thick + 0.002
    captions = (
        f"{article(finish.full)} bookshelf with {count(n_shelves, 'shelf', 'shelves')}",
        f"a {grade(height / width, (1.3, 2.0), ('wide', 'standard', 'tall narrow'))} {finish.short} bookcase"
        + (" full of colourful books" if shelves_with_books > n_shelves / 2 else " with a few books"),
        f"{article(finish.colour)} shelving unit holding books on {count(shelves_with_books, 'level')}",
        f"a bookshelf with a back panel and {count(n_shelves + 2, 'horizontal board')}",
    )
    return BuiltShape(parts, captions)


@register_category("sofa", "Bulky upholstered block: wide seat base on short legs, a thick back along its length, two padded arms and 2-3 seat cushions; loveseat or three-seater.")
def build_sofa(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    leather = bool(rng.random() < 0.3)
    finish = paint(rng, ("black", "brown", "dark red", "cream") if leather else ("grey", "blue", "beige", "green", "navy blue", "red", "dark grey", "purple", "teal"), "leather" if leather else "fabric")
    seats = int(rng.choice([2, 3]))
    width = seats * rng.uniform(0.55, 0.75) + 0.4
    depth, base_z = rng.uniform(0.8, 1.0), rng.uniform(0.08, 0.15)
    base_h, back_h, arm_h = rng.uniform(0.2, 0.3), rng.uniform(0.35, 0.55), rng.uniform(0.15, 0.3)
    arm_w = rng.uniform(0.12, 0.22)
    legs = fixed("black", rng) if rng.random() < 0.5 else wood(rng)
    _legs(parts, _corners(width / 2 - 0.06, depth / 2 - 0.06), base_z, 0.05, legs, True)
    parts.add(box((width, depth, base_h), (0, 0, base_z + base_h / 2)), finish)
    top = base_z + base_h
    back_t = rng.uniform(0.15, 0.25)
    parts.add(box((width, back_t, back_h + 0.12), (0, -depth / 2 + back_t / 2, top + (back_h + 0.12) / 2 - 0.06)), finish)
    for x in (-width / 2 + arm_w / 2, width / 2 - arm_w / 2):
        parts.add(box((arm_w, depth, arm_h + 0.05), (x, 0, top + (arm_h + 0.05) / 2 - 0.05)), finish)
    inner = width - 2 * arm_w
    cushion_w = inner / seats
    for i in range(seats):
        x = -inner / 2 + cushion_w * (i + 0.5)
        parts.add(box((cushion_w - 0.02, depth - back_t - 0.03, 0.12), (x, back_t / 2, top + 0.06)), finish)
    noun = "loveseat" if seats == 2 else "three-seater sofa"
    captions = (
        f"{article(finish.full)} {noun}",
        f"a {finish.colour} sofa with two armrests and {count(seats, 'seat cushion')}",
        f"a comfortable {finish.short} couch with a {grade(back_h, (0.42, 0.5), ('low', 'medium-height', 'high'))} back",
        f"a {'small' if seats == 2 else 'long'} {finish.colour} couch on short legs",
    )
    return BuiltShape(parts, captions)


def _wheel(radius: float, width: float, rng: np.random.Generator, axis_rotation: np.ndarray, center) -> list[tuple[np.ndarray, Finish]]:
    tyre = transform(cylinder(radius, width, segments=16), translation=(0, 0, -width / 2))
    hub = transform(cylinder(radius * 0.55, width * 1.06, segments=10), translation=(0, 0, -width * 0.53))
    return [
        (transform(tyre, rotation=axis_rotation, translation=center), fixed("black", rng, "rubber")),
        (transform(hub, rotation=axis_rotation, translation=center), fixed("silver", rng)),
    ]


@register_category("car", "Long low body box on four wheels (axles across the body) with a cabin of sloped windows on top; sedan, hatchback, SUV or pickup (open cargo bed).")
def build_car(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("red", "blue", "white", "black", "silver", "grey", "yellow", "green", "orange", "dark red", "navy blue"))
    kind = str(rng.choice(["sedan", "hatchback", "SUV", "pickup truck"]))
    length = {"sedan": 4.6, "hatchback": 4.0, "SUV": 4.7, "pickup truck": 5.2}[kind] * rng.uniform(0.92, 1.08)
    width = rng.uniform(1.7, 1.9)
    wheel_r = rng.uniform(0.3, 0.36) * (1.15 if kind in ("SUV", "pickup truck") else 1.0)
    body_z = wheel_r * 0.8
    body_h = rng.uniform(0.5, 0.7) * (1.2 if kind in ("SUV", "pickup truck") else 1.0)
    parts.add(box((length, width, body_h), (0, 0, body_z + body_h / 2)), finish)
    cabin_h = rng.uniform(0.45, 0.6)
    cabin_len = {"sedan": 0.45, "hatchback": 0.55, "SUV": 0.65, "pickup truck": 0.3}[kind] * length
    cabin_x = {"sedan": -0.05, "hatchback": -0.15, "SUV": -0.12, "pickup truck": 0.12}[kind] * length
    rake = rng.uniform(0.15, 0.35)
    profile = [(-cabin_len / 2, 0), (cabin_len / 2, 0), (cabin_len / 2 - rake, cabin_h), (-cabin_len / 2 + rake * 0.6, cabin_h)]
    top = body_z + body_h
    parts.add(transform(prism(profile, width * 0.88), translation=(cabin_x, 0, top)), finish)
    glass = fixed("dark grey", rng, "glass")
    window_profile = [(x * 1.01, z * 0.8 + 0.08) for x, z in profile]
    parts.add(transform(prism(window_profile, width * 0.9), translation=(cabin_x, 0, top)), glass)
    if kind == "pickup truck":
        bed_x = cabin_x - cabin_len / 2
        for y in (-width / 2 + 0.04, width / 2 - 0.04):
            parts.add(box((length / 2 + bed_x, 0.06, 0.35), ((-length / 2 + bed_x) / 2, y, top + 0.17)), finish)
    axis = rotation_x(np.pi / 2)
    for x in (-length * 0.33, length * 0.33):
        for y in (-width / 2 + 0.12, width / 2 - 0.12):
            for tris, look in _wheel(wheel_r, 0.22, rng, axis, (x, y * 1.02, wheel_r)):
                parts.add(tris, look)
    for y in (-width * 0.32, width * 0.32):
        parts.add(box((0.04, 0.25, 0.1), (length / 2, y, body_z + body_h * 0.65)), fixed("yellow", rng))
    captions = (
        f"{article(finish.colour)} {kind} with four black wheels",
        f"{article(finish.colour)} car, a {'compact' if length < 4.3 else 'full-size'} {kind}",
        f"a four-wheeled {finish.colour} automobile with tinted windows",
        f"{article(kind)} painted {finish.colour}",
    )
    return BuiltShape(parts, captions)


@register_category("airplane", "Long cylindrical fuselage with a rounded nose and tapered tail, a pair of long swept wings across the middle, a tailplane and a vertical fin; 0, 2 or 4 engine pods under the wings.")
def build_airplane(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "white", "silver", "grey", "blue", "red", "yellow"))
    trim = paint(rng, ("blue", "red", "navy blue", "orange", "green", "black"))
    length = rng.uniform(8.0, 14.0)
    radius = length * rng.uniform(0.045, 0.065)
    n = 10
    t = np.linspace(0.0, 1.0, n)
    radii = radius * np.minimum(1.0, np.minimum(np.sqrt(np.clip(t / 0.12, 0, 1)), 1.0 - 0.7 * np.clip((t - 0.7) / 0.3, 0, 1)))
    radii[0] = radii[-1] = 0.0
    fuselage = lathe(radii, t * length, 16)
    parts.add(transform(fuselage, rotation=rotation_y(-np.pi / 2), translation=(length / 2, 0, radius + 1.0)), finish)
    center_z = radius + 1.0
    span = length * rng.uniform(0.8, 1.15)
    chord = length * rng.uniform(0.1, 0.16)
    sweep = chord * rng.uniform(0.3, 1.5)
    wing_x = length * rng.uniform(0.0, 0.12)
    wing = [(wing_x + chord / 2, 0), (wing_x - chord / 2, 0), (wing_x - chord / 2 - sweep, span / 2), (wing_x - chord / 2 - sweep + chord * 0.4, span / 2)]
    for side in (1, -1):
        polygon = [(x, side * y) for x, y in wing]
        parts.add(transform(prism(polygon, radius * 0.12), rotation=rotation_x(np.pi / 2), translation=(0, 0, center_z - radius * 0.3)), finish)
    tail_span, tail_chord = span * 0.35, chord * 0.6
    tail = [(-length * 0.36, 0), (-length * 0.36 - tail_chord, 0), (-length * 0.36 - tail_chord - sweep * 0.5, tail_span / 2), (-length * 0.36 - sweep * 0.5 - tail_chord * 0.5, tail_span / 2)]
    for side in (1, -1):
        polygon = [(x, side * y) for x, y in tail]
        parts.add(transform(prism(polygon, radius * 0.1), rotation=rotation_x(np.pi / 2), translation=(0, 0, center_z + radius * 0.2)), finish)
    fin_h = radius * rng.uniform(1.8, 2.8)
    fin = [(-length * 0.33, 0), (-length / 2 + 0.2, 0), (-length / 2 + 0.1 - sweep * 0.3, fin_h), (-length / 2 + tail_chord * 0.8 - sweep * 0.3, fin_h)]
    parts.add(transform(prism(fin, radius * 0.12), translation=(0, 0, center_z + radius * 0.6)), trim)
    n_engines = int(rng.choice([0, 2, 2, 4]))
    positions = {0: [], 2: [0.35], 4: [0.28, 0.6]}[n_engines]
    for frac in positions:
        for side in (1, -1):
            y = side * frac * span / 2
            x = wing_x - sweep * frac + chord * 0.4
            pod = transform(cylinder(radius * 0.35, chord * 0.9, top_radius=radius * 0.3, segments=12), rotation=rotation_y(-np.pi / 2), translation=(x, y, center_z - radius * 0.75))
            parts.add(pod, trim if rng.random() < 0.3 else finish)
    for x in (length * 0.3, -length * 0.05):
        parts.add(rod((x, 0, 0), (x, 0, center_z - radius * 0.8), radius * 0.06, segments=6), fixed("grey", rng))
    engines = "no engines under the wings" if n_engines == 0 else count(n_engines, "jet engine")
    captions = (
        f"{article(finish.colour)} airplane with {engines}",
        f"a {'passenger jet' if n_engines else 'glider-like plane'} with long {'swept' if sweep > chord * 0.8 else 'straight'} wings and {article(trim.colour)} tail fin",
        f"an aircraft with a long fuselage, two wings and a tail, painted {finish.colour}",
        f"{article(finish.colour)} plane" + (f" with {engines}" if n_engines else " with a single fin"),
    )
    return BuiltShape(parts, captions)


@register_category("boat", "Half-ellipsoid hull pointed along its length with a flat deck; either a sailboat (tall mast and triangular sail) or a motorboat (cabin box with windows).")
def build_boat(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    hull = paint(rng, ("white", "blue", "red", "navy blue", "dark green", "black", "yellow")) if rng.random() < 0.7 else wood(rng)
    length = rng.uniform(5.0, 9.0)
    beam = length * rng.uniform(0.25, 0.38)
    draft = beam * rng.uniform(0.45, 0.7)
    half = sphere(1.0, segments=20, rings=8)
    half = half[half[:, :, 2].max(axis=1) <= 1e-9]  # lower hemisphere only
    deck = lathe([0.0, 1.0], [0.0, 0.0], 20)
    for surface, look in ((half, hull), (deck, wood(rng) if rng.random() < 0.6 else fixed("white", rng))):
        surface = surface.copy()
        # Narrow the front half towards a pointed bow.
        surface[..., 1] *= 1.0 - 0.75 * np.clip(surface[..., 0], 0.0, 1.0) ** 2
        parts.add(transform(surface, scale=(length / 2, beam / 2, draft), translation=(0, 0, draft)), look)
    sailboat = bool(rng.random() < 0.5)
    if sailboat:
        mast_h = length * rng.uniform(0.9, 1.4)
        mast_x = length * rng.uniform(0.0, 0.15)
        parts.add(transform(cylinder(0.06, mast_h, segments=8), translation=(mast_x, 0, draft)), fixed("silver", rng))
        sail = paint(rng, ("white", "white", "cream", "red", "blue", "yellow"))
        boom = length * rng.uniform(0.35, 0.5)
        sail_shape = [(mast_x - 0.05, draft + 0.5), (mast_x - boom, draft + 0.5), (mast_x - 0.05, draft + mast_h * 0.95)]
        parts.add(prism(sail_shape, 0.04), sail)
        if rng.random() < 0.5:
            jib = [(mast_x + 0.08, draft + 0.4), (length * 0.45, draft + 0.2), (mast_x + 0.08, draft + mast_h * 0.8)]
            parts.add(prism(jib, 0.03), sail)
        extras = f"a tall mast and {article(sail.colour)} sail"
        noun = "sailboat"
    else:
        cabin = fixed("white", rng) if hull.colour != "white" else paint(rng, ("grey", "blue", "cream"))
        cabin_l, cabin_h = length * rng.uniform(0.25, 0.4), beam * rng.uniform(0.4, 0.7)
        cabin_x = -length * rng.uniform(0.0, 0.15)
        parts.add(box((cabin_l, beam * 0.6, cabin_h), (cabin_x, 0, draft + cabin_h / 2)), cabin)
        parts.add(box((cabin_l * 0.9, beam * 0.62, cabin_h * 0.3), (cabin_x, 0, draft + cabin_h * 0.65)), fixed("dark grey", rng, "glass"))
        extras = f"{article(cabin.colour)} cabin"
        noun = "motorboat"
    captions = (
        f"{article(hull.full)} {noun} with {extras}",
        f"a small {hull.colour} boat with a pointed hull",
        f"a {noun} floating on its {grade(beam / length, (0.3, 0.34), ('slim', 'wide', 'broad'))} hull",
        f"a boat for the sea with {extras}",
    )
    return BuiltShape(parts, captions)


@register_category("guitar", "Flat figure-eight body (two overlapping flat discs, the lower one bigger) standing upright, with a long thin neck and a headstock; acoustic (sound hole) or electric (thinner, pickguard).")
def build_guitar(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    electric = bool(rng.random() < 0.4)
    body = paint(rng, ("red", "black", "white", "blue", "yellow", "orange")) if electric else wood(rng)
    neck_finish = wood(rng)
    lower = rng.uniform(0.17, 0.21)
    upper = lower * rng.uniform(0.7, 0.82)
    thickness = rng.uniform(0.04, 0.05) if electric else rng.uniform(0.09, 0.12)
    waist = lower + upper * rng.uniform(0.6, 0.9)
    flat = rotation_x(np.pi / 2)
    parts.add(transform(cylinder(lower, thickness, segments=24), rotation=flat, translation=(0, thickness / 2, lower)), body)
    parts.add(transform(cylinder(upper, thickness, segments=24), rotation=flat, translation=(0, thickness / 2, waist)), body)
    front = -thickness / 2 - 0.002
    if electric:
        parts.add(box((lower * 0.8, 0.004, lower * 0.5), (lower * 0.2, front, lower * 0.9)), fixed("white", rng))
    else:
        parts.add(transform(cylinder(upper * 0.35, 0.004, segments=16), rotation=flat, translation=(0, front + 0.002, waist - upper * 0.1)), fixed("black", rng))
    neck_len = rng.uniform(0.45, 0.55)
    neck_base = waist + upper * 0.8
    parts.add(box((0.05, 0.03, neck_len), (0, 0, neck_base + neck_len / 2)), neck_finish)
    head_h = rng.uniform(0.15, 0.2)
    parts.add(box((0.08, 0.025, head_h), (0, 0.005, neck_base + neck_len + head_h / 2)), neck_finish)
    kind = "electric guitar" if electric else "acoustic guitar"
    captions = (
        f"{article(body.full)} {kind}",
        f"a guitar with a curvy {body.colour} body and a long neck",
        f"{article(kind)} standing upright, {'with a pickguard' if electric else 'with a round sound hole'}",
        f"a {body.short} six-string guitar",
    )
    return BuiltShape(parts, captions)


@register_category("rocket", "Tall slender cylinder with a pointed nose cone, three or four triangular fins at the base, an engine nozzle and optional porthole windows.")
def build_rocket(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("white", "white", "silver", "red", "grey"))
    accent = paint(rng, ("red", "black", "blue", "orange", "yellow"))
    radius = rng.uniform(0.3, 0.5)
    body_h = radius * rng.uniform(6.0, 11.0)
    nose_h = radius * rng.uniform(1.5, 3.0)
    nozzle_h = radius * 0.6
    parts.add(transform(cylinder(radius * 0.6, nozzle_h, top_radius=radius * 0.4, segments=16), translation=(0, 0, 0)), fixed("dark grey", rng, "metal"))
    parts.add(transform(cylinder(radius, body_h, segments=20), translation=(0, 0, nozzle_h)), finish)
    t = np.linspace(0.0, 1.0, 7)
    parts.add(transform(lathe(radius * np.sqrt(1 - t**1.6), t * nose_h, 20), translation=(0, 0, nozzle_h + body_h)), accent)
    n_fins = int(rng.choice([3, 4]))
    fin_h, fin_w = radius * rng.uniform(1.8, 3.0), radius * rng.uniform(1.0, 1.8)
    for k in range(n_fins):
        fin = prism([(radius * 0.9, 0), (radius + fin_w, -fin_h * 0.2), (radius + fin_w, fin_h * 0.2), (radius * 0.9, fin_h)], radius * 0.12)
        parts.add(transform(fin, rotation=rotation_z(2 * np.pi * k / n_fins), translation=(0, 0, nozzle_h * 0.6)), accent)
    n_windows = int(rng.integers(0, 4))
    for i in range(n_windows):
        z = nozzle_h + body_h * (0.65 + 0.1 * i)
        window = transform(cylinder(radius * 0.25, 0.05, segments=12), rotation=rotation_y(np.pi / 2), translation=(radius - 0.02, 0, z))
        parts.add(window, fixed("light blue", rng, "glass"))
    captions = (
        f"{article(finish.colour)} rocket with {article(accent.colour)} nose cone and {count(n_fins, 'fin')}",
        f"a {grade(body_h / radius, (8.0, 9.5), ('stubby', 'slender', 'very tall'))} space rocket standing on its fins",
        "a rocket ship with a pointed tip" + (f" and {count(n_windows, 'round window')}" if n_windows else ""),
        f"a tall {finish.colour} spacecraft ready for launch",
    )
    return BuiltShape(parts, captions)


@register_category("tree", "Brown cylindrical trunk with either a leafy crown of 1-5 overlapping spheres/ellipsoids (deciduous) or 2-5 stacked cones (conifer).")
def build_tree(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    bark = wood(rng)
    conifer = bool(rng.random() < 0.5)
    leaves = paint(rng, ("green", "dark green", "light green") if conifer or rng.random() < 0.8 else ("orange", "yellow", "red"))
    trunk_h = rng.uniform(1.0, 2.5)
    trunk_r = rng.uniform(0.1, 0.25)
    parts.add(cylinder(trunk_r, trunk_h, top_radius=trunk_r * 0.7, segments=12), Finish(bark.rgb, "brown", "wooden"))
    if conifer:
        n_layers = int(rng.integers(2, 6))
        width = rng.uniform(0.9, 1.6)
        layer_h = width * rng.uniform(0.8, 1.3)
        for i in range(n_layers):
            r = width * (1 - 0.6 * i / n_layers)
            z = trunk_h * 0.6 + i * layer_h * 0.55
            parts.add(transform(cylinder(r, layer_h, top_radius=0.0, segments=16), translation=(0, 0, z)), leaves)
        crown = f"{count(n_layers, 'layer')} of cone-shaped branches"
        noun = str(rng.choice(["pine tree", "fir tree", "conifer"]))
    else:
        n_blobs = int(rng.integers(1, 6))
        crown_r = rng.uniform(0.9, 1.6)
        squash = rng.uniform(0.7, 1.3)
        for i in range(n_blobs):
            offset = np.zeros(3) if i == 0 else rng.normal(0.0, crown_r * 0.45, 3)
            r = crown_r * (1.0 if i == 0 else rng.uniform(0.5, 0.8))
            parts.add(transform(sphere(1.0, segments=14, rings=8), scale=(r, r, r * squash), translation=(offset[0], offset[1], trunk_h + crown_r * squash * 0.7 + offset[2] * 0.5)), leaves)
        crown = f"a {'round' if n_blobs < 3 else 'bushy'} crown of {leaves.colour} leaves"
        noun = str(rng.choice(["tree", "oak tree", "leafy tree"]))
    captions = (
        f"a {noun} with {crown}",
        f"a {grade(trunk_h, (1.5, 2.0), ('short', 'medium-sized', 'tall'))} {leaves.colour} tree with a brown trunk",
        f"a {'pointed evergreen' if conifer else 'broad-leaved'} tree",
        f"a single {noun} standing on its trunk",
    )
    return BuiltShape(parts, captions)


@register_category("house", "Box-shaped walls with a pitched (gable prism) or pyramid (hip) roof, a front door, 1-6 windows and an optional chimney.")
def build_house(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    walls = paint(rng, ("white", "cream", "beige", "yellow", "light blue", "grey", "red", "pink", "light green"))
    if rng.random() < 0.25:
        walls = Finish(walls.rgb if walls.colour != "red" else COLOURS["dark red"], walls.colour, "brick")
    roof = paint(rng, ("red", "dark red", "brown", "dark grey", "black", "blue", "green"))
    width, depth = rng.uniform(6.0, 12.0), rng.uniform(5.0, 9.0)
    storeys = int(rng.choice([1, 2]))
    wall_h = storeys * rng.uniform(2.6, 3.2)
    roof_h = rng.uniform(1.5, 4.0)
    parts.add(box((width, depth, wall_h), (0, 0, wall_h / 2)), walls)
    hip = bool(rng.random() < 0.35)
    if hip:
        # A four-sided cone rotated so its base corners sit on the diagonals, then stretched over the walls.
        pyramid = transform(cylinder(1.0, roof_h, top_radius=0.0, segments=4), rotation=rotation_z(np.pi / 4))
        overhang = np.sqrt(2.0) * 0.3
        parts.add(transform(pyramid, scale=(width / np.sqrt(2.0) + overhang, depth / np.sqrt(2.0) + overhang, 1.0), translation=(0, 0, wall_h)), roof)
    else:
        gable = [(-depth / 2 - 0.3, 0), (depth / 2 + 0.3, 0), (0, roof_h)]
        parts.add(transform(prism(gable, width + 0.4), rotation=rotation_z(np.pi / 2), translation=(0, 0, wall_h)), roof)
    door = paint(rng, ("brown", "red", "blue", "green", "white", "black"))
    door_x = rng.uniform(-width / 4, width / 4)
    parts.add(box((1.0, 0.1, 2.1), (door_x, depth / 2 + 0.03, 1.05)), door)
    glass = fixed("light blue", rng, "glass")
    n_windows = int(rng.integers(1, 7))
    slots = [(x, z) for z in (np.arange(storeys) * wall_h / storeys + 1.5) for x in np.linspace(-width / 2 + 1.0, width / 2 - 1.0, 4) if abs(x - door_x) > 1.2 or z > 3]
    chosen = rng.choice(len(slots), size=min(n_windows, len(slots)), replace=False) if slots else []
    for i in chosen:
        x, z = slots[int(i)]
        parts.add(box((1.0, 0.1, 1.0), (x, depth / 2 + 0.03, z)), glass)
    n_windows = len(chosen)
    chimney = bool(rng.random() < 0.4)
    if chimney:
        parts.add(box((0.7, 0.7, roof_h + 0.8), (width / 4, depth / 5, wall_h + (roof_h + 0.8) / 2)), fixed("dark red", rng, "brick"))
    captions = (
        f"a {'one' if storeys == 1 else 'two'}-storey {walls.full} house with {article(roof.colour)} {'pyramid' if hip else 'pitched'} roof",
        f"a small house with {count(n_windows, 'window')} and {article(door.colour)} front door",
        f"a cottage with {walls.colour} walls" + (" and a chimney" if chimney else ""),
        f"a home with a {roof.colour} roof" + (", a chimney on top" if chimney else ""),
    )
    return BuiltShape(parts, captions)


@register_category("bench", "Long narrow seat of 2-4 parallel slats (3-5 times longer than deep) on two panel legs or four legs; park benches add a slatted backrest.")
def build_bench(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = wood(rng) if rng.random() < 0.7 else paint(rng, ("green", "red", "white", "black", "blue"), "painted")
    frame = finish if rng.random() < 0.5 else metal(rng, ("black", "dark grey", "silver"))
    length, depth = rng.uniform(1.2, 2.0), rng.uniform(0.35, 0.5)
    seat_z = rng.uniform(0.4, 0.48)
    n_slats = int(rng.integers(2, 5))
    slat_w = depth / n_slats - 0.01
    for y in np.linspace(-depth / 2 + slat_w / 2, depth / 2 - slat_w / 2, n_slats):
        parts.add(box((length, slat_w, 0.035), (0, y, seat_z)), finish)
    panel_legs = bool(rng.random() < 0.5)
    for x in (-length / 2 + 0.12, length / 2 - 0.12):
        if panel_legs:
            parts.add(box((0.05, depth * 0.95, seat_z - 0.02), (x, 0, (seat_z - 0.02) / 2)), frame)
        else:
            for y in (-depth / 2 + 0.04, depth / 2 - 0.04):
                parts.add(box((0.05, 0.05, seat_z - 0.02), (x, y, (seat_z - 0.02) / 2)), frame)
    backrest = bool(rng.random() < 0.5)
    if backrest:
        for k in range(2):
            parts.add(box((length, 0.03, 0.09), (0, -depth / 2 - 0.02, seat_z + 0.15 + k * 0.16)), finish)
        for x in (-length / 2 + 0.12, length / 2 - 0.12):
            parts.add(box((0.05, 0.05, 0.45), (x, -depth / 2 - 0.05, seat_z + 0.2)), frame)
    noun = "park bench" if backrest else "bench"
    captions = (
        f"{article(finish.full)} {noun} with {count(n_slats, 'slat')} on the seat",
        f"a long {finish.short} bench {'with a backrest' if backrest else 'without a back'}",
        f"a {grade(length, (1.5, 1.8), ('short', 'long', 'very long'))} {finish.colour} bench on {'two solid side legs' if panel_legs else 'four legs'}",
        f"{article(noun)} to sit on, made of {finish.colour} planks",
    )
    return BuiltShape(parts, captions)


@register_category("dumbbell", "Short horizontal bar with a heavy end on each side: 1-3 stacked discs, a hexagonal head or a ball; lying on the floor.")
def build_dumbbell(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    weight = paint(rng, ("black", "dark grey", "red", "blue", "pink", "green", "purple")) if rng.random() < 0.6 else metal(rng, ("silver", "dark grey"))
    bar = metal(rng, ("silver",))
    handle = rng.uniform(0.12, 0.18)
    style = str(rng.choice(["plates", "hex", "round"]))
    head = rng.uniform(0.045, 0.09)
    n_plates = int(rng.integers(1, 4)) if style == "plates" else 1
    plate_t = rng.uniform(0.02, 0.035)
    head_len = n_plates * plate_t if style == "plates" else head * rng.uniform(1.0, 1.6)
    total = handle + 2 * head_len + 0.04
    axis = rotation_y(np.pi / 2)
    parts.add(transform(cylinder(0.015, total, segments=10), rotation=axis, translation=(-total / 2, 0, head)), bar)
    for side in (-1, 1):
        inner = side * handle / 2
        if style == "round":
            parts.add(transform(sphere(head, segments=16, rings=8), translation=(inner + side * head, 0, head)), weight)
        else:
            for k in range(n_plates):
                radius = head * (1.0 - 0.15 * k) if style == "plates" else head
                x0 = inner + side * k * plate_t
                length = plate_t if style == "plates" else head_len
                disc = transform(cylinder(radius, length, segments=6 if style == "hex" else 18), rotation=axis)
                parts.add(transform(disc, translation=(x0 if side > 0 else x0 - length, 0, head)), weight)
    ends = {"plates": f"{count(n_plates, 'weight plate')} on each end", "hex": "hexagonal heads", "round": "round ball-shaped ends"}[style]
    captions = (
        f"{article(weight.full)} dumbbell with {ends}",
        f"a {'heavy' if head > 0.07 else 'light'} hand weight with a metal grip",
        f"a dumbbell for weight lifting, {weight.colour} with a short bar",
        f"{article(weight.colour)} gym dumbbell lying on the floor",
    )
    return BuiltShape(parts, captions)


@register_category("door", "Thin tall slab (about twice as tall as wide) standing upright in an optional frame, with a knob or lever handle, optional raised panels (2-6) and an optional glass window.")
def build_door(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = wood(rng) if rng.random() < 0.6 else paint(rng, ("white", "red", "blue", "green", "black", "grey", "yellow"), "painted")
    width, height, thick = rng.uniform(0.75, 1.0), rng.uniform(1.95, 2.2), rng.uniform(0.04, 0.06)
    parts.add(box((width, thick, height), (0, 0, height / 2)), finish)
    framed = bool(rng.random() < 0.6)
    if framed:
        frame = finish if rng.random() < 0.5 else fixed("white", rng)
        for x in (-width / 2 - 0.04, width / 2 + 0.04):
            parts.add(box((0.08, thick + 0.06, height + 0.08), (x, 0, (height + 0.08) / 2)), frame)
        parts.add(box((width + 0.16, thick + 0.06, 0.08), (0, 0, height + 0.04)), frame)
    n_panels = int(rng.choice([0, 2, 4, 6]))
    window = n_panels in (0, 2) and rng.random() < 0.5
    rows = n_panels // 2
    for r in range(rows):
        for x in (-width / 4, width / 4):
            z = height * (0.2 + 0.6 * r / max(rows - 1, 1)) if rows > 1 else height * 0.3
            parts.add(box((width * 0.35, thick + 0.02, height * 0.7 / max(rows, 1) * 0.8), (x, 0, z)), finish)
    if window:
        parts.add(box((width * 0.6, thick + 0.01, height * 0.25), (0, 0, height * 0.75)), fixed("light blue", rng, "glass"))
    knob = metal(rng, ("gold", "silver", "black"))
    lever = bool(rng.random() < 0.5)
    for y in (-thick / 2 - 0.03, thick / 2 + 0.03):
        if lever:
            parts.add(box((0.14, 0.025, 0.025), (width / 2 - 0.16, y, height * 0.48)), knob)
        else:
            parts.add(transform(sphere(0.03, segments=10, rings=6), translation=(width / 2 - 0.1, y, height * 0.48)), knob)
    handle = f"{article(knob.colour)} {'lever handle' if lever else 'round knob'}"
    captions = (
        f"{article(finish.full)} door with {handle}",
        f"a {finish.colour} door" + (f" with {count(n_panels, 'panel')}" if n_panels else " with a flat surface") + (" and a small glass window" if window else ""),
        f"a closed {finish.short} front door" + (" in its frame" if framed else ""),
        f"a tall rectangular door with {handle}",
    )
    return BuiltShape(parts, captions)


@register_category("ladder", "Two long parallel side rails joined by 5-12 evenly spaced rungs; a straight ladder leaning back, or an A-frame step ladder (two such frames hinged at the top).")
def build_ladder(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    material = str(rng.choice(["wooden", "metal", "metal"]))
    finish = wood(rng) if material == "wooden" else metal(rng, ("silver", "grey", "yellow", "orange"))
    width = rng.uniform(0.35, 0.55)
    step = bool(rng.random() < 0.4)
    length = rng.uniform(1.2, 2.0) if step else rng.uniform(2.0, 3.5)
    n_rungs = int(np.clip(round(length / rng.uniform(0.25, 0.32)), 4, 12))
    rail = rng.uniform(0.025, 0.045)

    def frame(tilt: float, x_offset: float, with_rungs: bool):
        out = [box((rail, rail * 2, length), (sx * width / 2, 0, length / 2)) for sx in (-1, 1)]
        if with_rungs:
            for z in np.linspace(length / (n_rungs + 1), length * n_rungs / (n_rungs + 1), n_rungs):
                out.append(transform(cylinder(rail * 0.45, width, segments=8), rotation=rotation_y(np.pi / 2), translation=(-width / 2, 0, z)))
        return [transform(t, rotation=rotation_x(tilt), translation=(0, x_offset, 0)) for t in out]

    if step:
        spread = rng.uniform(0.22, 0.32)
        pieces = frame(-spread, -length * np.sin(spread), True) + frame(spread, length * np.sin(spread), False)
        for piece in pieces:
            parts.add(piece, finish)
        noun, form = "step ladder", "an A-frame step ladder"
    else:
        for piece in frame(-rng.uniform(0.15, 0.3), 0.0, True):
            parts.add(piece, finish)
        noun, form = "ladder", "a straight leaning ladder"
    captions = (
        f"{article(finish.full)} {noun} with {count(n_rungs, 'rung')}",
        f"{form} made of {material.replace('wooden', 'wood')}",
        f"a {grade(length, (1.8, 2.6), ('short', 'mid-length', 'tall'))} {finish.colour} ladder with two side rails",
        f"a {noun} for climbing, {count(n_rungs, 'step')} between two rails",
    )
    return BuiltShape(parts, captions)


@register_category("traffic cone", "Tall cone (slightly truncated) on a flat square base plate, with one or two reflective stripe bands.")
def build_traffic_cone(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    finish = paint(rng, ("orange", "orange", "orange", "red", "yellow", "light green"), "plastic")
    stripe = fixed("white", rng)
    height = rng.uniform(0.45, 0.9)
    radius = height * rng.uniform(0.18, 0.26)
    base = radius * rng.uniform(2.4, 2.9)
    base_t = height * 0.04
    parts.add(box((base, base, base_t), (0, 0, base_t / 2)), fixed("black", rng, "rubber") if rng.random() < 0.4 else finish)
    top = radius * rng.uniform(0.12, 0.2)
    cone_h = height - base_t

    def radius_at(z):
        return radius + (top - radius) * z / cone_h

    parts.add(transform(cylinder(radius, cone_h, top_radius=top, segments=20), translation=(0, 0, base_t)), finish)
    n_stripes = int(rng.choice([1, 2]))
    for k in range(n_stripes):
        z0 = cone_h * (0.45 + 0.22 * k)
        band = cone_h * 0.1
        parts.add(transform(cylinder(radius_at(z0) * 1.02, band, top_radius=radius_at(z0 + band) * 1.02, segments=20, capped=False), translation=(0, 0, base_t + z0)), stripe)
    captions = (
        f"{article(finish.colour)} traffic cone with {count(n_stripes, 'white stripe')}",
        f"a {grade(height, (0.6, 0.75), ('small', 'standard', 'tall'))} {finish.full} road cone on a square base",
        f"a safety cone used on roads, {finish.colour} and white",
        f"a pointed {finish.colour} pylon marking a construction zone",
    )
    return BuiltShape(parts, captions)


@register_category("snowman", "Two or three stacked spheres shrinking upwards, with a carrot-cone nose, coal eyes, optional top hat and stick arms.")
def build_snowman(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    snow = fixed("white", rng)
    n_balls = int(rng.choice([2, 3]))
    radius = rng.uniform(0.3, 0.45)
    z = 0.0
    centers = []
    for k in range(n_balls):
        r = radius * (0.72 ** k) * rng.uniform(0.95, 1.05)
        z += r * (0.85 if k else 1.0)
        centers.append((z, r))
        parts.add(transform(sphere(r, segments=16, rings=9), translation=(0, 0, z)), snow)
        z += r * 0.85
    head_z, head_r = centers[-1]
    parts.add(rod((head_r * 0.9, 0, head_z), (head_r * 1.7, 0, head_z - 0.02), head_r * 0.15, top_radius=0.0, segments=8), fixed("orange", rng))
    for y in (-head_r * 0.35, head_r * 0.35):
        parts.add(transform(sphere(head_r * 0.09, segments=6, rings=4), translation=(head_r * 0.88, y, head_z + head_r * 0.3)), fixed("black", rng))
    hat = bool(rng.random() < 0.6)
    hat_finish = paint(rng, ("black", "black", "red", "blue", "green"))
    if hat:
        parts.add(transform(cylinder(head_r * 1.1, 0.03, segments=16), translation=(0, 0, head_z + head_r * 0.8)), hat_finish)
        parts.add(transform(cylinder(head_r * 0.7, head_r * 1.0, segments=16), translation=(0, 0, head_z + head_r * 0.8)), hat_finish)
    arms = bool(rng.random() < 0.6)
    if arms:
        body_z, body_r = centers[-2]
        for side in (-1, 1):
            parts.add(rod((0, side * body_r * 0.8, body_z + body_r * 0.2), (0, side * body_r * 2.0, body_z + body_r * 0.9), 0.02, segments=5), wood(rng))
    captions = (
        f"a snowman made of {count(n_balls, 'snowball')}" + (f" wearing {article(hat_finish.colour)} top hat" if hat else ""),
        "a white snowman with a carrot nose" + (" and stick arms" if arms else ""),
        f"a {'tall' if n_balls == 3 else 'small'} snowman built from stacked balls of snow",
        "a winter snowman with coal eyes and an orange nose",
    )
    return BuiltShape(parts, captions)


@register_category("umbrella", "Open umbrella: a shallow ribbed dome canopy (6-10 ribs) on a long thin shaft ending in a J-shaped handle; held upright.")
def build_umbrella(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    canopy = paint(rng, ("red", "blue", "black", "yellow", "green", "purple", "pink", "navy blue"))
    shaft = metal(rng, ("silver", "black"))
    n_ribs = int(rng.integers(6, 11))
    radius = rng.uniform(0.45, 0.6)
    shaft_h = rng.uniform(0.8, 1.0)
    dome = rng.uniform(0.25, 0.45) * radius
    t = np.linspace(0.0, 1.0, 6)
    parts.add(transform(lathe(radius * np.sin(t * np.pi / 2), shaft_h - dome * (1 - np.cos(t * np.pi / 2)), n_ribs), translation=(0, 0, 0)), canopy)
    handle_r = rng.uniform(0.04, 0.06)
    parts.add(transform(cylinder(0.012, shaft_h + 0.08, segments=8), translation=(0, 0, handle_r)), shaft)
    hook = transform(torus(handle_r, 0.014, arc=np.pi, segments=10, tube_segments=6), rotation=rotation_x(np.pi / 2))
    parts.add(transform(hook, rotation=rotation_y(np.pi), translation=(handle_r, 0, handle_r)), fixed("black", rng) if rng.random() < 0.5 else wood(rng))
    captions = (
        f"an open {canopy.colour} umbrella with {count(n_ribs, 'rib')}",
        f"{article(canopy.colour)} umbrella with a curved handle",
        f"a rain umbrella, {'wide and flat' if dome < 0.35 * radius else 'domed'}, on a long {shaft.colour} shaft",
        f"an opened {canopy.colour} parasol held upright",
    )
    return BuiltShape(parts, captions)


@register_category("windmill", "Tall tapering round or polygonal tower with a cap, and 4 or 5 long flat blades radiating from a hub on its side.")
def build_windmill(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    tower = paint(rng, ("white", "cream", "grey", "red", "brown", "beige"))
    blades = paint(rng, ("white", "brown", "grey", "cream", "black"))
    height = rng.uniform(6.0, 10.0)
    base_r = height * rng.uniform(0.15, 0.22)
    sides = int(rng.choice([8, 12, 20]))
    parts.add(cylinder(base_r, height, top_radius=base_r * rng.uniform(0.55, 0.75), segments=sides), tower)
    cap = paint(rng, ("brown", "dark grey", "red", "black"))
    parts.add(transform(cylinder(base_r * 0.75, base_r * 0.8, top_radius=0.0, segments=sides), translation=(0, 0, height)), cap)
    n_blades = int(rng.choice([4, 4, 5]))
    blade_len = height * rng.uniform(0.45, 0.6)
    hub = np.array([base_r * 0.85, 0.0, height * 0.9])
    parts.add(transform(sphere(base_r * 0.18, segments=8, rings=5), translation=tuple(hub)), cap)
    phase = rng.uniform(0.0, np.pi / 2)
    for k in range(n_blades):
        angle = phase + 2 * np.pi * k / n_blades
        blade = box((0.06, blade_len * 0.22, blade_len), (0.0, blade_len * 0.08, blade_len / 2 + base_r * 0.1))
        parts.add(transform(blade, rotation=rotation_x(angle), translation=tuple(hub + [0.1, 0, 0])), blades)
    captions = (
        f"a {tower.colour} windmill with {count(n_blades, 'blade')}",
        f"an old windmill tower with {article(cap.colour)} cap and {blades.colour} sails",
        f"a {'tall' if height > 8 else 'small'} windmill with spinning blades",
        f"a tower-shaped windmill, {tower.colour}, with {count(n_blades, 'sail')}",
    )
    return BuiltShape(parts, captions)


@register_category("bicycle", "Two large thin wheels (tori with hubs) in a vertical plane joined by a triangular tube frame, with a saddle and handlebars.")
def build_bicycle(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    frame = paint(rng, ("red", "blue", "black", "white", "green", "yellow", "orange", "silver", "pink"))
    tyre = fixed("black", rng, "rubber")
    wheel_r = rng.uniform(0.3, 0.36)
    base = rng.uniform(0.95, 1.1)
    rear, front = np.array([-base / 2, 0, wheel_r]), np.array([base / 2, 0, wheel_r])
    upright = rotation_x(np.pi / 2)
    for center in (rear, front):
        parts.add(transform(torus(wheel_r, 0.02, segments=24, tube_segments=6), rotation=upright, translation=tuple(center)), tyre)
        for k in range(4):
            angle = np.pi * k / 4
            spoke = np.array([np.cos(angle), 0.0, np.sin(angle)]) * wheel_r
            parts.add(rod(center - spoke, center + spoke, 0.004, segments=4), fixed("silver", rng))
    crank = np.array([-0.05, 0, wheel_r])
    seat = np.array([-0.18, 0, wheel_r + rng.uniform(0.5, 0.62)])
    head = np.array([base / 2 - 0.12, 0, wheel_r + rng.uniform(0.52, 0.62)])
    tube = rng.uniform(0.015, 0.025)
    for a, b in ((rear, crank), (rear, seat), (crank, seat), (crank, head), (seat, head), (head, front)):
        parts.add(rod(a, b, tube, segments=6), frame)
    parts.add(transform(box((0.25, 0.12, 0.05)), translation=tuple(seat + [0, 0, 0.05])), fixed("black", rng, "leather"))
    bar = head + [0, 0, 0.12]
    parts.add(rod(head, bar, tube, segments=6), frame)
    parts.add(rod(bar - [0, 0.25, 0], bar + [0, 0.25, 0], 0.012, segments=6), fixed("black", rng))
    captions = (
        f"{article(frame.colour)} bicycle with two black wheels",
        f"a bike with {article(frame.colour)} frame, a saddle and handlebars",
        f"a two-wheeled {frame.colour} bicycle with thin spokes",
        f"a {'road' if wheel_r > 0.33 else 'city'} bicycle standing upright",
    )
    return BuiltShape(parts, captions)


# The extension modules build on the helpers above, so they are imported once this module is complete; importing the
# registry therefore always yields every category.
for _extension in EXTENSION_MODULES:
    importlib.import_module(f".{_extension}", __package__)

__all__ = [
    "Assembly", "BuiltShape", "CATEGORIES", "Category", "EVERYDAY_SOURCE", "EXTENSION_MODULES", "register_category",
    "nyu40_source", "shapenet_source",
]
