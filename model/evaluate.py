"""Evaluation: how often a model is right, per class, and how it confuses digits.

The same figures serve the command line (`python -m model evaluate`) and the Evaluation page. Two
test sets are always reported side by side: MNIST's 10,000 test digits, and canvas-like drawings
(rendered by `model.drawings`, then put through the app's own preprocessing), because scoring well
on the first says little about the digits people actually draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.preprocess import preprocess_batch


@dataclass(frozen=True)
class Report:
    labels: np.ndarray  # (N,) true digits
    probabilities: np.ndarray  # (N, 10); all zeros where nothing was found to be drawn

    @property
    def predicted(self) -> np.ndarray:
        """Predicted digits; -1 where nothing was found to be drawn (always wrong)."""
        return np.where(self.probabilities.sum(axis=1) > 0, self.probabilities.argmax(axis=1), -1)

    @property
    def n(self) -> int:
        return len(self.labels)

    @property
    def accuracy(self) -> float:
        return float((self.predicted == self.labels).mean()) if self.n else float("nan")

    def confusion(self) -> np.ndarray:
        """10x10 counts: row = true digit, column = predicted digit ("nothing drawn" left out)."""
        matrix = np.zeros((10, 10), dtype=np.int64)
        seen = self.predicted >= 0
        np.add.at(matrix, (self.labels[seen], self.predicted[seen]), 1)
        return matrix

    def per_class(self) -> dict[str, list[float]]:
        """Per digit: accuracy (= recall), precision, and support."""
        matrix = self.confusion()
        hits = np.diag(matrix).astype(float)
        support = np.bincount(self.labels, minlength=10)
        claimed = matrix.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            recall = np.where(support > 0, hits / support, np.nan)
            precision = np.where(claimed > 0, hits / claimed, np.nan)
        return {
            "recall": recall.tolist(),
            "precision": precision.tolist(),
            "support": support.tolist(),
        }

    def mistakes(self) -> np.ndarray:
        """Indices of the wrong predictions, most confident first."""
        wrong = np.flatnonzero(self.predicted != self.labels)
        return wrong[np.argsort(-self.probabilities[wrong].max(axis=1))]

    def summary(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "n": self.n,
            "nothing_drawn": int((self.predicted < 0).sum()),
            "per_class": self.per_class(),
        }


def evaluate_inputs(predictor, inputs: np.ndarray, labels: np.ndarray) -> Report:
    """Score 28x28 network inputs (float in [0, 1]) against their labels."""
    return Report(np.asarray(labels, dtype=np.int64), predictor.probabilities_batched(inputs))


def evaluate_images(predictor, images: np.ndarray, labels: np.ndarray) -> Report:
    """Score raw white-on-black images of any size through the canvas preprocessing.

    An image in which nothing is found to be drawn counts as wrong (all-zero probabilities).
    """
    inputs, empty = preprocess_batch(images)
    report = evaluate_inputs(predictor, inputs, labels)
    report.probabilities[empty] = 0.0
    return report


def format_report(report: Report, title: str) -> str:
    """Accuracy, per-class figures and the confusion matrix as plain text."""
    per = report.per_class()
    lines = [f"{title}: accuracy {report.accuracy:.4f} on {report.n} digits", ""]
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
