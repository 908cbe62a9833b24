"""Run a `.tflite` network without TensorFlow: the app's per-stroke path.

The Draw page runs the network on every stroke, and a server that serves only that page should not
pay for TensorFlow, whose import is the slowest and largest part of the app's start. The LiteRT
interpreter (`ai-edge-litert`, TensorFlow Lite's runtime as its own package) imports in a fraction
of that time and runs the same float32 weights with the same arithmetic as Keras (answers equal
to rounding); the README gives the measured figures. Where its wheel does not exist, the
interpreter that ships inside TensorFlow (`tf.lite.Interpreter`) runs the same file.

`TFLitePredictor` has `probabilities` / `probabilities_batched` like
`model.serving.inference.Predictor`. It quantises an int8 model's input and dequantises its output
itself. An interpreter is not thread-safe and every Streamlit script run has a thread of its own, so
interpreters are lent from a pool: one per call running at that moment, reused afterwards.
"""

from __future__ import annotations

import queue
import warnings

import numpy as np


def interpreter_api():
    """(`Interpreter`, `OpResolverType`) of LiteRT, or of TensorFlow where LiteRT is missing."""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
    except ImportError:
        from model.serving.tf_runtime import tf

        return tf.lite.Interpreter, tf.lite.experimental.OpResolverType
    return Interpreter, OpResolverType


class TFLitePredictor:
    """A `.tflite` model (float or int8) behind the interface of `inference.Predictor`.

    The interpreter runs with TFLite's default XNNPACK delegate (fast float and int8 kernels) where
    the delegate accepts the model, else with the built-in kernels alone (XNNPACK declines, for
    one, the int8 unrolled LSTM). `delegate` says which.
    """

    def __init__(self, model_bytes: bytes, name: str = "tflite", num_threads: int | None = None):
        self.model_bytes = bytes(model_bytes)
        self.name = name
        self.num_threads = num_threads
        self._pool: queue.SimpleQueue = queue.SimpleQueue()
        self.delegate = "xnnpack"
        try:
            self._probe()
        except RuntimeError:  # "failed to create XNNPACK runtime": use the built-in kernels
            self.delegate = "none"
            self._pool = queue.SimpleQueue()
            self._probe()

    def _probe(self) -> None:
        """Run a batch of two and one of one, so a kernel that cannot run fails here, not later."""
        for n in (2, 1):
            self.probabilities(np.zeros((n, 28, 28), np.float32))

    @property
    def size(self) -> int:
        return len(self.model_bytes)

    @property
    def quantized(self) -> bool:
        return self.input_dtype != np.float32

    def interpreter(self):
        """A new interpreter for this model, its tensors allocated (to inspect them, say)."""
        return self._new_interpreter()[0]

    def _new_interpreter(self) -> list:
        """[interpreter, its batch size]: what the pool lends."""
        interpreter_type, resolver = interpreter_api()
        with warnings.catch_warnings():  # "tf.lite.Interpreter is deprecated": it still ships
            warnings.simplefilter("ignore", UserWarning)
            interpreter = interpreter_type(
                model_content=self.model_bytes,
                num_threads=self.num_threads,
                experimental_op_resolver_type=resolver.AUTO
                if self.delegate == "xnnpack"
                else resolver.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
            )
        interpreter.allocate_tensors()
        self.input_detail = interpreter.get_input_details()[0]
        self.output_detail = interpreter.get_output_details()[0]
        self.input_dtype = np.dtype(self.input_detail["dtype"])
        return [interpreter, int(self.input_detail["shape"][0])]

    @staticmethod
    def _scale_zero(detail: dict) -> tuple[float, int]:
        scale, zero = detail["quantization"]
        return float(scale), int(zero)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 in [0, 1] → (N, 10) probabilities (float32)."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28, 1)
        if len(batch) == 0:
            return np.zeros((0, 10), np.float32)
        try:
            lent = self._pool.get_nowait()
        except queue.Empty:
            lent = self._new_interpreter()
        try:
            return self._run(lent, batch)
        finally:
            self._pool.put(lent)

    def _run(self, lent: list, batch: np.ndarray) -> np.ndarray:
        interpreter, size = lent
        index_in, index_out = self.input_detail["index"], self.output_detail["index"]
        if size != len(batch):
            interpreter.resize_tensor_input(index_in, [len(batch), 28, 28, 1], strict=True)
            interpreter.allocate_tensors()
            lent[1] = len(batch)
        if self.quantized:
            scale, zero = self._scale_zero(self.input_detail)
            info = np.iinfo(self.input_dtype)
            batch = np.clip(np.round(batch / scale) + zero, info.min, info.max)
            batch = batch.astype(self.input_dtype)
        interpreter.set_tensor(index_in, batch)
        interpreter.invoke()
        out = interpreter.get_tensor(index_out)
        if np.dtype(out.dtype) != np.float32:
            scale, zero = self._scale_zero(self.output_detail)
            out = (out.astype(np.float32) - zero) * scale
        return np.array(out, dtype=np.float32).reshape(len(batch), 10)

    def probabilities_batched(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The same for large arrays, in fixed-size batches to bound memory."""
        parts = [
            self.probabilities(images[i : i + batch_size])
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)
