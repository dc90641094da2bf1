"""The objects a street scene is furnished with: which shape builds each class, at what real-world size, where it
may stand and how it is turned.

Cars, bicycles, traffic cones, trees and benches come from the synthetic shapes corpus
(``hf_spiking.data.synthetic_shapes``); persons and poles are built here (scene-only, not registered as shape
categories): the corpus had neither when the benchmark was pinned, and its later "person" category is not used so
that the scenes stay as pinned. Shape builders draw sizes for a tabletop-to-street mix, so each class is rescaled
to a size drawn from the ranges of :data:`OBJECT_CLASSES` (the pinned table of ``docs/synthetic_scenes.md``).

Local frame of every built object: metres, z up, standing on z = 0, its bounding box centred on x = y = 0; +x is the
heading (a car's front, a bicycle's front wheel, a bench's length) and +y is the side that faces the road when the yaw
rule is ``"face road"`` (a bench's seat, a pole's arm or sign).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..synthetic_shapes.categories import CATEGORIES, Assembly
from ..synthetic_shapes.finishes import Finish, fixed, metal, paint, wood
from ..synthetic_shapes.geometry import box, cylinder, lathe, rod, rotation_y, sphere, transform

_SKIN_TONES = ((0.96, 0.80, 0.69), (0.87, 0.67, 0.52), (0.71, 0.51, 0.36), (0.48, 0.33, 0.22), (0.33, 0.22, 0.15))
_SHIRTS = ("red", "orange", "yellow", "green", "blue", "light blue", "purple", "pink", "white", "black", "grey", "teal")
_TROUSERS = ("navy blue", "blue", "black", "dark grey", "grey", "beige", "brown")
_HAIR = ("black", "dark grey", "brown", "beige", "white")


def build_person(rng: np.random.Generator) -> Assembly:
    """A standing or walking pedestrian, 1.5-1.9 m tall, facing +x: legs and arms as rods (swinging in opposite
    phase when walking), a box torso, a sphere head with a hair cap, shoes, optional backpack."""
    parts = Assembly()
    height = rng.uniform(1.5, 1.9)
    skin = Finish(tuple(float(c) for c in _SKIN_TONES[int(rng.integers(len(_SKIN_TONES)))]), "skin")
    shirt, trousers = paint(rng, _SHIRTS), paint(rng, _TROUSERS)
    hip_z, shoulder_z = 0.47 * height, 0.815 * height
    head_r = rng.uniform(0.058, 0.066) * height
    shoulder_w, hip_w = rng.uniform(0.22, 0.26) * height, rng.uniform(0.16, 0.19) * height
    depth = rng.uniform(0.11, 0.14) * height
    limb = rng.uniform(0.034, 0.042) * height  # thigh radius; arms are thinner
    swing = rng.uniform(0.0, 0.45) if rng.random() < 0.6 else 0.0  # walking: half the leg opening angle
    for side in (-1.0, 1.0):
        y = side * (hip_w / 2 - limb * 0.8)
        foot = np.array([side * np.sin(swing) * hip_z, y, 0.06])
        parts.add(rod((0.0, y, hip_z + 0.04), foot, limb, segments=8, top_radius=limb * 0.65), trousers)
        parts.add(box((0.26 * height / 1.7, 0.1, 0.07), (foot[0] + 0.04, y, 0.035)), fixed("black", rng, "leather"))
        arm_y = side * (shoulder_w / 2 + limb * 0.6)
        arm_len = 0.36 * height
        hand = np.array([-side * np.sin(swing) * arm_len, arm_y + side * 0.03, shoulder_z - np.cos(swing) * arm_len])
        parts.add(rod((0.0, arm_y, shoulder_z), hand, limb * 0.7, segments=8), shirt)
        parts.add(transform(sphere(limb * 0.9, segments=8, rings=5), translation=tuple(hand)), skin)
    parts.add(box((depth, hip_w, 0.1 * height), (0.0, 0.0, hip_z + 0.03 * height)), trousers)
    torso_h = shoulder_z - hip_z - 0.05 * height
    parts.add(box((depth, shoulder_w, torso_h), (0.0, 0.0, shoulder_z - torso_h / 2)), shirt)
    hair_r = 1.06 * head_r
    head_z = height - hair_r  # the top of the hair is the person's height
    neck = cylinder(0.45 * head_r, head_z - head_r * 0.8 - shoulder_z + 0.02, segments=8)
    parts.add(transform(neck, translation=(0.0, 0.0, shoulder_z - 0.02)), skin)
    head = sphere(head_r, segments=12, rings=8)
    parts.add(transform(head, scale=(1.0, 0.9, 1.0), translation=(0.0, 0.0, head_z)), skin)
    cap = np.linspace(0.55 * np.pi, 0.0, 6)  # polar angle from the crown: an open cap down to just below the ears
    hair = lathe(hair_r * np.sin(cap), hair_r * np.cos(cap), 12)
    parts.add(transform(hair, translation=(-0.01, 0.0, head_z)), fixed(str(rng.choice(_HAIR)), rng))
    if rng.random() < 0.3:
        parts.add(box((0.12, shoulder_w * 0.8, torso_h * 0.7), (-depth / 2 - 0.06, 0.0, shoulder_z - torso_h * 0.45)),
                  paint(rng, ("black", "dark grey", "navy blue", "red", "green")))
    return parts


def build_pole(rng: np.random.Generator) -> Assembly:
    """A street light (6-8 m, an arm reaching over the road (+y) with a lamp head), a sign post (3-4 m, a square,
    round or triangular plate facing the traffic along x) or a utility pole (5-8 m, optional cross-arm)."""
    parts = Assembly()
    kind = str(rng.choice(["street light", "sign", "utility"], p=[0.45, 0.35, 0.2]))
    if kind == "street light":
        height, radius = rng.uniform(6.0, 8.0), rng.uniform(0.07, 0.11)
        finish = metal(rng, ("grey", "silver", "black"))
        parts.add(cylinder(radius, height, top_radius=radius * 0.6, segments=10), finish)
        reach = rng.uniform(0.8, 2.0)
        parts.add(rod((0.0, 0.0, height - 0.3), (0.0, reach, height - 0.05), radius * 0.5, segments=6), finish)
        parts.add(box((0.25, 0.55, 0.14), (0.0, reach, height - 0.12)), finish)
        parts.add(box((0.2, 0.45, 0.03), (0.0, reach, height - 0.2)), fixed("white", rng, "glass"))
    elif kind == "sign":
        height, radius = rng.uniform(3.0, 4.0), rng.uniform(0.03, 0.05)
        parts.add(cylinder(radius, height, segments=8), metal(rng, ("grey", "silver")))
        size = rng.uniform(0.6, 0.9)
        plate = paint(rng, ("red", "blue", "yellow", "white", "green"), "painted")
        shape = str(rng.choice(["square", "round", "triangle"]))
        face_x = radius + 0.02  # in front of the post, facing the traffic that comes along the road (-x)
        center_z = height - size / 2
        if shape == "square":
            parts.add(box((0.03, size, size), (face_x + 0.015, 0.0, center_z)), plate)
        else:
            # A disc (or a 3-sided one: a triangle) turned up so that its axis runs along x.
            disc = cylinder(size / 2, 0.03, segments=20 if shape == "round" else 3)
            parts.add(transform(disc, rotation=rotation_y(np.pi / 2), translation=(face_x, 0.0, center_z)), plate)
    else:
        height, radius = rng.uniform(5.0, 8.0), rng.uniform(0.1, 0.15)
        finish = wood(rng) if rng.random() < 0.5 else fixed("grey", rng, "concrete")
        parts.add(cylinder(radius, height, top_radius=radius * 0.8, segments=10), finish)
        if rng.random() < 0.6:
            parts.add(box((0.1, 1.6, 0.1), (0.0, 0.0, height - 0.4)), finish)
    return parts


def _shape_builder(name: str) -> Callable[[np.random.Generator], Assembly]:
    def build(rng: np.random.Generator) -> Assembly:
        return CATEGORIES[name].builder(rng).assembly

    return build


@dataclass(frozen=True)
class ObjectClass:
    """How one class of scene object is built, sized, placed and turned.

    ``target_size`` maps ``"length"`` (x), ``"width"`` (y) and ``"height"`` (z) to (min, max) metres: one entry scales
    the built object uniformly to a size drawn in that range, all three scale each axis separately, none keeps the
    builder's own size. ``weight`` is the class's share of the objects after the scene's first (a car).
    ``road_probability`` is the chance to stand on the road, else beside it; there ``sidewalk_probability`` is the
    chance of the sidewalk strip (when that side has one) over the terrain beyond. ``yaw``: ``"traffic"`` (on the
    road along it, right-hand traffic: the left half drives the other way; beside the road uniform), ``"face road"``
    (+y towards the road) or ``"uniform"``; ``yaw_noise_degrees`` is the half-width of the uniform noise added to the
    first two.
    """

    name: str
    build: Callable[[np.random.Generator], Assembly]
    target_size: dict[str, tuple[float, float]]
    weight: float
    road_probability: float
    sidewalk_probability: float
    yaw: str
    yaw_noise_degrees: float


OBJECT_CLASSES: dict[str, ObjectClass] = {
    spec.name: spec
    for spec in (
        ObjectClass("car", _shape_builder("car"), {"length": (3.8, 4.8), "width": (1.6, 1.9), "height": (1.4, 1.6)},
                    0.30, 1.0, 0.0, "traffic", 5.0),
        ObjectClass("person", build_person, {}, 0.20, 0.0, 0.7, "uniform", 0.0),
        ObjectClass("bicycle", _shape_builder("bicycle"), {"length": (1.6, 1.8)}, 0.10, 0.4, 0.8, "traffic", 10.0),
        ObjectClass("traffic cone", _shape_builder("traffic cone"), {"height": (0.5, 0.9)}, 0.10, 0.6, 0.8, "uniform",
                    0.0),
        ObjectClass("tree", _shape_builder("tree"), {"height": (3.0, 8.0)}, 0.12, 0.0, 0.4, "uniform", 0.0),
        ObjectClass("bench", _shape_builder("bench"), {"length": (1.5, 2.0)}, 0.06, 0.0, 0.6, "face road", 5.0),
        ObjectClass("pole", build_pole, {}, 0.12, 0.0, 0.8, "face road", 5.0),
    )
}
_AXES = {"length": 0, "width": 1, "height": 2}


@dataclass(frozen=True)
class ObjectMesh:
    """A built, resized object in its local frame: ``triangles`` [T, 3, 3] and ``colors`` [T, 3] (rgb in [0, 1]);
    ``size`` is (length, width, height) of its bounding box, which is centred on x = y = 0 and stands on z = 0."""

    name: str
    seed: int
    triangles: np.ndarray
    colors: np.ndarray
    size: tuple[float, float, float]


def build_object(name: str, seed: int) -> ObjectMesh:
    """Build the object of class ``name`` from ``seed`` and resize it to its class's real-world size range."""
    if name not in OBJECT_CLASSES:
        raise ValueError(f"unknown object class {name!r}; expected one of {list(OBJECT_CLASSES)}")
    if not 0 <= int(seed) < 2**63:
        raise ValueError(f"seed must be a non-negative 63-bit integer, got {seed}")
    spec = OBJECT_CLASSES[name]
    rng = np.random.default_rng(int(seed))
    triangles, colors = spec.build(rng).concatenated()
    low, high = triangles.reshape(-1, 3).min(axis=0), triangles.reshape(-1, 3).max(axis=0)
    extent = high - low
    scale = np.ones(3)
    for axis_name, (lo, hi) in spec.target_size.items():
        scale[_AXES[axis_name]] = rng.uniform(lo, hi) / extent[_AXES[axis_name]]
    if len(spec.target_size) == 1:
        scale[:] = scale[_AXES[next(iter(spec.target_size))]]
    # Centre the footprint and put the lowest point on the ground (a bicycle's tyres dip 2 cm below z = 0 as built).
    offset = -np.array([(low[0] + high[0]) / 2, (low[1] + high[1]) / 2, low[2]])
    triangles = transform(triangles, translation=tuple(offset)) * scale
    size = tuple(float(s) for s in extent * scale)
    return ObjectMesh(name, int(seed), triangles, np.asarray(colors, dtype=np.float64), size)


__all__ = ["OBJECT_CLASSES", "ObjectClass", "ObjectMesh", "build_object", "build_person", "build_pole"]
