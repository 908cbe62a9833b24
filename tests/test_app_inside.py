"""The "Inside the CNN" page under Streamlit's AppTest: a sample digit when nothing is drawn, the
drawing from the Draw page when there is one, another digit to explain, and a network without
convolutions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from model.drawings import TEMPLATES, render_strokes
from model.serving.store import ModelStore
from pages import explanation_lab
from tests.conftest import APP

pytestmark = pytest.mark.slow


def canvas_rgba(digit: int) -> np.ndarray:
    """A digit as the Draw page's canvas hands it over: 280x280 RGBA, white on black."""
    gray = render_strokes(TEMPLATES[digit][0])
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def pictures(at: AppTest) -> int:
    return len(at.image)


def test_without_a_drawing_the_page_explains_a_sample_digit(open_page):
    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    assert at.title[0].value == "Inside the CNN"
    assert "Draw a digit on the Draw page first" in texts(at.info)
    assert "The network reads **3**" in texts(at.markdown)
    headers = [h.value for h in at.header]
    assert headers == [
        "1 · What each filter looks for",
        "2 · Where it found it",
        "3 · What made the decision",
        "4 · Explanation lab",
        "5 · The formulas on your drawing",
    ]
    # the input, 3 filter grids, 6 feature-map grids, 3 heat maps, the lab's six maps in one,
    # a cell's patch and map
    assert pictures(at) == 1 + 3 + 6 + 3 + 1 + 2
    alts = [one.alt for i in at.image for one in i.proto.imgs]
    assert any(alt.startswith("Maps of the evidence for the digit 3") for alt in alts)


def test_the_drawing_from_the_draw_page_is_explained(open_page):
    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    at.session_state["drawing"] = canvas_rgba(8)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.info  # no "draw first" message
    assert "The network reads **8**" in texts(at.markdown)
    assert pictures(at) == 16
    choice = at.selectbox[0]
    assert choice.value == 8
    assert choice.format_func(8) == "8 (predicted)"

    choice.select(3).run()  # the evidence for another digit
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox[0].value == 3
    assert pictures(at) == 16
    assert "the evidence for **3**" in texts(at.caption)


def test_a_drawing_that_is_no_digit_is_explained_as_the_draw_page_says(open_page):
    """A heart reads "not a digit"; the page names the digit it leans towards only when the
    answer leans towards one, as the Draw page does."""
    from model.nondigits import DRAWN
    from model.serving.inference import Predictor

    heart = render_strokes(DRAWN["shapes"]["heart"](np.random.default_rng(0)))
    drawing = np.dstack([heart, heart, heart, np.full_like(heart, 255)])
    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    at.session_state["drawing"] = drawing
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = texts(at.markdown)
    assert "The network reads **not a digit**" in said
    prediction = Predictor.from_version(ModelStore().get("default")).classify(drawing)
    assert prediction.rejected
    if prediction.leaning is None:
        assert f"no digit stands out, the highest is {prediction.digit}" in said
        assert "leans most towards" not in said
    else:
        assert f"it leans most towards {prediction.leaning}" in said
    alts = [one.alt for i in at.image for one in i.proto.imgs]
    assert "The 28×28 input the network reads: read as not a digit." in alts


def test_a_network_without_convolutions_shows_saliency_only(open_page):
    from model.networks import build

    store = ModelStore()

    def write(directory: Path) -> None:
        build("mlp").save(directory / "model.keras")
        (directory / "history.json").write_text(json.dumps({"loss": []}))
        (directory / "meta.json").write_text(json.dumps({"arch": "mlp"}))

    store.add("plain-mlp", write)
    store.activate("plain-mlp")

    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    assert "no convolutional layers" in texts(at.warning)
    # no filters or maps
    assert [h.value for h in at.header] == [
        "4 · Explanation lab",
        "5 · The formulas on your drawing",
    ]
    assert pictures(at) == 1 + 1 + 1  # the input, the saliency map, the lab's maps
    assert "Grad-CAM needs a convolutional layer" in texts(at.caption)
    alts = [one.alt for i in at.image for one in i.proto.imgs]
    assert any("Grad-CAM does not apply" in alt for alt in alts)


def test_every_tab_of_the_explanation_lab(open_page):
    at = open_page("pages/inside.py", timeout=120, visit_draw_page_first=True)
    assert [t.label for t in at.tabs] == list(explanation_lab.TABS)
    shown = {}
    for label in explanation_lab.TABS[1:]:
        at.session_state[explanation_lab.TAB_KEY] = label
        at.run()
        assert not at.exception, (label, [e.value for e in at.exception])
        shown[label] = at
        if label == "Is it true?":
            alts = [one.alt for i in at.image for one in i.proto.imgs]
            assert any(alt.startswith("Deletion curves for the digit 3") for alt in alts)
            assert "is the most faithful" in texts(at.caption)
        elif label == "Nearest training digits":
            alts = [one.alt for i in at.image for one in i.proto.imgs]
            assert len([a for a in alts if a.startswith("MNIST training digit")]) == 8
            assert "of the 8 are labelled 3" in texts(at.caption)
        elif label == "The map":
            [chart] = at.get("vega_lite_chart")
            assert "your drawing, a black cross, sits among the 3s" in chart.proto.alt.lower()
        elif label == "What it has learned":
            alts = [one.alt for i in at.image for one in i.proto.imgs]
            assert len([a for a in alts if a.startswith("The network's prototype of")]) == 10
            assert len([a for a in alts if "among the strongest for filter 0 of conv1" in a]) == 9
            at.selectbox(key="lab_filter_layer").select("conv3").run()
            at.number_input(key="lab_filter_conv3").set_value(63).run()
            assert not at.exception, [e.value for e in at.exception]
            alts = [one.alt for i in at.image for one in i.proto.imgs]
            assert len([a for a in alts if "for filter 63 of conv3" in a]) == 9
        elif label == "Stroke by stroke":  # the sample has no strokes; studio_cnn reads no rows
            assert "Stroke by stroke needs a drawing made on" in texts(at.info)
            assert "Only a recurrent network reads the image row by row" in texts(at.caption)


def test_the_rnn_replays_the_strokes_and_the_rows(open_page, home):
    from model.replay import canvas_strokes, painted
    from tests.browser import TWO_STROKES, digit_strokes
    from tests.test_replay import fabric_json

    ModelStore().activate("rnn")
    at = open_page("pages/inside.py", timeout=120, visit_draw_page_first=True)
    strokes = fabric_json(digit_strokes(4, TWO_STROKES[4]))
    gray = painted(canvas_strokes(strokes))
    at.session_state["drawing"] = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    at.session_state["strokes"] = strokes
    at.session_state[explanation_lab.TAB_KEY] = "Stroke by stroke"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "The network reads **4**" in texts(at.markdown)
    strips = [i.proto.imgs[0].alt for i in at.image if i.proto.imgs[0].alt.startswith("Strip")]
    assert len(strips) == 2, (texts(at.info), texts(at.markdown)[-300:])
    assert strips[0].startswith("Strip of the ten probabilities after each of 2 strokes")
    assert "to 4 at the second stroke" in strips[0]
    assert strips[1].startswith("Strip of the ten probabilities after each of 28 rows")


@pytest.mark.parametrize(("asked", "shown"), [("5", 5), ("x", None)])
def test_a_link_picks_the_digit_without_writing_the_link(home, asked, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["digit"] = asked
    at.switch_page("pages/inside.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    choice = at.selectbox[0]
    if shown is None:  # the sample 3 is explained for what it reads, after a note
        assert choice.value == 3
        assert "The link asked to explain the digit “x”" in texts(at.info)
    else:
        assert choice.value == shown
        assert f"the evidence for **{shown}**" in texts(at.caption)
    assert at.query_params["digit"] == asked  # read, never rewritten
    at.run()  # a rerun keeps the choice while the drawing is the same
    assert at.selectbox[0].value == (shown if shown is not None else 3)
