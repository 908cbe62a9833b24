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


def test_every_confusion_row_adds_up_to_its_digits_with_the_unanswered(on_drawings):
    """The matrix leaves out digits answered "not a digit"; `unanswered` gives them back, and
    the figure draws them as a column "?"."""
    from model.figures import confusion_figure

    labels = np.array([0, 0, 0, 1, 1, 7, -1])
    probabilities = np.eye(10)[[0, 0, 3, 1, 1, 7, 2]]
    probabilities[1] = 0  # nothing drawn
    report = Report(
        labels, probabilities, np.array([False, False, False, True, False, False, True])
    )
    assert list(report.unanswered()) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]  # a blank 0, a rejected 1
    support = np.bincount(labels[labels >= 0], minlength=10)
    assert (report.confusion().sum(axis=1) + report.unanswered() == support).all()
    # And on a real set, with a shipped network's own rejections.
    real = on_drawings["mlp"]
    assert real.unanswered().sum() > 0  # it turns away a drawn digit or so
    assert (
        real.confusion().sum(axis=1) + real.unanswered()
        == np.bincount(real.labels[real.labels >= 0], minlength=10)
    ).all()
    figure = confusion_figure(report.confusion(), unanswered=report.unanswered())
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert ticks == [*map(str, range(10)), "?"]
    assert [
        t.get_text() for t in confusion_figure(report.confusion()).axes[0].get_xticklabels()
    ] == [*map(str, range(10))]
