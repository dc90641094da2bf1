"""A simulated rotating LiDAR: exact ray casting of a :class:`~.layout.SceneLayout`, then range noise and dropout.

Rays leave the sensor (``sensor_height`` above the road, at the scene's centre) on a grid of ``num_beams`` elevations
evenly spaced from the top to the bottom of ``elevation_degrees`` and azimuth columns every ``azimuth_step_degrees``
(column 0 along +x, counter-clockwise). Each ray returns its nearest surface, so occlusion and the range-dependent
density of real scans follow from the geometry. The ground (road, curb faces, sidewalks, terrain) and the box
buildings are intersected analytically; objects, which are triangle soups, by a vectorised Moller-Trumbore test on the
rays that enter their bounding box. Because every ray starts at the sensor, the test needs three [rays, 3] x [3,
triangles] matrix products per object, with per-triangle terms computed once.

Intensity is ``reflectivity(rgb) * |cos(incidence)|`` with ``reflectivity = 0.05 + 0.9 * luminance(rgb)`` (Rec. 709
luminance of the surface colour): bright paint returns more than dark asphalt, and grazing hits less than head-on ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import ROAD_RGB, SEMANTIC_CLASSES, SIDEWALK_RGB, TERRAIN_RGB, SceneLayout

_ROAD, _SIDEWALK, _TERRAIN, _BUILDING = (SEMANTIC_CLASSES.index(n) for n in ("road", "sidewalk", "terrain", "building"))
_RAY_BLOCK = 8192  # rays per block of the box tests: [block, boxes, 3] temporaries stay a few MB
_PAIRS_PER_BLOCK = 1 << 20  # rays x triangles per Moller-Trumbore block


@dataclass(frozen=True)
class LidarConfig:
    """The sensor: beam layout, range, noise and dropout (defaults: the pinned 32-beam spec of the benchmark).

    ``range_noise`` is the standard deviation of Gaussian noise (metres) added to each return's range, ``dropout`` the
    chance that a ray returns nothing; returns from beyond ``max_range`` are never reported.
    """

    num_beams: int = 32
    elevation_degrees: tuple[float, float] = (10.0, -30.0)
    azimuth_step_degrees: float = 0.2
    max_range: float = 70.0
    range_noise: float = 0.02
    dropout: float = 0.05
    sensor_height: float = 1.73

    def __post_init__(self):
        if int(self.num_beams) != self.num_beams or self.num_beams < 1:
            raise ValueError(f"num_beams must be a positive integer, got {self.num_beams!r}")
        top, bottom = self.elevation_degrees
        if not -90.0 < bottom <= top < 90.0:
            raise ValueError(
                f"elevation_degrees must be (top, bottom) with -90 < bottom <= top < 90, got {self.elevation_degrees!r}"
            )
        columns = 360.0 / self.azimuth_step_degrees if self.azimuth_step_degrees > 0 else 0.0
        if not columns >= 1 or abs(columns - round(columns)) > 1e-6:
            raise ValueError(
                "azimuth_step_degrees must divide 360 into a whole number of columns, got "
                f"{self.azimuth_step_degrees!r}"
            )
        for name in ("max_range", "sensor_height"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive (metres), got {getattr(self, name)!r}")
        if not self.range_noise >= 0:
            raise ValueError(f"range_noise must be >= 0 (metres), got {self.range_noise!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1), got {self.dropout!r}")

    @property
    def num_columns(self) -> int:
        return round(360.0 / self.azimuth_step_degrees)

    def elevations(self) -> np.ndarray:
        """Beam elevations in radians, top beam first [num_beams]."""
        return np.deg2rad(np.linspace(*self.elevation_degrees, self.num_beams))

    def azimuths(self) -> np.ndarray:
        """Column azimuths in radians [num_columns]."""
        return np.deg2rad(np.arange(self.num_columns) * self.azimuth_step_degrees)

    def directions(self) -> np.ndarray:
        """Unit ray directions [num_beams * num_columns, 3], beam-major (ray ``b * num_columns + c``)."""
        elevation, azimuth = np.meshgrid(self.elevations(), self.azimuths(), indexing="ij")
        return np.stack(
            [np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)], axis=-1
        ).reshape(-1, 3)


@dataclass(frozen=True)
class LidarScan:
    """One scan in the LiDAR frame (sensor at the origin, x forward at azimuth 0, z up; the road at z = -height).

    ``points`` float32 [N, 4] (x, y, z, intensity), ``semantic_labels`` uint8 [N] (indices into
    ``SEMANTIC_CLASSES``), ``instance_ids`` int32 [N] (0 for road, sidewalk and terrain), ``ray_indices`` int32 [N]
    (``beam * num_columns + column``: where each return sits in the range image). Returns come in ray order.
    """

    points: np.ndarray
    semantic_labels: np.ndarray
    instance_ids: np.ndarray
    ray_indices: np.ndarray


def reflectivity(rgb: np.ndarray) -> np.ndarray:
    """Diffuse LiDAR reflectivity of surfaces of colour ``rgb`` [..., 3] in [0, 1]: 0.05 + 0.9 * luminance."""
    return 0.05 + 0.9 * (np.asarray(rgb, dtype=np.float64) @ np.array([0.2126, 0.7152, 0.0722]))


class _Hits:
    """Nearest surface found so far along every ray: distance (inf: none yet), labels, reflectivity, |cos|."""

    def __init__(self, num_rays: int):
        self.distance = np.full(num_rays, np.inf)
        self.semantic = np.zeros(num_rays, dtype=np.int64)
        self.instance = np.zeros(num_rays, dtype=np.int64)
        self.reflectivity = np.zeros(num_rays)
        self.cosine = np.zeros(num_rays)

    def offer(self, rays, distance, semantic, instance, reflectivity, cosine) -> None:
        """Keep the offered hits on ``rays`` that are nearer than what those rays hold."""
        nearer = distance < self.distance[rays]
        rays = rays[nearer]
        self.distance[rays] = distance[nearer]
        for name, value in (("semantic", semantic), ("instance", instance), ("reflectivity", reflectivity),
                            ("cosine", cosine)):  # fmt: skip
            getattr(self, name)[rays] = np.broadcast_to(value, nearer.shape)[nearer]


def _cast_ground(layout: SceneLayout, height: float, directions: np.ndarray, hits: _Hits) -> None:
    """Road (z = 0), raised sidewalks and terrain, and the vertical curb faces between them, inside the scene."""
    street = layout.street
    rays = np.nonzero(directions[:, 2] < -1e-9)[0]
    d = directions[rays]
    down = -d[:, 2]
    slope = d[:, :2] @ street.normal  # dv/dt along each ray
    sensor_v, edge = -street.center_offset, street.width / 2
    distance = height / down
    v = sensor_v + distance * slope
    side = np.where(v > edge, 1, np.where(v < -edge, -1, 0))
    sidewalk = np.where(side > 0, street.left_sidewalk, np.where(side < 0, street.right_sidewalk, 0.0))
    semantic = np.where(side == 0, _ROAD, _TERRAIN)
    cosine = down.copy()
    # A ray that ends up beyond a curb either lands on the raised surface or, if it is already below the curb top
    # when it crosses the road edge, hits the curb face (a ray moves monotonically in v, starting on the road).
    raised = sidewalk > 0
    top = (height - street.curb_height) / down
    v_top = sensor_v + top * slope
    on_top = raised & (side * v_top > edge)
    distance[on_top] = top[on_top]
    semantic[on_top] = np.where(side[on_top] * v_top[on_top] - edge <= sidewalk[on_top], _SIDEWALK, _TERRAIN)
    curb = raised & ~on_top
    distance[curb] = (side[curb] * edge - sensor_v) / slope[curb]
    semantic[curb] = _SIDEWALK
    cosine[curb] = np.abs(slope[curb])
    inside = (np.abs(d[:, :2] * distance[:, None]) <= layout.half_extent).all(axis=1)
    semantic = semantic[inside]
    albedo = np.zeros(len(semantic))
    for label, rgb in ((_ROAD, ROAD_RGB), (_SIDEWALK, SIDEWALK_RGB), (_TERRAIN, TERRAIN_RGB)):
        albedo[semantic == label] = reflectivity(rgb)
    hits.offer(rays[inside], distance[inside], semantic, 0, albedo, cosine[inside])


def _ray_boxes(origin: np.ndarray, directions: np.ndarray, boxes: np.ndarray):
    """Slab test of rays from ``origin`` against yawed boxes [K, 7] (x, y, z, l, w, h, yaw).

    Returns entry and exit distances [R, K] (entry > exit: missed) and the |cos| between each ray and the face it
    enters through [R, K].
    """
    cos, sin = np.cos(boxes[:, 6]), np.sin(boxes[:, 6])
    relative = origin - boxes[:, :3]
    local_origin = np.stack([cos * relative[:, 0] + sin * relative[:, 1], -sin * relative[:, 0] + cos * relative[:, 1],
                             relative[:, 2]], axis=-1)  # fmt: skip
    dx, dy = directions[:, :1], directions[:, 1:2]
    dz = np.broadcast_to(directions[:, 2:], (len(directions), len(boxes)))
    local = np.stack([dx * cos + dy * sin, -dx * sin + dy * cos, dz], axis=-1)  # [R, K, 3] in each box's frame
    safe = np.where(np.abs(local) < 1e-12, 1e-12, local)
    half = boxes[:, 3:6] / 2
    near, far = (-half - local_origin) / safe, (half - local_origin) / safe
    enter_slab = np.minimum(near, far)
    entry_axis = enter_slab.argmax(axis=-1)
    entry = np.take_along_axis(enter_slab, entry_axis[..., None], axis=-1)[..., 0]
    exit_ = np.maximum(near, far).min(axis=-1)
    cosine = np.abs(np.take_along_axis(local, entry_axis[..., None], axis=-1)[..., 0])
    return entry, exit_, cosine


def _cast_buildings(layout: SceneLayout, origin: np.ndarray, directions: np.ndarray, hits: _Hits) -> None:
    if not layout.buildings:
        return
    boxes = np.stack([building.box for building in layout.buildings])
    ids = np.array([building.instance_id for building in layout.buildings])
    albedo = reflectivity(np.array([building.rgb for building in layout.buildings]))
    for start in range(0, len(directions), _RAY_BLOCK):
        entry, exit_, cosine = _ray_boxes(origin, directions[start:start + _RAY_BLOCK], boxes)
        entry = np.where((entry <= exit_) & (entry > 0), entry, np.inf)
        nearest = entry.argmin(axis=1)
        rows = np.arange(len(entry))
        distance = entry[rows, nearest]
        hit = np.isfinite(distance)
        hits.offer(start + rows[hit], distance[hit], _BUILDING, ids[nearest[hit]], albedo[nearest[hit]],
                   cosine[rows, nearest][hit])


def _triangle_terms(triangles: np.ndarray, origin: np.ndarray):
    """Per-triangle Moller-Trumbore terms for rays from one ``origin``: with ``e1, e2`` the edges from corner ``p0``
    and ``s = origin - p0``, a ray ``d`` has det = -d.(e1 x e2), u = d.(e2 x s) / det, v = d.(s x e1) / det and
    distance = e2.(s x e1) / det."""
    corner = triangles[:, 0]
    edge_1, edge_2 = triangles[:, 1] - corner, triangles[:, 2] - corner
    s = origin - corner
    normal = np.cross(edge_1, edge_2)
    u_term, v_term = np.cross(edge_2, s), np.cross(s, edge_1)
    return normal, u_term, v_term, np.einsum("ij,ij->i", edge_2, v_term), np.linalg.norm(normal, axis=1)


def _nearest_triangles(directions: np.ndarray, terms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance to the nearest triangle hit (inf: none), its index and the |cos| of the incidence, per ray."""
    normal, u_term, v_term, distance_term, normal_length = terms
    det = -(directions @ normal.T)
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / det
        u = (directions @ u_term.T) * inverse
        v = (directions @ v_term.T) * inverse
        distance = distance_term * inverse
        valid = (np.abs(det) > 1e-12 * normal_length) & (u >= 0.0) & (v >= 0.0) & (u + v <= 1.0) & (distance > 1e-9)
    distance = np.where(valid, distance, np.inf)
    index = distance.argmin(axis=1)
    rows = np.arange(len(directions))
    return distance[rows, index], index, np.abs(det[rows, index]) / np.maximum(normal_length[index], 1e-300)


def _cast_objects(layout: SceneLayout, origin: np.ndarray, directions: np.ndarray, hits: _Hits) -> None:
    """Objects nearest first, each on the rays that enter its axis-aligned bounding box before their current hit."""
    objects = sorted(layout.objects, key=lambda item: float(np.hypot(*item.box[:2])))
    if not objects:
        return
    low = np.stack([item.triangles.reshape(-1, 3).min(axis=0) for item in objects])
    high = np.stack([item.triangles.reshape(-1, 3).max(axis=0) for item in objects])
    bounds = np.concatenate([(low + high) / 2, high - low, np.zeros((len(objects), 1))], axis=1)
    entries = []
    for start in range(0, len(directions), _RAY_BLOCK):
        entry, exit_, _ = _ray_boxes(origin, directions[start:start + _RAY_BLOCK], bounds)
        entries.append(np.where((entry <= exit_) & (exit_ > 0), entry, np.inf))
    entries = np.concatenate(entries)
    for column, item in enumerate(objects):
        rays = np.nonzero(entries[:, column] < hits.distance)[0]
        if len(rays) == 0:
            continue
        terms = _triangle_terms(item.triangles, origin)
        albedo = reflectivity(item.colors)
        block = max(1, _PAIRS_PER_BLOCK // len(item.triangles))
        for start in range(0, len(rays), block):
            chunk = rays[start:start + block]
            distance, index, cosine = _nearest_triangles(directions[chunk], terms)
            hit = np.isfinite(distance)
            hits.offer(chunk[hit], distance[hit], item.semantic_label, item.instance_id, albedo[index[hit]],
                       cosine[hit])


def cast_rays(layout: SceneLayout, directions: np.ndarray, sensor_height: float) -> dict[str, np.ndarray]:
    """Noise-free nearest hits of rays [R, 3] from the sensor (world frame, ``sensor_height`` above the road).

    Returns ``distance`` [R] (inf where a ray hits nothing inside the scene), ``semantic_labels``, ``instance_ids``
    and ``intensity`` [R].
    """
    directions = np.asarray(directions, dtype=np.float64)
    if directions.ndim != 2 or directions.shape[1] != 3:
        raise ValueError(f"directions must have shape [R, 3], got {directions.shape}")
    origin = np.array([0.0, 0.0, sensor_height])
    hits = _Hits(len(directions))
    _cast_ground(layout, sensor_height, directions, hits)
    _cast_buildings(layout, origin, directions, hits)
    _cast_objects(layout, origin, directions, hits)
    return {
        "distance": hits.distance,
        "semantic_labels": hits.semantic,
        "instance_ids": hits.instance,
        "intensity": hits.reflectivity * hits.cosine,
    }


def scan(layout: SceneLayout, config: LidarConfig, rng: np.random.Generator) -> LidarScan:
    """Cast the ``config`` ray grid into ``layout``, drop returns beyond ``max_range`` and at random (``dropout``),
    and add Gaussian range noise; ``rng`` draws the noise and the dropout of every ray (hit or not)."""
    directions = config.directions()
    hits = cast_rays(layout, directions, config.sensor_height)
    noise = rng.normal(0.0, config.range_noise, len(directions))
    kept = rng.random(len(directions)) >= config.dropout
    rays = np.nonzero((hits["distance"] <= config.max_range) & kept)[0]
    ranges = hits["distance"][rays] + noise[rays]
    points = np.concatenate([directions[rays] * ranges[:, None], hits["intensity"][rays, None]], axis=1)
    return LidarScan(
        points=points.astype(np.float32),
        semantic_labels=hits["semantic_labels"][rays].astype(np.uint8),
        instance_ids=hits["instance_ids"][rays].astype(np.int32),
        ray_indices=rays.astype(np.int32),
    )


__all__ = ["LidarConfig", "LidarScan", "cast_rays", "reflectivity", "scan"]
