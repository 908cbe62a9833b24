"""Where a chart's legend goes and how a chart takes the page's width, the same on every page.

A legend goes under its chart (a second one over it: Vega puts two side by side): on the right,
on a phone, legends take half the width from the plot. One entry a row, never cut: names such
as a version's differ only at their end ("… (int8)"). The chart fits the width only: its height
is the plot's, and the legends add to it instead of squashing it flat. Series are coloured from
one palette that both themes show.
"""

from __future__ import annotations

import altair as alt

LEGEND = alt.Legend(title=None, orient="bottom", columns=1, offset=0, labelLimit=0)
LEGEND_OVER = alt.Legend(title=None, orient="top", columns=2)
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")

# Colours for the models or runs of a chart, distinct hues each at least 3:1 against the light
# theme's white and the dark theme's black (WCAG 1.4.11): Streamlit's own light blue, pink and
# mint are 1.3-1.5:1 on white, and small dots in them all but vanish.
SERIES_COLOURS = [
    "#1f77b4",  # blue
    "#e8710a",  # orange
    "#2ca02c",  # green
    "#d62728",  # red
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#d81b60",  # pink
    "#7f7f7f",  # grey
    "#00838f",  # teal
    "#0068c9",  # deep blue
]
