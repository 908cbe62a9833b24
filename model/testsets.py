"""The test sets every model is judged on, as ready network inputs.

- MNIST test: LeCun & Cortes's 10,000 held-out digits.
- Drawings: canvas-like digits rendered by `model.drawings` (white round-cap strokes on 280x280
  black, five styles: mixed, thin, thick, small and off-centre, rotated ±20°), then put through the
  app's own canvas preprocessing, exactly as a drawing on the Draw page is. Seeded (the seed differs
  from the synthetic drawings used in training), rendered once and cached on disk.
- Non-digits: letters, symbols, shapes, doodles... drawn the same way by `model.nondigits`, labelled
  -1 ("not a digit"); the kinds a network trains on (other seeds) and kinds it never sees.
- Messy digits: digits unlike any training drawing, which an honest reject must still accept:
  MNIST test digits as low-resolution or noisy scans, blurred, photographed on paper, with odd
  pens and slants (`model.messy_digits`), and digits from typefaces no network trains on
  (`model.typefaces.heldout_fonts`), redrawn with the pen.
- Stroke-font digits: digits drawn along the paths of stroke fonts no network trains on
  (`model.stroke_fonts.HELDOUT_FONTS`: nine EMS plotter fonts), with the canvas's pen in the five
  styles: digit shapes from other designers' hands, drawn as the canvas draws.
- Real handwriting: 1,797 digits written on paper forms by 13 people who are not MNIST's writers
  (the test part of the UCI optical digits, as scikit-learn bundles it). Each was scanned,
  normalised by NIST's programs to fill a 32x32 box, and counted into 8x8 cells of 0-16 inked
  pixels; it is enlarged back to 32x32 and put through the canvas preprocessing. No network
  trains on it.

Each comes back as (inputs (N, 28, 28) float32 in [0, 1], labels (N,) int64) plus the style (or,
for non-digits, the kind) of each image, so a page can report every one separately.
"""

from __future__ import annotations

import sys
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

from model import data, drawings, google_fonts, preprocess
from model.atomic import atomic_write
from model.preprocess import preprocess_batch, preprocess_canvas

CANVAS_SEED = 2026
CANVAS_PER_DIGIT = 60  # per style: 5 styles x 10 digits x 60 = 3,000 drawings
NONDIGITS_SEED = 4052
NONDIGITS_PER_KIND = 30  # per style: 5 styles x 30 of every kind
MESSY_SEED = 6078
MESSY_PER_KIND = 200  # MNIST test digits made messy, per kind; and typeface digits per style
STROKE_FONTS_SEED = 8104
STROKE_FONTS_PER_DIGIT = 40  # per style: 5 styles x 10 digits x 40 = 2,000 drawings
TYPEFACES_SEED = 9130
TYPEFACES_PER_DIGIT = len(google_fonts.HELDOUT)  # per style: each held-out family once
HANDWRITING_SIDE = 32  # the 8x8 counts are enlarged back to the bitmaps' 32x32


@dataclass(frozen=True)
class TestSet:
    name: str
    inputs: np.ndarray  # (N, 28, 28) float32
    labels: np.ndarray  # (N,) int64
    styles: np.ndarray  # (N,) str: the drawing style, or "mnist"

    def only(self, style: str) -> TestSet:
        return self.among((style,), f"{self.name} ({style})")

    def among(self, styles, name: str | None = None) -> TestSet:
        keep = np.isin(self.styles, list(styles))
        name = name or self.name
        return TestSet(name, self.inputs[keep], self.labels[keep], self.styles[keep])

    def unseen(self) -> TestSet:
        """Only the non-digit kinds that no network trains on."""
        from model.nondigits import HELDOUT_KINDS

        return self.among(HELDOUT_KINDS, f"{self.name} (kinds never trained on)")


@cache
def mnist_test() -> TestSet:
    mnist = data.load_mnist()
    inputs = mnist.x_test.astype(np.float32) / 255.0
    labels = mnist.y_test.astype(np.int64)
    return TestSet("MNIST test", inputs, labels, np.full(len(labels), "mnist"))


def mnist_drawing(index: int, side: int = 280) -> tuple[np.ndarray, int]:
    """MNIST test digit `index` enlarged to a `side`-pixel square as the canvas would hold it
    (uint8, white on black), and its true label: a drawing for the app without a pointer."""
    testset = mnist_test()
    digit = (testset.inputs[index] * 255).round().astype(np.uint8)
    big = Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR)
    return np.asarray(big), int(testset.labels[index])


CACHE_COLUMNS = {"images": ("u", (28, 28)), "labels": ("iu", ()), "styles": ("US", ())}


def _cached(stem: str, sources, render) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(images uint8 28x28, labels, styles) from the cache, or rendered by `render()` and cached.

    The file's name is signed by the modules that generate the set (`sources`), by the
    preprocessing and by this module, which every set goes through: changing any of them renders
    the set afresh instead of reading a stale one.
    """
    signature = data.source_signature(*sources, preprocess, sys.modules[__name__])
    path = data.cache_dir() / f"test-{stem}-{signature}.npz"
    cached = data.read_cache(path, CACHE_COLUMNS)
    if cached is not None:  # None: not cached yet, or damaged (and removed)
        return cached["images"], cached["labels"], cached["styles"]
    images, labels, styles = render()
    with atomic_write(path) as file:
        np.savez_compressed(file, images=images, labels=labels, styles=styles)
    return images, labels, styles


def _preprocessed_one(image: np.ndarray) -> np.ndarray:
    """Any image, either polarity, through the app's whole preprocessing, as uint8 28x28."""
    result = preprocess_canvas(image)
    image = np.zeros((28, 28), np.float32) if result is None else result.image
    return (image * 255).round().astype(np.uint8)


def _preprocessed(rendered: np.ndarray) -> np.ndarray:
    inputs, _ = preprocess_batch(rendered)  # "nothing drawn" stays an all-black input
    return (inputs * 255).round().astype(np.uint8)


@cache
def canvas_test() -> TestSet:
    def render():
        images, labels, styles = [], [], []
        for index, style in enumerate(drawings.STYLE_NAMES):
            rendered, digits = drawings.make_canvas_digits(
                CANVAS_PER_DIGIT, seed=CANVAS_SEED + index, style=style
            )
            images.append(_preprocessed(rendered))
            labels.append(digits)
            styles += [style] * len(digits)
        return np.concatenate(images), np.concatenate(labels), np.array(styles)

    stem = f"drawings-{CANVAS_PER_DIGIT}-{CANVAS_SEED}"
    images, labels, styles = _cached(stem, (drawings,), render)
    return TestSet("Drawings", images.astype(np.float32) / 255.0, labels.astype(np.int64), styles)


@cache
def nondigits_test() -> TestSet:
    """Drawn non-digits of every kind, labelled -1; `.unseen()` keeps the never-trained kinds."""
    from model import nondigits, typefaces

    kinds = nondigits.TRAINING_KINDS + nondigits.HELDOUT_KINDS

    def render():
        images, styles = [], []
        for index, style in enumerate(drawings.STYLE_NAMES):
            for kind in kinds:
                # A seed of its own per kind: a kind added later leaves the others' drawings be.
                seed = NONDIGITS_SEED + 1000 * index + zlib.crc32(kind.encode()) % 1000
                rendered, drawn_kinds = nondigits.make_nondigits(
                    NONDIGITS_PER_KIND, seed=seed, kinds=(kind,), style=style
                )
                images.append(_preprocessed(rendered))
                styles.append(drawn_kinds)
        styles = np.concatenate(styles)
        return np.concatenate(images), np.full(len(styles), -1, np.int64), styles

    stem = f"nondigits-{NONDIGITS_PER_KIND}-{NONDIGITS_SEED}"
    images, labels, styles = _cached(stem, (nondigits, typefaces, drawings), render)
    return TestSet("Non-digits", images.astype(np.float32) / 255.0, labels, styles.astype(str))


@cache
def messy_test() -> TestSet:
    """Digits unlike the training drawings, per kind (typefaces only where they are installed)."""
    from model import messy_digits, typefaces

    def render():
        images, labels, kinds = messy_digits.messy_digits(MESSY_PER_KIND, seed=MESSY_SEED)
        inputs = [_preprocessed_one(image) for image in images]
        kinds = list(kinds)
        try:
            fonts = typefaces.heldout_fonts()
        except FileNotFoundError:
            fonts = ()
        if fonts:
            per_style = MESSY_PER_KIND // len(drawings.STYLE_NAMES) // 10
            for index, style in enumerate(drawings.STYLE_NAMES):
                rendered, digits = typefaces.typeface_digits(
                    per_style, seed=MESSY_SEED + index, fonts=fonts, style=style
                )
                inputs += list(_preprocessed(rendered))
                labels = np.concatenate([labels, digits])
                kinds += ["typefaces"] * len(digits)
        return np.stack(inputs), np.asarray(labels, np.int64), np.array(kinds)

    stem = f"messy-{MESSY_PER_KIND}-{MESSY_SEED}"
    images, labels, kinds = _cached(stem, (messy_digits, typefaces, drawings), render)
    return TestSet("Messy digits", images.astype(np.float32) / 255.0, labels, kinds.astype(str))


@cache
def stroke_fonts_test() -> TestSet:
    """Digits of the held-out stroke fonts drawn with the pen; `styles` holds each one's font."""
    from model import stroke_fonts

    def render():
        images, labels, fonts = [], [], []
        for index, style in enumerate(drawings.STYLE_NAMES):
            rendered, digits, drawn_fonts = stroke_fonts.stroke_font_digits(
                STROKE_FONTS_PER_DIGIT,
                seed=STROKE_FONTS_SEED + index,
                fonts=stroke_fonts.HELDOUT_FONTS,
                style=style,
            )
            images.append(_preprocessed(rendered))
            labels.append(digits.astype(np.int64))
            fonts.append(drawn_fonts)
        return np.concatenate(images), np.concatenate(labels), np.concatenate(fonts)

    stem = f"strokefonts-{STROKE_FONTS_PER_DIGIT}-{STROKE_FONTS_SEED}"
    images, labels, fonts = _cached(stem, (stroke_fonts, drawings), render)
    return TestSet(
        "Stroke-font digits", images.astype(np.float32) / 255.0, labels, fonts.astype(str)
    )


@cache
def typefaces_test() -> TestSet:
    """Digits of the held-out Google Fonts families redrawn with the pen; `styles` holds each
    one's family. The families take turns: each draws every digit once in every style."""
    from model import typefaces

    def render():
        families = list(google_fonts.HELDOUT)
        faces = google_fonts.heldout_faces()
        images, labels, drawn = [], [], []
        for index, style in enumerate(drawings.STYLE_NAMES):
            rng = np.random.default_rng(TYPEFACES_SEED + index)
            rendered = []
            for i in range(10 * TYPEFACES_PER_DIGIT):
                digit, family = i % 10, (i // 10) % len(families)
                params = drawings.STYLES[style].sample(rng)
                rendered.append(typefaces.draw_char(faces[family], str(digit), rng, params))
                labels.append(digit)
                drawn.append(families[family])
            images.append(_preprocessed(np.stack(rendered)))
        return np.concatenate(images), np.asarray(labels, np.int64), np.array(drawn)

    stem = f"typefaces-{TYPEFACES_PER_DIGIT}-{TYPEFACES_SEED}"
    images, labels, families = _cached(stem, (google_fonts, typefaces, drawings), render)
    return TestSet(
        "Typeface digits", images.astype(np.float32) / 255.0, labels, families.astype(str)
    )


@cache
def handwriting_test() -> TestSet:
    """Real handwriting from 13 writers, as coarse 8x8 scans enlarged (see the module's notes)."""

    def render():
        from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

        digits = load_digits()
        cells = (digits.images / 16.0 * 255).round().astype(np.uint8)
        side = (HANDWRITING_SIDE, HANDWRITING_SIDE)
        enlarged = [Image.fromarray(c).resize(side, Image.Resampling.BICUBIC) for c in cells]
        images = _preprocessed(np.stack([np.asarray(image) for image in enlarged]))
        return images, digits.target.astype(np.int64), np.full(len(cells), "scan")

    images, labels, styles = _cached(f"handwriting-{HANDWRITING_SIDE}", (), render)
    return TestSet(
        "Real handwriting", images.astype(np.float32) / 255.0, labels, styles.astype(str)
    )


# Every test set by the name the command line (`evaluate --set`) and the pages call it.
BY_NAME = {
    "mnist": mnist_test,
    "drawings": canvas_test,
    "nondigits": nondigits_test,
    "messy": messy_test,
    "handwriting": handwriting_test,
    "strokefonts": stroke_fonts_test,
    "typefaces": typefaces_test,
}
