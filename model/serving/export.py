"""Export a trained network to TensorFlow Lite, float or fully 8-bit, and run it.

A `.keras` file needs TensorFlow and Keras to run; a `.tflite` file needs only the small TFLite
interpreter, on a phone, a microcontroller or a server. Two flavours:

- **float**: the same float32 weights and arithmetic as Keras, in a flat file; the answers match
  Keras to rounding.
- **int8** (full-integer quantisation): every weight and every activation an 8-bit integer, the
  input and output too. A float x is stored as q = round(x / scale) + zero_point, with one scale and
  zero point per tensor (per output channel for convolution weights). The weights'
  ranges are known; the activations' ranges are *calibrated*: the converter runs a few hundred real
  MNIST training digits (the `representative` data set) through the float network and records the
  range every tensor takes. The file is about a quarter of the float one (8 bits a weight instead
  of 32), and integer arithmetic runs on hardware without a floating-point unit.

How: the network's forward pass is traced as a `tf.function` and its variables are *frozen* into
constants before the converter sees it. (Converting a concrete function that still reads the Keras
variables fails at int8 calibration with a READ_VARIABLE error; a SavedModel export freezes them
too, and is the fallback, but takes several times longer.) Recurrent layers are unrolled first.

`model.serving.lite_runtime.TFLitePredictor` runs a `.tflite` file (with LiteRT, no TensorFlow
needed) and has `probabilities` / `probabilities_batched` like `model.serving.inference.Predictor`,
so `model.evaluate.evaluate_inputs` scores it the same way.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from model.atomic import atomic_write
from model.serving.lite_runtime import TFLitePredictor
from model.serving.tf_runtime import keras, tf

REPRESENTATIVE_SIZE = 300  # MNIST training digits the int8 converter calibrates activations on
REPRESENTATIVE_SEED = 0

# One conversion at a time per process: the converter is CPU-bound anyway, and the stderr
# redirection below must not interleave between threads (it would leave stderr pointing nowhere).
_CONVERSION = threading.Lock()


def representative_digits(count: int = REPRESENTATIVE_SIZE, seed: int = REPRESENTATIVE_SEED):
    """`count` MNIST training digits, seeded, as (count, 28, 28, 1) float32 in [0, 1]."""
    from model import data

    mnist = data.load_mnist()
    pick = np.random.default_rng(seed).choice(len(mnist.x_train), size=count, replace=False)
    return (mnist.x_train[np.sort(pick)].astype(np.float32) / 255.0)[..., None]


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """The converter's native code prints pages of MLIR notices straight to file descriptor 2.

    Errors still arrive as Python exceptions (with the converter's message), so nothing is lost.
    """
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def to_tflite(
    network,
    int8: bool = False,
    representative: np.ndarray | Iterable[np.ndarray] | None = None,
    quiet: bool = True,
) -> bytes:
    """A Keras network as a TFLite flat buffer: float32, or full-integer int8 when `int8`.

    `representative`: the calibration inputs for int8, (N, 28, 28[, 1]) floats in [0, 1]; default
    300 seeded MNIST training digits. Full-integer means int8 weights, activations, input and
    output: conversion fails rather than leave an op in float.
    """
    with _CONVERSION, contextlib.ExitStack() as stack:
        if quiet:
            stack.enter_context(_quiet_stderr())
        converter = _converter(unrolled(network), stack)
        if int8:
            samples = representative_digits() if representative is None else representative
            samples = [np.asarray(s, np.float32).reshape(1, 28, 28, 1) for s in samples]

            def calibration():
                for sample in samples:
                    yield [sample]

            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = calibration
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        return converter.convert()


def unrolled(network):
    """The network with its recurrent layers unrolled (same weights, same answers), else itself.

    An LSTM runs as a TensorFlow while loop over TensorLists, which the TFLite converter cannot
    lower for a batch of unknown size; unrolled over its 28 fixed time steps it becomes plain
    matrix products, sigmoids and tanhs, which convert to float and to int8 alike.
    """
    if not any(isinstance(layer, keras.layers.RNN) for layer in network.layers):
        return network

    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.RNN):
            config["unroll"] = True
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(network, clone_function=clone)
    copy.set_weights(network.get_weights())
    return copy


def _converter(network, stack: contextlib.ExitStack) -> tf.lite.TFLiteConverter:
    """A converter for the network's inference pass, with its variables frozen into constants.

    The forward pass is traced once for any batch size and its variables are folded into the graph
    by TensorFlow's `convert_variables_to_constants_v2` (what a SavedModel export does on the way
    to disk). Should that internal function ever move, the network is exported as
    a SavedModel (in a temporary directory, removed by `stack`) and converted from there: the
    public route, several times slower.
    """
    spec = tf.TensorSpec([None, 28, 28, 1], tf.float32)
    try:
        from tensorflow.python.framework.convert_to_constants import (
            convert_variables_to_constants_v2,
        )
    except ImportError:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="digit-studio-"))
        saved = str(Path(directory) / "saved_model")
        network.export(saved, format="tf_saved_model", verbose=False, input_signature=[spec])
        return tf.lite.TFLiteConverter.from_saved_model(saved)
    forward = tf.function(lambda x: network(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(forward)
    return tf.lite.TFLiteConverter.from_concrete_functions([frozen], network)


def tflite_file_name(version: str, int8: bool) -> str:
    return f"{version}-{'int8' if int8 else 'float'}.tflite"


def tflite_bytes(version, network, int8: bool) -> bytes:
    """`version` as a TFLite model: its lite file when it has one (the float TFLite file the
    app serves, so nothing is converted), else converted now from its Keras `network`."""
    if not int8 and version.lite_file.is_file():
        return version.lite_file.read_bytes()
    return to_tflite(network, int8=int8)


def export_version(
    version,
    int8: bool,
    out: Path | None = None,
    log: Callable[[str], None] = print,
    network=None,
) -> dict:
    """Convert a stored version, write the file, and score it on MNIST test beside Keras.

    `network`: the version's network if already loaded. For int8 the float conversion is made too
    (in memory), so the size ratio and the accuracy difference can be reported. Returns the figures.
    """
    from model.evaluate import evaluate_inputs
    from model.serving.inference import Predictor, load_network
    from model.testsets import mnist_test

    network = network if network is not None else load_network(version.model_file)
    kind = "int8" if int8 else "float"
    out = Path(out) if out else Path(tflite_file_name(version.name, int8))
    model_bytes = tflite_bytes(version, network, int8)
    with atomic_write(out) as file:
        file.write(model_bytes)
    testset = mnist_test()

    def accuracy(predictor) -> float:
        return evaluate_inputs(predictor, testset.inputs, testset.labels).accuracy

    keras_bytes = version.model_file.stat().st_size
    figures = {
        "model": version.name,
        "file": str(out),
        "format": f"tflite-{kind}",
        "bytes": len(model_bytes),
        "test_accuracy": accuracy(TFLitePredictor(model_bytes)),
        "keras_bytes": keras_bytes,
        "keras_test_accuracy": accuracy(Predictor(network)),
    }
    log(f"wrote {out}: TFLite {kind}, {len(model_bytes) / 1024:.1f} KiB")
    log(
        f"MNIST test accuracy: TFLite {kind} {figures['test_accuracy']:.4f}, Keras "
        f"{figures['keras_test_accuracy']:.4f} ({version.name}.keras, {keras_bytes / 1024:.0f} KiB)"
    )
    if int8:
        float_bytes = tflite_bytes(version, network, int8=False)
        figures.update(
            float_bytes=len(float_bytes),
            float_test_accuracy=accuracy(TFLitePredictor(float_bytes)),
        )
        figures["size_ratio"] = len(model_bytes) / len(float_bytes)
        figures["drop_points"] = 100 * (figures["float_test_accuracy"] - figures["test_accuracy"])
        log(
            f"float TFLite for comparison: {len(float_bytes) / 1024:.1f} KiB, accuracy "
            f"{figures['float_test_accuracy']:.4f}; int8 is {figures['size_ratio']:.2f}x its size "
            f"and {figures['drop_points']:.2f} points below it"
        )
    return figures
