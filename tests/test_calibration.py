"""Calibration and the reject rule (model.calibration) and how evaluation counts "not a digit"."""

import numpy as np
import pytest

from model.calibration import (
    NUDGES,
    Calibration,
    calibrate,
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
    reliability,
    softmax,
    temperature_scale,
)
from model.evaluate import Report
from model.preprocess import shift_clipped


def sampled(temperature: float, n: int = 20000, seed: int = 0):
    """Logits whose true class is drawn from softmax(logits / temperature): what a network
    overconfident (or underconfident) by that temperature would output, with its labels."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, size=(n, 10))
    truth = softmax(logits / temperature)
    labels = np.array([rng.choice(10, p=p) for p in truth])
    return softmax(logits).astype(np.float32), labels


@pytest.mark.parametrize("true_temperature", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_the_temperature_that_made_the_labels(true_temperature):
    probabilities, labels = sampled(true_temperature)
    assert fit_temperature(probabilities, labels) == pytest.approx(true_temperature, rel=0.08)


def test_temperature_scaling_makes_an_overconfident_network_calibrated():
    probabilities, labels = sampled(2.5)
    before = expected_calibration_error(probabilities, labels)
    after = expected_calibration_error(
        temperature_scale(probabilities, fit_temperature(probabilities, labels)), labels
    )
    assert before > 0.05
    assert after < 0.02


def test_temperature_scaling_keeps_the_answer_and_sums_to_one():
    probabilities, _ = sampled(1.0, n=500)
    for t in (0.3, 1.0, 4.0):
        scaled = temperature_scale(probabilities, t)
        np.testing.assert_array_equal(scaled.argmax(axis=1), probabilities.argmax(axis=1))
        np.testing.assert_allclose(scaled.sum(axis=1), 1.0, atol=1e-5)
    # Above 1 the answers grow less sure, below 1 surer.
    assert temperature_scale(probabilities, 4.0).max(axis=1).mean() < probabilities.max(1).mean()
    assert temperature_scale(probabilities, 0.3).max(axis=1).mean() > probabilities.max(1).mean()


def test_expected_calibration_error_by_hand():
    # Two bins used: 0.95 confident and right 3 times in 4 (gap 0.2), 0.55 and right 1 in 2 (0.05).
    p_high = np.full(10, 0.05 / 9)
    p_high[0] = 0.95
    p_low = np.full(10, 0.45 / 9)
    p_low[0] = 0.55
    probabilities = np.array([p_high] * 4 + [p_low] * 2)
    labels = np.array([0, 0, 0, 1, 0, 1])
    expected = (4 * 0.2 + 2 * 0.05) / 6
    assert expected_calibration_error(probabilities, labels) == pytest.approx(expected)
    table = reliability(probabilities, labels)
    assert sum(table["count"]) == 6 and len(table["count"]) == 15


def test_threshold_turns_away_no_more_than_the_budget():
    scores = np.random.default_rng(1).uniform(0.2, 1.0, size=5000)
    for budget in (0.0, 0.002, 0.01, 0.1):
        threshold = choose_threshold(scores, budget)
        assert (scores < threshold).mean() <= budget
        # ...and is the highest such threshold: a little higher would turn away more.
        assert (scores < threshold + 1e-3).mean() > budget or threshold >= scores.max()


def test_calibrate_fits_both_from_validation_digits():
    hard, hard_labels = sampled(2.0, n=2000, seed=1)
    easy, easy_labels = sampled(2.0, n=6000, seed=2)
    easy = temperature_scale(easy, 0.3)  # a set the network is far surer of
    calibration = calibrate([(hard, hard_labels), (easy, easy_labels)], budget=0.01)
    assert 0.1 < calibration.threshold < 1
    # Neither set loses more than the budget: the hard one is not outvoted by the easy one.
    for probabilities in (hard, easy):
        assert calibration.rejects(calibration.apply(probabilities)).mean() <= 0.01
    alone = calibrate([(hard, hard_labels)], budget=0.01)
    assert alone.temperature == pytest.approx(2.0, rel=0.1)


@pytest.mark.parametrize(
    "meta",
    [
        {},
        {"temperature": "hot", "reject_threshold": None},
        {"temperature": -1, "reject_threshold": 1.5},
        {"temperature": True, "reject_threshold": [0.5]},
    ],
)
def test_calibration_from_bad_metadata_changes_nothing(meta):
    calibration = Calibration.of(meta)
    assert calibration == Calibration()
    probabilities, _ = sampled(1.0, n=50)
    np.testing.assert_allclose(calibration.apply(probabilities), probabilities)
    assert not calibration.rejects(probabilities).any()


def test_calibration_from_metadata():
    calibration = Calibration.of({"temperature": 1.5, "reject_threshold": 0.4})
    assert calibration == Calibration(1.5, 0.4)
    uniform = np.full((1, 10), 0.1)
    sure = np.eye(10)[[3]] * 0.99 + 0.001
    assert calibration.rejects(calibration.apply(uniform)).tolist() == [True]
    assert calibration.rejects(calibration.apply(sure)).tolist() == [False]


def test_report_counts_not_a_digit():
    # Rows: a 3 read as 3; a 3 rejected; a non-digit rejected; a non-digit read as 0;
    # a non-digit with nothing drawn; a 5 with nothing drawn.
    probabilities = np.zeros((6, 10))
    probabilities[[0, 1], 3] = 1.0
    probabilities[2] = 0.1
    probabilities[3, 0] = 1.0
    labels = np.array([3, 3, -1, -1, -1, 5])
    rejected = np.array([False, True, True, False, False, False])
    report = Report(labels, probabilities, rejected)
    assert report.predicted.tolist() == [3, -1, -1, 0, -1, -1]
    assert report.accuracy == pytest.approx(3 / 6)  # rows 0, 2 and 4
    assert report.rejected_share == pytest.approx(4 / 6)
    assert report.per_class()["support"][3] == 2 and report.per_class()["recall"][3] == 0.5
    assert report.confusion().sum() == 1  # only the answered digit row 0
    assert report.summary()["nothing_drawn"] == 2


class CountingPredictor:
    """Stands in for a network: "probabilities" that say where the ink's centre is, so that
    nudged copies give different answers; it records how many images it was shown."""

    def __init__(self):
        self.seen = 0

    def probabilities_batched(self, images):
        images = np.asarray(images, dtype=np.float32)
        self.seen += len(images)
        columns = (images.sum(axis=1) * np.arange(28)).sum(axis=1) / images.sum(axis=(1, 2))
        out = np.zeros((len(images), 10), np.float32)
        out[np.arange(len(images)), np.clip(columns.round().astype(int) - 9, 0, 9)] = 1.0
        return out


def test_nudged_reading_averages_five_shifted_copies():
    image = np.zeros((2, 28, 28), np.float32)
    image[:, 10:18, 14] = 1.0  # a bar in column 14: class 5, nudged left 4 and right 6
    predictor = CountingPredictor()
    read = Calibration(nudged=True).read(predictor, image)
    assert predictor.seen == 2 * len(NUDGES)
    np.testing.assert_allclose(read[0, [4, 5, 6]], [0.2, 0.6, 0.2])
    np.testing.assert_allclose(read.sum(axis=1), 1.0)
    plain = Calibration().read(CountingPredictor(), image)
    assert plain[0, 5] == 1.0
    assert Calibration.of({"nudged": True}).nudged and not Calibration.of({"nudged": "yes"}).nudged
    assert Calibration(1.2, 0.3, True).meta() == {
        "temperature": 1.2,
        "reject_threshold": 0.3,
        "nudged": True,
    }


def test_shift_clipped_moves_a_stack_like_each_image():
    stack = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    for dy, dx in [(1, 0), (0, -2), (-1, 3)]:
        moved = shift_clipped(stack, dy, dx)
        for image, each in zip(stack, moved, strict=True):
            np.testing.assert_array_equal(shift_clipped(image, dy, dx), each)


def test_reliability_diagram_writes_every_count_clear_of_the_bars():
    """Each non-empty bin's count is written once, in a strip above the bars' axes, so that no
    bar (most answers sit in the last, full-height bin) or the diagonal can cover it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from model import figures

    rng = np.random.default_rng(0)
    probabilities = softmax(rng.normal(size=(500, 10)) * 4)
    labels = probabilities.argmax(axis=1)  # always right: the high bins' bars reach the top
    table = reliability(probabilities, labels)
    fig = figures.reliability_figure(table, 0.0123, "a test")
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    bars_ax, counts_ax = fig.axes
    written = {t.get_text() for t in counts_ax.texts}
    assert written == {f"{n:,}" for n in table["count"] if n}
    top_of_bars = bars_ax.get_window_extent(renderer).y1
    assert all(t.get_window_extent(renderer).y0 >= top_of_bars for t in counts_ax.texts)
    assert not bars_ax.texts and not bars_ax.get_legend()
    assert any("ECE 1.23%" in t.get_text() for t in fig.texts)
