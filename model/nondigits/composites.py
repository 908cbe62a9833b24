"""Composites: two training non-digits made one.

Drawings nobody has listed are mostly parts people know, put together: a letter with a
mark beside it, a shape inside another, a symbol over a bar, a filled shape with a stem. So a
composite puts two parts of the training kinds together, in one of a few arrangements; a
part may be filled in, as a hand fills a shape. The network then learns "not a digit" for
combinations it was never shown one by one, rather than for a list of shapes. A composite
that happens to look like a digit (a circle and a bar) is drawn again (`digit_like`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from model import typefaces
from model.drawings import TEMPLATES, Stroke, polyline
from model.nondigits.glyphs import GLYPHS, PLAIN_STYLE, blurred, font_digit_vectors, pick_glyph
from model.nondigits.letters import LATIN_LETTERS, LETTERS
from model.nondigits.shapes import SHAPES
from model.nondigits.strokes import Generator, Strokes, dot, ring
from model.nondigits.symbols import SYMBOLS

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


# The drawn sources, as the package's DRAWN has them (imported from there, it would be a cycle).
PARTS = {"letters": LETTERS, "symbols": SYMBOLS, "shapes": SHAPES}
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
    generators = PARTS.get(source, SHAPES)  # glyphs with no GLYPHS_FILE: a shape
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
