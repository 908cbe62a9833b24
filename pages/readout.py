"""The Draw page's readout: the answer, why, the ten probabilities, and what the network read.

The Draw and Upload tabs show a drawing's and an upload's reading the same way.
"""

from __future__ import annotations

import streamlit as st

from model.describe import confidence_text
from model.serving.corrections import label_text
from pages.pictures import enlarge, squared
from pages.probability_bars import probability_bars


def answer(prediction) -> str:
    """What the "Prediction" metric shows: the digit, "?" for not a digit, "–" for no ink."""
    if prediction is None:
        return "–"
    return "?" if prediction.rejected else str(prediction.digit)


def answer_words(prediction, nothing: str = "nothing drawn") -> str:
    """The answer in words, for captions and alt texts: "3 (97.3%)", "not a digit" or `nothing`;
    as sure as the metric's line says, never rounded up to "(100%)"."""
    if prediction is None:
        return nothing
    if prediction.rejected:
        return "not a digit"
    return f"{prediction.digit} ({confidence_text(prediction.confidence)})"


def answer_line(prediction, nothing: str = "Nothing drawn yet") -> str:
    """The line under the "Prediction" metric: "Confidence 97.3%", "Not a digit" or `nothing`."""
    if prediction is None:
        return nothing
    if prediction.rejected:
        return "Not a digit"
    return f"Confidence {confidence_text(prediction.confidence)}"


def spoken_answer(prediction, nothing: str = "Nothing drawn yet") -> str:
    """The answer as a screen reader says it when it changes (see pages/announcer.py)."""
    if prediction is None:
        return nothing
    if prediction.rejected:
        return "Prediction: not a digit."
    unsure = ", unsure" if prediction.unsure else ""
    return f"Prediction: {prediction.digit}{unsure}. {answer_line(prediction)}."


def show_answer(prediction, nothing: str = "Nothing drawn yet") -> None:
    """The metric and one line under it: above the canvas, so a phone keeps them in view. The line
    is always there, so that the canvas below never moves as the answer changes."""
    if prediction is None:
        meaning = "no ink to read"
    elif prediction.rejected:
        meaning = "not a digit"
    else:
        meaning = "the digit with the highest probability"
    st.metric("Prediction", answer(prediction), help=meaning)
    st.caption(answer_line(prediction, nothing))


# Ten probabilities all between these are ten bars about alike: naming the two tallest would
# suggest a leaning the bars do not show.
ALIKE_FROM, ALIKE_BELOW = 0.05, 0.15


def rejection_reason(prediction) -> str:
    """Why a rejected drawing is "not a digit", in one sentence: its probabilities against the
    threshold that nearly every digit reaches."""
    (first, p1), (second, p2) = prediction.top(2)
    alike = prediction.probabilities.min() >= ALIKE_FROM and p1 < ALIKE_BELOW
    if prediction.leaning is not None:  # as the bars mark it
        closest = f"its highest probability, {p1:.0%} for {label_text(first)}, is"
    elif alike:
        closest = "all ten probabilities are near 10%, each"
    else:  # no digit stands out: none is named as its answer
        closest = f"no digit stands out, {first} and {second} at {p1:.0%} and {p2:.0%} are"
    return (
        "The network knows only the ten digits, and this drawing is far from all of them: "
        f"{closest} below the {prediction.threshold:.0%} that nearly every digit reaches."
    )


def show_details(prediction) -> None:
    """Why (for "not a digit"), the ten probabilities, and what the network actually read."""
    if prediction is None:
        st.info("Draw a digit: nothing is drawn yet.")
        return
    (first, p1), (second, p2) = prediction.top(2)
    if prediction.rejected:
        st.markdown(f"**Not a digit.** {rejection_reason(prediction)}")
    elif prediction.unsure:
        st.warning(f"The model is unsure: {first} ({p1:.0%}) or {second} ({p2:.0%})?")
    marked = prediction.leaning if prediction.rejected else prediction.digit
    st.html(
        probability_bars(
            prediction.probabilities,
            marked,
            greyed=prediction.rejected,
            threshold=prediction.threshold if prediction.rejected else None,
        )
    )
    steps = prediction.preprocessed
    top, left, bottom, right = steps.box
    with st.expander("What the network reads", expanded=True):
        # Side by side while there is room, one under another where there is not.
        row = st.container(horizontal=True)
        row.image(
            squared(steps.gray[top:bottom, left:right]),
            caption="cropped to the ink",
            width=90,
            alt="The drawing cropped to its ink.",
        )
        row.image(
            squared(steps.scaled),
            caption="longest side 20 px",
            width=90,
            alt="The crop scaled so its longest side is 20 px.",
        )
        row.image(
            enlarge(steps.image, 90),
            caption="28×28, centred by mass",
            width=90,
            alt="The 28×28 image the network reads, centred by mass: read as "
            + ("not a digit." if prediction.rejected else f"{prediction.digit}."),
        )
