"""Draw: the home page. Draw a digit and watch the network read it, stroke by stroke."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from model.serving import uploads
from model.serving.corrections import label_text
from model.testsets import mnist_drawing, mnist_test
from model.train_config import ARCH_DESCRIPTIONS
from pages.announcer import announce
from pages.canvas_component import adapt_canvas
from pages.canvas_state import (
    SAMPLE_KEY,
    clear_canvas,
    drop_sample,
    open_canvas,
    pixels_to_read,
    share_with_other_pages,
)
from pages.columns import wrapping_columns
from pages.correction_widget import correction_widget
from pages.drawing_layout import drawing_sides, style_drawing_row
from pages.entry import ensure_app_entry
from pages.formatting import plain
from pages.links import copy_link, new_in_link
from pages.pictures import THUMBNAIL, enlarge
from pages.readout import answer_words, show_answer, show_details, spoken_answer
from pages.resources import active_predictor

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

CANVAS = 280
CANVAS_KEY = "canvas"


def try_mnist_digit() -> None:
    """The "Try an MNIST digit" callback: the canvas empties and a random test digit is read."""
    clear_canvas()
    index = int(np.random.default_rng().integers(len(mnist_test().labels)))
    st.session_state[SAMPLE_KEY] = index


def sample_from_link() -> None:
    """A shared link's `?sample=N` reads MNIST test digit N, once; a bad N loads nothing, with a
    note. The link is read, never written (see pages/links.py)."""
    asked = new_in_link("sample")
    if asked is None:
        return
    if asked.isdigit() and int(asked) < len(mnist_test().labels):
        st.session_state[SAMPLE_KEY] = int(asked)
    else:
        st.session_state["sample_note"] = (
            f"The link asked for MNIST test digit {asked[:12]!r}; there are 10,000, numbered 0 to "
            "9999, so nothing is loaded."
        )


@st.fragment
def drawing_area() -> None:
    """Canvas and prediction in one fragment: a stroke reruns only this part of the page."""
    left, right = drawing_sides()
    with left:
        answer = st.container()  # filled once the canvas has sent the drawing, shown above it
        # The canvas's toolbar floats above it: room for it, and the slider under the canvas
        # (above, the toolbar covered its track). Its value from the last run sets the pen.
        st.space(24)
        canvas = st_canvas(
            stroke_width=st.session_state.get("pen_width", 20),
            stroke_color="#FFFFFF",
            background_color="#000000",
            width=CANVAS,
            height=CANVAS,
            drawing_mode="freedraw",
            # Set when the page opens, and by Clear: a mounted canvas reloads it in place.
            initial_drawing=st.session_state["canvas_start"],
            return_image_data=True,
            key=CANVAS_KEY,
        )
        st.slider("Pen width", 8, 40, 20, key="pen_width", persist_state="session")
        clear, sample = st.columns([2, 3])  # room for "Try an MNIST digit" in one line
        clear.button("Clear", icon=":material/ink_eraser:", on_click=clear_canvas, width="stretch")
        sample.button(
            "Try an MNIST digit",
            icon=":material/casino:",
            on_click=try_mnist_digit,
            width="stretch",
        )
    strokes = canvas.json_data
    pixels, fingerprint = pixels_to_read(strokes, canvas.image_data)
    drawn = fingerprint is not None and pixels is not None
    if drawn:
        drop_sample()  # a stroke on the canvas: the user's own drawing is read again
    elif st.session_state.get(SAMPLE_KEY) is not None:
        pixels, _ = mnist_drawing(st.session_state[SAMPLE_KEY], CANVAS)
    predictor, _ = active_predictor()
    prediction = predictor.classify(pixels) if pixels is not None else None
    share_with_other_pages(prediction, pixels, strokes if drawn else None, fingerprint)
    index = st.session_state.get(SAMPLE_KEY) if prediction is not None else None
    true_label = None if index is None else int(mnist_test().labels[index])
    with answer:
        # An MNIST digit's picture beside the answer, not above it: the canvas, and the button
        # under the finger that asked for the digit, stay where they were.
        row = st.container(horizontal=True, gap="small")
        with row.container():
            show_answer(prediction)
        if index is not None:
            row.image(
                enlarge(mnist_test().inputs[index], THUMBNAIL),
                caption=f"true label {true_label}",
                width=THUMBNAIL,
                alt=f"MNIST test digit {index}, written as {label_text(true_label)}",
            )
        if note := st.session_state.pop("sample_note", None):
            st.info(note)
    with right:
        if index is not None:
            st.caption(f"MNIST test digit {index} · true label {true_label}")
            copy_link({"sample": str(index)}, "Copy a link to this digit")
        show_details(prediction)
        if st.session_state.get(SAMPLE_KEY) is None:
            correction_widget(prediction)
        elif prediction is not None:
            # Saved under another label, a test digit would teach fine-tuning the test set wrong.
            st.caption(
                "An MNIST test digit keeps its true label: only your own drawings can be saved "
                "with “Wrong? It's a”."
            )
        announce(spoken_answer(prediction), key="announce_drawing")


def upload_area() -> None:
    megabytes = uploads.MAX_BYTES // 2**20
    upload = st.file_uploader(
        f"An image of a digit ({uploads.FORMATS_TEXT}, up to {megabytes} MB)",
        type=list(uploads.EXTENSIONS),
        max_upload_size=megabytes,  # the browser refuses a larger file before sending it
        help=f"At most {uploads.MAX_SIDE:,} pixels a side and {uploads.MAX_PIXELS / 1e6:.1f} "
        "million in all: a phone's photo may need shrinking first.",
    )
    if upload is None:
        return
    try:
        image = uploads.read_image(upload.getvalue(), name=upload.name)
    except uploads.ImageRejected as err:
        st.error(plain(f"Cannot read it: {err}."))
        return
    predictor, _ = active_predictor()
    prediction = predictor.classify(image)
    # The answer above the picture, as on the Draw tab: on a phone the picture is 280 px tall.
    show_answer(prediction, plain(f"No ink found in {upload.name}: it looks blank."))
    left, right = wrapping_columns([1, 1], CANVAS, key="upload_sides", gap="large")
    shown = uploads.displayable(image, longest=2 * CANVAS)
    left.image(
        shown,
        caption=plain(upload.name),
        width=CANVAS,
        alt=f"The uploaded image: read as {answer_words(prediction, 'nothing, it looks blank')}.",
    )
    if prediction is not None:
        left.caption("Inside the CNN, Robustness and Compare now read this image, not the canvas.")
        with right:
            show_details(prediction)
        # Every run of the page shows the upload again; only a new one is what pages read.
        if st.session_state.get("upload_read") != upload.file_id:
            st.session_state["upload_read"] = upload.file_id
            # 16-bit images scaled, not clipped to white
            st.session_state["drawing"] = np.asarray(
                uploads.displayable(image, 4096).convert("RGBA")
            )
            st.session_state["strokes"] = None
    announce(spoken_answer(prediction, "No ink found: it looks blank."), key="announce_upload")


st.title("Draw a digit")
serving = active_predictor()[0].version
arch = serving.meta.get("arch", "") if serving else ""
st.caption(
    "Draw a digit from 0 to 9 with your mouse or finger. After every stroke the serving network"
    + (f" (`{arch}`)" if arch in ARCH_DESCRIPTIONS else "")
    + " reads your drawing the way it read MNIST: cropped, scaled to 20 px, centred in 28×28."
)
sample_from_link()
draw_tab, upload_tab = st.tabs(["Draw", "Upload"])
with draw_tab:
    style_drawing_row()
    open_canvas()
    drawing_area()
    adapt_canvas()
with upload_tab:
    upload_area()
