"""Digit Studio: draw a digit, watch a CNN think.

The entry file: the page list and the shared sidebar (which model version is serving). The pages
live in `pages/`, one small file each; all machine learning lives in `model/`.
Run with `streamlit run app.py`.
"""

import streamlit as st

from pages.formatting import plain
from pages.resources import active_predictor, store
from pages.screen_readers import mend_sliders_and_focus
from pages.sidebar import close_sidebar_over_the_page

st.set_page_config(page_title="Digit Studio", page_icon="✍️", layout="wide")

# One flat list, in the order a visitor meets them: with sections, Streamlit puts each section's
# heading as a <div> inside the list, which screen readers and axe-core's "list" rule reject.
navigation = st.navigation(
    [
        st.Page("pages/draw.py", title="Draw", icon=":material/draw:", default=True),
        st.Page("pages/inside.py", title="Inside the CNN", icon=":material/biotech:"),
        st.Page("pages/robustness.py", title="Robustness", icon=":material/science:"),
        st.Page("pages/training.py", title="Training", icon=":material/show_chart:"),
        st.Page("pages/evaluation.py", title="Evaluation", icon=":material/fact_check:"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
        st.Page("pages/experiments.py", title="Experiments", icon=":material/experiment:"),
        st.Page("pages/my_drawings.py", title="My drawings", icon=":material/folder_shared:"),
    ]
)

# The page this run shows, and the one before: the Draw page draws its canvas anew when opened.
st.session_state["page_before"] = st.session_state.get("page_now")
st.session_state["page_now"] = navigation.url_path

with st.sidebar:
    predictor, warnings = active_predictor()
    version = predictor.version
    st.caption("Serving model")
    st.markdown(f"**{version.name}** · `{version.meta.get('arch', '?')}`")
    accuracy = version.meta.get("test_accuracy")
    if accuracy is not None:
        st.caption(f"MNIST test accuracy {accuracy:.2%}")
    for warning in warnings:  # they quote files and paths: shown as plain text
        st.warning(plain(warning), icon=":material/warning:")
    if not store().writable:
        st.warning(plain(f"The model store {store().root} is read-only: retraining is off."))
    mend_sliders_and_focus()
    close_sidebar_over_the_page()

# What Streamlit's defaults leave out, by rule below:
# - A table's, chart's or picture's toolbar shows on hover only: it also shows when one of its
#   buttons has the keyboard's focus.
# - Where the pointer is a finger Streamlit always shows a table's toolbar, 44 px tall, over the
#   element just above the table (its heading, its caption): 2rem more room above the table.
# - A focused sidebar page link gets only a faint grey, like the current page's, and a focused
#   button, tab or pill a pale ring (2.2:1 on white): a red outline, the dark theme's primary
#   colour (CSS cannot tell which theme shows), at least 3:1 on both themes, as WCAG asks. A
#   tab's sits inside it, where its row's scrolling box cannot cut it off.
# - The wide layout's 5rem side margins leave a landscape tablet with the sidebar open too narrow
#   a page for the Draw page's readout beside the canvas: below 1100 px they are the 1rem
#   Streamlit gives a narrow screen.
# - The sidebar's close button shows on hover only, so on a touch screen a first tap only shows
#   it: where no pointer hovers it is always shown.
# - A row of tabs too wide for the page scrolls sideways behind a small arrow, hiding tabs (the
#   explanation lab's six, on a tablet with the sidebar open): rows of tabs wrap.
# - The header, a white band across the top of the screen, covers what scrolls under it and
#   takes its touches: a stroke begun on the canvas there drew nothing, and a phone held
#   sideways has little height to spare. It is see-through, and only its buttons take touches
#   (blurring what passes under them, so that they stay legible in either theme).
st.html(
    """<style>
    [data-testid="stElementToolbar"]:focus-within { opacity: 1; }
    [data-testid="stMain"] [role="tablist"] { flex-wrap: wrap; }
    [data-testid="stHeader"] { background: transparent; }
    [data-testid="stHeader"] button { backdrop-filter: blur(6px); border-radius: 0.5rem; }
    [data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none !important; }
    [data-testid="stHeader"] :is(button, a, [role="menu"]),
    [data-testid="stHeader"] :is(button, a, [role="menu"]) * { pointer-events: auto !important; }
    [data-testid="stSidebarNav"] a:focus-visible,
    [data-testid="stMain"] :is(button, a, summary, [role="tab"], [role="radio"]):focus-visible {
      outline: 2px solid #cf4250; outline-offset: 2px;
    }
    [data-testid="stMain"] [role="tab"] { padding: 0 0.3rem; }
    [data-testid="stMain"] [role="tab"]:focus-visible { outline-offset: -2px; box-shadow: none; }
    @media (max-width: 1100px) {
      [data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
    }
    @media (hover: none) {
      [data-testid="stSidebarCollapseButton"] { visibility: visible !important; }
    }
    @media (pointer: coarse) {
      [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { margin-top: 2rem; }
    }
    </style>"""
)

navigation.run()
