"""Triangle-soup primitives, rigid transforms, area-weighted surface sampling and an orthographic point-splat renderer.

Every primitive returns a float64 array of triangles with shape [T, 3, 3] (triangle, corner, xyz). Objects are built
z-up (gravity along -z) with their footprint on z = 0; keeping triangles as a flat soup (no shared vertex indexing)
makes transforming and concatenating parts a single matrix product each, which keeps an instance well under 50 ms.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SEGMENTS = 20


def rotation_x(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rotation_y(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rotation_z(angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def transform(
    triangles: np.ndarray,
    *,
    scale: float | tuple[float, float, float] = 1.0,
    rotation: np.ndarray | None = None,
    translation: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> np.ndarray:
    """Scale (per axis), then rotate, then translate a triangle soup."""
    out = triangles * np.asarray(scale, dtype=np.float64)
    if rotation is not None:
        out = out @ rotation.T
    return out + np.asarray(translation, dtype=np.float64)


def box(size: tuple[float, float, float], center: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> np.ndarray:
    """Axis-aligned box with the given full extents, centred on ``center``."""
    corners = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
    quads = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    faces = [(a, b, c) for a, b, c, d in quads] + [(a, c, d) for a, b, c, d in quads]
    return transform(corners[np.array(faces)], scale=size, translation=center)


def lathe(radii, heights, segments: int = DEFAULT_SEGMENTS) -> np.ndarray:
    """Surface of revolution about the z axis of the profile polyline (radius_i, height_i).

    A radius of 0 at either end closes the surface there; a profile that goes up the outside and back down the
    inside gives a hollow vessel with wall thickness.
    """
    radii = np.asarray(radii, dtype=np.float64)
    heights = np.asarray(heights, dtype=np.float64)
    if radii.shape != heights.shape or radii.ndim != 1 or radii.size < 2:
        raise ValueError(f"lathe needs two equal-length 1-D profiles of >= 2 points, got {radii.shape}, {heights.shape}")
    theta = np.linspace(0.0, 2.0 * np.pi, segments + 1)
    cos, sin = np.cos(theta), np.sin(theta)
    rings = np.stack(
        [radii[:, None] * cos[None, :], radii[:, None] * sin[None, :], np.broadcast_to(heights[:, None], (radii.size, segments + 1))],
        axis=-1,
    )  # [profile, segment + 1, 3]
    a, b = rings[:-1, :-1], rings[:-1, 1:]
    c, d = rings[1:, :-1], rings[1:, 1:]
    first = np.stack([a, b, d], axis=2).reshape(-1, 3, 3)
    second = np.stack([a, d, c], axis=2).reshape(-1, 3, 3)
    triangles = np.concatenate([first, second])
    # Degenerate (zero-area) triangles at closed poles get no samples anyway; dropping them keeps renders cheap.
    areas = triangle_areas(triangles)
    return triangles[areas > 1e-12]


def cylinder(
    radius: float,
    height: float,
    *,
    top_radius: float | None = None,
    segments: int = DEFAULT_SEGMENTS,
    capped: bool = True,
) -> np.ndarray:
    """Closed (or open-ended) cylinder or frustum standing on z = 0; ``top_radius=0`` gives a cone."""
    top = radius if top_radius is None else top_radius
    if capped:
        return lathe([0.0, radius, top, 0.0], [0.0, 0.0, height, height], segments)
    return lathe([radius, top], [0.0, height], segments)


def sphere(radius: float, *, segments: int = DEFAULT_SEGMENTS, rings: int = 10) -> np.ndarray:
    """UV sphere centred at the origin."""
    phi = np.linspace(0.0, np.pi, rings + 1)
    return lathe(radius * np.sin(phi), -radius * np.cos(phi), segments)


def torus(
    major_radius: float,
    minor_radius: float,
    *,
    arc: float = 2.0 * np.pi,
    segments: int = DEFAULT_SEGMENTS,
    tube_segments: int = 8,
) -> np.ndarray:
    """Torus (or an arc of one) in the xy plane around the origin; partial arcs make handles."""
    u = np.linspace(0.0, arc, segments + 1)
    v = np.linspace(0.0, 2.0 * np.pi, tube_segments + 1)
    ring = major_radius + minor_radius * np.cos(v)[None, :]
    height = np.broadcast_to(minor_radius * np.sin(v)[None, :], (segments + 1, tube_segments + 1))
    grid = np.stack([ring * np.cos(u)[:, None], ring * np.sin(u)[:, None], height], axis=-1)
    a, b = grid[:-1, :-1], grid[:-1, 1:]
    c, d = grid[1:, :-1], grid[1:, 1:]
    return np.concatenate([np.stack([a, b, d], axis=2).reshape(-1, 3, 3), np.stack([a, d, c], axis=2).reshape(-1, 3, 3)])


def prism(polygon, depth: float) -> np.ndarray:
    """Extrude a convex polygon given in the xz plane (as (x, z) pairs) along y, centred on y = 0."""
    polygon = np.asarray(polygon, dtype=np.float64)
    if polygon.ndim != 2 or polygon.shape[1] != 2 or len(polygon) < 3:
        raise ValueError(f"prism needs a polygon of shape [P>=3, 2], got {polygon.shape}")
    half = depth / 2.0
    front = np.stack([polygon[:, 0], np.full(len(polygon), -half), polygon[:, 1]], axis=-1)
    back = front + np.array([0.0, depth, 0.0])
    fan = np.array([(0, i, i + 1) for i in range(1, len(polygon) - 1)])
    caps = [front[fan], back[fan]]
    nxt = np.roll(np.arange(len(polygon)), -1)
    sides_a = np.stack([front, front[nxt], back[nxt]], axis=1)
    sides_b = np.stack([front, back[nxt], back], axis=1)
    return np.concatenate(caps + [sides_a, sides_b])


def rod(start, end, radius: float, *, segments: int = 10, top_radius: float | None = None) -> np.ndarray:
    """Capped cylinder (or frustum) from point ``start`` to point ``end``."""
    start = np.asarray(start, dtype=np.float64)
    axis = np.asarray(end, dtype=np.float64) - start
    length = float(np.linalg.norm(axis))
    if length <= 0.0:
        raise ValueError("rod needs distinct start and end points")
    return transform(
        cylinder(radius, length, top_radius=top_radius, segments=segments),
        rotation=_rotation_from_z(axis / length),
        translation=tuple(start),
    )


def _rotation_from_z(direction: np.ndarray) -> np.ndarray:
    """Rotation matrix taking +z onto the unit vector ``direction`` (Rodrigues)."""
    z = np.array([0.0, 0.0, 1.0])
    cross = np.cross(z, direction)
    sin = np.linalg.norm(cross)
    cos = float(np.dot(z, direction))
    if sin < 1e-9:
        return np.eye(3) if cos > 0 else np.diag([1.0, -1.0, -1.0])
    k = cross / sin
    skew = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + sin * skew + (1.0 - cos) * skew @ skew


def triangle_areas(triangles: np.ndarray) -> np.ndarray:
    return 0.5 * np.linalg.norm(np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=-1)


class SurfaceSampler:
    """Area-weighted uniform sampling from a triangle soup; edges and cumulative areas are computed once."""

    def __init__(self, triangles: np.ndarray):
        if triangles.ndim != 3 or triangles.shape[1:] != (3, 3) or len(triangles) == 0:
            raise ValueError(f"triangles must have shape [T>0, 3, 3], got {triangles.shape}")
        self.origin = triangles[:, 0]
        self.edge_1 = triangles[:, 1] - triangles[:, 0]
        self.edge_2 = triangles[:, 2] - triangles[:, 0]
        cross = np.cross(self.edge_1, self.edge_2)
        double_areas = np.linalg.norm(cross, axis=-1)
        self.normals = cross / np.maximum(double_areas, 1e-12)[:, None]
        self.cumulative = np.cumsum(double_areas)
        if self.cumulative[-1] <= 0.0:
            raise ValueError("cannot sample a surface with zero total area")

    def sample(self, num_points: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Returns (points [N, 3], triangle index [N], unit normals [N, 3])."""
        index = np.searchsorted(self.cumulative, rng.random(num_points) * self.cumulative[-1], side="right")
        index = np.minimum(index, len(self.cumulative) - 1)
        u, v = rng.random(num_points), rng.random(num_points)
        flip = u + v > 1.0  # reflect samples from the far half of the parallelogram back into the triangle
        u[flip], v[flip] = 1.0 - u[flip], 1.0 - v[flip]
        points = self.origin[index] + u[:, None] * self.edge_1[index] + v[:, None] * self.edge_2[index]
        return points, index, self.normals[index]


def sample_triangles(
    triangles: np.ndarray, num_points: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Area-weighted uniform surface samples: returns (points [N, 3], triangle index [N], unit normals [N, 3])."""
    return SurfaceSampler(triangles).sample(num_points, rng)


def normalize_to_unit_sphere(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre on the centroid and scale so the farthest point has norm 1 (the OpenShape / Point-BERT convention)."""
    center = points.mean(axis=0)
    centered = points - center
    radius = float(np.sqrt((centered**2).sum(axis=1).max()))
    return centered / max(radius, 1e-12), center, radius


def visible_from(
    points: np.ndarray,
    direction,
    *,
    normals: np.ndarray | None = None,
    resolution: int = 48,
    tolerance: float = 1.5,
    margin: float = 6.0,
) -> np.ndarray:
    """Hidden-point removal with a z-buffer, as a single-view scan sees a surface.

    ``direction`` points from the object towards an orthographic camera. The cloud is projected onto the image
    plane and binned into a ``resolution`` x ``resolution`` grid spanning its projection. A point is visible when it
    lies within ``tolerance`` cells of the point nearest to the camera in its own cell and within ``margin`` cells of
    the nearest point of every neighbouring cell: the second test hides back surfaces that show through a cell the
    front surface happened to leave without samples. With the points' unit ``normals``, both allowances grow by the
    depth a surface that steep spans across a cell, so surfaces seen at a grazing angle are kept whole rather than in
    grid-aligned stripes. Returns a boolean mask [N].
    """
    forward = np.asarray(direction, dtype=np.float64)
    norm = float(np.linalg.norm(forward)) if forward.shape == (3,) else 0.0
    if not np.isfinite(norm) or norm == 0.0:
        raise ValueError(f"direction must be a finite non-zero 3-vector, got {direction!r}")
    if resolution < 1:
        raise ValueError(f"resolution must be a positive number of grid cells, got {resolution}")
    forward = forward / norm
    helper = np.array([0.0, 0.0, 1.0]) if abs(forward[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    right = np.cross(helper, forward)
    right /= np.linalg.norm(right)
    up = np.cross(forward, right)
    u, v, depth = points @ right, points @ up, points @ forward
    cell = max(float(np.ptp(u)), float(np.ptp(v)), 1e-12) / resolution
    column = np.minimum(((u - u.min()) / cell).astype(np.int64), resolution - 1)
    row = np.minimum(((v - v.min()) / cell).astype(np.int64), resolution - 1)
    nearest = np.full((resolution, resolution), -np.inf)
    np.maximum.at(nearest, (row, column), depth)
    padded = np.pad(nearest, 1, constant_values=-np.inf)
    around = np.max([padded[dr : dr + resolution, dc : dc + resolution] for dr in range(3) for dc in range(3)], axis=0)
    slope = 0.0
    if normals is not None:
        # Depth change per cell of a surface whose normal makes angle theta with the view: tan(theta), capped at
        # about 72 degrees: beyond that, the allowance would let the back of a curved object show past its outline
        # (and a real scanner returns few points from such grazing surfaces anyway).
        facing = np.clip(np.abs(normals @ forward), 0.3, 1.0)
        slope = np.sqrt(1.0 - facing**2) / facing
    own = depth >= nearest[row, column] - (tolerance + slope) * cell
    return own & (depth >= around[row, column] - (margin + 2.0 * slope) * cell)


def render_points(
    points: np.ndarray,
    normals: np.ndarray,
    colors: np.ndarray,
    *,
    image_size: int = 128,
    azimuth: float = np.deg2rad(35.0),
    elevation: float = np.deg2rad(25.0),
    light_direction: tuple[float, float, float] = (0.45, -0.35, 0.82),
    ambient: float = 0.35,
    background: float = 1.0,
    splat: int = 2,
) -> np.ndarray:
    """Orthographic z-buffered point splat with two-sided Lambertian shading; points must lie in the unit sphere.

    The camera sits at (azimuth, elevation) around the z-up object and looks at the origin. Each point covers a
    ``splat`` x ``splat`` pixel footprint; for each pixel the point nearest to the camera wins. Returns uint8 [H, W, 3].
    """
    forward = np.array(
        [np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)]
    )  # from the object towards the camera
    right = np.cross([0.0, 0.0, 1.0], forward)
    right /= np.linalg.norm(right)
    up = np.cross(forward, right)
    margin = 0.04 * image_size
    pixels_per_unit = (image_size - 2 * margin) / 2.0
    column = np.floor((points @ right + 1.0) * pixels_per_unit + margin).astype(np.int64)
    row = np.floor((1.0 - points @ up) * pixels_per_unit + margin).astype(np.int64)
    depth = points @ forward

    light = np.asarray(light_direction, dtype=np.float64)
    light = light / np.linalg.norm(light)
    shade = ambient + (1.0 - ambient) * np.abs(normals @ light)
    shaded = np.clip(colors * shade[:, None], 0.0, 1.0)

    offsets = np.array([(dr, dc) for dr in range(splat) for dc in range(splat)])
    rows = (row[None, :] + offsets[:, :1]).ravel()
    columns = (column[None, :] + offsets[:, 1:]).ravel()
    depths = np.tile(depth, len(offsets))
    source = np.tile(np.arange(len(points)), len(offsets))
    inside = (rows >= 0) & (rows < image_size) & (columns >= 0) & (columns < image_size)
    pixel = rows[inside] * image_size + columns[inside]
    depths, source = depths[inside], source[inside]
    # z-buffer: nearest depth per pixel, then every splat that reaches it shows (exact float ties are as good as
    # impossible for distinct surface samples).
    depth_map = np.full(image_size * image_size, -np.inf)
    np.maximum.at(depth_map, pixel, depths)
    visible = depths == depth_map[pixel]
    image = np.zeros((image_size * image_size, 3), dtype=np.float64)
    image[pixel[visible]] = shaded[source[visible]]
    image, depth_map = _close_gaps(image.reshape(image_size, image_size, 3), depth_map.reshape(image_size, image_size))
    image[np.isneginf(depth_map)] = background
    return np.round(image * 255.0).astype(np.uint8)


def _close_gaps(image: np.ndarray, depth_map: np.ndarray, see_through: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """Hide sampling gaps: a pixel showing a surface ``see_through`` farther than its nearest 8-neighbour (a back
    surface seen through a gap in the front one), or an empty pixel with at least five filled neighbours, takes
    the colour and depth of that nearest neighbour."""
    size_r, size_c = depth_map.shape
    padded_depth = np.pad(depth_map, 1, constant_values=-np.inf)
    padded_image = np.pad(image, ((1, 1), (1, 1), (0, 0)))
    shifts = [(dr, dc) for dr in range(3) for dc in range(3) if (dr, dc) != (1, 1)]
    neighbour_depth = np.stack([padded_depth[dr : dr + size_r, dc : dc + size_c] for dr, dc in shifts])
    nearest = neighbour_depth.argmax(axis=0)
    nearest_depth = np.take_along_axis(neighbour_depth, nearest[None], axis=0)[0]
    filled_neighbours = np.isfinite(neighbour_depth).sum(axis=0)
    empty = np.isneginf(depth_map)
    replace = (~empty & (nearest_depth > depth_map + see_through)) | (empty & (filled_neighbours >= 5))
    rows, columns = np.nonzero(replace)
    offsets = np.array(shifts)[nearest[rows, columns]]
    image, depth_map = image.copy(), depth_map.copy()
    image[rows, columns] = padded_image[rows + offsets[:, 0], columns + offsets[:, 1]]
    depth_map[rows, columns] = nearest_depth[rows, columns]
    return image, depth_map


__all__ = [
    "box",
    "cylinder",
    "lathe",
    "normalize_to_unit_sphere",
    "prism",
    "render_points",
    "rod",
    "rotation_x",
    "rotation_y",
    "rotation_z",
    "SurfaceSampler",
    "sample_triangles",
    "sphere",
    "torus",
    "transform",
    "triangle_areas",
    "visible_from",
]
