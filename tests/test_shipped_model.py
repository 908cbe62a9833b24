"""The model that ships with the app reads MNIST and canvas-like drawings almost perfectly."""

from __future__ import annotations

import pytest

from model.drawings import make_drawings
from model.evaluate import evaluate_images, evaluate_inputs
from model.inference import Predictor
from model.store import DEFAULT_VERSION, SHIPPED_DIR, ModelStore
from model.train import as_input

MNIST_TARGET = 0.994
DRAWINGS_TARGET = 0.99


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
    images, labels = make_drawings(30, seed=123)
    report = evaluate_images(shipped, images, labels)
    assert report.n == 300
    assert report.summary()["nothing_drawn"] == 0
    assert report.accuracy >= DRAWINGS_TARGET, (
        f"drawings accuracy {report.accuracy:.4f}; wrong: "
        f"{[(int(labels[i]), int(report.predicted[i])) for i in report.mistakes()]}"
    )
