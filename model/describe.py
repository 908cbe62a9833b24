"""Text alternatives for the app's pictures: what a heat map, a confusion matrix, a reliability
diagram or a set of probabilities shows, in words (the pages pass them to `st.image(alt=...)`).

Pure NumPy, no TensorFlow: the words are tested on small arrays (tests/test_describe.py).
"""

from __future__ import annotations

import math

import numpy as np

# The 28x28 image in a 3x3 grid of regions, named as a person would point at them.
_ROWS = ("top", "middle", "bottom")
_COLUMNS = ("left", "centre", "right")


def region_name(row: int, column: int) -> str:
    """ "top left", "top", "left", "centre", "bottom right", ... for a cell of the 3x3 grid."""
    vertical, horizontal = _ROWS[row], _COLUMNS[column]
    if vertical == "middle" and horizontal == "centre":
        return "centre"
    if vertical == "middle":
        return horizontal
    if horizontal == "centre":
        return vertical
    return f"{vertical} {horizontal}"


def strongest_region(heat: np.ndarray) -> str | None:
    """Where a heat map is strongest: the cell of a 3x3 grid over it with the most heat, as
    "top left", "centre", "bottom"...; None for a map with no heat at all (all zero, or NaN)."""
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float64), nan=0.0)
    heat = np.maximum(heat, 0.0)
    if heat.ndim != 2 or heat.sum() <= 0:
        return None
    rows = np.array_split(np.arange(heat.shape[0]), 3)
    columns = np.array_split(np.arange(heat.shape[1]), 3)
    totals = np.array([[heat[np.ix_(r, c)].mean() for c in columns] for r in rows])
    row, column = np.unravel_index(int(np.argmax(totals)), totals.shape)
    return region_name(int(row), int(column))


def heat_map_alt(method: str, digit: int, heat: np.ndarray) -> str:
    """ "Grad-CAM heat map of the evidence for the digit 3 over the 28×28 input: strongest at the
    top right." """
    where = strongest_region(heat)
    found = f"strongest at the {where}" if where else "no evidence anywhere"
    return f"{method} heat map of the evidence for the digit {digit} over the 28×28 input: {found}."


def confidence_text(p: float) -> str:
    """A probability to one decimal ("97.3%"), but ">99.9%" where that would round up to
    "100.0%": a near-certainty shown as a certainty is a claim the network does not make. "–"
    for no number."""
    if not math.isfinite(p):
        return "–"
    return f"{p:.1%}" if p < 0.9995 else ">99.9%"


def probabilities_text(probabilities: np.ndarray) -> str:
    """ "0: 0.1%, 1: 0.0%, ..., 9: 0.3%": the ten probabilities as text."""
    return ", ".join(f"{d}: {confidence_text(float(p))}" for d, p in enumerate(probabilities))


def confusion_alt(matrix: np.ndarray, where: str, unanswered: np.ndarray | None = None) -> str:
    """ "Confusion matrix of a set: 980 of 1,000 read right, 5 answered "not a digit"; the most
    common mistake is 4 read as 9, 6 times." `unanswered`: per true digit, those given no digit
    ("not a digit", or nothing seen), which `matrix` leaves out."""
    matrix = np.asarray(matrix, dtype=np.int64)
    rejected = 0 if unanswered is None else int(np.sum(unanswered))
    total = int(matrix.sum()) + rejected
    right = int(np.trace(matrix))
    text = f"Confusion matrix of {where}: {right:,} of {total:,} digits read right"
    if rejected:
        text += f', {rejected:,} answered "not a digit"'
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    if off.sum() == 0:
        return text + ("; no digit read as another." if rejected else "; no mistakes.")
    true, read = np.unravel_index(int(np.argmax(off)), off.shape)
    count = int(off[true, read])
    times = "once" if count == 1 else f"{count:,} times"
    return text + f"; the most common mistake is {true} read as {read}, {times}."


def reliability_alt(table: dict, ece: float, where: str) -> str:
    """A reliability diagram in words: its calibration error and the busiest bin's figures."""
    count = np.asarray(table["count"], dtype=np.int64)
    text = f"Reliability diagram of {where}: expected calibration error {ece:.2%}"
    if count.sum() == 0:
        return text + "."
    busiest = int(np.argmax(count))
    edges = table["edges"]
    confidence = float(table["confidence"][busiest])
    accuracy = float(table["accuracy"][busiest])
    return text + (
        f"; most answers ({count[busiest]:,} of {count.sum():,}) have a confidence between "
        f"{edges[busiest]:.0%} and {edges[busiest + 1]:.0%}, on average {confidence:.1%}, and "
        f"are right {accuracy:.1%} of the time."
    )


def signed_maps_alt(digit: int, panels: list[tuple[str, np.ndarray | None]]) -> str:
    """ "Attribution maps of the evidence for the digit 3, red for and blue against: Integrated
    gradients for at the top right, against at the centre; Grad-CAM does not apply; ..." """
    parts = []
    for name, values in panels:
        if values is None:
            parts.append(f"{name} does not apply to this network")
            continue
        values = np.nan_to_num(np.asarray(values, dtype=np.float64))
        found = strongest_region(np.maximum(values, 0))
        against = strongest_region(np.maximum(-values, 0))
        words = f"{name}: for at the {found}" if found else f"{name}: no evidence for"
        if against:
            words += f", against at the {against}"
        parts.append(words)
    return (
        f"Maps of the evidence for the digit {digit} over the 28×28 input, red for and blue "
        "against, by method. " + "; ".join(parts) + "."
    )


def deletion_alt(digit: int, areas: dict[str, float]) -> str:
    """ "Deletion curves for the digit 3: its probability falls fastest when pixels are removed
    in the order Occlusion gives (area 0.11); in a random order the area is 0.38." `areas` maps each
    curve's label to its area, the random order's label starting with "Random"."""
    methods = {k: v for k, v in areas.items() if not k.lower().startswith("random")}
    randoms = [v for k, v in areas.items() if k.lower().startswith("random")]
    text = f"Deletion curves for the digit {digit}, one per method"
    if methods:
        best = min(methods, key=methods.get)
        text += (
            f": its probability falls fastest when pixels are removed in the order {best} "
            f"gives (area {methods[best]:.2f})"
        )
    if randoms:
        text += f"; in a random order the area is {randoms[0]:.2f}"
    return text + ". A smaller area means a more faithful explanation."


def map_alt(points: int, around: tuple[int, int, int]) -> str:
    """The map of test digits in words: how many, how it is made, where the drawing sits
    (`around` = the most common label near it, how many of the nearest have it, of how many)."""
    label, count, nearest = around
    return (
        f"Scatter plot of {points:,} MNIST test digits where the network's last hidden layer puts "
        "them, flattened to two dimensions by PCA and coloured by label. Your drawing, a black "
        f"cross, sits among the {label}s: {count} of the {nearest} nearest points are {label}s."
    )


def progress_alt(what: str, answers: list, sentence: str) -> str:
    """ "Strip of the ten probabilities after each of 3 strokes, one column per stroke: 1, 1, 7.
    The answer changed from 1 to 7 at the third stroke." """
    said = ", ".join("not a digit" if a is None else str(a) for a in answers)
    return (
        f"Strip of the ten probabilities after each of {len(answers)} {what}, one column "
        f"each, darker for more likely; the answers in turn: {said}. {sentence}"
    )


def curves_alt(title: str, rows: list[dict]) -> str:
    """ "Line chart of loss per epoch: train from 0.52 at epoch 1 to 0.05 at epoch 5; ..." from
    rows of {"epoch", "value", "series": "train" or "validation"}."""
    said = []
    for series in ("train", "validation"):
        values = [row["value"] for row in rows if row["series"] == series]
        if values:
            said.append(
                f"{series} from {values[0]:.4g} at epoch 1 to {values[-1]:.4g} at epoch "
                f"{len(values)}"
            )
    return f"Line chart of {title.lower()} per epoch: " + "; ".join(said) + "."


def readings_text(readings: list[dict]) -> str:
    """ "default reads 3 (99.2%); mlp reads not a digit (closest 8, 41.0%)" from
    `model.compare.readings`."""
    said = []
    for reading in readings:
        digit, confidence = reading["digit"], confidence_text(reading["confidence"])
        answer = f"{digit} ({confidence})"
        if reading["rejected"]:
            answer = f"not a digit (closest {digit}, {confidence})"
        said.append(f"{reading['model']} reads {answer}")
    return "; ".join(said)
