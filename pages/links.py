"""Links a teacher can share: the choices that make a view live in the URL's query string, so a
copied link opens the same view (`/evaluation?version=default&compare=mlp`, `/inside?digit=3`,
`/?sample=42`). A value that a link asks for and this app does not have falls back to the
default, with a note saying so, never an error.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def from_link(param: str, valid: Callable[[str], bool], what: str) -> str | None:
    """The link's value of `param` if `valid` says it is one; otherwise None, and a note.

    Read once per session, when the visitor arrives: after that the URL follows the page (see
    `keep_in_link`), not the other way round, so a new drawing is explained for what it reads.
    """
    read = st.session_state.setdefault("links_read", set())
    if param in read:
        return None
    read.add(param)
    asked = st.query_params.get(param)
    if asked is None:
        return None
    if valid(asked):
        return asked
    del st.query_params[param]
    st.info(
        f"The link asked for {what} “{asked[:40]}”, which is not here; showing the default.",
        icon=":material/link_off:",
    )
    return None


def keep_in_link(param: str, value) -> None:
    """Write the view's choice into the URL (or take it out, for None)."""
    if value is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != str(value):
        st.query_params[param] = str(value)
