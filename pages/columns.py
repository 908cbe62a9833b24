"""Columns that wrap: side by side while each has room, one under another when not.

Streamlit's columns share the width by ratio and stack only on a screen below 640 px. On a
tablet held upright with the sidebar open the main area is about 520 px: three columns are
150 px each, a network's name in a metric card is cut to "studi…", and a 400 px confusion matrix
is shown at half its size. These columns keep a least width: when the row cannot give every
column its share and that width, the last ones move to the next row. Below 640 px they sit
side by side too, as long as each keeps its least width.
"""

from __future__ import annotations

import hashlib

import streamlit as st


def wrapping_columns(spec, least_px: int, key: str, **options) -> list:
    """`st.columns(spec, **options)` whose columns are never narrower than `least_px` (nor than
    the page), wrapping onto more rows instead. `key`, any text unique on the page, names the
    row for its style; columns nested in these are left as they are."""
    key = "wrap_" + hashlib.sha1(key.encode()).hexdigest()[:12]  # a CSS class name
    st.html(
        f"""<style>
        .st-key-{key} > div > [data-testid="stHorizontalBlock"] {{ flex-wrap: wrap; }}
        .st-key-{key} > div > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {{
            min-width: min({least_px}px, 100%);
        }}
        </style>"""
    )
    with st.container(key=key):
        return st.columns(spec, **options)
