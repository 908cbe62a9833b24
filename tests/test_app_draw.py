"""The Draw page under AppTest: "Try an MNIST digit" and the links that open one."""

from __future__ import annotations

import pytest

from model.testsets import mnist_test
from tests.conftest import APP
from tests.hostile import texts

pytestmark = pytest.mark.slow

DIGITS = {str(d) for d in range(10)}


def prediction(at) -> str:
    [metric] = [m for m in at.metric if m.label == "Prediction"]
    return metric.value


def test_try_an_mnist_digit_reads_a_test_digit_and_offers_its_link(open_page):
    at = open_page("pages/draw.py")
    assert prediction(at) == "–"
    assert "the serving network (`studio_cnn`) reads your drawing" in texts(at.caption)
    [button] = [b for b in at.button if b.label == "Try an MNIST digit"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "sample" not in at.query_params  # never written: it would follow to other pages
    [caption] = [c for c in texts(at.caption).split("\n") if c.startswith("MNIST test digit")]
    index = int(caption.split()[3])
    label = int(mnist_test().labels[index])
    assert caption == f"MNIST test digit {index} · true label {label}"
    assert at.code[-1].value.endswith(f"?sample={index}")
    assert prediction(at) in DIGITS | {"?"}
    # Its label is MNIST's: no "Wrong? It's a" to save a test digit as something else.
    assert not [b for b in at.button if b.key in ("correction_save", "correction_not_a_digit")]
    assert "only your own drawings can be saved" in texts(at.caption)
    [clear] = [b for b in at.button if b.label == "Clear"]
    clear.click().run()
    assert prediction(at) == "–" and "sample" not in at.query_params


def test_a_link_opens_the_same_mnist_digit(home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["sample"] = "0"  # MNIST's first test digit: a clear 7
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert prediction(at) == str(int(mnist_test().labels[0])) == "7"
    assert "MNIST test digit 0 · true label 7" in texts(at.caption)
    [clear] = [b for b in at.button if b.label == "Clear"]
    clear.click().run()  # the link is applied once: Clear empties the canvas for good
    assert prediction(at) == "–" and at.query_params["sample"] == "0"


@pytest.mark.parametrize("asked", ["abc", "10000", "-1"])
def test_a_bad_link_falls_back_with_a_note(home, asked):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["sample"] = asked
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert prediction(at) == "–"
    assert "nothing is loaded" in texts(at.info)
    at.run()
    assert "nothing is loaded" not in texts(at.info)  # said once
