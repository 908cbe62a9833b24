"""model.explain and model.figures: filters, feature maps, Grad-CAM/HiResCAM, saliency, pictures.

Uses the shipped default network (studio_cnn, trained) and fresh, untrained seed_cnn, mlp and rnn
networks; the digits are drawn by `model.drawings` the way the app's canvas draws them.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from model import explain, figures
from model.drawings import TEMPLATES, render_strokes
from model.networks import build
from model.preprocess import preprocess_canvas
from model.serving.inference import Predictor
from model.serving.store import ModelStore
from model.serving.tf_runtime import keras, tf


@pytest.fixture(scope="module")
def default():
    return Predictor.from_version(ModelStore().get("default")).network


@pytest.fixture(scope="module")
def seed():
    return build("seed_cnn")


@pytest.fixture(scope="module")
def digits() -> dict[int, np.ndarray]:
    """One drawn digit of each kind, preprocessed to the network's 28x28."""
    return {d: preprocess_canvas(render_strokes(TEMPLATES[d][0])).image for d in range(10)}


def near(mask: np.ndarray, radius: int) -> np.ndarray:
    """The mask grown by `radius` pixels (a square neighbourhood)."""
    out = mask.copy()
    padded = np.pad(mask, radius)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out |= padded[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return out


# --- Layers and filters ------------------------------------------------------------------------


def test_layer_names_and_stages(default, seed):
    assert explain.conv_layers(seed) == ["conv1", "conv2"]
    assert explain.feature_layers(seed) == ["conv1", "pool1", "conv2", "pool2"]
    assert explain.layer_stages(seed) == [["conv1", "pool1"], ["conv2", "pool2"]]
    assert explain.layer_stages(default) == [
        ["conv1", "pool1"],
        ["conv2", "pool2"],
        ["conv3", "pool3"],
    ]
    for arch in ("mlp", "rnn"):
        network = build(arch)
        assert explain.conv_layers(network) == []
        assert explain.layer_stages(network) == []


def test_an_activation_layer_after_a_linear_conv_is_shown_too():
    layers = keras.layers
    network = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(4, 3, name="c"),
            layers.Activation("relu", name="relu"),
            layers.MaxPooling2D(name="p"),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    assert explain.layer_stages(network) == [["c", "relu", "p"]]


def test_filters_of_the_first_conv_are_its_kernels(seed):
    kernels = explain.layer_filters(seed, "conv1")
    assert kernels.shape == (32, 3, 3)
    weights = seed.get_layer("conv1").kernel.numpy()  # (3, 3, 1, 32)
    np.testing.assert_array_equal(kernels[5], weights[:, :, 0, 5])


def test_deeper_filters_show_their_strongest_input_channel_or_the_mean(default):
    weights = default.get_layer("conv2").kernel.numpy()  # (3, 3, 16, 32)
    strongest = explain.layer_filters(default, "conv2")
    assert strongest.shape == (32, 3, 3)
    for f in (0, 7, 31):
        channel = np.argmax((weights[:, :, :, f] ** 2).sum(axis=(0, 1)))
        np.testing.assert_array_equal(strongest[f], weights[:, :, channel, f])
    mean = explain.layer_filters(default, "conv2", reduce="mean")
    np.testing.assert_allclose(mean[3], weights[:, :, :, 3].mean(axis=2), atol=1e-7)
    with pytest.raises(ValueError, match="not a Conv2D"):
        explain.layer_filters(default, "pool1")
    with pytest.raises(ValueError, match="reduce"):
        explain.layer_filters(default, "conv1", reduce="median")


# --- Feature maps --------------------------------------------------------------------------------


def test_feature_map_shapes_of_the_seed_cnn(seed, digits):
    maps = explain.feature_maps(seed, digits[3])
    assert {name: m.shape for name, m in maps.items()} == {
        "conv1": (26, 26, 32),
        "pool1": (13, 13, 32),
        "conv2": (11, 11, 64),
        "pool2": (5, 5, 64),
    }


def test_feature_maps_of_the_default_network_and_what_pooling_does(default, digits):
    maps = explain.feature_maps(default, digits[3])
    assert {name: m.shape for name, m in maps.items()} == {
        "conv1": (28, 28, 16),
        "pool1": (14, 14, 16),
        "conv2": (14, 14, 32),
        "pool2": (7, 7, 32),
        "conv3": (7, 7, 64),
        "pool3": (3, 3, 64),
    }
    assert all(m.dtype == np.float32 and (m >= 0).all() for m in maps.values())  # ReLU, max
    conv1, pool1 = maps["conv1"], maps["pool1"]
    expected = conv1.reshape(14, 2, 14, 2, 16).max(axis=(1, 3))  # 2x2 max pooling by hand
    np.testing.assert_allclose(pool1, expected, rtol=1e-5, atol=1e-6)
    assert conv1.max() > 0  # the drawing lights something up


def test_networks_without_convolutions_have_no_feature_maps(digits):
    for arch in ("mlp", "rnn"):
        assert explain.feature_maps(build(arch), digits[3]) == {}


def test_a_sequential_never_called_on_an_input_is_rebuilt(digits):
    layers = keras.layers
    network = keras.Sequential(
        [
            layers.Conv2D(4, 3, name="c"),
            layers.MaxPooling2D(name="p"),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    maps = explain.feature_maps(network, digits[1])
    assert {name: m.shape for name, m in maps.items()} == {"c": (26, 26, 4), "p": (13, 13, 4)}
    assert explain.grad_cam(network, digits[1]).shape == (28, 28)


def test_the_compiled_functions_are_built_once_per_network(default, digits):
    insight = explain.insight(default)
    assert explain.insight(default) is insight
    for d in range(4):
        explain.feature_maps(default, digits[d])
        explain.grad_cam(default, digits[d], class_index=d)
        explain.saliency(default, digits[d])
    assert insight._features.experimental_get_tracing_count() == 1
    assert insight._gradient_fn("conv3").experimental_get_tracing_count() == 1
    assert insight._saliency.experimental_get_tracing_count() == 1


def test_many_threads_get_the_same_answers(default, digits):
    expected = {d: explain.grad_cam(default, digits[d]) for d in (2, 5)}
    results, errors = [], []

    def work(d):
        try:
            results.append((d, explain.grad_cam(default, digits[d])))
            explain.feature_maps(default, digits[d])
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(d,)) for d in (2, 5, 2, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for d, heat in results:
        np.testing.assert_allclose(heat, expected[d], atol=1e-6)


# --- Grad-CAM, HiResCAM, saliency -----------------------------------------------------------------


def reference_grad_cam(network, image, class_index):
    """keras-io's grad_cam.py, written out independently: the last conv layer's maps weighted by
    the spatial mean of d logit / d maps, ReLU, normalised, at the layer's resolution."""
    inputs = x = keras.Input((28, 28, 1))
    for layer in network.layers[:-1]:
        x = layer(x)
        if layer.name == "conv3":
            conv = x
    model = keras.Model(inputs, [conv, x])
    last = network.layers[-1]
    with tf.GradientTape() as tape:
        maps, head = model(image.reshape(1, 28, 28, 1), training=False)
        logit = (tf.matmul(head, last.kernel) + last.bias)[0, class_index]
    grads = tape.gradient(logit, maps)
    pooled = tf.reduce_mean(grads, axis=(0, 1, 2))
    heat = tf.nn.relu(maps[0] @ pooled[..., tf.newaxis])[..., 0].numpy()
    return heat / heat.max()


def test_grad_cam_matches_the_keras_io_recipe(default, digits):
    for d in (3, 8):
        heat = explain.grad_cam(default, digits[d])
        assert heat.shape == (28, 28) and heat.dtype == np.float32
        assert heat.min() >= 0 and heat.max() == pytest.approx(1.0)
        coarse = reference_grad_cam(default, digits[d], d)  # (7, 7)
        start, step = explain.receptive_grid(default, "conv3")
        expected = explain.normalise(explain.upsample(coarse, start, step))
        np.testing.assert_allclose(heat, expected, atol=1e-4)


def test_grad_cam_heat_lies_on_a_drawn_three(default, digits):
    # Classic Grad-CAM averages gradients over the whole 7x7 map, so for some digits (the hole of
    # a 0 or a 9) the evidence it shows is empty paper; on this 3 it is the strokes. How much more
    # heat lies near them depends on the weights: 2.0-6.6x for earlier defaults, 1.3x for the
    # one on seven templates a digit, whose heat on some other 3s lies mostly off the ink (the
    # README's deletion test: Grad-CAM is barely better than a random order). The firm bound
    # is HiResCAM's below.
    image = digits[3]
    ink = image > 0.3
    heat = explain.grad_cam(default, image)
    assert heat[ink].mean() > heat[~ink].mean()
    assert heat[near(ink, 2)].mean() > heat[~near(ink, 2)].mean()


def test_hirescam_heat_lies_on_the_ink_for_every_digit(default, digits):
    for d, image in digits.items():
        ink = image > 0.3
        heat = explain.grad_cam(default, image, method="hirescam")
        assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() <= 1
        assert heat[ink].mean() > heat[~ink].mean(), d
        around = near(ink, 2)
        assert heat[around].mean() > 1.5 * heat[~around].mean(), d


def test_the_class_to_explain_defaults_to_the_prediction_and_changes_the_map(default, digits):
    image = digits[7]
    predicted = int(np.argmax(default(image.reshape(1, 28, 28, 1), training=False)))
    assert predicted == 7
    np.testing.assert_array_equal(
        explain.grad_cam(default, image), explain.grad_cam(default, image, 7)
    )
    other = explain.grad_cam(default, image, 1, method="hirescam")
    assert not np.allclose(other, explain.grad_cam(default, image, 7, method="hirescam"))
    np.testing.assert_array_equal(
        explain.saliency(default, image), explain.saliency(default, image, 7)
    )


def test_grad_cam_on_any_conv_layer(seed, digits):
    for layer in ("conv1", "conv2"):
        heat = explain.grad_cam(seed, digits[2], layer_name=layer)
        assert heat.shape == (28, 28) and np.isfinite(heat).all()
    with pytest.raises(ValueError, match="method"):
        explain.grad_cam(seed, digits[2], method="magic")


def test_a_network_with_zero_gradients_gives_zero_maps_not_nan(digits):
    network = build("seed_cnn")
    network.set_weights([np.zeros_like(w) for w in network.get_weights()])
    for method in ("gradcam", "hirescam"):
        heat = explain.grad_cam(network, digits[4], method=method)
        assert np.isfinite(heat).all() and (heat == 0).all()
    sal = explain.saliency(network, digits[4])
    assert np.isfinite(sal).all() and (sal == 0).all()
    assert (explain.normalise(np.full((3, 3), np.nan)) == 0).all()


def test_saliency_works_without_convolutions_and_grad_cam_says_why_not(digits):
    for arch in ("mlp", "rnn"):
        network = build(arch)
        sal = explain.saliency(network, digits[5])
        assert sal.shape == (28, 28) and np.isfinite(sal).all()
        assert sal.min() >= 0 and sal.max() == pytest.approx(1.0)
        with pytest.raises(ValueError, match="no conv layers"):
            explain.grad_cam(network, digits[5])


def test_saliency_of_the_default_network_is_strongest_near_the_ink(default, digits):
    image = digits[4]
    sal = explain.saliency(default, image)
    assert sal[near(image > 0.3, 2)].mean() > sal[~near(image > 0.3, 2)].mean()


def test_receptive_grid_and_upsampling_place_coarse_maps_on_the_input(default, seed):
    assert explain.receptive_grid(default, "conv1") == (0.0, 1.0)
    assert explain.receptive_grid(default, "pool1") == (0.5, 2.0)
    assert explain.receptive_grid(default, "conv3") == (1.5, 4.0)
    assert explain.receptive_grid(seed, "conv2") == (3.5, 2.0)  # two valid convs trim the edges
    with pytest.raises(ValueError):
        explain.receptive_grid(seed, "nope")
    np.testing.assert_allclose(explain.upsample(np.full((7, 7), 0.3), 1.5, 4.0), 0.3)
    peak = np.zeros((7, 7))
    peak[2, 5] = 1.0  # centred on input pixel (1.5 + 2*4, 1.5 + 5*4) = (9.5, 21.5)
    full = explain.upsample(peak, 1.5, 4.0)
    assert full.shape == (28, 28)
    top = np.argwhere(full == full.max())
    assert set(map(tuple, top)) == {(9, 21), (9, 22), (10, 21), (10, 22)}


# --- Figures -----------------------------------------------------------------------------------


def test_tile_lays_channels_out_in_a_grid():
    stack = np.arange(5 * 2 * 2, dtype=np.float32).reshape(5, 2, 2)
    out = figures.tile(stack, columns=3, gap=1)
    assert out.shape == (2 * 3 - 1, 3 * 3 - 1)
    np.testing.assert_array_equal(out[0:2, 3:5], stack[1])
    assert np.isnan(out[2]).all() and np.isnan(out[3:5, 6:8]).all()  # a gap, an empty cell
    assert figures.tile(stack, columns=2, gap=1, scale=3).shape == (3 * 7 - 1, 2 * 7 - 1)


def test_figures_build_with_the_expected_axes(default, digits):
    kernels = explain.layer_filters(default, "conv2")
    fig = figures.filters_figure(kernels, "conv2")
    assert len(fig.axes) == 2  # the mosaic and its one colour bar
    limits = fig.axes[0].images[0].get_clim()
    assert limits[0] == pytest.approx(-limits[1])  # centred at zero
    assert limits[1] == pytest.approx(np.abs(kernels).max())

    maps = explain.feature_maps(default, digits[6])
    fig = figures.feature_maps_figure(maps["conv3"], "conv3")
    assert len(fig.axes) == 1
    assert "first 32 of 64" in fig._suptitle.get_text()
    assert fig.get_figwidth() < 6  # a sensible size on the page

    heat = explain.grad_cam(default, digits[6])
    fig = figures.overlay_figure(digits[6], heat, "Grad-CAM")
    assert len(fig.axes) == 1 and len(fig.axes[0].images) == 2
    png = figures.to_png(fig)
    assert png.startswith(b"\x89PNG")
