"""Small grayscale images shown large: the one way every page enlarges a 28x28 digit."""

from __future__ import annotations

import numpy as np
from PIL import Image


def enlarge(image: np.ndarray, size: int) -> Image.Image:
    """A small grayscale array (uint8, or float ink in [0, 1]) as a crisp `size`-pixel square.

    Nearest-neighbour keeps each pixel a visible block; the browser, left to scale it, would blur
    the very pixels the network reads.
    """
    array = np.asarray(image)
    if array.dtype != np.uint8:
        array = (np.clip(array, 0, 1) * 255).round().astype(np.uint8)
    return Image.fromarray(array).resize((size, size), Image.Resampling.NEAREST)
