"""Is an explanation true? The deletion test (Petsiuk et al. 2018), measured.

A heat map claims that some pixels mattered more than others. The deletion test takes the claim
at its word: remove the pixels in the order the map ranks them, most important first, and watch
the probability of the explained digit after every step. If the map is right, the probability
falls at once; if it is no better than chance, it falls as slowly as when the same pixels are
removed in a random order, which every method is measured against.

- Removing a pixel sets it to 0: black, the background, the same "no ink" as the baseline of
  integrated gradients. Background pixels are 0 already, so removing them changes nothing.
- The curve records the network's own softmax probability of the digit (the maps explain its
  logit; the probability is what falls to a chance level of about 1/10 once the evidence is
  gone, so areas are comparable between digits and networks).
- Its area, over the share of pixels removed from 0 to 1, lies in [0, 1]: **lower is more
  faithful**. Pixels the map ranks equal (the CAMs' zeros) are taken in a random order, so that
  no method gains from the raster order.

`deletion_aucs` runs every method of `model.attribution` and the random order over a set of
images, explaining for each image the digit the network answers; `python -m model explain`
prints the median of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import attribution, explain
from model.calibration import softmax

PIXELS = 28 * 28
STEP = 8  # pixels removed between two points of the curve: 99 points from 0 to all 784
RANDOM = "random"


@dataclass(frozen=True)
class DeletionCurve:
    method: str
    removed: np.ndarray  # (K,) share of pixels removed, 0 to 1
    probability: np.ndarray  # (K,) probability of the digit after each step

    @property
    def auc(self) -> float:
        """Area under the curve, in [0, 1]; lower is more faithful."""
        return area(self.removed, self.probability)


def area(x: np.ndarray, y: np.ndarray) -> float:
    """Trapezoid area under y(x)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return float(((y[1:] + y[:-1]) * np.diff(x)).sum() / 2)


def deletion_order(evidence: np.ndarray, seed: int = 0) -> np.ndarray:
    """Flat pixel indices, the strongest evidence first; ties in a random (seeded) order."""
    evidence = np.nan_to_num(np.asarray(evidence, np.float64).ravel(), nan=-np.inf)
    ties = np.random.default_rng(seed).permutation(evidence.size)
    return np.lexsort((ties, -evidence))  # the last key sorts first


def random_order(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).permutation(PIXELS)


def deleted_images(image: np.ndarray, order: np.ndarray, step: int = STEP) -> np.ndarray:
    """The image after 0, step, 2·step, ... and finally all pixels of `order` are set to 0."""
    counts = [*range(0, PIXELS, step), PIXELS]
    flat = np.asarray(image, np.float32).ravel()
    rank = np.empty(PIXELS, np.int64)
    rank[order] = np.arange(PIXELS)
    # Image k keeps the pixels ranked at or after counts[k].
    keep = rank[None, :] >= np.asarray(counts)[:, None]
    return (flat[None, :] * keep).reshape(-1, 28, 28)


def deletion_curve(
    network, image: np.ndarray, digit: int, order: np.ndarray, method: str, step: int = STEP
) -> DeletionCurve:
    """The digit's probability as the pixels are removed in `order`."""
    images = deleted_images(image, order, step)
    probability = softmax(explain.insight(network).scores(images))[:, digit]
    removed = np.minimum(np.arange(len(images)) * step, PIXELS) / PIXELS
    return DeletionCurve(method, removed.astype(np.float32), probability)


def curves_for(
    network, image: np.ndarray, digit: int, attributions: dict, seed: int = 0
) -> dict[str, DeletionCurve | None]:
    """A deletion curve per method (None where it does not apply) and the random order's."""
    curves: dict[str, DeletionCurve | None] = {}
    for method, found in attributions.items():
        if found is None:
            curves[method] = None
        else:
            order = deletion_order(found.evidence, seed)
            curves[method] = deletion_curve(network, image, digit, order, method)
    curves[RANDOM] = deletion_curve(network, image, digit, random_order(seed), RANDOM)
    return curves


def explained_digit(network, image: np.ndarray) -> int:
    """The digit the network answers for the image: the one its explanations are about."""
    return int(np.argmax(explain.insight(network).scores(np.asarray(image)[None])[0]))


def deletion_aucs(network, images: np.ndarray, progress=None) -> dict[str, list[float] | None]:
    """Per method (and "random"), the deletion AUC of each image, for the digit the network
    answers; None for a method that does not apply to the network. Image i uses seed i."""
    keys = (*attribution.METHODS, RANDOM)
    aucs: dict[str, list[float] | None] = {
        key: [] if key == RANDOM or attribution.applies(network, key) else None for key in keys
    }
    for index, image in enumerate(images):
        digit = explained_digit(network, image)
        found = attribution.attribute_all(network, image, digit)
        for key, curve in curves_for(network, image, digit, found, seed=index).items():
            if curve is not None:
                aucs[key].append(curve.auc)
        if progress is not None:
            progress(index + 1, len(images))
    return aucs


def medians(aucs: dict[str, list[float] | None]) -> dict[str, float | None]:
    """The median of each method's AUCs (None stays None; no images gives None)."""
    return {
        key: None if values is None or not values else float(np.median(values))
        for key, values in aucs.items()
    }


def most_faithful(summary: dict[str, float | None]) -> str:
    """The method with the lowest median AUC (the random order is not a method)."""
    scored = {k: v for k, v in summary.items() if v is not None and k != RANDOM}
    return min(scored, key=scored.get)
