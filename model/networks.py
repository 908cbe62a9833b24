"""The networks users can train, each built by name from a 28x28x1 input to 10 probabilities.

- `seed_cnn`: the classic Keras MNIST convnet this product starts from, exactly.
- `studio_cnn`: the default. Three narrower convolution stages instead of two wide ones (cheaper
  on a CPU, and the last one sees the whole digit), and dropout; trained with augmentation it reads
  drawn digits far better (figures in the README).
- `mlp`: the plain neural network y = f(Wx + b), stacked, on the 784 flattened pixels.
- `rnn`: a recurrent network (LSTM) that reads the 28 rows top to bottom as a sequence of 28
  vectors, h_t = f(W·[h_{t-1}, x_t] + b).

Every network ends in a softmax over the 10 digits and is compiled with adam and `digit_loss`:
cross-entropy on digits, and on drawings labelled "not a digit" (-1) a pull towards answering all
ten alike (see `model.calibration`). Training, inference and evaluation treat them all alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from model.serving.tf_runtime import keras

layers = keras.layers

INPUT_SHAPE = (28, 28, 1)


def probabilities() -> keras.layers.Layer:
    # Always float32, even in a mixed-bfloat16 trainee (`model.train.trainee_network`):
    # bfloat16's 8-bit mantissa would round the softmax, and with it the loss, near 0 and 1.
    return layers.Dense(10, activation="softmax", dtype="float32", name="probabilities")


def seed_cnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(32, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense"),
            probabilities(),
        ],
        name="seed_cnn",
    )


def studio_cnn() -> keras.Model:
    # Three small conv stages with "same" padding (the third sees the whole digit at 7x7) cost
    # less than the seed's two wide ones on this CPU; dropout keeps the dense head from memorising.
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv3"),
            layers.MaxPooling2D(2, name="pool3"),
            layers.Flatten(name="flatten"),
            layers.Dropout(0.3, name="dropout1"),
            layers.Dense(128, activation="relu", name="dense"),
            layers.Dropout(0.3, name="dropout2"),
            probabilities(),
        ],
        name="studio_cnn",
    )


def mlp() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation="relu", name="dense1"),
            layers.Dropout(0.2, name="dropout1"),
            layers.Dense(128, activation="relu", name="dense2"),
            layers.Dropout(0.2, name="dropout2"),
            probabilities(),
        ],
        name="mlp",
    )


def rnn() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Reshape((28, 28), name="rows"),  # 28 time steps of 28 pixels
            layers.LSTM(128, name="lstm"),
            probabilities(),
        ],
        name="rnn",
    )


BUILDERS: dict[str, Callable[[], keras.Model]] = {
    "studio_cnn": studio_cnn,
    "seed_cnn": seed_cnn,
    "mlp": mlp,
    "rnn": rnn,
}


OUTLIER_WEIGHT = 1.0  # the "not a digit" term weighs as much as a digit's cross-entropy


@keras.saving.register_keras_serializable(package="digit_studio")
def digit_loss(y_true, y_pred):
    """Cross-entropy for a digit label; for -1 ("not a digit"), KL(uniform ‖ p), which is zero
    when the network answers all ten digits alike and grows as it leans to any of them.
    """
    ops = keras.ops
    labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
    log_p = ops.log(ops.clip(ops.cast(y_pred, "float32"), 1e-7, 1.0))
    picked = ops.take_along_axis(log_p, ops.expand_dims(ops.maximum(labels, 0), -1), axis=-1)
    away_from_uniform = -ops.mean(log_p, axis=-1) - math.log(10.0)
    return ops.where(labels >= 0, -picked[:, 0], OUTLIER_WEIGHT * away_from_uniform)


@keras.saving.register_keras_serializable(package="digit_studio")
def accuracy(y_true, y_pred):
    """Right answers: the digit for a digit, no digit above 50% for a "not a digit" drawing."""
    ops = keras.ops
    labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
    digit_right = ops.cast(ops.argmax(y_pred, axis=-1), "int32") == labels
    undecided = ops.max(y_pred, axis=-1) < 0.5
    return ops.cast(ops.where(labels >= 0, digit_right, undecided), "float32")


DISTILL_WEIGHT = 0.5  # of the teachers' answers in a distilled loss; the labels weigh the rest


@keras.saving.register_keras_serializable(package="digit_studio")
def distilled_loss(y_true, y_pred):
    """For a row [label, q0..q9]: `digit_loss` on the label, mixed with the cross-entropy of the
    network's answer against the teachers' averaged answer q (Hinton, Vinyals & Dean, 2015).
    The teachers' answer says what the label cannot: which other digits a sloppy 7 looks like.
    """
    ops = keras.ops
    y_true = ops.cast(y_true, "float32")
    log_p = ops.log(ops.clip(ops.cast(y_pred, "float32"), 1e-7, 1.0))
    soft = -ops.sum(y_true[:, 1:] * log_p, axis=-1)
    hard = digit_loss(y_true[:, 0], y_pred)
    return (1.0 - DISTILL_WEIGHT) * hard + DISTILL_WEIGHT * soft


@keras.saving.register_keras_serializable(package="digit_studio")
def distilled_accuracy(y_true, y_pred):
    """`accuracy` on the label column of a distilled row."""
    return accuracy(y_true[:, 0], y_pred)


def compile_network(network: keras.Model, learning_rate=1e-3, distilled=False) -> keras.Model:
    """Adam on `digit_loss` (or `distilled_loss`); `learning_rate` may be a float or a schedule."""
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=distilled_loss if distilled else digit_loss,
        # Named "accuracy" either way: progress and history read that key.
        metrics=[
            keras.metrics.MeanMetricWrapper(distilled_accuracy, name="accuracy")
            if distilled
            else accuracy
        ],
    )
    return network


def build(arch: str, learning_rate=1e-3) -> keras.Model:
    """A freshly initialised, compiled network of the named architecture."""
    if arch not in BUILDERS:
        raise ValueError(f"unknown architecture {arch!r}; choose one of {', '.join(BUILDERS)}")
    return compile_network(BUILDERS[arch](), learning_rate)
