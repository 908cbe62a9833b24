"""A script of ours that runs in the page itself and watches it, mounted as a Streamlit component.

Streamlit's elements are React's, drawn anew as the page reruns, so a script that mends them
(pages/screen_readers.py, pages/canvas_component.py) watches the page and mends again. Its
watchers must not pile up: Streamlit runs a component's script again when the theme changes
(light, dark, or the system's), without calling the cleanup the script returned the time
before. So the cleanup is also kept on the window, under the script's name, and run first.
"""

from __future__ import annotations

import streamlit as st

_ONCE = """
export default function (component) {
    const KEY = '__digitStudio_NAME';
    window[KEY]?.();
    const stop = watch(component) || (() => {});
    const cleanup = () => {
        stop();
        if (window[KEY] === cleanup) delete window[KEY];
    };
    window[KEY] = cleanup;
    return cleanup;
}
"""


def page_script(name: str, watch_js: str):
    """A component (call it with a key; it renders nothing) whose script runs `watch_js`, which
    must define `function watch(component)` that starts watching the page and returns the
    function that stops it; one set of watchers at a time, whatever reruns it."""
    js = watch_js + _ONCE.replace("NAME", name)
    return st.components.v2.component(f"digit_studio.{name}", js=js, isolate_styles=False)
