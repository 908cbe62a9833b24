"""The pieces every drawn non-digit is made of: strokes in the unit box, as
`model.drawings` draws the digits, and generators that draw one drawing from a seeded rng."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model.drawings import Stroke, arc

Strokes = list[Stroke]
Generator = Callable[[np.random.Generator], Strokes]


def pick(*alternatives: Sequence[Stroke]) -> Generator:
    """A generator that draws one of fixed `alternatives`, the way `drawings.TEMPLATES` are."""
    return lambda rng: list(alternatives[rng.integers(len(alternatives))])


def dot(x: float, y: float) -> Stroke:
    """A click of the pen: one point, drawn as one disc."""
    return np.array([[x, y]])


def closed(vertices: Sequence[tuple[float, float]], overshoot: float = 0.15) -> Stroke:
    """A polygon in one stroke, running a little past its start as a hand closes a shape."""
    points = np.asarray(vertices, dtype=np.float64)
    return np.vstack([points, points[:1], points[0] + overshoot * (points[1] - points[0])])


def regular(k: int, radius: float, turn_deg: float, centre=(0.5, 0.5)) -> np.ndarray:
    """`k` vertices evenly round a circle, the first at the top turned by `turn_deg`."""
    angles = np.deg2rad(turn_deg - 90 + 360 * np.arange(k) / k)
    return np.column_stack(
        [centre[0] + radius * np.cos(angles), centre[1] + radius * np.sin(angles)]
    )


def ring(cx: float, cy: float, rx: float, ry: float, start: float = -90.0) -> Stroke:
    """A closed ring with the slight overlap of a hand-drawn one."""
    return arc(cx, cy, rx, ry, start, start + 370)


def blob(cx: float, cy: float, rx: float, ry: float, tilt: float = -20.0) -> Stroke:
    """A small filled oval, as a hand fills a note head: a ring spiralling inwards."""
    return arc(cx, cy, rx, ry, 0, 1800, tilt=tilt, shrink=0.1)
