"""What the Evaluation page and `python -m model evaluate` compute from a Report: accuracy per
drawing style or kind of non-digit, the non-digits of unseen kinds, and where two versions
disagree, on the real test sets with the shipped networks."""

from __future__ import annotations

import numpy as np
import pytest

from model.evaluate import Report, disagreements, evaluate_inputs
from model.nondigits import HELDOUT_KINDS, heldout
from model.serving.inference import Predictor
from model.serving.store import ModelStore
from model.testsets import canvas_test, nondigits_test


@pytest.fixture(scope="module")
def on_drawings() -> dict[str, Report]:
    testset = canvas_test()
    return {
        name: evaluate_inputs(
            Predictor.from_version(ModelStore().get(name)), testset.inputs, testset.labels
        )
        for name in ("default", "mlp")
    }


def test_accuracy_per_style_adds_up_to_the_whole(on_drawings):
    report, styles = on_drawings["mlp"], canvas_test().styles
    by_style = report.by_group(styles)
    assert list(by_style) == list(dict.fromkeys(styles))  # every style, in the set's order
    assert sum(part.n for part in by_style.values()) == report.n
    weighted = sum(part.accuracy * part.n for part in by_style.values()) / report.n
    assert weighted == pytest.approx(report.accuracy)
    assert by_style["thin"].accuracy == report.subset(styles == "thin").accuracy


def test_disagreements_are_where_answers_differ_most_telling_first(on_drawings):
    a, b = on_drawings["default"], on_drawings["mlp"]
    differ = disagreements(a, b)
    assert len(differ) == int((a.predicted != b.predicted).sum()) > 0
    assert (a.predicted[differ] != b.predicted[differ]).all()
    labels = a.labels[differ]
    gap = np.abs(a.probabilities[differ, labels] - b.probabilities[differ, labels])
    assert (np.diff(gap) <= 1e-7).all()  # biggest gap about the right answer first
    assert len(disagreements(a, a)) == 0


def test_unseen_kinds_of_non_digits():
    kinds = nondigits_test().styles
    unseen = heldout(kinds)
    assert set(kinds[unseen]) == set(HELDOUT_KINDS)
    assert not set(kinds[~unseen]) & set(HELDOUT_KINDS)


def test_the_evaluation_notes_give_each_sets_own_size():
    """The note under each test set's heading says how many digits it holds: the set's size."""
    import re

    from model import testsets
    from pages.scores import SET_NOTES

    sets = {
        "mnist": testsets.mnist_test,
        "drawings": testsets.canvas_test,
        "handwriting": testsets.handwriting_test,
        "strokefonts": testsets.stroke_fonts_test,
        "typefaces": testsets.typefaces_test,
    }
    assert set(sets) == set(SET_NOTES)
    for key, testset in sets.items():
        said = re.search(r"\d[\d,]*", SET_NOTES[key]).group(0)
        assert said == f"{len(testset().labels):,}", (key, said)
