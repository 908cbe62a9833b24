"""How an answer builds up: the drawing replayed stroke by stroke, and the `rnn` row by row.

**Stroke by stroke.** The canvas reports its drawing as Fabric.js objects, one `Path` per
stroke: pen commands in canvas pixels (`M` move, `L` line, `Q` quadratic Bézier) and the pen's
width. `canvas_strokes` turns them back into pen paths; the first k of them are painted the way
the canvas paints (`model.drawings.paint`) and read exactly as the Draw page reads a drawing
(the app's preprocessing, the version's calibration), for k = 1, 2, ... So the chart shows what
the network would have answered had you stopped after each stroke, and `change_sentence` says
where the answer changed.

**Row by row.** The `rnn` network reads a digit as a sequence: an LSTM takes the 28 rows top to
bottom and answers from its state after the last one. Its state after each row can be read too:
`answers_by_row` runs a copy of the same LSTM (same weights) that returns its state after every
row, and puts each through the network's last layer: the answer it would give had the image
ended there.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from model.drawings import CANVAS, paint

CURVE_POINTS = 6  # points sampled along each quadratic Bézier segment
DEFAULT_PEN = 20.0
ORDINALS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)


@dataclass(frozen=True)
class Stroke:
    points: np.ndarray  # (n, 2) canvas pixels, x right, y down
    width: float


def _number(value, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if np.isfinite(number) else default


def path_points(path) -> np.ndarray:
    """A Fabric.js path's commands → (n, 2) points along it; unknown commands are skipped."""
    points: list[tuple[float, float]] = []
    for command in path if isinstance(path, list) else []:
        if not isinstance(command, list | tuple) or not command:
            continue
        kind, args = command[0], [_number(a) for a in command[1:]]
        if kind in ("M", "L") and len(args) >= 2:
            points.append((args[0], args[1]))
        elif kind == "Q" and len(args) >= 4 and points:
            start, control, end = np.array(points[-1]), np.array(args[:2]), np.array(args[2:4])
            for t in np.linspace(0, 1, CURVE_POINTS + 1)[1:]:
                point = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end
                points.append((float(point[0]), float(point[1])))
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def canvas_strokes(json_data) -> list[Stroke]:
    """The strokes of the canvas's `json_data`, in the order they were drawn."""
    objects = (json_data or {}).get("objects") if isinstance(json_data, dict) else None
    strokes = []
    for item in objects if isinstance(objects, list) else []:
        if not isinstance(item, dict) or str(item.get("type")).lower() != "path":
            continue
        points = path_points(item.get("path"))
        if len(points):
            width = _number(item.get("strokeWidth"), DEFAULT_PEN)
            strokes.append(Stroke(points, width if width > 0 else DEFAULT_PEN))
    return strokes


def painted(strokes: list[Stroke], size: int = CANVAS) -> np.ndarray:
    """The strokes as the canvas paints them: (size, size) uint8, white on black."""
    return paint([s.points for s in strokes], [s.width for s in strokes], size)


@dataclass(frozen=True)
class Replay:
    probabilities: np.ndarray  # (K, 10): the answer's probabilities after stroke 1..K
    answers: list[int | None]  # the digit answered after each stroke; None: not a digit / nothing

    @property
    def strokes(self) -> int:
        return len(self.answers)


def by_stroke(predictor, strokes: list[Stroke]) -> Replay:
    """The Draw page's answer after each stroke (all zeros and None where nothing is drawn)."""
    probabilities, answers = [], []
    for count in range(1, len(strokes) + 1):
        prediction = predictor.classify(painted(strokes[:count]))
        if prediction is None:
            probabilities.append(np.zeros(10, np.float32))
            answers.append(None)
        else:
            probabilities.append(prediction.probabilities)
            answers.append(None if prediction.rejected else prediction.digit)
    return Replay(np.asarray(probabilities, np.float32).reshape(-1, 10), answers)


def ordinal(n: int) -> str:
    """1 → "first", 2 → "second", ..., 11 → "11th"."""
    return ORDINALS[n - 1] if 1 <= n <= len(ORDINALS) else f"{n}th"


def _answer(digit: int | None) -> str:
    return "not a digit" if digit is None else str(digit)


def change_sentence(answers: list[int | None], unit: str = "stroke") -> str:
    """ "The answer changed from 1 to 7 at the second stroke." or "It answered 7 from the first
    stroke on." Up to three changes are listed in order; more are summed up."""
    if not answers:
        return f"No {unit} to replay."
    changes = [
        (index + 1, before, after)
        for index, (before, after) in enumerate(pairwise(answers), start=1)
        if before != after
    ]
    if not changes:
        return f"It answered {_answer(answers[0])} from the first {unit} on."
    if len(changes) > 3:  # a list that long is no longer read: the first answer and the last
        last_at, _, final = changes[-1]
        return (
            f"After the first {unit} it answered {_answer(answers[0])}; it changed its answer "
            f"{len(changes)} times, and has answered {_answer(final)} since the "
            f"{ordinal(last_at)} {unit}."
        )
    told = [
        f"from {_answer(before)} to {_answer(after)} at the {ordinal(at)} {unit}"
        for at, before, after in changes
    ]
    if len(told) == 1:
        return f"The answer changed {told[0]}."
    return "The answer changed " + ", then ".join(told) + "."


# --- Row by row (the rnn network) ----------------------------------------------------------------


def recurrent_layer(network):
    """The network's recurrent layer (an LSTM, GRU or SimpleRNN), or None."""
    from model.serving.tf_runtime import keras

    kinds = (keras.layers.LSTM, keras.layers.GRU, keras.layers.SimpleRNN)
    found = [layer for layer in network.layers if isinstance(layer, kinds)]
    return found[0] if found else None


_row_models: dict[int, tuple[object, object]] = {}


def _row_model(network):
    """Compiled once per network: image (1, 28, 28, 1) → probabilities after each row (1, T, 10).

    The layers before the recurrent one and after it are the network's own; the recurrent one is
    a copy returning its whole sequence of states, with the same weights."""
    found = _row_models.get(id(network))
    if found is not None and found[0] is network:
        return found[1]
    from model.serving.tf_runtime import keras, tf

    layer = recurrent_layer(network)
    if layer is None:
        raise ValueError(f"{network.name} has no recurrent layer: it does not read row by row")
    sequence = type(layer).from_config({**layer.get_config(), "return_sequences": True})
    inputs = x = keras.Input((28, 28, 1))
    position = network.layers.index(layer)
    for before in network.layers[:position]:
        x = before(x)
    x = sequence(x)
    sequence.set_weights(layer.get_weights())
    for after in network.layers[position + 1 :]:
        x = after(x)  # Dense acts on the last axis: one answer per row
    model = keras.Model(inputs, x)
    compiled = tf.function(
        lambda image: model(image, training=False),
        input_signature=[tf.TensorSpec([1, 28, 28, 1], tf.float32)],
    )
    _row_models[id(network)] = (network, compiled)
    return compiled


def answers_by_row(network, image: np.ndarray, calibration=None) -> np.ndarray:
    """(T, 10) probabilities after each row read (T = 28), with the version's temperature if a
    `calibration` is given, as the app answers; ValueError for a network without a recurrent
    layer."""
    from model.serving.tf_runtime import tf

    batch = tf.constant(np.asarray(image, np.float32).reshape(1, 28, 28, 1))
    probabilities = _row_model(network)(batch).numpy()[0]
    return calibration.apply(probabilities) if calibration is not None else probabilities


def row_answers(probabilities: np.ndarray) -> list[int]:
    return [int(d) for d in np.argmax(probabilities, axis=1)]
