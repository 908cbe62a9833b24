"""From canvas pixels (or any image) to the 28x28 that the network reads, by MNIST's own recipe.

MNIST digits were size-normalised to fit a 20x20 box keeping their aspect ratio, anti-aliased, and
placed in a 28x28 field so that their centre of mass sits at the centre. A network trained on MNIST
only reads digits well that went through the same steps, so every input goes through them:

    any image → grayscale, white ink on black (paper level removed) → crop to the ink
             → longest side 20 px → centre of mass at (14, 14) in 28x28 → float32 in [0, 1]

An empty canvas or a stray dot is "nothing drawn" (None), never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

FIELD = 28  # side of the network's input
BOX = 20  # longest side of the digit inside it
INK_LEVEL = 0.25  # a pixel is ink above this fraction of the brightest ink
LUMA = (0.299, 0.587, 0.114)  # ITU-R 601's weights of R, G, B in grey, as PIL's "L" uses


@dataclass(frozen=True)
class Preprocessed:
    """The network's input and the steps that made it, for the page to show."""

    image: np.ndarray  # (28, 28) float32 in [0, 1], white ink on black
    gray: np.ndarray  # the input as white-on-black uint8 grayscale, full size
    box: tuple[int, int, int, int]  # ink bounding box in `gray`: top, left, bottom, right
    scaled: np.ndarray  # the cropped ink scaled to longest side 20, uint8


def to_gray(pixels: np.ndarray | Image.Image) -> np.ndarray:
    """Any image (PIL or array; gray, RGB, RGBA, palette, 16-bit) as 8-bit grayscale."""
    if isinstance(pixels, Image.Image):
        image = pixels
        if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
            array = np.asarray(image, dtype=np.float64)
            top = array.max() or 1.0
            return np.clip(array * (255.0 / top), 0, 255).astype(np.uint8)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            # Transparent areas are background: flatten onto the colour the opaque part is not.
            rgba = image.convert("RGBA")
            backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return np.asarray(Image.alpha_composite(backdrop, rgba).convert("L"))
        return np.asarray(image.convert("L"))
    array = np.asarray(pixels)
    if array.ndim == 3 and array.dtype == np.uint8 and array.shape[2] in (3, 4):
        # The canvas sends RGBA with alpha always 255: the colour is in RGB. PIL's luma
        # conversion is the same ITU-R 601 weighting, in C, faster than numpy here.
        rgb = np.ascontiguousarray(array[..., :3])
        return np.asarray(Image.fromarray(rgb, "RGB").convert("L"))
    if array.ndim == 3:
        rgb = array[..., :3].astype(np.float32)
        gray = rgb @ np.array(LUMA, dtype=np.float32)
        return np.clip(gray, 0, 255).astype(np.uint8)
    if array.dtype != np.uint8:
        array = array.astype(np.float64)
        top = array.max() if array.size else 1.0
        array = np.clip(array * (255.0 / (top or 1.0)), 0, 255).astype(np.uint8)
    return array


def white_on_black(gray: np.ndarray) -> np.ndarray:
    """White ink on a black background: dark-ink-on-paper images inverted, and the paper's own
    level taken away, so that grey paper in a photo is background, not ink. The background is
    what the border mostly shows; the canvas's is black already and stays as it is.
    """
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 127:
        gray, border = 255 - gray, 255 - border
    paper = int(np.median(border))
    if paper == 0:
        return gray
    return (np.clip(gray.astype(np.int16) - paper, 0, 255)).astype(np.uint8)


def ink_box(gray: np.ndarray) -> tuple[int, int, int, int] | None:
    """Bounding box (top, left, bottom, right) of the ink, or None if nothing is drawn."""
    top_level = int(gray.max())
    if top_level < 64:  # only faint noise, no stroke
        return None
    ink = gray > INK_LEVEL * top_level
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    box = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
    height, width = box[2] - box[0], box[3] - box[1]
    extent, side = max(height, width), max(gray.shape)
    if extent < max(2, 0.04 * side):
        return None  # a speck
    # A stray dot: one small round blob (a single click of the pen), not a stroke.
    inside = ink[box[0] : box[2], box[1] : box[3]]
    blob = extent < 0.15 * side and min(height, width) > 0.6 * extent and inside.mean() > 0.6
    if blob and (extent < 0.07 * side or is_one_dab(inside)):
        return None
    return box


def is_one_dab(ink: np.ndarray) -> bool:
    """Whether `ink` (a boolean crop) is no more than the pen's own disc: a click, perhaps moved
    a pixel or two. A small digit drawn with a thin pen fills its box as much (a 0 30 px tall with
    an 8 px pen, 62%) but holds several discs' worth of ink."""
    from scipy import ndimage  # here: only small, round blobs come this far

    radius = ndimage.distance_transform_edt(np.pad(ink, 1)).max()  # the pen's, at its widest
    return ink.sum() < 1.5 * np.pi * radius**2


def centre_of_mass_shift(image: np.ndarray) -> tuple[int, int]:
    """Integer (dy, dx) that moves the image's centre of mass to its centre."""
    total = image.sum()
    ys, xs = np.indices(image.shape)
    cy, cx = (ys * image).sum() / total, (xs * image).sum() / total
    centre = (image.shape[0] - 1) / 2
    return round(float(centre - cy)), round(float(centre - cx))


def shift_clipped(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate an image (or a stack of them: the last two axes) without wrap-around; what
    leaves the field is dropped."""
    out = np.zeros_like(image)
    h, w = image.shape[-2:]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[..., yd, xd] = image[..., ys, xs]
    return out


def preprocess_gray(gray: np.ndarray) -> Preprocessed | None:
    """White-on-black grayscale → the network's 28x28, or None when nothing is drawn."""
    box = ink_box(gray)
    if box is None:
        return None
    crop = gray[box[0] : box[2], box[1] : box[3]]
    height, width = crop.shape
    ratio = BOX / max(height, width)
    size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
    # Shrinking with a box filter averages every source pixel: the anti-aliasing MNIST had.
    resample = Image.Resampling.BOX if ratio < 1 else Image.Resampling.BILINEAR
    scaled = np.asarray(Image.fromarray(crop).resize(size, resample))
    field = np.zeros((FIELD, FIELD), dtype=np.float32)
    top, left = (FIELD - size[1]) // 2, (FIELD - size[0]) // 2
    field[top : top + size[1], left : left + size[0]] = scaled
    field = shift_clipped(field, *centre_of_mass_shift(field))
    peak = field.max()
    image = field / peak if peak > 0 else field  # full contrast, as MNIST's strokes are
    return Preprocessed(image=image.astype(np.float32), gray=gray, box=box, scaled=scaled)


def preprocess_canvas(pixels: np.ndarray | Image.Image) -> Preprocessed | None:
    """Canvas RGBA pixels, or any uploaded image, → the 28x28 the network reads (or None)."""
    return preprocess_gray(white_on_black(to_gray(pixels)))


def preprocess_batch(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many (N, H, W) images → (kept 28x28 inputs, indices of the empty ones), each read as an
    upload is: dark ink on paper is turned white on black first."""
    kept, empty = [], []
    for index, image in enumerate(images):
        result = preprocess_canvas(image)
        if result is None:
            empty.append(index)
            kept.append(np.zeros((FIELD, FIELD), dtype=np.float32))
        else:
            kept.append(result.image)
    return (
        np.stack(kept) if kept else np.zeros((0, FIELD, FIELD), np.float32),
        np.array(empty, dtype=np.int64),
    )
