"""Digits from stroke fonts: the paths of plotter and engraving fonts, drawn with the canvas pen.

A stroke font (Hershey's fonts of 1967, the EMS fonts for pen plotters) stores each glyph as the
pen's path, not as an outline to fill: exactly what a person traces, with no thinning to undo
(compare `model.typefaces`). Each font's digits are a hand of their own, drawn by a type
designer: long-flagged 1s, looped 2s, open 4s, slashed and boxy 0s. Drawn with the same jitter,
pens, sizes, slants and positions as `model.drawings`, they are canvas drawings of digit shapes
that no stroke template of ours has.

Two pools that never overlap keep an evaluation honest: `TRAINING_FONTS` are Hershey's, which a
network may train on (`train --stroke-fonts N`), and `HELDOUT_FONTS` are the EMS fonts, which no
network trains on (`python -m model evaluate --set strokefonts`). The glyphs come from the npm
package `hersheytext@2.0.0` (MIT; the Hershey data are free to use with credit to the U.S.
National Bureau of Standards, the EMS fonts are under the SIL Open Font License), fetched by
`python -m model data` the way MNIST is and checked against SHA-256. Only numpy is used here.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np

from model import data, drawings
from model.drawings import CANVAS, STYLES, Stroke

NPM_PACKAGE = "hersheytext@2.0.0"

# Hershey's fonts with digits of their own (the package's other Hershey fonts repeat these
# digits: Greek and the math fonts are `futural`'s, Cyrillic is `timesr`'s, the scripts `timesi`'s).
TRAINING_FONTS = ("futural", "futuram", "timesr", "timesrb", "timesi", "timesib", "gothiceng")
# The EMS fonts, single-line versions of other designers' typefaces, a script among them.
HELDOUT_FONTS = (
    "EMSAllure",
    "EMSElfin",
    "EMSFelix",
    "EMSNixish",
    "EMSNixishItalic",
    "EMSOsmotron",
    "EMSReadability",
    "EMSReadabilityItalic",
    "EMSTech",
)

# Where each file sits in the tarball, and its SHA-256.
FILES = {
    "hersheytext.json": (
        "package/hersheytext.json",
        "1aacce429fbf5eacb060b2cd3d9ad595fa820d28c9667b9ab1177de8de14bd8a",
    ),
    "EMSAllure.svg": ("", "55ed2de9c602229f32dd2784aae704023a5594eb8d208131f2552fae330a2a67"),
    "EMSElfin.svg": ("", "0224d1af4c3d62d8c0390b83a47bcd5e7a5e605f3803a9078cde303ea0acf401"),
    "EMSFelix.svg": ("", "e7b2463c6cb2a2cbef59db9b1f9f5a20a0ecd9158eeb8f01f2015c9e5be7dca4"),
    "EMSNixish.svg": ("", "e72414cc04bc9a31c38065b95bbc868d04d47a3cd86cf024c187ced68a4104bd"),
    "EMSNixishItalic.svg": (
        "",
        "58220e34bee71e11c4f14acf3b4b4a4b5599cf55643c3c0460c2df56975d012b",
    ),
    "EMSOsmotron.svg": ("", "158b0f247a005ca5b6b8556f85684ad10cbb04c41ebbd394b9090c8ea2f16c52"),
    "EMSReadability.svg": (
        "",
        "eebece4f2a47b9d3a8f40cab2b0f689ca60902997abd5c81064ef0d2a3a05522",
    ),
    "EMSReadabilityItalic.svg": (
        "",
        "e0b5916a30fa50f2fde1446b8372f31cca093806bb3c45465d809aedb3591080",
    ),
    "EMSTech.svg": ("", "7b5a420d4e16285213e7e2b1d187d086835c2dd7a7f64c5b8057434f082fc46f"),
}
MEMBERS = {name: member or f"package/svg_fonts/{name}" for name, (member, _) in FILES.items()}
CHECKSUMS = {name: checksum for name, (_, checksum) in FILES.items()}

HAND_JITTER = 0.025  # as `drawings.jitter`'s default: these are drawings, not type


def fonts_dir() -> Path:
    return data.cache_dir() / "stroke-fonts"


def fetch(directory: Path) -> None:
    data.npm_unpack(NPM_PACKAGE, MEMBERS, directory, "the stroke fonts")


def ensure_files() -> Path:
    """The verified font files in the data cache, fetched once with npm."""
    return data.ensure_verified(fonts_dir(), CHECKSUMS, fetch, f"stroke fonts ({NPM_PACKAGE})")


# --- Glyphs. ----------------------------------------------------------------------------------


def parse_path(path: str, y_up: bool = False) -> list[Stroke]:
    """An SVG path of moves and lines ("M x,y L x,y x,y ...") → its strokes as point arrays."""
    strokes: list[list[tuple[float, float]]] = []
    for command, points in re.findall(r"([ML])([^ML]*)", path):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d*)?", points)]
        pairs = list(zip(numbers[0::2], numbers[1::2], strict=False))
        if command == "M" or not strokes:
            strokes.append([])
        strokes[-1] += [(x, -y if y_up else y) for x, y in pairs]
    return [np.asarray(stroke, dtype=np.float64) for stroke in strokes if stroke]


def template_box(strokes: list[Stroke]) -> tuple[Stroke, ...]:
    """Strokes moved and scaled as the templates are: top at 0 and bottom at 1, left at 0."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    return tuple((stroke - low) / max(high[1] - low[1], 1e-6) for stroke in strokes)


@functools.cache
def digit_strokes(font: str) -> tuple[tuple[Stroke, ...], ...]:
    """The strokes of `font`'s digits 0-9, each in the unit box (x right, y down)."""
    directory = ensure_files()
    if font in TRAINING_FONTS:
        chars = json.loads((directory / "hersheytext.json").read_text())[font]["chars"]
        # Hershey's characters run from "!" (code 33) on; y already points down.
        paths = [chars[ord(digit) - 33]["d"] for digit in "0123456789"]
        return tuple(template_box(parse_path(path)) for path in paths)
    if font in HELDOUT_FONTS:
        text = (directory / f"{font}.svg").read_text()
        paths = [
            re.search(rf'<glyph unicode="{digit}"[^>]*?\sd="([^"]*)"', text).group(1)
            for digit in "0123456789"
        ]
        return tuple(template_box(parse_path(path, y_up=True)) for path in paths)
    raise ValueError(f"unknown stroke font {font!r}")


# --- Drawings. --------------------------------------------------------------------------------


def stroke_font_digits(
    n_per_digit: int,
    *,
    seed: int,
    fonts: tuple[str, ...],
    style: str = "mixed",
    stroke_ends: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n_per_digit` drawings of each digit, each in a font picked at random among `fonts`:
    images (N, 280, 280) uint8, labels (N,) uint8 cycling 0..9, and each drawing's font.

    Drawn as `drawings.make_canvas_digits` draws a template (jitter, with `stroke_ends` also
    `drawings.vary_ends`, then a pen, size, place and turn from the style). The same arguments
    always give the same arrays.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    rng = np.random.default_rng(seed)
    labels = np.tile(np.arange(10, dtype=np.uint8), n_per_digit)
    images = np.empty((len(labels), CANVAS, CANVAS), dtype=np.uint8)
    picked = []
    for i, digit in enumerate(labels):
        font = fonts[rng.integers(len(fonts))]
        strokes = drawings.jitter(digit_strokes(font)[digit], rng, HAND_JITTER)
        if stroke_ends:
            strokes = drawings.vary_ends(strokes, rng)
        images[i] = drawings.render_strokes(strokes, size=CANVAS, **STYLES[style].sample(rng))
        picked.append(font)
    return images, labels, np.array(picked)
