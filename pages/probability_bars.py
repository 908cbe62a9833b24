"""The ten probabilities as a bar chart in plain HTML, drawn on every stroke on the Draw page."""

from __future__ import annotations

import numpy as np

from model.describe import probabilities_text


def probability_bars(
    probabilities: np.ndarray,
    top: int | None,
    height: int = 120,
    greyed: bool = False,
    threshold: float | None = None,
) -> str:
    """The ten probabilities as a bar chart in plain HTML, the digit `top` marked (none if None);
    grey when no digit is the answer. A `threshold` is drawn as a dashed line across the bars,
    labelled: the level that a rejected drawing's bars stay under.

    It is redrawn on every stroke: a Vega chart would cost the server an Altair spec and the
    browser a Vega render each time; ten styled divs cost neither.
    """
    columns = []
    for digit, p in enumerate(probabilities):
        p = float(p)
        label = f"{p:.0%}" if p >= 0.005 else ""
        if greyed:
            colour = "#8a8a8a" if digit == top else "#c8c8c8"
        else:
            colour = "#0068c9" if digit == top else "#83c9ff"
        columns.append(
            f'<div title="{digit}: {p:.1%}" style="flex:1;display:flex;flex-direction:column;'
            'justify-content:flex-end;align-items:center;min-width:0">'
            f'<div style="font-size:0.7rem;opacity:0.85;line-height:1.4">{label}</div>'
            f'<div style="width:100%;height:{p * height:.1f}px;background:{colour};'
            'border-radius:3px 3px 0 0"></div></div>'
        )
    digits = "".join(
        f'<div style="flex:1;text-align:center;{"font-weight:700" if d == top else ""}">{d}</div>'
        for d in range(10)
    )
    described = probabilities_text(probabilities)
    line = ""
    if threshold is not None:
        described += f"; the threshold for a digit, {threshold:.0%}"
        line = (
            f'<div data-testid="thresholdLine" style="position:absolute;left:0;right:0;'
            f"bottom:{threshold * height:.1f}px;border-top:1px dashed rgba(128,128,128,0.9);"
            'pointer-events:none"><span style="position:absolute;right:0;bottom:1px;'
            f'font-size:0.7rem;opacity:0.85">a digit: {threshold:.0%} or more</span></div>'
        )
    return (
        f'<div role="img" aria-label="probabilities, {described}" data-testid="probabilityBars">'
        f'<div style="display:flex;gap:6px;align-items:stretch;height:{height + 18}px;'
        'position:relative;border-bottom:1px solid rgba(128,128,128,0.4)">'
        + line
        + "".join(columns)
        + '</div><div style="display:flex;gap:6px;font-size:0.85rem;margin-top:2px">'
        + digits
        + "</div></div>"
    )
