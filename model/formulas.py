"""The article's formulas, computed by hand on one drawing with a network's own weights.

The article behind this app teaches three formulas:

- a neuron: y = f(w·X + b), the weighted sum of its inputs, plus a bias, through a function f;
- a convolution: C(x) = Σ wᵢxᵢ + b over the 3x3 patch of the image under the kernel, then a ReLU;
- a recurrent step: hₜ = f(W·[hₜ₋₁, xₜ] + b), the new state from the last one and the next input.

This module redoes each, term by term, in plain numpy from the layers' weights, for the drawing the
network reads (28x28 floats in [0, 1]):

- `conv_cell`: one cell (channel, row, col) of the first convolution layer: the patch it reads
  (zeros beyond the edge where the layer pads, "same"; none needed where it does not, "valid"), the
  kernel, the nine products, their sum, the bias, and the ReLU.
- `pool_cell`: one cell of the first max-pooling layer: its 2x2 window of the convolution's map,
  and the largest of the four.
- `output_neuron`: one digit's output neuron, y = softmax(w·X + b): the contributions wᵢxᵢ, the
  logit, and the softmax over all ten logits.
- `lstm_steps`: an LSTM reading the 28 rows top to bottom, step by step. Its step is the
  recurrent formula four times over, one per gate (input i, forget f, candidate c̃, output o),
  each with its own W, U and b: cₜ = f·cₜ₋₁ + i·c̃ and hₜ = o·tanh(cₜ).

Each result equals what the network itself computes, to float rounding (the tests check it). That
is the raw network: the app's answer also averages five nudged copies of the drawing and divides
the logits by a calibration temperature T (see `model.calibration`), which `OutputNeuron.scaled`
shows for one reading.

The layers are read through Keras's plain attributes (`get_weights`, `padding`...), so this module
imports no TensorFlow itself; only `layer_input` runs the network's own layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.calibration import softmax

GATES = ("i", "f", "c̃", "o")  # the order of an LSTM's four gates in Keras's weights
GATE_NAMES = {"i": "input gate", "f": "forget gate", "c̃": "candidate", "o": "output gate"}


# --- Activation functions, by the names Keras gives them -------------------------------------


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: x,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
}


def activate(name: str, x):
    if name not in ACTIVATIONS:
        raise ValueError(f"no formula for the activation {name!r}")
    return ACTIVATIONS[name](x)


def activation_name(layer, attribute: str = "activation") -> str:
    return getattr(getattr(layer, attribute, None), "__name__", "linear")


# --- Which layers -------------------------------------------------------------------------------


def kind(layer) -> str:
    return type(layer).__name__


def first_layer(network, kinds: tuple[str, ...]):
    for layer in network.layers:
        if kind(layer) in kinds:
            return layer
    raise ValueError(f"{network.name} has no {' or '.join(kinds)} layer")


def first_conv(network):
    return first_layer(network, ("Conv2D",))


def first_pool(network):
    """The max-pooling layer right after the first convolution (it pools that layer's maps)."""
    conv = first_conv(network)
    following = network.layers[network.layers.index(conv) + 1]
    if kind(following) != "MaxPooling2D":
        raise ValueError(f"{conv.name} is not followed by a max-pooling layer")
    return following


def layer_input(network, layer, image: np.ndarray) -> np.ndarray:
    """What `layer` of a Sequential network reads for `image`: the layers before it, run in turn
    (inference mode: dropout off)."""
    x = np.asarray(image, dtype=np.float32).reshape(1, 28, 28, 1)
    for before in network.layers:
        if before is layer:
            return np.asarray(x, dtype=np.float64)[0]
        x = before(x, training=False)
    raise ValueError(f"{layer.name} is not a layer of {network.name}")


# --- A convolution cell: C(x) = Σ wᵢxᵢ + b, then a ReLU ------------------------------------------


def padding_before(layer) -> tuple[int, int]:
    """Rows and columns of zeros the layer adds above and left of the image: none for "valid";
    for "same", TensorFlow pads (kernel - stride) in all, the smaller half first."""
    if layer.padding == "valid":
        return 0, 0
    return tuple(max(k - s, 0) // 2 for k, s in zip(layer.kernel_size, layer.strides, strict=True))


def output_size(layer, size: int = 28) -> tuple[int, int]:
    """The height and width of the layer's maps on a size x size input."""
    sizes = []
    for k, s in zip(layer.kernel_size, layer.strides, strict=True):
        sizes.append(-(-size // s) if layer.padding == "same" else (size - k) // s + 1)
    return tuple(sizes)


@dataclass(frozen=True)
class ConvCell:
    layer: str
    channel: int
    row: int
    col: int
    top: int  # the input row under the kernel's top-left weight (-1: the padding above)
    left: int
    patch: np.ndarray  # (kh, kw) the input pixels under the kernel; 0 in the padding
    inside: np.ndarray  # (kh, kw) bool: which of them are pixels of the image, not padding
    kernel: np.ndarray  # (kh, kw) the channel's weights
    bias: float
    activation: str

    @property
    def products(self) -> np.ndarray:
        return self.patch * self.kernel

    @property
    def total(self) -> float:
        """Σ wᵢxᵢ: the products summed."""
        return float(self.products.sum())

    @property
    def pre_activation(self) -> float:
        """Σ wᵢxᵢ + b."""
        return self.total + self.bias

    @property
    def value(self) -> float:
        """The cell of the feature map: the activation (a ReLU) of the sum plus the bias."""
        return float(activate(self.activation, self.pre_activation))


def conv_weights(layer) -> tuple[np.ndarray, np.ndarray]:
    """A one-channel-input Conv2D's kernels (kh, kw, channels) and biases (channels,)."""
    weights = layer.get_weights()
    kernel = np.asarray(weights[0], dtype=np.float64)
    if kernel.shape[2] != 1:
        raise ValueError(f"{layer.name} reads {kernel.shape[2]} channels: not the first layer")
    if tuple(layer.dilation_rate) != (1, 1):
        raise ValueError(f"{layer.name} is dilated: no formula here for that")
    bias = np.asarray(weights[1], np.float64) if layer.use_bias else np.zeros(kernel.shape[3])
    return kernel[:, :, 0, :], bias


def conv_cell(network, image: np.ndarray, channel: int, row: int, col: int) -> ConvCell:
    """Cell (row, col) of channel `channel` of the network's first convolution, by hand."""
    layer = first_conv(network)
    kernels, biases = conv_weights(layer)
    height, width = output_size(layer)
    if not 0 <= channel < kernels.shape[2]:
        raise ValueError(f"{layer.name} has channels 0 to {kernels.shape[2] - 1}")
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"{layer.name}'s maps are {height}x{width}: no cell ({row}, {col})")
    kh, kw = kernels.shape[:2]
    pad_top, pad_left = padding_before(layer)
    top, left = row * layer.strides[0] - pad_top, col * layer.strides[1] - pad_left
    pixels = np.asarray(image, dtype=np.float64).reshape(28, 28)
    rows, cols = np.arange(top, top + kh)[:, None], np.arange(left, left + kw)[None, :]
    inside = (rows >= 0) & (rows < 28) & (cols >= 0) & (cols < 28)
    patch = np.where(inside, pixels[rows.clip(0, 27), cols.clip(0, 27)], 0.0)
    return ConvCell(
        layer=layer.name,
        channel=channel,
        row=row,
        col=col,
        top=top,
        left=left,
        patch=patch,
        inside=inside,
        kernel=kernels[:, :, channel],
        bias=float(biases[channel]),
        activation=activation_name(layer),
    )


def conv_map(network, image: np.ndarray) -> np.ndarray:
    """The first convolution's whole (H, W, channels) output: `conv_cell` at every cell at once."""
    layer = first_conv(network)
    kernels, biases = conv_weights(layer)
    kh, kw = kernels.shape[:2]
    pad_top, pad_left = padding_before(layer)
    height, width = output_size(layer)
    sh, sw = layer.strides
    # Zeros around the image, enough for every window (the bottom and right may need more).
    padded = np.zeros((28 + kh + sh * height, 28 + kw + sw * width))
    padded[pad_top : pad_top + 28, pad_left : pad_left + 28] = np.asarray(image).reshape(28, 28)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    windows = windows[: height * sh : sh, : width * sw : sw]  # (H, W, kh, kw)
    sums = np.einsum("yxij,ijc->yxc", windows, kernels) + biases
    return activate(activation_name(layer), sums)


# --- A pooling cell: the largest of a 2x2 window ----------------------------------------------


@dataclass(frozen=True)
class PoolCell:
    layer: str
    source: str  # the layer whose maps it pools
    channel: int
    row: int
    col: int
    top: int  # the window's top-left cell in the source map
    left: int
    window: np.ndarray  # (2, 2) the source cells it looks at

    @property
    def value(self) -> float:
        return float(self.window.max())

    @property
    def winner(self) -> tuple[int, int]:
        """Where in the window the kept value sits (row, col)."""
        return tuple(int(i) for i in np.unravel_index(self.window.argmax(), self.window.shape))


def pool_cell(network, image: np.ndarray, channel: int, row: int, col: int) -> PoolCell:
    """Cell (row, col) of channel `channel` of the max-pooling after the first convolution."""
    layer, conv = first_pool(network), first_conv(network)
    if layer.padding != "valid":
        raise ValueError(f"{layer.name} pads: no formula here for that")
    maps = conv_map(network, image)
    (ph, pw), (sh, sw) = layer.pool_size, layer.strides
    height, width = (maps.shape[0] - ph) // sh + 1, (maps.shape[1] - pw) // sw + 1
    if not 0 <= channel < maps.shape[2]:
        raise ValueError(f"{layer.name} has channels 0 to {maps.shape[2] - 1}")
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"{layer.name}'s maps are {height}x{width}: no cell ({row}, {col})")
    top, left = row * sh, col * sw
    window = maps[top : top + ph, left : left + pw, channel]
    return PoolCell(layer.name, conv.name, channel, row, col, top, left, window)


def pool_size(network) -> tuple[int, int]:
    """The height and width of the first pooling layer's maps."""
    layer = first_pool(network)
    height, width = output_size(first_conv(network))
    (ph, pw), (sh, sw) = layer.pool_size, layer.strides
    return (height - ph) // sh + 1, (width - pw) // sw + 1


# --- An output neuron: y = softmax(w·X + b) -----------------------------------------------------


@dataclass(frozen=True)
class OutputNeuron:
    layer: str
    digit: int
    inputs: np.ndarray  # X: (n,) what the last layer reads
    weights: np.ndarray  # w: (n,) the weights from X into this digit's neuron
    bias: float
    logits: np.ndarray  # (10,) w·X + b of all ten neurons: the softmax needs them all

    @property
    def contributions(self) -> np.ndarray:
        """wᵢxᵢ, one per input."""
        return self.weights * self.inputs

    def top(self, count: int = 8) -> np.ndarray:
        """The indices of the `count` contributions largest in size, largest first."""
        return np.argsort(-np.abs(self.contributions), kind="stable")[:count]

    @property
    def logit(self) -> float:
        """z = w·X + b: the neuron's sum before the softmax."""
        return float(self.contributions.sum() + self.bias)

    @property
    def probabilities(self) -> np.ndarray:
        """softmax(z) over the ten digits: the network's own output."""
        return softmax(self.logits)

    @property
    def probability(self) -> float:
        return float(self.probabilities[self.digit])

    def scaled(self, temperature: float) -> float:
        """softmax(z / T)[digit]: this reading with the calibration temperature T. (The app's
        answer also averages five nudged readings, see `model.calibration`.)"""
        return float(softmax(self.logits / temperature)[self.digit])


def output_neuron(network, image: np.ndarray, digit: int) -> OutputNeuron:
    """The last layer's neuron for `digit`, by hand: its inputs, weights, bias and softmax."""
    layer = network.layers[-1]
    if kind(layer) != "Dense" or activation_name(layer) != "softmax":
        raise ValueError(f"{network.name} does not end in a softmax Dense layer")
    if not 0 <= digit <= 9:
        raise ValueError("digit must be between 0 and 9")
    kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
    inputs = layer_input(network, layer, image).reshape(-1)
    logits = inputs @ kernel + bias
    return OutputNeuron(layer.name, digit, inputs, kernel[:, digit], float(bias[digit]), logits)


# --- A recurrent step: hₜ from hₜ₋₁ and row t --------------------------------------------------


@dataclass(frozen=True)
class LstmStep:
    t: int  # 1 to 28: the step that has read rows 1 to t
    row: np.ndarray  # xₜ: (28,) the pixels of row t
    h_before: np.ndarray  # hₜ₋₁: (units,)
    c_before: np.ndarray  # cₜ₋₁: (units,) the cell's memory
    input_terms: np.ndarray  # (4, units): W·xₜ per gate (i, f, c̃, o)
    recurrent_terms: np.ndarray  # (4, units): U·hₜ₋₁ per gate
    bias: np.ndarray  # (4, units)
    gates: np.ndarray  # (4, units): each gate's activation of the three summed
    c: np.ndarray  # cₜ = f·cₜ₋₁ + i·c̃
    h: np.ndarray  # hₜ = o·tanh(cₜ)

    @property
    def sums(self) -> np.ndarray:
        """(4, units): W·xₜ + U·hₜ₋₁ + b per gate, before its activation."""
        return self.input_terms + self.recurrent_terms + self.bias


def lstm_steps(network, image: np.ndarray) -> list[LstmStep]:
    """The network's LSTM layer reading `image` row by row: one `LstmStep` per row, in order."""
    layer = first_layer(network, ("LSTM",))
    if getattr(layer, "go_backwards", False):
        raise ValueError(f"{layer.name} does not read its rows in order")
    weights = [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
    kernel, recurrent = weights[0], weights[1]  # (inputs, 4·units), (units, 4·units)
    units = recurrent.shape[0]
    bias = weights[2] if layer.use_bias else np.zeros(4 * units)

    def per_gate(x):  # (4·units,) → (4, units): Keras keeps the gates side by side, i f c o
        return x.reshape(4, units)

    gate_act, state_act = activation_name(layer, "recurrent_activation"), activation_name(layer)
    rows = layer_input(network, layer, image)  # (28, 28): the sequence the layer reads
    h, c, steps = np.zeros(units), np.zeros(units), []
    for t, row in enumerate(rows, start=1):
        input_terms, recurrent_terms = per_gate(row @ kernel), per_gate(h @ recurrent)
        sums = input_terms + recurrent_terms + per_gate(bias)
        gates = np.stack(
            [
                activate(gate_act, sums[0]),
                activate(gate_act, sums[1]),
                activate(state_act, sums[2]),
                activate(gate_act, sums[3]),
            ]
        )
        c_new = gates[1] * c + gates[0] * gates[2]
        h_new = gates[3] * activate(state_act, c_new)
        steps.append(
            LstmStep(
                t, row, h, c, input_terms, recurrent_terms, per_gate(bias), gates, c_new, h_new
            )
        )
        h, c = h_new, c_new
    return steps


# --- What the network itself computes, to show beside the formulas ----------------------------


def own_probabilities(network, image: np.ndarray) -> np.ndarray:
    """The network's own softmax for `image` (no calibration): (10,)."""
    x = np.asarray(image, dtype=np.float32).reshape(1, 28, 28, 1)
    return np.asarray(network(x, training=False), dtype=np.float64)[0]


def own_lstm_state(network, image: np.ndarray, t: int) -> np.ndarray:
    """The network's LSTM layer itself, run on rows 1 to `t` only: its hₜ, (units,)."""
    layer = first_layer(network, ("LSTM",))
    rows = layer_input(network, layer, image).astype(np.float32)
    return np.asarray(layer(rows[None, :t]), dtype=np.float64)[0]
