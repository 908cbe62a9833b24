"""The explanation lab's place of the drawing among the digits the network has seen: its nearest
training digits and the map of the test digits. UI only; see `pages/explanation_lab.py`."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from model import data, describe, embedding
from pages.pictures import enlarge


@st.cache_resource(show_spinner=False)
def mnist_arrays():
    return data.load_mnist()


@st.cache_resource(show_spinner=False, max_entries=8)
def training_index(_predictor, key: tuple) -> embedding.Index:
    index = embedding.training_index(_predictor.network, _predictor.version)
    embedding.nearest(_predictor.network, index, np.zeros((28, 28), np.float32))  # compile it now
    return index


@st.cache_data(show_spinner=False, max_entries=64)
def neighbours(_predictor, key: tuple, image: np.ndarray) -> tuple[list, float]:
    index = training_index(_predictor, key)
    start = time.perf_counter()
    found = embedding.nearest(_predictor.network, index, image)
    return found, (time.perf_counter() - start) * 1000


def data_url(image: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(image).resize((56, 56), Image.Resampling.NEAREST).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@st.cache_resource(show_spinner=False, max_entries=8)
def test_map(_predictor, key: tuple) -> tuple[embedding.Map, pd.DataFrame]:
    projection = embedding.test_map(_predictor.network, _predictor.version)
    digits = mnist_arrays().x_test[projection.rows]
    table = pd.DataFrame(
        {
            "x": projection.points[:, 0],
            "y": projection.points[:, 1],
            "digit": projection.labels.astype(str),
            "test digit": projection.rows,
            "image": [data_url(d) for d in digits],
        }
    )
    return projection, table


def show_neighbours(predictor, key: tuple, image: np.ndarray) -> None:
    st.markdown(
        "Up to its last hidden layer, the network turns a drawing into 128 numbers; the last "
        "layer reads the ten scores off them. Drawings it thinks alike get nearby numbers. "
        "These are the 8 of MNIST's 60,000 training digits nearest to yours there: the "
        "digits the network finds yours most like, with their labels."
    )
    if not embedding_ready(predictor, key):
        return
    found, milliseconds = neighbours(predictor, key, image)
    train = mnist_arrays()
    st.image(  # one list: the browser wraps the row on a narrow screen
        [enlarge(train.x_train[one.index], 72) for one in found],
        caption=[f"{one.label} · {one.distance:.1f}" for one in found],
        alt=[
            f"MNIST training digit {one.index}, labelled {one.label}, at distance "
            f"{one.distance:.1f} from your drawing."
            for one in found
        ],
    )
    labels = [one.label for one in found]
    common = max(set(labels), key=labels.count)
    st.caption(
        f"Label · distance. {labels.count(common)} of the 8 are labelled {common}. Searched "
        f"60,000 training digits in {milliseconds:.0f} ms."
    )


def embedding_ready(predictor, key: tuple) -> bool:
    """Build the version's index of training digits (once) with a note; False if it fails."""
    try:
        with st.spinner(
            "Reading MNIST's 60,000 training digits through this network, once per version…"
        ):
            training_index(predictor, key)
    except (OSError, ValueError) as err:
        st.warning(f"The training digits cannot be read: {err}", icon=":material/warning:")
        return False
    return True


# The map's plot area, in pixels, on a phone, a tablet and a wide screen (the chart fills the
# width; the axis and the legend take their share of its 420 px of height), and how far apart two
# labels' centres must be to read apart: a bold 15 px digit with its halo, or the drawing's cross.
PLOT_WIDTHS = (290, 520, 760)
PLOT_HEIGHT = 250
LABEL_GAP = 21.0


def label_offsets(
    middles: np.ndarray,
    avoid: np.ndarray,
    scales: Sequence[tuple[float, float]],
    gap: float = LABEL_GAP,
    steps: int = 300,
) -> np.ndarray:
    """Pixel offsets (n, 2), x right and y up, that move labels placed at `middles` (n, 2, data
    units) at least `gap` pixels from each other and from the points `avoid` (m, 2), at every
    scale given (pixels per data unit along x and y). Labels already clear do not move.

    Offsets in pixels, not data units, keep a label beside its cluster at every width: a width
    at which two clusters' middles nearly meet must not fling their labels far apart on another."""
    middles, avoid = np.asarray(middles, float), np.asarray(avoid, float).reshape(-1, 2)
    offsets = np.zeros_like(middles)

    def away(d: np.ndarray) -> np.ndarray:  # the unit vector along d; up when they coincide
        length = np.hypot(*d)
        return d / length if length > 1e-9 else np.array([0.0, 1.0])

    for _ in range(steps):
        moved = False
        for scale in scales:
            fixed = avoid * scale
            for i in range(len(middles)):
                for j in range(i + 1, len(middles)):
                    d = (middles[i] * scale + offsets[i]) - (middles[j] * scale + offsets[j])
                    if np.hypot(*d) < gap:  # each moves half the way, a hair past the gap
                        push = away(d) * ((gap - np.hypot(*d)) / 2 + 0.25)
                        offsets[i] += push
                        offsets[j] -= push
                        moved = True
                for point in fixed:
                    d = middles[i] * scale + offsets[i] - point
                    if np.hypot(*d) < gap:  # the point stays: the label moves all the way
                        offsets[i] += away(d) * (gap - np.hypot(*d) + 0.25)
                        moved = True
        if not moved:
            break
    return offsets


def map_scales(points: np.ndarray) -> list[tuple[float, float]]:
    """Pixels per data unit of the map at each of `PLOT_WIDTHS`: the axes span the points and
    zero, a little rounded out, as Vega-Lite's do."""
    spans = [(max(v.max(), 0) - min(v.min(), 0)) * 1.1 or 1.0 for v in np.asarray(points).T]
    return [(width / spans[0], PLOT_HEIGHT / spans[1]) for width in PLOT_WIDTHS]


def show_map(predictor, key: tuple, image: np.ndarray) -> None:
    st.markdown(
        "MNIST's test digits where the network's last hidden layer puts them, flattened to two "
        "dimensions by **PCA** (the two directions along which they differ most), coloured by "
        "their label, each label written at the middle of its digits (nudged aside where it would "
        "cover another label or your drawing); point at a dot, or tap it, "
        "to see its digit. The black cross, outlined in white, is your drawing. "
        "PCA is a fixed linear map, so your drawing lands exactly where its 128 numbers say "
        "and moves smoothly as you draw (t-SNE or UMAP would cluster more prettily, but cannot "
        "place a new drawing without refitting)."
    )
    with st.spinner("Reading MNIST's test digits through this network, once per version…"):
        projection, table = test_map(predictor, key)
    x, y = embedding.place(predictor.network, projection, image)
    points = (
        alt.Chart(table)
        .mark_circle(size=18, opacity=0.7)
        .encode(
            x=alt.X("x:Q", title=f"PC 1 ({projection.explained[0]:.0%} of the variance)"),
            y=alt.Y("y:Q", title=f"PC 2 ({projection.explained[1]:.0%})"),
            # Under the plot: on a phone a legend beside it takes a third of the width.
            color=alt.Color(
                "digit:N",
                scale=alt.Scale(scheme="category10"),
                legend=alt.Legend(title="digit", orient="bottom", columns=5),
            ),
            tooltip=["digit:N", "test digit:Q", "image:N"],
        )
    )
    # Each digit's name at the middle of its points, so that the clusters read without colour;
    # nudged in pixels where two middles, or a middle and the cross, lie closer than a label.
    named = table.groupby("digit", as_index=False)[["x", "y"]].median()
    nudge = label_offsets(
        named[["x", "y"]].to_numpy(), np.array([x, y]), map_scales(table[["x", "y"]])
    )
    named["dx"], named["dy"] = nudge[:, 0], -nudge[:, 1]  # the screen's y runs down
    middles = alt.Chart(named).encode(x="x:Q", y="y:Q", text="digit:N")
    # Per-label pixel offsets as expressions: this Vega-Lite ignores xOffset beside a continuous x.
    text = {
        "fontSize": 15,
        "fontWeight": "bold",
        "dx": alt.ExprRef("datum.dx"),
        "dy": alt.ExprRef("datum.dy"),
    }
    names = middles.mark_text(stroke="white", strokeWidth=4, **text) + middles.mark_text(
        color="black", **text
    )  # black on a white halo, over any colour
    mine = (
        alt.Chart(pd.DataFrame({"x": [x], "y": [y], "what": ["your drawing"]}))
        # Outlined in white: on the dark theme's black page a black cross alone disappears.
        .mark_point(
            shape="cross", size=350, filled=True, color="black", stroke="white", strokeWidth=1.5
        )
        .encode(x="x:Q", y="y:Q", tooltip=["what:N"])
    )
    around = embedding.local_label(projection, (x, y))
    st.altair_chart(
        (points + mine + names).properties(height=420),  # nothing drawn over a digit's name
        alt=describe.map_alt(len(table), around),
    )
