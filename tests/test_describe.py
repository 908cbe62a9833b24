"""The words behind the pictures' alt texts (model/describe.py)."""

from __future__ import annotations

import numpy as np
import pytest

from model.describe import (
    confidence_text,
    confusion_alt,
    curves_alt,
    heat_map_alt,
    probabilities_text,
    region_name,
    reliability_alt,
    strongest_region,
)


def blob(row: int, column: int, size: int = 28) -> np.ndarray:
    heat = np.zeros((size, size))
    heat[row, column] = 1.0
    return heat


@pytest.mark.parametrize(
    ("row", "column", "name"),
    [
        (2, 2, "top left"),
        (2, 14, "top"),
        (2, 25, "top right"),
        (14, 2, "left"),
        (14, 14, "centre"),
        (14, 25, "right"),
        (25, 2, "bottom left"),
        (25, 14, "bottom"),
        (25, 25, "bottom right"),
    ],
)
def test_strongest_region_names_the_cell_of_a_3x3_grid(row, column, name):
    assert strongest_region(blob(row, column)) == name


def test_strongest_region_weighs_area_not_one_pixel():
    heat = np.zeros((28, 28))
    heat[20:28, 0:9] = 0.5  # a broad glow at the bottom left
    heat[0, 27] = 1.0  # one hot pixel at the top right
    assert strongest_region(heat) == "bottom left"


def test_a_map_without_heat_has_no_region():
    assert strongest_region(np.zeros((28, 28))) is None
    assert strongest_region(np.full((28, 28), np.nan)) is None
    assert strongest_region(-np.ones((28, 28))) is None
    assert "no evidence anywhere" in heat_map_alt("Saliency", 4, np.zeros((28, 28)))


def test_region_names_are_the_nine_cells():
    names = {region_name(r, c) for r in range(3) for c in range(3)}
    assert len(names) == 9 and "centre" in names


def test_heat_map_alt_says_which_digit_and_where():
    text = heat_map_alt("Grad-CAM", 3, blob(3, 24))
    assert text == (
        "Grad-CAM heat map of the evidence for the digit 3 over the 28×28 input: "
        "strongest at the top right."
    )


def test_probabilities_text_lists_all_ten():
    p = np.full(10, 0.01)
    p[7] = 0.91
    text = probabilities_text(p)
    assert text.startswith("0: 1.0%, 1: 1.0%") and "7: 91.0%" in text
    assert text.count(":") == 10


def test_confusion_alt_names_the_most_common_mistake():
    matrix = np.diag(np.full(10, 100))
    matrix[4, 9] = 12
    matrix[7, 1] = 3
    assert confusion_alt(matrix, "MNIST test") == (
        "Confusion matrix of MNIST test: 1,000 of 1,015 digits read right; "
        "the most common mistake is 4 read as 9, 12 times."
    )
    matrix[4, 9] = 1
    matrix[7, 1] = 0
    assert confusion_alt(matrix, "x").endswith("4 read as 9, once.")
    assert confusion_alt(np.diag(np.ones(10, dtype=int)), "x").endswith("no mistakes.")


def test_confusion_alt_counts_the_digits_answered_not_a_digit():
    matrix = np.diag(np.full(10, 100))
    matrix[4, 9] = 2
    unanswered = np.zeros(10, dtype=int)
    unanswered[[0, 7]] = [3, 1]
    assert confusion_alt(matrix, "x", unanswered) == (
        'Confusion matrix of x: 1,000 of 1,006 digits read right, 4 answered "not a digit"; '
        "the most common mistake is 4 read as 9, 2 times."
    )
    diagonal = np.diag(np.ones(10, dtype=int))
    assert confusion_alt(diagonal, "x", unanswered).endswith("no digit read as another.")


def test_reliability_alt_gives_the_error_and_the_busiest_bin():
    table = {
        "edges": [0.0, 0.5, 1.0],
        "confidence": [0.4, 0.99],
        "accuracy": [0.5, 0.995],
        "count": [10, 990],
    }
    text = reliability_alt(table, 0.0042, "MNIST test")
    assert text.startswith("Reliability diagram of MNIST test: expected calibration error 0.42%")
    assert "990 of 1,000" in text and "between 50% and 100%" in text and "right 99.5%" in text


def test_a_training_curve_in_words_names_each_series_first_and_last_value():
    history = {"train": [0.9, 0.5, 0.25], "validation": [0.8, 0.3]}
    rows = [
        {"epoch": epoch, "value": value, "series": series}
        for series, values in history.items()
        for epoch, value in enumerate(values, start=1)
    ]
    text = curves_alt("Loss", rows)
    assert text.startswith("Line chart of loss per epoch: ")
    assert "train from 0.9 at epoch 1 to 0.25 at epoch 3" in text
    assert "validation from 0.8 at epoch 1 to 0.3 at epoch 2" in text


def test_a_confidence_never_rounds_up_to_certainty():
    assert [confidence_text(p) for p in (0.973, 0.9994, 0.9995, 1.0)] == [
        "97.3%",
        "99.9%",
        ">99.9%",
        ">99.9%",
    ]
    assert confidence_text(float("nan")) == "–"
    assert probabilities_text(np.eye(10)[3]).startswith("0: 0.0%, 1: 0.0%, 2: 0.0%, 3: >99.9%")
