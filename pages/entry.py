"""Deep links on a fresh server: app.py's page list must be in charge.

Until some session has run app.py's `st.navigation`, Streamlit reads the `pages/` folder the old
way (its first multipage mode): a link to /training runs pages/training.py on its own, without
the page list and sidebar of app.py, and so does every later session until someone opens the
home page. Each page calls `ensure_app_entry()` first: opened that way, it switches the process
to app.py's navigation and reruns, and the same link opens the same page under app.py.
"""

from __future__ import annotations

import streamlit as st

_DONE = "entry_handed_to_app_py"


def ensure_app_entry() -> None:
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # moved in another Streamlit: nothing to set right
        return
    # Once per session at most: a rerun drops the click that caused the run, and a session's
    # first run has no click to drop. (AppTest sets the flag back before each of its runs.)
    if getattr(PagesManager, "uses_pages_directory", False) and not st.session_state.get(_DONE):
        st.session_state[_DONE] = True
        PagesManager.uses_pages_directory = False  # what st.navigation itself sets
        st.rerun()
