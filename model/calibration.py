"""Honest answers: probabilities that mean what they say, and "not a digit" when it is none.

A network trained on digits alone has only ten answers, and its softmax spreads all of its belief
over them: a drawn heart comes out as a 0 at 100%. Three things make its answers honest.

1. It learns what is *not* a digit. Besides the digits, training shows it letters, symbols, shapes
   and scribbles drawn with the canvas's pen, labelled `NOT_A_DIGIT`, and asks it to answer those
   with no preference at all: the uniform distribution over the ten digits ("outlier exposure",
   Hendrycks, Mazeika & Dietterich, 2019). Every network keeps its ten outputs.
2. It reads every drawing five times: as it is and nudged one pixel up, down, left and right,
   and averages the five answers (test-time augmentation). A digit reads the same when nudged;
   a drawing that is none often does not, so the average grows less sure where it should, and
   the digits are read a little more accurately too.
3. Its confidence is calibrated and thresholded. One temperature T, fitted on the validation
   digits, rescales the network's log-probabilities so that "90% sure" is right about 90% of the
   time (Guo et al., 2017). A drawing whose highest calibrated probability stays below a
   threshold is answered "not a digit". The threshold is chosen from data, not by hand: it is the
   score below which only a small, fixed share of the validation digits fall.

The temperature, the threshold and whether it reads nudged copies are stored in the version's
metadata; this module is plain numpy, so the serving process applies them without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.preprocess import shift_clipped

NOT_A_DIGIT = -1  # the label of a drawing that is no digit (in training sets and in --npz files)
ECE_BINS = 15
# The share of validation digits the threshold may turn away: the price of every rejected heart.
REJECT_BUDGET = 0.001
NUDGES = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))  # (dy, dx) of the copies a drawing is read as
TEMPERATURE_RANGE = (0.01, 100.0)  # what a version's metadata may hold; fits stay in [0.05, 20]


def log_probabilities(probabilities: np.ndarray) -> np.ndarray:
    """Log of softmax outputs: the network's logits up to a constant per row."""
    return np.log(np.maximum(np.asarray(probabilities, dtype=np.float64), 1e-38))


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def temperature_scale(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T), from the network's probabilities; T = 1 changes nothing."""
    if temperature == 1.0:
        return np.asarray(probabilities, dtype=np.float32)
    return softmax(log_probabilities(probabilities) / temperature).astype(np.float32)


def negative_log_likelihood(probabilities: np.ndarray, labels: np.ndarray, t: float) -> float:
    logits = log_probabilities(probabilities) / t
    logits -= logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits).sum(axis=1))
    return float((log_norm - logits[np.arange(len(labels)), labels]).mean())


def fit_temperature(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.05, 20] that minimises the negative log-likelihood of the right digits.

    A one-parameter convex problem in log T: a coarse grid, then a golden-section search
    around its best point.
    """
    labels = np.asarray(labels, dtype=np.int64)
    nll = lambda log_t: negative_log_likelihood(probabilities, labels, float(np.exp(log_t)))  # noqa: E731
    grid = np.linspace(np.log(0.05), np.log(20.0), 41)
    best = int(np.argmin([nll(g) for g in grid]))
    low, high = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if nll(a) < nll(b):
            high = b
        else:
            low = a
    return round(float(np.exp((low + high) / 2)), 4)


def reliability(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> dict[str, list]:
    """Per confidence bin: mean confidence, accuracy and count (a reliability diagram's data)."""
    confidence = probabilities.max(axis=1)
    right = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    count = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore"):
        mean_confidence = np.bincount(which, confidence, bins) / count
        accuracy = np.bincount(which, right.astype(float), bins) / count
    return {
        "edges": edges.tolist(),
        "confidence": mean_confidence.tolist(),
        "accuracy": accuracy.tolist(),
        "count": count.tolist(),
    }


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """The count-weighted mean gap between confidence and accuracy over equal-width bins."""
    if len(labels) == 0:
        return float("nan")
    table = reliability(probabilities, labels, bins)
    count = np.asarray(table["count"], dtype=float)
    seen = count > 0
    gaps = np.abs(np.asarray(table["confidence"]) - np.asarray(table["accuracy"]))
    return float((gaps[seen] * count[seen]).sum() / count.sum())


def choose_threshold(digit_scores: np.ndarray, budget: float = REJECT_BUDGET) -> float:
    """The highest threshold that turns away at most `budget` of these (validation) digits."""
    scores = np.sort(np.asarray(digit_scores, dtype=np.float64))
    allowed = int(np.floor(budget * len(scores)))  # this many may fall below the threshold
    # Rounded down, so that the stored threshold never turns away one digit more.
    return float(np.floor(scores[allowed] * 1e4) / 1e4) if len(scores) else 0.0


def nudged_probabilities(predictor, inputs: np.ndarray) -> np.ndarray:
    """The mean of the network's probabilities over `NUDGES` copies of each (28, 28) input."""
    images = np.asarray(inputs, dtype=np.float32).reshape(-1, 28, 28)
    copies = np.concatenate([shift_clipped(images, dy, dx) for dy, dx in NUDGES])
    probabilities = predictor.probabilities_batched(copies)
    return probabilities.reshape(len(NUDGES), len(images), -1).mean(axis=0)


@dataclass(frozen=True)
class Calibration:
    """A version's temperature and reject threshold; the defaults change nothing."""

    temperature: float = 1.0
    threshold: float = 0.0  # calibrated top probability below which: "not a digit"
    nudged: bool = False  # whether the answers average the nudged copies (`NUDGES`)

    @classmethod
    def of(cls, meta: dict) -> Calibration:
        """From a version's metadata, ignoring values of the wrong type or range."""
        t, threshold = meta.get("temperature"), meta.get("reject_threshold")
        number = (int, float)
        ok_t = (
            isinstance(t, number)
            and not isinstance(t, bool)
            and TEMPERATURE_RANGE[0] <= t <= TEMPERATURE_RANGE[1]
        )
        ok_threshold = (
            isinstance(threshold, number) and not isinstance(threshold, bool) and 0 <= threshold < 1
        )
        return cls(
            float(t) if ok_t else 1.0,
            float(threshold) if ok_threshold else 0.0,
            meta.get("nudged") is True,
        )

    def meta(self) -> dict:
        return {
            "temperature": self.temperature,
            "reject_threshold": self.threshold,
            "nudged": self.nudged,
        }

    def read(self, predictor, inputs: np.ndarray) -> np.ndarray:
        """The network's probabilities for (N, 28, 28) inputs, nudged copies averaged if so."""
        if self.nudged:
            return nudged_probabilities(predictor, inputs)
        return predictor.probabilities_batched(np.asarray(inputs, dtype=np.float32))

    def apply(self, probabilities: np.ndarray) -> np.ndarray:
        return temperature_scale(probabilities, self.temperature)

    def rejects(self, calibrated: np.ndarray) -> np.ndarray:
        """Which rows of calibrated probabilities are "not a digit"."""
        return calibrated.max(axis=-1) < self.threshold


def calibrate(
    validation_sets: list[tuple[np.ndarray, np.ndarray]],
    budget: float = REJECT_BUDGET,
    nudged: bool = True,
) -> Calibration:
    """Fit the temperature on all the validation digits (probabilities, labels), then the
    threshold on their calibrated scores: the highest that turns away at most `budget` of the
    digits of every set, so that a small set of hard digits is not outvoted by an easy one.
    `nudged` says how the probabilities were read (see `Calibration.read`).
    """
    probabilities = np.concatenate([p for p, _ in validation_sets])
    labels = np.concatenate([y for _, y in validation_sets])
    temperature = fit_temperature(probabilities, labels)
    threshold = min(
        choose_threshold(temperature_scale(p, temperature).max(axis=1), budget)
        for p, _ in validation_sets
    )
    return Calibration(temperature, threshold, nudged)


def answers(predictor, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Any predictor's (N, 28, 28) inputs → calibrated probabilities (N, 10) and which rows are
    "not a digit". A predictor with a `calibration` (a stored version's) answers with its
    temperature and threshold; a bare network or TFLite file, as it is.
    """
    calibration = getattr(predictor, "calibration", None) or Calibration()
    calibrated = calibration.apply(calibration.read(predictor, inputs))
    return calibrated, calibration.rejects(calibrated)
