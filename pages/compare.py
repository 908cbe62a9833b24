"""Compare: every network side by side, measured on this machine, plus the active model as TFLite.

Only display here: the figures come from `model.compare`, the exports from `model.serving.export`.
Measuring a version takes a few seconds (two test sets, 13,000 digits), so figures are cached per
version name and model-file modification time (`st.cache_data`), the loaded networks and TFLite
interpreters per process (`st.cache_resource`); the table fills in row by row on a cold start.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from model import compare
from model.calibration import Calibration, answers
from model.drawings import sample_drawing
from model.serving.export import TFLitePredictor, tflite_file_name, to_tflite
from model.serving.store import StoreError, Version
from pages.entry import ensure_app_entry
from pages.pictures import enlarge
from pages.resources import active_predictor, predictor_for, store

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

SHIPPED_ORDER = ["default", "seed_cnn", "mlp", "rnn"]  # the shipped versions, in table order
TFLITE_KINDS = {"TFLite float": False, "TFLite int8": True}


# ── cached measurements ────────────────────────────────────────────────────────────────────────


def stamp_of(version: Version) -> float:
    """The model file's modification time: a re-written version is measured afresh."""
    return version.model_file.stat().st_mtime


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
    if not int8 and version.lite_file.is_file():
        model_bytes = version.lite_file.read_bytes()  # the twin the app serves: no converting
    else:
        model_bytes = to_tflite(keras_predictor(name).network, int8=int8)
    predictor = TFLitePredictor(model_bytes, name=tflite_file_name(name, int8))
    predictor.calibration = Calibration.of(version.meta)  # it answers as the app serves it
    return predictor


@st.cache_data(show_spinner=False, max_entries=16)
def tflite_figures(name: str, stamp: float, int8: bool) -> dict:
    predictor = tflite_predictor(name, stamp, int8)
    return compare.measure_tflite(store().get(name), predictor, int8)


# ── page sections ──────────────────────────────────────────────────────────────────────────────


def label(row: dict) -> str:
    return row["model"] if row["format"] == "Keras" else f"{row['model']} ({row['format']})"


def table_frame(rows: list[dict], active: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "model": row["model"] + (" ★" if row["model"] == active else ""),
                "network": row["arch"],
                "format": row["format"],
                "MNIST test": 100 * row["test_accuracy"],
                "drawings": 100 * row["drawings_accuracy"],
                "non-digits rejected": 100 * row["nondigits_rejected"],
                "ECE (MNIST)": 100 * row["test_ece"],
                "parameters": row["params"],
                "file size (KB)": row["file_bytes"] / 1000,
                # Text: a converted TFLite file was not trained, and a missing number would
                # show as "None".
                "training s/epoch": (
                    "–" if row["seconds_per_epoch"] is None else f"{row['seconds_per_epoch']:.1f}"
                ),
                "latency (ms)": row["latency_ms"],
            }
            for row in rows
        ]
    )


def show_table(placeholder, rows: list[dict], active: str) -> None:
    placeholder.dataframe(
        table_frame(rows, active),
        hide_index=True,
        width="stretch",
        column_config={
            "MNIST test": st.column_config.NumberColumn(
                format="%.2f%%", help="accuracy on MNIST's 10,000 test digits"
            ),
            "drawings": st.column_config.NumberColumn(
                format="%.2f%%", help="accuracy on the 3,000 bundled canvas-like drawings"
            ),
            "non-digits rejected": st.column_config.NumberColumn(
                format="%.1f%%",
                help='drawn non-digits of kinds no network trained on, answered "not a digit"',
            ),
            "ECE (MNIST)": st.column_config.NumberColumn(
                format="%.2f%%",
                help="expected calibration error on MNIST test: how far its confidence is from "
                "how often it is right (15 bins)",
            ),
            "parameters": st.column_config.NumberColumn(format="localized"),
            "file size (KB)": st.column_config.NumberColumn(format="%.0f"),
            "format": st.column_config.TextColumn(width=100),
            "training s/epoch": st.column_config.TextColumn(
                help="from the version's metadata, measured when it was trained; a TFLite file "
                "is converted, not trained"
            ),
            "latency (ms)": st.column_config.NumberColumn(
                format="%.3f",
                help=f"one preprocessed drawing through the network, median of "
                f"{compare.LATENCY_CALLS} calls, measured now on this machine",
            ),
        },
    )


def accuracy_chart(rows: list[dict]) -> None:
    points = pd.DataFrame(
        [
            {
                "model": label(row),
                "test set": name,
                "accuracy": row[key],
                "latency (ms)": row["latency_ms"],
                "size (KB)": row["file_bytes"] / 1000,
            }
            for row in rows
            for name, key in (("MNIST test", "test_accuracy"), ("drawings", "drawings_accuracy"))
        ]
    )
    chart = (
        alt.Chart(points)
        .mark_point(filled=True, size=110)
        .encode(
            x=alt.X("latency (ms):Q", scale=alt.Scale(type="log"), title="latency, ms (log)"),
            y=alt.Y(
                "accuracy:Q", scale=alt.Scale(zero=False), axis=alt.Axis(format=".1%"), title=None
            ),
            color=alt.Color("model:N", title=None),
            shape=alt.Shape("test set:N", title=None),
            tooltip=[
                "model",
                "test set",
                alt.Tooltip("accuracy:Q", format=".2%"),
                alt.Tooltip("latency (ms):Q", format=".3f"),
                alt.Tooltip("size (KB):Q", format=".0f"),
            ],
        )
        .properties(
            height=340,
            title="Accuracy against single-drawing latency",
            description="Scatter plot of each model's accuracy on MNIST test and on the drawings "
            "against its single-drawing latency in milliseconds: "
            + "; ".join(
                f"{p['model']} on {p['test set']}: {p['accuracy']:.2%}, {p['latency (ms)']:.2f} ms"
                for p in points.to_dict("records")
            ),
        )
    )
    st.altair_chart(chart, width="stretch")


def reads_text(frame: pd.DataFrame, rejected_by: set) -> str:
    """Every network's answer: "default reads 3 (99.2%); mlp reads not a digit (closest 8, 41%)"."""
    said = []
    for model, rows in frame.groupby("model", sort=False):
        best = rows.loc[rows["probability"].idxmax()]
        answer = f"{best['digit']} ({best['probability']:.1%})"
        said.append(
            f"{model} reads "
            + (f"not a digit (closest {answer})" if model in rejected_by else answer)
        )
    return "; ".join(said)


def drawing_section(predictors: dict) -> None:
    st.subheader("Your drawing, read by every network")
    pixels = st.session_state.get("drawing")
    image = compare.drawing_input(pixels) if pixels is not None else None
    if image is None:
        st.info("Nothing drawn yet on the Draw page: showing a sample 3 instead.")
        image = compare.drawing_input(sample_drawing())
    rows, rejected_by = [], set()
    for name, predictor in predictors.items():
        probabilities, rejected = answers(predictor, image[None])
        rows += [
            {"model": name, "digit": str(d), "probability": float(p)}
            for d, p in enumerate(probabilities[0])
        ]
        if rejected[0]:
            rejected_by.add(name)
    frame = pd.DataFrame(rows)
    # The chart below at full width: ten digits times up to seven networks need the room, and
    # beside the table (which needs ~330 px for "default (TFLite float)") either was cut short.
    left, middle = st.columns([1, 3], gap="medium")
    with left:
        st.image(
            enlarge(image, 140),
            caption="what the networks read (28×28)",
            alt="The 28×28 image every network reads: " + reads_text(frame, rejected_by) + ".",
        )
    with middle:
        best = frame.loc[frame.groupby("model", sort=False)["probability"].idxmax()].copy()
        best.loc[best["model"].isin(rejected_by), "digit"] = "? (not a digit)"
        st.dataframe(
            best.rename(columns={"digit": "reads", "probability": "confidence"}),
            hide_index=True,
            width="content",
            column_config={
                "model": st.column_config.TextColumn(width=180),
                "reads": st.column_config.TextColumn(width=110),
                "confidence": st.column_config.NumberColumn(format="percent", width=100),
            },
        )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("model:N", sort=list(predictors)),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color("model:N", sort=list(predictors), title=None),
            tooltip=["model", "digit", alt.Tooltip("probability:Q", format=".2%")],
        )
        .properties(
            height=260,
            description="Bar chart of the ten probabilities each network gives the drawing: "
            + reads_text(frame, rejected_by),
        )
    )
    st.altair_chart(chart, width="stretch")


def downloads(active: Version, tflite: dict[bool, TFLitePredictor]) -> None:
    st.subheader("Downloads")
    st.caption(f"The active model, **{active.name}**, as Keras and as TensorFlow Lite.")
    columns = st.columns(3)
    columns[0].download_button(
        f"{active.name}.keras",
        data=active.model_file.read_bytes,  # read on click, not on every rerun
        file_name=f"{active.name}.keras",
        mime="application/octet-stream",
        icon=":material/download:",
        key="download_keras",
    )
    for column, int8 in zip(columns[1:], (False, True), strict=True):
        if int8 not in tflite:
            continue
        name = tflite_file_name(active.name, int8)
        column.download_button(
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
    "Every network on the same test sets, measured now on this machine: accuracy on MNIST test "
    'and on the bundled canvas-like drawings, how many drawn non-digits it answers "not a '
    'digit", how well its confidence is calibrated (ECE), size, training time per epoch, and how '
    "long one drawing takes through the network. The active model (★) also as TensorFlow Lite, "
    "float and 8-bit integer, answering as the app serves it."
)

serving, _ = active_predictor()
active = serving.version
versions = store().list()
rank = {name: i for i, name in enumerate(SHIPPED_ORDER)}
shipped = sorted(
    (v for v in versions if v.shipped), key=lambda v: (rank.get(v.name, len(rank)), v.name)
)
mine = [v.name for v in versions if not v.shipped and not v.problem]
chosen = st.multiselect(
    "Also compare your versions",
    mine,
    default=[active.name] if active.name in mine else [],
    key="compare_versions",
    placeholder="your trained versions",
)
by_name = {v.name: v for v in versions}
compared = [v for v in shipped if not v.problem] + [by_name[name] for name in chosen]
for v in shipped:
    if v.problem:
        st.error(f"Shipped version **{v.name}** is broken: {v.problem}")

placeholder = st.empty()
rows: list[dict] = []
predictors: dict = {}
for version in compared:
    with st.spinner(f"Measuring {version.name}…"):
        try:
            rows.append(keras_figures(version.name, stamp_of(version)))
            predictors[version.name] = keras_predictor(version.name)
        except (StoreError, OSError) as err:
            st.error(f"Version **{version.name}** cannot be measured: {err}")
            continue
    show_table(placeholder, rows, active.name)

tflite: dict[bool, TFLitePredictor] = {}
for kind, int8 in TFLITE_KINDS.items():
    with st.spinner(f"Converting {active.name} to {kind} and measuring it…"):
        try:
            figures = tflite_figures(active.name, stamp_of(active), int8)
            tflite[int8] = tflite_predictor(active.name, stamp_of(active), int8)
        except Exception as err:  # the converter raises many kinds for an unsupported network
            st.warning(f"{active.name} cannot be exported as {kind}: {type(err).__name__}: {err}")
            continue
    rows.append(figures)
    predictors[f"{active.name} ({kind})"] = tflite[int8]
    show_table(placeholder, rows, active.name)

if rows:
    st.caption(
        "Latency: one preprocessed drawing through the network alone (Keras: the compiled "
        "`tf.function`; TFLite: the LiteRT interpreter, which serves the float file in this "
        "app), median of "
        f"{compare.LATENCY_CALLS} calls, measured when this page first ran in this server. "
        "Training s/epoch: from each version's metadata, on the machine that trained it."
    )
    accuracy_chart(rows)
    drawing_section(predictors)
downloads(active, tflite)
