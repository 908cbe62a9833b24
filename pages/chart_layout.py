"""Where a chart's legend goes and how a chart takes the page's width, the same on every page.

A legend goes under its chart (a second one over it: Vega puts two side by side): on the right,
on a phone, legends take half the width from the plot. One entry a row, never cut: names such
as a version's differ only at their end ("… (int8)"). The chart fits the width only: its height
is the plot's, and the legends add to it instead of squashing it flat.
"""

from __future__ import annotations

import altair as alt

LEGEND = alt.Legend(title=None, orient="bottom", columns=1, offset=0, labelLimit=0)
LEGEND_OVER = alt.Legend(title=None, orient="top", columns=2)
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
