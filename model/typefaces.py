"""Characters from typefaces, redrawn with a round pen the way the app's canvas draws them.

A typeface's glyph is not a drawing: its strokes swell and thin, end in serifs and fill whole
areas in bold. Nobody draws a 4 like that on a 280x280 canvas with a mouse. But the *path* of a
glyph is what a person traces, so each glyph is thinned to its skeleton and the skeleton is
redrawn as strokes by the same pen, jitter, sizes, slants and positions as `model.drawings`:

    glyph rendered large → skeleton (1 px wide) → traced into strokes, corner spurs pruned
          → hand jitter → `drawings.render_strokes` with a sampled `drawings.Style`

Typefaces give the network shapes that no stroke template has: digits as thousands of type
designers drew them (extra positives), and letters to say "not a digit" to (negatives).

Two pools of typefaces that never overlap keep an evaluation honest: `training_fonts()` are the
TrueType fonts bundled with matplotlib (DejaVu, STIX, Computer Modern), and `heldout_fonts()` are
system fonts from other foundries, installed from Debian (see `HELDOUT_FONT_FILES`), for measuring
on typefaces the network has never seen. Skeletons are cached per (font, character), so only the
first drawing of a glyph pays for thinning; the rest cost a jitter and a render.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageDraw, ImageFont
from scipy.ndimage import distance_transform_edt
from skimage.measure import approximate_polygon
from skimage.morphology import skeletonize

from model import drawings
from model.drawings import CANVAS, STYLES, Stroke

DIGITS = "0123456789"
GLYPH_SIZE = 200  # font size in pixels for thinning: large enough that a skeleton is smooth
SPUR = 1.5  # end branches shorter than this many stroke half-widths are corner spurs
TRACE_TOLERANCE = 1.0  # pixels a simplified stroke may stray from the skeleton
HAND_JITTER = 0.02  # as `drawings.jitter`'s amount: a little steadier than a drawn template

# Fonts that map letters and digits to symbols (math extension and symbol fonts): they pass the
# character-map checks below but their "A" is not an A.
SYMBOL_FONTS = frozenset({"cmex10", "cmsy10"})

# The held-out typefaces: varied on purpose (sans, serif, mono, geometric, comic, two scripts),
# none a DejaVu, STIX or Computer Modern, so none shares a designer's hand with training_fonts().
HELDOUT_FONT_FILES: dict[str, tuple[str, ...]] = {
    "fonts-urw-base35": tuple(
        f"/usr/share/fonts/opentype/urw-base35/{name}.otf"
        for name in (
            "NimbusSans-Regular",
            "NimbusSans-Italic",
            "NimbusRoman-Regular",
            "NimbusRoman-Italic",
            "NimbusMonoPS-Regular",
            "URWGothic-Book",
            "URWBookman-Light",
            "C059-Roman",
            "P052-Roman",
            "P052-Italic",
            "Z003-MediumItalic",
        )
    ),
    "fonts-freefont-ttf": tuple(
        f"/usr/share/fonts/truetype/freefont/{name}.ttf"
        for name in ("FreeSans", "FreeSerif", "FreeMono", "FreeSerifItalic")
    ),
    "fonts-comic-neue": ("/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf",),
    "fonts-dancingscript": ("/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf",),
}


# --- The two pools of typefaces. ------------------------------------------------------------


@functools.cache
def character_map(font: str | Path) -> dict[int, int]:
    """The font's code point → glyph index table."""
    return FT2Font(str(font)).get_charmap()


def maps_latin(font: str | Path) -> bool:
    """Whether the font has its own glyph for every digit and Latin letter.

    Fonts for large sizes or private encodings (DejaVu Display, STIX NonUnicode and Size*) lack
    them; a last-resort font maps them all to one and the same box.
    """
    table = character_map(font)
    wanted = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    glyphs = [table.get(ord(char), 0) for char in wanted]
    return all(glyphs) and len(set(glyphs)) == len(wanted)


@functools.cache
def training_fonts() -> tuple[Path, ...]:
    """matplotlib's bundled TrueType fonts that draw real digits and letters."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return tuple(
        path
        for path in sorted(folder.glob("*.ttf"))
        if path.stem not in SYMBOL_FONTS and maps_latin(path)
    )


@functools.cache
def unicode_fonts() -> tuple[Path, ...]:
    """The training fonts whose character maps are Unicode beyond ASCII (DejaVu and STIX).

    Computer Modern's TrueType files map code points above ASCII to TeX's own encoding, so their
    "ж" or "→" is some other glyph.
    """
    return tuple(font for font in training_fonts() if not font.stem.startswith("cm"))


def fonts_mapping(char: str, fonts: tuple[Path, ...]) -> tuple[Path, ...]:
    """The fonts among `fonts` whose character map has `char`: no thinning, unlike `fonts_with`."""
    return tuple(font for font in fonts if character_map(font).get(ord(char)))


def heldout_fonts() -> tuple[Path, ...]:
    """The system fonts kept out of training; a clear error naming the packages when missing."""
    missing = [
        package
        for package, files in HELDOUT_FONT_FILES.items()
        if not all(Path(file).is_file() for file in files)
    ]
    if missing:
        raise FileNotFoundError(
            "the held-out fonts are not installed; install them with "
            f"`apt-get install {' '.join(missing)}` (Debian) or run `bash tests/run.sh`"
        )
    return tuple(Path(file) for files in HELDOUT_FONT_FILES.values() for file in files)


# --- From a glyph to strokes. ---------------------------------------------------------------


def glyph_bitmap(font: str | Path, char: str, size: int = GLYPH_SIZE) -> np.ndarray:
    """The glyph as a boolean image, black margin all round (for thinning to see its edges)."""
    face = ImageFont.truetype(str(font), size)
    left, top, right, bottom = face.getbbox(char)
    margin = 4
    image = Image.new("L", (right - left + 2 * margin, bottom - top + 2 * margin), 0)
    ImageDraw.Draw(image).text((margin - left, margin - top), char, font=face, fill=255)
    return np.asarray(image) > 127


def skeleton_graph(skeleton: np.ndarray) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Each skeleton pixel's neighbours, 8-connected, without diagonals that an L-step covers.

    A staircase step is three pixels; with its diagonal too every step would be a tiny
    triangle, and every pixel on it a junction.
    """
    pixels = {(int(y), int(x)) for y, x in zip(*np.nonzero(skeleton), strict=True)}
    graph = {}
    for y, x in sorted(pixels):  # a fixed order, so strokes come out in one order
        graph[y, x] = [
            (y + dy, x + dx)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if (dy or dx)
            and (y + dy, x + dx) in pixels
            and not (dy and dx and ((y + dy, x) in pixels or (y, x + dx) in pixels))
        ]
    return graph


def trace(graph: dict[tuple[int, int], list[tuple[int, int]]]) -> list[list[tuple[int, int]]]:
    """The skeleton as paths of pixels, from junction or end to junction or end; loops whole."""
    ends = {pixel for pixel, around in graph.items() if len(around) != 2}
    walked: set[frozenset] = set()
    paths = [[pixel] for pixel in sorted(ends) if not graph[pixel]]  # lone dots

    def walk(start, step):
        path = [start, step]
        walked.add(frozenset((start, step)))
        while path[-1] not in ends:
            here = path[-1]
            onward = [p for p in graph[here] if frozenset((here, p)) not in walked]
            if not onward:  # back where a loop began
                break
            walked.add(frozenset((here, onward[0])))
            path.append(onward[0])
        return path

    for start in [*sorted(ends), *sorted(graph)]:  # from the ends first; what is left are loops
        for step in graph[start]:
            if frozenset((start, step)) not in walked:
                paths.append(walk(start, step))
    return paths


def prune_spurs(
    paths: list[list[tuple[int, int]]], graph: dict, shortest: float
) -> list[list[tuple[int, int]]]:
    """Drop branches shorter than `shortest` pixels that hang off a junction and end freely.

    Thinning a thick stroke leaves such spurs in its corners, which nobody draws. Longer
    branches stay: the flag of a 1, the arms of a K, and serifs (a 1's base, a 7's tick).
    """

    def is_free_end(pixel):
        return len(graph[pixel]) == 1

    def is_junction(pixel):
        return len(graph[pixel]) > 2

    return [
        path
        for path in paths
        if not (
            len(path) < shortest
            and (
                (is_free_end(path[0]) and is_junction(path[-1]))
                or (is_junction(path[0]) and is_free_end(path[-1]))
            )
        )
    ]


@functools.cache
def glyph_strokes(font: str | Path, char: str) -> tuple[Stroke, ...]:
    """The glyph's skeleton as strokes in the unit box (y down), longest side 1; () if absent.

    Cached: thinning costs milliseconds, a cached glyph nothing.
    """
    if not character_map(font).get(ord(char)):
        return ()
    bitmap = glyph_bitmap(font, char)
    skeleton = skeletonize(bitmap)
    if not skeleton.any():
        return ()
    half_width = float(np.median(distance_transform_edt(bitmap)[skeleton]))
    graph = skeleton_graph(skeleton)
    paths = prune_spurs(trace(graph), graph, shortest=SPUR * half_width)
    strokes = [
        approximate_polygon(np.asarray(path, dtype=np.float64)[:, ::-1], TRACE_TOLERANCE)
        for path in paths
    ]
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    side = max(float(np.ptp(points[:, 0])), float(np.ptp(points[:, 1])), 1.0)
    return tuple((stroke - low) / side for stroke in strokes)


@functools.cache
def fonts_with(char: str, fonts: tuple[Path, ...]) -> tuple[Path, ...]:
    """The fonts among `fonts` that have a glyph for `char`."""
    return tuple(font for font in fonts if glyph_strokes(font, char))


# --- Rendering. -----------------------------------------------------------------------------


def render_sized(strokes: Sequence[Stroke], params: dict) -> np.ndarray:
    """`drawings.render_strokes` with `scale` measuring the longest side, not the height.

    A digit is taller than wide, so its height is its size; an m, a wave or an arrow is wider,
    and scaled by its height it would run off the canvas.
    """
    points = np.concatenate([np.asarray(stroke).reshape(-1, 2) for stroke in strokes])
    height = float(np.ptp(points[:, 1]))
    width = float(np.ptp(points[:, 0])) * params.get("aspect", 1.0)
    if width > height:
        params = {**params, "scale": params["scale"] * height / width}
    return drawings.render_strokes(strokes, size=CANVAS, **params)


def draw_char(font: str | Path, char: str, rng: np.random.Generator, params: dict) -> np.ndarray:
    """`char` in `font`, redrawn with the pen: (280, 280) uint8, white on black.

    `params` are `render_strokes`'s keyword arguments, as `drawings.Style.sample` gives them.
    """
    strokes = glyph_strokes(font, char)
    if not strokes:
        raise ValueError(f"{Path(font).name} has no glyph for {char!r}")
    return render_sized(drawings.jitter(strokes, rng, HAND_JITTER), params)


def pick_font(char: str, fonts: Sequence[Path], rng: np.random.Generator) -> Path:
    """A font picked at random among `fonts` that have a glyph for `char`."""
    having = fonts_with(char, tuple(Path(font) for font in fonts))
    if not having:
        raise ValueError(f"none of the {len(fonts)} fonts has a glyph for {char!r}")
    return having[rng.integers(len(having))]


def draw_typeset(
    char: str, fonts: Sequence[Path], rng: np.random.Generator, style: str = "mixed"
) -> np.ndarray:
    """`char` in a font picked at random among `fonts` that have it, in `style`."""
    return draw_char(pick_font(char, fonts, rng), char, rng, STYLES[style].sample(rng))


def typeface_chars(
    chars: Sequence[str], n: int, *, seed: int, fonts: Sequence[Path], style: str = "mixed"
) -> np.ndarray:
    """`n` drawings (n, 280, 280) uint8 of `chars` in turn, each in a random font that has it.

    The same arguments always give the same images.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; choose one of {', '.join(STYLES)}")
    if not chars:
        raise ValueError("chars is empty")
    rng = np.random.default_rng(seed)
    images = np.empty((n, CANVAS, CANVAS), dtype=np.uint8)
    for i in range(n):
        images[i] = draw_typeset(chars[i % len(chars)], fonts, rng, style)
    return images


def typeface_digits(
    n_per_digit: int, *, seed: int, fonts: Sequence[Path], style: str = "mixed"
) -> tuple[np.ndarray, np.ndarray]:
    """`n_per_digit` typeset digits of each kind: images (N, 280, 280) uint8, labels (N,) uint8.

    Labels cycle 0..9, as `drawings.make_canvas_digits`'s do.
    """
    labels = np.tile(np.arange(10, dtype=np.uint8), n_per_digit)
    images = typeface_chars(DIGITS, len(labels), seed=seed, fonts=fonts, style=style)
    return images, labels
