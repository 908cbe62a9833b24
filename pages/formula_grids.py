"""The pictures and tables the formulas are shown in: a map enlarged with the cells a formula
reads outlined, and a small matrix headed by the rows and columns it comes from."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from pages.formatting import number

CELL = 6  # screen pixels per input pixel in the pictures
OUTLINE = (255, 140, 0)


def grid_table(
    values: np.ndarray, top: int, left: int, pad: np.ndarray | None = None, corner: str = "image"
):
    """A small matrix as a table headed by the rows and columns it comes from: of the image (or
    map) from row `top` and column `left`, or with `corner` "kernel", the kernel's own 1 to 3."""
    table = pd.DataFrame(
        [[number(v) for v in row] for row in values],
        index=[f"row {top + r}" for r in range(values.shape[0])],
        columns=[f"col {left + c}" for c in range(values.shape[1])],
    ).rename_axis(corner)  # a table's corner header needs text, for screen readers
    if pad is not None:
        table = table.where(~pad, "0 (pad)")
    return table


def outlined(values: np.ndarray, box: tuple[int, int, int, int], margin: int = 0) -> Image.Image:
    """`values` (h, w) in grey, enlarged, with a margin of `margin` cells (padding) drawn dark grey
    and the cells `box` = (top, left, height, width) outlined."""
    top_value = float(values.max()) or 1.0
    grey = (np.clip(values / top_value, 0, 1) * 255).astype(np.uint8)
    framed = np.full((grey.shape[0] + 2 * margin, grey.shape[1] + 2 * margin), 60, np.uint8)
    framed[margin : margin + grey.shape[0], margin : margin + grey.shape[1]] = grey
    picture = (
        Image.fromarray(framed)
        .convert("RGB")
        .resize((framed.shape[1] * CELL, framed.shape[0] * CELL), Image.NEAREST)
    )
    top, left, height, width = box
    corner = ((left + margin) * CELL, (top + margin) * CELL)
    end = (corner[0] + width * CELL - 1, corner[1] + height * CELL - 1)
    ImageDraw.Draw(picture).rectangle([corner, end], outline=OUTLINE, width=2)
    return picture
