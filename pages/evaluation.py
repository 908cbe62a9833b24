"""Evaluation: how often a version is right, on MNIST's test digits and on canvas-like drawings,
how well its confidence is calibrated, and how often it says "not a digit" to drawn non-digits.

UI only: the figures come from `model.evaluate` (Report), computed once per version and model file
by `pages.scores`; the tables and galleries are drawn by `pages.score_tables`, and two versions
side by side by `pages.version_pair`. A link
`?version=NAME&compare=OTHER` opens the same view (`pages.links`).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model.describe import confusion_alt, reliability_alt
from model.evaluate import Report
from model.nondigits import heldout
from model.train_config import trained_nondigit_count
from pages.columns import wrapping_columns
from pages.entry import ensure_app_entry
from pages.formatting import group_name, percent
from pages.links import apply_link, copy_link
from pages.resources import store
from pages.score_tables import mistakes_gallery, per_class_table, share_bars
from pages.scores import (
    ALL_SETS,
    SET_NOTES,
    SETS,
    confusion_png,
    missing_sets,
    reliability_png,
    reports,
    testset,
)
from pages.version_pair import compare_section

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

# Sets whose drawings come in groups worth a bar each: the drawing styles, the fonts.
GROUPS = {"drawings": "style", "strokefonts": "font", "typefaces": "typeface"}


# ── one version ────────────────────────────────────────────────────────────────────────────────


def digit_set_section(name: str, key: str, report: Report) -> None:
    st.header(SETS[key])
    st.caption(SET_NOTES[key])
    st.metric(
        "Accuracy",
        percent(report.accuracy),
        help=f'on {report.n:,} digits; one answered "not a digit" counts as wrong',
    )
    st.caption(
        f'Answered "not a digit": {report.rejected_share:.2%} '
        f"({int((report.predicted < 0).sum())} of {report.n:,})."
    )
    st.markdown("**Per digit**")
    per_class_table(report)
    st.markdown(
        '**Confusion matrix** · row = true digit, column = predicted, "?" = no digit given ("not '
        'a digit", or nothing seen)'
    )
    st.image(
        confusion_png(name, key),
        width=400,
        alt=confusion_alt(report.confusion(), f"{SETS[key]} for {name}", report.unanswered()),
    )
    if key in GROUPS:
        group = GROUPS[key]
        st.markdown(f"**Per {'drawing style' if group == 'style' else group}**")
        by_group = report.by_group(testset(key).styles)
        share_bars(
            [
                {group: group_name(value), "accuracy": 100 * part.accuracy, "drawings": part.n}
                for value, part in by_group.items()
            ],
            "accuracy",
        )
    st.markdown("**Misclassified digits**")
    mistakes_gallery(report, key)
    st.markdown("**Calibration** · is it right as often as it is sure?")
    st.image(
        reliability_png(name, key),
        width=400,
        alt=reliability_alt(report.reliability(), report.ece, f"{SETS[key]} for {name}"),
    )


def nondigits_section(name: str, report: Report, meta: dict) -> None:
    kinds = testset("nondigits").styles
    trained = trained_nondigit_count(meta) > 0
    st.header(ALL_SETS["nondigits"])
    st.caption(
        "Letters, symbols, shapes, doodles and scribbles drawn with the canvas's pen. The network "
        'knows only the ten digits; the honest answer to these is "not a digit". '
        + (
            "Some kinds it trained on (other drawings of them); the others it has never seen."
            if trained
            else "This version trained on no non-digits: every kind is new to it."
        )
    )
    unseen = heldout(kinds) if trained else np.ones(len(kinds), bool)
    left, right = wrapping_columns(2, 200, key=f"nondigit_figures {name}")
    left.metric('Kinds never trained on: "not a digit"', percent(report.subset(unseen).accuracy))
    if trained:
        right.metric('Kinds trained on: "not a digit"', percent(report.subset(~unseen).accuracy))
    share_bars(
        [
            {
                "kind": group_name(kind),
                "trained on": "yes" if trained and not heldout(kind) else "no",
                "not a digit": 100 * part.accuracy,
                "drawings": part.n,
            }
            for kind, part in report.by_group(kinds).items()
        ],
        "not a digit",
    )
    st.markdown("**Taken for digits**")
    mistakes_gallery(report, "nondigits")


def version_section(name: str, results: dict[str, Report], meta: dict) -> None:
    keys = [key for key in SETS if key in results]
    for row in (keys[i : i + 2] for i in range(0, len(keys), 2)):  # two sets side by side
        columns = wrapping_columns(2, 320, key=f"sets {name} {row[0]}", gap="large")
        for column, key in zip(columns, row, strict=False):
            with column:
                digit_set_section(name, key, results[key])
    if "nondigits" in results:
        nondigits_section(name, results["nondigits"], meta)


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("Evaluation")
st.caption(
    "How often a model is right, digit by digit, and which digits it confuses: on MNIST's test "
    "set, on drawings like the ones made on the Draw page, because a high MNIST score says "
    "little about mouse-drawn digits, and on real handwriting by writers MNIST never had."
)

metas = {v.name: v.meta for v in store().list() if not v.problem}  # read once: scoring is slow
names = list(metas)
active = store().active_name()
if not names:
    st.error("No usable model version was found.")
    st.stop()
apply_link("version", "evaluation_version", lambda n: n in names, "the version")
if st.session_state.get("evaluation_version") not in names:  # first run, or a version deleted
    st.session_state["evaluation_version"] = active if active in names else names[0]
left, right = wrapping_columns(2, 200, key="evaluation_versions")
chosen = left.selectbox(
    "Version",
    names,
    format_func=lambda n: f"{n} (active)" if n == active else n,
    key="evaluation_version",
)
others = [n for n in names if n != chosen]
apply_link("compare", "evaluation_compare", lambda n: n in others, "the version to compare with")
if st.session_state.get("evaluation_compare") not in others:
    st.session_state["evaluation_compare"] = None
other = right.selectbox(
    "Compare with",
    others,
    index=None,
    placeholder="another version (optional)",
    key="evaluation_compare",
    disabled=not others,
)
copy_link({"version": chosen, "compare": other})

for key, reason in missing_sets().items():
    st.warning(f"**{ALL_SETS[key]}** cannot be scored on this machine: {reason}")
results = reports(chosen)
if other is None:
    version_section(chosen, results, metas[chosen])
else:
    other_results = reports(other)
    compare_section((chosen, other), (results, other_results))
    for letter, name, figures_of in (("A", chosen, results), ("B", other, other_results)):
        with st.expander(f"Every figure for {letter} = {name}"):
            version_section(name, figures_of, metas[name])
