"""Links a teacher can share: `/evaluation?version=mlp&compare=default` opens that view.

Read only. A page reads its parameters on a session's first run, or when the link changes, and
puts them into its widgets' state; it never writes the address bar. Streamlit carries query
parameters across page switches, so a page that wrote them on every run would leak `?version=`
onto the next page and break the browser's back and forward. Instead `copy_link` shows the link
to the current view, to copy. A value this app does not have falls back to the default with a
note, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st

_SEEN = "links_seen"  # param -> the value last applied, so that a link is applied once


def new_in_link(param: str) -> str | None:
    """`?param=`'s value if this session has not applied it yet, else None: a link is applied
    once, and from then on the page follows the user."""
    asked = st.query_params.get(param)
    seen = st.session_state.setdefault(_SEEN, {})
    if seen.get(param) == asked:
        return None
    seen[param] = asked
    return asked


def apply_link(param: str, widget: str, valid: Callable[[str], bool], what: str) -> None:
    """Set `widget`'s state from `?param=` when the link is new to this session.

    Call it before the widget is drawn. `valid(value)` says whether the value can be shown; if
    not, a note says what the link asked for and the widget keeps its default.
    """
    asked = new_in_link(param)
    if asked is None:
        return
    if valid(asked):
        st.session_state[widget] = asked
    else:
        st.info(
            f"The link asks for {what} “{asked[:40]}”, which is not here: showing the default.",
            icon=":material/link_off:",
        )


def link_to(params: dict[str, str | None]) -> str:
    """This page's address with `params` (None values left out) as its query."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    page = st.context.url or ""  # the page's address without its query; None under AppTest
    return f"{page}?{query}"


def copy_link(params: dict[str, str | None], label: str = "Copy a link to this view") -> None:
    """The link to this view, shown to copy."""
    with st.expander(label, icon=":material/link:"):
        st.code(link_to(params), language=None, wrap_lines=True)
