"""Our adjustments to the drawing canvas, inside streamlit-drawable-canvas's shadow root.

- **A toolbar big enough to touch.** The component draws its toolbar (update, undo, edit, reset)
  with 22 px buttons: under the 24 px that WCAG 2.2 asks of a touch target (2.5.8, axe-core's
  "target-size"), and a finger on a phone misses them.
- **A toolbar off the canvas.** At rest the toolbar is invisible and overlaps the canvas's top
  edge; it is shown, and lifted above the canvas, only on hover. A touch screen has no hover, so
  a stroke started near the top fell on an invisible Undo or Reset and wiped the drawing. Now
  the toolbar always sits above the canvas, its card touching the canvas's edge (no gap where
  the mouse would lose hover on its way up), only the card catches the pointer, and where a
  screen has no hover or a finger for a pointer it is always shown.
- **One way to empty it.** The component's bin resets the canvas to the drawing it was given,
  which is the drawing kept for the page's return (pages/draw.py), not an empty one. The page's
  Clear empties it, so the bin is hidden.
- **A pen that always draws.** The component's pencil button ("Edit") turns strokes into a
  selection tool that moves and deletes strokes; pressed by a finger brushing the always-shown
  toolbar, the pen stopped drawing, and Clear did not bring it back. It is hidden with its
  move and delete buttons: Undo, Redo and Clear are the ways to change a drawing here.
- **A focus that shows.** A toolbar button with the keyboard's focus turned a pale grey (1.6:1):
  it gets the red outline app.py gives every focused control.
- **A stroke's last corner kept.** When a stroke ends, Fabric.js thins its points
  (`decimatePoints`) and always drops the last point but one. Under a slow hand that point is a
  pixel from the end; under a quick one, or a device that reports few points, it is the last
  corner: a 7 drawn in one quick stroke (three points) lost its bar and read as a 1 at >99.9%,
  an open 4 its bar. As a stroke ends, the pencil is given one more point, a pixel from where
  it ended, which is the one dropped instead.
- **A name.** The canvas is announced to screen readers as what it is, a drawing surface, and
  its other layers are hidden from them.

No option of the component does these and the page's CSS does not reach into a shadow root, so a
small script of our own makes them there, and again whenever the canvas is drawn anew (a page
switch, the Draw tab shown again).
"""

from __future__ import annotations

from pages.page_script import page_script

MIN_TARGET_PX = 24
CANVAS_NAME = "Drawing canvas: draw one digit with the mouse, a finger or a pen"

_SCRIPT = """
function watch() {
    // !important: the component links its own stylesheet into the root, and when the canvas is
    // drawn anew (back on the Draw page) that link lands after this style and would win.
    const rule = `
        .dc-icon-button { min-width: MIN_PX !important; min-height: MIN_PX !important; }
        .dc-toolbar {
            top: -2.5rem !important; padding-bottom: 0 !important; pointer-events: none !important;
        }
        .dc-toolbar-card { pointer-events: auto !important; }
        .dc-icon-button:focus-visible { outline: 2px solid #cf4250 !important; }
        .dc-icon-button[title="Reset canvas & history"], .dc-icon-button[title="Edit"],
        .dc-toolbar-separator, .dc-toolbar-contextual { display: none !important; }
        @media (hover: none), (any-pointer: coarse) { .dc-toolbar { opacity: 1 !important; } }
    `;
    const watched = new WeakSet();
    const observers = [];
    // The component may redraw its shadow root's children: each root is watched for that too.
    const ensure = (root) => {
        for (const canvas of root.querySelectorAll('canvas')) {
            if (canvas.classList.contains('upper-canvas')) {
                canvas.setAttribute('role', 'img');
                canvas.setAttribute('aria-label', 'NAME');
            } else {
                canvas.setAttribute('aria-hidden', 'true');
            }
        }
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
            observer.observe(root, { childList: true, subtree: true });
            observers.push(observer);
        }
    };
    scan();
    const watcher = new MutationObserver(scan);
    watcher.observe(document.body, { childList: true, subtree: true });
    const stopKeepingEnds = keepStrokeEnds();
    return () => {
        [watcher, ...observers].forEach((observer) => observer.disconnect());
        stopKeepingEnds();
    };
}

// Fabric.js listens for a stroke's moves and end on the document; these listeners, on the window
// and capturing, run before it: the extra point reaches the pencil before the stroke ends.
function keepStrokeEnds() {
    let stroke = null; // the stroke being drawn: {canvas, moved, touch}
    const begin = (event) => {
        if (event.type === 'touchstart' && stroke?.touch !== undefined) return; // a second finger
        const canvas = event.composedPath().find((el) => el.classList?.contains('upper-canvas'));
        const touch = event.changedTouches?.[0]?.identifier;
        stroke = canvas ? { canvas, moved: false, touch } : null;
    };
    const moved = (event) => {
        if (stroke && event.isTrusted) stroke.moved = true;
    };
    // A pixel from (x, y), towards the canvas's centre so that it stays on the canvas.
    const nearby = (x, y) => {
        const box = stroke.canvas.getBoundingClientRect();
        return [x + (x > box.left + box.width / 2 ? -1 : 1), y];
    };
    const endMouse = (event) => {
        if (stroke?.moved && stroke.touch === undefined) {
            const [clientX, clientY] = nearby(event.clientX, event.clientY);
            stroke.canvas.dispatchEvent(new MouseEvent('mousemove', {
                bubbles: true, composed: true, cancelable: true, view: window,
                clientX, clientY, buttons: 1,
            }));
        }
        stroke = null;
    };
    const endTouch = (event) => {
        const ending = [...event.changedTouches].find((t) => t.identifier === stroke?.touch);
        if (ending && stroke.moved) {
            const [clientX, clientY] = nearby(ending.clientX, ending.clientY);
            const copy = new Touch({
                identifier: ending.identifier, target: stroke.canvas, clientX, clientY,
                pageX: clientX + window.scrollX, pageY: clientY + window.scrollY,
            });
            stroke.canvas.dispatchEvent(new TouchEvent('touchmove', {
                bubbles: true, composed: true, cancelable: true,
                touches: [copy], targetTouches: [copy], changedTouches: [copy],
            }));
        }
        if (ending) stroke = null;
    };
    const listeners = [
        ['mousedown', begin], ['touchstart', begin], ['mousemove', moved],
        ['touchmove', moved], ['mouseup', endMouse], ['touchend', endTouch],
    ];
    listeners.forEach(([type, listener]) => window.addEventListener(type, listener, true));
    return () => listeners.forEach(([type, l]) => window.removeEventListener(type, l, true));
}
""".replace("MIN_PX", f"{MIN_TARGET_PX}px").replace("NAME", CANVAS_NAME)

_mount = page_script("canvas_adapter", _SCRIPT)


def adapt_canvas() -> None:
    """Mount the script (it renders nothing); call it once on a page with a canvas."""
    _mount(key="canvas_adapter")
