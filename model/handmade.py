"""Hand-made features and a linear model: traditional machine learning, beside the CNN.

Before deep learning, a person chose what to measure in an image, and a simple classifier learned
from those measurements. The classic choice for shapes is HOG (Dalal & Triggs, 2005): the image
is cut into small cells, each cell keeps a histogram of its edge directions, and neighbouring
cells are normalised together so that the stroke's strength matters less than its direction. A
linear SVM (scikit-learn's `LinearSVC`) then learns one weight per feature and digit. The same
classifier on the raw pixels shows what the hand-made features add; the CNN learns its own.

A trained `LinearReader` is only its weights and biases, so reading a drawing with it is
features(x) · Wᵀ + b in numpy: the app reads a drawing with it without scikit-learn or TensorFlow.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.atomic import atomic_write

# 4x4-pixel cells, 2x2-cell blocks, 9 directions: 6 x 6 blocks x 4 cells x 9 = 1,296 features.
HOG = {"orientations": 9, "pixels_per_cell": (4, 4), "cells_per_block": (2, 2)}
KINDS = {"pixels": "raw pixels", "hog": "HOG (edge directions)"}
REGULARISATION = 0.1  # LinearSVC's C: smaller is smoother; 0.1 reads held-out digits best here


def hog_features(images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) images in [0, 1] → (N, 1296) HOG features."""
    from skimage.feature import hog

    images = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
    return np.stack([hog(image, **HOG) for image in images]).astype(np.float32)


def features(kind: str, images: np.ndarray) -> np.ndarray:
    """The `kind` ("pixels" or "hog") of features of (N, 28, 28) images."""
    if kind == "pixels":
        return np.asarray(images, dtype=np.float32).reshape(len(images), -1)
    if kind == "hog":
        return hog_features(images)
    raise ValueError(f"features must be one of {', '.join(KINDS)}, not {kind!r}")


def cached_features(kind: str, images: np.ndarray, directory: Path) -> np.ndarray:
    """`features(kind, images)`, kept in `directory` under a name made from the images' bytes:
    the test sets' HOG takes seconds, and they are the same for every run."""
    if kind == "pixels":
        return features(kind, images)
    digest = hashlib.sha256(np.ascontiguousarray(images, dtype=np.float32).tobytes()).hexdigest()
    path = directory / f"{kind}-{digest[:16]}.npy"
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape[0] == len(images) and cached.dtype == np.float32:
            return cached
    except (OSError, ValueError):
        pass  # not there yet, or damaged: computed again
    made = features(kind, images)
    with atomic_write(path) as file:
        np.save(file, made)
    return made


@dataclass(frozen=True)
class LinearReader:
    """A linear classifier on `kind` features: score = features · Wᵀ + b per digit."""

    kind: str
    weights: np.ndarray  # (10, features)
    bias: np.ndarray  # (10,)

    def scores(self, images: np.ndarray, feature_rows: np.ndarray | None = None) -> np.ndarray:
        rows = features(self.kind, images) if feature_rows is None else feature_rows
        return rows @ self.weights.T + self.bias

    def read(self, images: np.ndarray, feature_rows: np.ndarray | None = None) -> np.ndarray:
        """The digit read in each image (or in the given features rows)."""
        return self.scores(images, feature_rows).argmax(axis=1)

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            np.savez(f, kind=np.array(self.kind), weights=self.weights, bias=self.bias)

    @classmethod
    def load(cls, path: Path) -> LinearReader:
        """A saved reader; ValueError if the file is not one."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                kind, weights, bias = str(saved["kind"]), saved["weights"], saved["bias"]
        except Exception as err:  # numpy and zipfile raise many kinds for a damaged file
            raise ValueError(f"{path}: not a saved reader ({type(err).__name__})") from err
        if kind not in KINDS or weights.ndim != 2 or weights.shape[0] != 10 or bias.shape != (10,):
            raise ValueError(f"{path}: not a saved reader (wrong kind or shape)")
        return cls(kind, weights.astype(np.float32), bias.astype(np.float32))


def train_reader(kind: str, feature_rows: np.ndarray, labels: np.ndarray, seed: int = 0):
    """A linear SVM (one digit against the rest) fitted to `feature_rows` of `kind`."""
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=REGULARISATION, random_state=seed).fit(feature_rows, labels)
    return LinearReader(kind, svm.coef_.astype(np.float32), svm.intercept_.astype(np.float32))


def hog_picture(image: np.ndarray, scale: int = 4) -> np.ndarray:
    """HOG's own picture of one image: in every cell, its edge directions drawn as short strokes,
    brighter for stronger edges. Drawn on the image enlarged `scale` times (the same cells, each
    `scale` times wider), as a 28-pixel picture has no room for the strokes; in [0, 1]."""
    from skimage.feature import hog

    enlarged = np.kron(np.asarray(image, dtype=np.float32).reshape(28, 28), np.ones((scale, scale)))
    cell = tuple(side * scale for side in HOG["pixels_per_cell"])
    options = {**HOG, "pixels_per_cell": cell}
    _, picture = hog(enlarged, visualize=True, **options)
    top = float(picture.max())
    return (picture / top if top > 0 else picture).astype(np.float32)
