"""A line that screen readers speak as it changes: the answer, after every stroke.

The Prediction metric changes in place, and nothing tells a screen reader that it did. A live
region is spoken when its text changes, but only if it was there before the change, and
Streamlit draws its elements anew: so a small script keeps one region of its own in the
document, out of sight, and sets its text whenever a page passes a new one. "Polite": it is
spoken once the reader is idle, never cutting into what it is reading.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function ({ data }) {
    let region = document.getElementById('digit-studio-announcer');
    if (!region) {
        region = document.createElement('div');
        region.id = 'digit-studio-announcer';
        region.setAttribute('role', 'status');
        region.setAttribute('aria-live', 'polite');
        region.setAttribute('aria-atomic', 'true');
        region.style.cssText = 'position:absolute;width:1px;height:1px;margin:-1px;padding:0;'
            + 'overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0';
        document.body.appendChild(region);
    }
    const text = (data && data.text) || '';
    if (region.textContent !== text) region.textContent = text;
}
"""

_mount = st.components.v2.component("digit_studio.announcer", js=_SCRIPT, isolate_styles=False)


def announce(text: str, key: str) -> None:
    """Have screen readers speak `text` if it differs from what they were last given. Call it
    last in its column: it renders nothing, but takes the gap between elements."""
    _mount(key=key, data={"text": text})
