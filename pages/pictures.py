"""Small grayscale images shown large: the one way every page enlarges a 28x28 digit."""

from __future__ import annotations

import numpy as np
from PIL import Image

THUMBNAIL = 84  # px: a 28x28 digit in a row of many, three screen pixels to one of its own


def enlarge(image: np.ndarray, size: int) -> Image.Image:
    """A small grayscale array (uint8, or float ink in [0, 1]) as a crisp `size`-pixel square.

    Nearest-neighbour keeps each pixel a visible block; the browser, left to scale it, would blur
    the very pixels the network reads.
    """
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0, 1) * 255).round().astype(np.uint8)
    return Image.fromarray(array).resize((size, size), Image.Resampling.NEAREST)


def squared(image: np.ndarray) -> Image.Image:
    """A grayscale array centred on a black square: shown at a fixed width, a 1's tall, narrow
    crop keeps the height of the others instead of standing ten times as tall as it is wide."""
    array = np.asarray(image)
    side = max(array.shape)
    square = np.zeros((side, side), dtype=array.dtype)
    top, left = (side - array.shape[0]) // 2, (side - array.shape[1]) // 2
    square[top : top + array.shape[0], left : left + array.shape[1]] = array
    return Image.fromarray(square)
