"""Side-by-side figures for trained versions and their TFLite exports, measured on this machine.

For each model the Compare page shows one row:

- accuracy on MNIST test (10,000 digits) and on the bundled canvas-like drawings (3,000), their
  expected calibration error, and the share of drawn non-digits answered "not a digit", scored
  now through `model.evaluate.score`, the same path the Evaluation figures take;
- parameters (counted on the loaded network) and the size of the file on disk;
- training seconds per epoch, from the version's metadata (measured when it was trained);
- single-drawing latency: the median time of one preprocessed 28x28 drawing through the network's
  compiled forward pass (Keras: the `tf.function` the app serves with; TFLite: the interpreter),
  over `LATENCY_CALLS` calls after a few warm-up calls. Preprocessing, the same for every network,
  is left out, so the figure compares the networks themselves.

Nothing here is typed in: every figure is computed from the model files. Only numpy, TensorFlow and
the project's own modules are used, so the figures can be printed from a script as well.
"""

from __future__ import annotations

import time

import numpy as np

from model.calibration import answers
from model.drawings import sample_drawing
from model.evaluate import score
from model.preprocess import preprocess_canvas
from model.serving.export import TFLitePredictor
from model.serving.inference import Predictor
from model.serving.store import Version

LATENCY_CALLS = 50
WARMUP_CALLS = 5


def drawing_input(pixels) -> np.ndarray | None:
    """Canvas pixels → the (28, 28) float network input, or None when nothing is drawn."""
    preprocessed = preprocess_canvas(pixels)
    return None if preprocessed is None else preprocessed.image


def latency_ms(predictor, image: np.ndarray, calls: int = LATENCY_CALLS) -> float:
    """Median milliseconds of `predictor.probabilities` on one (28, 28) image."""
    batch = np.asarray(image, dtype=np.float32).reshape(1, 28, 28)
    for _ in range(WARMUP_CALLS):
        predictor.probabilities(batch)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        predictor.probabilities(batch)
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1000)


def _latency_image() -> np.ndarray:
    image = drawing_input(sample_drawing())
    assert image is not None  # the sample always has ink
    return image


def measure(version: Version, predictor: Predictor | None = None) -> dict:
    """The figures of one stored version, run through Keras (loaded now unless `predictor`).

    A predictor that serves from the version's lite file lends its Keras network.
    """
    predictor = predictor or Predictor.from_version(version, lite=False)
    if predictor.backend != "keras":
        predictor = Predictor(predictor.network, version)
    return {
        "model": version.name,
        "format": "Keras",
        "arch": version.meta.get("arch", "?"),
        **score(predictor),
        "params": int(predictor.network.count_params()),
        "file_bytes": version.model_file.stat().st_size,
        "seconds_per_epoch": version.meta.get("seconds_per_epoch"),
        "train_size": version.meta.get("train_size"),  # what an epoch's seconds were spent on
        "latency_ms": latency_ms(predictor, _latency_image()),
    }


def measure_tflite(version: Version, predictor: TFLitePredictor, int8: bool) -> dict:
    """The figures of a TFLite export of `version` (the `.tflite` bytes are in `predictor`)."""
    return {
        "model": version.name,
        "format": "TFLite int8" if int8 else "TFLite float",
        "arch": version.meta.get("arch", "?"),
        **score(predictor),
        "params": version.meta.get("params"),
        "file_bytes": predictor.size,
        "seconds_per_epoch": None,  # not trained: converted from the Keras version
        "train_size": None,
        "latency_ms": latency_ms(predictor, _latency_image()),
    }


def readings(predictors: dict, image: np.ndarray) -> list[dict]:
    """How each network reads one (28, 28) input, as the app answers: the ten calibrated
    probabilities, the most probable digit, and whether the answer is "not a digit"."""
    found = []
    for name, predictor in predictors.items():
        probabilities, rejected = answers(predictor, image[None])
        digit = int(np.argmax(probabilities[0]))
        found.append(
            {
                "model": name,
                "probabilities": probabilities[0],
                "digit": digit,
                "confidence": float(probabilities[0, digit]),
                "rejected": bool(rejected[0]),
            }
        )
    return found
