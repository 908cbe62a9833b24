"""Evaluation, two versions side by side: A and B on every test set, per digit, their confusion
matrices, and the digits where they disagree. UI only, like the page: the figures are the same
`model.evaluate` Reports the page shows for one version."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.describe import confusion_alt
from model.drawings import STYLE_NAMES
from model.evaluate import Report, disagreements
from model.nondigits import heldout
from pages.columns import wrapping_columns
from pages.formatting import group_name
from pages.score_tables import disagreement_gallery, percent_table
from pages.scores import ALL_SETS, NONDIGIT_PARTS, SETS, confusion_png, testset


def compare_section(names: tuple[str, str], both: tuple[dict, dict]) -> None:
    a, b = both
    st.header(f"A = {names[0]} vs B = {names[1]}", divider="gray")

    # Columns A and B, not the names: a narrow table reads at phone width, whatever the names.
    def row(label: str, one: Report, other: Report) -> dict:
        return {
            "test set": label,
            "A": 100 * one.accuracy,
            "B": 100 * other.accuracy,
            "B − A": 100 * (other.accuracy - one.accuracy),
        }

    shared = [key for key in ALL_SETS if key in a and key in b]  # a set may go missing
    digit_sets = [key for key in shared if key in SETS]
    rows = []
    for key in shared:
        rows.append(row(ALL_SETS[key], a[key], b[key]))
        if key == "drawings":
            styles = testset("drawings").styles
            by_style = (a["drawings"].by_group(styles), b["drawings"].by_group(styles))
            rows += [row(f"· {group_name(s)}", by_style[0][s], by_style[1][s]) for s in STYLE_NAMES]
        if key == "nondigits":  # the figure Training and Compare show is the first of these
            for label, held_out in NONDIGIT_PARTS.items():
                part = heldout(testset("nondigits").styles) == held_out
                rows.append(row(label, a[key].subset(part), b[key].subset(part)))
    percent_table(rows, ["A", "B"])

    # Two narrow tables rather than one wide one, so that each reads at phone width.
    for title, columns in (
        ("Accuracy per digit", (("mnist", "MNIST"), ("drawings", "drawings"))),
        ("Real handwriting per digit", (("handwriting", "handwriting"),)),
    ):
        columns = tuple((key, short) for key, short in columns if key in shared)
        if not columns:
            continue
        st.markdown(f"**{title}** (recall)")
        per_digit = {"digit": [str(d) for d in range(10)]}
        for key, short in columns:
            for letter, results in zip("AB", both, strict=True):
                recall = np.array(results[key].per_class()["recall"], dtype=float)
                per_digit[f"{short} {letter}"] = 100 * recall
        percent_table(per_digit, list(per_digit)[1:], digits=1)

    for key in digit_sets:
        st.markdown(f"**{SETS[key]}** · confusion matrices")
        columns = wrapping_columns(2, 320, key=f"confusions_{key}", gap="large")
        for column, name, results in zip(columns, names, both, strict=True):
            column.image(
                confusion_png(name, key),
                width=400,
                alt=confusion_alt(
                    results[key].confusion(), f"{SETS[key]} for {name}", results[key].unanswered()
                ),
            )
    st.subheader("Where they disagree")
    st.caption("The digits where A and B give different answers, where they differ most first.")
    for key in digit_sets:
        differ = disagreements(a[key], b[key])
        disagreement_gallery(key, SETS[key], a[key], b[key], differ)
