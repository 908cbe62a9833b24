"""Messages that outlive a rerun: a button's callback says what happened, the next run shows it.

Streamlit runs a callback before the page reruns, so a message written there would be drawn and
then wiped by the rerun. `flash` keeps it in `st.session_state` under a section's name instead,
and `show_flash` draws it once, where that section starts.
"""

from __future__ import annotations

import streamlit as st

from model.serving.store import StoreError
from pages.resources import store


def flash(where: str, kind: str, text: str) -> None:
    """Show `text` as `st.<kind>` ("success", "error", ...) in section `where` on the next run."""
    st.session_state[f"flash_{where}"] = (kind, text)


def show_flash(where: str) -> None:
    if message := st.session_state.pop(f"flash_{where}", None):
        kind, text = message
        getattr(st, kind)(text)


def activate(name: str, where: str) -> None:
    """An Activate button's callback: serve version `name` in every session, and say so."""
    try:
        store().activate(name)
    except StoreError as err:
        flash(where, "error", f"Cannot activate {name}: {err}")
    else:
        flash(where, "success", f"**{name}** is now the active model, for every session.")
