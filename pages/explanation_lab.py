"""The explanation lab on Inside the CNN: the evidence six ways, whether it is true, the nearest
training digits, the map, the answer stroke by stroke, and what the network has learned.

UI only: the arrays come from `model.attribution`, `model.faithfulness`, `model.embedding`,
`model.replay` and `model.prototypes`, the pictures from `model.figures`, the words from
`model.describe`. The sections are tabs that run only when open (`on_change="rerun"`), so a new
drawing pays for the open one only; what does not depend on the drawing (the index of the
training digits, the map, the prototypes) is built once per version and cached.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from pages import lab_evidence, lab_learned, lab_neighbours, lab_replay

TABS = (
    "Evidence, six ways",
    "Is it true?",
    "Nearest training digits",
    "The map",
    "Stroke by stroke",
    "What it has learned",
)
TAB_KEY = "lab_tab"
LINK_READ = "inside_digit_link_read"
LINK_DIGIT = "inside_digit_link"  # (the digit a link asked for, the drawing it was asked for)


def drawing_id(image: np.ndarray) -> int:
    return hash(np.asarray(image, np.float32).tobytes())


# --- Which digit is explained: the answer, or what a `?digit=D` link asked for ------------------


def digit_from_link(image: np.ndarray) -> int | None:
    """The digit a `?digit=D` link asks to explain, for the drawing shown when the page opened.

    Read once per session, on the first load of this page, and never written back: Streamlit
    keeps query parameters across page switches, so writing them would follow the visitor to
    every page. A value that is not a digit falls back to the answer, with a note.
    """
    if not st.session_state.get(LINK_READ):
        st.session_state[LINK_READ] = True
        asked = st.query_params.get("digit")
        if asked is not None and asked.strip() in {str(d) for d in range(10)}:
            st.session_state[LINK_DIGIT] = (int(asked), drawing_id(image))
        elif asked is not None:
            st.info(
                f"The link asked to explain the digit “{asked[:12]}”, which is not one of 0 to "
                "9; the maps below explain the network's answer instead.",
                icon=":material/link_off:",
            )
    linked = st.session_state.get(LINK_DIGIT)
    if linked is not None and linked[1] == drawing_id(image):
        return linked[0]
    return None


def choose_digit(image: np.ndarray, predicted: int) -> int:
    """The selectbox for the digit whose evidence is shown, the answer unless a link or the
    visitor picks another."""
    linked = digit_from_link(image)
    return st.selectbox(
        "Explain the evidence for the digit",
        range(10),
        index=predicted if linked is None else linked,
        format_func=lambda d: f"{d} (predicted)" if d == predicted else str(d),
    )


# --- The page section ----------------------------------------------------------------------------


def show(predictor, key: tuple, image: np.ndarray, digit: int) -> None:
    """Section 4 of Inside the CNN: the lab's tabs, each computed only when open."""
    network = predictor.network
    st.header("4 · Explanation lab", divider="gray")
    st.caption(
        f"Everything here explains the evidence for **{digit}** (choose another digit above)."
    )
    tabs = st.tabs(TABS, key=TAB_KEY, on_change="rerun")
    sections = (
        lambda: lab_evidence.show_evidence(network, key, image, digit),
        lambda: lab_evidence.show_deletion(network, key, image, digit),
        lambda: lab_neighbours.show_neighbours(predictor, key, image),
        lambda: lab_neighbours.show_map(predictor, key, image),
        lambda: (
            lab_replay.show_strokes(predictor, key),
            lab_replay.show_rows(predictor, key, image),
        ),
        lambda: lab_learned.show_learned(predictor, key),
    )
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                section()
