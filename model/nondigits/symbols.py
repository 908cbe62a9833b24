"""Symbols: # * + = ≠ @ & % $ ? ! ÷ ± < > ~ € ∞ ©, drawn with strokes."""

from __future__ import annotations

from model.drawings import Stroke, arc, bezier, chain, figure_eight, polyline, turned
from model.nondigits.strokes import Generator, dot, pick, regular, ring


def s_curve(x0: float = 0.2, x1: float = 0.8) -> Stroke:
    """An S, top right to bottom left: a 5 alone, so only ever drawn inside a $."""
    mid = (x0 + x1) / 2
    return chain(
        bezier((x1, 0.12), (mid, -0.05), (x0 - 0.05, 0.1), (x0, 0.3)),
        bezier((x0, 0.3), (x0 + 0.05, 0.5), (x1, 0.45), (x1, 0.7)),
        bezier((x1, 0.7), (x1 + 0.02, 0.95), (x0, 1.0), (x0 - 0.02, 0.85)),
    )


SYMBOLS: dict[str, Generator] = {
    "#": pick(
        (
            polyline((0.4, 0.0), (0.3, 1.0)),
            polyline((0.75, 0.0), (0.65, 1.0)),
            polyline((0.05, 0.33), (1.0, 0.33)),
            polyline((0.0, 0.66), (0.95, 0.66)),
        ),
        (
            polyline((0.35, 0.0), (0.35, 1.0)),
            polyline((0.7, 0.0), (0.7, 1.0)),
            polyline((0.05, 0.35), (1.0, 0.35)),
            polyline((0.05, 0.68), (1.0, 0.68)),
        ),
    ),
    "*": pick(
        tuple(polyline(tuple(p), tuple(1 - p)) for p in regular(6, 0.5, 0.0)[:3]),
        tuple(polyline((0.5, 0.5), tuple(p)) for p in regular(5, 0.5, 0.0)),
        (
            polyline((0.5, 0.0), (0.5, 1.0)),
            polyline((0.1, 0.25), (0.9, 0.75)),
            polyline((0.9, 0.25), (0.1, 0.75)),
            polyline((0.05, 0.5), (0.95, 0.5)),
        ),
    ),
    "+": pick(
        (polyline((0.5, 0.0), (0.5, 1.0)), polyline((0.0, 0.5), (1.0, 0.5))),
        (polyline((0.0, 0.48), (1.0, 0.52)), polyline((0.52, 0.0), (0.48, 1.0))),
    ),
    "=": pick(
        (polyline((0.0, 0.3), (1.0, 0.3)), polyline((0.0, 0.7), (1.0, 0.7))),
        (polyline((0.05, 0.35), (0.95, 0.32)), polyline((0.0, 0.68), (1.0, 0.65))),
    ),
    "≠": pick(
        (
            polyline((0.0, 0.35), (1.0, 0.35)),
            polyline((0.0, 0.65), (1.0, 0.65)),
            polyline((0.7, 0.0), (0.3, 1.0)),
        )
    ),
    "@": pick(
        (
            ring(0.5, 0.52, 0.17, 0.2, start=0),
            chain(
                polyline((0.67, 0.3), (0.67, 0.68)),
                bezier((0.67, 0.68), (0.75, 0.8), (1.0, 0.75), (1.0, 0.5)),
                arc(0.5, 0.5, 0.5, 0.5, 0, -300),
            ),
        ),
    ),
    "&": pick(
        (
            chain(
                polyline((0.9, 1.0), (0.3, 0.38)),
                arc(0.42, 0.2, 0.16, 0.2, 130, -130),
                bezier((0.52, 0.36), (0.1, 0.55), (0.0, 0.9), (0.35, 0.98)),
                bezier((0.35, 0.98), (0.6, 1.0), (0.8, 0.75), (0.9, 0.55)),
            ),
        ),
    ),
    "%": pick(
        (ring(0.2, 0.2, 0.16, 0.2), polyline((0.9, 0.0), (0.1, 1.0)), ring(0.8, 0.8, 0.16, 0.2)),
        (
            ring(0.22, 0.18, 0.14, 0.18),
            polyline((0.85, 0.05), (0.15, 0.95)),
            ring(0.78, 0.82, 0.14, 0.18),
        ),
    ),
    "$": pick(
        (s_curve(), polyline((0.5, -0.15), (0.5, 1.15))),
        (s_curve(), polyline((0.45, -0.1), (0.45, 1.1)), polyline((0.55, -0.1), (0.55, 1.1))),
    ),
    "?": pick(
        (
            chain(
                arc(0.5, 0.25, 0.3, 0.25, 190, 400),
                polyline((0.62, 0.48), (0.5, 0.58), (0.5, 0.75)),
            ),
            dot(0.5, 1.0),
        ),
        (
            chain(
                arc(0.45, 0.22, 0.3, 0.22, 180, 430),
                bezier((0.55, 0.44), (0.45, 0.55), (0.45, 0.65), (0.45, 0.75)),
            ),
            dot(0.45, 1.0),
        ),
    ),
    "!": pick(
        (polyline((0.5, 0.0), (0.5, 0.7)), dot(0.5, 1.0)),
        (polyline((0.55, 0.0), (0.45, 0.68)), dot(0.45, 1.0)),
    ),
    "÷": pick((polyline((0.0, 0.5), (1.0, 0.5)), dot(0.5, 0.1), dot(0.5, 0.9))),
    "±": pick(
        (
            polyline((0.5, 0.0), (0.5, 0.7)),
            polyline((0.1, 0.35), (0.9, 0.35)),
            polyline((0.1, 1.0), (0.9, 1.0)),
        )
    ),
    "<": pick((polyline((0.9, 0.0), (0.1, 0.5), (0.9, 1.0)),)),
    ">": pick((polyline((0.1, 0.0), (0.9, 0.5), (0.1, 1.0)),)),
    "~": pick((bezier((0.0, 0.6), (0.3, -0.2), (0.7, 1.2), (1.0, 0.4)),)),
    "€": pick(
        (
            arc(0.6, 0.5, 0.4, 0.5, -50, -310),
            polyline((0.0, 0.4), (0.65, 0.4)),
            polyline((0.0, 0.6), (0.6, 0.6)),
        )
    ),
    "∞": pick((turned(figure_eight(0.22, 0.22, waist=0.5), 90),)),
    "©": pick((ring(0.5, 0.5, 0.5, 0.5), arc(0.52, 0.5, 0.2, 0.22, -40, -320))),
}
