"""Rendering of the synthetic videos: frames are drawn on demand from a compact example spec (background texture,
object tracks), so a 256-frame video costs a few hundred bytes until it is read.

The palette lives here (object colours, shapes, background textures): it is what the renderer can draw.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Iterable, Mapping

import numpy as np

COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 190, 70),
    "blue": (40, 90, 230),
    "yellow": (235, 215, 40),
    "cyan": (40, 205, 215),
    "magenta": (215, 50, 210),
    "orange": (245, 135, 30),
    "purple": (125, 55, 195),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "cross")
TEXTURE_KINDS: tuple[str, ...] = ("stripes", "checker", "noise")
# Texture seeds per kind; few enough that every texture stays cached after first use.
TEXTURE_VARIANTS = 256
# The background is grey (R = G = B) in this range, so no background pixel ever equals an object colour.
BACKGROUND_GREY_RANGE: tuple[int, int] = (60, 160)


@lru_cache(maxsize=64)
def shape_mask(shape: str, size: int) -> np.ndarray:
    """Boolean ``[size, size]`` mask of a shape (read-only, cached)."""
    coords = np.arange(size) + 0.5
    y, x = np.meshgrid(coords, coords, indexing="ij")
    centre, radius = size / 2, size / 2
    if shape == "circle":
        mask = (x - centre) ** 2 + (y - centre) ** 2 <= radius**2
    elif shape == "square":
        inset = size // 8
        mask = np.zeros((size, size), dtype=bool)
        mask[inset : size - inset, inset : size - inset] = True
    elif shape == "triangle":
        mask = np.abs(x - centre) <= y / 2
    elif shape == "diamond":
        mask = np.abs(x - centre) + np.abs(y - centre) <= radius
    elif shape == "cross":
        arm = max(size / 6, 1.0)
        mask = (np.abs(x - centre) <= arm) | (np.abs(y - centre) <= arm)
    else:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")
    mask.setflags(write=False)
    return mask


@lru_cache(maxsize=16)
def _texture(kind: str, seed: int, size: int) -> np.ndarray:
    """Grey ``[size, size]`` uint8 texture in ``BACKGROUND_GREY_RANGE`` (read-only, cached)."""
    rng = np.random.default_rng(seed)
    low, high = BACKGROUND_GREY_RANGE
    y, x = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    if kind == "stripes":
        period = size / rng.choice([2, 4, 8])
        fx, fy = [(1, 0), (0, 1), (1, 1), (1, -1)][rng.integers(4)]
        unit = 0.5 + 0.5 * np.sin(2 * np.pi * (fx * x + fy * y) / period)
    elif kind == "checker":
        cell = max(size // int(rng.choice([4, 8])), 1)
        unit = ((x // cell + y // cell) % 2).astype(float)
    elif kind == "noise":
        coarse = rng.random((4, 4))
        unit = np.kron(coarse, np.ones((size // 4 + 1, size // 4 + 1)))[:size, :size]
    else:
        raise ValueError(f"unknown texture kind {kind!r}; expected one of {TEXTURE_KINDS}")
    contrast = rng.uniform(0.3, 1.0)
    mid = rng.uniform(low + (high - low) * contrast / 2, high - (high - low) * contrast / 2)
    grey = mid + (unit - 0.5) * (high - low) * contrast
    texture = np.clip(np.rint(grey), low, high).astype(np.uint8)
    texture.setflags(write=False)
    return texture


_RGB_PIXEL = np.dtype((np.void, 3))


@lru_cache(maxsize=len(TEXTURE_KINDS) * TEXTURE_VARIANTS)
def _tiled_rgb_texture(kind: str, seed: int, size: int) -> np.ndarray:
    """The texture tiled 2x2 as ``[2 size, 2 size]`` RGB pixels (3-byte void scalars, read-only, cached)."""
    grey = np.tile(_texture(kind, seed, size), (2, 2))
    tiled = np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=-1)).view(_RGB_PIXEL)[..., 0]
    tiled.setflags(write=False)
    return tiled


@lru_cache(maxsize=len(COLORS))
def _rgb_pixel(color: str) -> np.void:
    return np.frombuffer(bytes(COLORS[color]), dtype=_RGB_PIXEL)[0]


def object_positions(obj: Mapping[str, Any], frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top-left ``x, y`` of a track at ``frames``: linear from (x0, y0) at ``start`` to (x1, y1) at ``stop - 1``."""
    frac = (np.asarray(frames) - obj["start"]) / max(obj["stop"] - obj["start"] - 1, 1)
    x = np.rint(obj["x0"] + frac * (obj["x1"] - obj["x0"])).astype(np.int64)
    y = np.rint(obj["y0"] + frac * (obj["y1"] - obj["y0"])).astype(np.int64)
    return x, y


def _as_spec(video: Mapping[str, Any] | str) -> dict:
    if isinstance(video, str):
        return json.loads(video)
    if "spec" in video:
        spec = video["spec"]
        return json.loads(spec) if isinstance(spec, str) else dict(spec)
    if "objects" in video and "background" in video:
        return dict(video)
    raise ValueError("expected a video example with a 'spec' field, a spec dict or its JSON string")


def render_frames(video: Mapping[str, Any] | str, frame_indices: Iterable[int] | None = None) -> np.ndarray:
    """Renders frames of a video example (or its spec) as uint8 ``[N, H, W, 3]``; all frames when indices are None.

    Rendering only the sampled indices is what makes a 256-frame evaluation cheap: sparse sampling renders 8 frames.
    """
    spec = _as_spec(video)
    num_frames, size = spec["num_frames"], spec["frame_size"]
    indices = np.arange(num_frames) if frame_indices is None else np.asarray(list(frame_indices), dtype=np.int64)
    if indices.ndim != 1 or (indices.size and (indices.min() < 0 or indices.max() >= num_frames)):
        raise ValueError(f"frame_indices must be a flat list of frame numbers in [0, {num_frames}), got {indices}")
    background = spec["background"]
    dx, dy = background["scroll"]
    # A scrolled periodic texture is a window of the 2x2-tiled texture at offset (-dy * t, -dx * t) mod size.
    # Pixels are handled as 3-byte void scalars: gathering and stamping whole RGB pixels is several times faster.
    windows = np.lib.stride_tricks.sliding_window_view(_tiled_rgb_texture(background["kind"], background["seed"], size),
                                                       (size, size))  # fmt: skip
    pixels = windows[(-dy * indices) % size, (-dx * indices) % size]
    shape_size = spec["shape_size"]
    for obj in spec["objects"]:
        visible = np.flatnonzero((indices >= obj["start"]) & (indices < obj["stop"]))
        if visible.size == 0:
            continue
        mask_y, mask_x = np.nonzero(shape_mask(obj["shape"], shape_size))
        x, y = object_positions(obj, indices[visible])
        pixels[visible[:, None], y[:, None] + mask_y, x[:, None] + mask_x] = _rgb_pixel(obj["color"])
    return pixels[..., None].view(np.uint8)


def render_video(video: Mapping[str, Any] | str) -> np.ndarray:
    """All frames of a video example (or its spec / spec JSON) as uint8 ``[T, H, W, 3]``."""
    return render_frames(video)


# --------------------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------------------


__all__ = [
    "BACKGROUND_GREY_RANGE",
    "COLORS",
    "SHAPES",
    "TEXTURE_KINDS",
    "TEXTURE_VARIANTS",
    "object_positions",
    "render_frames",
    "render_video",
    "shape_mask",
]
