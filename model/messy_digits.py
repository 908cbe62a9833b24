"""Real digits that look unlike the training drawings: held-out sets for an honest "not a digit".

A network that may answer "not a digit" is only useful if it still reads the digits people really
hand it: a low-resolution scan, a blurry or noisy one, a photo of paper, a fat marker, a fine
pen, a hurried slant. None of these look like the clean MNIST digits and canvas strokes the
network trained on, so they are what a reject threshold must keep. This module makes them from
MNIST's *test* digits (never its training digits, which the network has seen), one kind of mess
at a time:

    MNIST test digit (28x28) → enlarged 4x, with room around it → the kind's pen, blur or geometry
                             → on black or on paper, with the kind's lighting, noise and JPEG

Every image is a uint8 grayscale picture of a size and polarity a user might upload; the app's
own preprocessing (`model.preprocess.preprocess_canvas`) turns it into the network's 28x28.

That preprocessing crops to the ink, and anything brighter than a quarter of the brightest ink
(after inverting dark-on-light images) counts as ink. A mid-grey paper, a strong shadow or a
dark ruled line would therefore make the whole picture "ink". The paper kinds here keep the
paper's shading, lines and noise under that level, as a reasonably lit scan or photo is, so the
digit is what gets cropped; the faint paper left in the crop is part of the mess the network sees.

`messy_digits(n, seed=...)` gives the images, labels and kinds; `write_npz` stores them at one
size, white on black, for `python -m model evaluate --npz FILE`; run this module to write one:

    python -m model.messy_digits --out messy.npz --per-kind 100 --seed 0
"""

from __future__ import annotations

import argparse
import io
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from model import data
from model.atomic import atomic_write
from model.preprocess import to_gray, white_on_black

KINDS = (
    "lowres_scan",
    "tiny_scan",
    "blurred",
    "noisy_scan",
    "photo",
    "thick_pen",
    "thin_pen",
    "slanted",
)
SCALE = 4  # pens, blur and geometry are applied to the digit enlarged this many times
MARGIN = 4  # MNIST px of room around the 28x28 field: its digits may touch the field's edge
WORK = (28 + 2 * MARGIN) * SCALE  # side of the enlarged digit's image
NPZ_SIDE = 112  # every image in a written .npz is resized to this square
MAX_LEAN = 45.0  # degrees from upright of a slanted digit's long axis, all told

Rng = np.random.Generator


# --- Choosing the digits ------------------------------------------------------------------------


def kind_rng(seed: int, kind: str) -> Rng:
    """A generator of its own per (seed, kind): one kind's images do not depend on the others."""
    return np.random.default_rng([seed, zlib.crc32(kind.encode())])


def chosen_test_digits(labels: np.ndarray, n: int, rng: Rng) -> np.ndarray:
    """Indices of `n` test digits whose labels cycle 0, 1, ..., 9, none chosen twice."""
    wanted = np.arange(n) % 10
    indices = np.empty(n, dtype=np.int64)
    for digit in range(10):
        slots = np.flatnonzero(wanted == digit)
        pool = np.flatnonzero(labels == digit)
        indices[slots] = rng.choice(pool, size=len(slots), replace=False)
    return indices


# --- Small image tools --------------------------------------------------------------------------


def magnify_ink(digit: np.ndarray) -> np.ndarray:
    """A 28x28 uint8 digit as float ink in [0, 1], SCALE times larger, smoothly interpolated,
    with room around it for a thicker pen or a blur."""
    padded = np.pad(digit.astype(np.float32) / 255.0, MARGIN)
    image = Image.fromarray(padded, mode="F").resize((WORK, WORK), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(image), 0.0, 1.0)


def resized(ink: np.ndarray, side: int, resample=Image.Resampling.BILINEAR) -> np.ndarray:
    """Float ink resized to a `side` x `side` square."""
    image = Image.fromarray(ink.astype(np.float32), mode="F").resize((side, side), resample)
    return np.asarray(image)


def disk(radius: int) -> np.ndarray:
    """A round pen tip of the given radius, as a boolean footprint."""
    y, x = np.ogrid[-radius : radius + 1, -radius : radius + 1]
    return x * x + y * y <= radius * radius + radius  # a touch fuller than the exact circle


def topology(ink: np.ndarray) -> tuple[int, int]:
    """(separate strokes, enclosed holes) of the ink at half strength: what thinning must keep."""
    strokes = ndimage.label(ink > 0.5, structure=np.ones((3, 3)))[1]
    paper = np.pad(ink <= 0.5, 1, constant_values=True)  # the outside is one region
    return strokes, ndimage.label(paper)[1] - 1


def either_polarity(ink: np.ndarray, rng: Rng) -> np.ndarray:
    """White ink on black or black ink on white, at random: uploads come both ways."""
    gray = np.clip(ink * 255.0, 0, 255).round().astype(np.uint8)
    return 255 - gray if rng.random() < 0.5 else gray


def smooth_field(side: int, cells: int, rng: Rng) -> np.ndarray:
    """A slowly varying random field in [-1, 1]: uneven gain, paper texture."""
    coarse = rng.uniform(-1.0, 1.0, (cells, cells)).astype(np.float32)
    return resized(coarse, side, Image.Resampling.BICUBIC).clip(-1.0, 1.0)


def jpeg(gray: np.ndarray, quality: int) -> np.ndarray:
    """The image after a JPEG save and load: blocks and ringing around the strokes."""
    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, format="JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))


def on_paper(ink: np.ndarray, paper: np.ndarray, pen: float) -> np.ndarray:
    """Dark ink of gray level `pen` laid on a paper image (both float gray levels)."""
    return paper * (1.0 - ink) + pen * ink


# --- The kinds ----------------------------------------------------------------------------------
# Each takes one 28x28 MNIST digit and a generator and returns a uint8 grayscale image.
# The paper kinds keep the paper's darkest pixel (tint, shading, lines, noise and JPEG together)
# below a fifth of the ink's darkness: under the quarter that the app's preprocessing counts as ink.


def scanned_small(digit: np.ndarray, tall: int, rng: Rng) -> np.ndarray:
    """The digit's ink box-filtered down to `tall` px tall (a scanner's coarse sensor cells),
    then shown enlarged to 112-280 px, blocky (nearest) or mushy (bilinear)."""
    rows, cols = np.nonzero(digit)
    crop = digit[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32)
    ratio = tall / max(crop.shape)
    size = (max(1, round(crop.shape[1] * ratio)), max(1, round(crop.shape[0] * ratio)))
    # A box filter averages every source pixel, as a scanner's coarse sensor cell does.
    small = np.asarray(Image.fromarray(crop / 255.0, mode="F").resize(size, Image.Resampling.BOX))
    margin = max(2, round(0.3 * tall))
    field = np.zeros((tall + 2 * margin, tall + 2 * margin), dtype=np.float32)
    top, left = (field.shape[0] - size[1]) // 2, (field.shape[1] - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = small
    side = int(rng.integers(112, 281))
    resample = Image.Resampling.NEAREST if rng.random() < 0.5 else Image.Resampling.BILINEAR
    return either_polarity(resized(field, side, resample).clip(0.0, 1.0), rng)


def lowres_scan(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """The digit scanned at 10-14 px tall, then enlarged: blocky or mushy."""
    return scanned_small(digit, int(rng.integers(10, 15)), rng)


def tiny_scan(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """The coarsest scans still read: a bold pen (a binary bitmap, strokes widened) counted into
    7-9 px cells tall with 17 grey levels, as old form readers stored digits, then enlarged."""
    bold = ndimage.grey_dilation(digit, footprint=disk(1)) > 96
    tall = int(rng.integers(7, 10))
    image = scanned_small((bold * 255).astype(np.uint8), tall, rng)
    return (np.round(image / 255.0 * 16) * (255 / 16)).astype(np.uint8)


def blurred(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """Out of focus: a Gaussian blur of sigma 1-3 px with the digit at 4x (112 px field)."""
    ink = ndimage.gaussian_filter(magnify_ink(digit), sigma=rng.uniform(1.0, 3.0))
    return either_polarity(ink / max(ink.max(), 1e-6), rng)


def noisy_scan(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """Dark ink on white paper, 112-224 px: uneven gain, sensor noise, JPEG quality 20-60."""
    side = int(rng.integers(112, 225))
    ink = resized(magnify_ink(digit), side).clip(0.0, 1.0)
    pen, paper = rng.uniform(15.0, 60.0), rng.uniform(238.0, 250.0)
    darkness = paper - pen
    gain = 1.0 + rng.uniform(0.02, 0.04) * smooth_field(side, 3, rng)  # lamp and sensor fall-off
    noise = rng.normal(0.0, rng.uniform(0.01, 0.02) * darkness, (side, side))
    scan = on_paper(ink, np.full((side, side), paper), pen) * gain + noise
    return jpeg(np.clip(scan, 0, 255).round().astype(np.uint8), rng.integers(20, 61))


def ruled_lines(side: int, rng: Rng) -> np.ndarray:
    """Faint horizontal rules of an exercise book, 0 to 1 (1 on a rule)."""
    spacing = rng.uniform(0.28, 0.4) * side
    rows = (np.arange(side) - rng.uniform(0, spacing)) % spacing
    width = max(1.0, side / 120)
    line = np.clip(1.0 - np.abs(rows - spacing / 2) / width, 0.0, 1.0)
    return np.repeat(line[:, None], side, axis=1)


def photo(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """A phone photo of the digit on light tinted paper, 160-256 px.

    Lighting gradient, faint paper texture, sometimes ruled lines, turned up to ±8° and seen
    slightly from the side (perspective), then sensor noise and JPEG quality 35-75.
    """
    frame = int(WORK * 1.4)  # the sheet around the digit, larger than the final view
    ink = np.zeros((frame, frame), dtype=np.float32)
    offset = (frame - WORK) // 2
    ink[offset : offset + WORK, offset : offset + WORK] = magnify_ink(digit)
    ink = ndimage.rotate(ink, rng.uniform(-8.0, 8.0), reshape=False, order=1)

    pen = rng.uniform(35.0, 80.0)
    budget = 0.14 * (255.0 - pen)  # the paper's darkest point, tint, shading and lines included
    paper = 255.0 - rng.uniform(0.3, 0.5) * budget  # its lightest
    angle = rng.uniform(0, 2 * np.pi)
    y, x = np.mgrid[0:frame, 0:frame] / frame - 0.5
    ramp = (np.cos(angle) * x + np.sin(angle) * y + 0.71) / 1.42  # 0 to 1 across the sheet
    shading = rng.uniform(0.35, 0.6) * ramp + 0.1 * (smooth_field(frame, 9, rng) + 1) / 2
    if rng.random() < 0.5:
        shading = shading + rng.uniform(0.2, 0.3) * ruled_lines(frame, rng)
    shading = shading.clip(0, 1) * (paper - (255.0 - budget))
    sheet = on_paper(ink.clip(0, 1), paper - shading, pen)

    # Perspective: a slightly skewed quadrilateral of the sheet fills the photo.
    side = int(rng.integers(160, 257))
    inset, jitter = 0.15 * frame, 0.05 * frame
    corners = np.array([[inset, inset], [inset, frame - inset], [frame - inset, frame - inset]])
    corners = np.vstack([corners, [frame - inset, inset]]) + rng.uniform(-jitter, jitter, (4, 2))
    image = Image.fromarray(sheet.astype(np.float32), mode="F").transform(
        (side, side), Image.Transform.QUAD, corners.ravel().tolist(), Image.Resampling.BILINEAR
    )
    noise = rng.normal(0.0, rng.uniform(0.01, 0.015) * (paper - pen), (side, side))
    shot = np.clip(np.asarray(image) + noise, 0, 255).round().astype(np.uint8)
    return jpeg(shot, rng.integers(35, 76))


def thick_pen(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """A felt marker: strokes grown by a round tip of radius 4-6 px at 4x, shown at 112-168 px.

    The tip shrinks (down to radius 2) until no loop fills in and no gap closes into a new one:
    a marker 8 whose loops are solid is a blob, not an 8.
    """
    ink = magnify_ink(digit)
    radius = int(rng.integers(4, 7))
    while True:
        thickened = ndimage.grey_dilation(ink, footprint=disk(radius))
        if radius == 2 or topology(thickened) == topology(ink):
            break
        radius -= 1
    return either_polarity(resized(thickened, int(rng.integers(112, 169))).clip(0.0, 1.0), rng)


def thin_pen(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """A fine pen: strokes worn down by a round tip of radius up to 3 px at 4x, 112-168 px.

    The thinning backs off until no stroke breaks and no loop opens (an 8 stays an 8); a digit
    so thin or faint that even the smallest tip breaks it keeps its own pen.
    """
    ink = magnify_ink(digit)
    radius = int(rng.integers(2, 4))
    while radius > 0:
        thinned = ndimage.grey_erosion(ink, footprint=disk(radius))
        if thinned.max() > 0.5 and topology(thinned) == topology(ink):
            break
        radius -= 1
    thinned = ink if radius == 0 else thinned / thinned.max()
    return either_polarity(resized(thinned, int(rng.integers(112, 169))).clip(0.0, 1.0), rng)


def lean_of(digit: np.ndarray) -> float:
    """Degrees from upright of the ink's long axis (second moments), in the shear's sense."""
    rows, cols = np.nonzero(digit)
    weight = digit[rows, cols].astype(np.float64)
    y, x = rows - np.average(rows, weights=weight), cols - np.average(cols, weights=weight)
    xx, yy, xy = (np.average(v, weights=weight) for v in (x * x, y * y, x * y))
    return float(np.degrees(0.5 * np.arctan2(2 * xy, yy - xx)))


def slanted(digit: np.ndarray, rng: Rng) -> np.ndarray:
    """A hurried hand: sheared by ±0.35-0.5 and turned up to ±25°, at 180 px.

    The turn is capped so that the digit's long axis, its own slant included, leans at most
    MAX_LEAN from upright: beyond that a 1 is a slash, a 9 a "q" and a 4 lies on its side.
    """
    side = int(WORK * 1.25)  # room for the slanted digit
    ink = np.zeros((side, side), dtype=np.float32)
    offset = (side - WORK) // 2
    ink[offset : offset + WORK, offset : offset + WORK] = magnify_ink(digit)
    shear = rng.choice([-1.0, 1.0]) * rng.uniform(0.35, 0.5)
    lean = lean_of(digit) + np.degrees(np.arctan(shear))  # before turning; turning adds to it
    turn = np.radians(np.clip(rng.uniform(-25.0, 25.0), -MAX_LEAN - lean, MAX_LEAN - lean))
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    forward = rotation @ np.array([[1.0, 0.0], [shear, 1.0]])  # (row, col): col += shear * row
    # affine_transform maps output coordinates to input ones: the inverse, about the centre.
    inverse = np.linalg.inv(forward)
    centre = np.array([(side - 1) / 2, (side - 1) / 2])
    ink = ndimage.affine_transform(ink, inverse, offset=centre - inverse @ centre, order=1)
    return either_polarity(ink.clip(0.0, 1.0), rng)


MAKERS: dict[str, Callable[[np.ndarray, Rng], np.ndarray]] = {
    "lowres_scan": lowres_scan,
    "tiny_scan": tiny_scan,
    "blurred": blurred,
    "noisy_scan": noisy_scan,
    "photo": photo,
    "thick_pen": thick_pen,
    "thin_pen": thin_pen,
    "slanted": slanted,
}


# --- The sets -----------------------------------------------------------------------------------


def messy_digits(
    n_per_kind: int, *, seed: int = 0, kinds: Sequence[str] = KINDS
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """`n_per_kind` messy images of each kind from MNIST test digits, labels cycling 0..9.

    Returns (images: list of uint8 grayscale arrays of varying size and polarity, labels (N,)
    int64, kinds (N,) str). The same seed gives the same images.
    """
    unknown = [kind for kind in kinds if kind not in MAKERS]
    if unknown:
        raise ValueError(f"unknown kinds {unknown}; choose from {list(KINDS)}")
    mnist = data.load_mnist()
    test_digits, test_labels = mnist.x_test, mnist.y_test.astype(np.int64)
    images: list[np.ndarray] = []
    labels, names = [], []
    for kind in kinds:
        rng = kind_rng(seed, kind)
        chosen = chosen_test_digits(test_labels, n_per_kind, rng)
        images += [MAKERS[kind](test_digits[index], rng) for index in chosen]
        labels.append(test_labels[chosen])
        names += [kind] * n_per_kind
    labels_array = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    return images, labels_array, np.array(names, dtype=str)


def as_white_on_black(images: Sequence[np.ndarray], side: int = NPZ_SIDE) -> np.ndarray:
    """Images of any size and polarity as one (N, side, side) uint8 array, white ink on black.

    Stored white on black, as the CLI's `evaluate --npz` documents its input (it would turn
    dark-on-light ones itself, by the same rule the app uses for uploads).
    """
    out = np.zeros((len(images), side, side), dtype=np.uint8)
    for index, image in enumerate(images):
        gray = white_on_black(to_gray(image))
        resample = Image.Resampling.BOX if gray.shape[0] > side else Image.Resampling.BILINEAR
        out[index] = np.asarray(Image.fromarray(gray).resize((side, side), resample))
    return out


def write_npz(
    path: str | os.PathLike,
    images: Sequence[np.ndarray],
    labels: np.ndarray,
    kinds: np.ndarray,
    side: int = NPZ_SIDE,
) -> Path:
    """`images` (N, side, side) uint8 white on black, `labels` and `kinds`, written atomically."""
    with atomic_write(path) as file:
        np.savez_compressed(
            file, images=as_white_on_black(images, side), labels=labels, kinds=kinds
        )
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.messy_digits", description=__doc__)
    parser.add_argument("--out", required=True, help="the .npz to write")
    parser.add_argument("--per-kind", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    args = parser.parse_args(argv)
    images, labels, kinds = messy_digits(args.per_kind, seed=args.seed, kinds=args.kinds)
    write_npz(args.out, images, labels, kinds)
    print(f"wrote {len(labels)} messy digits ({', '.join(args.kinds)}) to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
