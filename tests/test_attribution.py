"""model.attribution and model.faithfulness on the shipped networks and real MNIST test digits:
integrated gradients' completeness, occlusion of empty paper, which methods apply where, and
the deletion test against a random order."""

from __future__ import annotations

import numpy as np
import pytest

from model import attribution, describe, explain, faithfulness, figures
from model.serving.inference import Predictor
from model.serving.store import ModelStore

_networks: dict[str, object] = {}


def shipped(name: str):
    """A shipped version's Keras network, loaded once for the module."""
    if name not in _networks:
        _networks[name] = Predictor.from_version(ModelStore().get(name)).network
    return _networks[name]


@pytest.fixture(scope="module")
def default():
    return shipped("default")


@pytest.fixture(scope="module")
def digits(mnist) -> np.ndarray:
    """The first 6 MNIST test digits as network inputs in [0, 1]."""
    return mnist.x_test[:6].astype(np.float32) / 255


def score(network, image: np.ndarray, digit: int) -> float:
    return float(explain.insight(network).scores(image[None])[0, digit])


@pytest.mark.parametrize("name", ["default", "rnn"])
def test_integrated_gradients_add_up_to_the_score_difference(name, digits, mnist):
    network = shipped(name)
    for index in range(3):
        image = digits[index]
        for digit in (int(mnist.y_test[index]), (int(mnist.y_test[index]) + 3) % 10):
            found = attribution.integrated_gradients(network, image, digit)
            gap = score(network, image, digit) - score(network, np.zeros_like(image), digit)
            assert found.score_gap == pytest.approx(gap, rel=1e-5)
            assert float(found.values.sum()) == pytest.approx(gap, rel=0.01), (index, digit)
            assert found.values.shape == (28, 28) and found.signed
            assert (found.values[image == 0] == 0).all()  # no ink, no attribution


def test_too_few_steps_are_doubled_until_complete(default, digits):
    found = attribution.integrated_gradients(default, digits[0], 7, steps=4)
    assert found.steps > 4
    assert float(found.values.sum()) == pytest.approx(found.score_gap, rel=0.01)


def test_occluding_a_patch_without_ink_changes_nothing(default, digits):
    image = digits[0].copy()
    image[:10, :] = 0.0  # clear the top rows: patches there cover no ink
    found = attribution.occlusion(default, image, 7)
    inked = np.zeros((28, 28), bool)
    for top, left in attribution.patch_corners():
        if image[top : top + 4, left : left + 4].any():
            inked[top : top + 4, left : left + 4] = True
    assert not inked[:6].any()
    np.testing.assert_allclose(found.values[~inked], 0.0, atol=1e-6)
    assert found.values[inked].max() > 0.5  # taking the 7's ink away lowers its score


def test_every_method_gives_a_map_and_the_cams_need_convolutions(default, digits):
    found = attribution.attribute_all(default, digits[1], 2)
    assert list(found) == list(attribution.METHODS)
    for method, one in found.items():
        assert one.values.shape == (28, 28) and np.isfinite(one.values).all(), method
        assert one.signed == (method in attribution.SIGNED)
    mlp = shipped("mlp")
    plain = attribution.attribute_all(mlp, digits[1], 2)
    assert plain["gradcam"] is None and plain["hirescam"] is None
    assert plain["integrated_gradients"] is not None
    assert "convolutional" in attribution.why_not(mlp, "gradcam")
    with pytest.raises(ValueError, match="convolutional"):
        attribution.attribute(mlp, digits[1], 2, "hirescam")
    with pytest.raises(ValueError, match="unknown method"):
        attribution.applies(mlp, "lime")


def test_smoothgrad_is_seeded_and_ranks_by_magnitude(default, digits):
    one = attribution.smoothgrad(default, digits[2], 1)
    again = attribution.smoothgrad(default, digits[2], 1)
    np.testing.assert_array_equal(one.values, again.values)
    assert (one.values < 0).any() and (one.values > 0).any()
    np.testing.assert_array_equal(one.evidence, np.abs(one.values))


# --- The deletion test ---------------------------------------------------------------------------


def test_deleted_images_remove_pixels_in_order():
    image = np.arange(784, dtype=np.float32).reshape(28, 28) + 1
    order = np.random.default_rng(3).permutation(784)
    steps = faithfulness.deleted_images(image, order, step=100)
    assert len(steps) == 9  # 0, 100, ..., 700 and all 784
    np.testing.assert_array_equal(steps[0], image)
    assert not steps[-1].any()
    removed = steps[1].ravel() == 0
    assert set(np.flatnonzero(removed)) == set(order[:100])


def test_ties_are_broken_at_random_but_the_same_way_each_time():
    evidence = np.zeros(784)
    evidence[[5, 9]] = [2.0, 1.0]
    order = faithfulness.deletion_order(evidence, seed=1)
    assert list(order[:2]) == [5, 9]
    assert list(order[2:12]) != sorted(order[2:12])  # not raster order
    np.testing.assert_array_equal(order, faithfulness.deletion_order(evidence, seed=1))


def test_area_is_normalised():
    x = np.linspace(0, 1, 11)
    assert faithfulness.area(x, np.ones(11)) == pytest.approx(1.0)
    assert faithfulness.area(x, x) == pytest.approx(0.5)


def test_informative_methods_delete_faster_than_a_random_order(default, digits):
    aucs = faithfulness.deletion_aucs(default, digits[:4])
    summary = faithfulness.medians(aucs)
    assert set(summary) == {*attribution.METHODS, "random"}
    assert all(len(v) == 4 for v in aucs.values())
    assert all(0.0 <= v <= 1.0 for v in summary.values())
    for method in ("integrated_gradients", "occlusion"):
        assert summary[method] < summary["random"] - 0.1, summary
    assert faithfulness.most_faithful(summary) != "random"


def test_methods_that_do_not_apply_have_no_area(digits):
    aucs = faithfulness.deletion_aucs(shipped("mlp"), digits[:1])
    assert aucs["gradcam"] is None and aucs["hirescam"] is None
    assert faithfulness.medians(aucs)["gradcam"] is None
    assert len(aucs["saliency"]) == 1


# --- Pictures and words ------------------------------------------------------------------------


def test_the_signed_figure_and_its_words(default, digits):
    found = attribution.attribute_all(shipped("mlp"), digits[0], 7)
    panels = [(attribution.NAMES[m], None if a is None else a.values) for m, a in found.items()]
    fig = figures.signed_figure(digits[0], panels)
    assert len(fig.axes) == 6  # in two rows of three
    assert len({round(ax.get_position(original=True).y0, 3) for ax in fig.axes}) == 2
    assert "does not\napply" in [t.get_text() for t in fig.axes[0].texts]
    alt = describe.signed_maps_alt(7, panels)
    assert alt.startswith("Maps of the evidence for the digit 7")
    assert "Grad-CAM does not apply" in alt and "Occlusion: for at the" in alt
    assert figures.signed_limit(np.zeros((28, 28))) == 1.0
    spiky = np.zeros((28, 28))
    spiky[0, 0], spiky[5:10, 5:10] = 100.0, 1.0
    assert figures.signed_limit(spiky) == 1.0  # one extreme pixel does not set the scale


def test_deletion_words_name_the_fastest_method():
    alt = describe.deletion_alt(3, {"Occlusion": 0.11, "Saliency": 0.3, "Random order": 0.4})
    assert "removed in the order Occlusion gives (area 0.11)" in alt
    assert "random order the area is 0.40" in alt
