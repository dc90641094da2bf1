"""Street scene layouts: a straight road with curbs, sidewalks and terrain, buildings along it, and 5-25 objects
placed without overlaps.

World frame: metres, z up, the road surface at z = 0 and the LiDAR above the scene's centre (x = y = 0); the LiDAR
frame of the outputs is this frame shifted down by the sensor height. The scene is the square |x|, |y| <= 40 m:
nothing (ground included) exists outside it. Every number here is pinned by ``docs/synthetic_scenes.md``; change one
only with a recorded reason in that page's "Changes" section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..synthetic_shapes.finishes import paint
from ..synthetic_shapes.geometry import rotation_z
from .objects import OBJECT_CLASSES, ObjectMesh, build_object

SEMANTIC_CLASSES: tuple[str, ...] = (
    "road", "sidewalk", "terrain", "building", "car", "person", "bicycle", "traffic cone", "tree", "bench", "pole",
)  # fmt: skip

SCENE_HALF_EXTENT = 40.0
ROAD_YAW_DEGREES = (-10.0, 10.0)
ROAD_WIDTH = (7.0, 14.0)
# The ego vehicle drives in the right half of the road: at least 1 m right of the centre line, 1.5 m from the edge.
SENSOR_FROM_CENTRE_LINE = 1.0
SENSOR_FROM_ROAD_EDGE = 1.5
BOTH_SIDEWALKS_PROBABILITY = 0.6  # else one sidewalk, on either side with equal chance
SIDEWALK_WIDTH = (2.0, 5.0)
CURB_HEIGHT = (0.10, 0.15)
TERRAIN_DEPTH = 15.0  # objects beside the road stand at most this far beyond the sidewalk (or the road edge)
BUILT_UP_PROBABILITY = 0.8  # per side of the street
BUILDING_SETBACK = (1.0, 8.0)
BUILDING_LENGTH = (5.0, 20.0)
BUILDING_DEPTH = (5.0, 20.0)
BUILDING_HEIGHT = (4.0, 15.0)
BUILDING_GAP = (2.0, 15.0)
NUM_OBJECTS = (5, 25)
PLACEMENT_TRIES = 50
FOOTPRINT_GAP = 0.3  # least distance between two footprints (objects, buildings and the ego vehicle)
ROAD_EDGE_GAP = 0.2  # objects keep this far off the curb line, on either side of it
EGO_FOOTPRINT = (5.0, 2.5)  # length, width of the ego vehicle carrying the LiDAR, centred on it, along the road

ROAD_RGB = (0.20, 0.20, 0.21)
SIDEWALK_RGB = (0.62, 0.61, 0.58)
TERRAIN_RGB = (0.33, 0.45, 0.20)
BUILDING_COLOURS = ("white", "cream", "beige", "grey", "dark grey", "dark red", "brown", "light blue")


@dataclass(frozen=True)
class Street:
    """A straight road through the scene along direction ``yaw`` (radians from the LiDAR x axis).

    The lateral coordinate ``v`` runs along the road's left normal and is 0 on the centre line, which passes
    ``center_offset`` metres to the left of the sensor. The road covers |v| <= width / 2 at z = 0. A side with a
    sidewalk (``left_sidewalk`` / ``right_sidewalk`` > 0, its width) has a vertical curb at the road edge and the
    sidewalk and the terrain beyond it ``curb_height`` up; a side without one has terrain at road level and no curb.
    """

    yaw: float
    center_offset: float
    width: float
    curb_height: float
    left_sidewalk: float
    right_sidewalk: float

    @property
    def direction(self) -> np.ndarray:
        return np.array([np.cos(self.yaw), np.sin(self.yaw)])

    @property
    def normal(self) -> np.ndarray:
        """Unit left normal of the road in the xy plane (the direction of growing ``v``)."""
        return np.array([-np.sin(self.yaw), np.cos(self.yaw)])

    def lateral(self, xy: np.ndarray) -> np.ndarray:
        """``v`` of points ``xy`` [..., 2]."""
        return np.asarray(xy) @ self.normal - self.center_offset

    def sidewalk(self, side: int) -> float:
        """Sidewalk width on ``side`` (+1 left, -1 right); 0 when that side has none."""
        return self.left_sidewalk if side > 0 else self.right_sidewalk

    def side_height(self, side: int) -> float:
        """Ground height beyond the road edge on ``side`` (+1 left, -1 right)."""
        return self.curb_height if self.sidewalk(side) > 0 else 0.0

    def point(self, along: float, lateral: float) -> np.ndarray:
        """xy of the point ``along`` metres down the road (from the sensor's foot) at lateral coordinate ``lateral``."""
        return along * self.direction + (lateral + self.center_offset) * self.normal


@dataclass(frozen=True)
class Building:
    """A box building: ``box`` is (x, y, z_centre, length, width, height, yaw) in the world frame."""

    box: np.ndarray
    rgb: tuple[float, float, float]
    instance_id: int


@dataclass(frozen=True)
class PlacedObject:
    """A placed object: world-frame ``triangles`` [T, 3, 3] and ``colors`` [T, 3]; ``box`` as for :class:`Building`,
    its length along the heading ``yaw``."""

    name: str
    seed: int
    instance_id: int
    triangles: np.ndarray
    colors: np.ndarray
    box: np.ndarray

    @property
    def semantic_label(self) -> int:
        return SEMANTIC_CLASSES.index(self.name)


@dataclass(frozen=True)
class SceneLayout:
    """Everything a scan sees: the street, the buildings and the objects, inside |x|, |y| <= ``half_extent``."""

    street: Street
    buildings: tuple[Building, ...]
    objects: tuple[PlacedObject, ...]
    half_extent: float = SCENE_HALF_EXTENT


def footprint_corners(rectangles: np.ndarray) -> np.ndarray:
    """Corners [K, 4, 2] of BEV rectangles [K, 5] given as (x, y, length, width, yaw)."""
    rectangles = np.atleast_2d(rectangles)
    signs = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    half = rectangles[:, None, 2:4] / 2 * signs[None]  # [K, 4, 2] in each rectangle's own axes
    cos, sin = np.cos(rectangles[:, 4])[:, None], np.sin(rectangles[:, 4])[:, None]
    x = rectangles[:, None, 0] + cos * half[..., 0] - sin * half[..., 1]
    y = rectangles[:, None, 1] + sin * half[..., 0] + cos * half[..., 1]
    return np.stack([x, y], axis=-1)


def footprints_overlap(candidate: np.ndarray, others: np.ndarray, gap: float = 0.0) -> np.ndarray:
    """Whether the BEV rectangle ``candidate`` [5] comes closer than ``gap`` to each of ``others`` [K, 5]: a
    separating-axis test on the rectangles grown by ``gap / 2`` on every side (so corners keep a little more)."""
    if len(others) == 0:
        return np.zeros(0, dtype=bool)
    grow = np.array([0.0, 0.0, gap, gap, 0.0])
    a = footprint_corners(candidate + grow)[0]  # [4, 2]
    b = footprint_corners(np.asarray(others) + grow)  # [K, 4, 2]
    own = np.stack([np.cos(candidate[4]), np.sin(candidate[4])])
    other = np.stack([np.cos(others[:, 4]), np.sin(others[:, 4])], axis=-1)  # [K, 2]
    perpendicular = np.array([[0.0, -1.0], [1.0, 0.0]])
    axes = np.stack([np.broadcast_to(own, other.shape), np.broadcast_to(perpendicular @ own, other.shape),
                     other, other @ perpendicular.T], axis=1)  # [K, 4 axes, 2]  # fmt: skip
    project_a = np.einsum("kad,cd->kac", axes, a)  # [K, axes, corners]
    project_b = np.einsum("kad,kcd->kac", axes, b)
    separated = (project_a.max(-1) < project_b.min(-1)) | (project_b.max(-1) < project_a.min(-1))
    return ~separated.any(axis=1)


def _inside_square(corners: np.ndarray, half_extent: float) -> bool:
    return bool((np.abs(corners) <= half_extent).all())


def _sample_street(rng: np.random.Generator) -> Street:
    width = rng.uniform(*ROAD_WIDTH)
    sensor_v = rng.uniform(-width / 2 + SENSOR_FROM_ROAD_EDGE, -SENSOR_FROM_CENTRE_LINE)
    sidewalks = [rng.uniform(*SIDEWALK_WIDTH), rng.uniform(*SIDEWALK_WIDTH)]
    if rng.random() >= BOTH_SIDEWALKS_PROBABILITY:
        sidewalks[int(rng.integers(2))] = 0.0
    return Street(
        yaw=float(np.deg2rad(rng.uniform(*ROAD_YAW_DEGREES))),
        center_offset=float(-sensor_v),
        width=float(width),
        curb_height=float(rng.uniform(*CURB_HEIGHT)),
        left_sidewalk=float(sidewalks[0]),
        right_sidewalk=float(sidewalks[1]),
    )


def _sample_buildings(rng: np.random.Generator, street: Street, half_extent: float) -> list[tuple[np.ndarray, tuple]]:
    """Rows of boxes along the built-up sides of the street; a box reaching outside the scene is left out."""
    buildings = []
    reach = half_extent * np.sqrt(2.0)  # along the road, the square ends at most this far from the sensor
    for side in (1, -1):
        if rng.random() >= BUILT_UP_PROBABILITY:
            continue
        front = street.width / 2 + street.sidewalk(side)
        along = -reach + rng.uniform(0.0, BUILDING_GAP[1])
        while along < reach:
            length, depth = rng.uniform(*BUILDING_LENGTH), rng.uniform(*BUILDING_DEPTH)
            height, setback = rng.uniform(*BUILDING_HEIGHT), rng.uniform(*BUILDING_SETBACK)
            rgb = paint(rng, BUILDING_COLOURS).rgb
            xy = street.point(along + length / 2, side * (front + setback + depth / 2))
            base = street.side_height(side)
            box = np.array([xy[0], xy[1], base + height / 2, length, depth, height, street.yaw])
            if _inside_square(footprint_corners(box[[0, 1, 3, 4, 6]]), half_extent):
                buildings.append((box, rgb))
            along += length + rng.uniform(*BUILDING_GAP)
    return buildings


def _wrap(angle: float) -> float:
    """Angle in [-pi, pi)."""
    return float((angle + np.pi) % (2.0 * np.pi) - np.pi)


def _place(
    rng: np.random.Generator, mesh: ObjectMesh, street: Street, occupied: list[np.ndarray], half_extent: float
) -> tuple[np.ndarray, float] | None:
    """(x, y, ground z) and yaw of a free spot for ``mesh`` within its class's zones, or None after the tries."""
    spec = OBJECT_CLASSES[mesh.name]
    length, width, _ = mesh.size
    edge = street.width / 2
    for _ in range(PLACEMENT_TRIES):
        on_road = rng.random() < spec.road_probability
        if on_road:
            lateral, side = rng.uniform(-edge, edge), 0
        else:
            side = int(rng.choice([-1, 1]))
            sidewalk = street.sidewalk(side)
            if sidewalk > 0 and rng.random() < spec.sidewalk_probability:
                lateral = side * (edge + rng.uniform(0.0, sidewalk))
            else:
                lateral = side * (edge + sidewalk + rng.uniform(0.0, TERRAIN_DEPTH))
        along = rng.uniform(-half_extent, half_extent)
        if spec.yaw == "uniform" or (spec.yaw == "traffic" and not on_road):
            yaw = rng.uniform(0.0, 2.0 * np.pi)
        else:
            # Along the road, turned round on its left half: there traffic drives the other way, and a +y side
            # (the road's left normal at yaw = road yaw) faces the road from the right side.
            noise = np.deg2rad(rng.uniform(-spec.yaw_noise_degrees, spec.yaw_noise_degrees))
            yaw = street.yaw + (np.pi if lateral > 0 else 0.0) + noise
        xy = street.point(along, lateral)
        rectangle = np.array([xy[0], xy[1], length, width, _wrap(yaw)])
        corners = footprint_corners(rectangle)[0]
        corner_v = street.lateral(corners)
        if on_road:
            in_zone = bool((np.abs(corner_v) <= edge - ROAD_EDGE_GAP).all())
        else:
            in_zone = bool((side * corner_v >= edge + ROAD_EDGE_GAP).all())
        if not (in_zone and _inside_square(corners, half_extent)):
            continue
        if occupied and footprints_overlap(rectangle, np.stack(occupied), FOOTPRINT_GAP).any():
            continue
        occupied.append(rectangle)
        return np.array([xy[0], xy[1], 0.0 if on_road else street.side_height(side)]), _wrap(yaw)
    return None


def sample_layout(
    rng: np.random.Generator, object_seed: Callable[[int], int], *, half_extent: float = SCENE_HALF_EXTENT
) -> tuple[SceneLayout, int]:
    """Draw a street, its buildings and 5-25 objects (the first a car; the others by class weight).

    ``object_seed(slot)`` gives the shape seed of the object in each slot, so objects can come from split-disjoint
    streams. An object that finds no free spot in its zones within ``PLACEMENT_TRIES`` tries is left out; returns the
    layout and the number of objects left out. Objects get instance ids 1..M in slot order, buildings the next ids.
    """
    street = _sample_street(rng)
    buildings = _sample_buildings(rng, street, half_extent)
    ego = street.point(0.0, -street.center_offset)
    occupied = [np.array([ego[0], ego[1], *EGO_FOOTPRINT, street.yaw])]
    occupied += [box[[0, 1, 3, 4, 6]] for box, _ in buildings]

    names = list(OBJECT_CLASSES)
    weights = np.array([OBJECT_CLASSES[name].weight for name in names])
    num_objects = int(rng.integers(NUM_OBJECTS[0], NUM_OBJECTS[1] + 1))
    classes = ["car"] + [names[i] for i in rng.choice(len(names), size=num_objects - 1, p=weights / weights.sum())]
    objects, dropped = [], 0
    for slot, name in enumerate(classes):
        mesh = build_object(name, object_seed(slot))
        spot = _place(rng, mesh, street, occupied, half_extent)
        if spot is None:
            dropped += 1
            continue
        position, yaw = spot
        triangles = mesh.triangles @ rotation_z(yaw).T + position
        length, width, height = mesh.size
        box = np.array([position[0], position[1], position[2] + height / 2, length, width, height, yaw])
        objects.append(PlacedObject(name, mesh.seed, len(objects) + 1, triangles, mesh.colors, box))
    placed_buildings = tuple(
        Building(box, rgb, len(objects) + 1 + index) for index, (box, rgb) in enumerate(buildings)
    )
    return SceneLayout(street, placed_buildings, tuple(objects), half_extent), dropped


__all__ = [
    "BOTH_SIDEWALKS_PROBABILITY",
    "BUILDING_COLOURS",
    "BUILDING_DEPTH",
    "BUILDING_GAP",
    "BUILDING_HEIGHT",
    "BUILDING_LENGTH",
    "BUILDING_SETBACK",
    "BUILT_UP_PROBABILITY",
    "Building",
    "CURB_HEIGHT",
    "EGO_FOOTPRINT",
    "FOOTPRINT_GAP",
    "NUM_OBJECTS",
    "PLACEMENT_TRIES",
    "PlacedObject",
    "ROAD_EDGE_GAP",
    "ROAD_RGB",
    "ROAD_WIDTH",
    "ROAD_YAW_DEGREES",
    "SCENE_HALF_EXTENT",
    "SEMANTIC_CLASSES",
    "SENSOR_FROM_CENTRE_LINE",
    "SENSOR_FROM_ROAD_EDGE",
    "SIDEWALK_RGB",
    "SIDEWALK_WIDTH",
    "SceneLayout",
    "Street",
    "TERRAIN_DEPTH",
    "TERRAIN_RGB",
    "footprint_corners",
    "footprints_overlap",
    "sample_layout",
]
