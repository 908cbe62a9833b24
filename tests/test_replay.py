"""model.replay: the canvas's strokes read back and replayed through the shipped default, and the
shipped rnn's answer after each row it reads."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from model import replay
from model.drawings import paint
from model.serving.inference import Predictor
from model.serving.store import ModelStore
from tests.browser import TWO_STROKES, digit_strokes


def fabric_json(strokes: list[np.ndarray], width: float = 20) -> dict:
    """Strokes as the canvas's json_data holds them: Fabric.js paths of M, Q ... Q, L commands,
    each Q through the midpoint to the next point, as Fabric's pencil writes them."""
    objects = []
    for points in strokes:
        path = [["M", *map(float, points[0])]]
        for before, after in pairwise(points):
            path.append(["Q", *map(float, before), *map(float, (before + after) / 2)])
        path.append(["L", *map(float, points[-1])])
        objects.append({"type": "path", "strokeWidth": width, "path": path})
    return {"version": "4.4.0", "objects": objects}


def test_paths_are_read_back_into_strokes():
    data = {
        "objects": [
            {"type": "Path", "strokeWidth": 12, "path": [["M", 10, 20], ["L", 30, 40]]},  # Fabric 7
            {"type": "rect", "left": 3},  # not a stroke
            {"type": "path", "path": [["M", 0, 0], ["Q", 10, 0, 10, 10], ["Z"], ["L", "x", 5]]},
            {"type": "path", "path": "M 0 0"},  # not a command list: nothing
        ]
    }
    strokes = replay.canvas_strokes(data)
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0].points, [[10, 20], [30, 40]])
    assert strokes[0].width == 12 and strokes[1].width == replay.DEFAULT_PEN
    curve = strokes[1].points
    assert len(curve) == 1 + replay.CURVE_POINTS + 1
    np.testing.assert_allclose(curve[replay.CURVE_POINTS], [10, 10])  # the curve ends at its end
    np.testing.assert_allclose(curve[-1], [0, 5])  # a bad number reads as 0
    assert replay.canvas_strokes(None) == [] and replay.canvas_strokes({"objects": 5}) == []


def test_painted_strokes_are_the_canvas_pen():
    strokes = replay.canvas_strokes(fabric_json(digit_strokes(7)))
    image = replay.painted(strokes)
    assert image.shape == (280, 280) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, paint([s.points for s in strokes], [20.0] * len(strokes)))


@pytest.mark.parametrize(
    ("answers", "sentence"),
    [
        ([7, 7], "It answered 7 from the first stroke on."),
        ([1, 7], "The answer changed from 1 to 7 at the second stroke."),
        (
            [None, 1, 7],
            "The answer changed from not a digit to 1 at the second stroke, then from 1 to 7 "
            "at the third stroke.",
        ),
        ([], "No stroke to replay."),
    ],
)
def test_the_sentence_says_where_the_answer_changed(answers, sentence):
    assert replay.change_sentence(answers) == sentence


def test_many_changes_are_summed_up():
    sentence = replay.change_sentence([7, 4, 9, 3, 5, 7, 7], unit="row")
    assert sentence == (
        "After the first row it answered 7; it changed its answer 5 times, and has answered 7 "
        "since the sixth row."
    )


def test_a_four_drawn_in_two_strokes_is_replayed():
    predictor = Predictor.from_version(ModelStore().get("default"))
    strokes = replay.canvas_strokes(fabric_json(digit_strokes(4, TWO_STROKES[4])))
    assert len(strokes) == 2
    found = replay.by_stroke(predictor, strokes)
    assert found.strokes == 2 and found.probabilities.shape == (2, 10)
    assert found.answers[-1] == 4
    whole = predictor.classify(replay.painted(strokes))
    np.testing.assert_allclose(found.probabilities[-1], whole.probabilities)
    assert found.answers[0] != 4  # half a 4 is not yet a 4


def test_the_rnn_answers_after_every_row(mnist):
    predictor = Predictor.from_version(ModelStore().get("rnn"))
    image = mnist.x_test[0].astype(np.float32) / 255
    rows = replay.answers_by_row(predictor.network, image, predictor.calibration)
    assert rows.shape == (28, 10)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0, atol=1e-5)
    whole = predictor.network(image.reshape(1, 28, 28, 1), training=False).numpy()
    np.testing.assert_allclose(rows[-1], predictor.calibration.apply(whole)[0], atol=1e-5)
    assert replay.row_answers(rows)[-1] == int(mnist.y_test[0])
    default = Predictor.from_version(ModelStore().get("default")).network
    assert replay.recurrent_layer(default) is None
    with pytest.raises(ValueError, match="no recurrent layer"):
        replay.answers_by_row(default, image)
