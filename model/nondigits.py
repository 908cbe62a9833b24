"""Drawings that are not digits, as the canvas draws them, to teach a network to say so.

A network trained on digits alone has no way to answer "none of these": a capital A comes out a
confident 4, a heart a 0, a star a 4. Shown non-digits with a uniform target ("outlier exposure")
it learns to spread its probabilities when a drawing is nothing it knows. This module draws
them with the digits' own machinery (`model.drawings`: stroke templates in the unit box, hand
jitter, the round pen and the same `Style` ranges), by KIND:

Training kinds (`TRAINING_KINDS`), shown to the network:
    letters       capital and lowercase Latin letters drawn with strokes, a few forms each
    font_letters  Latin letters from `typefaces.training_fonts()`, redrawn with the pen
    symbols       # * + = ≠ @ & % $ ? ! ÷ ± < > ~ € ∞ ©
    shapes        triangles, rectangles, diamonds, 4- to 8-point stars, hearts, smileys, crosses,
                  arrows, check marks, zigzags, waves, spirals, houses
    scribbles     scribbles through random points, curly pen walks, coils, hatching, scratching
                  out, many crossing lines
    stray         a few short marks and dots scattered apart: never one line, never one dot
    glyphs        ~1,400 characters of many Unicode blocks (Cyrillic, Armenian, Hebrew, Arabic,
                  Canadian syllabics, Tifinagh, arrows, box drawing, geometric shapes,
                  dingbats, Braille...) from the training fonts, listed in `GLYPHS_FILE`:
                  none from a held-out kind's blocks, none that reads as a digit
                  (see `excluded_by_name` and `select_glyphs`)
    composites    two of the above made one: side by side, stacked, drawn over each other, one
                  inside the other, or one with small marks round it; a part may be filled in.
                  Redrawn when the result looks like a digit (`digit_like`)
    remixed       a digit's own strokes made into no single digit: cut in two and put back
                  wrongly (one piece turned and moved away), or beside another digit or a
                  part of the composites ("47", "5A"); redrawn while it still looks like a
                  digit, and never a lone bar. Shown these, the network learns that digit-like
                  parts alone do not make a digit: the parts must sit where a digit has them

Held-out kinds (`HELDOUT_KINDS`), never used in training, each reported on its own to measure
how far the reject generalises to what the network has never seen:
    greek                 Greek letters from `typefaces.heldout_fonts()`
    heldout_font_letters  the Latin letters of font_letters, in the held-out typefaces
    math                  ∀ ∇ ≈ ≤ ≥ ⊂ ⊃ ∠ ⊕ ⊗ ≡ ℵ ⇒ ∝ from the held-out typefaces
    doodles               flower, tree, cloud, fish, sun, cat, umbrella, car, envelope, cup,
                          boat, mushroom
    music                 notes with filled heads: quarter, eighth, sixteenth, beamed pairs

What is left out, and why: a negative that looks like a digit teaches the network to reject
that digit. So nothing here is read as a digit, or drawn the way people draw one:
    0  O o Q D, ο Ο θ Θ σ °, a plain circle or oval, a tall rectangle or narrow diamond,
       hexagons and anything rounder
    1  I l i j J | ι Ι ⊥ ∫, and a lone straight or gently bent stroke at any angle
       (/ \\ - ( ) [ ]); ^ and Λ, which with a slant stand one leg upright: a flagged 1;
       upright and slanted arrows (↑ is a 1 with two flags)
    2  Z z ζ, a ? without its dot, zigzags of fewer than four strokes, scratchings of few turns
    3  ε ξ ∈ Ɛ ∃ (a backwards 3 is read as a 3)
    4  y γ, ч (an open 4), ↗ (its head is a 7 or a 4 on its side)
    5  S s ς § (and so $ only ever with its bar)
    6  b G δ ∂ (a loop with a stem rising from its left), spirals of under two and a half turns
    7  Γ (a 7 in a mirror, stem upright)
    8  B β ß, glasses (two rings side by side or stacked)
    9  g q ɑ (the single-storey a: a ring with a stem on its right), balloons, lollipops,
       notes with an open head
Mirror images of digits that people name as letters stay in (P p d E F Σ r): nobody draws a
digit mirrored on purpose, and the network never sees mirrored digits. The single-storey a
stays out of the typeset letters too, since italic and comic faces draw it so. A "stray"
drawing is at least three marks apart and never in one column: one straight stroke is a 1, a
column of dashes a broken 1, and one dot is what the app already calls "nothing drawn".

Only numpy, PIL, `model.drawings` and `model.typefaces` are used: no TensorFlow.
"""

from __future__ import annotations

import argparse
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from model import typefaces
from model.drawings import (
    CANVAS,
    STYLES,
    TEMPLATES,
    Stroke,
    arc,
    bezier,
    chain,
    densify,
    figure_eight,
    jitter,
    polyline,
    stroke_length,
    turned,
)

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


# --- Letters, drawn: only those nobody reads as a digit (see the module's docstring). --------

LETTERS: dict[str, Generator] = {
    "A": pick(
        (polyline((0.1, 1.0), (0.5, 0.0), (0.9, 1.0)), polyline((0.27, 0.6), (0.73, 0.6))),
        (
            polyline((0.15, 1.0), (0.45, 0.0), (0.55, 0.0), (0.85, 1.0)),
            polyline((0.3, 0.5), (0.7, 0.5)),
        ),
        (polyline((0.1, 1.0), (0.5, 0.0), (0.9, 1.0)), polyline((0.22, 0.72), (0.8, 0.68))),
    ),
    "C": pick((arc(0.55, 0.5, 0.42, 0.5, -45, -315),), (arc(0.5, 0.5, 0.35, 0.5, -55, -300),)),
    "E": pick(
        (
            polyline((0.8, 0.0), (0.2, 0.0), (0.2, 1.0), (0.8, 1.0)),
            polyline((0.2, 0.5), (0.65, 0.5)),
        ),
        (
            polyline((0.2, 0.0), (0.2, 1.0)),
            polyline((0.2, 0.0), (0.8, 0.0)),
            polyline((0.2, 0.5), (0.7, 0.5)),
            polyline((0.2, 1.0), (0.8, 1.0)),
        ),
    ),
    "F": pick(
        (polyline((0.8, 0.0), (0.2, 0.0), (0.2, 1.0)), polyline((0.2, 0.48), (0.65, 0.48))),
        (
            polyline((0.25, 0.0), (0.25, 1.0)),
            polyline((0.25, 0.0), (0.85, 0.0)),
            polyline((0.25, 0.45), (0.7, 0.45)),
        ),
    ),
    "H": pick(
        (
            polyline((0.2, 0.0), (0.2, 1.0)),
            polyline((0.8, 0.0), (0.8, 1.0)),
            polyline((0.2, 0.5), (0.8, 0.5)),
        ),
        (
            polyline((0.2, 0.0), (0.2, 1.0)),
            polyline((0.2, 0.55), (0.8, 0.5)),
            polyline((0.8, 0.0), (0.8, 1.0)),
        ),
    ),
    "K": pick(
        (
            polyline((0.25, 0.0), (0.25, 1.0)),
            polyline((0.8, 0.0), (0.25, 0.55)),
            polyline((0.4, 0.42), (0.82, 1.0)),
        ),
        (polyline((0.25, 0.0), (0.25, 1.0)), polyline((0.8, 0.0), (0.27, 0.5), (0.82, 1.0))),
    ),
    "L": pick((polyline((0.25, 0.0), (0.25, 1.0), (0.85, 1.0)),)),
    "M": pick(
        (polyline((0.1, 1.0), (0.15, 0.0), (0.5, 0.6), (0.85, 0.0), (0.9, 1.0)),),
        (polyline((0.12, 1.0), (0.12, 0.0), (0.5, 0.75), (0.88, 0.0), (0.88, 1.0)),),
    ),
    "N": pick(
        (polyline((0.2, 1.0), (0.2, 0.0), (0.8, 1.0), (0.8, 0.0)),),
        (polyline((0.2, 1.0), (0.2, 0.0)), polyline((0.2, 0.0), (0.8, 1.0), (0.8, 0.0))),
    ),
    "P": pick(
        (
            polyline((0.25, 1.0), (0.25, 0.0)),
            chain(
                polyline((0.25, 0.0), (0.5, 0.0)),
                arc(0.5, 0.25, 0.3, 0.25, -90, 90),
                polyline((0.5, 0.5), (0.25, 0.5)),
            ),
        ),
        (
            chain(
                polyline((0.25, 1.0), (0.25, 0.0)),
                bezier((0.25, 0.0), (0.95, -0.05), (0.95, 0.55), (0.27, 0.5)),
            ),
        ),
    ),
    "R": pick(
        (
            polyline((0.25, 1.0), (0.25, 0.0)),
            chain(
                polyline((0.25, 0.0), (0.5, 0.0)),
                arc(0.5, 0.25, 0.28, 0.25, -90, 90),
                polyline((0.5, 0.5), (0.25, 0.5)),
            ),
            polyline((0.45, 0.5), (0.82, 1.0)),
        ),
        (
            chain(
                polyline((0.25, 1.0), (0.25, 0.0)),
                bezier((0.25, 0.0), (0.95, -0.05), (0.95, 0.55), (0.27, 0.5)),
                polyline((0.27, 0.5), (0.85, 1.0)),
            ),
        ),
    ),
    "T": pick(
        (polyline((0.1, 0.0), (0.9, 0.0)), polyline((0.5, 0.0), (0.5, 1.0))),
        (polyline((0.5, 0.0), (0.5, 1.0)), polyline((0.05, 0.03), (0.95, 0.0))),
    ),
    "U": pick(
        (
            chain(
                polyline((0.2, 0.0), (0.2, 0.65)),
                arc(0.5, 0.65, 0.3, 0.35, 180, 0),
                polyline((0.8, 0.65), (0.8, 0.0)),
            ),
        ),
        (
            chain(
                polyline((0.2, 0.0), (0.2, 0.65)),
                arc(0.5, 0.65, 0.3, 0.35, 180, 0),
                polyline((0.8, 0.65), (0.8, 0.0), (0.82, 1.0)),
            ),
        ),
    ),
    "V": pick(
        (polyline((0.1, 0.0), (0.5, 1.0), (0.9, 0.0)),),
        (polyline((0.2, 0.0), (0.5, 1.0), (0.95, -0.05)),),
    ),
    "W": pick(
        (polyline((0.05, 0.0), (0.27, 1.0), (0.5, 0.3), (0.73, 1.0), (0.95, 0.0)),),
        (chain(arc(0.28, 0.45, 0.22, 0.55, 180, 0), arc(0.72, 0.45, 0.22, 0.55, 180, 0)),),
    ),
    "X": pick(
        (polyline((0.1, 0.0), (0.9, 1.0)), polyline((0.9, 0.0), (0.1, 1.0))),
        (polyline((0.15, 0.0), (0.85, 1.0)), polyline((0.8, 0.05), (0.2, 0.95))),
    ),
    "Y": pick(
        (polyline((0.1, 0.0), (0.5, 0.5)), polyline((0.9, 0.0), (0.5, 0.5), (0.5, 1.0))),
        (polyline((0.1, 0.0), (0.5, 0.45), (0.9, 0.0)), polyline((0.5, 0.45), (0.5, 1.0))),
    ),
    "a": pick(
        (
            chain(
                arc(0.45, 0.22, 0.25, 0.22, 200, 360),
                polyline((0.7, 0.22), (0.7, 0.95), (0.78, 1.0)),
            ),
            chain(
                polyline((0.7, 0.5), (0.45, 0.5)),
                arc(0.45, 0.74, 0.25, 0.24, -90, -270),
                polyline((0.45, 0.98), (0.7, 0.85)),
            ),
        ),
    ),
    "d": pick(
        (ring(0.42, 0.7, 0.28, 0.3, start=-30), polyline((0.72, 0.0), (0.72, 1.0))),
        (
            chain(
                arc(0.45, 0.7, 0.28, 0.3, -20, -340),
                polyline((0.71, 0.8), (0.72, 0.0), (0.72, 1.0)),
            ),
        ),
    ),
    "e": pick(
        (chain(polyline((0.2, 0.5), (0.8, 0.5)), arc(0.5, 0.5, 0.3, 0.5, 0, -300)),),
        (
            chain(
                bezier((0.15, 0.65), (0.9, 0.55), (0.8, 0.0), (0.5, 0.05)),
                bezier((0.5, 0.05), (0.1, 0.1), (0.1, 1.0), (0.85, 0.9)),
            ),
        ),
    ),
    "f": pick(
        (
            chain(arc(0.65, 0.15, 0.2, 0.15, -20, -180), polyline((0.45, 0.15), (0.45, 1.0))),
            polyline((0.15, 0.4), (0.75, 0.4)),
        ),
    ),
    "h": pick(
        (
            polyline((0.25, 0.0), (0.25, 1.0)),
            chain(arc(0.5, 0.6, 0.25, 0.22, 180, 360), polyline((0.75, 0.6), (0.75, 1.0))),
        ),
        (
            chain(
                polyline((0.25, 0.0), (0.25, 1.0), (0.25, 0.65)),
                bezier((0.25, 0.65), (0.45, 0.3), (0.75, 0.35), (0.75, 1.0)),
            ),
        ),
    ),
    "k": pick(
        (polyline((0.25, 0.0), (0.25, 1.0)), polyline((0.75, 0.35), (0.27, 0.7), (0.8, 1.0))),
    ),
    "m": pick(
        (
            chain(
                polyline((0.1, 0.0), (0.1, 1.0), (0.1, 0.2)),
                arc(0.3, 0.25, 0.2, 0.22, 180, 360),
                polyline((0.5, 0.25), (0.5, 1.0), (0.5, 0.25)),
                arc(0.7, 0.25, 0.2, 0.22, 180, 360),
                polyline((0.9, 0.25), (0.9, 1.0)),
            ),
        ),
    ),
    "n": pick(
        (
            chain(
                polyline((0.2, 0.0), (0.2, 1.0), (0.2, 0.25)),
                arc(0.5, 0.3, 0.3, 0.28, 180, 360),
                polyline((0.8, 0.3), (0.8, 1.0)),
            ),
        ),
    ),
    "p": pick(
        (
            polyline((0.25, 0.0), (0.25, 1.0)),
            chain(
                polyline((0.25, 0.05), (0.5, 0.02)),
                arc(0.5, 0.27, 0.27, 0.25, -90, 90),
                polyline((0.5, 0.52), (0.25, 0.5)),
            ),
        ),
    ),
    "r": pick(
        (chain(polyline((0.3, 0.0), (0.3, 1.0), (0.3, 0.35)), arc(0.6, 0.35, 0.3, 0.3, 180, 300)),),
        (
            polyline((0.3, 0.0), (0.3, 1.0)),
            bezier((0.3, 0.3), (0.45, 0.0), (0.7, 0.0), (0.85, 0.1)),
        ),
    ),
    "t": pick(
        (
            chain(polyline((0.45, 0.0), (0.45, 0.8)), arc(0.65, 0.8, 0.2, 0.2, 180, 60)),
            polyline((0.15, 0.3), (0.8, 0.3)),
        ),
    ),
    "u": pick(
        (
            chain(
                polyline((0.2, 0.0), (0.2, 0.7)),
                arc(0.5, 0.7, 0.3, 0.3, 180, 0),
                polyline((0.8, 0.7), (0.8, 0.0), (0.8, 1.0)),
            ),
        ),
    ),
    "w": pick((polyline((0.0, 0.0), (0.25, 1.0), (0.5, 0.25), (0.75, 1.0), (1.0, 0.0)),)),
    "x": pick((polyline((0.0, 0.0), (1.0, 1.0)), polyline((1.0, 0.0), (0.0, 1.0)))),
}

# The typeset letters: the drawn ones less the single-storey a some faces have.
LATIN_LETTERS = "ACEFHKLMNPRTUVWXY" + "cdefhkmnprtuvwx"


# --- Symbols. -------------------------------------------------------------------------------


def s_curve(x0: float = 0.2, x1: float = 0.8) -> Stroke:
    """An S, top right to bottom left: a 5 alone, so only ever drawn inside a $."""
    mid = (x0 + x1) / 2
    return chain(
        bezier((x1, 0.12), (mid, -0.05), (x0 - 0.05, 0.1), (x0, 0.3)),
        bezier((x0, 0.3), (x0 + 0.05, 0.5), (x1, 0.45), (x1, 0.7)),
        bezier((x1, 0.7), (x1 + 0.02, 0.95), (x0, 1.0), (x0 - 0.02, 0.85)),
    )


SYMBOLS: dict[str, Generator] = {
    "#": pick(
        (
            polyline((0.4, 0.0), (0.3, 1.0)),
            polyline((0.75, 0.0), (0.65, 1.0)),
            polyline((0.05, 0.33), (1.0, 0.33)),
            polyline((0.0, 0.66), (0.95, 0.66)),
        ),
        (
            polyline((0.35, 0.0), (0.35, 1.0)),
            polyline((0.7, 0.0), (0.7, 1.0)),
            polyline((0.05, 0.35), (1.0, 0.35)),
            polyline((0.05, 0.68), (1.0, 0.68)),
        ),
    ),
    "*": pick(
        tuple(polyline(tuple(p), tuple(1 - p)) for p in regular(6, 0.5, 0.0)[:3]),
        tuple(polyline((0.5, 0.5), tuple(p)) for p in regular(5, 0.5, 0.0)),
        (
            polyline((0.5, 0.0), (0.5, 1.0)),
            polyline((0.1, 0.25), (0.9, 0.75)),
            polyline((0.9, 0.25), (0.1, 0.75)),
            polyline((0.05, 0.5), (0.95, 0.5)),
        ),
    ),
    "+": pick(
        (polyline((0.5, 0.0), (0.5, 1.0)), polyline((0.0, 0.5), (1.0, 0.5))),
        (polyline((0.0, 0.48), (1.0, 0.52)), polyline((0.52, 0.0), (0.48, 1.0))),
    ),
    "=": pick(
        (polyline((0.0, 0.3), (1.0, 0.3)), polyline((0.0, 0.7), (1.0, 0.7))),
        (polyline((0.05, 0.35), (0.95, 0.32)), polyline((0.0, 0.68), (1.0, 0.65))),
    ),
    "≠": pick(
        (
            polyline((0.0, 0.35), (1.0, 0.35)),
            polyline((0.0, 0.65), (1.0, 0.65)),
            polyline((0.7, 0.0), (0.3, 1.0)),
        )
    ),
    "@": pick(
        (
            ring(0.5, 0.52, 0.17, 0.2, start=0),
            chain(
                polyline((0.67, 0.3), (0.67, 0.68)),
                bezier((0.67, 0.68), (0.75, 0.8), (1.0, 0.75), (1.0, 0.5)),
                arc(0.5, 0.5, 0.5, 0.5, 0, -300),
            ),
        ),
    ),
    "&": pick(
        (
            chain(
                polyline((0.9, 1.0), (0.3, 0.38)),
                arc(0.42, 0.2, 0.16, 0.2, 130, -130),
                bezier((0.52, 0.36), (0.1, 0.55), (0.0, 0.9), (0.35, 0.98)),
                bezier((0.35, 0.98), (0.6, 1.0), (0.8, 0.75), (0.9, 0.55)),
            ),
        ),
    ),
    "%": pick(
        (ring(0.2, 0.2, 0.16, 0.2), polyline((0.9, 0.0), (0.1, 1.0)), ring(0.8, 0.8, 0.16, 0.2)),
        (
            ring(0.22, 0.18, 0.14, 0.18),
            polyline((0.85, 0.05), (0.15, 0.95)),
            ring(0.78, 0.82, 0.14, 0.18),
        ),
    ),
    "$": pick(
        (s_curve(), polyline((0.5, -0.15), (0.5, 1.15))),
        (s_curve(), polyline((0.45, -0.1), (0.45, 1.1)), polyline((0.55, -0.1), (0.55, 1.1))),
    ),
    "?": pick(
        (
            chain(
                arc(0.5, 0.25, 0.3, 0.25, 190, 400),
                polyline((0.62, 0.48), (0.5, 0.58), (0.5, 0.75)),
            ),
            dot(0.5, 1.0),
        ),
        (
            chain(
                arc(0.45, 0.22, 0.3, 0.22, 180, 430),
                bezier((0.55, 0.44), (0.45, 0.55), (0.45, 0.65), (0.45, 0.75)),
            ),
            dot(0.45, 1.0),
        ),
    ),
    "!": pick(
        (polyline((0.5, 0.0), (0.5, 0.7)), dot(0.5, 1.0)),
        (polyline((0.55, 0.0), (0.45, 0.68)), dot(0.45, 1.0)),
    ),
    "÷": pick((polyline((0.0, 0.5), (1.0, 0.5)), dot(0.5, 0.1), dot(0.5, 0.9))),
    "±": pick(
        (
            polyline((0.5, 0.0), (0.5, 0.7)),
            polyline((0.1, 0.35), (0.9, 0.35)),
            polyline((0.1, 1.0), (0.9, 1.0)),
        )
    ),
    "<": pick((polyline((0.9, 0.0), (0.1, 0.5), (0.9, 1.0)),)),
    ">": pick((polyline((0.1, 0.0), (0.9, 0.5), (0.1, 1.0)),)),
    "~": pick((bezier((0.0, 0.6), (0.3, -0.2), (0.7, 1.2), (1.0, 0.4)),)),
    "€": pick(
        (
            arc(0.6, 0.5, 0.4, 0.5, -50, -310),
            polyline((0.0, 0.4), (0.65, 0.4)),
            polyline((0.0, 0.6), (0.6, 0.6)),
        )
    ),
    "∞": pick((turned(figure_eight(0.22, 0.22, waist=0.5), 90),)),
    "©": pick((ring(0.5, 0.5, 0.5, 0.5), arc(0.52, 0.5, 0.2, 0.22, -40, -320))),
}


# --- Shapes: each drawing varies more than jitter can (corners, points, lobes, turns). -------


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


# --- Scribbles: long, tangled or repeated; never a single clean curve. ------------------------


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


# --- Held-out doodles: small pictures, nothing like the training shapes. ---------------------


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


# --- Glyphs: characters of many scripts and symbol blocks, from the training fonts. -----------
#
# Outlier exposure generalises with the diversity of its negatives, so "glyphs" draws on
# thousands of characters. Which ones is decided once by `select_glyphs` and stored in
# `GLYPHS_FILE`; `python -m model.nondigits --glyphs` redoes it (and writes montages).

GLYPHS_FILE = Path(__file__).with_name("glyphs.txt")
DATA_FILES = (GLYPHS_FILE,)  # part of the signature of every set drawn from this module

# The Unicode blocks drawn from. Left out on purpose, as the held-out kinds draw on them: Greek
# and Coptic and Greek Extended, Mathematical Operators and the other math blocks, math
# alphanumerics, musical symbols, Miscellaneous Symbols (2600-26FF: sun, cloud, flower, notes)
# and the pictographs; Number Forms too (Roman numerals, fractions).
GLYPH_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x00A0, 0x00FF, "Latin-1 Supplement"),
    (0x0100, 0x017F, "Latin Extended-A"),
    (0x0180, 0x024F, "Latin Extended-B"),
    (0x0250, 0x02AF, "IPA Extensions"),
    (0x02B0, 0x02FF, "Spacing Modifier Letters"),
    (0x0400, 0x04FF, "Cyrillic"),
    (0x0500, 0x052F, "Cyrillic Supplement"),
    (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x07C0, 0x07FF, "NKo"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x13A0, 0x13FF, "Cherokee"),
    (0x1400, 0x167F, "Unified Canadian Aboriginal Syllabics"),
    (0x1680, 0x169F, "Ogham"),
    (0x16A0, 0x16FF, "Runic"),
    (0x1D00, 0x1D7F, "Phonetic Extensions"),
    (0x1D80, 0x1DBF, "Phonetic Extensions Supplement"),
    (0x1E00, 0x1EFF, "Latin Extended Additional"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x2070, 0x209F, "Superscripts and Subscripts"),
    (0x20A0, 0x20CF, "Currency Symbols"),
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2190, 0x21FF, "Arrows"),
    (0x2300, 0x23FF, "Miscellaneous Technical"),
    (0x2400, 0x243F, "Control Pictures"),
    (0x2440, 0x245F, "Optical Character Recognition"),
    (0x2460, 0x24FF, "Enclosed Alphanumerics"),
    (0x2500, 0x257F, "Box Drawing"),
    (0x2580, 0x259F, "Block Elements"),
    (0x25A0, 0x25FF, "Geometric Shapes"),
    (0x2700, 0x27BF, "Dingbats"),
    (0x27F0, 0x27FF, "Supplemental Arrows-A"),
    (0x2800, 0x28FF, "Braille Patterns"),
    (0x2900, 0x297F, "Supplemental Arrows-B"),
    (0x2B00, 0x2BFF, "Miscellaneous Symbols and Arrows"),
    (0x2C00, 0x2C5F, "Glagolitic"),
    (0x2C60, 0x2C7F, "Latin Extended-C"),
    (0x2D00, 0x2D2F, "Georgian Supplement"),
    (0x2D30, 0x2D7F, "Tifinagh"),
    (0x2E00, 0x2E7F, "Supplemental Punctuation"),
    (0x4DC0, 0x4DFF, "Yijing Hexagram Symbols"),
    (0xA640, 0xA69F, "Cyrillic Extended-B"),
    (0xA700, 0xA71F, "Modifier Tone Letters"),
    (0xA720, 0xA7FF, "Latin Extended-D"),
    (0xFB00, 0xFB4F, "Alphabetic Presentation Forms"),
    (0xFB50, 0xFDFF, "Arabic Presentation Forms-A"),
    (0xFE70, 0xFEFF, "Arabic Presentation Forms-B"),
    (0x1D300, 0x1D35F, "Tai Xuan Jing Symbols"),
    (0x1F000, 0x1F02F, "Mahjong Tiles"),
    (0x1F030, 0x1F09F, "Domino Tiles"),
    (0x1F0A0, 0x1F0FF, "Playing Cards"),
)

# Words in a character's name that leave it out: numbers in any form, Greek letters (ohm, micro,
# APL's alpha: the held-out greek), and what the held-out doodles and music draw.
NUMBER_WORDS = frozenset(
    [
        "DIGIT",
        "NUMBER",
        "NUMERAL",
        "FRACTION",
        "ZERO",
        "ONE",
        "TWO",
        "THREE",
        "FOUR",
        "FIVE",
        "SIX",
        "SEVEN",
        "EIGHT",
        "NINE",
        "TEN",
    ]
)
GREEK_WORDS = frozenset(
    [
        "GREEK",
        "ALPHA",
        "BETA",
        "GAMMA",
        "DELTA",
        "EPSILON",
        "ZETA",
        "ETA",
        "THETA",
        "IOTA",
        "KAPPA",
        "LAMDA",
        "LAMBDA",
        "MU",
        "NU",
        "XI",
        "OMICRON",
        "PI",
        "RHO",
        "SIGMA",
        "TAU",
        "UPSILON",
        "PHI",
        "CHI",
        "PSI",
        "OMEGA",
        "OHM",
        "MICRO",
        "DIGAMMA",
        "KOPPA",
        "SAMPI",
        "STIGMA",
    ]
)
HELDOUT_WORDS = frozenset(
    [
        "FLOWER",
        "FLORETTE",
        "FLORAL",
        "TREE",
        "CLOUD",
        "FISH",
        "SUN",
        "CAT",
        "UMBRELLA",
        "CAR",
        "AUTOMOBILE",
        "ENVELOPE",
        "CUP",
        "BOAT",
        "SHIP",
        "SAILBOAT",
        "MUSHROOM",
        "NOTE",
        "NOTES",
        "MUSIC",
        "MUSICAL",
    ]
)
HELDOUT_CODES = frozenset(range(0x2135, 0x2139))  # ℵ ℶ ℷ ℸ: math's Hebrew letters
# Shapes the module's rules leave out (see its docstring), by name: an upright or slanted arrow
# is a flagged 1 or has a 7 in its head; the rest are read as 3, 5, 8 or 0 whatever their marks.
UPRIGHT_WORDS = frozenset(["UP", "UPWARDS", "DOWN", "DOWNWARDS", "NORTH", "SOUTH"])
SHAPE_WORDS = frozenset(
    [
        "EZH",
        "YOGH",
        "TONE",
        "DZE",
        "ZE",
        "ABKHASIAN",
        "KSI",
        "CHE",
        "BE",
        "JE",
        "SCHWA",
        "ETH",
        "BYELORUSSIAN",
        "CIRCLE",
        "OVAL",
        "ELLIPSE",
        "ZERO",
        "GLOTTAL",
    ]
)
SHAPE_PHRASES = ("OPEN E", "SHARP S", "REVERSED E", "TURNED E", "DOWN AND", "DOUBLE S")
# Canadian syllabics' K and Q series are b, q, p and d turned about: a b is a 6, a q a 9.
SYLLABIC_DIGIT_LIKE = re.compile(r"^CANADIAN SYLLABICS (?:[A-Z-]+ )?(?:FINAL )?[KQ]")
DIGIT_LIKE_SYMBOLS = frozenset("⌀◎◍◌◦◯⊘")  # rings, with a bar or in a ring: 0s
ROUND_LAST_WORDS = frozenset({"O", "OH"})  # Cyrillic О, its monocular and binocular Os, Armenian օ
# Latin letters the module leaves out (read as digits), and so every letter built on them.
DIGIT_LIKE_LATIN = frozenset("OoQDIlijJZzSsbGgqyB")
GLYPH_THRESHOLD = 0.68  # drop a glyph whose blurred 28x28 correlates this well with a digit's
PLAIN_STYLE = {
    "pen_width": 20.0,
    "scale": 0.7,
    "center": (0.5, 0.5),
    "slant": 0.0,
    "rotation_deg": 0.0,
    "aspect": 1.0,
}


def glyph_block(code: int) -> str | None:
    """The name of the `GLYPH_BLOCKS` block `code` is in, or None."""
    for start, end, name in GLYPH_BLOCKS:
        if start <= code <= end:
            return name
    return None


def latin_base(name: str) -> str | None:
    """The letter a Latin letter is built on, from its name: "Ś" → "S", "ɓ" → "b"; else None."""
    match = re.match(r"LATIN (CAPITAL|SMALL) LETTER (?:DOTLESS )?([A-Z])\b", name)
    if not match:
        return None
    return match[2] if match[1] == "CAPITAL" else match[2].lower()


def excluded_by_name(char: str) -> str | None:
    """Why `char` is left out by its Unicode data alone, or None: the first half of the rule."""
    code = ord(char)
    if glyph_block(code) is None:
        return "block"
    category = unicodedata.category(char)
    if category[0] in "MZCN":  # marks, spaces, controls and formats, numbers of every kind
        return f"category {category}"
    name = unicodedata.name(char, "")
    words = set(re.findall(r"[A-Z]+", name))
    if not name or words & NUMBER_WORDS:
        return "number"
    if words & GREEK_WORDS or any(
        0x0370 <= ord(c) <= 0x03FF or 0x1F00 <= ord(c) <= 0x1FFF
        for c in unicodedata.normalize("NFKD", char)
    ):
        return "greek"
    if words & HELDOUT_WORDS or code in HELDOUT_CODES or char in MATH or char in GREEK:
        return "held out"
    if name.startswith("BRAILLE PATTERN"):
        dots = name.rsplit("-", 1)[-1] if "-" in name else ""
        if len(dots) < 3 or not (set(dots) & set("1237") and set(dots) & set("4568")):
            return "too few dots, or a column of them"
    elif (
        words & SHAPE_WORDS
        or any(phrase in name for phrase in SHAPE_PHRASES)
        or name.split()[-1] in ROUND_LAST_WORDS
        or SYLLABIC_DIGIT_LIKE.match(name)
        or char in DIGIT_LIKE_SYMBOLS
        or (words & {"ARROW", "ARROWS", "HARPOON", "HARPOONS"} and words & UPRIGHT_WORDS)
    ):
        return "read as a digit"
    base = latin_base(name)
    if base and base in DIGIT_LIKE_LATIN:
        return f"built on {base}"
    if any(c in DIGIT_LIKE_LATIN for c in unicodedata.normalize("NFKD", char)):
        return "built on a digit-like letter"
    return None


def plain_28(font: Path, char: str) -> np.ndarray | None:
    """`char` in `font` redrawn with the pen in `PLAIN_STYLE`, preprocessed to 28x28, or None
    when it has no glyph, draws nothing, or is a lone bar, dot or tiny mark."""
    from model.preprocess import preprocess_batch

    strokes = typefaces.glyph_strokes(font, char)
    if not strokes:
        return None
    points = np.concatenate(strokes)
    extent = np.ptp(points, axis=0)
    # Thin in one direction after normalising to the longest side: a bar, a dash, a slash.
    centred = points - points.mean(axis=0)
    spread = np.linalg.svd(centred, compute_uv=False) if len(points) > 1 else np.zeros(2)
    if len(points) < 2 or spread[0] == 0 or spread[-1] / spread[0] < 0.15 or extent.max() < 0.5:
        return None
    bitmap = typefaces.glyph_bitmap(font, char)
    if max(bitmap.shape) - 8 < 0.2 * typefaces.GLYPH_SIZE:  # a dot, a comma, an accent
        return None
    image, empty = preprocess_batch(typefaces.render_sized(strokes, dict(PLAIN_STYLE))[None])
    return None if empty.size else image[0]


def blurred(image: np.ndarray) -> np.ndarray:
    """A 28x28 lightly blurred and standardised, so that a dot product is a correlation."""
    from scipy.ndimage import gaussian_filter

    flat = gaussian_filter(image.astype(np.float64), 1.0).ravel()
    flat = flat - flat.mean()
    return flat / (np.linalg.norm(flat) or 1.0)


def font_digit_vectors() -> tuple[np.ndarray, list[str]]:
    """Every training font's digits in `PLAIN_STYLE`, blurred: (n, 784) and their labels."""
    vectors, labels = [], []
    for font in typefaces.training_fonts():
        for digit in typefaces.DIGITS:
            image = plain_28(font, digit)
            if image is None:  # a 1 is a lone bar: draw it anyway
                from model.preprocess import preprocess_batch

                strokes = typefaces.glyph_strokes(font, digit)
                render = typefaces.render_sized(strokes, dict(PLAIN_STYLE))
                image = preprocess_batch(render[None])[0][0]
            vectors.append(blurred(image))
            labels.append(f"{digit} {font.stem}")
    return np.stack(vectors), labels


def score_glyphs(chars: Sequence[str]) -> dict[str, tuple[float, str] | None]:
    """Each character's best correlation with any digit in any font, over every font that maps
    it, and which digit; None when any of its fonts draws nothing or a lone bar or dot."""
    refs, labels = font_digit_vectors()
    fonts = typefaces.unicode_fonts()
    scores: dict[str, tuple[float, str] | None] = {}
    for char in chars:
        best, which = -1.0, ""
        for font in typefaces.fonts_mapping(char, fonts):
            image = plain_28(font, char)
            if image is None:
                best = None
                break
            correlations = refs @ blurred(image)
            k = int(np.argmax(correlations))
            if correlations[k] > best:
                best, which = float(correlations[k]), f"{labels[k]} vs {font.stem}"
        scores[char] = None if best is None or best < -0.5 else (best, which)
    return scores


def glyph_candidates() -> list[str]:
    """Every character some `typefaces.unicode_fonts()` maps that its name does not rule out."""
    codes = set()
    for font in typefaces.unicode_fonts():
        codes |= set(typefaces.character_map(font))
    return [chr(code) for code in sorted(codes) if excluded_by_name(chr(code)) is None]


def select_glyphs(threshold: float = GLYPH_THRESHOLD) -> tuple[list[str], dict]:
    """The glyphs to keep, in code point order, and every candidate's score."""
    scores = score_glyphs(glyph_candidates())
    kept = [c for c, s in scores.items() if s is not None and s[0] < threshold]
    return kept, scores


def write_glyphs(chars: Sequence[str], path: Path = GLYPHS_FILE) -> None:
    """`chars` to `path`, a comment line and a line of characters per block."""
    lines = [
        "# Characters for the 'glyphs' kind of non-digits, chosen by model.nondigits.select_glyphs",
        "# (python -m model.nondigits --glyphs). One line of characters per Unicode block.",
    ]
    for start, end, name in GLYPH_BLOCKS:
        block = [c for c in chars if start <= ord(c) <= end]
        if block:
            lines += [f"# U+{start:04X}-U+{end:04X} {name}: {len(block)}", "".join(block)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_glyphs(path: Path = GLYPHS_FILE) -> str:
    """The stored glyph characters, in file order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return "".join(line for line in lines if line and not line.startswith("#"))


GLYPHS = read_glyphs() if GLYPHS_FILE.exists() else ""


def pick_glyph(rng: np.random.Generator) -> tuple[Path, str]:
    """A glyph picked uniformly, and a random one of the fonts that map it: (font, char)."""
    if not GLYPHS:
        raise FileNotFoundError(f"{GLYPHS_FILE} is missing: python -m model.nondigits --glyphs")
    char = GLYPHS[rng.integers(len(GLYPHS))]
    fonts = typefaces.fonts_mapping(char, typefaces.unicode_fonts())
    return fonts[rng.integers(len(fonts))], char


def draw_glyph(rng: np.random.Generator, style: str) -> np.ndarray:
    """A glyph picked uniformly, in a random one of the fonts that map it."""
    font, char = pick_glyph(rng)
    return typefaces.draw_char(font, char, rng, STYLES[style].sample(rng))


# --- Composites: two training non-digits made one. ------------------------------------------
# Drawings nobody has listed are mostly parts people know, put together: a letter with a
# mark beside it, a shape inside another, a symbol over a bar, a filled shape with a stem. So a
# composite puts two parts of the training kinds together, in one of a few arrangements; a
# part may be filled in, as a hand fills a shape. The network then learns "not a digit" for
# combinations it was never shown one by one, rather than for a list of shapes. A composite
# that happens to look like a digit (a circle and a bar) is drawn again (`digit_like`).

COMPOSITE_SOURCES = ("letters", "symbols", "shapes", "font_letters", "glyphs")
COMPOSITE_THRESHOLD = 0.7  # correlation with a reference digit above which a composite is redrawn


def unit_box(strokes: Sequence[Stroke]) -> list[Stroke]:
    """`strokes` moved and scaled so that their bounding box's longer side spans [0, 1]."""
    arrays = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    points = np.concatenate(arrays)
    low = points.min(axis=0)
    side = max(float(np.ptp(points[:, 0])), float(np.ptp(points[:, 1])), 1e-6)
    return [(stroke - low) / side for stroke in arrays]


def placed(strokes: Sequence[Stroke], box: tuple[float, float, float, float]) -> list[Stroke]:
    """`strokes` fitted into `box` (x0, y0, x1, y1), keeping their shape, centred in it."""
    unit = unit_box(strokes)
    points = np.concatenate(unit)
    extent = np.ptp(points, axis=0)
    x0, y0, x1, y1 = box
    side = min((x1 - x0) / max(extent[0], 1e-6), (y1 - y0) / max(extent[1], 1e-6))
    offset = np.array([x0 + x1, y0 + y1]) / 2 - side * extent / 2
    return [stroke * side + offset for stroke in unit]


def filled(strokes: Sequence[Stroke], rng: np.random.Generator) -> list[Stroke]:
    """`strokes` with their inside hatched densely, as a pen fills a shape: lines across the
    bounding box, kept where they are inside the outline (even-odd rule on the first stroke)."""
    from matplotlib.path import Path as Outline

    outline = Outline(np.asarray(strokes[0], dtype=np.float64).reshape(-1, 2))
    points = np.concatenate([np.asarray(s).reshape(-1, 2) for s in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    angle = rng.uniform(0, np.pi)
    along, across = (
        np.array([np.cos(angle), np.sin(angle)]),
        np.array([-np.sin(angle), np.cos(angle)]),
    )
    centre, reach = (low + high) / 2, float(np.linalg.norm(high - low)) / 2
    hatch = []
    for offset in np.arange(-reach, reach, 0.04):
        line = centre + offset * across + np.linspace(-reach, reach, 60)[:, None] * along
        inside = outline.contains_points(line)
        if inside.sum() >= 2:
            # One stroke per run of inside points.
            runs = np.split(line, np.flatnonzero(np.diff(inside.astype(int))) + 1)
            hatch += [run for run in runs if outline.contains_points(run[:1])[0] and len(run) > 1]
    return [*strokes, *hatch]


CLOSED_SHAPES = ("triangle", "rectangle", "diamond", "star", "heart")


def composite_part(rng: np.random.Generator) -> list[Stroke]:
    """One part: a drawn letter, symbol or shape, or a typeset letter or glyph, as strokes."""
    source = COMPOSITE_SOURCES[rng.integers(len(COMPOSITE_SOURCES))]
    if source == "font_letters":
        char = LATIN_LETTERS[rng.integers(len(LATIN_LETTERS))]
        font = typefaces.pick_font(char, typefaces.training_fonts(), rng)
        return unit_box(typefaces.glyph_strokes(font, char))
    if source == "glyphs" and GLYPHS:
        strokes = typefaces.glyph_strokes(*pick_glyph(rng))
        if strokes:
            return unit_box(strokes)
    if source == "shapes" and rng.random() < 0.4:
        name = CLOSED_SHAPES[rng.integers(len(CLOSED_SHAPES))]
        return filled(unit_box(SHAPES[name](rng)), rng)
    generators = DRAWN.get(source, SHAPES)
    names = list(generators)
    return unit_box(generators[names[rng.integers(len(names))]](rng))


def small_marks(rng: np.random.Generator) -> list[Stroke]:
    """One to three little marks: dots, dashes, ticks, small rings."""
    marks = []
    for _ in range(rng.integers(1, 4)):
        x, y = rng.uniform(0.0, 1.0, size=2)
        shape = rng.integers(4)
        if shape == 0:
            marks.append(dot(x, y))
        elif shape == 1:
            marks.append(polyline((x - 0.08, y), (x + 0.08, y + rng.uniform(-0.04, 0.04))))
        elif shape == 2:
            marks.append(polyline((x - 0.05, y - 0.06), (x, y + 0.05), (x + 0.09, y - 0.1)))
        else:
            marks.append(ring(x, y, 0.06, 0.06))
    return marks


SIDE_BY_SIDE, STACKED, OVERLAID, NESTED, WITH_MARKS = range(5)  # how two parts make one


def arranged(
    a: Sequence[Stroke], b: Sequence[Stroke], arrangement: int, rng: np.random.Generator
) -> list[Stroke]:
    """Two parts as one drawing in the unit box: `SIDE_BY_SIDE`, `STACKED` (`a` above `b`),
    `OVERLAID` (drawn over each other), or `NESTED` (`b` small inside `a`)."""
    if arrangement == SIDE_BY_SIDE:
        gap = rng.uniform(0.0, 0.1)
        return [*placed(a, (0, 0, 0.5 - gap, 1)), *placed(b, (0.5 + gap, 0, 1, 1))]
    if arrangement == STACKED:
        gap = rng.uniform(0.0, 0.1)
        return [*placed(a, (0, 0, 1, 0.5 - gap)), *placed(b, (0, 0.5 + gap, 1, 1))]
    if arrangement == OVERLAID:
        shift = rng.uniform(-0.2, 0.2, size=2)
        return [
            *placed(a, (0, 0, 1, 1)),
            *placed(b, (0.1 + shift[0], 0.1 + shift[1], 0.9 + shift[0], 0.9 + shift[1])),
        ]
    size = rng.uniform(0.3, 0.45)
    return [
        *placed(a, (0, 0, 1, 1)),
        *placed(b, (0.5 - size / 2, 0.5 - size / 2, 0.5 + size / 2, 0.5 + size / 2)),
    ]


def composite(rng: np.random.Generator) -> Strokes:
    """Two parts (or a part and small marks) in one of five arrangements, in the unit box."""
    a = composite_part(rng)
    arrangement = int(rng.integers(5))
    if arrangement == WITH_MARKS:
        return [*placed(a, (0.15, 0.15, 0.85, 0.85)), *placed(small_marks(rng), (0, 0, 1, 1))]
    return arranged(a, composite_part(rng), arrangement, rng)


@functools.cache
def reference_digits() -> np.ndarray:
    """Blurred plain 28x28s of every digit as the training fonts and the canvas templates draw
    it: what a composite must not resemble."""
    from model.preprocess import preprocess_batch

    font_refs, _ = font_digit_vectors()
    drawn = [
        preprocess_batch(typefaces.render_sized(template, dict(PLAIN_STYLE))[None])[0][0]
        for templates in TEMPLATES.values()
        for template in templates
    ]
    return np.concatenate([font_refs, np.stack([blurred(image) for image in drawn])])


def digit_like(strokes: Sequence[Stroke], threshold: float = COMPOSITE_THRESHOLD) -> bool:
    """Whether `strokes`, drawn plainly, correlate with some reference digit at `threshold` or
    more."""
    from model.preprocess import preprocess_batch

    image, empty = preprocess_batch(typefaces.render_sized(strokes, dict(PLAIN_STYLE))[None])
    if empty.size:
        return True
    return bool((reference_digits() @ blurred(image[0])).max() >= threshold)


def first_kept(
    make: Generator, keep: Callable[[Strokes], bool], rng: np.random.Generator
) -> Strokes:
    """`make(rng)` drawn again until `keep` accepts it."""
    while True:
        strokes = make(rng)
        if keep(strokes):
            return strokes


def kept_composite(rng: np.random.Generator) -> Strokes:
    """A composite, drawn again while it looks like a digit (most do not)."""
    return first_kept(composite, lambda strokes: not digit_like(strokes), rng)


# --- Digits remixed: a digit's own strokes, made into something no one reads as one digit. ---

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


# --- Kinds. ---------------------------------------------------------------------------------

GREEK = "ΔΞΠΣΦΨΩ" + "αηλμπρφψω"  # no γ: it is drawn as a y, an open 4
MATH = "∀∇≈≤≥⊂⊃∠⊕⊗≡ℵ⇒∝"  # no ∃: a reversed E is a flat-topped 3

DRAWN: dict[str, dict[str, Generator]] = {
    "letters": LETTERS,
    "symbols": SYMBOLS,
    "shapes": SHAPES,
    "scribbles": SCRIBBLES,
    "stray": STRAY,
    "doodles": DOODLES,
    "music": MUSIC,
}
# Kinds built from other kinds' parts, each drawn again until it passes its check.
KEPT: dict[str, Generator] = {"composites": kept_composite, "remixed": remixed_strokes}
TYPESET: dict[str, tuple[str, Callable[[], Sequence]]] = {
    "font_letters": (LATIN_LETTERS, typefaces.training_fonts),
    "greek": (GREEK, typefaces.heldout_fonts),
    "heldout_font_letters": (LATIN_LETTERS, typefaces.heldout_fonts),
    "math": (MATH, typefaces.heldout_fonts),
}
TRAINING_KINDS = (
    "letters",
    "font_letters",
    "symbols",
    "shapes",
    "scribbles",
    "stray",
    "glyphs",
    "composites",
    "remixed",
)
HELDOUT_KINDS = ("greek", "heldout_font_letters", "math", "doodles", "music")


# Each kind's templates: generator names for the drawn kinds, characters for the typeset ones.
KINDS: dict[str, tuple[str, ...]] = {
    kind: tuple(DRAWN[kind])
    if kind in DRAWN
    else tuple(GLYPHS)
    if kind == "glyphs"
    else COMPOSITE_SOURCES
    if kind == "composites"
    else ("cut_and_moved", "arranged")
    if kind == "remixed"
    else tuple(TYPESET[kind][0])
    for kind in TRAINING_KINDS + HELDOUT_KINDS
}


def heldout(kinds: np.ndarray) -> np.ndarray:
    """Which of these non-digits are of a kind no network trains on (a boolean mask)."""
    return np.isin(kinds, HELDOUT_KINDS)


def draw_nondigit(kind: str, rng: np.random.Generator, style: str = "mixed") -> np.ndarray:
    """One drawing of `kind`: (280, 280) uint8, white on black, in `style`."""
    if kind == "glyphs":
        return draw_glyph(rng, style)
    if kind in TYPESET:
        chars, fonts = TYPESET[kind]
        return typefaces.draw_typeset(chars[rng.integers(len(chars))], fonts(), rng, style)
    if kind in KEPT:
        strokes = KEPT[kind](rng)
    else:
        generators = DRAWN[kind]
        strokes = generators[list(generators)[rng.integers(len(generators))]](rng)
    return typefaces.render_sized(jitter(strokes, rng), STYLES[style].sample(rng))


def make_nondigits(
    n: int, *, seed: int = 0, kinds: Sequence[str] = TRAINING_KINDS, style: str = "mixed"
) -> tuple[np.ndarray, np.ndarray]:
    """`n` non-digit drawings: images (n, 280, 280) uint8 and their kinds (n,) str.

    Kinds cycle in the order given, so each gets an equal share. The same seed, kinds and
    style always give the same arrays.
    """
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise ValueError(f"unknown kinds {unknown}; choose from {', '.join(KINDS)}")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    if n < 0:
        raise ValueError(f"n must be at least 0, not {n}")
    rng = np.random.default_rng(seed)
    names = np.array([kinds[i % len(kinds)] for i in range(n)], dtype=str)
    images = np.empty((n, CANVAS, CANVAS), dtype=np.uint8)
    for i, kind in enumerate(names):
        images[i] = draw_nondigit(str(kind), rng, style)
    return images, names


def main(argv: Sequence[str] | None = None) -> None:
    """`--glyphs`: choose the glyphs again and rewrite `GLYPHS_FILE` (a few minutes)."""
    parser = argparse.ArgumentParser(prog="python -m model.nondigits", description=main.__doc__)
    parser.add_argument(
        "--glyphs", action="store_true", help="rechoose the glyphs kind's characters"
    )
    parser.add_argument("--threshold", type=float, default=GLYPH_THRESHOLD)
    args = parser.parse_args(argv)
    if not args.glyphs:
        parser.print_help()
        return
    candidates = glyph_candidates()
    kept, _ = select_glyphs(args.threshold)
    write_glyphs(kept)
    print(f"{len(candidates)} candidates, {len(kept)} kept, written to {GLYPHS_FILE}")


if __name__ == "__main__":
    main()
