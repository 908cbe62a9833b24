"""The explanation lab's picture of what the network has learned: a prototype of each digit,
and the MNIST test digits that excite a chosen filter most. UI only; see
`pages/explanation_lab.py`."""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from model import explain, prototypes
from pages.lab_neighbours import mnist_arrays
from pages.pictures import THUMBNAIL, enlarge


@st.cache_resource(show_spinner=False, max_entries=8)
def learned(_predictor, key: tuple) -> tuple[tuple, dict[str, np.ndarray]]:
    network, version = _predictor.network, _predictor.version
    return prototypes.prototypes_for(network, version), prototypes.top_inputs_for(network, version)


def show_learned(predictor, key: tuple) -> None:
    st.markdown(
        "**What the network thinks each digit looks like.** Each picture starts as the same "
        "blurred blob (the average training digit) and is changed, pixel by pixel, to raise one "
        "digit's score as high as it goes, while staying smooth (a little blur, no speckle) and "
        "working when shifted by a pixel or two, as real strokes do."
    )
    with st.spinner("Drawing the ten prototypes and ranking the test digits, once per version…"):
        (images, probability, from_own_mean), tops = learned(predictor, key)
    st.image(
        [enlarge(image, THUMBNAIL) for image in images],
        caption=[f"{d} · {p:.0%}" for d, p in enumerate(probability)],
        alt=[
            f"The network's prototype of the digit {d}: an image it reads as {d} with "
            f"probability {p:.0%}."
            for d, p in enumerate(probability)
        ],
    )
    note = "Digit · the network's probability for its own prototype."
    if from_own_mean.any():
        digits = ", ".join(str(d) for d in np.flatnonzero(from_own_mean))
        note += (
            f" From the shared blob the climb found no way up for {digits}: those start from "
            "their own average training digit."
        )
    st.caption(note)
    if not tops:
        st.caption(
            f"{predictor.network.name} has no convolutional layers, so it has no filters whose "
            "favourite digits could be shown."
        )
        return
    st.markdown(
        "**The digits a filter likes most.** Pick a layer and a filter: the 9 MNIST test "
        "digits whose feature map for that filter reaches the highest value."
    )
    left, right = st.columns(2)
    layer = left.selectbox("Layer", list(tops), key="lab_filter_layer")
    count = len(tops[layer])
    number = right.number_input(
        f"Filter (0–{count - 1})", 0, count - 1, 0, key=f"lab_filter_{layer}"
    )
    kernel = explain.layer_filters(predictor.network, layer)[number]
    limit = float(np.abs(kernel).max()) or 1.0
    picture = Image.fromarray(((kernel / limit + 1) * 127.5).astype(np.uint8)).resize(
        (72, 72), Image.Resampling.NEAREST
    )
    test = mnist_arrays()
    found = tops[layer][number]
    st.image(
        [picture, *[enlarge(test.x_test[i], 72) for i in found]],
        caption=["the filter", *[f"#{i} · {test.y_test[i]}" for i in found]],
        alt=[
            f"Filter {number} of layer {layer}, its weights from dark (negative) to light "
            "(positive).",
            *[
                f"MNIST test digit {i}, a {test.y_test[i]}, among the strongest for filter "
                f"{number} of {layer}."
                for i in found
            ],
        ],
    )
