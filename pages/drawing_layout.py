"""The Draw page's two sides: the canvas on the left, what the network reads on the right.

The canvas is a fixed 280 px. Streamlit's columns share the width by ratio and only stack below
640 px, so on a tablet or a narrow window with the sidebar open (820 px, 1024 px) a column would
be narrower than the canvas and cut its right part off, undrawable. Here the left side
is as wide as the canvas needs, the right side takes the rest, and when the rest is too narrow
for its bars and ten digits, the right side moves under the canvas, as on a phone.
"""

from __future__ import annotations

import streamlit as st

LEFT_PX = 320  # the 280 px canvas, and room for its slider and two buttons
# The ten probability bars and the "Wrong? It's a" digits stay legible at 300 px, and the readout
# still fits beside the canvas on a landscape tablet with the sidebar open (a 692 px row at
# 1024 px, with app.py's narrower margins there).
RIGHT_MIN_PX = 300

ANSWER_PX = 130  # the answer beside the canvas on a phone held sideways (see _STYLE)

GRID_MIN_PX = 560  # the grid's 320 + 16 + 130 px, the page's padding and a sidebar's edge

# The row's flex item is the wrapper Streamlit puts round the keyed container. On a screen too
# short for the answer above the canvas and the canvas together (a phone held sideways: 390 px
# tall), the answer (the Prediction, its line, an MNIST digit's picture) moves beside the canvas:
# the left side's children are the answer, the toolbar's room, the canvas, the pen slider and the
# buttons, laid out on a two-column grid. Only where the grid fits: a phone upright with its
# keyboard open is "landscape" too, and 390 px wide.
_STYLE = f"""<style>
.st-key-drawing_row > :has(> .st-key-drawing_right) {{
    flex: 1 1 {RIGHT_MIN_PX}px;
    min-width: min({RIGHT_MIN_PX}px, 100%);
}}
@media (orientation: landscape) and (max-height: 500px) and (min-width: {GRID_MIN_PX}px) {{
    .st-key-drawing_row > :has(> .st-key-drawing_left) {{ width: auto !important; }}
    .st-key-drawing_left {{
        display: grid;
        grid-template-columns: {LEFT_PX}px {ANSWER_PX}px;
        column-gap: 1rem;
        width: auto !important;
    }}
    .st-key-drawing_left > * {{ grid-column: 1; }}
    .st-key-drawing_left > :first-child {{ grid-column: 2; grid-row: 2 / span 2; }}
}}
</style>"""


def style_drawing_row() -> None:
    """The row's style, sent once per page run: outside the Draw page's fragment, so a stroke,
    which reruns only the fragment, does not send it again, and it stays on the page."""
    st.html(_STYLE)


def drawing_sides():
    """(left, right) containers in one row that wraps (`style_drawing_row` makes it wrap); the
    right one under the left when narrow."""
    row = st.container(horizontal=True, gap="medium", key="drawing_row")
    with row:
        left = st.container(width=LEFT_PX, key="drawing_left")
        right = st.container(key="drawing_right")
    return left, right
