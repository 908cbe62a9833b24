"""Evaluation: how often a version is right, on MNIST's test digits and on canvas-like drawings,
how well its confidence is calibrated, and how often it says "not a digit" to drawn non-digits.

UI only: the figures come from `model.evaluate` (Report), the test sets from `model.testsets`, the
confusion matrix picture from `model.figures`. A version's scores are computed once per server
process and model file (its name and modification time are the cache key), so switching versions
back and forth, or several sessions looking at the same one, costs nothing after the first time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model import figures
from model.calibration import answers
from model.describe import confusion_alt, reliability_alt
from model.drawings import VARIANTS
from model.evaluate import Report
from model.serving.store import StoreError
from model.testsets import TestSet, drawings_test, mnist_test, nondigits_test
from pages.entry import ensure_app_entry
from pages.formatting import percent
from pages.pictures import enlarge
from pages.resources import predictor_for, store

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

SETS = {"mnist": "MNIST test", "drawings": "Bundled drawings"}  # the digit sets, side by side
ALL_SETS = {**SETS, "nondigits": "Drawn non-digits"}
SET_NOTES = {
    "mnist": "LeCun & Cortes's 10,000 held-out handwritten digits.",
    "drawings": (
        "3,000 canvas-like drawings (round white pen on black, five styles), put through the "
        "app's own preprocessing exactly as a drawing on the Draw page is."
    ),
}
GALLERY = 24  # mistakes shown per set, most confident first
THUMB = 84  # 28x28 digits are shown 3x, pixel for pixel
DPI = 130


def testset(key: str) -> TestSet:
    return {"mnist": mnist_test, "drawings": drawings_test, "nondigits": nondigits_test}[key]()


def stamp_of(name: str) -> float:
    """The model file's modification time: a re-written version is scored afresh."""
    try:
        return store().get(name).model_file.stat().st_mtime
    except (OSError, StoreError):
        return 0.0


@st.cache_data(show_spinner=False, max_entries=16)
def answered(name: str, stamp: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Version `name`'s calibrated probabilities and rejections on each test set."""
    predictor = predictor_for(name)
    return {key: answers(predictor, testset(key).inputs) for key in ALL_SETS}


def report_of(name: str, stamp: float, key: str) -> Report:
    probabilities, rejected = answered(name, stamp)[key]
    return Report(testset(key).labels, probabilities, rejected)


def reports(name: str) -> dict[str, Report]:
    with st.spinner(f"Scoring {name} on 13,000 test digits and the non-digits (once per version)…"):
        stamp = stamp_of(name)
        return {key: report_of(name, stamp, key) for key in ALL_SETS}


@st.cache_data(show_spinner=False, max_entries=64)
def confusion_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, stamp, key)
    return figures.to_png(figures.confusion_figure(report.confusion(), title), dpi=DPI)


@st.cache_data(show_spinner=False, max_entries=64)
def reliability_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, stamp, key)
    figure = figures.reliability_figure(report.reliability(), report.ece, title)
    return figures.to_png(figure, dpi=DPI)


def confidence(p: float) -> str:
    """A probability as a short percentage that never rounds a near-certainty up to 100%."""
    if p < 0.995:
        return f"{p:.0%}"
    return f"{p:.1%}" if p < 0.9995 else ">99.9%"


def truth(report: Report, key: str, index: int) -> str:
    """What an image is: "true 7", or for a non-digit its kind: "not a digit (letters)"."""
    if report.labels[index] < 0:
        return f"not a digit ({testset(key).styles[index]})"
    return f"true {report.labels[index]}"


def said(report: Report, index: int) -> str:
    digit = int(report.predicted[index])
    if digit < 0:
        return "not a digit" if report.drawn[index] else "saw nothing"
    return f"{digit} ({confidence(float(report.probabilities[index, digit]))})"


# ── one version ────────────────────────────────────────────────────────────────────────────────


def per_class_table(report: Report) -> None:
    per = report.per_class()
    table = pd.DataFrame(
        {
            "digit": [str(d) for d in range(10)],
            "accuracy": 100 * np.array(per["recall"], dtype=float),
            "precision": 100 * np.array(per["precision"], dtype=float),
            "digits": per["support"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
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
    )


def style_table(report: Report) -> None:
    styles = drawings_test().styles
    rows = []
    for style in VARIANTS:
        part = report.subset(styles == style)
        rows.append({"style": style, "accuracy": 100 * part.accuracy, "drawings": part.n})
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "accuracy": st.column_config.ProgressColumn(
                format="%.1f%%", min_value=0, max_value=100
            ),
        },
    )


def mistakes_gallery(report: Report, key: str) -> None:
    wrong = report.mistakes()
    if len(wrong) == 0:
        st.success("No mistakes on this set.")
        return
    shown = wrong[:GALLERY]
    more = f"; the {len(shown)} most confident first" if len(wrong) > len(shown) else ""
    st.caption(f"{len(wrong):,} mistakes{more}.")
    inputs = testset(key).inputs
    st.image(
        [enlarge(inputs[i], THUMB) for i in shown],
        caption=[f"{truth(report, key, i)} → said {said(report, i)}" for i in shown],
        width=THUMB,
        alt=[f"{truth(report, key, i)}, read as {said(report, i)}" for i in shown],
    )


def nondigits_section(report: Report) -> None:
    from model.nondigits import HELDOUT_KINDS

    testset_kinds = testset("nondigits").styles
    unseen = report.subset(np.isin(testset_kinds, HELDOUT_KINDS))
    seen = report.subset(~np.isin(testset_kinds, HELDOUT_KINDS))
    st.subheader(ALL_SETS["nondigits"])
    st.caption(
        "Letters, symbols, shapes, doodles and scribbles drawn with the canvas's pen. The network "
        'knows only the ten digits; the honest answer to these is "not a digit". Some kinds '
        "it trained on (other drawings of them); the others it has never seen."
    )
    left, right = st.columns(2)
    left.metric('Kinds never trained on: "not a digit"', percent(unseen.accuracy))
    right.metric('Kinds trained on: "not a digit"', percent(seen.accuracy))
    rows = [
        {
            "kind": kind,
            "trained on": "no" if kind in HELDOUT_KINDS else "yes",
            "not a digit": 100 * report.subset(testset_kinds == kind).accuracy,
            "drawings": int((testset_kinds == kind).sum()),
        }
        for kind in dict.fromkeys(testset_kinds)
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "not a digit": st.column_config.ProgressColumn(
                format="%.1f%%", min_value=0, max_value=100
            ),
        },
    )
    st.markdown("**Taken for digits**")
    mistakes_gallery(report, "nondigits")


def version_section(name: str, results: dict[str, Report]) -> None:
    stamp = stamp_of(name)
    columns = st.columns(2, gap="large")
    for column, key in zip(columns, SETS, strict=True):
        report = results[key]
        with column:
            st.subheader(SETS[key])
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
            st.markdown("**Confusion matrix** · row = true digit, column = predicted")
            st.image(
                confusion_png(name, stamp, key, f"{SETS[key]} · {name}"),
                width=400,
                alt=confusion_alt(report.confusion(), f"{SETS[key]} for {name}"),
            )
            if key == "drawings":
                st.markdown("**Per drawing style**")
                style_table(report)
            st.markdown("**Misclassified digits**")
            mistakes_gallery(report, key)
            st.markdown("**Calibration** · is it right as often as it is sure?")
            st.image(
                reliability_png(name, stamp, key, f"{SETS[key]} · {name}"),
                width=400,
                alt=reliability_alt(report.reliability(), report.ece, f"{SETS[key]} for {name}"),
            )
    nondigits_section(results["nondigits"])


# ── two versions ───────────────────────────────────────────────────────────────────────────────


def comparison_table(names: tuple[str, str], both: tuple[dict, dict]) -> None:
    rows = []

    def add(label: str, a: Report, b: Report) -> None:
        rows.append(
            {
                "test set": label,
                names[0]: 100 * a.accuracy,
                names[1]: 100 * b.accuracy,
                "B − A (points)": 100 * (b.accuracy - a.accuracy),
            }
        )

    for key, label in ALL_SETS.items():
        add(label, both[0][key], both[1][key])
    styles = drawings_test().styles
    for style in VARIANTS:
        a, b = (r["drawings"].subset(styles == style) for r in both)
        add(f"   drawings: {style}", a, b)
    percent_column = st.column_config.NumberColumn(format="%.2f%%")
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            names[0]: percent_column,
            names[1]: percent_column,
            "B − A (points)": st.column_config.NumberColumn(format="%+.2f"),
        },
    )


def per_digit_comparison(names: tuple[str, str], both: tuple[dict, dict]) -> None:
    table = {"digit": [str(d) for d in range(10)]}
    for key in SETS:
        for letter, results in zip("AB", both, strict=True):
            recall = np.array(results[key].per_class()["recall"], dtype=float)
            table[f"{SETS[key]} · {letter}"] = 100 * recall
    percent_column = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        pd.DataFrame(table),
        hide_index=True,
        width="stretch",
        column_config={k: percent_column for k in table if k != "digit"},
    )


def disagreement_gallery(key: str, names: tuple[str, str], a: Report, b: Report) -> None:
    differ = np.flatnonzero(a.predicted != b.predicted)
    st.markdown(f"**{SETS[key]}** · they disagree on {len(differ):,} of {a.n:,} digits")
    if len(differ) == 0:
        return
    labels = a.labels[differ]  # not `truth`: that name is the function used below
    # Most telling first: where they differ most about the right answer.
    gap = np.abs(a.probabilities[differ, labels] - b.probabilities[differ, labels])
    shown = differ[np.argsort(-gap, kind="stable")][:GALLERY]
    inputs = testset(key).inputs
    st.image(
        [enlarge(inputs[i], THUMB) for i in shown],
        caption=[f"{truth(a, key, i)} · A {said(a, i)} · B {said(b, i)}" for i in shown],
        width=THUMB,
        alt=[f"{truth(a, key, i)}, read by A as {said(a, i)}, by B as {said(b, i)}" for i in shown],
    )


def compare_section(names: tuple[str, str], both: tuple[dict, dict]) -> None:
    st.header(f"A = {names[0]} vs B = {names[1]}", divider="gray")
    comparison_table(names, both)
    st.markdown("**Accuracy per digit** (recall)")
    per_digit_comparison(names, both)
    for key in SETS:
        st.markdown(f"**{SETS[key]}** · confusion matrices")
        columns = st.columns(2, gap="large")
        for column, name in zip(columns, names, strict=True):
            title = f"{SETS[key]} · {name}"
            report = both[names.index(name)][key]
            column.image(
                confusion_png(name, stamp_of(name), key, title),
                width=400,
                alt=confusion_alt(report.confusion(), f"{SETS[key]} for {name}"),
            )
    st.subheader("Where they disagree")
    st.caption("The digits where A and B give different answers, where they differ most first.")
    for key in SETS:
        disagreement_gallery(key, names, both[0][key], both[1][key])


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("Evaluation")
st.caption(
    "How often a model is right, digit by digit, and which digits it confuses: on MNIST's test "
    "set, and on drawings like the ones made on the Draw page, because a high MNIST score says "
    "little about mouse-drawn digits."
)

healthy = [v for v in store().list() if not v.problem]
names = [v.name for v in healthy]
active = store().active_name()
if not names:
    st.error("No usable model version was found.")
    st.stop()
left, right = st.columns(2)
chosen = left.selectbox(
    "Version",
    names,
    index=names.index(active) if active in names else 0,
    format_func=lambda n: f"{n} (active)" if n == active else n,
    key="evaluation_version",
)
others = [n for n in names if n != chosen]
other = right.selectbox(
    "Compare with",
    others,
    index=None,
    placeholder="another version (optional)",
    key="evaluation_compare",
    disabled=not others,
)

results = reports(chosen)
if other is None:
    version_section(chosen, results)
else:
    other_results = reports(other)
    compare_section((chosen, other), (results, other_results))
    for letter, name, figures_of in (("A", chosen, results), ("B", other, other_results)):
        with st.expander(f"Every figure for {letter} = {name}"):
            version_section(name, figures_of)
