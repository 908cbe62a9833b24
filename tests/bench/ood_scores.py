"""Study: would another "not a digit" score reject more of the kinds no network trained on?

    .venv/bin/python tests/bench/ood_scores.py              # the active version; about 4 minutes
    .venv/bin/python tests/bench/ood_scores.py --model NAME [--store DIR]

Not a test: it prints figures, the last line one JSON object with them all.

The shipped reject is the calibrated softmax: the highest of the ten probabilities, averaged over
five nudged copies (`model.calibration`). Scores from the literature look at the features instead:
a drawing far from every digit's features is no digit (Lee et al., 2018, "A simple unified
framework for detecting out-of-distribution samples"). Here, for every conv stage (its feature
maps pooled to a mean and a max per channel) and for the last hidden layer:

    Mahalanobis   the distance to the nearest digit's mean, with one covariance shared by the
                  ten digits, fitted on 20,000 MNIST training digits and 6,000 training drawings

and on the nudged copies:

    lowest copy   the lowest of the five copies' probabilities for the answer, instead of the mean
    ODIN          each copy first stepped by 0.002 per pixel towards a surer answer (the sign of
                  the gradient of its top log-probability at temperature 1000), then read at that
                  temperature and averaged: a digit gains more from the step than a non-digit
                  (Liang et al., 2018)

and a logistic combination of all of them with the softmax score, fitted on the validation digits
against 3,000 freshly drawn non-digits of the *training* kinds (never the held-out ones). Every
score gets its threshold the way the shipped one does: the highest that turns away at most 0.1%
of each validation set. Each row then says what that score does to the digits (read right,
counting a rejection as wrong; rejected) and which share of non-digits it turns away.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from model import data, nondigits, testsets  # noqa: E402
from model.calibration import (  # noqa: E402
    NUDGES,
    choose_threshold,
    fit_temperature,
    temperature_scale,
)
from model.explain import conv_layers, insight  # noqa: E402
from model.preprocess import shift_clipped  # noqa: E402
from model.serving.inference import Predictor  # noqa: E402
from model.serving.store import ModelStore  # noqa: E402
from model.train import canvas_digit_mix, nondigit_drawings, validation_digits  # noqa: E402

FIT_MNIST, FIT_DRAWINGS = 20_000, 6_000
FRESH_NONDIGITS, FRESH_SEED = 3_000, 777_001  # a seed no training or test set uses
CHUNK = 2_000
ODIN_TEMPERATURE, ODIN_STEP = 1000.0, 0.002


def hidden_layers(network) -> list[str]:
    """The conv stages and the last hidden Dense layer: where the features are read."""
    dense = [layer.name for layer in network.layers[:-1] if type(layer).__name__ == "Dense"]
    return conv_layers(network) + dense[-1:]


def read(network, layers: list[str], inputs: np.ndarray):
    """Per nudged copy the probabilities (copies, N, 10), and each layer's features of the drawing
    as it is (a conv stage's maps pooled to mean and max per channel)."""
    model = insight(network).layer_model([*layers, network.layers[-1].name])
    images = np.asarray(inputs, np.float32).reshape(-1, 28, 28)
    probabilities = np.zeros((len(NUDGES), len(images), 10))
    features = [[] for _ in layers]
    for copy, (dy, dx) in enumerate(NUDGES):
        for start in range(0, len(images), CHUNK):
            part = shift_clipped(images[start : start + CHUNK], dy, dx)[..., None]
            *maps, out = (np.asarray(o, np.float64) for o in model(part, training=False))
            probabilities[copy, start : start + len(part)] = out
            if copy:
                continue
            for found, m in zip(features, maps, strict=True):
                found.append(
                    np.concatenate([m.mean((1, 2)), m.max((1, 2))], 1) if m.ndim == 4 else m
                )
    return probabilities, [np.concatenate(f) for f in features]


def odin(network, inputs: np.ndarray) -> np.ndarray:
    """(N,) the ODIN score: the mean over the nudged copies of the top probability at
    ODIN_TEMPERATURE, each copy first stepped towards a surer answer."""
    import tensorflow as tf

    images = np.asarray(inputs, np.float32).reshape(-1, 28, 28)

    def top(x):
        scaled = tf.math.log(network(x, training=False) + 1e-12) / ODIN_TEMPERATURE
        return tf.reduce_max(tf.nn.softmax(scaled), axis=1)

    total = np.zeros(len(images))
    for dy, dx in NUDGES:
        for start in range(0, len(images), CHUNK):
            x = tf.constant(shift_clipped(images[start : start + CHUNK], dy, dx)[..., None])
            with tf.GradientTape() as tape:
                tape.watch(x)
                surest = tf.math.log(top(x))
            stepped = tf.clip_by_value(x + ODIN_STEP * tf.sign(tape.gradient(surest, x)), 0, 1)
            total[start : start + len(x)] += top(stepped).numpy()
    return total / len(NUDGES)


def fit_gaussians(features: list[np.ndarray], labels: np.ndarray):
    """Per layer: the ten digits' means and the inverse of their shared covariance."""
    fitted = []
    for f in features:
        means = np.stack([f[labels == digit].mean(0) for digit in range(10)])
        centred = f - means[labels]
        covariance = centred.T @ centred / len(f)
        ridge = 1e-3 * np.trace(covariance) / len(covariance)  # some pooled maxima barely vary
        fitted.append((means, np.linalg.inv(covariance + ridge * np.eye(len(covariance)))))
    return fitted


def mahalanobis(features: list[np.ndarray], gaussians) -> np.ndarray:
    """(N, layers): each drawing's squared distance to the nearest digit's mean, per layer."""
    columns = []
    for f, (means, precision) in zip(features, gaussians, strict=True):
        d = f[:, None, :] - means[None]
        columns.append(np.einsum("ncd,de,nce->nc", d, precision, d).min(1))
    return np.stack(columns, 1)


def scores(
    probabilities, features, gaussians, temperature, layers, odin_score
) -> dict[str, np.ndarray]:
    """Every candidate score of a set of drawings: higher means more like a digit."""
    mean = temperature_scale(probabilities.mean(0), temperature)
    answer = mean.argmax(1)
    copies = np.stack([temperature_scale(p, temperature) for p in probabilities])
    lowest = copies[:, np.arange(len(answer)), answer].min(0)
    distances = mahalanobis(features, gaussians)
    found = {"softmax (shipped)": mean.max(1), "lowest copy": lowest, "ODIN": odin_score}
    found |= {f"Mahalanobis {name}": -distances[:, i] for i, name in enumerate(layers)}
    found["_columns"] = np.column_stack(
        [np.log(mean.max(1) + 1e-9), np.log(lowest + 1e-9), -np.log(distances + 1e-9)]
    )
    return found


def fit_logistic(digits: np.ndarray, others: np.ndarray, steps: int = 3000):
    """Weights (on standardised columns) separating digits (1) from non-digits (0)."""
    x = np.concatenate([digits, others])
    y = np.concatenate([np.ones(len(digits)), np.zeros(len(others))])
    centre, scale = x.mean(0), x.std(0) + 1e-9
    x = (x - centre) / scale
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        gap = 1 / (1 + np.exp(-(x @ w + b))) - y
        w -= 0.1 * (x.T @ gap / len(y) + 1e-3 * w)
        b -= 0.1 * gap.mean()
    return lambda columns: ((columns - centre) / scale) @ w + b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="a version name (default: the active one)")
    parser.add_argument("--store", type=Path, help="the version store (default: the app's)")
    args = parser.parse_args()
    store = ModelStore(args.store)
    version = store.get(args.model) if args.model else store.get(store.active_pointer()[0])
    network = Predictor.from_version(version).network
    layers = hidden_layers(network)

    mnist = data.load_mnist()
    picked = np.random.default_rng(0).choice(len(mnist.x_train) - 5_000, FIT_MNIST, replace=False)
    drawn_x, drawn_y = canvas_digit_mix(FIT_DRAWINGS, stroke_ends=True)
    fit_x = np.concatenate([mnist.x_train[picked], drawn_x]) / 255.0
    fit_y = np.concatenate([mnist.y_train[picked], drawn_y])
    _, fit_features = read(network, layers, fit_x)
    gaussians = fit_gaussians(fit_features, fit_y)

    validation = validation_digits(mnist)
    read_validation = [read(network, layers, x) for x, _ in validation]
    temperature = fit_temperature(
        np.concatenate([p.mean(0) for p, _ in read_validation]),
        np.concatenate([y for _, y in validation]).astype(np.int64),
    )
    fresh = nondigit_drawings(FRESH_NONDIGITS, seed=FRESH_SEED)[0] / 255.0

    def scored(inputs, read_already=None):
        p, f = read_already or read(network, layers, inputs)
        return scores(p, f, gaussians, temperature, layers, odin(network, inputs)), p

    validation_scores = [
        scored(x, read_already=r)[0] for (x, _), r in zip(validation, read_validation, strict=True)
    ]
    combine = fit_logistic(
        np.concatenate([s["_columns"] for s in validation_scores]), scored(fresh)[0]["_columns"]
    )
    digit_sets = {k: testsets.BY_NAME[k]() for k in ("mnist", "messy", "handwriting")}
    drawn = testsets.nondigits_test()
    unseen = np.isin(drawn.styles, nondigits.HELDOUT_KINDS)
    tested = {name: scored(s.inputs) for name, s in digit_sets.items()}
    nondigit_scores, _ = scored(drawn.inputs)
    for found in [*validation_scores, *(s for s, _ in tested.values()), nondigit_scores]:
        found["combination"] = combine(found.pop("_columns"))

    rows = {}
    print(f"{'score':<24}" + "".join(f"{k:>22}" for k in digit_sets) + "  unseen kinds  trained")
    for score in validation_scores[0]:
        # As `calibration.calibrate` does: at most the budget of every validation set below it.
        limit = min(choose_threshold(s[score]) for s in validation_scores)
        row = {}
        for name, (found, probabilities) in tested.items():
            rejected = found[score] < limit
            right = ~rejected & (probabilities.mean(0).argmax(1) == digit_sets[name].labels)
            row[name] = {"right": float(right.mean()), "rejected": float(rejected.mean())}
        rejected = nondigit_scores[score] < limit
        row["unseen kinds"], row["trained kinds"] = (
            rejected[unseen].mean(),
            rejected[~unseen].mean(),
        )
        rows[score] = row
        cells = "".join(f"{row[k]['right']:>13.2%} ({row[k]['rejected']:.2%})" for k in digit_sets)
        print(f"{score:<24}{cells}{row['unseen kinds']:>14.1%}{row['trained kinds']:>9.1%}")
    print(json.dumps({"model": version.name, "layers": layers, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
