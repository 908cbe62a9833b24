"""What screen readers are told where Streamlit's own markup tells them twice.

Streamlit's sliders come from React Aria, which names each thumb by itself and by its group:
`aria-labelledby` lists the thumb's input and the group around it, and both carry the slider's
label, so a screen reader says "Pen width Pen width, slider, 20". With one thumb the group adds
nothing, so the thumb is named by its own label alone. A small script, mounted once per run from
the sidebar (every page has one), keeps it so as sliders are drawn, and drawn anew on a page
switch.
"""

from __future__ import annotations

import streamlit as st

_SCRIPT = """
export default function () {
    const SLIDER = '[data-testid="stSlider"] input[type="range"][aria-labelledby]';
    // The thumb's own id alone: its name is then its aria-label, the slider's label, once.
    const fix = () => {
        for (const thumb of document.querySelectorAll(SLIDER)) {
            if (thumb.id && thumb.getAttribute('aria-labelledby') !== thumb.id) {
                thumb.setAttribute('aria-labelledby', thumb.id);
            }
        }
    };
    fix();
    const watcher = new MutationObserver(fix);
    watcher.observe(document.body, {
        childList: true, subtree: true, attributes: true, attributeFilter: ['aria-labelledby'],
    });
    return () => watcher.disconnect();
}
"""

_mount = st.components.v2.component("digit_studio.screen_readers", js=_SCRIPT, isolate_styles=False)


def name_sliders_once() -> None:
    """Mount the script (it renders nothing); call it once per run, last in the sidebar."""
    _mount(key="screen_readers")
