"""Looking inside a trained network: its filters, its feature maps, and where it looked.

A convolutional network reads a digit in stages. Each Conv2D layer slides small learned kernels
(filters) over its input; a filter is a pattern the layer looks for (an edge at some angle, the end
of a stroke), and its feature map is where in the image it found that pattern. Max pooling keeps
the strongest response in every 2x2 window, halving the resolution, so later layers see larger
parts of the digit with fewer pixels. This module exposes those stages to the "Inside the CNN" page
as plain numpy arrays; the pictures are drawn by `model.figures`.

- `conv_layers`, `feature_layers`, `layer_stages`: which layers have an image-like output.
- `layer_filters`: a Conv2D layer's kernels as (n_filters, kh, kw). The first layer reads the
  one-channel image, so its kernels are exactly what it matches. A deeper filter has one kh x kw
  kernel per input channel; averaging them cancels patterns of opposite sign, so by default each
  filter is shown by the kernel of its *strongest* input channel (largest L2 norm), a real kernel
  that filter applies (`reduce="mean"` gives the mean over input channels instead).
- `feature_maps`: the (H, W, C) output of every conv, pooling (and activation) layer for one image.
- `grad_cam`: Grad-CAM (Selvaraju et al. 2017, as in keras-io's grad_cam.py): the gradient of the
  class score with respect to the last conv layer's maps, averaged over space, weights those maps;
  their weighted sum, through a ReLU, is where evidence *for* the class was found. On networks as
  small as these, that spatial average often points at background far from any stroke;
  `method="hirescam"` keeps the gradient position by position (HiResCAM), which is sharper and
  stays near the ink (see `cam_from`). Evidence may still be empty paper next to a stroke: the
  open left side of a 3 is what tells it from an 8.
- `saliency`: |d score / d pixel|, the pixels whose change would move the class score most.

The class score is the pre-softmax logit when the network ends in a softmax Dense layer (it does,
for every network in `model.networks`): a confident softmax is flat, its gradient vanishes, and
the heat maps would go blank. The logit is computed from the last layer's own weights, so the
shared network is never modified.

The same wrapper serves the explanation lab in batches: `scores` (the logits of many images),
`score_gradients` (one class's logit and its gradient for each) and `embeddings` (the last hidden
layer), used by `model.attribution`, `model.faithfulness` and `model.embedding`.

Every network is wrapped once in a `NetworkInsight` (see `insight`) that builds the sub-models
and compiles `tf.function`s with fixed input signatures: the page calls these on every rerun, and
`model.predict` would set up a data pipeline on every call. The compiled functions
are thread-safe, as the app serves many sessions from one process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from model.serving.tf_runtime import keras, tf

INPUT_SHAPE = (28, 28, 1)
CONV_KINDS = (keras.layers.Conv2D,)
POOL_KINDS = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
ACTIVATION_KINDS = (keras.layers.Activation, keras.layers.ReLU)
CACHE_SIZE = 8  # networks kept wrapped at once (the app keeps at most 8 predictors too)


# --- Which layers to look at -----------------------------------------------------------------


def conv_layers(network: keras.Model) -> list[str]:
    """Names of the network's Conv2D layers, input first ([] for an MLP or an RNN)."""
    return [layer.name for layer in network.layers if isinstance(layer, CONV_KINDS)]


def feature_layers(network: keras.Model) -> list[str]:
    """Names of the layers with an image-like (H, W, C) output: conv, pooling, and activation
    layers that follow a convolution (for networks whose Conv2D has no activation of its own)."""
    names, seen_conv = [], False
    for layer in network.layers:
        seen_conv = seen_conv or isinstance(layer, CONV_KINDS)
        if isinstance(layer, CONV_KINDS + POOL_KINDS) or (
            seen_conv and isinstance(layer, ACTIVATION_KINDS)
        ):
            names.append(layer.name)
    return names


def layer_stages(network: keras.Model) -> list[list[str]]:
    """`feature_layers` grouped by stage: each conv layer with the activation and pooling layers
    that follow it, e.g. [["conv1", "pool1"], ["conv2", "pool2"]]."""
    stages: list[list[str]] = []
    for name in feature_layers(network):
        if isinstance(network.get_layer(name), CONV_KINDS) or not stages:
            stages.append([])
        stages[-1].append(name)
    return stages


def layer_filters(network: keras.Model, layer_name: str, reduce: str = "strongest") -> np.ndarray:
    """A Conv2D layer's kernels as (n_filters, kh, kw) float32.

    With one input channel these are the kernels themselves. With several, each filter is shown
    by the kernel of its strongest input channel (`reduce="strongest"`) or by the mean over
    input channels (`reduce="mean"`).
    """
    layer = network.get_layer(layer_name)
    if not isinstance(layer, CONV_KINDS):
        raise ValueError(f"{layer_name} is a {type(layer).__name__}, not a Conv2D layer")
    kernel = np.asarray(layer.kernel.numpy(), dtype=np.float32)  # (kh, kw, in, out)
    if reduce == "mean":
        flat = kernel.mean(axis=2)
    elif reduce == "strongest":
        strength = np.square(kernel).sum(axis=(0, 1))  # (in, out)
        strongest = strength.argmax(axis=0)  # per filter, its strongest input channel
        flat = kernel[:, :, strongest, np.arange(kernel.shape[3])]
    else:
        raise ValueError(f"reduce must be 'strongest' or 'mean', not {reduce!r}")
    return np.ascontiguousarray(flat.transpose(2, 0, 1))


# --- Pure arithmetic on arrays ----------------------------------------------------------------


def as_batch(image28: np.ndarray) -> tf.Tensor:
    """A (28, 28) or (28, 28, 1) image in [0, 1] → a (1, 28, 28, 1) float32 tensor."""
    return tf.constant(np.asarray(image28, dtype=np.float32).reshape(1, *INPUT_SHAPE))


def normalise(heat: np.ndarray) -> np.ndarray:
    """Scale to [0, 1] by the maximum; all zeros (or no finite value) stays all zeros, never NaN."""
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(heat.max()) if heat.size else 0.0
    return heat / top if top > 1e-12 else np.zeros_like(heat)


def cam_from(maps: np.ndarray, grads: np.ndarray, method: str = "gradcam") -> np.ndarray:
    """A class activation map from one layer's (H, W, C) maps and d score / d maps → (H, W) in
    [0, 1], through a ReLU so that only evidence *for* the class remains.

    - "gradcam": each channel is weighted by its gradient averaged over the whole map (how much
      that channel, anywhere, raises the score), as in the Grad-CAM paper and keras-io.
    - "hirescam": each activation is weighted by its own gradient, pixel by pixel, then summed
      over channels (Draelos & Carin 2020). Were the layer followed by just a flatten and one
      dense layer, this would be exactly each position's share of the score; through pooling
      and ReLUs it is its first-order share. Grad-CAM's average mixes positions, and on these
      small networks it often lights up background far from any stroke.
    """
    if method == "gradcam":
        heat = maps @ grads.mean(axis=(0, 1))
    elif method == "hirescam":
        heat = (maps * grads).sum(axis=2)
    else:
        raise ValueError(f"method must be 'gradcam' or 'hirescam', not {method!r}")
    return normalise(np.maximum(heat, 0.0))


def receptive_grid(network: keras.Model, layer_name: str) -> tuple[float, float]:
    """Where a layer's output pixels sit on the input: (centre of pixel 0, step), in input pixels.

    Every strided or "valid" layer on the way moves and spreads the grid: a valid 3x3 conv trims
    one pixel at each edge, a 2x2 pool doubles the step. Knowing this, a heat map of any layer can
    be laid exactly over the image instead of being stretched edge to edge.
    """
    start, step = 0.0, 1.0
    for layer in network.layers:
        if isinstance(layer, CONV_KINDS + POOL_KINDS):
            size = layer.kernel_size[0] if isinstance(layer, CONV_KINDS) else layer.pool_size[0]
            stride = layer.strides[0]
            if layer.padding == "valid":
                offset = (size - 1) / 2
            else:  # "same": TensorFlow pads max(size - stride, 0) in all, the smaller half first
                offset = (size - 1) / 2 - max(size - stride, 0) // 2
            start, step = start + offset * step, step * stride
        if layer.name == layer_name:
            return start, step
    raise ValueError(f"no layer named {layer_name!r} in {network.name}")


def upsample(heat: np.ndarray, start: float, step: float, size: int = 28) -> np.ndarray:
    """Bilinear interpolation of a coarse (h, w) map onto the size x size input pixels, given
    where its pixels sit (`receptive_grid`); beyond its outermost pixels it holds their value."""
    positions = (np.arange(size) - start) / step  # input pixel centres in map coordinates
    rows = np.stack([np.interp(positions, np.arange(heat.shape[0]), col) for col in heat.T], 1)
    full = np.stack([np.interp(positions, np.arange(heat.shape[1]), row) for row in rows], 0)
    return full.astype(np.float32)


# --- Compiled sub-models, built once per network ------------------------------------------------


def _symbolic_graph(network: keras.Model) -> tuple[object, dict[str, object], object]:
    """The network's input, every layer's symbolic output, and the input of its last layer.

    A Sequential network is re-wired by calling its layers in turn on a fresh `keras.Input` (the
    same layers, so the same weights). Its own `layer.output` cannot be trusted: loading a .keras
    file calls each layer several times, and `layer.output` is the first call's, which may belong
    to a different graph than the second-to-last layer's, so gradients between them come out None.
    A functional network is used as it is.
    """
    if not isinstance(network, keras.Sequential):
        outputs = {layer.name: layer.output for layer in network.layers}
        return network.inputs[0], outputs, network.layers[-1].input
    inputs = x = keras.Input(INPUT_SHAPE)
    outputs, head_input = {}, None
    for layer in network.layers:
        head_input = x
        x = layer(x)
        outputs[layer.name] = x
    return inputs, outputs, head_input


def _score_head(network: keras.Model) -> Callable[[tf.Tensor], tf.Tensor]:
    """From the last layer's input to the class scores: the logits of a softmax Dense layer, or
    whatever the last layer outputs."""
    last = network.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if isinstance(last, keras.layers.Dense) and activation == "softmax":

        def logits(head_input):
            scores = keras.ops.matmul(head_input, last.kernel)
            return scores + last.bias if last.use_bias else scores

        return logits
    return lambda head_input: last(head_input, training=False)


class NetworkInsight:
    """One network's sub-models and compiled functions; get one through `insight(network)`."""

    IMAGE = tf.TensorSpec([1, *INPUT_SHAPE], tf.float32)
    BATCH = tf.TensorSpec([None, *INPUT_SHAPE], tf.float32)
    CLASS = tf.TensorSpec([], tf.int32)
    CHUNK = 512  # images per call of the batch functions: bounds their memory

    def __init__(self, network: keras.Model):
        self.network = network
        self.conv_names = conv_layers(network)
        self.feature_names = feature_layers(network)
        self._inputs, self._outputs, head_input = _symbolic_graph(network)
        self._head = keras.Model(self._inputs, head_input)
        self._score = _score_head(network)
        self._features = None
        if self.feature_names:
            outputs = [self._outputs[name] for name in self.feature_names]
            model = keras.Model(self._inputs, outputs)
            self._features = tf.function(
                lambda x: tf.nest.flatten(model(x, training=False)), input_signature=[self.IMAGE]
            )
        self._saliency = tf.function(self._saliency_graph, input_signature=[self.IMAGE, self.CLASS])
        self._embed = tf.function(lambda x: self._head(x, training=False), [self.BATCH])
        self._scores = tf.function(
            lambda x: self._score(self._head(x, training=False)), [self.BATCH]
        )
        self._score_gradients = tf.function(
            self._score_gradients_graph, input_signature=[self.BATCH, self.CLASS]
        )
        self._gradients: dict[str, Callable] = {}
        self._lock = threading.Lock()

    def _saliency_graph(self, x, class_index):
        with tf.GradientTape() as tape:
            tape.watch(x)
            scores = self._score(self._head(x, training=False))[0]
            chosen = self._choose(scores, class_index)
            score = tf.gather(scores, chosen)
        return tape.gradient(score, x)[0, :, :, 0], chosen

    def _score_gradients_graph(self, x, class_index):
        with tf.GradientTape() as tape:
            tape.watch(x)
            scores = self._score(self._head(x, training=False))
            score = scores[:, class_index]
        return scores, tape.gradient(score, x)[..., 0]

    @staticmethod
    def _choose(scores, class_index):
        """The requested class, or the predicted one when the request is negative."""
        predicted = tf.argmax(scores, output_type=tf.int32)
        return tf.where(class_index < 0, predicted, class_index)

    def _gradient_fn(self, layer_name: str) -> Callable:
        """Compiled once per layer: image, class → (the layer's maps, d score / d maps, class)."""
        with self._lock:
            if layer_name not in self._gradients:
                model = keras.Model(self._inputs, [self._outputs[layer_name], self._head.output])

                def graph(x, class_index):
                    with tf.GradientTape() as tape:
                        maps, head_input = model(x, training=False)
                        scores = self._score(head_input)[0]
                        chosen = self._choose(scores, class_index)
                        score = tf.gather(scores, chosen)
                    return maps[0], tape.gradient(score, maps)[0], chosen

                self._gradients[layer_name] = tf.function(
                    graph, input_signature=[self.IMAGE, self.CLASS]
                )
            return self._gradients[layer_name]

    def feature_maps(self, image28: np.ndarray) -> dict[str, np.ndarray]:
        if self._features is None:
            return {}
        outputs = self._features(as_batch(image28))
        return {name: out.numpy()[0] for name, out in zip(self.feature_names, outputs, strict=True)}

    def grad_cam(
        self,
        image28: np.ndarray,
        class_index: int | None = None,
        layer_name: str | None = None,
        method: str = "gradcam",
    ) -> np.ndarray:
        if not self.conv_names:
            raise ValueError(f"{self.network.name} has no conv layers: Grad-CAM needs one")
        layer_name = layer_name or self.conv_names[-1]
        fn = self._gradient_fn(layer_name)
        wanted = tf.constant(-1 if class_index is None else int(class_index), tf.int32)
        maps, grads, _ = fn(as_batch(image28), wanted)
        heat = cam_from(maps.numpy(), grads.numpy(), method)
        return normalise(upsample(heat, *receptive_grid(self.network, layer_name)))

    def saliency(self, image28: np.ndarray, class_index: int | None = None) -> np.ndarray:
        wanted = tf.constant(-1 if class_index is None else int(class_index), tf.int32)
        grads, _ = self._saliency(as_batch(image28), wanted)
        return normalise(np.abs(grads.numpy()))

    def logits(self, x: tf.Tensor) -> tf.Tensor:
        """The class scores of a (N, 28, 28, 1) tensor, as a differentiable graph, for callers
        that build their own gradients (`model.prototypes`)."""
        return self._score(self._head(x, training=False))

    def layer_model(self, layer_names: list[str]) -> keras.Model:
        """A model from the input to these layers' outputs (one tensor each)."""
        return keras.Model(self._inputs, [self._outputs[name] for name in layer_names])

    def _chunked(self, fn, images: np.ndarray, *extra) -> list:
        batch = np.asarray(images, dtype=np.float32).reshape(-1, *INPUT_SHAPE)
        return [
            fn(tf.constant(batch[i : i + self.CHUNK]), *extra)
            for i in range(0, len(batch), self.CHUNK)
        ]

    def scores(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) images → (N, 10) class scores (logits), in chunks."""
        parts = [out.numpy() for out in self._chunked(self._scores, images)]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

    def embeddings(self, images: np.ndarray) -> np.ndarray:
        """(N, 28, 28) images → (N, D): the last hidden layer, which the scores are read from."""
        parts = [out.numpy() for out in self._chunked(self._embed, images)]
        width = self._head.output.shape[-1]
        return np.concatenate(parts) if parts else np.zeros((0, width), np.float32)

    def score_gradients(
        self, images: np.ndarray, class_index: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(N, 28, 28) images → their (N, 10) scores and d score[class] / d pixels, (N, 28, 28)."""
        wanted = tf.constant(int(class_index), tf.int32)
        parts = [
            (s.numpy(), g.numpy()) for s, g in self._chunked(self._score_gradients, images, wanted)
        ]
        if not parts:
            return np.zeros((0, 10), np.float32), np.zeros((0, 28, 28), np.float32)
        return np.concatenate([s for s, _ in parts]), np.concatenate([g for _, g in parts])


_insights: OrderedDict[int, NetworkInsight] = OrderedDict()
_insights_lock = threading.Lock()


def insight(network: keras.Model) -> NetworkInsight:
    """The network's `NetworkInsight`, built on first use and kept for the next calls.

    Keyed by `id(network)`: a cached entry holds the network itself, so its id cannot be reused
    by another object while the entry lives; the least recently used beyond `CACHE_SIZE` go.
    """
    key = id(network)
    with _insights_lock:
        found = _insights.get(key)
        if found is not None and found.network is network:
            _insights.move_to_end(key)
            return found
    made = NetworkInsight(network)  # outside the lock: building takes a moment
    with _insights_lock:
        _insights[key] = made
        _insights.move_to_end(key)
        while len(_insights) > CACHE_SIZE:
            _insights.popitem(last=False)
    return made


# --- The module's functional interface ---------------------------------------------------------


def feature_maps(network: keras.Model, image28: np.ndarray) -> dict[str, np.ndarray]:
    """{layer name: (H, W, C) output} for every conv, pooling (and activation) layer, input
    first; {} for a network without conv layers."""
    return insight(network).feature_maps(image28)


def grad_cam(
    network: keras.Model,
    image28: np.ndarray,
    class_index: int | None = None,
    layer_name: str | None = None,
    method: str = "gradcam",
) -> np.ndarray:
    """(28, 28) class activation heat in [0, 1] for `class_index` (default: the predicted digit)
    on `layer_name` (default: the last conv layer), by Grad-CAM or, with `method="hirescam"`, by
    HiResCAM (see `cam_from`). All zeros when no region supports the class. Raises ValueError
    for a network without conv layers."""
    return insight(network).grad_cam(image28, class_index, layer_name, method)


def saliency(
    network: keras.Model, image28: np.ndarray, class_index: int | None = None
) -> np.ndarray:
    """(28, 28) |d score / d pixel| in [0, 1] for `class_index` (default: the predicted digit);
    works for any network, with or without convolutions."""
    return insight(network).saliency(image28, class_index)
