"""Inside the CNN, "The formulas on your drawing": one cell, neuron or step computed term by term.

The learner picks a cell of the first convolution layer (or of the pooling after it), a digit's
output neuron, or for a recurrent network a row the LSTM reads, and sees the article's formula
computed on their drawing with the network's own weights, beside the value the network itself
produced. UI only: the arithmetic is `model.formulas`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from model import explain, formulas
from pages.columns import wrapping_columns
from pages.formatting import fixed, number
from pages.formula_grids import grid_table, outlined
from pages.recurrent_formula import recurrent_formula


def cell_pickers(prefix: str, maps: np.ndarray, label: str) -> tuple[int, int, int]:
    """Channel, row and column chosen by the learner; first the strongest cell of the strongest
    channel. The keys carry the map's size, so another network starts afresh."""
    height, width, channels = maps.shape
    keys = [f"{prefix}_{name}_{height}x{width}x{channels}" for name in ("ch", "row", "col")]
    if keys[0] not in st.session_state:
        strongest = int(maps.reshape(-1, channels).max(axis=0).argmax())
        row, col = np.unravel_index(maps[..., strongest].argmax(), (height, width))
        st.session_state.update(zip(keys, (strongest, int(row), int(col)), strict=True))

    def go_to_strongest() -> None:
        channel = st.session_state[keys[0]]
        row, col = np.unravel_index(maps[..., channel].argmax(), (height, width))
        st.session_state.update({keys[1]: int(row), keys[2]: int(col)})

    pick, row_pick, col_pick = wrapping_columns([2, 3, 3], 160, key=f"{prefix}_pickers")
    channel = pick.selectbox(label, range(channels), key=keys[0])
    row = row_pick.slider("Row", 0, height - 1, key=keys[1])
    col = col_pick.slider("Column", 0, width - 1, key=keys[2])
    # Under all three: in the first column it would fall between Row and Column once they wrap.
    st.button("Its strongest cell", key=f"{prefix}_jump", on_click=go_to_strongest)
    return channel, row, col


def conv_formula(network, image: np.ndarray, own: dict[str, np.ndarray]) -> None:
    layer = formulas.first_conv(network)
    channel, row, col = cell_pickers("formula_conv", own[layer.name], f"Filter of {layer.name}")
    cell = formulas.conv_cell(network, image, channel, row, col)
    padded = int((~cell.inside).sum())
    pad_text = f", {padded} of them zeros beyond the edge ('same' padding)" if padded else ""
    margin = formulas.padding_before(layer)[0]
    left, right = st.columns(2)
    left.image(
        outlined(np.asarray(image).reshape(28, 28), (cell.top, cell.left, 3, 3), margin),
        caption=f"the 3×3 patch it reads{' (grey: padding)' if margin else ''}",
        alt=f"The 28×28 input with the 3×3 patch of cell ({row}, {col}) outlined: input rows "
        f"{cell.top} to {cell.top + 2}, columns {cell.left} to {cell.left + 2}{pad_text}.",
    )
    right.image(
        outlined(own[layer.name][..., channel], (row, col, 1, 1)),
        caption=f"{layer.name}, filter {channel}: the cell",
        alt=f"Feature map {channel} of {layer.name} with cell ({row}, {col}) outlined; its value "
        f"is {fixed(cell.value, 3)}.",
    )
    # A row that wraps: three tables side by side where they fit, never cut off on a tablet.
    line = st.container(horizontal=True, gap="medium")
    tables = [line.container(width="content") for _ in range(3)]
    pad = ~cell.inside
    # The pixels and their products by where they are in the image; the weights by where they
    # are in the kernel, since the same nine weights slide over every cell.
    tables[0].markdown("**Patch x** (the pixels, 0 to 1)")
    tables[0].table(grid_table(cell.patch, cell.top, cell.left, pad))
    tables[1].markdown("**Kernel w** (learned weights, the same at every cell)")
    tables[1].table(grid_table(cell.kernel, 0, 0, corner="kernel"))
    tables[2].markdown("**Products wᵢ·xᵢ** (each pixel times the weight at its place)")
    tables[2].table(grid_table(cell.products, cell.top, cell.left))
    outside = " (outside the image: padding, 0)" if min(cell.top, cell.left) < 0 else ""
    st.caption(
        f"Kernel row 0, column 0 multiplies the image's row {cell.top}, column {cell.left}"
        f"{outside}, and so on across the 3×3."
    )
    st.markdown(
        f"C(x) = Σ wᵢxᵢ + b = {fixed(cell.total)} + ({fixed(cell.bias)}) = "
        f"{fixed(cell.pre_activation)}  \n"
        f"then ReLU(C) = max(0, C) = **{fixed(cell.value)}**  \n"
        f"The network's own feature map at this cell: "
        f"**{fixed(own[layer.name][row, col, channel])}**"
    )


def pool_formula(network, image: np.ndarray, own: dict[str, np.ndarray]) -> None:
    layer = formulas.first_pool(network)
    channel, row, col = cell_pickers("formula_pool", own[layer.name], f"Channel of {layer.name}")
    cell = formulas.pool_cell(network, image, channel, row, col)
    source = own[cell.source][..., channel]
    left, right = st.columns(2)
    left.image(
        outlined(source, (cell.top, cell.left, 2, 2)),
        caption=f"{cell.source}, map {channel}: the 2×2 window",
        alt=f"Feature map {channel} of {cell.source} with the 2×2 window of pooling cell ({row}, "
        f"{col}) outlined: rows {cell.top}-{cell.top + 1}, columns {cell.left}-{cell.left + 1}.",
    )
    with right:
        st.markdown("**The window** (the largest is kept)")
        st.table(grid_table(cell.window, cell.top, cell.left, corner=cell.source))
    st.markdown(
        f"max of the four = **{fixed(cell.value)}** (at row {cell.top + cell.winner[0]}, column "
        f"{cell.left + cell.winner[1]})  \nThe network's own {layer.name} at this cell: "
        f"**{fixed(own[layer.name][row, col, channel])}**"
    )


def neuron_formula(network, image: np.ndarray, prediction, calibration) -> None:
    digit = st.selectbox(
        "Output neuron of the digit", range(10), index=prediction.digit, key="formula_digit"
    )
    neuron = formulas.output_neuron(network, image, digit)
    top = neuron.top(8)
    st.markdown(
        f"The neuron reads the {len(neuron.inputs)} outputs X of the layer before it. "
        f"The {len(top)} largest contributions wᵢxᵢ to its sum:"
    )
    rows = [[f"x{i}", number(neuron.inputs[i]), number(neuron.weights[i])] for i in top]
    table = pd.DataFrame(rows, columns=["input", "xᵢ", "wᵢ"])
    table["wᵢ·xᵢ"] = [number(neuron.contributions[i]) for i in top]
    st.table(table.set_index("input"))
    rest = neuron.contributions.sum() - neuron.contributions[top].sum()
    own = float(formulas.own_probabilities(network, image)[digit])
    st.markdown(
        f"z = w·X + b = {fixed(neuron.contributions[top].sum(), 3)} (these) + {fixed(rest, 3)} "
        f"(the other {len(neuron.inputs) - len(top)}) + ({fixed(neuron.bias, 3)}) = "
        f"**{fixed(neuron.logit, 3)}**  \n"
        f"then y = softmax(z) = e^z / Σ e^z over the ten digits = **{neuron.probability:.4%}**; "
        f"the network's own output: **{own:.4%}**"
    )
    answer = float(prediction.probabilities[digit])
    nudges = "averages its readings of the drawing nudged a pixel each way, then "
    nudges = nudges if calibration.nudged else ""
    st.caption(
        f"The app answers {answer:.2%}, not {neuron.probability:.2%}: it {nudges}divides the "
        f"logits by a temperature T = {calibration.temperature:.2f} fitted so that its confidence "
        f"means what it says: softmax(z / T) = {neuron.scaled(calibration.temperature):.2%} for "
        "this one reading."
    )


def show(network, key: tuple, image: np.ndarray, prediction, calibration, heading: str) -> None:
    """The section: `heading`, a choice of formula, and the chosen one computed on `image`."""
    st.header(heading, divider="gray")
    st.markdown(
        "Three formulas build these networks: a neuron y = f(w·X + b), a convolution "
        "C(x) = Σ wᵢxᵢ + b, a recurrent step hₜ = f(W·[hₜ₋₁, xₜ] + b). Here they are, computed "
        "on your drawing with the serving network's own weights, beside the value the network "
        "itself produced."
    )
    kinds = {layer.__class__.__name__ for layer in network.layers}
    choices = ["A convolution cell", "A pooling cell"] * ("Conv2D" in kinds)
    choices += ["A recurrent step"] * ("LSTM" in kinds) + ["An output neuron"]
    chosen = st.radio("Formula", choices, horizontal=True, key=f"formula_kind_{len(choices)}")
    if chosen in ("A convolution cell", "A pooling cell"):
        own = explain.feature_maps(network, image)
        (conv_formula if chosen == "A convolution cell" else pool_formula)(network, image, own)
    elif chosen == "A recurrent step":
        recurrent_formula(network, key, image, prediction)
    else:
        neuron_formula(network, image, prediction, calibration)
