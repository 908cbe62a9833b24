"""The model that ships with the app reads MNIST and canvas-like drawings almost perfectly, keeps
messy real digits, says "not a digit" to drawn non-digits, and is calibrated."""

from __future__ import annotations

import pytest

from model.drawings import make_canvas_digits
from model.evaluate import evaluate_images, evaluate_inputs
from model.serving.inference import Predictor
from model.serving.store import DEFAULT_VERSION, SHIPPED_DIR, ModelStore
from model.testsets import (
    canvas_test,
    handwriting_test,
    messy_test,
    mnist_test,
    nondigits_test,
    stroke_fonts_test,
    typefaces_test,
)
from model.train import as_input

MNIST_TARGET = 0.994
DRAWINGS_TARGET = 0.99
# 13 real writers' coarse scans; the measured figure: README. Runs of the recipe on 7 templates a
# digit read 98.2-98.6%, on 6 (no 9 whose tail hooks back up, its 9s gain most) 96.9-97.9%.
HANDWRITING_FLOOR = 0.98
HANDWRITING_ONES_FLOOR = 0.95  # networks trained without --stretch read 87-92% of them
# Nine stroke fonts no network trains on; the measured figure per font: README. The default
# before typeset digits from Google Fonts families read 96.8%.
STROKE_FONTS_FLOOR = 0.98
# 48 Google Fonts families no network trains on; the default before, trained on matplotlib's
# typefaces alone, read 95.5% (72% of their 1s).
TYPEFACES_FLOOR = 0.97
TYPEFACES_ONES_FLOOR = 0.85


@pytest.fixture(scope="module")
def shipped() -> Predictor:
    assert (SHIPPED_DIR / DEFAULT_VERSION / "model.keras").is_file(), (
        f"no shipped default model in {SHIPPED_DIR / DEFAULT_VERSION}"
    )
    version = ModelStore().get(DEFAULT_VERSION)
    assert version.shipped and version.problem is None, version.problem
    return Predictor.from_version(version)


def test_shipped_default_metadata(shipped: Predictor):
    meta = shipped.version.meta
    assert meta["arch"]
    assert meta["test_accuracy"] >= MNIST_TARGET
    from model.data import DATA_CHECKSUM

    assert meta["data_checksum"] == DATA_CHECKSUM


def test_shipped_default_on_mnist_test(shipped: Predictor, mnist):
    report = evaluate_inputs(shipped, as_input(mnist.x_test)[..., 0], mnist.y_test)
    assert report.n == 10000
    assert report.accuracy >= MNIST_TARGET, f"MNIST test accuracy {report.accuracy:.4f}"


def test_shipped_default_on_canvas_drawings(shipped: Predictor):
    images, labels = make_canvas_digits(30, seed=123)
    report = evaluate_images(shipped, images, labels)
    assert report.n == 300
    assert report.summary()["nothing_drawn"] == 0
    assert report.accuracy >= DRAWINGS_TARGET, (
        f"drawings accuracy {report.accuracy:.4f}; wrong: "
        f"{[(int(labels[i]), int(report.predicted[i])) for i in report.mistakes()]}"
    )


def test_shipped_default_on_real_handwriting(shipped: Predictor):
    handwriting = handwriting_test()
    assert len(handwriting.labels) == 1797 and set(handwriting.labels) == set(range(10))
    report = evaluate_inputs(shipped, handwriting.inputs, handwriting.labels)
    assert report.accuracy >= HANDWRITING_FLOOR, f"real handwriting {report.accuracy:.4f}"
    # Fitted to a square box, a 1 is a broad bar: what training with --stretch is for.
    ones = report.per_class()["recall"][1]
    assert ones >= HANDWRITING_ONES_FLOOR, f"real handwriting's 1s {ones:.4f}"


def test_shipped_default_on_stroke_font_digits(shipped: Predictor):
    """Digit shapes of other designers' hands, drawn with the canvas pen: read, not rejected."""
    testset = stroke_fonts_test()
    report = evaluate_inputs(shipped, testset.inputs, testset.labels)
    assert report.accuracy >= STROKE_FONTS_FLOOR, f"stroke-font digits {report.accuracy:.4f}"
    by_font = report.by_group(testset.styles)
    # The fonts that write digits as most hands do are read almost without a miss.
    plain = ("EMSAllure", "EMSReadability", "EMSTech", "EMSNixish")
    assert min(by_font[font].accuracy for font in plain) >= 0.98, {
        font: round(by_font[font].accuracy, 3) for font in by_font
    }


def test_shipped_default_on_typeface_digits(shipped: Predictor):
    """Type designers' digits, above all their flagged 1s, traced and drawn with the canvas pen."""
    testset = typefaces_test()
    report = evaluate_inputs(shipped, testset.inputs, testset.labels)
    assert report.accuracy >= TYPEFACES_FLOOR, f"typeface digits {report.accuracy:.4f}"
    ones = report.per_class()["recall"][1]
    assert ones >= TYPEFACES_ONES_FLOOR, f"typeface digits' 1s {ones:.4f}"
    assert report.rejected_share <= 0.01, report.rejected_share


# ── Honest answers: the reject and the calibration, on real and generated data ────────────────

REJECTED_MNIST_AT_MOST = 0.003
REJECTED_DRAWINGS_AT_MOST = 0.005
REJECTED_MESSY_AT_MOST = 0.01
REJECTED_HANDWRITING_AT_MOST = 0.01
ECE_AT_MOST = 0.01
TRAINED_KINDS_REJECTED_AT_LEAST = 0.9
UNSEEN_KINDS_REJECTED_AT_LEAST = 0.6  # the measured figure and the 95% aim: README


def test_shipped_default_is_calibrated_and_rejects_little_of_the_digits(shipped: Predictor):
    calibration = shipped.calibration
    assert calibration.nudged and 0 < calibration.threshold < 1 and calibration.temperature > 0
    for testset, at_most in (
        (mnist_test(), REJECTED_MNIST_AT_MOST),
        (canvas_test(), REJECTED_DRAWINGS_AT_MOST),
        (messy_test(), REJECTED_MESSY_AT_MOST),
        (handwriting_test(), REJECTED_HANDWRITING_AT_MOST),
    ):
        report = evaluate_inputs(shipped, testset.inputs, testset.labels)
        assert report.rejected_share <= at_most, f"{testset.name}: {report.rejected_share:.4f}"
        if testset.name in ("MNIST test", "Drawings"):  # calibrated on these, measured there
            assert report.ece <= ECE_AT_MOST, f"{testset.name}: ECE {report.ece:.4f}"


def test_shipped_default_says_not_a_digit(shipped: Predictor):
    nondigits = nondigits_test()
    unseen = nondigits.unseen()
    trained = nondigits.among(set(nondigits.styles) - set(unseen.styles))
    for part, at_least in (
        (trained, TRAINED_KINDS_REJECTED_AT_LEAST),
        (unseen, UNSEEN_KINDS_REJECTED_AT_LEAST),
    ):
        report = evaluate_inputs(shipped, part.inputs, part.labels)
        assert report.accuracy >= at_least, f"{part.name}: {report.accuracy:.4f} rejected"


def test_every_shipped_network_can_reject():
    """Every shipped network carries a reject threshold and turns away drawn non-digits far more
    often than digits."""
    store = ModelStore()
    nondigits, mnist = nondigits_test(), mnist_test()
    for name in ("default", "seed_cnn", "mlp", "rnn"):
        predictor = Predictor.from_version(store.get(name))
        assert predictor.calibration.threshold > 0, name
        rejected = evaluate_inputs(predictor, nondigits.inputs, nondigits.labels).accuracy
        digits = evaluate_inputs(predictor, mnist.inputs[:2000], mnist.labels[:2000])
        assert rejected > 0.25 and digits.rejected_share < 0.005, (name, rejected)
