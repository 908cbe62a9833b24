"""Draw: the home page. Draw a digit and watch the network read it, stroke by stroke."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from model.uploads import MAX_BYTES, ImageRejected, read_image
from pages.resources import active_predictor

CANVAS = 280
UNSURE_BELOW = 0.6  # below this confidence the page says the model is unsure


def enlarge(image: np.ndarray, size: int = 140) -> Image.Image:
    """A small grayscale array as a crisp, blocky picture (the browser would blur it)."""
    array = image if image.dtype == np.uint8 else (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(array).resize((size, size), Image.Resampling.NEAREST)


def show_prediction(prediction) -> None:
    """The metric, the probabilities, and what the network actually read."""
    if prediction is None:
        st.metric("Prediction", "–")
        st.info("Draw a digit: nothing is drawn yet.")
        return
    (first, p1), (second, p2) = prediction.top(2)
    st.metric("Prediction", str(first), help="the digit with the highest probability")
    st.markdown(f"Confidence **{p1:.1%}**")
    if p1 < UNSURE_BELOW:
        st.warning(f"The model is unsure: {first} ({p1:.0%}) or {second} ({p2:.0%})?")
    digits = [str(d) for d in range(10)]
    chart = pd.DataFrame({"digit": digits, "probability": prediction.probabilities})
    st.bar_chart(chart, x="digit", y="probability", height=220, sort=False)
    steps = prediction.preprocessed
    top, left, bottom, right = steps.box
    with st.expander("What the network reads", expanded=True):
        cols = st.columns(3)
        crop = Image.fromarray(steps.gray[top:bottom, left:right])
        cols[0].image(crop, caption="cropped to the ink", width=90)
        cols[1].image(Image.fromarray(steps.scaled), caption="longest side 20 px", width=90)
        cols[2].image(enlarge(steps.image, 90), caption="28×28, centred by mass")


@st.fragment
def drawing_area() -> None:
    """Canvas and prediction in one fragment: a stroke reruns only this part of the page."""
    st.session_state.setdefault("canvas_round", 0)
    left, right = st.columns([1, 1], gap="large")
    with left:
        pen = st.slider("Pen width", 8, 40, 20, key="pen_width")
        canvas = st_canvas(
            stroke_width=pen,
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS,
            height=CANVAS,
            drawing_mode="freedraw",
            return_image_data=True,
            key=f"canvas_{st.session_state.canvas_round}",
        )
        if st.button("Clear", icon="🧹"):
            st.session_state.canvas_round += 1  # a new key mounts a fresh, empty canvas
            st.session_state.pop("drawing", None)
            st.rerun(scope="fragment")
    pixels = canvas.image_data
    predictor, _ = active_predictor()
    prediction = predictor.classify(pixels) if pixels is not None else None
    if prediction is None:
        st.session_state.pop("drawing", None)
    else:
        st.session_state["drawing"] = pixels  # the Inside page looks at the same drawing
    with right:
        show_prediction(prediction)


def upload_area() -> None:
    upload = st.file_uploader(
        f"…or upload an image of a digit (PNG or JPEG, up to {MAX_BYTES // 2**20} MB)",
        type=["png", "jpg", "jpeg"],
    )
    if upload is None:
        return
    try:
        image = read_image(upload.getvalue())
    except ImageRejected as err:
        st.error(f"Cannot read {upload.name}: {err}")
        return
    predictor, _ = active_predictor()
    prediction = predictor.classify(image)
    left, right = st.columns([1, 1], gap="large")
    left.image(image, caption=upload.name, width=CANVAS)
    with right:
        show_prediction(prediction)
    if prediction is not None:
        st.session_state["drawing"] = np.asarray(image.convert("RGBA"))


st.title("Draw a digit")
st.caption(
    "Draw a digit from 0 to 9 with the mouse. After every stroke the convolutional network reads "
    "your drawing the way it read MNIST: cropped, scaled to 20 px, centred in 28×28."
)
draw_tab, upload_tab = st.tabs(["Draw", "Upload"])
with draw_tab:
    drawing_area()
with upload_tab:
    upload_area()
