"""The Compare page's tables and charts, drawn from `model.compare`'s figures.

Three narrow tables rather than one wide one, so that each reads at phone width without scrolling
sideways: how well each model reads (accuracy, rejection, calibration), what it is (network, size)
and how fast it is. Short column labels; the long wording is each column's help. Each row names
the model and, for a TensorFlow Lite export, its kind: "default (int8)".
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from model import compare
from model.describe import confidence_text, readings_text
from pages.chart_layout import FIT_WIDTH, LEGEND, LEGEND_OVER, SERIES_COLOURS
from pages.tables import named_table


def label(row: dict) -> str:
    if row["format"] == "Keras":
        return row["model"]
    return f"{row['model']} ({row['format'].removeprefix('TFLite ')})"


MAX_MODEL_PX = 260


def model_colour(names: list[str]) -> alt.Color:
    """One colour per model, the same in every chart of the page: each chart would otherwise
    colour its models in its own order (the scatter's alphabetical, the bars' as listed)."""
    scale = alt.Scale(domain=names, range=SERIES_COLOURS)
    return alt.Color("model:N", sort=names, scale=scale, legend=LEGEND)


def narrow_table(rows: list[dict], column_config: dict, missing: str | None = None) -> None:
    """A row per model, its name first, and a few columns: narrow enough for a phone."""
    named_table(rows, "model", MAX_MODEL_PX, column_config, missing)


def accuracy_table(rows: list[dict], served: str) -> None:
    """`served`: the label of the row that serves the app, starred."""
    percent = st.column_config.NumberColumn
    narrow_table(
        [
            {
                "model": label(row) + (" ★" if label(row) == served else ""),
                "MNIST": 100 * row["test_accuracy"],
                "drawings": 100 * row["drawings_accuracy"],
                "non-digits": 100 * row["nondigits_rejected"],
                "ECE": 100 * row["test_ece"],
            }
            for row in rows
        ],
        {
            "MNIST": percent(format="%.2f%%", help="accuracy on MNIST's 10,000 test digits"),
            "drawings": percent(
                "drawn",  # short: with the models' names, the table fits a phone's width
                format="%.2f%%",
                help="accuracy on the 3,000 bundled canvas-like drawings",
            ),
            "non-digits": percent(
                "rejects",  # short, as "drawn" is
                format="%.1f%%",
                help='drawn non-digits of kinds no network trained on, answered "not a digit"',
            ),
            "ECE": percent(
                format="%.2f%%",
                help="expected calibration error on MNIST test: how far its confidence is from "
                "how often it is right (15 bins)",
            ),
        },
    )


def size_table(rows: list[dict]) -> None:
    narrow_table(
        [
            {
                "model": label(row),
                "network": row["arch"],
                "params": row["params"],
                "KB": row["file_bytes"] / 1000,
            }
            for row in rows
        ],
        {
            "params": st.column_config.NumberColumn(format="localized", help="parameters"),
            "KB": st.column_config.NumberColumn(format="%.0f", help="file size in kilobytes"),
        },
    )


def speed_table(rows: list[dict]) -> None:
    narrow_table(
        [
            {
                "model": label(row),
                "ms": row["latency_ms"],
                "s/epoch": row["seconds_per_epoch"],  # none for a converted TFLite file: "–"
                # An epoch's seconds say little without what it went through.
                "images": row.get("train_size"),
            }
            for row in rows
        ],
        {
            "ms": st.column_config.NumberColumn(
                format="%.3f",
                help=f"latency: one preprocessed drawing through the network, median of "
                f"{compare.LATENCY_CALLS} calls, measured now on the computer running this app",
            ),
            "s/epoch": st.column_config.NumberColumn(
                format="%.1f",
                help="training seconds per epoch, from the version's metadata, measured when it "
                "was trained; a TFLite file is converted, not trained",
            ),
            "images": st.column_config.NumberColumn(
                format="localized", help="training images in one epoch"
            ),
        },
        missing="–",
    )


def accuracy_chart(rows: list[dict], names: list[str]) -> None:
    """`names`: every model the page shows, in the order that fixes their colours."""
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
            color=model_colour(names),
            shape=alt.Shape("test set:N", legend=LEGEND_OVER),
            tooltip=[
                "model",
                "test set",
                alt.Tooltip("accuracy:Q", format=".2%"),
                alt.Tooltip("latency (ms):Q", format=".3f"),
                alt.Tooltip("size (KB):Q", format=".0f"),
            ],
        )
        .properties(
            height=260,
            autosize=FIT_WIDTH,
            description="Scatter plot of each model's accuracy on MNIST test and on the drawings "
            "against its single-drawing latency in milliseconds: "
            + "; ".join(
                f"{p['model']} on {p['test set']}: {p['accuracy']:.2%}, {p['latency (ms)']:.2f} ms"
                for p in points.to_dict("records")
            ),
        )
    )
    st.altair_chart(chart, width="stretch")


def readings_table(readings: list[dict]) -> None:
    """What each network answers: the digit (or "?") and its confidence."""
    narrow_table(
        [
            {
                "model": r["model"],
                "reads": "? (not a digit)" if r["rejected"] else str(r["digit"]),
                "confidence": confidence_text(r["confidence"]),
            }
            for r in readings
        ],
        {"confidence": st.column_config.TextColumn()},
    )


def readings_chart(readings: list[dict], names: list[str]) -> None:
    """The ten probabilities each network gives, grouped by digit; `names` as above."""
    frame = pd.DataFrame(
        [
            {"model": r["model"], "digit": str(d), "probability": float(p)}
            for r in readings
            for d, p in enumerate(r["probabilities"])
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("digit:N", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("model:N", sort=[r["model"] for r in readings]),
            y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=model_colour(names),
            tooltip=["model", "digit", alt.Tooltip("probability:Q", format=".2%")],
        )
        .properties(
            height=200,
            autosize=FIT_WIDTH,
            description="Bar chart of the ten probabilities each network gives the drawing: "
            + readings_text(readings),
        )
    )
    st.altair_chart(chart, width="stretch")
