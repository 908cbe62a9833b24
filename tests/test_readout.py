"""The Draw page's readout: which digit a rejected drawing is said to lean towards, the bars that
mark it, and the pictures of what the network reads kept to one height."""

from __future__ import annotations

import numpy as np

from model.serving.inference import Prediction
from pages.pictures import squared
from pages.probability_bars import probability_bars
from pages.readout import answer_words, rejection_reason


def rejected(probabilities) -> Prediction:
    return Prediction(np.asarray(probabilities, np.float32), None, rejected=True, threshold=0.3)


def test_a_rejected_drawing_leans_only_where_one_digit_stands_out():
    alike = np.full(10, 0.1) + np.linspace(-0.004, 0.005, 10)  # a capital A: all about 10%
    assert rejected(alike / alike.sum()).leaning is None
    towards_four = np.full(10, 0.06)
    towards_four[4] = 0.46
    assert rejected(towards_four).leaning == 4


def test_an_accepted_answer_below_sixty_percent_is_unsure_and_a_rejected_one_is_not():
    split = np.full(10, 0.05)
    split[3], split[8] = 0.35, 0.25
    assert Prediction(split.astype(np.float32), None).unsure
    assert not rejected(split).unsure  # "not a digit" says more than "unsure"
    sure = np.full(10, 0.01)
    sure[3] = 0.91
    assert not Prediction(sure.astype(np.float32), None).unsure


def test_the_bars_mark_the_digit_given_and_none_when_none_is():
    probabilities = np.full(10, 0.1)
    probabilities[4] = 0.104
    assert "font-weight:700" not in probability_bars(probabilities, None, greyed=True)
    marked = probability_bars(probabilities, 4, greyed=True)
    assert marked.count("font-weight:700") == 1
    assert '<div style="flex:1;text-align:center;font-weight:700">4</div>' in marked


def test_a_rejection_is_explained_by_what_its_bars_show():
    alike = np.full(10, 0.1) + np.linspace(-0.004, 0.005, 10)  # a capital A: all about 10%
    said = rejection_reason(rejected(alike / alike.sum()))
    assert "all ten probabilities are near 10%, each below the 30%" in said
    two = np.full(10, 0.07)
    two[[2, 7]] = 0.23, 0.21  # two digits level, well above a tenth
    said = rejection_reason(rejected(two))
    assert "no digit stands out, 2 and 7 at 23% and 21% are below the 30%" in said
    towards_four = np.full(10, 0.08)
    towards_four[4] = 0.28
    said = rejection_reason(rejected(towards_four))
    assert "its highest probability, 28% for a 4, is below the 30%" in said
    # Low, but one bar stands out, and the bars mark it: the words name it too.
    slightly = np.full(10, 0.094)
    slightly[4] = 0.146  # 5.2 points over the rest, all under 15%
    said = rejection_reason(rejected(slightly))
    assert "its highest probability, 15% for a 4" in said
    # Under 15% at the top, but three bars near nothing: not "all ten near 10%".
    uneven = np.full(10, 0.14)
    uneven[[0, 1, 2]] = 0.0133
    assert "near 10%" not in rejection_reason(rejected(uneven / uneven.sum()))


def test_a_rejected_drawings_bars_show_the_threshold_they_stay_under():
    probabilities = np.full(10, 0.1)
    drawn = probability_bars(probabilities, None, height=120, greyed=True, threshold=0.26)
    assert drawn.count('data-testid="thresholdLine"') == 1
    assert "bottom:31.2px" in drawn and "a digit reaches 26% or more" in drawn
    assert "the threshold for a digit, 26%" in drawn  # in the picture's text alternative too
    assert "thresholdLine" not in probability_bars(probabilities, 4)


def test_a_tall_narrow_crop_is_shown_in_a_square_with_its_ink_centred():
    one = np.full((99, 9), 255, np.uint8)  # a 1's crop: eleven times as tall as it is wide
    picture = np.asarray(squared(one))
    assert picture.shape == (99, 99)
    columns = np.flatnonzero(picture.max(axis=0))
    assert columns.min() == 45 and columns.max() == 53  # in the middle, whole
    assert np.asarray(squared(np.ones((5, 20), np.uint8))).shape == (20, 20)


def test_the_answer_in_words_is_never_rounded_up_to_a_certainty():
    """Robustness said "as drawn it reads 7 (100%)" beside the metric's "Confidence >99.9%"."""
    near = np.full(10, 0.0004 / 9, np.float32)
    near[7] = 0.9996
    assert answer_words(Prediction(near, None)) == "7 (>99.9%)"
    some = np.full(10, 0.027 / 9, np.float32)
    some[3] = 0.973
    assert answer_words(Prediction(some, None)) == "3 (97.3%)"
    assert answer_words(rejected(some)) == "not a digit"
    assert answer_words(None, nothing="nothing left to read") == "nothing left to read"
