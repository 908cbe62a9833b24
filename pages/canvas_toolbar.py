"""The drawing canvas's toolbar, made big enough to touch.

streamlit-drawable-canvas draws its toolbar (update, undo, edit, reset) inside its own shadow root
with 22 px buttons: under the 24 px that WCAG 2.2 asks of a touch target (2.5.8, axe-core's
"target-size"), and a finger on a phone misses them. No option of the component sizes them and the
page's CSS does not reach into a shadow root, so a small script of our own adds one rule there,
and again whenever the canvas is drawn anew (a page switch, the Draw tab shown again).
"""

from __future__ import annotations

import streamlit as st

MIN_TARGET_PX = 24

_SCRIPT = """
export default function () {
    const rule = '.dc-icon-button { min-width: MIN_PX; min-height: MIN_PX; }';
    const watched = new WeakSet();
    const observers = [];
    // The component may redraw its shadow root's children: each root is watched for that too.
    const ensure = (root) => {
        if (root.querySelector('style[data-touch]')) return;
        const style = document.createElement('style');
        style.dataset.touch = '';
        style.textContent = rule;
        root.appendChild(style);
    };
    const scan = () => {
        for (const host of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
            const root = host.shadowRoot;
            if (!root || watched.has(root)) continue;
            watched.add(root);
            ensure(root);
            const observer = new MutationObserver(() => ensure(root));
            observer.observe(root, { childList: true });
            observers.push(observer);
        }
    };
    scan();
    const watcher = new MutationObserver(scan);
    watcher.observe(document.body, { childList: true, subtree: true });
    return () => [watcher, ...observers].forEach((observer) => observer.disconnect());
}
""".replace("MIN_PX", f"{MIN_TARGET_PX}px")

_mount = st.components.v2.component("digit_studio.canvas_toolbar", js=_SCRIPT, isolate_styles=False)


def touch_sized_toolbar() -> None:
    """Mount the script (it renders nothing); call it once on a page with a canvas."""
    _mount(key="canvas_toolbar")
