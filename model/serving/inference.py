"""Inference: canvas pixels → 10 probabilities, fast enough to run on every stroke.

`model.predict` sets up a data pipeline on every call, too slow for every stroke. A `Predictor`
runs one of two compiled forward passes instead, with the same answers (to float rounding):

- a stored version's `model.tflite` (written beside its `model.keras` when the version is made),
  run by LiteRT (`model.serving.lite_runtime`): the fastest path, and no TensorFlow in the process
  at all, so the app starts sooner. The app serves versions this way.
- the Keras network as a `tf.function` with a fixed input signature, traced once at load time,
  then fast per call: for a network in memory (just trained, in tests) and for versions without
  a `.tflite`.

Both are safe to call from many threads at once (the app serves many sessions from one process).
The Keras network itself, for the filters, feature maps and Grad-CAM, is loaded on first use.
"""

from __future__ import annotations

import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.calibration import Calibration, answers
from model.preprocess import Preprocessed, preprocess_canvas
from model.serving.lite_runtime import TFLitePredictor
from model.serving.store import ModelStore, StoreError, Version

# A rejected drawing "leans" towards a digit only if that digit leads the next by this much: a
# capital A given about 10% each has no leaning worth naming, though one bar is the tallest.
LEAN_MARGIN = 0.05
# An accepted answer whose calibrated confidence is below this is said to be unsure: calibrated,
# "60%" is right about six times in ten.
UNSURE_BELOW = 0.6


class ModelFileError(StoreError):
    """A model file that cannot be loaded (corrupt, truncated, not a Keras file)."""


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # (10,) float32, calibrated, sums to 1
    preprocessed: Preprocessed
    rejected: bool = False  # "not a digit": the top probability is below the threshold
    threshold: float = 0.0  # the version's reject threshold, to say why

    @property
    def digit(self) -> int:
        """The digit it reads; when rejected, the most probable one (see `leaning`)."""
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(self.probabilities.max())

    @property
    def leaning(self) -> int | None:
        """The digit it leans towards most, or None when none stands out from the next."""
        (first, p1), (_, p2) = self.top(2)
        return first if p1 - p2 >= LEAN_MARGIN else None

    @property
    def unsure(self) -> bool:
        """A digit is the answer, but one that is wrong often enough to say so."""
        return not self.rejected and self.confidence < UNSURE_BELOW

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        order = np.argsort(self.probabilities)[::-1][:k]
        return [(int(d), float(self.probabilities[d])) for d in order]


def load_network(path: Path):
    """The Keras network in a `.keras` file (imports TensorFlow)."""
    from model.serving.tf_runtime import keras

    try:
        return keras.models.load_model(path, compile=False)
    except Exception as err:  # Keras raises many kinds for a damaged file
        raise ModelFileError(f"cannot load {path}: {type(err).__name__}: {err}") from err


def check_model_file(path: Path) -> None:
    """Raise ModelFileError unless `path` is a whole `.keras` archive, without TensorFlow.

    A version served from its `.tflite` does not load its `.keras` until a page needs the layers;
    a truncated or overwritten one must still mark the version broken at once, so its archive is
    read through and every member's CRC checked (cheap next to loading the network).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            names = set(archive.namelist())
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise ModelFileError(f"cannot load {path}: not a whole .keras file ({err})") from err
    if damaged is not None:
        raise ModelFileError(f"cannot load {path}: {damaged} inside it is damaged")
    if not {"config.json", "model.weights.h5"} <= names:
        raise ModelFileError(f"cannot load {path}: no network config and weights inside")


def _compiled_forward(network):
    from model.serving.tf_runtime import tf

    return tf.function(
        lambda x: network(x, training=False),
        input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
        reduce_retracing=True,
    )


class Predictor:
    """One network's compiled, thread-safe forward pass: LiteRT or a `tf.function`.

    `Predictor(network)` compiles a Keras network in memory; `Predictor.from_version(version)`
    serves a stored version from its `.tflite` when it has one. `backend` says which.
    """

    def __init__(
        self,
        network=None,
        version: Version | None = None,
        lite=None,
        calibration: Calibration | None = None,
    ):
        if network is None and (lite is None or version is None):
            raise ValueError("a Predictor needs a Keras network, or a version and its TFLite")
        self.version = version
        # A stored version's temperature and threshold; a network in memory answers uncalibrated.
        if calibration is None:
            calibration = Calibration.of(version.meta) if version is not None else Calibration()
        self.calibration = calibration
        self.lite: TFLitePredictor | None = lite
        self.backend = "keras" if lite is None else "litert"
        self._network = network
        self._network_lock = threading.Lock()
        self._forward = _compiled_forward(network) if lite is None else None
        self.probabilities(np.zeros((1, 28, 28), np.float32))  # trace now, not on first stroke

    @classmethod
    def from_version(cls, version: Version, lite: bool = True) -> Predictor:
        if version.problem:
            raise ModelFileError(f"version {version.name} is broken: {version.problem}")
        if lite and version.lite_file.is_file():
            check_model_file(version.model_file)
            try:
                runtime = TFLitePredictor(version.lite_file.read_bytes(), name=version.name)
            except (OSError, RuntimeError, ValueError):
                pass  # a damaged .tflite: the .keras, checked above, serves instead
            else:
                return cls(version=version, lite=runtime)
        return cls(load_network(version.model_file), version)

    @property
    def network(self):
        """The Keras network (loaded from the version's `.keras` on first use)."""
        if self._network is None:
            with self._network_lock:
                if self._network is None:
                    self._network = load_network(self.version.model_file)
        return self._network

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 in [0, 1] → (N, 10) probabilities, as the network outputs them."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)
        if self.lite is not None:
            return self.lite.probabilities(batch)
        from model.serving.tf_runtime import tf

        return self._forward(tf.constant(batch)).numpy()

    def probabilities_batched(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The same for large arrays, in fixed-size batches to bound memory."""
        parts = [
            self.probabilities(images[i : i + batch_size])
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

    def answers(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 28, 28) inputs → calibrated probabilities (N, 10), and which are "not a digit"."""
        return answers(self, images)

    def classify(self, pixels) -> Prediction | None:
        """Canvas pixels or an image → a Prediction, or None when nothing is drawn."""
        preprocessed = preprocess_canvas(pixels)
        if preprocessed is None:
            return None
        probabilities, rejected = self.answers(preprocessed.image[None])
        threshold = self.calibration.threshold
        return Prediction(probabilities[0], preprocessed, bool(rejected[0]), threshold)


def load_active(store: ModelStore, name: str | None = None) -> tuple[Predictor, list[str]]:
    """The active (or named) version's predictor, falling back to the shipped default.

    Returns the predictor and the warnings to show (which version is broken and why).
    """
    warnings: list[str] = []
    candidates = [name or store.active_name()]
    if candidates[0] != "default":
        candidates.append("default")
    for name in candidates:
        try:
            return Predictor.from_version(store.get(name)), warnings
        except StoreError as err:
            warnings.append(f"version {name} cannot be used: {err}")
    raise StoreError("; ".join(warnings))
