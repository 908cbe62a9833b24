"""Columns that wrap: side by side while each has room, one under another when not.

Streamlit's columns share the width by ratio and stack only on a screen below 640 px. On a
tablet held upright with the sidebar open the main area is about 520 px: three columns are
150 px each, a network's name in a metric card is cut to "studi…", and a 400 px confusion matrix
is shown at half its size. These keep a least width, and a column that would be narrower moves
to the next row.
"""

from __future__ import annotations

import hashlib

import streamlit as st


def wrapping_columns(spec, least_px: int, key: str, **options) -> list:
    """`st.columns(spec, **options)` whose columns are never narrower than `least_px` (nor than
    the page): those that would be wrap onto the next row. `key`, any text unique on the page,
    names the row for its style."""
    key = "wrap_" + hashlib.sha1(key.encode()).hexdigest()[:12]  # a CSS class name
    st.html(
        f"""<style>
        .st-key-{key} [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
        .st-key-{key} [data-testid="stColumn"] {{ min-width: min({least_px}px, 100%); }}
        </style>"""
    )
    with st.container(key=key):
        return st.columns(spec, **options)
