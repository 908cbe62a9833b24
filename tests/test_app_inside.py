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
        "4 · The formulas on your drawing",
    ]
    # the input, 3 filter grids, 6 feature-map grids, 3 heat maps, a cell's patch and map
    assert pictures(at) == 1 + 3 + 6 + 3 + 2


def test_the_drawing_from_the_draw_page_is_explained(open_page):
    at = open_page("pages/inside.py", timeout=60, visit_draw_page_first=True)
    at.session_state["drawing"] = canvas_rgba(8)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.info  # no "draw first" message
    assert "The network reads **8**" in texts(at.markdown)
    assert pictures(at) == 15
    choice = at.selectbox[0]
    assert choice.value == 8
    assert choice.format_func(8) == "8 (predicted)"

    choice.select(3).run()  # the evidence for another digit
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox[0].value == 3
    assert pictures(at) == 15


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
    assert [h.value for h in at.header] == ["The formulas on your drawing"]  # no filters, maps
    assert pictures(at) == 1 + 1  # the input and the saliency map
