"""Inference: canvas pixels → 10 probabilities, fast enough to run on every stroke.

`model.predict` on one image spends ~50 ms setting up a data pipeline. A `tf.function` with a fixed
input signature is traced once at load time and then costs well under a millisecond per call, and it
is safe to call from many threads at once (the app serves many sessions from one process).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.preprocess import Preprocessed, preprocess_canvas
from model.store import ModelStore, StoreError, Version
from model.tf_runtime import keras, tf


class ModelFileError(StoreError):
    """A model file that cannot be loaded (corrupt, truncated, not a Keras file)."""


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (10,) float32, sums to 1
    preprocessed: Preprocessed

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(int(d), float(self.probabilities[d])) for d in order]


def load_network(path: Path) -> keras.Model:
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as err:  # Keras raises many kinds for a damaged file
        raise ModelFileError(f"cannot load {path}: {type(err).__name__}: {err}") from err


class Predictor:
    """One loaded network with a compiled, thread-safe forward pass."""

    def __init__(self, network: keras.Model, version: Version | None = None):
        self.network = network
        self.version = version
        self._forward = tf.function(
            lambda x: network(x, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
            reduce_retracing=True,
        )
        self.probabilities(np.zeros((1, 28, 28), np.float32))  # trace now, not on first stroke

    @classmethod
    def from_version(cls, version: Version) -> Predictor:
        if version.problem:
            raise ModelFileError(f"version {version.name} is broken: {version.problem}")
        return cls(load_network(version.model_file), version)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 in [0, 1] → (N, 10) probabilities."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)
        return self._forward(tf.constant(batch)).numpy()

    def probabilities_batched(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The same for large arrays, in fixed-size batches to bound memory."""
        parts = [
            self.probabilities(images[i : i + batch_size])
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

    def classify(self, pixels) -> Prediction | None:
        """Canvas pixels or an image → a Prediction, or None when nothing is drawn."""
        preprocessed = preprocess_canvas(pixels)
        if preprocessed is None:
            return None
        return Prediction(self.probabilities(preprocessed.image)[0], preprocessed)


def load_active(store: ModelStore, name: str | None = None) -> tuple[Predictor, list[str]]:
    """The active (or named) version's predictor, falling back to the shipped default.

    Returns the predictor and the warnings to show (which version is broken and why).
    """
    warnings: list[str] = []
    candidates = [name or store.active_name()]
    if candidates[0] != "default":
        candidates.append("default")
    for name in candidates:
        try:
            return Predictor.from_version(store.get(name)), warnings
        except StoreError as err:
            warnings.append(f"version {name} cannot be used: {err}")
    raise StoreError("; ".join(warnings))
