"""Training curves: loss and accuracy per epoch, train against validation, for a finished
version's history or a run in progress (the Training page shows both)."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd
import streamlit as st

from model.describe import curves_alt
from pages.chart_layout import FIT_WIDTH
from pages.columns import wrapping_columns
from pages.formatting import percent

SERIES_COLORS = {"train": "#4C78A8", "validation": "#F58518"}
TICKS = 5  # on the value axis: a steady count, for `tick_format` to know the step


def tick_format(values: list[float], percent_axis: bool) -> str:
    """A d3 format with just enough decimals that the value axis's ticks read apart.

    Vega-Lite steps its ticks as d3 does: 1, 2 or 5 times a power of ten, near a `TICKS`-th of
    the range; the nice domain only widens it. A fine-tune's accuracy spans a point or so, which
    whole percents would label "100%, 99%, 99%".
    """
    scale = 100 if percent_axis else 1
    finite = [scale * v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    span = max(finite) - min(finite) if finite else 0.0
    if span <= 0:  # one value: a single tick, read closely
        decimals = 2
    else:
        power = 10 ** math.floor(math.log10(span / TICKS))
        if span / TICKS / power >= math.sqrt(50):  # d3 rounds such a step up to the next power
            power *= 10
        decimals = max(0, -round(math.log10(power)))
    return f".{decimals}{'%' if percent_axis else 'f'}"


def curve_charts(history: dict, key: str, height: int = 260) -> None:
    """Loss and accuracy per epoch, train vs validation, side by side (numbers for one epoch);
    `key` names them on the page."""
    epochs = len(history.get("loss", []))
    if epochs == 1:  # a line needs two points: show the numbers instead
        st.markdown("**After one epoch**")
        labels = {
            "loss": "Train loss",
            "val_loss": "Validation loss",
            "accuracy": "Train accuracy",
            "val_accuracy": "Validation accuracy",
        }
        columns = wrapping_columns(4, 150, key=f"{key}_figures")
        for column, (name, label) in zip(columns, labels.items(), strict=True):
            values = history.get(name) or [None]
            value = values[-1]
            text = "–" if value is None else (percent(value) if "acc" in name else f"{value:.4f}")
            column.metric(label, text)
        return
    left, right = wrapping_columns(2, 300, key=f"{key}_charts", gap="large")
    for column, metric, title in ((left, "loss", "Loss"), (right, "accuracy", "Accuracy")):
        rows = [
            {"epoch": epoch, "value": value, "series": series}
            for series, key in (("train", metric), ("validation", f"val_{metric}"))
            for epoch, value in enumerate(history.get(key, []), start=1)
        ]
        with column:
            st.markdown(f"**{title}** per epoch, train vs validation")
            if not rows:
                st.caption("No epochs yet.")
                continue
            y_title = "cross-entropy loss" if metric == "loss" else "accuracy"
            values = [row["value"] for row in rows]
            y_format = tick_format(values, percent_axis=metric == "accuracy")
            y_axis = alt.Axis(title=y_title, format=y_format, tickCount=TICKS)
            colors = alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values()))
            chart = (
                alt.Chart(pd.DataFrame(rows))
                .mark_line(point=True)
                .encode(
                    x=alt.X(
                        "epoch:Q",
                        title="epoch",
                        scale=alt.Scale(domain=[1, max(row["epoch"] for row in rows)], nice=False),
                        axis=alt.Axis(format="d", tickMinStep=1),
                    ),
                    y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=False)),
                    # Titled for what screen readers say of each point; the legend needs none.
                    color=alt.Color(
                        "series:N",
                        title="series",
                        scale=colors,
                        legend=alt.Legend(orient="top", title=None),
                    ),
                    tooltip=[
                        "epoch:Q",
                        "series:N",
                        alt.Tooltip("value:Q", title=metric, format=".4f"),
                    ],
                )
                .properties(height=height, autosize=FIT_WIDTH, description=curves_alt(title, rows))
            )
            st.altair_chart(chart, width="stretch")
