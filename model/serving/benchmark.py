"""Speed figures on this machine: `python -m model benchmark`.

Prints the end-to-end latency of one drawing (canvas RGBA pixels → preprocessing → probabilities),
batch throughput on MNIST test, seconds per epoch of full-MNIST training, and the process's peak
memory. A benchmark, not a test: it measures and prints; it asserts nothing.
"""

from __future__ import annotations

import json
import resource
import time

import numpy as np

from model import data, drawings
from model.train import TrainConfig, as_input, fit, training_precision, training_split


def canvas_rgba(image: np.ndarray) -> np.ndarray:
    """A white-on-black drawing as the canvas returns it: RGBA with alpha 255."""
    return np.dstack([image, image, image, np.full_like(image, 255)])


def time_calls(function, inputs, repeat: int = 1) -> np.ndarray:
    """Milliseconds per call."""
    times = []
    for _ in range(repeat):
        for item in inputs:
            start = time.perf_counter()
            function(item)
            times.append((time.perf_counter() - start) * 1000)
    return np.array(times)


def run_benchmark(
    predictor, epochs: int = 1, arch: str = "studio_cnn", precision: str = "auto"
) -> dict:
    images, _ = drawings.make_canvas_digits(20, seed=1)
    canvases = [canvas_rgba(image) for image in images]
    predictor.classify(canvases[0])  # warm caches
    single = time_calls(predictor.classify, canvases, repeat=3)
    mnist = data.load_mnist()
    test_inputs = as_input(mnist.x_test)[..., 0]
    start = time.perf_counter()
    predictor.probabilities_batched(test_inputs, batch_size=1000)
    throughput = len(test_inputs) / (time.perf_counter() - start)
    results = {
        "single_drawing_ms_median": round(float(np.median(single)), 3),
        "single_drawing_ms_p95": round(float(np.percentile(single, 95)), 3),
        "batch_images_per_s": round(throughput),
    }
    print(
        f"single drawing end to end: median {results['single_drawing_ms_median']:.2f} ms, "
        f"p95 {results['single_drawing_ms_p95']:.2f} ms ({len(single)} calls)"
    )
    print(f"batch throughput: {throughput:,.0f} images/s (MNIST test, batches of 1000)")
    if epochs:
        from model import networks

        config = TrainConfig(
            arch=arch, epochs=epochs, batch_size=128, augment=True, precision=precision
        ).check()
        x, y, x_val, y_val = training_split(mnist, config)
        network = networks.BUILDERS[arch]()
        _, seconds = fit(network, x, y, x_val, y_val, config, lambda e: None, lambda: False)
        results["train_seconds_per_epoch"] = round(seconds / epochs, 2)
        results["train_precision"] = training_precision(config)
        print(
            f"training {arch}, augmented, batch 128, {results['train_precision']}, "
            f"{len(x)} digits: {seconds / epochs:.1f} s per epoch"
        )
    results["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(f"peak memory: {results['peak_memory_mb']} MB")
    print(json.dumps(results))
    return results
