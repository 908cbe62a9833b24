"""The ten probabilities as a bar chart in plain HTML, drawn on every stroke on the Draw page."""

from __future__ import annotations

import numpy as np

from model.describe import confidence_text, probabilities_text


def probability_bars(
    probabilities: np.ndarray,
    top: int | None,
    height: int = 120,
    greyed: bool = False,
    threshold: float | None = None,
) -> str:
    """The ten probabilities as a bar chart in plain HTML, the digit `top` marked (none if None);
    grey when no digit is the answer. A `threshold` is drawn as a dashed line across the bars,
    the level that a rejected drawing's bars stay under, and said under the digits (above the
    line it would collide with a bar's own label).

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
            f'<div title="{digit}: {confidence_text(p)}" style="flex:1;display:flex;'
            'flex-direction:column;justify-content:flex-end;align-items:center;min-width:0">'
            f'<div style="font-size:0.7rem;opacity:0.85;line-height:1.4">{label}</div>'
            f'<div style="width:100%;height:{p * height:.1f}px;background:{colour};'
            'border-radius:3px 3px 0 0"></div></div>'
        )
    digits = "".join(
        f'<div style="flex:1;text-align:center;{"font-weight:700" if d == top else ""}">{d}</div>'
        for d in range(10)
    )
    described = probabilities_text(probabilities)
    line = key = ""
    if threshold is not None:
        described += f"; the threshold for a digit, {threshold:.0%}"
        dashes = "border-top:1px dashed rgba(128,128,128,0.9)"
        line = (
            f'<div data-testid="thresholdLine" style="position:absolute;left:0;right:0;'
            f'bottom:{threshold * height:.1f}px;{dashes};pointer-events:none"></div>'
        )
        key = (
            '<div style="font-size:0.75rem;opacity:0.85;margin-top:2px">'
            f'<span style="display:inline-block;width:1.5rem;vertical-align:middle;{dashes}">'
            f"</span> a digit reaches {threshold:.0%} or more</div>"
        )
    return (
        f'<div role="img" aria-label="probabilities, {described}" data-testid="probabilityBars">'
        f'<div style="display:flex;gap:6px;align-items:stretch;height:{height + 18}px;'
        'position:relative;border-bottom:1px solid rgba(128,128,128,0.4)">'
        + line
        + "".join(columns)
        + '</div><div style="display:flex;gap:6px;font-size:0.85rem;margin-top:2px">'
        + digits
        + "</div>"
        + key
        + "</div>"
    )
