"""A version's answers on the test sets, computed once per server process and model file.

Shared by the Evaluation page's sections. The key of every cache is the version's name and its
model file's modification time (`model_stamp`), so switching versions back and forth, or several
sessions looking at the same one, costs nothing after the first time, and a re-written version is
scored afresh. The figures themselves come from `model.evaluate.Report`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import figures, testsets
from model.calibration import answers
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
DPI = 130


def testset(key: str) -> TestSet:
    return testsets.BY_NAME[key]()


@st.cache_data(show_spinner=False, max_entries=16)
def answered(name: str, stamp: float) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Version `name`'s calibrated probabilities and rejections on each test set."""
    predictor = predictor_for(name)
    return {key: answers(predictor, testset(key).inputs) for key in ALL_SETS}


def report_of(name: str, key: str) -> Report:
    probabilities, rejected = answered(name, model_stamp(name))[key]
    return Report(testset(key).labels, probabilities, rejected)


def reports(name: str) -> dict[str, Report]:
    digits = sum(len(testset(key).labels) for key in SETS)
    with st.spinner(
        f"Scoring {name} on {digits:,} test digits and the non-digits (once per version)…"
    ):
        return {key: report_of(name, key) for key in ALL_SETS}


@st.cache_data(show_spinner=False, max_entries=64)
def _confusion_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, key)
    return figures.to_png(figures.confusion_figure(report.confusion(), title), dpi=DPI)


@st.cache_data(show_spinner=False, max_entries=64)
def _reliability_png(name: str, stamp: float, key: str, title: str) -> bytes:
    report = report_of(name, key)
    figure = figures.reliability_figure(report.reliability(), report.ece, title)
    return figures.to_png(figure, dpi=DPI)


def confusion_png(name: str, key: str) -> bytes:
    return _confusion_png(name, model_stamp(name), key, f"{SETS[key]} · {name}")


def reliability_png(name: str, key: str) -> bytes:
    return _reliability_png(name, model_stamp(name), key, f"{SETS[key]} · {name}")
