"""What the network has learned: a picture of each digit it knows, and what each filter wants.

**Class prototypes** by activation maximisation (Erhan et al. 2009; Olah et al. 2017, "Feature
visualization"): start from an image and climb the gradient of one digit's score (its logit)
with respect to the pixels until the network is sure. Unregularised, the climb finds
high-frequency noise that fires the network just as well; three regularisers keep it to
pictures a person would draw, and are what make the prototypes look like digits:

- *jitter*: each step scores the image shifted by up to 2 pixels at random, so a pattern must
  work wherever it sits, as strokes do;
- *blur*: every 10 steps the image is smoothed a little (Gaussian, sigma 0.7 px), which wipes
  out the pixel-level noise the gradient adds;
- *total variation*: a penalty on differences between neighbouring pixels, favouring flat
  areas with clean edges: strokes.

Pixels stay in [0, 1], like an input; every step moves an image by a fixed amount (its gradient
divided by its root mean square), since the logit's gradient varies a thousandfold from one
network to another. The climb starts from the mean training digit, a blurred blob the same for
every class. These networks are trained to answer scribbles with "not a digit", and a climb that
wanders there finds no gradient at all (every hidden unit silent); such a class is climbed again
from a fainter and from a bolder start and, as a last resort, from the mean training digit of
that class; the most confident result is kept.

**Top inputs of a filter**: for each conv layer and each of its filters, the MNIST test digits
whose strongest response (the maximum of the filter's feature map) is highest. A prototype shows
what the network wants; top inputs show which real digits give it most.

Both are computed once per version and stored (`model.version_cache`).
"""

from __future__ import annotations

import numpy as np

from model import data, explain, version_cache

STEPS = 200
STEP_SIZE = 0.02
JITTER = 2
BLUR_EVERY = 10
BLUR_SIGMA = 0.7
TOTAL_VARIATION = 0.05
STARTS = (1.0, 0.5, 1.5)  # the mean digit scaled: the first start, then the retries
SURE = 0.5  # a prototype the network gives less than this is climbed again
TOP_INPUTS = 9


def _blur_kernel(sigma: float, radius: int = 2) -> np.ndarray:
    line = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    line /= line.sum()
    return np.outer(line, line).astype(np.float32)[:, :, None, None]


def climb(network, starts: np.ndarray, classes: np.ndarray, steps: int = STEPS, seed: int = 0):
    """Activation maximisation of `classes[i]`'s logit from `starts[i]` (N, 28, 28) → the
    images (N, 28, 28) and the network's probability of each image's class."""
    from model.serving.tf_runtime import tf

    insight = explain.insight(network)
    x = tf.Variable(np.asarray(starts, np.float32)[..., None])
    wanted = tf.constant(np.asarray(classes, np.int32))
    kernel = tf.constant(_blur_kernel(BLUR_SIGMA))

    def total_variation(image):
        return tf.reduce_sum(tf.abs(image[:, 1:] - image[:, :-1])) + tf.reduce_sum(
            tf.abs(image[:, :, 1:] - image[:, :, :-1])
        )

    @tf.function(reduce_retracing=True)
    def step(shift):
        with tf.GradientTape() as tape:
            scores = insight.logits(tf.roll(x, shift, axis=[1, 2]))
            chosen = tf.gather(scores, wanted, batch_dims=1)
            loss = -tf.reduce_sum(chosen) + TOTAL_VARIATION * total_variation(x)
        gradient = tape.gradient(loss, x)
        scale = tf.sqrt(tf.reduce_mean(tf.square(gradient), axis=[1, 2, 3], keepdims=True))
        x.assign(tf.clip_by_value(x - STEP_SIZE * gradient / (scale + 1e-8), 0.0, 1.0))

    @tf.function
    def blur():
        x.assign(tf.nn.conv2d(x, kernel, 1, "SAME"))

    rng = np.random.default_rng(seed)
    for index in range(steps):
        step(tf.constant(rng.integers(-JITTER, JITTER + 1, 2), tf.int32))
        if index % BLUR_EVERY == 0 and index < steps - BLUR_EVERY:  # the last steps sharpen
            blur()
    images = x.numpy()[..., 0]
    scores = insight.scores(images)
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    probability = (exp / exp.sum(axis=1, keepdims=True))[np.arange(len(images)), classes]
    return images, probability


def class_prototypes(network, steps: int = STEPS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ten prototypes (10, 28, 28) in [0, 1], digit d at index d; the network's probability of
    d for each; and which were climbed from their class's own mean digit (the last resort)."""
    mnist = data.load_mnist()
    mean = mnist.x_train.mean(axis=0).astype(np.float32) / 255.0
    own = np.stack([mnist.x_train[mnist.y_train == d].mean(axis=0) for d in range(10)]) / 255.0
    images = np.zeros((10, 28, 28), np.float32)
    sure = np.full(10, -1.0)
    from_own_mean = np.zeros(10, bool)
    todo = np.arange(10)
    for attempt, brightness in enumerate((*STARTS, None)):
        if brightness is None:  # the last resort: the class's own mean digit
            starts = own[todo].astype(np.float32)
        else:
            starts = np.repeat(np.clip(mean * brightness, 0, 1)[None], len(todo), axis=0)
        found, probability = climb(network, starts, todo, steps, seed=attempt)
        better = probability > sure[todo]
        images[todo[better]], sure[todo[better]] = found[better], probability[better]
        from_own_mean[todo[better]] = brightness is None
        todo = np.flatnonzero(sure < SURE)
        if not len(todo):
            break
    return images, sure.astype(np.float32), from_own_mean


def top_inputs(network, count: int = TOP_INPUTS) -> dict[str, np.ndarray]:
    """Per conv layer, its filters' top MNIST test digits: {layer: (filters, count) indices
    into MNIST test, strongest first}; {} for a network without conv layers."""
    from model.serving.tf_runtime import tf

    names = explain.conv_layers(network)
    if not names:
        return {}
    model = explain.insight(network).layer_model(names)
    peaks = tf.function(
        lambda x: [tf.reduce_max(m, axis=[1, 2]) for m in tf.nest.flatten(model(x))],
        input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
    )
    digits = data.load_mnist().x_test.astype(np.float32)[..., None] / 255.0
    strongest = [[] for _ in names]
    for start in range(0, len(digits), 500):
        for layer, peak in enumerate(peaks(tf.constant(digits[start : start + 500]))):
            strongest[layer].append(peak.numpy())
    found = {}
    for name, parts in zip(names, strongest, strict=True):
        peak = np.concatenate(parts)  # (10000, filters)
        top = np.argpartition(-peak, count, axis=0)[:count].T  # (filters, count), unordered
        order = np.argsort(-np.take_along_axis(peak.T, top, axis=1), axis=1)
        found[name] = np.take_along_axis(top, order, axis=1).astype(np.int64)
    return found


def prototypes_for(network, version=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`class_prototypes`, computed once per version and kept."""

    def build():
        images, probability, from_own_mean = class_prototypes(network)
        return {"images": images, "probability": probability, "from_own_mean": from_own_mean}

    arrays = version_cache.cached(version, "prototypes", build, network)
    return arrays["images"], arrays["probability"], arrays["from_own_mean"]


def top_inputs_for(network, version=None) -> dict[str, np.ndarray]:
    """`top_inputs`, computed once per version and kept."""
    return version_cache.cached(version, "top_inputs", lambda: top_inputs(network), network)
