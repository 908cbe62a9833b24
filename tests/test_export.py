"""TFLite export: float and int8 files that answer like the Keras model, small, and a CLI for it.

Round trips use the shipped default network on the full MNIST test set.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from model.__main__ import main
from model.evaluate import evaluate_inputs
from model.serving.export import (
    TFLitePredictor,
    representative_digits,
    tflite_bytes,
    tflite_file_name,
    to_tflite,
)
from model.serving.inference import Predictor, load_network
from model.serving.store import SHIPPED_DIR, ModelStore
from model.testsets import mnist_test

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def network():
    return load_network(SHIPPED_DIR / "default" / "model.keras")


@pytest.fixture(scope="module")
def keras_probabilities(network) -> np.ndarray:
    return Predictor(network).probabilities_batched(mnist_test().inputs)


@pytest.fixture(scope="module")
def float_model(network) -> bytes:
    return to_tflite(network)


@pytest.fixture(scope="module")
def int8_model(network) -> bytes:
    return to_tflite(network, int8=True)


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float((a.argmax(axis=1) == b.argmax(axis=1)).mean())


def test_float_tflite_answers_like_keras(float_model, keras_probabilities):
    probabilities = TFLitePredictor(float_model).probabilities_batched(mnist_test().inputs)
    assert probabilities.shape == (10000, 10) and probabilities.dtype == np.float32
    assert agreement(probabilities, keras_probabilities) >= 0.99
    assert np.abs(probabilities - keras_probabilities).max() < 1e-3  # float: rounding only


def test_int8_tflite_agrees_is_under_a_third_and_loses_under_0_3_points(
    float_model, int8_model, keras_probabilities
):
    testset = mnist_test()
    int8 = TFLitePredictor(int8_model)
    probabilities = int8.probabilities_batched(testset.inputs)
    assert agreement(probabilities, keras_probabilities) >= 0.99
    assert len(int8_model) <= len(float_model) / 3
    float_accuracy = evaluate_inputs(TFLitePredictor(float_model), testset.inputs, testset.labels)
    int8_accuracy = evaluate_inputs(int8, testset.inputs, testset.labels)
    assert float_accuracy.accuracy - int8_accuracy.accuracy <= 0.003
    assert int8_accuracy.accuracy > 0.99
    # Quantised probabilities still form a distribution (to the output's 1/256 steps).
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=0.05)


def test_int8_model_is_integer_throughout(int8_model):
    predictor = TFLitePredictor(int8_model)
    assert predictor.quantized
    interpreter = predictor.interpreter()
    assert interpreter.get_input_details()[0]["dtype"] == np.int8
    assert interpreter.get_output_details()[0]["dtype"] == np.int8
    dtypes = {np.dtype(t["dtype"]) for t in interpreter.get_tensor_details()}
    assert dtypes <= {np.dtype(np.int8), np.dtype(np.int32)}, dtypes  # int32: biases, shapes


def test_predictor_has_the_keras_predictors_interface(float_model, keras_probabilities):
    predictor = TFLitePredictor(float_model)
    inputs = mnist_test().inputs
    for n in (1, 7, 1, 0, 3):  # the batch size changes from call to call
        out = predictor.probabilities(inputs[:n])
        assert out.shape == (n, 10)
        np.testing.assert_allclose(out, keras_probabilities[:n], atol=1e-4)
    assert predictor.probabilities_batched(inputs[:0]).shape == (0, 10)
    assert predictor.probabilities_batched(inputs[:25], batch_size=10).shape == (25, 10)
    assert predictor.size == len(float_model)


def test_predictor_is_thread_safe(int8_model):
    predictor = TFLitePredictor(int8_model)
    inputs = mnist_test().inputs[:300]
    expected = predictor.probabilities_batched(inputs, batch_size=50)
    results, errors = {}, []

    def work(index: int) -> None:
        try:
            size = 1 + index * 13  # different batch sizes in every thread
            results[index] = predictor.probabilities_batched(inputs, batch_size=size)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result in results.values():
        np.testing.assert_array_equal(result, expected)


def test_representative_digits_are_seeded_mnist_training_digits():
    a, b = representative_digits(), representative_digits()
    assert a.shape == (300, 28, 28, 1) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0.0 and a.max() <= 1.0


@pytest.mark.slow
def test_the_lstm_exports_unrolled_to_float_and_int8():
    network = load_network(SHIPPED_DIR / "rnn" / "model.keras")
    inputs = mnist_test().inputs[:1000]
    expected = Predictor(network).probabilities(inputs)
    for int8 in (False, True):
        predictor = TFLitePredictor(to_tflite(network, int8=int8))
        assert agreement(predictor.probabilities_batched(inputs), expected) >= 0.98


def test_cli_export_int8_writes_the_file_and_reports(tmp_path):
    out = tmp_path / "exported" / "model.tflite"
    command = ["export", "--format", "tflite", "--int8", "--model", "default", "--out"]
    result = subprocess.run(
        [sys.executable, "-m", "model", *command, str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 10_000
    assert "MNIST test accuracy: TFLite int8 0.99" in result.stdout
    assert "float TFLite for comparison" in result.stdout
    assert TFLitePredictor(out.read_bytes()).quantized
    assert not list(out.parent.glob(".*"))  # no staging file left behind


def test_cli_export_float_default_file_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "tflite", "--model", "mlp"]) == 0
    written = tmp_path / tflite_file_name("mlp", int8=False)
    assert written.name == "mlp-float.tflite" and written.is_file()
    assert written.read_bytes() == (SHIPPED_DIR / "mlp" / "model.tflite").read_bytes()  # reused
    assert "TFLite float" in capsys.readouterr().out
    assert not TFLitePredictor(written.read_bytes()).quantized


def test_cli_export_of_an_unknown_version_fails_cleanly(tmp_path, capsys):
    assert main(["export", "--model", "no-such-version", "--out", str(tmp_path / "x")]) == 2
    assert "no version named" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_float_tflite_is_the_lite_file_or_converted_without_one(tmp_path, network):
    default = ModelStore().get("default")
    assert tflite_bytes(default, network, int8=False) == default.lite_file.read_bytes()

    def without_lite_file(directory: Path) -> None:
        for file in ("model.keras", "history.json", "meta.json"):
            (directory / file).write_bytes((SHIPPED_DIR / "default" / file).read_bytes())

    bare = ModelStore(tmp_path / "store").add("no-lite-file", without_lite_file)
    converted = tflite_bytes(bare, network, int8=False)
    assert not bare.lite_file.exists()
    digits = mnist_test().inputs[:500]
    stored = TFLitePredictor(default.lite_file.read_bytes()).probabilities(digits)
    assert agreement(TFLitePredictor(converted).probabilities(digits), stored) == 1.0
