"""Pictures of what `model.explain` computes: filter grids, feature-map grids, heat-map overlays.

Every builder returns a `matplotlib.figure.Figure` made directly, never through `pyplot`: pyplot
keeps a global registry of open figures and is not thread-safe, while the app draws figures for
many sessions at once from its server threads. A Figure made this way belongs to no registry and
is freed like any other object once drawn; `to_png` renders one to PNG bytes.

A grid of channels is one image: the channels tiled side by side with a thin gap (`tile`), drawn
in a single Axes. One Axes per channel looks the same but costs seconds per layer to draw (the
default network shows 160 channels), and this page redraws on every interaction.

Colours: kernels are signed, so they use a diverging map centred at zero (blue for negative
weights, red for positive, white for zero) with one colour bar for the layer. Feature maps are
ReLU or pooling outputs (zero or more) and share one scale per layer, so a channel that found
nothing in this drawing stays dark rather than having its noise stretched to full contrast.
"""

from __future__ import annotations

import io
import math

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

TITLE_SIZE = 9
TILE_PIXELS = 28  # small tiles are enlarged to about this many pixels a side
GAP = 2  # pixels between (enlarged) tiles
FILTER_GAP = 3  # kernels are tiny and signed: a wider gap keeps neighbours apart
GAP_COLOUR = "#b8b8b8"


def grid_shape(count: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of a grid holding `count` cells, at most `columns` wide."""
    columns = max(1, min(columns, count))
    return math.ceil(count / columns), columns


def tile(stack: np.ndarray, columns: int, gap: int = GAP, scale: int = 1) -> np.ndarray:
    """(n, h, w) images → one image of `columns` tiles a row, each enlarged `scale` times (pixel
    for pixel, no smoothing) and `gap` pixels apart; gaps and empty cells are NaN, which the
    colour map draws in its "bad" colour."""
    stack = np.asarray(stack, dtype=np.float32)
    if scale > 1:
        stack = stack.repeat(scale, axis=1).repeat(scale, axis=2)
    count, height, width = stack.shape
    rows, columns = grid_shape(count, columns)
    out = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan, np.float32)
    for index, image in enumerate(stack):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        out[top : top + height, left : left + width] = image
    return out


def _colour_map(name: str):
    return mpl.colormaps[name].with_extremes(bad=GAP_COLOUR)


def _mosaic_figure(mosaic: np.ndarray, inches_per_pixel: float, extra_width: float = 0.0):
    """A figure just big enough for the mosaic at the given scale, with room for a title."""
    height, width = mosaic.shape
    size = (width * inches_per_pixel + extra_width, height * inches_per_pixel + 0.3)
    fig = Figure(figsize=size, dpi=100)
    ax = fig.add_axes((0.0, 0.0, 1 - extra_width / size[0], 1 - 0.3 / size[1]))
    ax.set_axis_off()
    return fig, ax


def filters_figure(kernels: np.ndarray, title: str, columns: int = 16) -> Figure:
    """(n, kh, kw) kernels as a grid on a diverging colour map centred at 0, one colour bar."""
    kernels = np.asarray(kernels, dtype=np.float32)
    limit = float(np.abs(kernels).max()) or 1.0
    scale = max(1, round(12 / kernels.shape[1]))  # a 3x3 kernel becomes 12x12 pixels
    mosaic = tile(kernels, columns, gap=FILTER_GAP, scale=scale)
    cell = kernels.shape[1] * scale + FILTER_GAP
    fig, ax = _mosaic_figure(mosaic, 0.45 / cell, extra_width=0.7)
    image = ax.imshow(
        mosaic, cmap=_colour_map("RdBu_r"), vmin=-limit, vmax=limit, interpolation="nearest"
    )
    bar_ax = fig.add_axes((1 - 0.55 / fig.get_figwidth(), 0.08, 0.12 / fig.get_figwidth(), 0.7))
    bar = fig.colorbar(image, cax=bar_ax)
    bar.ax.tick_params(labelsize=7)
    fig.suptitle(title, fontsize=TITLE_SIZE, x=0.01, y=0.99, ha="left", va="top")
    return fig


def feature_maps_figure(
    maps: np.ndarray,
    title: str,
    max_channels: int = 32,
    columns: int = 8,
    tile_inches: float = 0.55,
    cmap: str = "viridis",
) -> Figure:
    """(H, W, C) maps, one tile per channel (the first `max_channels`), all on one scale.

    Every tile is `tile_inches` wide whatever its resolution, so a pooled layer's maps look
    coarser than the layer before, as they are.
    """
    maps = np.asarray(maps, dtype=np.float32)
    shown = maps[..., :max_channels]
    count = shown.shape[-1]
    if count < maps.shape[-1]:
        title = f"{title} · first {count} of {maps.shape[-1]} channels"
    low, high = float(min(shown.min(), 0.0)), float(shown.max())
    high = high if high > low else low + 1.0
    scale = max(1, math.ceil(TILE_PIXELS / maps.shape[0]))
    mosaic = tile(np.moveaxis(shown, -1, 0), columns, gap=GAP, scale=scale)
    fig, ax = _mosaic_figure(mosaic, tile_inches / (maps.shape[0] * scale + GAP))
    ax.imshow(mosaic, cmap=_colour_map(cmap), vmin=low, vmax=high, interpolation="nearest")
    fig.suptitle(title, fontsize=TITLE_SIZE, x=0.01, y=0.99, ha="left", va="top")
    return fig


def overlay_figure(
    image28: np.ndarray, heatmap: np.ndarray, title: str, cmap: str = "jet", alpha: float = 0.5
) -> Figure:
    """The 28x28 digit in gray with a [0, 1] heat map laid over it."""
    fig = Figure(figsize=(2.4, 2.65), dpi=100)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96 * 2.4 / 2.65))
    ax.imshow(image28, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.imshow(heatmap, cmap=cmap, vmin=0, vmax=1, alpha=alpha, interpolation="bilinear")
    ax.set_axis_off()
    fig.suptitle(title, fontsize=TITLE_SIZE, y=0.99, va="top")
    return fig


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered to PNG bytes, to be shown at its own size: `st.image` would re-encode
    a larger picture shrunk to a given width on every rerun."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def confusion_figure(
    matrix: np.ndarray, title: str = "", size: float = 4.2, unanswered: np.ndarray | None = None
) -> Figure:
    """A confusion matrix (row = true digit, column = predicted), every count written in: 10x10,
    or 10x11 with `unanswered`.

    The mistakes are what matter and are rare next to the hits on the diagonal, so the two get
    separate scales: the diagonal in pale green, the mistakes in reds scaled to the largest one.
    `unanswered` (per true digit, those answered "not a digit" or "nothing drawn") adds a column
    "?", so that every row adds up to its digits; a rejected digit is a mistake too.
    """
    matrix = np.asarray(matrix)
    n = len(matrix)
    if unanswered is not None:
        matrix = np.column_stack([matrix, np.asarray(unanswered)])
    hits = np.eye(n, matrix.shape[1], dtype=bool)
    errors = np.where(hits, 0, matrix).astype(float)
    worst = float(errors.max()) or 1.0
    fig = Figure(figsize=(size, size), dpi=100)
    ax = fig.add_axes((0.14, 0.1, 0.84, 0.8))
    shown = np.ma.masked_where(hits | (matrix == 0), errors)
    ax.imshow(np.where(hits, 1.0, np.nan), cmap=mpl.colors.ListedColormap(["#d9f2d9"]))
    ax.imshow(shown, cmap="Reds", vmin=0, vmax=worst * 1.15)
    font = 7 if matrix.max() >= 1000 else 8
    for (row, col), count in np.ndenumerate(matrix):
        if count == 0:
            continue
        dark = not hits[row, col] and count > 0.6 * worst
        ax.text(
            col,
            row,
            str(count),
            ha="center",
            va="center",
            fontsize=font,
            color="white" if dark else "black",
            fontweight="bold" if hits[row, col] else "normal",
        )
    columns = matrix.shape[1]
    ax.set_xticks(range(columns), [*map(str, range(n)), "?"][:columns])
    ax.set_yticks(range(n))
    ax.tick_params(length=0, labelsize=8)
    ax.set_xlabel("predicted" if columns == n else 'predicted ("?": not a digit)', fontsize=8)
    ax.set_ylabel("true digit", fontsize=8)
    ax.set_xticks(np.arange(-0.5, columns), minor=True)
    ax.set_yticks(np.arange(-0.5, n), minor=True)
    ax.grid(which="minor", color="#e4e4e4", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE, x=0.01, y=0.99, ha="left", va="top")
    return fig


def reliability_figure(table: dict, ece: float, title: str = "", size: float = 4.2) -> Figure:
    """A reliability diagram: per confidence bin, how often the answer was right (bars) against
    how sure it was (the dashed diagonal). Bars under the diagonal: overconfident; over it:
    underconfident.

    `table` is `model.calibration.reliability`'s; bins with no answers are left empty. Most
    answers of a good network sit in the last bin, so each bin's count is written in a strip of
    its own above the bars, where no bar or line can cover it; the ECE and the diagonal's key
    go on a line under the title for the same reason.
    """
    edges = np.asarray(table["edges"])
    accuracy = np.nan_to_num(np.asarray(table["accuracy"], dtype=float))
    count = np.asarray(table["count"])
    fig = Figure(figsize=(size, size), dpi=100)
    ax = fig.add_axes((0.15, 0.12, 0.8, 0.56))
    counts = fig.add_axes((0.15, 0.70, 0.8, 0.11), sharex=ax)
    width = np.diff(edges)
    ax.bar(edges[:-1], accuracy, width=width, align="edge", color="#4c78a8", edgecolor="white")
    ax.plot([0, 1], [0, 1], linestyle="--", color="#444444", linewidth=1)
    for left, w, n in zip(edges[:-1], width, count, strict=True):
        if n:
            counts.text(
                left + w / 2, 0.05, f"{n:,}", ha="center", va="bottom", fontsize=7, rotation=90
            )
    counts.set_ylim(0, 1)
    counts.set_ylabel("answers", fontsize=7, rotation=0, ha="right", va="center")
    counts.tick_params(left=False, bottom=False, labelleft=False, labelbottom=False)
    for spine in counts.spines.values():
        spine.set_visible(False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (highest probability)", fontsize=8)
    ax.set_ylabel("share right", fontsize=8)
    ax.tick_params(labelsize=8)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    key = f"ECE {ece:.2%}   ·   dashed line: perfectly calibrated"
    fig.text(0.01, 0.915, key, fontsize=8, ha="left", va="top", color="#333333")
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE, x=0.01, y=0.99, ha="left", va="top")
    return fig


def ink_outline(ax, image28: np.ndarray) -> None:
    """The drawing's outline (half-bright ink), so a map can be read against the strokes."""
    ax.contour(np.asarray(image28), levels=[0.5], colors="#555555", linewidths=0.6)


def signed_limit(values: np.ndarray, top_share: float = 0.01) -> float:
    """A symmetric colour range for a signed map: the largest magnitude once the strongest
    `top_share` of pixels are left out, so that a few extreme pixels (integrated gradients piles
    much of the score on a handful) do not wash the rest out to white; 1 for an empty map."""
    magnitude = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    if not magnitude.size or magnitude.max() <= 1e-12:
        return 1.0
    limit = float(np.quantile(magnitude, 1 - top_share))
    return limit if limit > 1e-12 else float(magnitude.max())


def signed_figure(
    image28: np.ndarray, panels: list[tuple[str, np.ndarray | None]], columns: int = 3
) -> Figure:
    """One panel per method, `columns` a row: its map on a diverging colour map centred at zero
    (red: evidence for the digit, blue: against, white: none), each on its own symmetric scale,
    with the drawing's outline over it. A panel whose map is None says that the method does not
    apply. Three a row keep the panels large enough to read on a phone's width.

    Unsigned maps (the CAMs, saliency) use the same colours, so they show red only: one
    colour means one thing on every panel.
    """
    rows, columns = grid_shape(len(panels), columns)
    size, title = 1.7, 0.25
    fig = Figure(figsize=(size * columns, (size + title) * rows), dpi=100)
    colours = _colour_map("RdBu_r")
    for index, (name, values) in enumerate(panels):
        row, column = divmod(index, columns)
        box = (
            column / columns + 0.01,
            1 - (row + 1) / rows + 0.01,
            1 / columns - 0.02,
            size / (size + title) / rows - 0.02,
        )
        ax = fig.add_axes(box)
        ax.set_xticks([])
        ax.set_yticks([])
        # 10 pt: a phone shows the figure at 0.7 of its size, and 8 pt titles came out 7.8 px.
        ax.set_title(name, fontsize=10, pad=3)
        if values is None:
            ax.text(
                0.5, 0.5, "does not\napply", ha="center", va="center", fontsize=10, color="#555"
            )
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1)
            continue
        values = np.nan_to_num(np.asarray(values, dtype=np.float32))
        limit = signed_limit(values)
        ax.imshow(values, cmap=colours, vmin=-limit, vmax=limit, interpolation="nearest")
        ink_outline(ax, image28)
        for spine in ax.spines.values():
            spine.set_color("#cccccc")
    return fig


def deletion_figure(curves: list[tuple[str, np.ndarray, np.ndarray, float]], digit: int) -> Figure:
    """Deletion curves: the probability of `digit` as pixels are removed, one line per method
    (label, share removed, probability, area), the random order dashed; areas in the legend."""
    # Narrow and tall, the legend under the plot: a phone shows it at about its own width, and
    # a legend beside the plot took a third of it.
    fig = Figure(figsize=(4.2, 4.0), dpi=100)
    ax = fig.add_axes((0.15, 0.43, 0.80, 0.53))
    palette = mpl.colormaps["tab10"]
    for index, (label, removed, probability, auc) in enumerate(curves):
        random = label.lower().startswith("random")
        ax.plot(
            removed,
            probability,
            color="#555555" if random else palette(index),
            linestyle="--" if random else "-",
            linewidth=1.6,
            label=f"{label}  {auc:.2f}",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("share of pixels removed", fontsize=10)
    ax.set_ylabel(f"probability of {digit}", fontsize=10)
    ax.tick_params(labelsize=9)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    ax.legend(
        title="method · area",
        title_fontsize=9,
        fontsize=9,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.45, -0.2),
        ncol=2,
    )
    return fig


def progress_figure(
    probabilities: np.ndarray,
    xlabel: str,
    width: float | None = None,
    answers: list[int | None] | None = None,
) -> Figure:
    """The ten probabilities after each step (a stroke, a row) as a strip: one column per step,
    one row per digit, darker for a higher probability; the top digit of each column is written
    in it, so the moment the answer changes can be read off. Where `answers` says None (not a
    digit), a grey "?" is written instead."""
    probabilities = np.asarray(probabilities, dtype=np.float32).reshape(-1, 10)
    steps = len(probabilities)
    cell = 0.32 if steps <= 12 else 0.2
    fig = Figure(figsize=(width or max(2.6, 0.9 + cell * steps), 3.1), dpi=100)
    ax = fig.add_axes((0.12, 0.17, 0.86, 0.78))
    ax.imshow(probabilities.T, cmap="Blues", vmin=0, vmax=1, aspect="auto", origin="lower")
    for step, column in enumerate(probabilities):
        if column.sum() > 0:
            top = int(column.argmax())
            colour = "white" if column[top] > 0.5 else "black"
            text = str(top)
            if answers is not None and answers[step] is None:
                text, colour = "?", "#666666"
            ax.text(step, top, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_yticks(range(10))
    ticks = range(steps) if steps <= 12 else range(0, steps, 3)
    ax.set_xticks(list(ticks), [str(t + 1) for t in ticks])
    ax.tick_params(labelsize=7, length=0)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("digit", fontsize=8)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return fig
