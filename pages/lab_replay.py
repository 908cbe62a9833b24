"""The explanation lab's replays: the answer after each stroke of the drawing, and the `rnn`
network's answer after each row it reads. UI only; see `pages/explanation_lab.py`."""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from model import describe, figures, replay


@st.cache_data(show_spinner=False, max_entries=64)
def stroke_picture(_predictor, key: tuple, strokes_json: str) -> tuple[bytes, str, str] | None:
    strokes = replay.canvas_strokes(json.loads(strokes_json))
    if not strokes:
        return None
    answers = replay.by_stroke(_predictor, strokes)
    sentence = replay.change_sentence(answers.answers)
    fig = figures.progress_figure(answers.probabilities, "after stroke", answers=answers.answers)
    alt_text = describe.progress_alt("strokes", answers.answers, sentence)
    return figures.to_png(fig), alt_text, sentence


@st.cache_data(show_spinner=False, max_entries=64)
def row_picture(_predictor, key: tuple, image: np.ndarray) -> tuple[bytes, str, str]:
    probabilities = replay.answers_by_row(_predictor.network, image, _predictor.calibration)
    answers = replay.row_answers(probabilities)
    sentence = replay.change_sentence(answers, unit="row")
    fig = figures.progress_figure(probabilities, "after row (top to bottom)", width=7.0)
    return figures.to_png(fig), describe.progress_alt("rows", answers, sentence), sentence


def show_strokes(predictor, key: tuple) -> None:
    st.markdown(
        "Your drawing replayed one stroke at a time: after each stroke, the ten probabilities "
        "the network would have given had you stopped there (darker is more likely; the digit "
        "written in each column is its answer)."
    )
    strokes = st.session_state.get("strokes") if "drawing" in st.session_state else None
    objects = (strokes or {}).get("objects") if isinstance(strokes, dict) else None
    shown = stroke_picture(predictor, key, json.dumps({"objects": objects})) if objects else None
    if shown is None:
        st.info(
            "Stroke by stroke needs a drawing made on the Draw page's canvas: an uploaded "
            "image, an MNIST digit or the sample has no strokes to replay.",
            icon=":material/gesture:",
        )
    else:
        png, alt_text, sentence = shown
        st.markdown(f"**{sentence}**")
        st.image(png, alt=alt_text)


def show_rows(predictor, key: tuple, image: np.ndarray) -> None:
    network = predictor.network
    st.markdown("### Row by row")
    if replay.recurrent_layer(network) is None:
        st.caption(
            f"Only a recurrent network reads the image row by row; {network.name} sees it all "
            "at once. Activate the `rnn` version on the Training page to watch it read."
        )
        return
    png, alt_text, sentence = row_picture(predictor, key, image)
    st.markdown(
        f"The `rnn` network reads the 28 rows of the input top to bottom, one at a time. Its "
        f"answer after each row, had the image ended there: **{sentence}**"
    )
    st.image(png, alt=alt_text)
