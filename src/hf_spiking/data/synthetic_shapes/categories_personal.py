"""People and the soft or paper things around them: persons, clothes, books, paper and floor mats (the last extension module); NYU40 classes, see ``categories.EXTENSION_MODULES``.

A person is the one articulated figure of the corpus: a lofted torso, a head of about an eighth of the height and
tapered limbs in a pose. The rest lie flat or nearly so and are told apart by outline and thickness: garments are
soft cut-out slabs with sleeves or legs (or hang from a hanger), books are boards around a paler page block, paper is
a sheet with no thickness to speak of (unless crumpled or rolled) and mats are wide thin slabs with fringes, a raised
border or a rolled end.
"""

from __future__ import annotations

import numpy as np

from .categories import Assembly, BuiltShape, nyu40_source, register_category
from .finishes import Finish, article, count, fixed, grade, metal, paint, wood
from .geometry import box, cylinder, lathe, prism, rod, rotation_x, rotation_y, rotation_z, sphere, torus, transform
from .parts import add_placed, ellipsoid, posed, rods, tube

_FLAT = rotation_x(np.pi / 2)  # prism's (x, depth, z) onto (x, -z, depth): an xz outline laid on the floor
_BOOK_COLOURS = ("red", "blue", "green", "black", "dark red", "navy blue", "dark green", "brown", "yellow", "orange",
                 "white", "purple", "teal", "grey")
_FABRIC_COLOURS = ("white", "black", "grey", "blue", "navy blue", "red", "green", "beige", "pink", "yellow", "brown",
                   "light blue", "purple", "dark red")


def _flat(polygon, thickness: float, z: float = 0.0) -> np.ndarray:
    """A convex outline given as (x, y) points, extruded ``thickness`` up from height ``z``."""
    outline = np.asarray(polygon, dtype=np.float64) * (1.0, -1.0)
    return transform(prism(outline, thickness), rotation=_FLAT, translation=(0.0, 0.0, z + thickness / 2))


def _convex(points) -> np.ndarray:
    """Corners of a convex outline put in order around their centroid (so they can be listed in any order)."""
    points = np.asarray(points, dtype=np.float64)
    offsets = points - points.mean(axis=0)
    return points[np.argsort(np.arctan2(offsets[:, 1], offsets[:, 0]))]


def _ribbon(profile, width: float) -> np.ndarray:
    """A sheet without thickness: the (y, z) polyline ``profile`` swept across x from -width/2 to width/2."""
    profile = np.asarray(profile, dtype=np.float64)
    grid = np.stack([np.concatenate([np.full((len(profile), 1), x), profile], axis=1) for x in (-width / 2, width / 2)], axis=1)
    a, b, c, d = grid[:-1, 0], grid[:-1, 1], grid[1:, 0], grid[1:, 1]
    return np.concatenate([np.stack([a, b, d], axis=1), np.stack([a, d, c], axis=1)])


def _roll_profile(radius: float, pitch: float, turns: float, n: int = 36) -> np.ndarray:
    """A spiral that leaves the floor at y = 0 heading +y and winds inwards by ``pitch`` a turn: a rolled sheet
    resting on the floor, its loose end unrolling towards -y."""
    angle = np.linspace(0.0, 2 * np.pi * turns, n)
    r = radius - pitch * angle / (2 * np.pi)
    return np.stack([r * np.sin(angle), radius - r * np.cos(angle)], axis=1)


def _loft(sections, segments: int = 12) -> np.ndarray:
    """A closed body through elliptical cross-sections (z, half-width, half-depth, y of the centre), bottom to top."""
    s = np.asarray(sections, dtype=np.float64)
    s = np.concatenate([s[:1] * (1, 0, 0, 1), s, s[-1:] * (1, 0, 0, 1)])  # zero-size end rings cap the body
    theta = np.linspace(0.0, 2 * np.pi, segments + 1)
    rings = np.stack([s[:, 1:2] * np.cos(theta), s[:, 3:4] + s[:, 2:3] * np.sin(theta), np.broadcast_to(s[:, :1], (len(s), segments + 1))], axis=-1)
    a, b, c, d = rings[:-1, :-1], rings[:-1, 1:], rings[1:, :-1], rings[1:, 1:]
    triangles = np.concatenate([np.stack([a, b, d], axis=2).reshape(-1, 3, 3), np.stack([a, d, c], axis=2).reshape(-1, 3, 3)])
    area = np.linalg.norm(np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]), axis=1)
    return triangles[area > 1e-12]


def _crumpled(radii, rng: np.random.Generator, roughness: float, center=(0.0, 0.0, 0.0)) -> np.ndarray:
    """A lumpy ellipsoid: each vertex pushed in or out by a smooth random function of its direction, so the
    triangles that share a vertex stay joined."""
    unit = sphere(1.0, segments=12, rings=8)
    waves, phases = rng.normal(0.0, 3.0, (6, 3)), rng.uniform(0.0, 2 * np.pi, 6)
    bumps = np.sin(unit @ waves.T + phases).sum(axis=-1) / 2.5
    return transform(unit * (1.0 + roughness * bumps)[..., None], scale=tuple(radii), translation=tuple(center))


def _ground(parts: Assembly) -> None:
    """Move an assembly up or down so that its lowest point rests on z = 0 (lumpy parts make it hard to tell)."""
    posed(parts, translation=(0.0, 0.0, -min(float(triangles[..., 2].min()) for triangles in parts.triangles)))


# --- person -----------------------------------------------------------------------------------------------------

def _direction(side: float, spread: float, swing: float) -> np.ndarray:
    """A limb direction: straight down, turned ``spread`` out sideways (towards x = ``side``) and ``swing`` forwards
    (towards -y); a spread past 90 degrees points upwards."""
    return np.array([side * np.sin(spread) * np.cos(swing), -np.sin(swing), -np.cos(spread) * np.cos(swing)])


_BALL = sphere(1.0, segments=6, rings=4)


def _limbs(parts: Assembly, joints, radii, finishes) -> None:
    """A pair of limbs, ``joints`` [limb, joint, xyz]: tapered rods from joint to joint (radius ``radii[i]`` at joint
    i, segment i in ``finishes[i]``), with a ball at every inner joint so that bent limbs stay closed."""
    joints = np.asarray(joints, dtype=np.float64)
    for k in range(joints.shape[1] - 1):
        parts.add(rods(joints[:, k], joints[:, k + 1], radii[k], top_radius=radii[k + 1]), finishes[k])
        if k:
            parts.add((_BALL[None] * radii[k] + joints[:, k, None, None, :]).reshape(-1, 3, 3), finishes[k])


@register_category("person", "Human figure about 1.5-1.9 m tall (children 1.0-1.4 m with bigger heads): an ellipsoid head of about an eighth of the height on a neck, a lofted torso wide at the shoulders, tapered two-segment arms and legs with hands and shoes; standing (arms down, a hand on the hip or one arm raised), walking or sitting, in a T-shirt or shirt with trousers, shorts or a skirt, optional hair or hat.", source=nyu40_source("person"))
def build_person(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    child = bool(rng.random() < 0.2)
    height = rng.uniform(1.0, 1.4) if child else rng.uniform(1.5, 1.9)
    head_h = height / (rng.uniform(5.5, 6.5) if child else rng.uniform(7.0, 8.0))
    u = (height - head_h) / 0.87  # joint heights below are fractions of u, the chin at 0.87 u
    h = height
    pose = str(rng.choice(["standing", "standing", "walking", "sitting"]))
    skin = paint(rng, ("beige", "beige", "brown", "cream"))
    top_kind = str(rng.choice(["T-shirt", "shirt"]))
    top = paint(rng, _FABRIC_COLOURS, "fabric")
    bottom_kind = str(rng.choice(["trousers", "trousers", "shorts"] + (["skirt"] if pose != "sitting" else [])))
    bottom = paint(rng, ("blue", "navy blue", "black", "grey", "beige", "brown", "dark green", "white", "red"), "fabric")
    shoes = paint(rng, ("black", "brown", "white", "grey"))

    # Built around the hip joints (z = 0 there), then lifted so that the lowest ankle is at its standing height.
    hip_w, waist_w = rng.uniform(0.085, 0.1) * h, rng.uniform(0.07, 0.085) * h
    chest_w, shoulder_w = rng.uniform(0.09, 0.105) * h, rng.uniform(0.105, 0.125) * h

    def rel(fraction: float) -> float:
        """A template height (a fraction of u) relative to the hip joints."""
        return (fraction - 0.52) * u

    torso = [(rel(0.47), hip_w * 0.8, 0.055 * h, 0.0), (rel(0.53), hip_w, 0.065 * h, 0.005 * h), (rel(0.62), waist_w, 0.055 * h, 0.0),
             (rel(0.72), chest_w, 0.07 * h, -0.01 * h), (rel(0.8), shoulder_w, 0.06 * h, 0.0), (rel(0.835), shoulder_w * 0.55, 0.045 * h, 0.0)]
    parts.add(_loft(torso), top)
    parts.add(rod((0, 0, rel(0.82)), (0, 0, rel(0.875)), 0.028 * h, segments=8), skin)
    head_c = np.array([0.0, -0.03 * head_h, rel(0.87) + head_h / 2])
    head_r = np.array([0.34, 0.42, 0.5]) * head_h
    parts.add(ellipsoid(head_r, head_c, segments=12, rings=7), skin)
    parts.add(rod(head_c + (0, -head_r[1] * 0.9, -head_h * 0.05), head_c + (0, -head_r[1] * 1.15, -head_h * 0.12), head_h * 0.06, top_radius=head_h * 0.02, segments=6), skin)
    headwear = str(rng.choice(["hair", "hair", "hat", "none"]))
    if headwear == "hair":
        hair = paint(rng, ("black", "brown", "dark grey", "grey", "beige"))
        parts.add(ellipsoid(head_r * (1.07, 1.05, 0.9), head_c + (0, head_h * 0.1, head_h * 0.12), segments=10, rings=6), hair)
    elif headwear == "hat":
        hair = paint(rng, ("black", "brown", "grey", "beige", "navy blue", "dark red"), "fabric")
        brim_z = head_c[2] + head_r[2] * 0.55
        parts.add(transform(cylinder(head_r[1] * rng.uniform(1.5, 2.0), 0.012, segments=18), translation=(head_c[0], head_c[1], brim_z)), hair)
        parts.add(transform(cylinder(head_r[0] * 1.05, head_h * rng.uniform(0.35, 0.55), top_radius=head_r[0] * 0.9, segments=14), scale=(1.0, 1.2, 1.0),
                            translation=(head_c[0], head_c[1], brim_z)), hair)

    walk = rng.uniform(0.3, 0.5) if pose == "walking" else 0.0
    leg_finish = [bottom, bottom] if bottom_kind == "trousers" else [bottom, skin] if bottom_kind == "shorts" else [skin, skin]
    thigh, shin = 0.235 * u, 0.24 * u
    legs = []
    for side, stride in ((-1.0, 1.0), (1.0, -1.0)):
        hip = np.array([side * hip_w * 0.55, 0.0, 0.0])
        if pose == "sitting":
            lift, bend = rng.uniform(1.45, 1.65), rng.uniform(1.45, 1.7)
        elif pose == "walking":
            lift = stride * walk if stride > 0 else -walk * rng.uniform(0.6, 0.8)
            bend = rng.uniform(0.0, 0.1) if stride > 0 else rng.uniform(0.2, 0.45)
        else:
            lift, bend = rng.uniform(-0.04, 0.04), 0.0
        spread = rng.uniform(0.03, 0.1) if pose != "sitting" else rng.uniform(0.05, 0.2)
        knee = hip + thigh * _direction(side, spread, lift)
        ankle = knee + shin * _direction(side, spread * 0.5, lift - bend)
        legs.append([hip, knee, ankle])
    _limbs(parts, legs, [0.05 * h, 0.031 * h, 0.02 * h], leg_finish)
    ground = min(ankle[2] for _, _, ankle in legs) - 0.045 * u
    for _, _, ankle in legs:
        parts.add(ellipsoid((0.028 * h, 0.07 * h, 0.025 * h), (ankle[0], ankle[1] - 0.04 * h, ankle[2] - 0.045 * u + 0.025 * h), segments=8, rings=5), shoes)
    if bottom_kind == "skirt":
        hem = rng.uniform(0.3, 0.42)
        flare = rng.uniform(1.4, 1.9) + walk
        parts.add(_loft([(rel(hem), hip_w * flare, 0.07 * h * flare, 0.0), (rel(0.53), hip_w * 1.03, 0.068 * h, 0.005 * h), (rel(0.63), waist_w * 1.03, 0.058 * h, 0.0)]), bottom)

    long_sleeves = top_kind == "shirt"
    upper, fore, hand = 0.19 * u, 0.15 * u, 0.09 * u
    arm_poses, arms = [], []
    for side, stride in ((-1.0, -1.0), (1.0, 1.0)):  # each arm swings against the leg on its side
        shoulder = np.array([side * shoulder_w * 0.85, 0.0, rel(0.8)])
        if pose == "standing":
            arm = str(rng.choice(["down", "down", "down", "on hip", "raised"]))
            arm = "down" if arm in arm_poses and arm != "down" else arm
        else:
            arm = pose
        arm_poses.append(arm)
        if arm == "raised":
            elbow = shoulder + upper * _direction(side, rng.uniform(2.3, 2.8), rng.uniform(0.0, 0.3))
            wrist = elbow + fore * _direction(side, rng.uniform(2.8, 3.1), rng.uniform(0.0, 0.3))
        elif arm == "on hip":
            elbow = shoulder + upper * _direction(side, rng.uniform(0.7, 0.9), rng.uniform(-0.3, -0.1))
            target = np.array([side * hip_w * 1.05, -0.01 * h, rel(0.58)])
            wrist = elbow + fore * (target - elbow) / np.linalg.norm(target - elbow)
        else:
            swing = {"walking": stride * walk * 0.8, "sitting": rng.uniform(0.1, 0.3)}.get(arm, rng.uniform(-0.08, 0.12))
            bend = {"walking": rng.uniform(0.2, 0.5), "sitting": rng.uniform(1.0, 1.3)}.get(arm, rng.uniform(0.05, 0.25))
            spread = rng.uniform(0.1, 0.22)
            elbow = shoulder + upper * _direction(side, spread, swing)
            wrist = elbow + fore * _direction(side, spread * 0.7, swing + bend)
        fingers = wrist + hand * (wrist - elbow) / np.linalg.norm(wrist - elbow)
        arms.append([shoulder, elbow, wrist, fingers])
    _limbs(parts, arms, [0.026 * h, 0.02 * h, 0.016 * h, 0.01 * h], [top, top if long_sleeves else skin, skin])
    posed(parts, translation=(0.0, 0.0, -ground))

    who = "child" if child else "adult"
    if pose == "sitting":
        doing = "sitting with bent knees and hands on the thighs"
    elif pose == "walking":
        doing = "walking, one leg stepping forward and the arms swinging"
    elif "raised" in arm_poses:
        doing = "standing and waving with one raised arm"
    elif "on hip" in arm_poses:
        doing = "standing with " + ("both hands on the hips" if arm_poses.count("on hip") == 2 else "one hand on the hip")
    else:
        doing = "standing upright with the arms at the sides"
    bottom_words = f"{article(bottom.colour)} skirt" if bottom_kind == "skirt" else f"{bottom.colour} {bottom_kind}"
    wearing = f"{article(top.colour)} {top_kind} and {bottom_words}"
    head_words = "a bare head" if headwear == "none" else f"{hair.colour} hair" if headwear == "hair" else f"{article(hair.colour)} hat"
    captions = (
        f"a person {doing}",
        f"a human figure wearing {wearing}",
        f"{article(grade(height, (1.25, 1.65, 1.8), ('small', 'short', 'medium-height', 'tall')))} {who} {pose} with {head_words}",
        f"a model of a person with a head, a torso, two arms and two legs, {pose}",
    )
    return BuiltShape(parts, captions)


# --- clothes ----------------------------------------------------------------------------------------------------

def _sleeve(side: float, shoulder, armpit, angle: float, length: float, taper: float) -> np.ndarray:
    """Outline of a sleeve attached along the edge from ``shoulder`` to ``armpit`` and pointing out sideways,
    ``angle`` below the horizontal, narrowing to ``taper`` of its width at the cuff."""
    shoulder, armpit = np.asarray(shoulder, float), np.asarray(armpit, float)
    along = np.array([side * np.cos(angle), -np.sin(angle)])
    across = np.array([along[1], -along[0]]) * side
    half = np.linalg.norm(shoulder - armpit) / 2 * taper
    cuff = (shoulder + armpit) / 2 + length * along
    return _convex([shoulder, armpit, cuff + half * across, cuff - half * across])


def _flat_top(parts: Assembly, rng: np.random.Generator, finish: Finish, shirt: bool, thick: float) -> str:
    """A T-shirt or long-sleeved shirt laid flat, collar at +y; returns what it is."""
    width, length = rng.uniform(0.46, 0.58), rng.uniform(0.65, 0.8)
    top, neck_w, neck_d = length / 2, rng.uniform(0.15, 0.2), rng.uniform(0.04, 0.09)
    drop, arm_h = rng.uniform(0.03, 0.06), rng.uniform(0.2, 0.25)
    parts.add(_flat([(-width / 2, -length / 2), (width / 2, -length / 2), (width / 2, top - neck_d), (-width / 2, top - neck_d)], thick), finish)
    for side in (-1.0, 1.0):
        shoulder = (side * width / 2, top - drop)
        parts.add(_flat(_convex([(side * neck_w / 2, top - neck_d), (side * width / 2, top - neck_d), shoulder, (side * neck_w / 2, top)]), thick), finish)
        if shirt:
            outline = _sleeve(side, shoulder, (side * width / 2, top - arm_h), rng.uniform(0.9, 1.3), rng.uniform(0.5, 0.62), 0.6)
        else:
            outline = _sleeve(side, shoulder, (side * width / 2, top - arm_h), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.22), 0.85)
        parts.add(_flat(outline, thick * 0.9, thick * 0.05), finish)
    if shirt:
        for side in (-1.0, 1.0):
            parts.add(_flat([(0, top - neck_d - 0.02), (side * neck_w / 2, top), (side * (neck_w / 2 + 0.05), top - neck_d)], 0.004, thick), finish)
        buttons = fixed("white", rng, "plastic")
        for y in np.linspace(top - neck_d - 0.06, -length / 2 + 0.08, int(rng.integers(5, 8))):
            parts.add(transform(cylinder(0.006, 0.003, segments=6), translation=(0, y, thick)), buttons)
        return "long-sleeved shirt"
    ring = transform(torus(neck_w / 2, 0.008, arc=np.pi, segments=10, tube_segments=4), rotation=rotation_z(np.pi), scale=(1.0, neck_d / (neck_w / 2), 1.0))
    parts.add(transform(ring, translation=(0, top, thick)), finish)
    return "T-shirt"


def _flat_trousers(parts: Assembly, rng: np.random.Generator, finish: Finish, shorts: bool, thick: float) -> str:
    """Trousers or shorts laid flat, waistband at +y; returns what they are."""
    waist, rise = rng.uniform(0.36, 0.44), rng.uniform(0.26, 0.32)
    length = rng.uniform(0.45, 0.55) if shorts else rng.uniform(0.95, 1.08)
    top, crotch, hem = length / 2, length / 2 - rise, -length / 2
    seat = waist / 2 * rng.uniform(1.08, 1.15)
    parts.add(_flat([(-waist / 2, top), (waist / 2, top), (seat, crotch), (-seat, crotch)], thick), finish)
    parts.add(box((waist, 0.04, 0.004), (0, top - 0.02, thick + 0.002)), finish)
    hem_w = seat * (rng.uniform(0.85, 1.0) if shorts else rng.uniform(0.45, 0.65))
    splay = rng.uniform(0.0, 0.08)
    for side in (-1.0, 1.0):
        centre = side * (seat / 2 + splay)
        parts.add(_flat(_convex([(side * 0.005, crotch + 0.01), (side * seat, crotch + 0.01), (centre + hem_w / 2, hem), (centre - hem_w / 2, hem)]), thick), finish)
    return "pair of shorts" if shorts else "pair of trousers"


def _hanging_garment(rng: np.random.Generator, kind: str, shoulders: float) -> tuple[list[np.ndarray], float]:
    """Slabs of a dress, coat or shirt hanging down from z = 0 (the ends of a hanger's arms, at x = +-``shoulders``)
    to its hem; returns them and the garment's length."""
    thick = rng.uniform(0.04, 0.07) if kind == "coat" else rng.uniform(0.015, 0.03)
    if kind == "dress":
        waist_z, length = -rng.uniform(0.33, 0.4), rng.uniform(0.85, 1.2)
        waist, hem = rng.uniform(0.13, 0.16), rng.uniform(0.25, 0.45)
        outlines = [[(-shoulders * 0.8, 0), (shoulders * 0.8, 0), (waist, waist_z), (-waist, waist_z)],
                    [(-waist, waist_z), (waist, waist_z), (hem, -length), (-hem, -length)]]
    else:
        width = shoulders * 2 * rng.uniform(1.1, 1.25)
        length = rng.uniform(0.85, 1.1) if kind == "coat" else rng.uniform(0.68, 0.8)
        outlines = [[(-shoulders, 0), (-width / 2, -0.1), (-width / 2, -length), (width / 2, -length), (width / 2, -0.1), (shoulders, 0)]]
        sleeve = rng.uniform(0.55, 0.65)
        for side in (-1.0, 1.0):
            outlines.append(_convex([(side * shoulders, 0), (side * (width / 2 - 0.02), -0.2), (side * (width / 2 + 0.02), -sleeve),
                                     (side * (width / 2 + 0.11), -sleeve + 0.02), (side * (shoulders + 0.04), 0.005)]))
    return [prism(outline, thick) for outline in outlines], length


@register_category("clothes", "Garments: a T-shirt or long-sleeved shirt laid flat (body slab with a neckline and two sleeves) or trousers or shorts laid flat (seat and two legs), a stack of 2-6 neatly folded garments, a dress, coat or shirt hanging from a hanger (hook and triangular bar), or a messy heap of lumpy crumpled garments with a trailing sleeve.", source=nyu40_source("clothes"))
def build_clothes(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["laid flat", "folded stack", "on a hanger", "heap"]))
    finish = paint(rng, _FABRIC_COLOURS, "fabric")
    if kind == "laid flat":
        thick = rng.uniform(0.01, 0.02)
        if rng.random() < 0.6:
            garment = _flat_top(parts, rng, finish, bool(rng.random() < 0.45), thick)
        else:
            garment = _flat_trousers(parts, rng, finish, bool(rng.random() < 0.3), thick)
        captions = (
            f"{article(finish.full)} {garment} laid out flat",
            f"clothes: {article(garment)} spread flat on the floor",
            f"{article(finish.colour)} item of clothing, {article(garment)} lying flat",
            f"a flat {finish.colour} garment, {'with two sleeves' if 'shirt' in garment else 'with two legs'}",
        )
    elif kind == "folded stack":
        n = int(rng.integers(2, 7))
        width, depth = rng.uniform(0.26, 0.36), rng.uniform(0.2, 0.3)
        z, colours = 0.0, set()
        for _ in range(n):
            layer = finish if rng.random() < 0.4 else paint(rng, _FABRIC_COLOURS, "fabric")
            colours.add(layer.colour)
            t = rng.uniform(0.03, 0.06)
            w, d = width * rng.uniform(0.92, 1.05), depth * rng.uniform(0.92, 1.05)
            fold = [box((w, d - t / 2, t), (0, t / 4, t / 2)), rod((-w / 2, -d / 2 + t / 2, t / 2), (w / 2, -d / 2 + t / 2, t / 2), t / 2, segments=8)]
            offset = (rng.normal(0, 0.01), rng.normal(0, 0.01), z)
            parts.add(transform(np.concatenate(fold), rotation=rotation_z(rng.normal(0, 0.05)), translation=offset), layer)
            z += t * 0.95
        colours_words = f"in {count(len(colours), 'colour')}" if len(colours) > 1 else f"all {finish.colour}"
        captions = (
            f"a stack of {count(n, 'folded garment')} {colours_words}",
            f"neatly folded clothes piled {grade(z, (0.12, 0.22), ('low', 'in a small pile', 'high'))}",
            f"folded clothes: {count(n, 'garment')} in a tidy pile",
            f"a pile of folded fabric clothing, {count(n, 'layer')} high",
        )
    elif kind == "on a hanger":
        garment = str(rng.choice(["dress", "coat", "shirt"]))
        hanger = wood(rng) if rng.random() < 0.5 else paint(rng, ("black", "white", "silver", "pink", "blue"), str(rng.choice(["plastic", "metal"])))
        shoulders, drop = rng.uniform(0.19, 0.22), rng.uniform(0.05, 0.09)
        slabs, length = _hanging_garment(rng, garment, shoulders)
        for slab in slabs:
            parts.add(transform(slab, translation=(0, 0, length)), finish)
        apex = length + drop
        parts.add(tube([(-shoulders, 0, length), (0, 0, apex), (shoulders, 0, length)], 0.008, segments=6), hanger)
        if hanger.material == "metal" or rng.random() < 0.5:
            parts.add(rod((-shoulders, 0, length), (shoulders, 0, length), 0.005, segments=6), hanger)
        hook = metal(rng, ("silver", "gold", "black"))
        parts.add(rod((0, 0, apex), (0, 0, apex + 0.04), 0.004, segments=5), hook)
        # The hook's arc starts at the top of its stem, curls over and ends open, pointing down.
        parts.add(transform(torus(0.03, 0.004, arc=1.3 * np.pi, segments=12, tube_segments=4), rotation=rotation_x(np.pi / 2),
                            translation=(-0.03, 0, apex + 0.04)), hook)
        captions = (
            f"{article(finish.full)} {garment} hanging on {article(hanger.full)} clothes hanger",
            f"clothes on a hanger: {article(finish.colour)} {garment} with a hook on top",
            f"{article(grade(length, (0.8, 1.0), ('short', 'medium-length', 'long')))} {garment} hung up on a hanger",
            f"a garment, {article(finish.colour)} {garment}, hanging from a {hook.colour} hook",
        )
    else:
        n = int(rng.integers(4, 8))
        colours = set()
        for k in range(n):
            layer = finish if k == 0 or rng.random() < 0.3 else paint(rng, _FABRIC_COLOURS, "fabric")
            colours.add(layer.colour)
            # Later garments land higher and nearer the middle: a mound rather than a spread.
            spread, rise = 0.16 * (1 - k / (n + 1)), 0.03 + 0.2 * k / n
            radii = (rng.uniform(0.12, 0.22), rng.uniform(0.09, 0.17), rng.uniform(0.05, 0.09))
            centre = (rng.uniform(-spread, spread), rng.uniform(-spread, spread), rise)
            parts.add(transform(_crumpled(radii, rng, 0.35), rotation=rotation_z(rng.uniform(0, np.pi)), translation=centre), layer)
        angle = rng.uniform(0, 2 * np.pi)
        out, across = np.array([np.cos(angle), np.sin(angle), 0.0]), np.array([-np.sin(angle), np.cos(angle), 0.0])
        curve = rng.uniform(-0.1, 0.1)
        trail = [out * (0.12 + 0.1 * k) + across * curve * k * k / 4 + (0, 0, max(0.1 - 0.045 * k, 0.025)) for k in range(4)]
        parts.add(tube(trail, rng.uniform(0.025, 0.04), segments=6), finish)
        _ground(parts)
        captions = (
            f"a messy heap of clothes in {count(len(colours), 'colour')}" if len(colours) > 1 else f"a messy heap of {finish.colour} clothes",
            f"a crumpled pile of {count(n, 'garment')} with a sleeve hanging out",
            "laundry: clothes thrown in a heap on the floor",
            f"a soft lumpy pile of fabric clothing with {article(finish.colour)} sleeve",
        )
    return BuiltShape(parts, captions)


# --- books ------------------------------------------------------------------------------------------------------

def _book(width: float, height: float, thick: float, cover: Finish, pages: Finish, hard: bool) -> list[tuple[np.ndarray, Finish]]:
    """A closed book lying on z = 0 with its spine along y at x = -width/2: two cover boards and a spine around a
    paler page block (hardcovers have thicker boards that overhang the pages and a rounded spine)."""
    board, overhang = (0.0025, 0.003) if hard else (0.0008, 0.0)
    block = (width - overhang - board, height - 2 * overhang, thick - 2 * board)
    pieces = [(box(block, (-width / 2 + board + block[0] / 2, 0, thick / 2)), pages)]
    pieces += [(box((width, height, board), (0, 0, z)), cover) for z in (board / 2, thick - board / 2)]
    if hard:
        spine = transform(cylinder(1.0, 1.0, segments=12), scale=(min(thick * 0.3, 0.012), thick / 2, height), rotation=rotation_x(-np.pi / 2),
                          translation=(-width / 2 + board, -height / 2, thick / 2))
    else:
        spine = box((board, height, thick), (-width / 2 + board / 2, 0, thick / 2))
    return pieces + [(spine, cover)]


def _book_size(rng: np.random.Generator, hard: bool) -> tuple[float, float, float]:
    """(width, height, thickness) of a hardcover or paperback."""
    if hard:
        return rng.uniform(0.15, 0.22), rng.uniform(0.22, 0.3), rng.uniform(0.02, 0.06)
    return rng.uniform(0.11, 0.14), rng.uniform(0.175, 0.21), rng.uniform(0.01, 0.04)


_STAND = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])  # a lying book stood on its tail, spine to -y


@register_category("books", "One or more books: a closed hardcover (boards overhanging a paler page block, rounded spine) or paperback lying flat, a book lying open or standing open in a V, a stack of 2-8 books of different sizes lying flat, or a row of 4-12 upright books between two L-shaped bookends.", source=nyu40_source("books"))
def build_books(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["closed book", "open book", "stack", "row"]))
    pages = fixed(str(rng.choice(["white", "cream"])), rng, "paper")
    cover = paint(rng, _BOOK_COLOURS)
    if kind == "closed book":
        hard = bool(rng.random() < 0.6)
        width, height, thick = _book_size(rng, hard)
        add_placed(parts, _book(width, height, thick, cover, pages, hard))
        bookmark = bool(rng.random() < 0.4)
        if bookmark:
            parts.add(box((0.006, 0.06, 0.0006), (rng.uniform(-0.3, 0.2) * width, -height / 2 - 0.02, thick * 0.5)), paint(rng, ("red", "gold", "navy blue", "green")))
        binding = "hardcover" if hard else "paperback"
        captions = (
            f"a closed {cover.colour} {binding} book lying flat" + (" with a ribbon bookmark" if bookmark else ""),
            f"{article(grade(thick, (0.025, 0.045), ('thin', 'medium-thick', 'thick')))} book with {pages.colour} pages and {article(cover.colour)} cover",
            f"a single {binding} lying on its back cover, its spine on one side",
            f"one of the books: {article(cover.colour)} {grade(height, (0.21, 0.26), ('small', 'standard', 'large'))} volume",
        )
    elif kind == "open book":
        hard = bool(rng.random() < 0.6)
        width, height, thick = _book_size(rng, hard)
        standing = bool(rng.random() < 0.4)
        tilt = rng.uniform(0.45, 0.8) if standing else rng.uniform(0.05, 0.25)
        board = 0.0025 if hard else 0.0008
        half_pages = (thick - 2 * board) * rng.uniform(0.25, 0.75)
        for side, pages_half in ((1.0, half_pages), (-1.0, thick - 2 * board - half_pages)):
            half = [(box((width, height, board), (width / 2, 0, board / 2)), cover),
                    (box((width - 0.003, height - 0.006, pages_half), (width / 2, 0, board + pages_half / 2)), pages)]
            add_placed(parts, [(transform(t, scale=(side, 1.0, 1.0)), f) for t, f in half], rotation=rotation_y(-side * tilt))
        if standing:
            posed(parts, rotation=rotation_x(np.pi / 2), translation=(0, 0, height / 2))
            pose = "standing upright, opened in a V"
        else:
            pose = "lying face up with its pages spread"
        captions = (
            f"an open {cover.colour} book {pose}",
            f"books: an open {'hardcover' if hard else 'paperback'} showing two blocks of {pages.colour} pages",
            f"a book opened {'at a wide angle' if not standing else 'and set on its end'}, its spine in the middle",
            f"{article(cover.colour)} book left open for reading",
        )
    elif kind == "stack":
        n = int(rng.integers(2, 9))
        sizes = [(_book_size(rng, hard), hard) for hard in rng.random(n) < 0.6]
        if rng.random() < 0.6:
            sizes.sort(key=lambda size: -size[0][0] * size[0][1])  # biggest at the bottom
        z, colours = 0.0, set()
        for (width, height, thick), hard in sizes:
            finish = cover if rng.random() < 0.25 else paint(rng, _BOOK_COLOURS)
            colours.add(finish.colour)
            add_placed(parts, _book(width, height, thick, finish, pages, hard), rotation=rotation_z(rng.normal(0, 0.12) + (np.pi if rng.random() < 0.3 else 0.0)),
                 translation=(rng.normal(0, 0.015), rng.normal(0, 0.015), z))
            z += thick
        n_hard = sum(hard for _, hard in sizes)
        mix = "all hardcovers" if n_hard == n else "all paperbacks" if n_hard == 0 else f"{count(n_hard, 'hardcover')} and {count(n - n_hard, 'paperback')}"
        captions = (
            f"a stack of {count(n, 'book')} of different sizes lying flat",
            f"books piled one on top of another, {mix}",
            f"{article(grade(z, (0.1, 0.2), ('low', 'medium', 'tall')))} pile of books with covers in {count(len(colours), 'colour')}",
            f"a heap of {count(n, 'book')} stacked on a table",
        )
    else:
        n = int(rng.integers(4, 13))
        bookend = metal(rng, ("black", "silver", "grey")) if rng.random() < 0.7 else wood(rng)
        end_h, end_d = rng.uniform(0.14, 0.2), rng.uniform(0.12, 0.15)
        x, colours, tallest = 0.0, set(), 0.0
        for hard in rng.random(n) < 0.6:
            width, height, thick = _book_size(rng, bool(hard))
            finish = paint(rng, _BOOK_COLOURS)
            colours.add(finish.colour)
            add_placed(parts, _book(width, height, thick, finish, pages, bool(hard)), rotation=_STAND, translation=(x, -0.1 + width / 2, height / 2))
            x, tallest = x + thick + 0.001, max(tallest, height)
        for side, plate_x in ((1.0, -0.004), (-1.0, x + 0.004)):
            parts.add(box((0.004, end_d, end_h), (plate_x - side * 0.002, -0.1 + end_d / 2, end_h / 2)), bookend)
            parts.add(box((0.1, end_d, 0.003), (plate_x + side * 0.05, -0.1 + end_d / 2, 0.0015)), bookend)
        captions = (
            f"a row of {count(n, 'book')} standing upright between two bookends",
            f"books lined up on end, spines facing out, held by {bookend.full} bookends",
            f"{count(n, 'upright book')} with covers in {count(len(colours), 'colour')}, the tallest {grade(tallest, (0.22, 0.27), ('small', 'standard', 'large'))}",
            "a set of books on a desk kept straight by L-shaped book ends",
        )
    return BuiltShape(parts, captions)


# --- paper ------------------------------------------------------------------------------------------------------

_PAPER_SIZES = {"A4": (0.21, 0.297), "letter": (0.216, 0.279), "A5": (0.148, 0.21), "A3": (0.297, 0.42)}


@register_category("paper", "Paper lying on a table: a single A4, letter, A5 or A3 sheet (flat, possibly printed with lines of text, folded in half into a V or tent, or with a curled end), a thin stack of sheets with a few loose ones askew on top, 1-4 crumpled paper balls, or a rolled-up scroll (spiral sheet) tied with a band or partly unrolled.", source=nyu40_source("paper"))
def build_paper(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["sheet", "stack", "crumpled", "scroll"]))
    finish = paint(rng, ("white", "white", "white", "cream", "yellow", "light blue", "pink"), "paper")
    size_name = str(rng.choice(list(_PAPER_SIZES)))
    width, length = _PAPER_SIZES[size_name]
    if kind == "sheet":
        shape = str(rng.choice(["flat", "flat", "folded", "tent", "curled"]))
        half, angle = length / 2, rng.uniform(0.12, 0.45)
        curl, bend = np.linspace(0.0, 2.4, 7), length * rng.uniform(0.04, 0.08)
        profile = {
            "flat": [(-half, 0.0), (half, 0.0)],
            "folded": [(-half * np.cos(angle), half * np.sin(angle)), (0.0, 0.0), (half * np.cos(angle), half * np.sin(angle))],
            "tent": [(-half * np.cos(angle), 0.0), (0.0, half * np.sin(angle)), (half * np.cos(angle), 0.0)],
            "curled": np.concatenate([[(-half, 0.0)], np.stack([half - 2.4 * bend + bend * np.sin(curl), bend * (1 - np.cos(curl))], axis=1)]),
        }[shape]
        parts.add(_ribbon(profile, width), finish)
        printed = shape == "flat" and rng.random() < 0.5
        if printed:
            ink = fixed("black", rng)
            for y in np.linspace(-length * 0.4, length * 0.4, int(rng.integers(8, 16))):
                line = width * 0.8 * rng.uniform(0.5, 1.0)
                parts.add(box((line, 0.004, 0.0002), (-width * 0.4 + line / 2, y, 0.0001)), ink)
        shape_words = {"flat": "lying flat" + (", printed with lines of text" if printed else ""), "folded": "folded in half and opened into a shallow V",
                       "tent": "folded in half and standing like a tent", "curled": "lying flat with one end curling up"}[shape]
        captions = (
            f"a single sheet of {finish.colour} {size_name} paper {shape_words}",
            f"a piece of {finish.colour} paper, thin and rectangular",
            f"{article(size_name)} page" + (", a printed document" if printed else " of blank paper"),
            f"paper: one {'flat ' if shape == 'flat' else 'folded ' if shape != 'curled' else ''}sheet on a table",
        )
    elif kind == "stack":
        block = rng.uniform(0.002, 0.008)
        parts.add(box((width, length, block), (0, 0, block / 2)), finish)
        n_loose = int(rng.integers(1, 4))
        for k in range(n_loose):
            sheet = _ribbon([(-length / 2, 0.0), (length / 2, 0.0)], width)
            parts.add(transform(sheet, rotation=rotation_z(rng.normal(0, 0.12)), translation=(rng.normal(0, 0.02), rng.normal(0, 0.02), block + 0.0003 * (k + 1))), finish)
        captions = (
            f"a thin stack of {finish.colour} {size_name} paper with {count(n_loose, 'loose sheet')} on top",
            f"a pile of paper sheets lying flat, about {count(int(round(block * 1000)), 'millimetre')} thick",
            "printer paper stacked on a desk, the top sheets askew",
            f"sheets of {finish.full} in a neat flat pile",
        )
    elif kind == "crumpled":
        n = int(rng.integers(1, 5))
        for k in range(n):
            radius = rng.uniform(0.03, 0.05)
            # Balls set round a circle wide enough that none hides inside another.
            angle, reach = 2 * np.pi * k / n + rng.uniform(-0.3, 0.3), rng.uniform(0.08, 0.14) if n > 1 else 0.0
            centre = (reach * np.cos(angle), reach * np.sin(angle), radius * 0.9)
            parts.add(_crumpled((radius, radius, radius * 0.9), rng, rng.uniform(0.18, 0.3), centre), finish)
        _ground(parts)
        captions = (
            f"{count(n, 'crumpled ball')} of {finish.colour} paper" if n > 1 else f"a crumpled ball of {finish.colour} paper",
            "scrunched-up paper thrown away, lumpy and round",
            f"waste paper: {count(n, 'sheet')} crushed into {'balls' if n > 1 else 'a ball'}",
            f"{article(finish.full)} wad, paper crumpled in the hand",
        )
    else:
        radius, turns = rng.uniform(0.012, 0.035), rng.uniform(2.0, 4.0)
        tail = rng.uniform(0.05, 0.3) if rng.random() < 0.6 else 0.0
        profile = _roll_profile(radius, min(0.003, radius / (turns + 1)), turns)
        if tail:
            profile = np.concatenate([[(-tail, 0.0)], profile])
        finish = paint(rng, ("white", "cream", "beige", "yellow"), "paper")
        parts.add(_ribbon(profile, width), finish)
        if not tail:
            band = paint(rng, ("red", "dark red", "gold", "black", "blue"))
            parts.add(transform(torus(radius + 0.002, 0.002, segments=16, tube_segments=4), rotation=rotation_y(np.pi / 2), translation=(0, 0, radius)), band)
            _ground(parts)
        captions = (
            f"a rolled-up {finish.colour} paper scroll " + ("partly unrolled across the table" if tail else f"tied with {article(band.colour)} band"),
            f"a sheet of paper rolled into a tube about {count(int(round(width * 100)), 'centimetre')} wide",
            "paper rolled into a scroll, a spiral seen from the end",
            f"a roll of {finish.colour} paper lying on its side",
        )
    return BuiltShape(parts, captions)


# --- floor mat --------------------------------------------------------------------------------------------------

def _rounded_rectangle(length: float, width: float, radius: float, n: int = 4) -> np.ndarray:
    """Convex outline of a length x width rectangle (x, y) whose corners are rounded with ``radius``."""
    corners = []
    for k, (sx, sy) in enumerate(((1, 1), (-1, 1), (-1, -1), (1, -1))):
        angles = np.pi / 2 * k + np.linspace(0.0, np.pi / 2, n)
        corners.append(np.stack([sx * (length / 2 - radius) + radius * np.cos(angles), sy * (width / 2 - radius) + radius * np.sin(angles)], axis=1))
    return np.concatenate(corners)


def _fringes(length: float, width: float, thick: float, spacing: float, strand: float) -> np.ndarray:
    """Tassels lying on the floor along both short ends (x = +-length/2) of a rug ``width`` wide."""
    n = int(np.clip(width / spacing, 10, 30))
    ys = np.linspace(-width / 2 + 0.02, width / 2 - 0.02, n)
    unit = box((strand, 0.015, thick * 0.5))
    return np.concatenate([unit + (side * (length + strand) / 2, y, thick * 0.25) for side in (-1, 1) for y in ys])


@register_category("floor mat", "Mat or rug lying flat on the floor, a few mm to 2 cm thick: a large rectangular rug (optional fringes on both short ends and a border band), a small bath mat with rounded corners, a round or oval rug, a door mat with a raised border around a sunken bristle panel, or a long yoga mat partly rolled up at one end.", source=nyu40_source("floor mat"))
def build_floor_mat(rng: np.random.Generator) -> BuiltShape:
    parts = Assembly()
    kind = str(rng.choice(["rug", "bath mat", "round rug", "door mat", "yoga mat"]))
    if kind in ("rug", "bath mat", "round rug"):
        finish = paint(rng, ("red", "dark red", "navy blue", "beige", "cream", "grey", "brown", "green", "teal", "blue", "white", "pink"), "fabric")
        border = paint(rng, ("cream", "black", "gold", "dark red", "navy blue", "white", "brown"), "fabric") if rng.random() < 0.5 else None
        if border is not None and border.colour == finish.colour:
            border = None
        fringed = False
        if kind == "round rug":
            radius, aspect = rng.uniform(0.5, 1.1), (1.0 if rng.random() < 0.5 else rng.uniform(0.55, 0.8))
            thick = rng.uniform(0.006, 0.02)
            parts.add(transform(cylinder(radius, thick, segments=32), scale=(1.0, aspect, 1.0)), finish)
            if border is not None:
                ring = lathe([radius * 0.82, radius * 0.92, radius * 0.92, radius * 0.82], [thick, thick, thick + 0.001, thick + 0.001], 32)
                parts.add(transform(ring, scale=(1.0, aspect, 1.0)), border)
            shape, size = ("round" if aspect == 1.0 else "oval"), 2 * radius
        else:
            if kind == "rug":
                length = rng.uniform(1.2, 3.0)
                width, thick, corner = length * rng.uniform(0.5, 0.8), rng.uniform(0.005, 0.02), 0.005
            else:
                length, width = rng.uniform(0.7, 0.9), rng.uniform(0.45, 0.6)
                thick, corner = rng.uniform(0.01, 0.02), rng.uniform(0.04, 0.1)
            parts.add(_flat(_rounded_rectangle(length, width, corner), thick), finish)
            if border is not None:
                band, inset = min(length, width) * 0.06, min(length, width) * 0.05
                outer_l, outer_w = length - 2 * inset, width - 2 * inset
                for sx in (-1, 1):
                    parts.add(box((band, outer_w, 0.001), (sx * (outer_l - band) / 2, 0, thick + 0.0005)), border)
                    parts.add(box((outer_l, band, 0.001), (0, sx * (outer_w - band) / 2, thick + 0.0005)), border)
            fringed = kind == "rug" and rng.random() < 0.5
            if fringed:
                parts.add(_fringes(length, width, thick, rng.uniform(0.04, 0.06), rng.uniform(0.08, 0.15)), paint(rng, ("cream", "white", "beige", finish.colour), "fabric"))
            shape, size = "rectangular", length
        details = [f"{border.colour} border" if border is not None else "", "fringed ends" if fringed else ""]
        details = " and ".join(word for word in details if word)
        captions = (
            f"{article(finish.colour)} {shape} {'rug' if kind == 'round rug' else kind}" + (f" with {details}" if details else "") + " lying on the floor",
            f"a floor mat: {article(grade(size, (1.0, 2.0), ('small', 'medium', 'large')))} {finish.full} {'bath mat' if kind == 'bath mat' else 'rug'}",
            f"a thin soft {shape} carpet, flat on the ground" if kind != "bath mat" else "a soft bath mat with rounded corners for the bathroom floor",
            f"{article(finish.colour)} {'area rug' if kind != 'bath mat' else 'bathroom rug'} a few millimetres thick",
        )
    elif kind == "door mat":
        finish = paint(rng, ("brown", "beige", "black", "grey", "dark grey"), "fabric")
        rim = paint(rng, tuple(c for c in ("black", "dark grey", "grey", "brown") if c != finish.colour), "rubber")
        length, width = rng.uniform(0.6, 0.9), rng.uniform(0.4, 0.6)
        base, raised, band = rng.uniform(0.008, 0.014), rng.uniform(0.006, 0.012), rng.uniform(0.03, 0.05)
        parts.add(box((length - 2 * band, width - 2 * band, base), (0, 0, base / 2)), finish)
        for sx in (-1, 1):
            parts.add(box((band, width, base + raised), (sx * (length - band) / 2, 0, (base + raised) / 2)), rim)
            parts.add(box((length - 2 * band, band, base + raised), (0, sx * (width - band) / 2, (base + raised) / 2)), rim)
        captions = (
            f"a door mat with a raised {rim.colour} rubber border around {article(finish.colour)} bristle panel",
            "a floor mat for wiping your feet at the front door",
            f"a rectangular doormat, {grade(length, (0.7, 0.8), ('small', 'standard', 'large'))} and low",
            f"{article(finish.colour)} entrance mat with a rim slightly higher than its middle",
        )
    else:
        finish = paint(rng, ("purple", "blue", "green", "pink", "black", "teal", "grey", "light blue", "orange"), str(rng.choice(["rubber", "plastic"])))
        width, length, thick = rng.uniform(0.6, 0.66), rng.uniform(1.7, 1.85), rng.uniform(0.004, 0.008)
        radius = rng.uniform(0.05, 0.08)
        turns = rng.uniform(1.2, 2.0)
        rolled = 2 * np.pi * (radius - thick * turns / 2) * turns
        flat_length = length - rolled
        parts.add(box((width, flat_length, thick), (0, -flat_length / 2, thick / 2)), finish)
        parts.add(_ribbon(_roll_profile(radius, thick * 1.5, turns, 28), width), finish)
        captions = (
            f"{article(finish.full)} yoga mat partly rolled up at one end",
            "a floor mat for exercise, a long thin strip with a roll at the end",
            f"{article(finish.colour)} yoga mat being unrolled onto the floor",
            f"a long thin {finish.short} exercise mat, {count(int(round(thick * 1000)), 'millimetre')} thick",
        )
    return BuiltShape(parts, captions)
