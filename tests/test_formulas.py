"""The formulas by hand (`model.formulas`) against the shipped networks' own outputs.

Checked on real MNIST test digits: a first-layer convolution cell (with "same" padding in the
default network, "valid" in seed_cnn), a pooling cell, an output neuron's softmax and the LSTM's
28 steps each equal what Keras computes, to 1e-5; the cells' parts add up as the formula says;
cells that do not exist are refused with a message. And the page's tables and formula lines
never show a zero with a minus sign.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from model import explain, formulas
from model.calibration import temperature_scale
from model.serving.inference import load_network
from model.serving.store import ModelStore
from model.testsets import mnist_test
from pages import formulas as page
from pages.formatting import factor, fixed, number

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    return mnist_test().inputs[:3]  # a 7, a 2 and a 1


@pytest.fixture(scope="module")
def shipped():
    store, loaded = ModelStore(), {}

    def network(name: str):
        if name not in loaded:
            loaded[name] = load_network(store.get(name).model_file)
        return loaded[name]

    return network


@pytest.mark.parametrize(
    ("name", "side", "corner_pixels"), [("default", 28, 4), ("seed_cnn", 26, 9)]
)
def test_a_convolution_cell_by_hand_is_the_networks_own(shipped, digits, name, side, corner_pixels):
    network = shipped(name)
    for image in digits:
        own = explain.feature_maps(network, image)[formulas.first_conv(network).name]
        assert own.shape[:2] == (side, side) == formulas.output_size(formulas.first_conv(network))
        assert np.abs(formulas.conv_map(network, image) - own).max() < TOLERANCE
        # Each channel's strongest cell, and a corner, where "same" reads padding.
        cells = [(c, *np.unravel_index(own[..., c].argmax(), (side, side))) for c in range(4)]
        for channel, row, col in [*cells, (1, 0, 0), (2, side - 1, side - 1)]:
            cell = formulas.conv_cell(network, image, channel, int(row), int(col))
            assert abs(cell.value - own[row, col, channel]) < TOLERANCE
            assert np.allclose(cell.products, cell.patch * cell.kernel)
            assert cell.pre_activation == pytest.approx(cell.products.sum() + cell.bias)
            assert cell.value == pytest.approx(max(cell.pre_activation, 0.0))
        corner = formulas.conv_cell(network, image, 0, 0, 0)
        assert corner.inside.sum() == corner_pixels
        assert (corner.patch[~corner.inside] == 0).all()
    assert max(own[..., c].max() for c in range(own.shape[2])) > 0.1  # something fired


@pytest.mark.parametrize("name", ["default", "seed_cnn"])
def test_a_pooling_cell_is_the_largest_of_its_window(shipped, digits, name):
    network = shipped(name)
    image = digits[0]
    maps = explain.feature_maps(network, image)
    pooled = maps[formulas.first_pool(network).name]
    assert pooled.shape[:2] == formulas.pool_size(network)
    # The three channels that fire most on this digit (a trained filter may stay dark on it).
    for channel in np.argsort(pooled.max(axis=(0, 1)))[-3:]:
        row, col = np.unravel_index(pooled[..., channel].argmax(), pooled.shape[:2])
        cell = formulas.pool_cell(network, image, int(channel), int(row), int(col))
        assert cell.value > 0
        assert abs(cell.value - pooled[row, col, channel]) < TOLERANCE
        source = maps[cell.source][cell.top : cell.top + 2, cell.left : cell.left + 2, channel]
        assert np.abs(cell.window - source).max() < TOLERANCE
        assert cell.window[cell.winner] == cell.value


@pytest.mark.parametrize("name", ["default", "seed_cnn", "mlp", "rnn"])
def test_an_output_neuron_is_the_networks_probability(shipped, digits, name):
    network = shipped(name)
    for image, label in zip(digits, mnist_test().labels[:3], strict=True):
        own = np.asarray(network(image.reshape(1, 28, 28, 1), training=False))[0]
        assert np.abs(formulas.own_probabilities(network, image) - own).max() < 1e-7
        for digit in (int(label), (int(label) + 1) % 10):
            neuron = formulas.output_neuron(network, image, digit)
            assert abs(neuron.probability - own[digit]) < TOLERANCE
            assert np.abs(neuron.probabilities - own).max() < TOLERANCE
            assert neuron.logit == pytest.approx(neuron.logits[digit])
            top = neuron.contributions[neuron.top(5)]
            assert (np.diff(np.abs(top)) <= 0).all()
            # softmax(z / T) is the calibration's temperature applied to the network's output
            for temperature in (1.0, 0.8, 2.0):
                scaled = temperature_scale(own[None], temperature)[0, digit]
                assert abs(neuron.scaled(temperature) - scaled) < TOLERANCE
        assert own.argmax() == label


def test_the_lstm_steps_by_hand_are_keras_steps(shipped, digits):
    network = shipped("rnn")
    lstm = formulas.first_layer(network, ("LSTM",))
    image = digits[0]
    steps = formulas.lstm_steps(network, image)
    assert [step.t for step in steps] == list(range(1, 29))
    rows = image.reshape(1, 28, 28).astype(np.float32)
    for step in steps:
        # The layer read only rows 1..t ends in hₜ.
        own = np.asarray(lstm(rows[:, : step.t]))[0]
        assert np.abs(step.h - own).max() < TOLERANCE
        assert np.abs(formulas.own_lstm_state(network, image, step.t) - own).max() < 1e-7
        assert np.array_equal(step.row, image[step.t - 1])
    for before, after in itertools.pairwise(steps):
        assert np.array_equal(after.h_before, before.h)
        i, f, candidate, o = after.gates
        assert np.allclose(after.c, f * before.c + i * candidate)
        assert np.allclose(after.h, o * np.tanh(after.c))
        assert np.allclose(after.gates[1], formulas.sigmoid(after.sums[1]))
    assert np.abs(steps[-1].h).max() > 0.1


def test_cells_that_do_not_exist_are_refused(shipped, digits):
    network = shipped("default")
    with pytest.raises(ValueError, match="28x28"):
        formulas.conv_cell(network, digits[0], 0, 28, 0)
    with pytest.raises(ValueError, match="channels 0 to 15"):
        formulas.conv_cell(network, digits[0], 16, 0, 0)
    with pytest.raises(ValueError, match="14x14"):
        formulas.pool_cell(network, digits[0], 0, 0, 14)
    with pytest.raises(ValueError, match="between 0 and 9"):
        formulas.output_neuron(network, digits[0], 10)
    with pytest.raises(ValueError, match="no Conv2D"):
        formulas.conv_cell(shipped("rnn"), digits[0], 0, 0, 0)
    with pytest.raises(ValueError, match="no LSTM"):
        formulas.lstm_steps(network, digits[0])


def test_a_zero_shows_without_a_minus_sign():
    kernel = np.array([[0.3, -0.5], [-0.2, 0.1]])
    products = np.array([[1.0, 0.0], [0.0, 0.5]]) * kernel  # two are -0.0
    shown = page.grid_table(products, 7, 18).to_numpy().ravel().tolist()
    assert shown == ["+0.300", "+0.000", "+0.000", "+0.050"]
    assert number(-1e-6) == "-1.0e-06"  # a small negative is still negative
    assert (fixed(-0.0), fixed(-0.00001), fixed(-0.2)) == ("0.0000",) * 2 + ("-0.2000",)
    assert (factor(-0.0), factor(-0.0001), factor(-0.5)) == (
        "0.000",
        "0.000",
        "(-0.500)",
    )


def test_the_kernel_is_headed_by_its_own_rows_and_columns():
    table = page.grid_table(np.zeros((3, 3)), 0, 0, corner="kernel")
    assert table.index.name == "kernel"
    assert list(table.index) == ["row 0", "row 1", "row 2"]
    assert list(table.columns) == ["col 0", "col 1", "col 2"]
    pixels = page.grid_table(np.zeros((3, 3)), 7, 18)
    assert pixels.index.name == "image" and list(pixels.columns) == ["col 18", "col 19", "col 20"]
