"""Shapes: each drawing varies more than jitter can (corners, points, lobes, turns)."""

from __future__ import annotations

import numpy as np

from model.drawings import Stroke, arc, bezier, chain, polyline
from model.nondigits.strokes import Generator, Strokes, closed, dot, regular, ring


def triangle(rng: np.random.Generator) -> Strokes:
    """A triangle pointing up or down, a little uneven; in one stroke or corner by corner."""
    corners = regular(3, 0.5, rng.choice([0.0, 180.0]) + rng.uniform(-15, 15))
    corners = corners + rng.normal(0, 0.04, corners.shape)
    if rng.random() < 0.7:
        return [closed(corners, rng.uniform(0.0, 0.2))]
    return [polyline(tuple(corners[i]), tuple(corners[(i + 1) % 3])) for i in range(3)]


def rectangle(rng: np.random.Generator) -> Strokes:
    """A square or a lying oblong; one stroke, or two that meet at opposite corners."""
    half_w = 0.5 * rng.uniform(0.6, 1.0)
    half_h = half_w * rng.uniform(0.5, 1.1)  # never tall and narrow: that is a 0 with corners
    (left, right), (top, bottom) = (0.5 - half_w, 0.5 + half_w), (0.5 - half_h, 0.5 + half_h)
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    if rng.random() < 0.6:
        return [closed(corners, rng.uniform(0.0, 0.15))]
    return [
        polyline(corners[3], corners[0], corners[1]),
        polyline(corners[1], corners[2], corners[3]),
    ]


def diamond(rng: np.random.Generator) -> Strokes:
    """A rhombus standing on a corner."""
    half_w = rng.uniform(0.4, 0.6)  # a narrow one is a pointed 0
    return [closed([(0.5, 0.0), (0.5 + half_w, 0.5), (0.5, 1.0), (0.5 - half_w, 0.5)], 0.1)]


def star(rng: np.random.Generator) -> Strokes:
    """A star of 4 to 8 points as its outline, or a pentagram or a hexagram drawn in lines."""
    style = rng.choice(["outline", "outline", "pentagram", "hexagram"])
    turn = rng.uniform(-12, 12)
    if style == "pentagram":
        tips = regular(5, 0.5, turn)
        return [closed(tips[[0, 2, 4, 1, 3]], 0.05)]
    if style == "hexagram":
        return [closed(regular(3, 0.5, turn), 0.05), closed(regular(3, 0.5, turn + 180), 0.05)]
    points = int(rng.integers(4, 9))
    tips = regular(points, 0.5, turn)
    dents = regular(points, 0.5 * rng.uniform(0.3, 0.5), turn + 180 / points)
    outline = np.empty((2 * points, 2))
    outline[0::2], outline[1::2] = tips, dents
    return [closed(outline, 0.05)]


def heart(rng: np.random.Generator) -> Strokes:
    """A heart from its dip to its tip, left half then right; lobes of varied size and height."""
    dip = rng.uniform(0.15, 0.3)
    lobe = rng.uniform(0.0, 0.12)  # how far the lobes bulge past the sides
    tip_x = 0.5 + rng.normal(0, 0.03)

    def half(side: float) -> Stroke:
        out = 0.5 + side * (0.5 + lobe)
        return chain(
            bezier((0.5, dip), (0.5, -0.1), (out, -0.12), (out, 0.3)),
            bezier((out, 0.3), (out, 0.6), (tip_x + side * 0.1, 0.8), (tip_x, 1.0)),
        )

    if rng.random() < 0.5:
        return [half(-1.0), half(1.0)]
    return [chain(half(-1.0), half(1.0)[::-1])]


def smiley(rng: np.random.Generator) -> Strokes:
    """A face: ring, two eyes (dots or dashes), a smiling, flat or frowning mouth."""
    face = ring(0.5, 0.5, 0.5, 0.5, start=rng.uniform(-120, 60))
    eye_y, eye_dx = rng.uniform(0.3, 0.4), rng.uniform(0.14, 0.2)
    if rng.random() < 0.6:
        eyes = [dot(0.5 - eye_dx, eye_y), dot(0.5 + eye_dx, eye_y)]
    else:
        eyes = [
            polyline((x, eye_y - 0.06), (x, eye_y + 0.06)) for x in (0.5 - eye_dx, 0.5 + eye_dx)
        ]
    mood = rng.choice(["smile", "smile", "grin", "frown"])
    width = rng.uniform(0.18, 0.3)
    if mood == "smile":
        mouth = arc(0.5, 0.58, width, rng.uniform(0.1, 0.2), 20, 160)
    elif mood == "grin":
        mouth = chain(
            polyline((0.5 - width, 0.62), (0.5 + width, 0.62)), arc(0.5, 0.62, width, 0.15, 0, 180)
        )
    else:
        mouth = arc(0.5, 0.8, width, 0.1, 200, 340)
    return [face, *eyes, mouth]


def cross(rng: np.random.Generator) -> Strokes:
    """An X: two strokes crossing near their middles."""
    a, b = rng.uniform(0.0, 0.2, size=2)
    return [polyline((a, 0.0), (1.0 - b, 1.0)), polyline((1.0 - a, 0.0), (b, 1.0))]


def arrow(rng: np.random.Generator) -> Strokes:
    """A sideways arrow, straight or bowed, with one head or two.

    Upright and slanted arrows are left out: an ↑ is a 1 with a flag on each side, and a ↗ has
    a 7 in its head.
    """
    bow = rng.choice([0.0, 0.0, rng.uniform(-0.25, 0.25)])
    shaft = bezier((0.0, 0.5), (0.5, 0.5 + 2 * bow), (1.0, 0.5))
    barb, spread = rng.uniform(0.15, 0.3), np.deg2rad(rng.uniform(25, 45))

    def head(tip, back) -> Stroke:
        direction = (tip - back) / np.hypot(*(tip - back))
        c, s = np.cos(spread), np.sin(spread)
        left = tip - barb * np.array(
            [c * direction[0] - s * direction[1], s * direction[0] + c * direction[1]]
        )
        right = tip - barb * np.array(
            [c * direction[0] + s * direction[1], -s * direction[0] + c * direction[1]]
        )
        return polyline(tuple(left), tuple(tip), tuple(right))

    strokes = [shaft, head(shaft[-1], shaft[-4])]
    if rng.random() < 0.3:
        strokes.append(head(shaft[0], shaft[3]))
    if rng.random() < 0.5:  # pointing left
        strokes = [np.column_stack([1.0 - s[:, 0], s[:, 1]]) for s in strokes]
    return strokes


def check_mark(rng: np.random.Generator) -> Strokes:
    """A tick: a short stroke down, a long one up to the right."""
    low = (rng.uniform(0.25, 0.4), 1.0)
    return [polyline((0.0, rng.uniform(0.45, 0.65)), low, (1.0, rng.uniform(-0.05, 0.1)))]


def zigzag(rng: np.random.Generator) -> Strokes:
    """Four to eight teeth across: fewer and it would be a Z, an N, a 2 or a 7."""
    segments = int(rng.integers(4, 9))
    x = np.linspace(0.0, 1.0, segments + 1)
    height = rng.uniform(0.2, 0.5)
    y = 0.5 + height / 2 * np.where(np.arange(segments + 1) % 2, 1.0, -1.0)
    return [np.column_stack([x, y + rng.normal(0, 0.02, len(y))])]


def wave(rng: np.random.Generator) -> Strokes:
    """One and a half to three and a half periods of a wave, lying down."""
    periods = rng.uniform(1.5, 3.5)
    x = np.linspace(0.0, 1.0, int(60 * periods))
    y = 0.5 + rng.uniform(0.08, 0.2) * np.sin(2 * np.pi * periods * x + rng.uniform(0, 2 * np.pi))
    return [np.column_stack([x, y])]


def spiral(rng: np.random.Generator) -> Strokes:
    """Two and a half to four turns, in or out: one turn would be a 6, a 0 or an @."""
    turns = rng.uniform(2.5, 4.0)
    t = np.linspace(0.0, turns * 2 * np.pi, int(turns * 90))
    radius = 0.5 * (0.08 + 0.92 * t / t[-1])
    sense = rng.choice([-1.0, 1.0])
    points = np.column_stack([0.5 + radius * np.cos(sense * t), 0.5 + radius * np.sin(sense * t)])
    return [points if rng.random() < 0.5 else points[::-1]]


def house(rng: np.random.Generator) -> Strokes:
    """A box with a roof, sometimes a door."""
    eaves = rng.uniform(0.35, 0.5)
    strokes = [
        closed([(0.1, eaves), (0.1, 1.0), (0.9, 1.0), (0.9, eaves)], 0.0),
        polyline((0.0, eaves + 0.05), (0.5, 0.0), (1.0, eaves + 0.05)),
    ]
    if rng.random() < 0.5:
        door = rng.uniform(0.3, 0.6)
        strokes.append(polyline((door, 1.0), (door, 0.72), (door + 0.15, 0.72), (door + 0.15, 1.0)))
    return strokes


SHAPES: dict[str, Generator] = {
    "triangle": triangle,
    "rectangle": rectangle,
    "diamond": diamond,
    "star": star,
    "heart": heart,
    "smiley": smiley,
    "cross": cross,
    "arrow": arrow,
    "check_mark": check_mark,
    "zigzag": zigzag,
    "wave": wave,
    "spiral": spiral,
    "house": house,
}
