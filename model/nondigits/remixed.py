"""Digits remixed: a digit's own strokes, made into something no one reads as one digit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.drawings import TEMPLATES, Stroke, densify, stroke_length
from model.nondigits.composites import (
    SIDE_BY_SIDE,
    arranged,
    composite_part,
    digit_like,
    first_kept,
    unit_box,
)
from model.nondigits.strokes import Strokes

REMIX_DIGITS = (0, 2, 3, 4, 5, 6, 7, 8, 9)  # no 1: a bar beside anything is a 1 and a stray mark
# Stricter than COMPOSITE_THRESHOLD: a digit's own pieces start out close to a digit.
REMIX_THRESHOLD = 0.6


def digit_strokes(rng: np.random.Generator, digits: Sequence[int] = REMIX_DIGITS) -> list[Stroke]:
    """One of `digits` from a random stroke template, in the unit box."""
    shapes = TEMPLATES[int(digits[rng.integers(len(digits))])]
    return unit_box(shapes[rng.integers(len(shapes))])


def cut_and_moved(strokes: Sequence[Stroke], rng: np.random.Generator) -> list[Stroke]:
    """`strokes` cut once, at 30-70% of the points of one stroke (chosen by length), and the
    piece after the cut turned by 60-120 degrees about its middle and moved 0.3-0.5 away: a
    digit wrongly put together. (Turned further, a straight piece such as a 7's bar would lie
    as it was.) Strokes without length (dots) are returned as they are."""
    dense = [
        densify(np.asarray(stroke, dtype=np.float64).reshape(-1, 2), 0.02) for stroke in strokes
    ]
    lengths = np.array([stroke_length(d) for d in dense])
    if lengths.sum() <= 0:
        return dense
    which = int(rng.choice(len(dense), p=lengths / lengths.sum()))
    stroke = dense[which]
    cut = int(len(stroke) * rng.uniform(0.3, 0.7))
    kept, piece = stroke[: cut + 1], stroke[cut:]
    angle = np.deg2rad(rng.uniform(60, 120) * rng.choice([-1, 1]))
    c, s = np.cos(angle), np.sin(angle)
    middle = piece.mean(axis=0)
    direction = rng.uniform(0, 2 * np.pi)
    move = rng.uniform(0.3, 0.5) * np.array([np.cos(direction), np.sin(direction)])
    piece = (piece - middle) @ np.array([[c, s], [-s, c]]) + middle + move
    return [*dense[:which], kept, piece, *dense[which + 1 :]]


def remix(rng: np.random.Generator) -> Strokes:
    """A digit cut in two and put together wrongly, or a digit beside another digit or another
    part (`composite_part`: a letter, symbol, shape or glyph). Never stacked (a ring over a
    stroke is a 9, two rings an 8) nor drawn over (a slashed 0 is a 0), nor inside a ring: a
    circled digit is still that digit."""
    if rng.random() < 0.5:
        return unit_box(cut_and_moved(digit_strokes(rng), rng))
    a = digit_strokes(rng)
    b = digit_strokes(rng) if rng.random() < 0.6 else composite_part(rng)
    if rng.random() < 0.5:
        a, b = b, a
    return arranged(a, b, SIDE_BY_SIDE, rng)


def remix_kept(strokes: Strokes) -> bool:
    """Neither a lone bar (at any angle, a 1) nor digit-like (about half of the remixes are)."""
    extent = np.ptp(np.concatenate(strokes), axis=0)
    return extent.min() >= 0.25 * extent.max() and not digit_like(strokes, REMIX_THRESHOLD)


def remixed_strokes(rng: np.random.Generator) -> Strokes:
    """A remix, drawn again until `remix_kept` accepts it."""
    return first_kept(remix, remix_kept, rng)
