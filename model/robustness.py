"""How a drawing can change before the network reads it differently: shifts, turns, sizes, pens.

Pure numpy and PIL, no TensorFlow and no Streamlit: `transform_drawing` changes a full-size
white-on-black grayscale drawing the way a different hand or pen might have drawn it, and
`variant_strip` makes a fixed set of such changes to look at side by side. The Robustness page puts
each one through the app's normal preprocessing and the serving model.

Everything happens on the full-size drawing, before preprocessing, as it would on the canvas. The
preprocessing crops to the ink, scales it to 20 px and centres it by mass, so a shift or a change of
size alone changes nothing the network sees until part of the digit leaves the canvas; a turn or a
thicker or thinner pen changes what it sees at once.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from model.preprocess import INK_LEVEL, shift_clipped

ROTATIONS = (-30, -20, -10, 10, 20, 30)  # degrees, positive is anticlockwise
SCALES = (0.5, 0.75, 1.25, 1.5)
THICKNESSES = (-8, -4, 4, 8, 12)  # pixels added to (or taken from) each side of a stroke
CORNER_SHIFT = 0.25  # the corner shifts move the drawing by this fraction of its size


def ink_centre(gray: np.ndarray) -> tuple[float, float]:
    """(x, y) of the middle of the ink's bounding box; the image's centre if there is no ink."""
    ink = gray > INK_LEVEL * max(int(gray.max()), 1)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not gray.any() or len(rows) == 0:
        return gray.shape[1] / 2, gray.shape[0] / 2
    return (cols[0] + cols[-1] + 1) / 2, (rows[0] + rows[-1] + 1) / 2


def _shifted_stack(image: np.ndarray, offsets: list[tuple[int, int]], fill: int) -> np.ndarray:
    padded = np.pad(image, 1, constant_values=fill)
    h, w = image.shape
    return np.stack([padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in offsets])


_SQUARE = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
_CROSS = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)]


def change_thickness(gray: np.ndarray, pixels: int) -> np.ndarray:
    """Grow (`pixels` > 0) or wear away (< 0) every stroke by about `pixels` on each side.

    A grayscale dilation (erosion): each pixel becomes the brightest (darkest) pixel within reach.
    Alternating 3x3 squares and crosses grows an octagon, close to the round pen's disc.
    """
    out = np.asarray(gray, dtype=np.uint8)
    reduce, fill = (np.max, 0) if pixels > 0 else (np.min, 255)
    for step in range(abs(int(pixels))):
        offsets = _SQUARE if step % 2 == 0 else _CROSS
        out = reduce(_shifted_stack(out, offsets, fill), axis=0)
    return out.copy() if out is gray else out


def transform_drawing(
    gray: np.ndarray,
    dx: float = 0,
    dy: float = 0,
    angle: float = 0,
    scale: float = 1,
    thickness: int = 0,
) -> np.ndarray:
    """The drawing turned by `angle` degrees (anticlockwise) and resized by `scale`, both about the
    middle of its ink; its strokes thickened by `thickness` pixels a side (thinned if negative);
    then moved `dx` pixels right and `dy` down. Same shape and dtype (uint8); what leaves the
    canvas is lost, as it would be on the canvas.
    """
    gray = np.asarray(gray)
    if gray.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale drawing, got shape {gray.shape}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    out = gray.astype(np.uint8, copy=True)
    if angle % 360 != 0 or scale != 1:
        cx, cy = ink_centre(out)
        theta = np.deg2rad(angle)
        c, s = np.cos(theta), np.sin(theta)
        # PIL asks, for every output pixel, where to read it in the input: the inverse map.
        # With y pointing down, an anticlockwise turn of the picture is x' = c x + s y,
        # y' = -s x + c y about the centre, so the inverse is its transpose, divided by scale.
        a, b, d, e = c / scale, -s / scale, s / scale, c / scale
        # PIL's coordinates are continuous (pixel i spans i..i+1), as are the ink centre's.
        matrix = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy)
        out = np.asarray(
            Image.fromarray(out).transform(
                (out.shape[1], out.shape[0]),
                Image.Transform.AFFINE,
                matrix,
                resample=Image.Resampling.BILINEAR,
                fillcolor=0,
            )
        )
    if thickness:
        out = change_thickness(out, int(thickness))
    if dx or dy:
        out = shift_clipped(out, round(dy), round(dx))
    return out


def variant_strip(gray: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The drawing as it is, then turned, resized, drawn with a thinner or thicker pen, and moved
    towards each corner: (label, drawing) pairs, each the input's shape."""
    gray = np.asarray(gray)
    height, width = gray.shape
    step_x, step_y = round(CORNER_SHIFT * width), round(CORNER_SHIFT * height)
    strip: list[tuple[str, np.ndarray]] = [("as drawn", gray.astype(np.uint8, copy=True))]
    strip += [(f"turned {a:+d}°", transform_drawing(gray, angle=a)) for a in ROTATIONS]
    strip += [(f"size ×{s:g}", transform_drawing(gray, scale=s)) for s in SCALES]
    strip += [(f"pen {t:+d} px", transform_drawing(gray, thickness=t)) for t in THICKNESSES]
    corners = {"up-left": (-1, -1), "up-right": (1, -1), "down-left": (-1, 1), "down-right": (1, 1)}
    strip += [
        (f"moved {where}", transform_drawing(gray, dx=sx * step_x, dy=sy * step_y))
        for where, (sx, sy) in corners.items()
    ]
    return strip
