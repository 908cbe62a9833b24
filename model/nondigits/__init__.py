"""Drawings that are not digits, as the canvas draws them, to teach a network to say so.

A network trained on digits alone has no way to answer "none of these": a capital A comes out a
confident 4, a heart a 0, a star a 4. Shown non-digits with a uniform target ("outlier exposure")
it learns to spread its probabilities when a drawing is nothing it knows. This package draws
them with the digits' own machinery (`model.drawings`: stroke templates in the unit box, hand
jitter, the round pen and the same `Style` ranges), by KIND, each drawn kind in a module of its
own (scribbles and stray marks share one, as do the held-out doodles and music; the typeset kinds'
characters are in letters.py and glyphs.py); this module says which kinds train and draws them:

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
                  (see `glyphs.excluded_by_name` and `glyphs.select_glyphs`)
    composites    two of the above made one: side by side, stacked, drawn over each other, one
                  inside the other, or one with small marks round it; a part may be filled in.
                  Redrawn when the result looks like a digit (`composites.digit_like`)
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

No TensorFlow: numpy, PIL, scipy, matplotlib's Path, `model.drawings` and `model.typefaces`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model import typefaces
from model.drawings import CANVAS, STYLES, jitter
from model.nondigits.composites import COMPOSITE_SOURCES, kept_composite
from model.nondigits.doodles import DOODLES, MUSIC
from model.nondigits.glyphs import GLYPHS, GLYPHS_FILE, GREEK, MATH, draw_glyph
from model.nondigits.letters import LATIN_LETTERS, LETTERS
from model.nondigits.remixed import remixed_strokes
from model.nondigits.scribbles import SCRIBBLES, STRAY
from model.nondigits.shapes import SHAPES
from model.nondigits.strokes import Generator
from model.nondigits.symbols import SYMBOLS

# Part of the signature of every set drawn from this package (`model.data.source_signature`).
DATA_FILES = (GLYPHS_FILE,)

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
# Each kind as the app names it to a visitor.
KIND_WORDS = {
    "letters": "letters",
    "font_letters": "letters from typefaces",
    "symbols": "symbols",
    "shapes": "shapes",
    "scribbles": "scribbles",
    "stray": "stray marks",
    "glyphs": "other scripts",
    "composites": "two shapes in one",
    "remixed": "remixed digits",
    "greek": "Greek letters",
    "heldout_font_letters": "letters, unseen typefaces",
    "math": "math symbols",
    "doodles": "doodles",
    "music": "music notes",
}


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
