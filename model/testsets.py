"""The two test sets every model is judged on, as ready network inputs.

- MNIST test: LeCun & Cortes's 10,000 held-out digits.
- Drawings: canvas-like digits rendered by `model.drawings` (white round-cap strokes on 280x280
  black, five styles: mixed, thin, thick, small and off-centre, rotated ±20°), then put through the
  app's own canvas preprocessing, exactly as a drawing on the Draw page is. Seeded (the seed differs
  from the synthetic drawings used in training), rendered once and cached on disk.

Both come back as (inputs (N, 28, 28) float32 in [0, 1], labels (N,) int64) plus, for drawings, the
style of each image, so a page can report every style separately.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np

from model import data, drawings
from model.preprocess import preprocess_batch

DRAWINGS_SEED = 2026
DRAWINGS_PER_DIGIT = 60  # per style: 5 styles x 10 digits x 60 = 3,000 drawings


@dataclass(frozen=True)
class TestSet:
    name: str
    inputs: np.ndarray  # (N, 28, 28) float32
    labels: np.ndarray  # (N,) int64
    styles: np.ndarray  # (N,) str: the drawing style, or "mnist"

    def only(self, style: str) -> TestSet:
        keep = self.styles == style
        name = f"{self.name} ({style})"
        return TestSet(name, self.inputs[keep], self.labels[keep], self.styles[keep])


@cache
def mnist_test() -> TestSet:
    mnist = data.load_mnist()
    inputs = mnist.x_test.astype(np.float32) / 255.0
    labels = mnist.y_test.astype(np.int64)
    return TestSet("MNIST test", inputs, labels, np.full(len(labels), "mnist"))


@cache
def drawings_test() -> TestSet:
    path = data.cache_dir() / f"test-drawings-{DRAWINGS_PER_DIGIT}-{DRAWINGS_SEED}-v1.npz"
    if not path.is_file():
        images, labels, styles = [], [], []
        for index, variant in enumerate(drawings.VARIANTS):
            rendered, digits = drawings.make_drawings(
                DRAWINGS_PER_DIGIT, seed=DRAWINGS_SEED + index, variant=variant
            )
            inputs, _ = preprocess_batch(rendered)  # "nothing drawn" stays an all-black input
            images.append((inputs * 255).round().astype(np.uint8))
            labels.append(digits)
            styles += [variant] * len(digits)
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        with open(staged, "wb") as f:
            np.savez_compressed(
                f, images=np.concatenate(images), labels=np.concatenate(labels), styles=styles
            )
        os.replace(staged, path)  # a crash never leaves a half file in the cache
    with np.load(path) as cached:
        inputs = cached["images"].astype(np.float32) / 255.0
        return TestSet("Drawings", inputs, cached["labels"].astype(np.int64), cached["styles"])
