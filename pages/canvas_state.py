"""The Draw page's canvas across reruns and page visits: what it shows, what is read, and what
the other pages read.

The canvas component keeps its drawing in the browser and sends it back after each stroke, and a
page switch unmounts it. So the page keeps what it needs in the session: the strokes to load
when the page opens again (`kept_drawing`), the drawing Clear has just wiped until the canvas's
empty state arrives (`cleared_drawing`), and the drawing the other pages read (`drawing`,
`strokes`).
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

SAMPLE_KEY = "mnist_sample"  # the index of the MNIST test digit being read, if any


def fingerprint_of(json_data: dict | None) -> int | None:
    """Identifies a drawing by its strokes; None for an empty canvas."""
    objects = (json_data or {}).get("objects") or []
    return hash(json.dumps(objects, sort_keys=True)) if objects else None


def drop_sample() -> None:
    st.session_state.pop(SAMPLE_KEY, None)


def clear_canvas() -> None:
    """The Clear button's callback, run before the fragment reruns: empty the canvas in place.

    A new `initial_drawing` makes the canvas reload it (empty) without remounting, then send its
    empty state back. Until that arrives, the canvas's value is still the wiped drawing: it is
    remembered here so that the rerun shows "nothing drawn" at once instead of the old reading.
    """
    # A drawing the canvas has not had before, or it would not reload: one more clear counted.
    clears = st.session_state["canvas_start"].get("clears", 0) + 1
    st.session_state["canvas_start"] = {"objects": [], "clears": clears}
    st.session_state["cleared_drawing"] = st.session_state.get("canvas_fingerprint")
    st.session_state.pop("drawing", None)
    st.session_state.pop("kept_drawing", None)
    drop_sample()


def open_canvas() -> None:
    """On opening the page: the canvas is mounted anew, and loads the drawing left on it.

    Leaving a page unmounts its canvas. A page switch is told from the pages app.py records,
    not from the canvas's state: a switch that interrupts a run leaves that state behind.
    """
    opened = st.session_state.get("page_before") != st.session_state.get("page_now")
    if opened or "canvas_start" not in st.session_state:
        kept = st.session_state.get("kept_drawing")
        st.session_state["canvas_start"] = kept[0] if kept else {"objects": [], "clears": 0}
        # An upload does not outlive the page's uploader: the other pages read the canvas again.
        st.session_state.pop("canvas_source", None)


def pixels_to_read(strokes, sent) -> tuple[np.ndarray | None, int | None]:
    """The canvas pixels to read and the drawing's fingerprint, from what the canvas returned
    (`sent` is None until it sends): the drawing it reloaded on a return to the page, which it
    sends only at the next stroke, or nothing for the drawing Clear has just wiped."""
    fingerprint = fingerprint_of(strokes)
    st.session_state["canvas_fingerprint"] = fingerprint
    kept = st.session_state.get("kept_drawing")
    pixels = sent
    if sent is None and kept and fingerprint == fingerprint_of(kept[0]):
        pixels = kept[1]
    if fingerprint is not None and fingerprint == st.session_state.get("cleared_drawing"):
        return None, fingerprint  # the canvas's empty state is on its way
    st.session_state.pop("cleared_drawing", None)
    if sent is not None:  # what the canvas shows, kept for a return to the page
        st.session_state["kept_drawing"] = (strokes, pixels) if fingerprint else None
    return pixels, fingerprint


def share_with_other_pages(prediction, pixels, strokes, fingerprint) -> None:
    """The other pages read what was given last: this canvas when it changed (`strokes` None
    unless drawn here), an MNIST digit, else an upload."""
    source = (fingerprint if strokes is not None else None, st.session_state.get(SAMPLE_KEY))
    if source == st.session_state.get("canvas_source"):
        return
    st.session_state["canvas_source"] = source
    if prediction is None:
        st.session_state.pop("drawing", None)
    else:
        st.session_state["drawing"] = pixels
    # Inside the CNN replays the strokes of a drawing made here
    st.session_state["strokes"] = strokes if prediction else None
