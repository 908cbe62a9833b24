"""The explanation lab on Inside the CNN: the evidence six ways, whether it is true, the nearest
training digits, the map, the answer stroke by stroke, and what the network has learned.

UI only: the arrays come from `model.attribution`, `model.faithfulness`, `model.embedding`,
`model.strokes` and `model.prototypes`, the pictures from `model.figures`, the words from
`model.describe`. The sections are tabs that run only when open (`on_change="rerun"`), so a new
drawing pays for the open one only; what does not depend on the drawing (the index of the
training digits, the map, the prototypes) is built once per version and cached.
"""

from __future__ import annotations

import base64
import io
import time

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from model import attribution, data, describe, embedding, faithfulness, figures

TABS = (
    "Evidence, six ways",
    "Is it true?",
    "Nearest training digits",
    "The map",
)
TAB_KEY = "lab_tab"
LINK_READ = "inside_digit_link_read"
LINK_DIGIT = "inside_digit_link"  # (the digit a link asked for, the drawing it was asked for)


def picture(fig) -> bytes:
    return figures.to_png(fig, dpi=100)


def drawing_id(image: np.ndarray) -> int:
    return hash(np.asarray(image, np.float32).tobytes())


# --- Which digit is explained: the answer, or what a `?digit=D` link asked for ------------------


def digit_from_link(image: np.ndarray) -> int | None:
    """The digit a `?digit=D` link asks to explain, for the drawing shown when the page opened.

    Read once per session, on the first load of this page, and never written back: Streamlit
    keeps query parameters across page switches, so writing them would follow the visitor to
    every page. A value that is not a digit falls back to the answer, with a note.
    """
    if not st.session_state.get(LINK_READ):
        st.session_state[LINK_READ] = True
        asked = st.query_params.get("digit")
        if asked is not None and asked.strip() in {str(d) for d in range(10)}:
            st.session_state[LINK_DIGIT] = (int(asked), drawing_id(image))
        elif asked is not None:
            st.info(
                f"The link asked to explain the digit “{asked[:12]}”, which is not one of 0 to "
                "9; the maps below explain the network's answer instead.",
                icon=":material/link_off:",
            )
    linked = st.session_state.get(LINK_DIGIT)
    if linked is not None and linked[1] == drawing_id(image):
        return linked[0]
    return None


def choose_digit(image: np.ndarray, predicted: int) -> int:
    """The selectbox for the digit whose evidence is shown, the answer unless a link or the
    visitor picks another."""
    linked = digit_from_link(image)
    return st.selectbox(
        "Explain the evidence for the digit",
        range(10),
        index=predicted if linked is None else linked,
        format_func=lambda d: f"{d} (predicted)" if d == predicted else str(d),
    )


# --- Cached computations -----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def attributions(_network, key: tuple, image: np.ndarray, digit: int) -> dict:
    return attribution.attribute_all(_network, image, digit)


def panels_of(found: dict) -> list[tuple[str, np.ndarray | None]]:
    return [(attribution.NAMES[m], None if a is None else a.values) for m, a in found.items()]


@st.cache_data(show_spinner=False, max_entries=64)
def evidence_picture(_network, key: tuple, image: np.ndarray, digit: int) -> tuple[bytes, str]:
    panels = panels_of(attributions(_network, key, image, digit))
    fig = figures.signed_figure(image, panels)
    return picture(fig), describe.signed_maps_alt(digit, panels)


@st.cache_data(show_spinner=False, max_entries=64)
def deletion_picture(
    _network, key: tuple, image: np.ndarray, digit: int
) -> tuple[bytes, str, dict[str, float]]:
    found = attributions(_network, key, image, digit)
    curves = faithfulness.curves_for(_network, image, digit, found)
    rows = [
        (attribution.NAMES.get(k, "Random order"), c.removed, c.probability, c.auc)
        for k, c in curves.items()
        if c is not None
    ]
    areas = {label: auc for label, _, _, auc in rows}
    fig = figures.deletion_figure(rows, digit)
    return picture(fig), describe.deletion_alt(digit, areas), areas


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


def enlarge(image: np.ndarray, size: int) -> Image.Image:
    array = image if image.dtype == np.uint8 else (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(array).resize((size, size), Image.Resampling.NEAREST)


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


# --- The sections ------------------------------------------------------------------------------


def show_evidence(network, key: tuple, image: np.ndarray, digit: int) -> None:
    st.markdown(
        "Six answers to *which pixels counted for the digit, and which against it*, all about "
        "the same number: the digit's **score** before the softmax (its logit). **Red** is "
        "evidence for the digit, **blue** evidence against, white none; the outline is your "
        "drawing. **Integrated gradients** follows the score from a black image to your "
        "drawing and shares the change out among the pixels (the shares add up to it exactly). "
        "**Occlusion** hides each 4×4 patch in turn and sees how far the score falls. "
        "**SmoothGrad** averages the gradient over noisy copies: where *more* ink would raise "
        "the score. The CAMs and saliency show evidence for only."
    )
    png, alt_text = evidence_picture(network, key, image, digit)
    st.image(png, alt=alt_text)
    found = attributions(network, key, image, digit)
    if (ig := found["integrated_gradients"]) is not None:
        st.caption(
            f"Integrated gradients, {ig.steps} steps: the attributions add up to "
            f"{float(ig.values.sum()):.2f}, the score difference from a black image is "
            f"{ig.score_gap:.2f}."
        )
    for method in attribution.CAMS:
        if (reason := attribution.why_not(network, method)) is not None:
            st.caption(reason)


def show_deletion(network, key: tuple, image: np.ndarray, digit: int) -> None:
    st.markdown(
        "A heat map is a claim: *these pixels mattered most*. The **deletion test** takes it at "
        "its word: it removes your drawing's pixels (sets them to black) in the order each "
        "method ranks them, 8 at a time, and records the probability of the digit after each "
        "step. If the map is right, the probability falls at once. The dashed line removes them "
        "in a random order. The **area** under each curve is in the legend: **smaller is more "
        "faithful**."
    )
    png, alt_text, areas = deletion_picture(network, key, image, digit)
    st.image(png, alt=alt_text)
    methods = {k: v for k, v in areas.items() if not k.startswith("Random")}
    best = min(methods, key=methods.get)
    st.caption(
        f"For this drawing, {best} is the most faithful (area {methods[best]:.2f}; random order "
        f"{areas['Random order']:.2f}). Over 200 MNIST test digits, integrated gradients and "
        "occlusion are the most faithful for every network (see the README)."
    )


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
    columns = st.columns(len(found))
    for column, one in zip(columns, found, strict=True):
        column.image(
            enlarge(train.x_train[one.index], 72),
            caption=f"{one.label} · {one.distance:.1f}",
            alt=f"MNIST training digit {one.index}, labelled {one.label}, at distance "
            f"{one.distance:.1f} from your drawing.",
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


def show_map(predictor, key: tuple, image: np.ndarray) -> None:
    st.markdown(
        "MNIST's test digits where the network's last hidden layer puts them, flattened to two "
        "dimensions by **PCA** (the two directions along which they differ most), coloured by "
        "their label; hover over a point to see its digit. The black cross is your drawing. "
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
            color=alt.Color("digit:N", scale=alt.Scale(scheme="category10"), title="digit"),
            tooltip=["digit:N", "test digit:Q", "image:N"],
        )
    )
    mine = (
        alt.Chart(pd.DataFrame({"x": [x], "y": [y], "what": ["your drawing"]}))
        .mark_point(shape="cross", size=350, filled=True, color="black")
        .encode(x="x:Q", y="y:Q", tooltip=["what:N"])
    )
    around = embedding.local_label(projection, (x, y))
    st.altair_chart(
        (points + mine).properties(height=420),
        alt=describe.map_alt(len(table), around),
    )


# --- The page section ----------------------------------------------------------------------------


def show(predictor, key: tuple, image: np.ndarray, digit: int) -> None:
    """Section 4 of Inside the CNN: the lab's tabs, each computed only when open."""
    network = predictor.network
    st.header("4 · Explanation lab", divider="gray")
    st.caption(
        f"Everything here explains the evidence for **{digit}** (choose another digit above)."
    )
    tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    sections = (
        lambda: show_evidence(network, key, image, digit),
        lambda: show_deletion(network, key, image, digit),
        lambda: show_neighbours(predictor, key, image),
        lambda: show_map(predictor, key, image),
    )
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                section()
