"""Canvas digits: synthetic digits drawn as the app's canvas draws them, to test on mouse writing.

MNIST digits were written with a pen on paper, scanned and normalised. The app's users draw with a
mouse on a 280x280 black Fabric.js canvas with a round white pen: strokes of one width, round caps
and joins, as large and wherever they like. A network that scores 99% on MNIST's test set can still
misread such drawings, and real ones are slow to collect, so this module draws them:

    stroke template (unit square) → hand jitter → size, slant, rotation, position → round pen

Training drawings may also start and end each stroke where another hand would (`vary_ends`): a
template fixes the length of a 1's flag or a 9's tail, people do not.

Each digit has several templates for the shapes people really draw (a 1 with or without a flag, a 7
with or without a crossbar, an open or a closed 4, ...). `make_canvas_digits` samples templates and
styles with a seeded generator, so every evaluation set is exactly reproducible. Only numpy and PIL
are used: no TensorFlow, no Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from model.atomic import atomic_write

Stroke = np.ndarray  # (n, 2) float points, x right and y down, in unit coordinates
Strokes = Sequence[Stroke]  # one digit; the pen lifts between strokes

CANVAS = 280  # side of the app's canvas in pixels
SUPERSAMPLE = 4  # draw this much larger and average down: the canvas anti-aliases its edges


# --- Curve helpers. A round pen shows every corner of a coarse polyline, so curves get many points.


def polyline(*points: tuple[float, float]) -> Stroke:
    """Straight segments through `points`."""
    return np.asarray(points, dtype=np.float64)


def arc(
    cx: float,
    cy: float,
    rx: float,
    ry: float,
    start: float,
    end: float,
    tilt: float = 0.0,
    shrink: float = 1.0,
) -> Stroke:
    """Part of an ellipse from angle `start` to `end`, in degrees: 0 is right, 90 is down.

    With y pointing down, growing angles run clockwise on screen; `tilt` turns the ellipse
    clockwise about its centre, so a positive tilt leans its top to the right. A `shrink` below 1
    narrows the radii steadily to that fraction at the end: a spiral, for loops that curl inwards.
    """
    n = max(8, int(abs(end - start) / 4) + 1)  # a point every 4 degrees looks round at any size
    t = np.deg2rad(np.linspace(start, end, n))
    radius = np.linspace(1.0, shrink, n)
    x, y = rx * radius * np.cos(t), ry * radius * np.sin(t)
    c, s = np.cos(np.deg2rad(tilt)), np.sin(np.deg2rad(tilt))
    return np.column_stack([cx + c * x - s * y, cy + s * x + c * y])


def bezier(*controls: tuple[float, float], n: int = 32) -> Stroke:
    """A Bézier curve of any degree from the first to the last control point."""
    p = np.asarray(controls, dtype=np.float64)
    d = len(p) - 1
    t = np.linspace(0.0, 1.0, n)[:, None]
    return sum(comb(d, i) * t**i * (1 - t) ** (d - i) * p[i] for i in range(d + 1))


def chain(*parts: Stroke) -> Stroke:
    """Join pieces into one stroke, the pen never leaving the canvas between them."""
    out = [np.asarray(parts[0], dtype=np.float64)]
    for part in parts[1:]:
        part = np.asarray(part, dtype=np.float64)
        # Pieces meet where the last ended, give or take rounding: keep the joint once, or the
        # hair-thin step between two near-equal points would point anywhere.
        if np.hypot(*(part[0] - out[-1][-1])) < 0.01:
            part = part[1:]
        out.append(part)
    return np.concatenate(out)


def figure_eight(top: float, bottom: float, waist: float = 0.45, n: int = 120) -> Stroke:
    """An 8 in one stroke: loops `top` and `bottom` wide (half widths), crossing at `waist`."""
    t = np.linspace(0.0, 2 * np.pi, n)
    upper = np.cos(t) > 0
    x = 0.5 + np.where(upper, top, bottom) * np.sin(2 * t)
    y = np.where(upper, waist * (1 - np.cos(t)), waist - (1 - waist) * np.cos(t))
    return np.column_stack([x, y])


def turned(stroke: Stroke, degrees: float) -> Stroke:
    """`stroke` turned clockwise about the middle of the unit box."""
    c, s = np.cos(np.deg2rad(degrees)), np.sin(np.deg2rad(degrees))
    return (stroke - 0.5) @ np.array([[c, s], [-s, c]]) + 0.5


# --- Templates: the shapes people draw, in a unit box, y from 0 (top) to 1 (bottom). ----------

TEMPLATES: dict[int, tuple[tuple[Stroke, ...], ...]] = {
    0: (
        (arc(0.5, 0.5, 0.3, 0.5, -90, 275),),  # plain oval, closing with a little overlap
        (arc(0.5, 0.5, 0.28, 0.5, -90, 272, tilt=15),),  # slanted oval
        (arc(0.5, 0.5, 0.2, 0.5, -80, 285),),  # narrow
        (arc(0.5, 0.5, 0.4, 0.5, -100, 250),),  # round, not quite closed
        (
            chain(
                bezier((0.55, 0.0), (0.12, -0.02), (0.12, 1.0), (0.5, 1.0)),
                bezier((0.5, 1.0), (0.9, 1.0), (0.9, 0.02), (0.45, 0.03)),
            ),
        ),  # lopsided egg
        (arc(0.5, 0.5, 0.3, 0.5, -60, 320, tilt=-8),),  # leaning left, starting off the top
        (
            chain(
                arc(0.5, 0.52, 0.3, 0.48, -100, 250),
                bezier((0.448, 0.047), (0.56, 0.0), (0.7, 0.02)),
            ),
        ),  # running on past its start: a tail over the top
    ),
    1: (
        (polyline((0.5, 0.0), (0.5, 1.0)),),  # plain bar
        (polyline((0.57, 0.0), (0.43, 1.0)),),  # leaning bar
        (polyline((0.32, 0.25), (0.56, 0.0), (0.56, 1.0)),),  # short flag
        (polyline((0.3, 0.24), (0.55, 0.0), (0.55, 1.0)), polyline((0.3, 1.0), (0.8, 1.0))),  # base
        (polyline((0.22, 0.38), (0.6, 0.0), (0.6, 1.0)),),  # long European flag
        (chain(bezier((0.3, 0.2), (0.45, 0.13), (0.55, 0.0)), polyline((0.55, 0.0), (0.52, 1.0))),),
        (polyline((0.42, 0.22), (0.58, 0.0), (0.56, 1.0)),),  # steep little tick
    ),
    2: (
        (
            chain(
                arc(0.5, 0.3, 0.28, 0.28, 195, 360),
                bezier((0.78, 0.3), (0.78, 0.55), (0.4, 0.75), (0.18, 1.0)),
                polyline((0.18, 1.0), (0.85, 1.0)),
            ),
        ),  # classic
        (
            chain(
                arc(0.5, 0.28, 0.27, 0.27, 200, 360),
                bezier((0.77, 0.28), (0.77, 0.55), (0.45, 0.75), (0.291, 0.924)),
                arc(0.22, 0.86, 0.1, 0.09, 45, 290),
                bezier((0.254, 0.775), (0.45, 0.74), (0.55, 0.98), (0.85, 0.96)),
            ),
        ),  # loop at the bottom
        (
            chain(
                arc(0.5, 0.28, 0.3, 0.28, 190, 370),
                bezier((0.795, 0.329), (0.7, 0.6), (0.3, 0.8), (0.2, 1.0)),
                bezier((0.2, 1.0), (0.4, 0.93), (0.6, 1.02), (0.85, 0.95)),
            ),
        ),  # swan neck, wavy base
        (
            chain(
                arc(0.45, 0.22, 0.25, 0.22, 200, 355),
                polyline((0.7, 0.2), (0.2, 1.0), (0.85, 1.0)),
            ),
        ),  # small hump, straight diagonal
        (
            chain(
                arc(0.5, 0.35, 0.3, 0.35, 180, 345),
                bezier((0.79, 0.26), (0.85, 0.5), (0.3, 0.85), (0.2, 1.0)),
                polyline((0.2, 1.0), (0.82, 0.98)),
            ),
        ),  # tall hump
        (
            chain(
                arc(0.48, 0.28, 0.28, 0.28, 210, 350),
                bezier((0.756, 0.231), (0.8, 0.45), (0.6, 0.6), (0.2, 1.0)),
                polyline((0.2, 1.0), (0.6, 0.97), (0.85, 1.0)),
            ),
        ),  # open hump, concave neck
        (
            chain(
                arc(0.5, 0.3, 0.28, 0.28, 195, 360),
                bezier((0.78, 0.3), (0.78, 0.55), (0.4, 0.75), (0.18, 1.0)),
                bezier((0.18, 1.0), (0.5, 0.93), (0.75, 1.03), (0.92, 0.84)),
            ),
        ),  # base curling up
    ),
    3: (
        (chain(arc(0.48, 0.26, 0.26, 0.26, 200, 460), arc(0.48, 0.75, 0.3, 0.25, -100, 160)),),
        (
            chain(
                polyline((0.22, 0.0), (0.78, 0.0), (0.42, 0.4)),
                arc(0.5, 0.7, 0.3, 0.28, -105, 160),
            ),
        ),  # flat top
        (
            chain(
                arc(0.47, 0.25, 0.27, 0.25, 190, 445),
                polyline((0.4, 0.5), (0.33, 0.5)),
                arc(0.47, 0.75, 0.3, 0.25, -118, 165),
            ),
        ),  # sharp waist
        (
            chain(arc(0.5, 0.2, 0.2, 0.2, 200, 460), arc(0.5, 0.68, 0.32, 0.32, -100, 150)),
        ),  # small top
        (
            chain(
                arc(0.5, 0.25, 0.26, 0.25, 200, 455, tilt=12),
                arc(0.46, 0.75, 0.29, 0.25, -100, 165, tilt=12),
            ),
        ),  # italic
        (chain(arc(0.5, 0.25, 0.22, 0.25, 190, 450), arc(0.5, 0.75, 0.24, 0.25, -90, 170)),),
        (
            arc(0.48, 0.25, 0.26, 0.25, 200, 445),
            arc(0.5, 0.76, 0.3, 0.24, -115, 160),
        ),  # two strokes
    ),
    4: (
        (polyline((0.62, 0.0), (0.12, 0.68), (0.88, 0.68)), polyline((0.65, 0.0), (0.65, 1.0))),
        (polyline((0.2, 0.0), (0.15, 0.62), (0.85, 0.62)), polyline((0.65, 0.05), (0.65, 1.0))),
        (polyline((0.35, 0.0), (0.12, 0.6), (0.88, 0.58)), polyline((0.7, 0.15), (0.62, 1.0))),
        (polyline((0.55, 0.0), (0.12, 0.65), (0.85, 0.65)), polyline((0.62, 0.12), (0.62, 1.0))),
        (
            chain(bezier((0.28, 0.0), (0.2, 0.3), (0.15, 0.6)), polyline((0.15, 0.6), (0.88, 0.6))),
            polyline((0.68, 0.0), (0.7, 1.0)),
        ),  # open, curved left arm
        (polyline((0.65, 1.0), (0.65, 0.0), (0.12, 0.68), (0.88, 0.68)),),  # closed, one stroke
        (
            chain(
                bezier((0.25, 0.0), (0.15, 0.45), (0.2, 0.62), (0.45, 0.62)),
                polyline((0.45, 0.62), (0.85, 0.6)),
            ),
            polyline((0.7, 0.0), (0.68, 1.0)),
        ),  # open, rounded corner
    ),
    5: (
        (
            chain(polyline((0.28, 0.0), (0.254, 0.498)), arc(0.5, 0.67, 0.3, 0.3, -145, 150)),
            polyline((0.28, 0.0), (0.8, 0.0)),
        ),  # two strokes
        (
            chain(
                polyline((0.8, 0.0), (0.28, 0.0), (0.254, 0.498)),
                arc(0.5, 0.67, 0.3, 0.3, -145, 150),
            ),
        ),
        (
            chain(
                polyline((0.8, 0.02), (0.3, 0.0)),
                bezier((0.3, 0.0), (0.27, 0.25), (0.24, 0.45)),
                bezier((0.24, 0.45), (0.45, 0.32), (0.85, 0.4), (0.8, 0.72)),
                bezier((0.8, 0.72), (0.75, 1.05), (0.3, 1.05), (0.18, 0.85)),
            ),
        ),  # one stroke, rounded
        (
            chain(polyline((0.3, 0.02), (0.22, 0.48)), arc(0.48, 0.7, 0.3, 0.28, -150, 160)),
            polyline((0.3, 0.02), (0.82, -0.02)),
        ),  # rising top bar
        (
            chain(polyline((0.3, 0.0), (0.28, 0.38)), arc(0.5, 0.62, 0.28, 0.36, -140, 140)),
            polyline((0.3, 0.0), (0.75, 0.0)),
        ),  # deep bowl
        (
            chain(
                polyline((0.82, 0.0), (0.32, 0.02), (0.22, 0.5)),
                bezier((0.22, 0.5), (0.5, 0.3), (0.9, 0.5), (0.78, 0.8)),
                bezier((0.78, 0.8), (0.65, 1.05), (0.3, 1.02), (0.15, 0.88)),
            ),
        ),  # one stroke, leaning stem
        (
            chain(polyline((0.3, 0.08), (0.27, 0.46)), arc(0.5, 0.68, 0.3, 0.3, -140, 150)),
            polyline((0.42, 0.0), (0.85, 0.02)),
        ),  # top bar apart from the stem
    ),
    6: (
        (
            chain(
                bezier((0.72, 0.0), (0.35, 0.08), (0.2, 0.45), (0.22, 0.72)),
                arc(0.5, 0.72, 0.28, 0.27, 180, -180),
            ),
        ),  # curved stem
        (chain(polyline((0.68, 0.0), (0.239, 0.65)), arc(0.5, 0.72, 0.27, 0.27, 195, -150)),),
        (
            chain(
                bezier((0.65, 0.0), (0.3, 0.15), (0.18, 0.4), (0.2, 0.62)),
                arc(0.5, 0.65, 0.3, 0.33, 180, -170),
            ),
        ),  # big loop
        (
            chain(
                bezier((0.7, 0.05), (0.4, 0.0), (0.22, 0.4), (0.22, 0.72)),
                arc(0.48, 0.74, 0.26, 0.25, 180, -190, shrink=0.72),
            ),
        ),  # loop curling inwards
        (
            chain(
                arc(0.62, 0.08, 0.08, 0.08, -20, -135),
                bezier((0.563, 0.023), (0.35, 0.2), (0.22, 0.45), (0.23, 0.72)),
                arc(0.5, 0.73, 0.27, 0.26, 180, -175),
            ),
        ),  # hooked top
        (
            chain(
                bezier((0.7, 0.0), (0.45, 0.1), (0.3, 0.35), (0.25, 0.75)),
                arc(0.45, 0.78, 0.2, 0.2, 180, -150),
            ),
        ),  # small loop
        (
            chain(
                bezier((0.72, 0.0), (0.35, 0.08), (0.2, 0.45), (0.22, 0.72)),
                arc(0.5, 0.72, 0.28, 0.27, 180, -210),
            ),
        ),  # the loop drawn on past its close
    ),
    7: (
        (polyline((0.15, 0.0), (0.85, 0.0), (0.4, 1.0)),),  # plain
        (polyline((0.15, 0.0), (0.85, 0.0), (0.4, 1.0)), polyline((0.42, 0.52), (0.8, 0.52))),
        (
            chain(
                polyline((0.15, 0.0), (0.85, 0.0)),
                bezier((0.85, 0.0), (0.6, 0.35), (0.45, 0.7), (0.45, 1.0)),
            ),
        ),
        (polyline((0.15, 0.15), (0.15, 0.0), (0.85, 0.0), (0.42, 1.0)),),  # tick at the start
        (
            chain(
                polyline((0.15, 0.0), (0.85, 0.0)),
                bezier((0.85, 0.0), (0.6, 0.35), (0.5, 0.7), (0.5, 1.0)),
            ),
            polyline((0.4, 0.5), (0.8, 0.5)),
        ),  # curved stem and crossbar
        (
            chain(
                bezier((0.15, 0.05), (0.35, -0.05), (0.6, 0.08), (0.85, 0.0)),
                polyline((0.85, 0.0), (0.42, 1.0)),
            ),
        ),  # wavy top
        (
            chain(
                polyline((0.15, 0.0), (0.85, 0.0)),
                bezier((0.85, 0.0), (0.55, 0.4), (0.5, 0.9), (0.3, 1.0)),
            ),
        ),  # stem hooking left
    ),
    8: (
        (figure_eight(0.2, 0.26),),  # one stroke, the usual way
        (arc(0.5, 0.24, 0.2, 0.24, -90, 270), arc(0.5, 0.73, 0.27, 0.27, -90, 270)),  # two rings
        (
            chain(
                arc(0.5, 0.25, 0.24, 0.25, -10, -270),
                arc(0.5, 0.75, 0.26, 0.25, -90, 150),
                bezier((0.275, 0.875), (0.35, 0.6), (0.65, 0.45), (0.74, 0.2)),
            ),
        ),  # an S and a stroke back up
        (turned(figure_eight(0.17, 0.25, waist=0.42), 15),),  # leaning, small top
        (figure_eight(0.22, 0.22, waist=0.5),),  # even loops
        (turned(arc(0.5, 0.24, 0.19, 0.23, -90, 270), -10), arc(0.5, 0.73, 0.26, 0.27, -90, 270)),
        (turned(figure_eight(0.22, 0.24, waist=0.47), -15),),  # leaning left
    ),
    9: (
        (chain(arc(0.5, 0.28, 0.27, 0.27, 0, -360), polyline((0.77, 0.28), (0.75, 1.0))),),
        (
            chain(
                arc(0.5, 0.28, 0.27, 0.27, 0, -360),
                bezier((0.77, 0.28), (0.8, 0.7), (0.7, 1.0), (0.35, 0.97)),
            ),
        ),  # curved tail
        (chain(arc(0.5, 0.28, 0.26, 0.27, 10, -350), polyline((0.76, 0.33), (0.52, 1.0))),),
        (arc(0.45, 0.28, 0.28, 0.27, -10, 355), polyline((0.73, 0.05), (0.72, 1.0))),  # two strokes
        (
            chain(
                arc(0.48, 0.22, 0.24, 0.22, 0, -360),
                bezier((0.72, 0.22), (0.72, 0.6), (0.68, 0.85), (0.62, 1.0)),
            ),
        ),  # small loop, long stem
        (
            chain(
                arc(0.5, 0.28, 0.27, 0.25, 0, -360, tilt=-15),
                bezier((0.76, 0.21), (0.76, 0.7), (0.6, 0.9), (0.4, 1.0)),
            ),
        ),  # tilted loop, tail to the left
        (
            chain(
                arc(0.52, 0.24, 0.22, 0.22, 0, -360),
                bezier((0.74, 0.24), (0.8, 0.7), (0.6, 1.0), (0.35, 1.0)),
                bezier((0.35, 1.0), (0.15, 1.0), (0.08, 0.9), (0.12, 0.75)),
            ),
        ),  # small loop, tail hooking back up
    ),
}
TEMPLATES_PER_DIGIT = 7
assert all(len(shapes) == TEMPLATES_PER_DIGIT for shapes in TEMPLATES.values())


# --- Hand jitter: no two drawings of one shape are the same. -------------------------------


def densify(stroke: Stroke, step: float) -> Stroke:
    """Points every `step` or closer along `stroke`, so that jitter bends straight segments too."""
    stroke = np.asarray(stroke, dtype=np.float64)
    if len(stroke) < 2:
        return stroke
    deltas = np.diff(stroke, axis=0)
    pieces = np.maximum(1, np.ceil(np.hypot(*deltas.T) / step)).astype(int)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    t = (np.arange(pieces.sum()) - first + 1) / np.repeat(pieces, pieces)
    inner = np.repeat(stroke[:-1], pieces, axis=0) + t[:, None] * np.repeat(deltas, pieces, axis=0)
    return np.vstack([stroke[:1], inner])


def jitter(strokes: Strokes, rng: np.random.Generator, amount: float = 0.025) -> list[Stroke]:
    """`strokes` as one hand might draw them: gently warped, never torn apart.

    The warp is a sum of a few long random waves over the whole box, so points close together
    move together and strokes that touch keep touching; only where the pen lifted can a stroke
    land a little off, as it does on a real canvas. `amount` is the typical shift in units of
    the digit's height.
    """
    waves = 3
    # At most one cycle per unit: a hand bends a stroke, it does not wiggle it.
    direction = rng.uniform(0.0, 2 * np.pi, size=waves)
    frequency = rng.uniform(0.3, 1.0, size=(waves, 1)) * np.column_stack(
        [np.cos(direction), np.sin(direction)]
    )
    phase = rng.uniform(0.0, 2 * np.pi, size=waves)
    shift = rng.normal(0.0, amount / np.sqrt(waves), size=(waves, 2))
    waist = rng.normal(0.0, 0.08)  # people put the middle of a 3, 4, 8 higher or lower
    lifts = rng.normal(0.0, 0.4 * amount, size=(len(strokes), 2))
    lifts[0] = 0.0
    out = []
    for stroke, lift in zip(strokes, lifts, strict=True):
        p = densify(stroke, 0.04)
        p = p + np.sin(2 * np.pi * p @ frequency.T + phase) @ shift + lift
        p[:, 1] += waist * p[:, 1] * (1.0 - p[:, 1])
        out.append(p)
    return out


def stroke_length(stroke: Stroke) -> float:
    """The length of a stroke's path (0 for a single point)."""
    return float(np.hypot(*np.diff(np.asarray(stroke).reshape(-1, 2), axis=0).T).sum())


def _move_end(stroke: np.ndarray, change: float) -> np.ndarray:
    """`stroke` (two or more points) ending `change` later along its last direction, or
    `-change` earlier along its path (less than its whole length)."""
    lengths = np.hypot(*np.diff(stroke, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    total = along[-1]
    if change < 0:
        keep = total + change
        if keep <= 0:
            raise ValueError(f"cannot stop {-change:.3f} short of a stroke {total:.3f} long")
        last = int(np.searchsorted(along, keep))
        t = (keep - along[last - 1]) / max(lengths[last - 1], 1e-9)
        end = stroke[last - 1] + t * (stroke[last] - stroke[last - 1])
        return np.vstack([stroke[:last], end])
    # The direction over the stroke's last tenth of a unit, not its last tiny segment (and at
    # least over its last segment, however long).
    back = stroke[min(int(np.searchsorted(along, max(total - 0.1, 0.0))), len(stroke) - 2)]
    direction = stroke[-1] - back
    norm = np.hypot(*direction)
    if norm < 1e-6:
        return stroke
    extension = stroke[-1] + np.linspace(0, change, 6)[1:, None] * direction / norm
    return np.vstack([stroke, extension])


# How far a stroke's end may run on, in digit heights: a short flag run on this far is longer
# than the longest flag of the templates, since hands draw flags longer than any template.
RUN_ON = 0.35


def vary_ends(
    strokes: Strokes, rng: np.random.Generator, longer: float = RUN_ON, shorter: float = 0.1
) -> list[Stroke]:
    """`strokes` starting and ending where another hand would: each end of an open stroke, half
    the time, runs on up to `longer` along its direction or stops up to `shorter` early (never
    more than a quarter of the stroke as the other end left it). Units are the digit's height.

    A template fixes where a stroke starts; hands do not. One person's 1 has a short flag, the
    next a flag twice as long; tails, bars and arms run on or stop short. A closed stroke (a
    ring, an 8) keeps its ends, which meet.
    """
    out = []
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) < 2 or np.hypot(*(points[0] - points[-1])) < 0.1:
            out.append(points)
            continue
        points = densify(points, 0.02)
        for _ in ("end", "start"):  # the end, then (reversed) the start
            if rng.random() < 0.5:
                change = rng.uniform(-min(shorter, stroke_length(points) / 4), longer)
                points = _move_end(points, change)
            points = points[::-1]
        out.append(points)
    return out


# --- The pen. ------------------------------------------------------------------------------


def render_strokes(
    strokes: Strokes,
    *,
    size: int = CANVAS,
    pen_width: float = 20.0,
    scale: float = 0.7,
    center: tuple[float, float] = (0.5, 0.5),
    slant: float = 0.0,
    rotation_deg: float = 0.0,
    aspect: float = 1.0,
) -> np.ndarray:
    """`strokes` as the canvas draws them: (size, size) uint8, anti-aliased white pen on black.

    The digit's height (of its pen path, before slant and rotation) is `scale` of the canvas, and
    the middle of its bounding box sits at `center` (fractions of the canvas, x then y), moved
    just enough that the ink stays on the canvas. `aspect` stretches it sideways, `slant` leans it
    like italics (x += slant * (y_centre - y)), and `rotation_deg` turns it counter-clockwise.
    """
    strokes = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    middle = (low + high) / 2
    height = high[1] - low[1]
    unit = height if height > 1e-6 else max(high[0] - low[0], 1e-6)  # a dash has no height

    angle = np.deg2rad(rotation_deg)
    c, s = np.cos(angle), np.sin(angle)
    # Unit height about the middle → aspect → slant → rotation (y down, so this is anticlockwise).
    shape = np.array([[aspect, 0.0], [-slant, 1.0]]) @ np.array([[c, -s], [s, c]])
    pixels = scale * size / unit
    placed = [(stroke - middle) @ shape * pixels for stroke in strokes]

    # Keep the ink on the canvas: clip the centre to where the pen's edge at worst touches it.
    radius = pen_width / 2
    reach_low = np.concatenate(placed).min(axis=0) - radius
    reach_high = np.concatenate(placed).max(axis=0) + radius
    want = np.asarray(center, dtype=np.float64) * size
    first, last = -reach_low, size - reach_high
    origin = np.clip(want, np.minimum(first, last), np.maximum(first, last))
    origin = np.where(first <= last, origin, (first + last) / 2)  # too big to fit: centre it

    return paint([stroke + origin for stroke in placed], [pen_width] * len(placed), size)


def paint(strokes: Sequence[np.ndarray], pen_widths: Sequence[float], size: int = CANVAS):
    """Pen paths in canvas pixels (x right, y down), each with its pen width, as the canvas
    paints them: (size, size) uint8, anti-aliased white round-capped pen on black."""
    k = SUPERSAMPLE
    image = Image.new("L", (size * k, size * k), 0)
    draw = ImageDraw.Draw(image)
    for stroke, pen_width in zip(strokes, pen_widths, strict=True):
        r = pen_width / 2 * k
        width = max(1, round(pen_width * k))
        # PIL puts integer coordinates at pixel centres; the canvas puts them at pixel corners.
        xy = np.asarray(stroke, dtype=np.float64).reshape(-1, 2) * k - 0.5
        if len(xy) > 1:
            draw.line([tuple(p) for p in xy], fill=255, width=width)
        # Round caps and joins: a disc on every point. PIL's own curved joints leave notches
        # where short segments bend sharply, as in the small loop of a 2.
        for x, y in xy:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return np.asarray(image.reduce(k))


SAMPLE_DIGIT = 3


def sample_drawing(digit: int = SAMPLE_DIGIT) -> np.ndarray:
    """`digit` drawn from its first template as the canvas would (280x280 uint8, white on black):
    what a page shows when nothing has been drawn yet."""
    return render_strokes(TEMPLATES[digit][0])


# --- Styles and data sets. -----------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """Ranges that `make_canvas_digits` samples uniformly, one value per drawing."""

    pen_width: tuple[float, float] = (14.0, 26.0)  # pixels; the app's pen is 20
    scale: tuple[float, float] = (0.45, 0.9)  # digit height, fraction of the canvas
    center: tuple[float, float] = (0.3, 0.7)  # x and y each, fraction of the canvas
    slant: tuple[float, float] = (-0.3, 0.3)
    rotation_deg: tuple[float, float] = (-8.0, 8.0)
    aspect: tuple[float, float] = (0.85, 1.15)

    def sample(self, rng: np.random.Generator) -> dict:
        """Keyword arguments for `render_strokes`."""
        return {
            "pen_width": rng.uniform(*self.pen_width),
            "scale": rng.uniform(*self.scale),
            "center": tuple(rng.uniform(*self.center, size=2)),
            "slant": rng.uniform(*self.slant),
            "rotation_deg": rng.uniform(*self.rotation_deg),
            "aspect": rng.uniform(*self.aspect),
        }


STYLES: dict[str, Style] = {
    "mixed": Style(),
    "thin": Style(pen_width=(8.0, 12.0)),
    "thick": Style(pen_width=(26.0, 34.0)),
    # Centres anywhere: render_strokes pushes those too close to an edge back until they fit.
    "small_offcentre": Style(scale=(0.25, 0.4), center=(0.05, 0.95)),
    "rotated": Style(rotation_deg=(-20.0, 20.0)),
}
STYLE_NAMES = tuple(STYLES)  # ("mixed", "thin", "thick", "small_offcentre", "rotated")
# As the app names them to a visitor, where the name in the code is not already a word.
STYLE_WORDS = {"small_offcentre": "small, off-centre"}


def per_digit_and_style(count: int) -> int:
    """How many drawings of each digit in each style a set of `count` drawn digits is made of:
    whole rounds of the ten digits in every style, at least one (then cut to `count`)."""
    return max(1, count // (10 * len(STYLE_NAMES)))


def drawn_count(count: int) -> int:
    """How many digits a set of `count` asked for holds (before blank drawings are left out)."""
    return min(count, 10 * len(STYLE_NAMES) * per_digit_and_style(count))


def make_canvas_digits(
    n_per_digit: int,
    *,
    seed: int = 0,
    style: str = "mixed",
    templates: Sequence[int] | None = None,
    stroke_ends: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """`n_per_digit` drawings of each digit: images (N, 280, 280) uint8 and labels (N,) uint8.

    Labels cycle 0..9. Each drawing picks one of its digit's templates at random (only those at
    the positions `templates`, when given), jitters it (with `stroke_ends`, also moves where
    its strokes start and end: `vary_ends`) and renders it with a pen, size, place and
    turn drawn from the style's ranges (see `STYLES`). The same seed and style always give the
    same arrays. Every style uses the same random numbers for a seed, so drawing i of "thin" is
    drawing i of "mixed" with a thinner pen: a drop in accuracy from one style to another comes from
    what the style changes, not from other drawings.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLE_NAMES)}")
    if n_per_digit < 0:
        raise ValueError(f"n_per_digit must be at least 0, not {n_per_digit}")
    picked = list(range(TEMPLATES_PER_DIGIT)) if templates is None else sorted(set(templates))
    if not picked or not all(0 <= t < TEMPLATES_PER_DIGIT for t in picked):
        raise ValueError(f"templates must be positions 0 to {TEMPLATES_PER_DIGIT - 1}")
    ranges = STYLES[style]
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(10, dtype=np.uint8), n_per_digit)
    images = np.empty((len(labels), CANVAS, CANVAS), dtype=np.uint8)
    for i, digit in enumerate(labels):
        shapes = [TEMPLATES[int(digit)][t] for t in picked]
        strokes = jitter(shapes[rng.integers(len(shapes))], rng)
        if stroke_ends:
            strokes = vary_ends(strokes, rng)
        images[i] = render_strokes(strokes, size=CANVAS, **ranges.sample(rng))
    return images, labels


def make_canvas_digit_sets(
    n_per_digit: int, seed: int = 0
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """`make_canvas_digits` for every style, keyed by style name."""
    return {style: make_canvas_digits(n_per_digit, seed=seed, style=style) for style in STYLE_NAMES}


def save_npz(path: str | os.PathLike, images: np.ndarray, labels: np.ndarray) -> Path:
    """Write `images` and `labels` to a compressed .npz, all or nothing; returns the path."""
    with atomic_write(path) as file:
        np.savez_compressed(file, images=images, labels=labels)
    return Path(path)
