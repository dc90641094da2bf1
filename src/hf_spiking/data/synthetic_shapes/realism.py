"""Scan-like realism for the synthetic clouds, all off by default so that default rows never change.

Real zero-shot benchmarks (ModelNet40 meshes sampled without colour, ScanObjectNN's partial scans) differ from the
clean, coloured, uniformly sampled synthetic clouds. A :class:`RealismConfig` degrades a cloud the ways they differ:

- ``drop_color``: rgb replaced by the constant grey the evaluation loaders give colourless points
  (:data:`hf_spiking.data.point_clouds.MISSING_COLOR`);
- ``partial_view_probability``: with this probability keep only the points an orthographic camera at a random
  viewpoint sees (z-buffer hidden-point removal, :func:`~.geometry.visible_from`); the partial cloud is then centred
  and scaled into the unit sphere on its own, as a real scan would be;
- ``noise_std``: isotropic Gaussian jitter with this standard deviation in unit-sphere units, after which the cloud
  is re-centred and re-scaled into the unit sphere;
- ``density_falloff``: non-uniform density: a point is kept with probability ``1 - density_falloff * t``, where t
  runs from 0 to 1 across the object along a random direction;
- ``anisotropic_scale``: ``(low, high)``: before sampling, the object is stretched along each of its own axes by a
  factor drawn log-uniformly from the range (a change of proportions; the surface stays uniformly sampled).

Randomness: three child generators spawned from the instance's generator (``Generator.spawn`` does not advance it)
hold the realism draws, so an instance's shape, pose and default samples are the same with or without realism,
and each option draws the same numbers whichever other options are on (the parameters are drawn in a fixed order
whether or not their option is enabled). The point samples themselves come from the instance's generator: thinning
options draw a larger pool than ``num_points`` and keep ``num_points`` of the survivors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..point_clouds import MISSING_COLOR
from .geometry import SurfaceSampler, normalize_to_unit_sphere, visible_from

_POINTS_PER_CELL = 12  # pool points per z-buffer cell: few enough empty cells, fine enough a grid
_ELEVATIONS = (np.deg2rad(-15.0), np.deg2rad(60.0))  # scanner viewpoints: from slightly below to well above
_MAX_POOL_ROUNDS = 6


@dataclass(frozen=True)
class RealismConfig:
    """Which scan-like degradations to apply (module docstring); the default applies none."""

    drop_color: bool = False
    partial_view_probability: float = 0.0
    noise_std: float = 0.0
    density_falloff: float = 0.0
    anisotropic_scale: tuple[float, float] | None = None

    def __post_init__(self):
        if not isinstance(self.drop_color, (bool, np.bool_)):
            raise ValueError(f"drop_color must be a bool, got {self.drop_color!r}")
        if not 0.0 <= self.partial_view_probability <= 1.0:
            raise ValueError(f"partial_view_probability must be in [0, 1], got {self.partial_view_probability!r}")
        if not (np.isfinite(self.noise_std) and self.noise_std >= 0.0):
            raise ValueError(f"noise_std must be a finite number >= 0 (unit-sphere units), got {self.noise_std!r}")
        if not 0.0 <= self.density_falloff < 1.0:
            raise ValueError(f"density_falloff must be in [0, 1) (1 would drop the far side entirely), got {self.density_falloff!r}")
        if self.anisotropic_scale is not None:
            scale = tuple(float(v) for v in np.asarray(self.anisotropic_scale, dtype=np.float64).ravel())
            if len(scale) != 2 or not 0.0 < scale[0] <= scale[1] or not np.isfinite(scale[1]):
                raise ValueError(f"anisotropic_scale must be None or a (low, high) pair with 0 < low <= high, got {self.anisotropic_scale!r}")
            object.__setattr__(self, "anisotropic_scale", scale)

    @classmethod
    def from_value(cls, value: RealismConfig | dict | None) -> RealismConfig | None:
        """Accept a config, its :meth:`to_dict` form or None (no realism)."""
        if value is None or isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise ValueError(f"realism must be a RealismConfig, a dict of its fields or None, got {type(value).__name__}")
        unknown = sorted(set(value) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown realism options {unknown}; expected some of {sorted(cls.__dataclass_fields__)}")
        return cls(**value)

    def to_dict(self) -> dict:
        """JSON-serialisable fields (the form ``datasets`` fingerprints in ``gen_kwargs``)."""
        fields = asdict(self)
        if self.anisotropic_scale is not None:
            fields["anisotropic_scale"] = list(self.anisotropic_scale)
        return fields

    def for_instance(self, rng: np.random.Generator) -> InstanceRealism:
        """The degradations of one instance, drawn from children of its generator ``rng``."""
        return InstanceRealism(self, rng)


class InstanceRealism:
    """One instance's realism draws and the steps of :func:`~.generation.generate_instance` they change."""

    def __init__(self, config: RealismConfig, rng: np.random.Generator):
        self.config = config
        parameters, self._thinning, self._noise = rng.spawn(3)
        # Fixed draw order, every option drawn whether enabled or not (see the module docstring).
        low, high = config.anisotropic_scale or (1.0, 1.0)
        self.axis_scale = np.exp(parameters.uniform(np.log(low), np.log(high), 3))
        partial = parameters.random() < config.partial_view_probability
        azimuth, elevation = parameters.uniform(0.0, 2.0 * np.pi), parameters.uniform(*_ELEVATIONS)
        camera = np.array([np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation)])
        self.view_direction = camera if partial else None
        falloff = parameters.normal(size=3)
        self.falloff_direction = falloff / np.linalg.norm(falloff)

    @property
    def thins(self) -> bool:
        """Whether points are removed (partial view or density falloff), so a larger pool must be sampled."""
        return self.view_direction is not None or self.config.density_falloff > 0.0

    def stretch(self, triangles: np.ndarray) -> np.ndarray:
        """The object stretched along its own axes (identity when ``anisotropic_scale`` is None)."""
        return triangles * self.axis_scale

    def sample(self, sampler: SurfaceSampler, num_points: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(points [num_points, 3], triangle index [num_points]) of the surface that survives the thinning options;
        exactly ``sampler.sample(num_points, rng)`` when no option thins."""
        if not self.thins:
            points, index, _ = sampler.sample(num_points, rng)
            return points, index
        pool = 3 * num_points
        for _ in range(_MAX_POOL_ROUNDS):
            points, index, normals = sampler.sample(pool, rng)
            keep = np.ones(pool, dtype=bool)
            if self.view_direction is not None:
                resolution = max(4, int(np.sqrt(pool / _POINTS_PER_CELL)))
                keep &= visible_from(points, self.view_direction, normals=normals, resolution=resolution)
            if self.config.density_falloff > 0.0:
                along = points @ self.falloff_direction
                along = (along - along.min()) / max(float(np.ptp(along)), 1e-12)
                keep &= self._thinning.random(pool) >= self.config.density_falloff * along
            kept = np.flatnonzero(keep)
            if len(kept) >= num_points:
                # Pool points are independent draws, so the first survivors are a uniform choice among them.
                chosen = kept[:num_points]
                return points[chosen], index[chosen]
            # Grow the pool to the survival rate just seen, with some slack.
            pool = int(np.ceil(pool * min(1.25 * num_points / max(len(kept), 1), 8.0)))
        raise RuntimeError(f"realism kept fewer than {num_points} points after {_MAX_POOL_ROUNDS} ever larger pools")

    def finish(self, xyz: np.ndarray, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Jitter (and re-normalise) the unit-sphere cloud ``xyz`` and drop its colour, as configured."""
        if self.config.noise_std > 0.0:
            xyz, _, _ = normalize_to_unit_sphere(xyz + self._noise.normal(0.0, self.config.noise_std, xyz.shape))
        if self.config.drop_color:
            rgb = np.full_like(rgb, MISSING_COLOR)
        return xyz, rgb


__all__ = ["InstanceRealism", "RealismConfig"]
