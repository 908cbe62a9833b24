"""Inside the CNN's "The formulas on your drawing" under AppTest: each formula computed by hand
shows the same value as the network's own output, for the default network, and the recurrent
step for the rnn; picking another cell, digit or step recomputes it."""

from __future__ import annotations

import re

import pytest

from model.serving.store import ModelStore

pytestmark = pytest.mark.slow


def bold_figures(at) -> list[float]:
    """The bold numbers of the section's formula lines, in order (percent signs dropped)."""
    text = "\n".join(str(m.value) for m in at.markdown)
    return [float(v) for v in re.findall(r"\*\*([-+]?\d+\.\d+)%?\*\*", text)]


def hand_and_own(at) -> tuple[float, float]:
    *_, hand, own = bold_figures(at)
    return hand, own


def test_the_cnn_formulas_equal_the_networks_own_values(open_page):
    at = open_page("pages/inside.py", timeout=90, visit_draw_page_first=True)
    assert "5 · The formulas on your drawing" in [h.value for h in at.header]
    kind = at.radio[0]
    assert kind.options == ["A convolution cell", "A pooling cell", "An output neuron"]
    hand, own = hand_and_own(at)
    assert hand == own and hand > 0  # it opens on the strongest cell: a ReLU that fired
    assert len(at.table) == 3  # patch, kernel, products
    assert "0 (pad)" not in str(at.table[0].value)
    # The pixels and products by their place in the image, the weights by theirs in the kernel.
    kernel = at.table[1].value
    assert kernel.index.name == "kernel" and list(kernel.columns) == ["col 0", "col 1", "col 2"]
    assert at.table[0].value.index.name == at.table[2].value.index.name == "image"
    assert list(at.table[0].value.columns) == list(at.table[2].value.columns)
    assert not any("-0.000" in str(t.value) for t in at.table)
    lines = "\n".join(str(m.value) for m in at.markdown)
    assert "\nthen ReLU(C)" in lines and "· ReLU" not in lines  # two formulas, not a product

    at.slider(key="formula_conv_row_28x28x16").set_value(0).run()
    at.slider(key="formula_conv_col_28x28x16").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.table[0].value == "0 (pad)").to_numpy().sum() == 5  # 'same' pads the corner
    said = "\n".join(str(c.value) for c in at.caption)
    assert "the image's row -1, column -1 (outside the image: padding, 0)" in said
    hand, own = hand_and_own(at)
    assert hand == own

    kind.set_value("A pooling cell").run()
    assert not at.exception, [e.value for e in at.exception]
    hand, own = hand_and_own(at)
    assert hand == own and hand > 0
    assert at.table[0].value.shape == (2, 2)

    at.radio[0].set_value("An output neuron").run()
    assert not at.exception, [e.value for e in at.exception]
    hand, own = hand_and_own(at)
    assert hand == own and hand > 50  # the sample 3, read as a 3
    assert "temperature T =" in "\n".join(str(c.value) for c in at.caption)
    at.selectbox(key="formula_digit").set_value(8).run()
    hand, own = hand_and_own(at)
    assert hand == own and hand < 50


def test_the_rnn_steps_through_the_rows(open_page):
    ModelStore().activate("rnn")
    at = open_page("pages/inside.py", timeout=90, visit_draw_page_first=True)
    assert "5 · The formulas on your drawing" in [h.value for h in at.header]
    assert at.radio[0].options == ["A recurrent step", "An output neuron"]
    hand, own = hand_and_own(at)
    assert hand == own
    gates = at.table[0].value
    assert list(gates.columns) == ["W·xₜ", "U·hₜ₋₁", "b", "sum", "gate"]
    assert len(gates) == 4
    first = hand
    at.slider(key="formula_step").set_value(28).run()
    assert not at.exception, [e.value for e in at.exception]
    hand, own = hand_and_own(at)
    assert hand == own and hand != first
