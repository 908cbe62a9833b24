"""The Experiments page's tables of runs, drawn from `model.experiments`' records.

Narrow tables rather than one wide one, so that each reads at phone width without scrolling
sideways: how well each run reads, what it is, and what its training took. Short column labels;
the long wording is each column's help.
"""

from __future__ import annotations

import streamlit as st

from pages.tables import named_table

MAX_RUN_PX = 180


def trained(run: dict) -> bool:
    """A network trained by epochs, not a linear SVM."""
    return run["learner"] == "network"


def runs_table(runs: list[dict], columns: dict, config: dict) -> None:
    """A row per run, named by its label, and a few `columns` ({label: figure of a run}): narrow
    enough to read at phone width."""
    rows = [
        {"run": run["label"]} | {label: figure(run) for label, figure in columns.items()}
        for run in runs
    ]
    named_table(rows, "run", MAX_RUN_PX, config, missing="–")  # "–": an SVM has no epochs


def runs_tables(runs: list[dict]) -> None:
    """The runs' figures in narrow tables rather than one wide one: how well each reads, what
    it is, and what its training took."""
    number = st.column_config.NumberColumn
    runs_table(
        runs,
        {
            "MNIST": lambda run: 100 * run["mnist_accuracy"],
            "drawn": lambda run: 100 * run["drawings_accuracy"],
        },
        {
            "MNIST": number(format="%.2f%%", help="accuracy on MNIST's test digits"),
            "drawn": number(format="%.2f%%", help="accuracy on the bundled canvas-like drawings"),
        },
    )
    runs_table(
        runs,
        {
            "network": lambda run: run["config"]["arch"] if trained(run) else "linear SVM",
            "epochs": lambda run: run["config"]["epochs"] if trained(run) else None,
        },
        {"epochs": number(format="%d", help="passes over its training digits")},
    )
    runs_table(
        runs,
        {"digits": lambda run: run["train_size"], "seconds": lambda run: run["seconds"]},
        {
            "digits": number(format="localized", help="training digits"),
            "seconds": number(format="%.1f", help="seconds of training"),
        },
    )
