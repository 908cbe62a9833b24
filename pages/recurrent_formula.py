"""Inside the CNN, "The formulas on your drawing", for a recurrent network: one LSTM step.

The learner picks a step t (the rows read so far) and a unit, and sees each gate's sum, the cell
state cₜ and the output hₜ computed term by term with the network's own weights, beside Keras's
own LSTM run on the same rows. UI only: the arithmetic is `model.formulas`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from matplotlib import colormaps
from PIL import Image, ImageDraw

from model import formulas
from pages.formatting import factor, fixed, number
from pages.formula_grids import OUTLINE, outlined


@st.cache_data(show_spinner=False, max_entries=16)
def recurrent_steps(_network, key: tuple, image: np.ndarray) -> list[formulas.LstmStep]:
    return formulas.lstm_steps(_network, image)


def recurrent_formula(network, key: tuple, image: np.ndarray, prediction) -> None:
    steps = recurrent_steps(network, key, image)
    units = len(steps[0].h)
    neuron = formulas.output_neuron(network, image, prediction.digit)
    decisive = int(neuron.top(1)[0])  # the unit that moves the answer most
    t = st.slider("Step t: the LSTM has read rows 1 to t", 1, 28, 14, key="formula_step")
    unit = st.selectbox(
        f"Unit of the {units}",
        range(units),
        index=decisive,
        format_func=lambda u: f"unit {u}" + (" (sways the answer most)" if u == decisive else ""),
    )
    step = steps[t - 1]
    states = np.stack([s.h for s in steps[:t]] + [np.zeros(units)] * (28 - t))  # (28, units)
    paint = (colormaps["RdBu_r"]((states + 1) / 2)[..., :3] * 255).astype(np.uint8)
    picture = Image.fromarray(paint).resize((units * 4, 28 * 6), Image.NEAREST)
    ImageDraw.Draw(picture).rectangle([unit * 4 - 1, 0, unit * 4 + 4, 28 * 6 - 1], outline=OUTLINE)
    left, right = st.columns([1, 3])
    left.image(
        outlined(np.asarray(image).reshape(28, 28), (t - 1, 0, 1, 28)),
        caption=f"row {t} is xₜ",
        alt=f"The 28×28 input with row {t} outlined: the 28 pixels the LSTM reads at step {t}.",
    )
    right.image(
        picture,
        caption=f"the state h after steps 1 to {t}: a row per step, a column per unit (red +, "
        f"blue −), unit {unit} outlined",
        alt=f"The LSTM's state after each of steps 1 to {t}, {units} units each, red where a unit "
        f"is positive and blue where negative; unit {unit} ends step {t} at {step.h[unit]:+.3f}.",
    )
    gates = pd.DataFrame(
        {
            "W·xₜ": step.input_terms[:, unit],
            "U·hₜ₋₁": step.recurrent_terms[:, unit],
            "b": step.bias[:, unit],
            "sum": step.sums[:, unit],
            "gate": step.gates[:, unit],
        },
        index=pd.Index([f"{g} ({formulas.GATE_NAMES[g]})" for g in formulas.GATES], name="gate"),
    ).map(number)
    st.markdown(f"**Step {t}, unit {unit}**: each gate is f(W·xₜ + U·hₜ₋₁ + b), σ or tanh")
    st.table(gates)
    i, f, candidate, o = step.gates[:, unit]
    own = formulas.own_lstm_state(network, image, t)[unit]
    st.markdown(
        f"cₜ = f·cₜ₋₁ + i·c̃ = {fixed(f, 3)}·{factor(step.c_before[unit])} + {fixed(i, 3)}·"
        f"{factor(candidate)} = {fixed(step.c[unit])}  \n"
        f"then hₜ = o·tanh(cₜ) = {fixed(o, 3)}·{factor(np.tanh(step.c[unit]))} = "
        f"**{fixed(step.h[unit])}**  \nKeras's own LSTM, run on rows 1 to {t}: **{fixed(own)}**"
    )
