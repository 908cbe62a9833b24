"""Robustness: change the drawing a little and see whether the network still reads the same digit.

UI only: the changes come from `model.robustness`, every changed drawing goes through the app's
normal preprocessing and the serving model (`Predictor.classify`), exactly as a drawing on the
Draw page does.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from PIL import Image

from model.drawings import sample_drawing
from model.preprocess import to_gray, white_on_black
from model.robustness import transform_drawing, variant_strip
from pages.announcer import announce
from pages.entry import ensure_app_entry
from pages.pictures import THUMBNAIL, enlarge
from pages.readout import answer, answer_line, answer_words
from pages.resources import active_predictor, network_key

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

SAMPLE_DIGIT = 7
# The full-size drawings' width: two side by side fit a small phone's 288 px, so on a phone the
# pictures and the answer come first and the sliders just under them, all on one screen.
PICTURE = 136
FRAME = "#808080"  # the pictures' edge, seen on both themes
# A card holds two pictures side by side, the gap between them and its own padding.
CARD_PX = 2 * THUMBNAIL + 16 + 2 * 17


NEUTRAL = {"rob_dx": 0, "rob_dy": 0, "rob_angle": 0, "rob_scale": 1.0, "rob_thickness": 0}


def reset_controls() -> None:
    st.session_state.update(NEUTRAL)


def verdict(prediction) -> str:
    return answer_words(prediction, nothing="nothing left to read")


@st.cache_data(show_spinner=False, max_entries=32)
def strip_readings(_predictor, key: tuple, gray: np.ndarray) -> list[tuple]:
    """(label, drawing, 28x28 or None, `answer`, `verdict`) for every variant."""
    rows = []
    for label, variant in variant_strip(gray):
        prediction = _predictor.classify(variant)
        image = None if prediction is None else prediction.preprocessed.image
        rows.append((label, variant, image, answer(prediction), verdict(prediction)))
    return rows


st.title("Robustness")
st.caption(
    "Would the network still read your digit if you had drawn it a little to the side, turned, "
    "smaller or bigger, or with a thinner or thicker pen? Each change is made to the full-size "
    "drawing, which then goes through the same preprocessing and model as on the Draw page."
)

predictor, _ = active_predictor()
drawing = st.session_state.get("drawing")
gray = white_on_black(to_gray(drawing)) if drawing is not None else None
original = predictor.classify(gray) if gray is not None else None
if original is None:
    st.info(
        f"Draw a digit on the Draw page first. Until then, this page uses a sample {SAMPLE_DIGIT}."
    )
    gray = sample_drawing(SAMPLE_DIGIT)
    original = predictor.classify(gray)

st.header("1 · Change it yourself", divider="gray")
shown, controls = st.columns([3, 2], gap="large")  # on a phone: what changed, then the sliders
for key, neutral in NEUTRAL.items():  # the sliders' start, set once: Reset sets them again
    st.session_state.setdefault(key, neutral)
with controls:
    dx = st.slider("Shift right (px)", -140, 140, step=5, key="rob_dx")
    dy = st.slider("Shift down (px)", -140, 140, step=5, key="rob_dy")
    angle = st.slider("Turn (degrees, anticlockwise)", -45, 45, key="rob_angle")
    scale = st.slider("Size", 0.5, 1.5, step=0.05, key="rob_scale")
    thickness = st.slider("Pen thicker (+) or thinner (−), px a side", -10, 15, key="rob_thickness")
    st.button("Reset", key="rob_reset", on_click=reset_controls)
changed = transform_drawing(gray, dx=dx, dy=dy, angle=angle, scale=scale, thickness=thickness)
prediction = predictor.classify(changed)
with shown:
    # A row that wraps, not columns: beside each other where they fit, one under the other on a
    # tablet, never cut off. Framed in mid grey (3.9:1 on white, 5.3:1 on black): on the dark
    # theme's black page a black picture has no edge, and a digit moved off it seems cut in air.
    st.html(f"<style>.st-key-rob_pair img {{ outline: 1px solid {FRAME}; }}</style>")
    pair = st.container(horizontal=True, key="rob_pair")
    pair.image(
        Image.fromarray(gray),
        caption="as drawn",
        width=PICTURE,
        alt=f"The drawing as drawn, read as {verdict(original)}.",
    )
    pair.image(
        Image.fromarray(changed),
        caption="changed",
        width=PICTURE,
        alt=f"The drawing changed by the sliders, read as {verdict(prediction)}.",
    )
    # The 28x28 and the answer side by side on a phone too: a row that wraps only when it must.
    reading = st.container(horizontal=True, vertical_alignment="center")
    if prediction is None:
        reading.warning("Nothing is left that the preprocessing takes for a drawing.")
    else:
        reading.image(
            enlarge(prediction.preprocessed.image, 112),
            caption="what it reads, 28×28",
            alt=f"The changed drawing as the network reads it, 28×28: {verdict(prediction)}.",
        )
        with reading.container(width=200):
            st.metric(
                "Prediction",
                answer(prediction),
                delta=None if answer(prediction) == answer(original) else "changed",
                delta_color="inverse",
            )
            st.markdown(f"{answer_line(prediction)} · as drawn it reads **{verdict(original)}**")
            if answer(prediction) != answer(original):
                st.error(
                    f"The change flipped the answer from {verdict(original)} to "
                    f"{verdict(prediction)}."
                )
    announce(f"The changed drawing is read as {verdict(prediction)}.", key="announce_change")
st.caption(
    "The preprocessing crops the ink, scales it to 20 px and centres it, so shifting or resizing "
    "alone changes nothing the network sees until part of the digit leaves the canvas (or, when "
    "resizing, the pen width changes relative to the digit). Turning and the pen width change "
    "what it sees at once."
)

st.header("2 · Many changes at once", divider="gray")
st.caption(
    f"The drawing as it is, turned, resized, drawn with another pen, and moved towards each "
    f"corner. Red marks a change that makes the network answer something other than "
    f"{'“not a digit”' if original.rejected else original.digit}."
)
rows = strip_readings(predictor, network_key(predictor), gray)
flips = [label for label, _, _, answered, _ in rows if answered != answer(original)]
if flips:
    st.warning(f"The answer flips for {len(flips)} of {len(rows) - 1} changes: {', '.join(flips)}.")
elif original.rejected:
    st.info("The network answers “not a digit” under every change below.")
else:
    st.success(f"The network reads {original.digit} under every change below.")
# One row that wraps, of cards as wide as two pictures: as many to a row as the width holds
# (columns would squeeze the pictures on a tablet with the sidebar open).
cards = st.container(horizontal=True, gap="small")
for label, variant, image, answered, read in rows:
    with cards.container(border=True, width=CARD_PX):
        pictures = st.container(horizontal=True, gap="small")
        # A set width: a caption wider than the picture ("moved down-right") would widen it and
        # push the 28x28 beside it under it.
        pictures.image(
            Image.fromarray(variant).resize((THUMBNAIL, THUMBNAIL)),
            caption=label,
            width=THUMBNAIL,
            alt=f"The drawing {label}: read as {read}.",
        )
        if image is not None:
            pictures.image(
                enlarge(image, THUMBNAIL),
                caption="28×28",
                width=THUMBNAIL,
                alt=f"It {label}, 28×28: {read}.",
            )
        if image is None:
            st.markdown(":red[**nothing left**]")
        elif answered != answer(original):
            st.markdown(f":red-background[**→ {read}**]")
        else:
            st.markdown(f":green[**{read}**]")
