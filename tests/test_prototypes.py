"""model.prototypes on the shipped default: prototypes the network reads as their digit, and the
test digits that excite a filter most."""

from __future__ import annotations

import numpy as np
import pytest

from model import explain, prototypes
from model.serving.inference import Predictor
from model.serving.store import ModelStore


@pytest.fixture(scope="module")
def default():
    return Predictor.from_version(ModelStore().get("default")).network


def test_each_prototype_is_read_as_its_digit(default):
    images, probability, _ = prototypes.class_prototypes(default)
    assert images.shape == (10, 28, 28)
    assert images.min() >= 0 and images.max() <= 1
    scores = explain.insight(default).scores(images)
    np.testing.assert_array_equal(scores.argmax(axis=1), np.arange(10))
    assert (probability > 0.9).all(), probability
    # Regularised, not noise: neighbouring pixels mostly agree (a stroke, not speckle).
    roughness = np.abs(np.diff(images, axis=2)).mean()
    assert roughness < 0.1, roughness
    # And not the same blob for all: the prototypes of different digits differ.
    assert np.abs(images[1] - images[0]).mean() > 0.05


def test_top_inputs_excite_their_filter_most(default, mnist):
    tops = prototypes.top_inputs(default, count=5)
    assert {name: found.shape for name, found in tops.items()} == {
        "conv1": (16, 5),
        "conv2": (32, 5),
        "conv3": (64, 5),
    }
    digits = mnist.x_test.astype(np.float32) / 255
    for filter_index in (0, 17):
        found = tops["conv2"][filter_index]
        others = np.setdiff1d(np.arange(200), found)[:50]
        peaks = [
            explain.feature_maps(default, digits[i])["conv2"][..., filter_index].max()
            for i in [*found, *others]
        ]
        assert list(peaks[:5]) == sorted(peaks[:5], reverse=True)  # strongest first
        assert min(peaks[:5]) >= max(peaks[5:])
    assert prototypes.top_inputs(Predictor.from_version(ModelStore().get("mlp")).network) == {}
