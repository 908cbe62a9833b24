"""The explanation lab's evidence: six attribution maps for the drawing, and the deletion test
of each (is the map true?). UI only; see `pages/explanation_lab.py`."""

from __future__ import annotations

import numpy as np
import streamlit as st

from model import attribution, describe, faithfulness, figures


@st.cache_data(show_spinner=False, max_entries=64)
def attributions(_network, key: tuple, image: np.ndarray, digit: int) -> dict:
    return attribution.attribute_all(_network, image, digit)


def panels_of(found: dict) -> list[tuple[str, np.ndarray | None]]:
    return [(attribution.NAMES[m], None if a is None else a.values) for m, a in found.items()]


@st.cache_data(show_spinner=False, max_entries=64)
def evidence_picture(_network, key: tuple, image: np.ndarray, digit: int) -> tuple[bytes, str]:
    panels = panels_of(attributions(_network, key, image, digit))
    fig = figures.signed_figure(image, panels)
    return figures.to_png(fig), describe.signed_maps_alt(digit, panels)


@st.cache_data(show_spinner=False, max_entries=64)
def deletion_picture(
    _network, key: tuple, image: np.ndarray, digit: int
) -> tuple[bytes, str, dict[str, float]]:
    found = attributions(_network, key, image, digit)
    curves = faithfulness.curves_for(_network, image, digit, found)
    rows = [
        (attribution.NAMES.get(k, "Random order"), c.removed, c.probability, c.auc)
        for k, c in curves.items()
        if c is not None
    ]
    areas = {label: auc for label, _, _, auc in rows}
    fig = figures.deletion_figure(rows, digit)
    return figures.to_png(fig), describe.deletion_alt(digit, areas), areas


def show_evidence(network, key: tuple, image: np.ndarray, digit: int) -> None:
    st.markdown(
        "Six answers to *which pixels counted for the digit, and which against it*, all about "
        "the same number: the digit's **score** before the softmax (its logit). **Red** is "
        "evidence for the digit, **blue** evidence against, white none; the outline is your "
        "drawing. **Integrated gradients** follows the score from a black image to your "
        "drawing and shares the change out among the pixels (the shares add up to it exactly). "
        "**Occlusion** hides each 4×4 patch in turn and sees how far the score falls. "
        "**SmoothGrad** averages the gradient over noisy copies: where *more* ink would raise "
        "the score. The CAMs and saliency show only evidence for the digit, never against it."
    )
    png, alt_text = evidence_picture(network, key, image, digit)
    st.image(png, alt=alt_text)
    found = attributions(network, key, image, digit)
    if (ig := found["integrated_gradients"]) is not None:
        st.caption(
            f"Integrated gradients, {ig.steps} steps: the attributions add up to "
            f"{float(ig.values.sum()):.2f}, the score difference from a black image is "
            f"{ig.score_gap:.2f}."
        )
    for method in attribution.CAMS:
        if (reason := attribution.why_not(network, method)) is not None:
            st.caption(reason)


def show_deletion(network, key: tuple, image: np.ndarray, digit: int) -> None:
    st.markdown(
        "A heat map is a claim: *these pixels mattered most*. The **deletion test** takes it at "
        "its word: it removes your drawing's pixels (sets them to black) in the order each "
        "method ranks them, 8 at a time, and records the probability of the digit after each "
        "step. If the map is right, the probability falls at once. The dashed line removes them "
        "in a random order. The **area** under each curve is in the legend: **smaller is more "
        "faithful**."
    )
    png, alt_text, areas = deletion_picture(network, key, image, digit)
    st.image(png, alt=alt_text)
    methods = {k: v for k, v in areas.items() if not k.startswith("Random")}
    best = min(methods, key=methods.get)
    st.caption(
        f"For this drawing, {best} is the most faithful (area {methods[best]:.2f}; random order "
        f"{areas['Random order']:.2f}). Over 200 MNIST test digits, integrated gradients and "
        "occlusion are the most faithful for each of the four shipped networks (median area about "
        "0.11, where a random order gives 0.37 to 0.49); Grad-CAM on the default network barely "
        "beats a random order (0.38 against 0.42)."
    )
