"""Links a teacher can share, under AppTest: "Try an MNIST digit" and `?sample=N` on the Draw
page, `?version=` and `?compare=` on Evaluation, `?digit=` on Inside the CNN."""

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


def test_try_an_mnist_digit_reads_a_test_digit_and_keeps_it_in_the_link(open_page):
    at = open_page("pages/draw.py")
    assert prediction(at) == "–"
    [button] = [b for b in at.button if b.label == "Try an MNIST digit"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    index = int(at.query_params["sample"])
    label = int(mnist_test().labels[index])
    assert f"MNIST test digit {index} · true label {label}" in texts(at.caption)
    assert prediction(at) in DIGITS | {"?"}
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


@pytest.mark.parametrize("asked", ["abc", "10000", "-1"])
def test_a_bad_link_falls_back_with_a_note(home, asked):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["sample"] = asked
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert prediction(at) == "–"
    assert "The link asked for MNIST test digit" in texts(at.info)
    assert "sample" not in at.query_params


def test_a_link_opens_the_evaluation_of_two_versions(open_page, home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["version"] = "seed_cnn"
    at.query_params["compare"] = "mlp"
    at.switch_page("pages/evaluation.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="evaluation_version").value == "seed_cnn"
    assert at.selectbox(key="evaluation_compare").value == "mlp"
    assert "A = seed_cnn vs B = mlp" in texts(at.header)


def test_a_link_to_a_missing_version_falls_back_with_a_note(home):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["version"] = "no-such-version"
    at.switch_page("pages/evaluation.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="evaluation_version").value == "default"
    assert "The link asked for the version" in texts(at.info)
    assert at.query_params["version"] == "default"


@pytest.mark.parametrize(("asked", "shown"), [("3", 3), ("x", None)])
def test_a_link_picks_the_digit_inside_the_cnn_explains(home, asked, shown):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["digit"] = asked
    at.switch_page("pages/inside.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [choice] = [s for s in at.selectbox if s.label == "Explain the evidence for the digit"]
    if shown is None:  # the sample 3 is explained for what it reads, after a note
        assert "The link asked for the digit" in texts(at.info)
    else:
        assert choice.value == shown
    assert at.query_params["digit"] == str(choice.value)
