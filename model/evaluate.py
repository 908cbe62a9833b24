"""Evaluation: how often a model is right, per class, how it confuses digits, and how honest it is.

The same figures serve the command line (`python -m model evaluate`) and the Evaluation page. The
test sets are reported side by side: MNIST's 10,000 test digits, canvas-like drawings (rendered by
`model.drawings`, then put through the app's own preprocessing), because scoring well on the first
says little about the digits people actually draw, and drawn non-digits, because a network that
calls a heart a 0 is not honest.

An answer is a digit or "not a digit" (a rejection, or nothing drawn). A digit is right only when
it is answered with that digit; a non-digit (label -1) is right only when it is not answered with
any digit. Calibration is measured on the digits: the expected calibration error (ECE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.calibration import (
    NOT_A_DIGIT,
    answers,
    expected_calibration_error,
    reliability,
)
from model.preprocess import preprocess_batch


def confusion_matrix(labels: np.ndarray, answers: np.ndarray) -> np.ndarray:
    """10x10 counts of digit answers: row = true digit, column = the digit answered."""
    matrix = np.zeros((10, 10), dtype=np.int64)
    np.add.at(matrix, (labels, answers), 1)
    return matrix


@dataclass(frozen=True)
class Report:
    labels: np.ndarray  # (N,) true digits, or -1 for "not a digit"
    probabilities: np.ndarray  # (N, 10) calibrated; all zeros where nothing was found to be drawn
    rejected: np.ndarray | None = None  # (N,) bool: answered "not a digit"

    def subset(self, keep: np.ndarray) -> Report:
        """The report of some rows only (a boolean mask or indices)."""
        rejected = None if self.rejected is None else self.rejected[keep]
        return Report(self.labels[keep], self.probabilities[keep], rejected)

    @property
    def drawn(self) -> np.ndarray:
        return self.probabilities.sum(axis=1) > 0

    @property
    def predicted(self) -> np.ndarray:
        """Answered digits; -1 where the answer was "not a digit" or nothing was drawn."""
        answered = self.drawn if self.rejected is None else self.drawn & ~self.rejected
        return np.where(answered, self.probabilities.argmax(axis=1), NOT_A_DIGIT)

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        return float((self.predicted == self.labels).mean()) if self.n else float("nan")

    @property
    def rejected_share(self) -> float:
        """The share answered "not a digit" or "nothing drawn"."""
        return float((self.predicted == NOT_A_DIGIT).mean()) if self.n else float("nan")

    def _digits_drawn(self) -> np.ndarray:
        return (self.labels >= 0) & self.drawn

    @property
    def ece(self) -> float:
        """Expected calibration error (15 bins) of the probabilities on the drawn digits."""
        keep = self._digits_drawn()
        return expected_calibration_error(self.probabilities[keep], self.labels[keep])

    def reliability(self) -> dict[str, list]:
        keep = self._digits_drawn()
        return reliability(self.probabilities[keep], self.labels[keep])

    def confusion(self) -> np.ndarray:
        """10x10 counts: row = true digit, column = answered digit ("not a digit" left out)."""
        seen = (self.predicted >= 0) & (self.labels >= 0)
        return confusion_matrix(self.labels[seen], self.predicted[seen])

    def unanswered(self) -> np.ndarray:
        """(10,) per true digit: how many were answered "not a digit" or "nothing drawn", the
        rows' counts that the confusion matrix leaves out."""
        digits = self.labels >= 0
        return np.bincount(self.labels[digits & (self.predicted < 0)], minlength=10)

    def per_class(self) -> dict[str, list[float]]:
        """Per digit: accuracy (= recall), precision, and support."""
        matrix = self.confusion()
        hits = np.diag(matrix).astype(float)
        support = np.bincount(self.labels[self.labels >= 0], minlength=10)
        claimed = matrix.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            recall = np.where(support > 0, hits / support, np.nan)
            precision = np.where(claimed > 0, hits / claimed, np.nan)
        return {
            "recall": recall.tolist(),
            "precision": precision.tolist(),
            "support": support.tolist(),
        }

    def by_group(self, groups: np.ndarray) -> dict[str, Report]:
        """One report per group (drawing style, kind of non-digit), in order of first appearance."""
        groups = np.asarray(groups)
        return {str(group): self.subset(groups == group) for group in dict.fromkeys(groups)}

    def mistakes(self) -> np.ndarray:
        """Indices of the wrong predictions, most confident first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        return wrong[np.argsort(-self.probabilities[wrong].max(axis=1))]

    def summary(self) -> dict:
        """The figures as plain JSON values; an undefined one (no digits to calibrate or recall
        on) is None, since strict JSON has no NaN."""
        return defined(
            {
                "accuracy": self.accuracy,
                "n": self.n,
                "rejected": self.rejected_share,
                "ece": self.ece,
                "nothing_drawn": int((~self.drawn).sum()),
                "per_class": self.per_class(),
            }
        )


def defined(value):
    """`value` with every float NaN inside it (dicts, lists, arrays) replaced by None."""
    if isinstance(value, dict):
        return {key: defined(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [defined(item) for item in value]
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    return value


def disagreements(a: Report, b: Report) -> np.ndarray:
    """Indices where two versions answer the same images differently, most telling first: where
    their probabilities for the right answer differ most (for a non-digit, their top ones)."""
    differ = np.flatnonzero(a.predicted != b.predicted)
    labels = a.labels[differ]

    def belief(report: Report) -> np.ndarray:
        rows = report.probabilities[differ]
        right = rows[np.arange(len(differ)), np.maximum(labels, 0)]
        return np.where(labels >= 0, right, rows.max(axis=1, initial=0.0))

    return differ[np.argsort(-np.abs(belief(a) - belief(b)), kind="stable")]


def evaluate_inputs(predictor, inputs: np.ndarray, labels: np.ndarray) -> Report:
    """Score 28x28 network inputs (float in [0, 1]) against their labels (-1: not a digit),
    answered as `model.calibration.answers` says. An all-black input is "nothing drawn".
    """
    probabilities, rejected = answers(predictor, inputs)
    probabilities[np.asarray(inputs).reshape(len(probabilities), -1).max(axis=1) == 0] = 0.0
    return Report(np.asarray(labels, dtype=np.int64), probabilities, rejected)


def evaluate_images(predictor, images: np.ndarray, labels: np.ndarray) -> Report:
    """Score raw images of any size (white on black, or dark on paper) as the app reads uploads.

    An image in which nothing is found to be drawn counts as wrong (all-zero probabilities).
    """
    inputs, empty = preprocess_batch(images)
    report = evaluate_inputs(predictor, inputs, labels)
    report.probabilities[empty] = 0.0
    return report


def format_report(report: Report, title: str) -> str:
    """Accuracy, per-class figures and the confusion matrix as plain text."""
    per = report.per_class()
    lines = [
        f"{title}: accuracy {report.accuracy:.4f} on {report.n} images, "
        f"{report.rejected_share:.2%} answered not a digit, ECE {report.ece:.4f}",
        "",
    ]
    lines.append("digit  recall  precision  support")
    for d in range(10):
        lines.append(
            f"{d:>5}  {per['recall'][d]:>6.4f}  {per['precision'][d]:>9.4f}  {per['support'][d]:>7}"
        )
    lines += ["", "confusion (row = true, column = predicted)"]
    lines.append("     " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(report.confusion()):
        lines.append(f"{d:>5}" + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


SCORE_KEYS = (
    "test_accuracy",
    "drawings_accuracy",
    "test_rejected",
    "drawings_rejected",
    "test_ece",
    "drawings_ece",
    "nondigits_rejected",
)


# The test sets `score` reads, by their `model.testsets.BY_NAME` keys.
SCORED_SETS = ("mnist", "drawings", "nondigits")


def score(predictor) -> dict[str, float]:
    """The headline figures, as the app answers (calibrated, with rejection); keys `SCORE_KEYS`.

    MNIST test and the canvas-like drawings: accuracy (a rejected digit counts as wrong), the share
    rejected, ECE; drawn non-digits of the kinds no network trains on: the share rejected.
    """
    from model.testsets import BY_NAME

    figures = {}
    for key, name in (("test", "mnist"), ("drawings", "drawings")):
        testset = BY_NAME[name]()
        report = evaluate_inputs(predictor, testset.inputs, testset.labels)
        figures[f"{key}_accuracy"] = report.accuracy
        figures[f"{key}_rejected"] = report.rejected_share
        figures[f"{key}_ece"] = report.ece
    unseen = BY_NAME["nondigits"]().unseen()
    figures["nondigits_rejected"] = evaluate_inputs(
        predictor, unseen.inputs, unseen.labels
    ).accuracy
    return figures
