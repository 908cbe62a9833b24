"""The held-out drawn kinds: doodles (small pictures, nothing like the training shapes) and
music notes with filled heads (an open head on a stem is a d, or a 6)."""

from __future__ import annotations

import numpy as np

from model.drawings import Stroke, arc, bezier, chain, polyline
from model.nondigits.strokes import Generator, Strokes, blob, closed, dot, ring


def bumps(cx: float, cy: float, rx: float, ry: float, count: int, depth: float) -> Stroke:
    """A closed outline of `count` bumps round an ellipse: a cloud, a crown of leaves."""
    t = np.linspace(0.0, 2 * np.pi, count * 24 + 1)
    swell = 1.0 + depth * np.abs(np.sin(count * t / 2))
    return np.column_stack([cx + rx * swell * np.cos(t), cy + ry * swell * np.sin(t)])


def flower(rng: np.random.Generator) -> Strokes:
    """Petals round a small heart, on a stem, perhaps with a leaf."""
    petals = int(rng.integers(5, 9))
    head_y, petal = 0.3, rng.uniform(0.13, 0.18)  # big petals: a small head is a lollipop, a 9
    strokes = [ring(0.5, head_y, 0.07, 0.07)]
    for angle in np.linspace(0, 360, petals, endpoint=False) + rng.uniform(0, 360):
        a = np.deg2rad(angle)
        cx, cy = 0.5 + (0.07 + petal) * np.cos(a), head_y + (0.07 + petal) * np.sin(a)
        strokes.append(arc(cx, cy, petal, petal * 0.55, 0, 370, tilt=angle))
    strokes.append(bezier((0.5, head_y + 0.08), (0.45, 0.7), (0.52, 1.0)))
    if rng.random() < 0.6:
        strokes.append(
            chain(
                bezier((0.49, 0.75), (0.6, 0.6), (0.75, 0.62)),
                bezier((0.75, 0.62), (0.65, 0.75), (0.49, 0.75)),
            )
        )
    return strokes


def tree(rng: np.random.Generator) -> Strokes:
    """A trunk under a leafy crown, or a fir of stacked zigzag tiers."""
    if rng.random() < 0.5:
        # A wide crown on a wide trunk: a round head on a stick would be a lollipop, a 9.
        crown = bumps(0.5, 0.3, 0.42, 0.24, int(rng.integers(6, 10)), rng.uniform(0.15, 0.25))
        return [crown, polyline((0.36, 0.58), (0.33, 1.0)), polyline((0.64, 0.58), (0.67, 1.0))]
    tiers = int(rng.integers(2, 4))
    strokes = [polyline((0.45, 0.85), (0.45, 1.0)), polyline((0.55, 0.85), (0.55, 1.0))]
    for i in range(tiers):
        top, base = 0.85 * i / tiers - 0.05 * i, 0.85 * (i + 1) / tiers
        half = 0.25 + 0.2 * (i + 1) / tiers
        strokes.append(closed([(0.5, top), (0.5 + half, base), (0.5 - half, base)], 0.0))
    return strokes


def cloud(rng: np.random.Generator) -> Strokes:
    """A wide outline of four or five deep bumps: shallow ones melt into an oval, a 0, under a
    thick pen or at a small size."""
    return [
        bumps(
            0.5, 0.5, 0.5, rng.uniform(0.28, 0.36), int(rng.integers(4, 6)), rng.uniform(0.5, 0.7)
        )
    ]


def fish(rng: np.random.Generator) -> Strokes:
    """Two arcs meeting at the nose and crossing into a tail, and an eye."""
    tail = rng.uniform(0.15, 0.3)
    upper = bezier((0.0, 0.5), (0.35, 0.0), (0.75, 0.1), (1.0, 0.5 + tail))
    lower = bezier((0.0, 0.5), (0.35, 1.0), (0.75, 0.9), (1.0, 0.5 - tail))
    strokes = [upper, lower, dot(0.25, 0.42)]
    if rng.random() < 0.5:
        strokes.append(polyline((1.0, 0.5 + tail), (1.0, 0.5 - tail)))
    return strokes


def sun(rng: np.random.Generator) -> Strokes:
    """A ring with rays all round."""
    rays = int(rng.integers(7, 13))
    inner = rng.uniform(0.2, 0.28)
    strokes = [ring(0.5, 0.5, inner, inner)]
    for angle in np.linspace(0, 2 * np.pi, rays, endpoint=False) + rng.uniform(0, 1):
        d = np.array([np.cos(angle), np.sin(angle)])
        strokes.append(polyline(tuple(0.5 + (inner + 0.07) * d), tuple(0.5 + 0.5 * d)))
    return strokes


def cat(rng: np.random.Generator) -> Strokes:
    """A cat's face: pointed ears on a round head, eyes, nose and whiskers."""
    ear = rng.uniform(0.15, 0.25)
    head = arc(0.5, 0.6, 0.4, 0.35, -60, 240)
    left_ear = polyline((0.2, 0.38), (0.2, 0.25 - ear), (0.4, 0.27))
    right_ear = polyline((0.6, 0.27), (0.8, 0.25 - ear), (0.8, 0.38))
    eyes = [dot(0.37, 0.55), dot(0.63, 0.55)]
    nose = polyline((0.46, 0.68), (0.54, 0.68), (0.5, 0.73), (0.46, 0.68))
    whiskers = [polyline((0.4, 0.72 + dy), (0.0, 0.7 + 2 * dy)) for dy in (-0.04, 0.04)]
    whiskers += [polyline((0.6, 0.72 + dy), (1.0, 0.7 + 2 * dy)) for dy in (-0.04, 0.04)]
    return [head, left_ear, right_ear, *eyes, nose, *whiskers]


def umbrella(rng: np.random.Generator) -> Strokes:
    """A dome with a scalloped rim, a shaft and a hooked handle."""
    scallops = int(rng.integers(3, 6))
    rim = [
        arc(x, 0.45, 0.5 / scallops, 0.08, 180, 360)[::-1]
        for x in (np.arange(scallops) + 0.5) / scallops
    ]
    dome = arc(0.5, 0.45, 0.5, 0.42, 180, 360)
    handle = chain(polyline((0.5, 0.05), (0.5, 0.88)), arc(0.42, 0.88, 0.08, 0.1, 0, 180))
    return [dome, chain(*rim[::-1]), handle]


def car(rng: np.random.Generator) -> Strokes:
    """A car's side: body with a cabin on top, two wheels."""
    roof = rng.uniform(0.0, 0.15)
    body = closed(
        [
            (0.0, 0.75),
            (0.0, 0.45),
            (0.2, 0.42),
            (0.3, roof + 0.1),
            (0.7, roof + 0.1),
            (0.8, 0.42),
            (1.0, 0.45),
            (1.0, 0.75),
        ],
        0.0,
    )
    wheels = [ring(x, 0.8, 0.1, 0.13) for x in (0.22, 0.78)]
    return [body, *wheels]


def envelope(rng: np.random.Generator) -> Strokes:
    """A letter: an oblong and the flap's V."""
    depth = rng.uniform(0.45, 0.7)
    return [
        closed([(0.0, 0.15), (1.0, 0.15), (1.0, 0.85), (0.0, 0.85)], 0.0),
        polyline((0.0, 0.15), (0.5, depth), (1.0, 0.15)),
    ]


def cup(rng: np.random.Generator) -> Strokes:
    """A mug with its handle, sometimes steaming."""
    body = polyline((0.1, 0.35), (0.15, 1.0), (0.7, 1.0), (0.75, 0.35), (0.1, 0.35))
    handle = arc(0.75, 0.62, 0.2, 0.15, -90, 90)
    strokes = [body, handle]
    if rng.random() < 0.6:
        strokes += [
            bezier((x, 0.25), (x - 0.08, 0.15), (x + 0.08, 0.1), (x, 0.0)) for x in (0.3, 0.5)
        ]
    return strokes


def boat(rng: np.random.Generator) -> Strokes:
    """A hull, a mast and a sail."""
    sail = rng.uniform(0.3, 0.45)
    hull = closed([(0.0, 0.7), (1.0, 0.7), (0.8, 1.0), (0.2, 1.0)], 0.0)
    return [
        hull,
        polyline((0.5, 0.7), (0.5, 0.0)),
        polyline((0.5, 0.05), (0.5 + sail, 0.62), (0.5, 0.62)),
    ]


def mushroom(rng: np.random.Generator) -> Strokes:
    """A dome cap on a short stem, with spots."""
    cap = chain(
        arc(0.5, 0.5, 0.5, rng.uniform(0.35, 0.5), 180, 360), polyline((1.0, 0.5), (0.0, 0.5))
    )
    stem = polyline((0.35, 0.5), (0.33, 1.0), (0.67, 1.0), (0.65, 0.5))
    return [cap, stem, dot(0.35, 0.35), dot(0.6, 0.25), dot(0.75, 0.42)]


DOODLES: dict[str, Generator] = {
    "flower": flower,
    "tree": tree,
    "cloud": cloud,
    "fish": fish,
    "sun": sun,
    "cat": cat,
    "umbrella": umbrella,
    "car": car,
    "envelope": envelope,
    "cup": cup,
    "boat": boat,
    "mushroom": mushroom,
}


# --- Held-out music: notes with filled heads (an open head on a stem is a d, or a 6). --------


def note(rng: np.random.Generator) -> Strokes:
    """A quarter, eighth or sixteenth note, stem up."""
    flags = int(rng.integers(0, 3))
    strokes = [blob(0.27, 0.86, 0.24, 0.14), polyline((0.5, 0.84), (0.5, 0.0))]
    for i in range(flags):
        y = 0.18 * i
        strokes.append(bezier((0.49, y), (0.6, y + 0.15), (0.95, y + 0.25), (0.8, y + 0.5)))
    return strokes


def beamed(rng: np.random.Generator) -> Strokes:
    """Two or three notes joined by one or two beams."""
    count, beams = int(rng.integers(2, 4)), int(rng.integers(1, 3))
    xs = np.linspace(0.0, 1.0, count)
    tilt = rng.uniform(-0.1, 0.1)
    strokes = []
    for x in xs * 0.8 + 0.1:  # stems; each head hangs to the left of its stem
        top = 0.1 * (count - 1) + tilt * (x - 0.5)
        strokes += [
            blob(x - 0.1, 0.9, 0.12, 0.08),
            polyline((x, 0.88), (x, top)),
        ]
    for b in range(beams):
        y = 0.1 * (count - 1) + 0.13 * b
        strokes.append(polyline((0.11, y - tilt * 0.5), (0.91, y + tilt * 0.5)))
    return strokes


MUSIC: dict[str, Generator] = {"note": note, "beamed": beamed}
