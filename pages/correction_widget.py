"""The "Wrong? It's a _" control under a prediction: save the drawing with its right label.

Nothing is saved unless the user picks a digit and clicks Save. The drawing (the 28x28 the network
read and the full-size grayscale canvas) goes to `<model store>/my-drawings` on the machine running
the app, through `model.serving.corrections`; the My drawings page shows, exports, deletes and
fine-tunes on them. Cheap enough for the Draw page's per-stroke fragment: no disk access until Save.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from model.calibration import NOT_A_DIGIT
from model.serving.corrections import Corrections, CorrectionsError, label_text
from pages.resources import store

DIGITS = list(range(10))
PICKER = "correction_label"


def corrections() -> Corrections:
    """The user's saved drawings, beside the model store."""
    return Corrections(store().root / "my-drawings")


def _fingerprint(prediction, label) -> str:
    gray = b"" if prediction is None else prediction.preprocessed.gray.tobytes()
    return hashlib.sha1(gray + repr(label).encode()).hexdigest()


def _save(prediction, picker: str, label=None) -> None:
    """A Save button's callback: runs before the rerun, so it can clear the picker. `label` is
    the button's own (not a digit), or else the picked digit."""
    label = st.session_state.get(picker) if label is None else label
    kind, text = _saved_or_why(prediction, label)
    if kind == "success":
        st.session_state[picker] = None  # ready for the next drawing
    # The answer stays until the drawing or the picked digit changes: the canvas may rerun the
    # page on its own, and a message shown for one run only could vanish before it is read.
    shown_for = _fingerprint(prediction, st.session_state.get(picker))
    st.session_state["correction_message"] = (kind, text, shown_for)


def _saved_or_why(prediction, label) -> tuple[str, str]:
    """Save the drawing; (message kind, text) to show either way."""
    if prediction is None:
        return "warning", "Nothing is drawn, so there is nothing to save: draw the digit first."
    if label is None:
        return "warning", "Pick the digit you meant (0–9) first, then click Save."
    fingerprint = _fingerprint(prediction, label)
    if st.session_state.get("correction_saved") == fingerprint:
        return "info", f"This drawing is already saved as {label_text(label)}."
    saved = corrections()
    try:
        saved.save(prediction.preprocessed.image, prediction.preprocessed.gray, label)
    except CorrectionsError as err:
        return "error", f"Not saved: {err}."
    except OSError as err:  # a disk error the store did not put into words
        return "error", f"Not saved: could not write in {saved.directory}: {err.strerror or err}."
    st.session_state["correction_saved"] = fingerprint
    return "success", (
        f"Saved as {label_text(label)}, on the computer running this app ({saved.directory}). See "
        "them on the My drawings page, where you can also fine-tune the model on them."
    )


def correction_widget(prediction) -> None:
    """A digit picker with a Save button, and a button that saves the drawing as "not a digit"."""
    # Pills wrap onto a second row on a phone; a segmented control would run off the screen. In a
    # column Streamlit would keep them on one row, scrolled, with 9 out of sight below 400 px.
    picked = st.pills(
        "Wrong? It's a",
        DIGITS,
        key=PICKER,
        wrap=True,
        help="Pick the digit you meant and click Save to keep this drawing, with that label, "
        'on the computer running this app; or, if it is no digit at all, click "Not a digit". '
        "Everyone using this app sees the saved drawings on My drawings; they go nowhere else.",
    )
    # Two buttons, not an eleventh option: the ten digits alone fill the row.
    save, not_a_digit, _ = st.columns([2, 3, 2])
    save.button(
        "Save",
        key="correction_save",
        icon=":material/save:",
        on_click=_save,
        args=(prediction, PICKER),
        width="stretch",
    )
    not_a_digit.button(
        "Not a digit",
        key="correction_not_a_digit",
        icon=":material/block:",
        on_click=_save,
        args=(prediction, PICKER, NOT_A_DIGIT),
        help="Save this drawing as no digit at all, so that fine-tuning teaches the network "
        "to answer it with ?",
        width="stretch",
    )
    if message := st.session_state.get("correction_message"):
        kind, text, shown_for = message
        if shown_for == _fingerprint(prediction, picked):
            getattr(st, kind)(text)
        else:
            del st.session_state["correction_message"]
