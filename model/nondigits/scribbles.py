"""Scribbles (long, tangled or repeated; never a single clean curve) and stray marks (several,
apart, never in one column: that would be a broken 1)."""

from __future__ import annotations

import numpy as np

from model.drawings import Stroke, bezier, polyline
from model.nondigits.strokes import Generator, Strokes, dot


def smooth_through(points: np.ndarray, per_segment: int = 12) -> Stroke:
    """A Catmull-Rom curve through `points`: the smooth path a hand takes through them."""
    p = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        pieces.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    return np.vstack([*pieces, points[-1:]])


def crossings(stroke: Stroke) -> int:
    """How many times a stroke crosses itself."""
    a, b = stroke[:-1], stroke[1:]

    def side(p, q, r):  # sign of the turn p → q → r, for every pair of segments at once
        return np.sign(
            (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1])
            - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
        )

    a1, b1, a2, b2 = a[:, None], b[:, None], a[None], b[None]
    cross = (side(a1, b1, a2) * side(a1, b1, b2) < 0) & (side(a2, b2, a1) * side(a2, b2, b1) < 0)
    return int(np.triu(cross, k=2).sum())


def random_scribble(rng: np.random.Generator) -> Strokes:
    """One stroke through 10 to 16 random points all over the box: fewer can make a 2 or a 3."""
    while True:
        stroke = smooth_through(rng.uniform(0.0, 1.0, size=(int(rng.integers(10, 17)), 2)))
        if crossings(stroke[::3]) >= 5:  # a tangle, not a shape a thick pen could turn into one
            return [stroke]


def curly_walk(rng: np.random.Generator) -> Strokes:
    """A pen wandering and curling: heading drifts with a steady turn, so it loops."""
    steps = int(rng.integers(150, 250))
    curl = rng.choice([-1.0, 1.0]) * rng.uniform(0.18, 0.35)  # four loops or more: never an S
    while True:
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(curl + rng.normal(0, 0.25, steps))
        path = np.cumsum(np.column_stack([np.cos(heading), np.sin(heading)]) * 0.02, axis=0)
        extent = np.ptp(path, axis=0)
        # Loops drifting in a line are a thick 1 or a dash; a few crossings, a 6 or an 8.
        if extent.min() > 0.4 * extent.max() and crossings(path[::3]) >= 5:
            return [path]


def coil(rng: np.random.Generator) -> Strokes:
    """Three to five loops in a row, like a telephone cord; round enough not to be a dash."""
    loops = rng.uniform(3.0, 5.0)
    t = np.linspace(0.0, loops * 2 * np.pi, int(loops * 40))
    radius = rng.uniform(0.22, 0.35)
    x = t / t[-1] + radius * np.cos(t + np.pi)
    y = 0.5 + radius * rng.uniform(0.8, 1.3) * np.sin(t) + rng.uniform(-0.1, 0.1) * t / t[-1]
    return [np.column_stack([x, y])]


def hatching(rng: np.random.Generator) -> Strokes:
    """Four to nine parallel strokes at any angle, lifting the pen between them."""
    count = int(rng.integers(4, 10))
    angle = rng.uniform(0, np.pi)
    along = np.array([np.cos(angle), np.sin(angle)])
    across = np.array([-along[1], along[0]])
    strokes = []
    for offset in np.linspace(-0.4, 0.4, count) + rng.normal(0, 0.02, count):
        half = rng.uniform(0.3, 0.5)
        centre = 0.5 + offset * across + rng.normal(0, 0.04) * along
        strokes.append(polyline(tuple(centre - half * along), tuple(centre + half * along)))
    return strokes


def scratch_out(rng: np.random.Generator) -> Strokes:
    """A tight back-and-forth in one stroke, as when crossing something out."""
    turns = int(rng.integers(9, 16))  # fewer, and it is a Z or an angular 3
    x = np.where(np.arange(turns) % 2, 1.0, 0.0) + rng.normal(0, 0.05, turns)
    y = np.linspace(0.0, 1.0, turns) + rng.normal(0, 0.02, turns)
    return [np.column_stack([x, y])]


def crossing_lines(rng: np.random.Generator) -> Strokes:
    """Five to eight long straight strokes in all directions, crossing."""
    strokes = []
    for _ in range(int(rng.integers(5, 9))):
        angle = rng.uniform(0, np.pi)
        direction = np.array([np.cos(angle), np.sin(angle)])
        centre = rng.uniform(0.3, 0.7, size=2)
        strokes.append(polyline(tuple(centre - 0.6 * direction), tuple(centre + 0.6 * direction)))
    return strokes


SCRIBBLES: dict[str, Generator] = {
    "random_scribble": random_scribble,
    "curly_walk": curly_walk,
    "coil": coil,
    "hatching": hatching,
    "scratch_out": scratch_out,
    "crossing_lines": crossing_lines,
}


# --- Stray marks: several, apart, never in one column (that would be a broken 1). ------------

MARK_GAP = 0.16  # least distance between two marks in the box: closer, a dash and a bar make a 7


def least_gap(strokes: Strokes) -> float:
    """The shortest distance between points of two different strokes."""
    return min(
        float(np.hypot(*(a[:, None] - b[None]).transpose(2, 0, 1)).min())
        for i, a in enumerate(strokes)
        for b in strokes[i + 1 :]
    )


def short_mark(centre: np.ndarray, rng: np.random.Generator) -> Stroke:
    """A short straight or curved mark of any direction, centred on `centre`."""
    angle, half = rng.uniform(0, np.pi), rng.uniform(0.05, 0.11)
    direction = np.array([np.cos(angle), np.sin(angle)])
    bend = rng.uniform(-0.06, 0.06) * np.array([-direction[1], direction[0]])
    ends = centre - half * direction, centre + half * direction
    return bezier(tuple(ends[0]), tuple(centre + bend), tuple(ends[1]), n=8)


def scattered(rng: np.random.Generator, count: int, marks: int) -> Strokes:
    """`count` marks in different cells of a 3x3 grid: `marks` short strokes, then dots."""
    while True:
        cells = rng.choice(9, size=count, replace=False)
        jiggle = rng.uniform(-0.06, 0.06, (count, 2))
        centres = np.column_stack([cells % 3, cells // 3]) / 3 + 1 / 6 + jiggle
        strokes = [short_mark(c, rng) for c in centres[:marks]] + [dot(*c) for c in centres[marks:]]
        if len(set(cells % 3)) > 1 and least_gap(strokes) >= MARK_GAP:
            return strokes


def dashes(rng: np.random.Generator) -> Strokes:
    """Three to five short marks."""
    count = int(rng.integers(3, 6))
    return scattered(rng, count, count)


def dots(rng: np.random.Generator) -> Strokes:
    """Three to seven dots."""
    return scattered(rng, int(rng.integers(3, 8)), 0)


def marks_and_dots(rng: np.random.Generator) -> Strokes:
    """A mark or a few and a dot or a few."""
    count = int(rng.integers(3, 7))
    return scattered(rng, count, int(rng.integers(1, count)))


STRAY: dict[str, Generator] = {"dashes": dashes, "dots": dots, "marks_and_dots": marks_and_dots}
