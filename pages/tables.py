"""The app's tables of figures: `st.dataframe`, as tall as its rows when they are few.

Streamlit's own height shows ten rows and hides the others behind a scroll inside the table,
where a reader does not look for them: Evaluation's "A vs B" summary showed 10 of its 11 rows,
its kinds of non-digits 10 of 14. A long table (the 48 typefaces) keeps that ten-row window, with
its scroll bar, rather than become a page of its own.

The grid draws each number as its column's format says ("99.87%"), but the table it keeps for
screen readers gives the number as it is ("99.86666666666667"): numbers are rounded to the
decimals they are shown with first.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

ALL_ROWS_UP_TO = 25  # about 900 px of table
CHAR_PX, PADDING_PX = 6.2, 14  # a mean glyph of the grid's 14 px text; a cell's padding
UNFORMATTED_DECIMALS = 4  # a number column with no "%.Nf" format


def table(
    frame: pd.DataFrame, column_config: dict | None = None, missing: str | None = None
) -> None:
    """`frame` without its index, as wide as its container, every row shown if it has at most
    ALL_ROWS_UP_TO; `missing` is what an empty (NaN) cell says, instead of "None"."""
    st.dataframe(
        as_shown(frame, column_config or {}),
        hide_index=True,
        width="stretch",
        height="content" if len(frame) <= ALL_ROWS_UP_TO else "auto",
        column_config=column_config,
        placeholder=missing,
    )


def named_table(
    rows: list[dict],
    name: str,
    max_px: int,
    column_config: dict,
    missing: str | None = None,
) -> None:
    """`rows` as a `table` led by the column `name` (a model's, a run's), as wide as its longest
    entry needs, up to `max_px`, past which an entry is cut. Sized by the grid, the column is
    measured before the web font loads on a phone, and "default (float)" was cut. Not pinned:
    the grid greys a pinned column's text."""
    longest = max((len(str(row[name])) for row in rows), default=0)
    width = round(min(max_px, CHAR_PX * longest + PADDING_PX))
    column = st.column_config.TextColumn(width=width)
    table(pd.DataFrame(rows), {name: column, **column_config}, missing)


def as_shown(frame: pd.DataFrame, column_config: dict) -> pd.DataFrame:
    """`frame` with each float column rounded to the decimals its format shows."""
    rounded = {}
    for name in frame.select_dtypes("float").columns:
        config = column_config.get(name) or {}
        shown = str((config.get("type_config") or {}).get("format") or "")
        decimals = re.fullmatch(r"[^%]*%\.(\d+)f.*", shown)
        places = int(decimals[1]) if decimals else UNFORMATTED_DECIMALS
        if shown == "percent":  # a fraction shown as a percentage
            places = UNFORMATTED_DECIMALS
        rounded[name] = frame[name].round(places)
    return frame.assign(**rounded)
