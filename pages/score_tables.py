"""The Evaluation page's tables and galleries: how a `model.evaluate.Report` is drawn.

Display only: every figure comes from the reports; this module picks columns, formats and words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model.evaluate import Report
from pages.formatting import confidence, group_name
from pages.pictures import THUMBNAIL, enlarge
from pages.scores import testset
from pages.tables import table

GALLERY = 24  # pictures shown per gallery, the most telling first


def per_class_table(report: Report) -> None:
    per = report.per_class()
    frame = pd.DataFrame(
        {
            "digit": [str(d) for d in range(10)],
            "accuracy": 100 * np.array(per["recall"], dtype=float),
            # A digit it never answers has no precision (NaN): said so, not shown as "None",
            # and the column stays numbers, which sort as numbers.
            "precision": 100 * np.array(per["precision"], dtype=float),
            "digits": per["support"],
        }
    )
    table(
        frame,
        column_config={
            "accuracy": st.column_config.NumberColumn(
                "accuracy (recall)",
                format="%.1f%%",
                help="of the digits that are a d, the share read as d",
            ),
            "precision": st.column_config.NumberColumn(
                format="%.1f%%", help="of the digits read as d, the share that are a d"
            ),
        },
        missing="never answered",
    )


def share_bars(rows: list[dict], column: str, count: str = "drawings") -> None:
    """A table whose `column` holds a share in percent, drawn as a bar from 0 to 100%.

    How many `count` each row has is said once, in a caption ("50 drawings each", "200–232
    drawings each"), not in a column: a table narrow enough for a phone or half a tablet, with
    nothing cut off.
    """
    counts = [row[count] for row in rows]
    table(
        pd.DataFrame([{key: value for key, value in row.items() if key != count} for row in rows]),
        column_config={
            column: st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100)
        },
    )
    if counts:
        low, high = min(counts), max(counts)
        st.caption(f"{low:,} {count} each" if low == high else f"{low:,}–{high:,} {count} each")


def percent_table(rows: list[dict] | dict[str, list], percents: list[str], digits: int = 2) -> None:
    """A table (rows, or columns by name) whose `percents` columns are percentages and whose
    "B − A" column, if any, is points."""
    column = st.column_config.NumberColumn(format=f"%.{digits}f%%")
    config = {name: column for name in percents}
    config["B − A"] = st.column_config.NumberColumn(format="%+.2f", help="in points")
    table(pd.DataFrame(rows), column_config=config)


def truth(report: Report, key: str, index: int) -> str:
    """What an image is: "true 7", or for a non-digit its kind: "not a digit (letters)"."""
    if report.labels[index] < 0:
        return f"not a digit ({group_name(testset(key).styles[index])})"
    return f"true {report.labels[index]}"


def said(report: Report, index: int) -> str:
    digit = int(report.predicted[index])
    if digit < 0:
        return "not a digit" if report.drawn[index] else "saw nothing"
    return f"{digit} ({confidence(float(report.probabilities[index, digit]))})"


def gallery(key: str, shown: np.ndarray, caption, alt) -> None:
    """Test images `shown` of set `key`, `caption(i)` under each and `alt(i)` for screen readers."""
    inputs = testset(key).inputs
    st.image(
        [enlarge(inputs[i], THUMBNAIL) for i in shown],
        caption=[caption(i) for i in shown],
        width=THUMBNAIL,
        alt=[alt(i) for i in shown],
    )


def mistakes_gallery(report: Report, key: str) -> None:
    wrong = report.mistakes()
    if len(wrong) == 0:
        st.success("No mistakes on this set.")
        return
    shown = wrong[:GALLERY]
    more = f"; the {len(shown)} most confident first" if len(wrong) > len(shown) else ""
    st.caption(f"{len(wrong):,} mistakes{more}.")
    gallery(
        key,
        shown,
        caption=lambda i: f"{truth(report, key, i)} → said {said(report, i)}",
        alt=lambda i: f"{truth(report, key, i)}, read as {said(report, i)}",
    )


def disagreement_gallery(key: str, title: str, a: Report, b: Report, differ: np.ndarray) -> None:
    """The images A and B answer differently (`differ`, most telling first)."""
    st.markdown(f"**{title}** · they disagree on {len(differ):,} of {a.n:,} digits")
    if len(differ) == 0:
        return
    gallery(
        key,
        differ[:GALLERY],
        caption=lambda i: f"{truth(a, key, i)} · A {said(a, i)} · B {said(b, i)}",
        alt=lambda i: f"{truth(a, key, i)}, read by A as {said(a, i)}, by B as {said(b, i)}",
    )
