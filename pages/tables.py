"""The app's tables of figures: `st.dataframe`, as tall as its rows when they are few.

Streamlit's own height shows ten rows and hides the others behind a scroll inside the table,
where a reader does not look for them: Evaluation's "A vs B" summary showed 10 of its 11 rows,
its kinds of non-digits 10 of 14. A long table (the 48 typefaces) keeps that ten-row window, with
its scroll bar, rather than become a page of its own.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

ALL_ROWS_UP_TO = 25  # about 900 px of table


def table(
    frame: pd.DataFrame, column_config: dict | None = None, missing: str | None = None
) -> None:
    """`frame` without its index, as wide as its container, every row shown if it has at most
    ALL_ROWS_UP_TO; `missing` is what an empty (NaN) cell says, instead of "None"."""
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        height="content" if len(frame) <= ALL_ROWS_UP_TO else "auto",
        column_config=column_config,
        placeholder=missing,
    )
