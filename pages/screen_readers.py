"""Two things Streamlit's own markup gets wrong for screen readers and keyboards, mended.

- **Sliders named twice.** Streamlit's sliders come from React Aria, which names each thumb by
  itself and by its group: `aria-labelledby` lists the thumb's input and the group around it, and
  both carry the slider's label, so a screen reader says "Pen width Pen width, slider, 20". With
  one thumb the group adds nothing, so the thumb is named by its own label alone.
- **Focus lost after an upload.** A file chosen with the keyboard redraws the file uploader, and
  the button that had the focus goes with it: the focus fell to the page, and a screen reader
  went back to its top. It goes back to the same uploader: to its first button, which is the
  chosen file's Remove once there is one, and the upload button again after a removal.

A small script, mounted once per run from the sidebar (every page has one), does both as
elements are drawn, and drawn anew on a page switch.
"""

from __future__ import annotations

from pages.page_script import page_script

_SCRIPT = """
function watch() {
    const SLIDER = '[data-testid="stSlider"] input[type="range"][aria-labelledby]';
    const UPLOADER = '[data-testid="stFileUploader"]';
    const BUTTON = '[data-testid="stFileUploaderDropzone"] button';
    // A button that left the page with the focus is looked for again only this long: a redraw
    // brings it back within it. (A click elsewhere on the page keeps the button in the page, so
    // it never calls for this.)
    const REDRAW_MS = 10000;
    let focused = null, uploader = -1, lostAt = 0;

    const remember = (event) => {
        focused = event.target;
        const own = focused.closest && focused.closest(UPLOADER);
        uploader = own ? [...document.querySelectorAll(UPLOADER)].indexOf(own) : -1;
        lostAt = 0;
    };
    const mend = () => {
        // The thumb's own id alone: its name is then its aria-label, the slider's label, once.
        for (const thumb of document.querySelectorAll(SLIDER)) {
            if (thumb.id && thumb.getAttribute('aria-labelledby') !== thumb.id) {
                thumb.setAttribute('aria-labelledby', thumb.id);
            }
        }
        if (uploader < 0 || !focused || focused.isConnected) return;
        if (document.activeElement !== document.body) { uploader = -1; return; }
        lostAt = lostAt || Date.now();
        if (Date.now() - lostAt > REDRAW_MS) { uploader = -1; return; }
        const again = document.querySelectorAll(UPLOADER)[uploader];
        const button = again && again.querySelector(BUTTON);
        if (button) button.focus({ preventScroll: true });
    };
    mend();
    document.addEventListener('focusin', remember, true);
    const watcher = new MutationObserver(mend);
    watcher.observe(document.body, {
        childList: true, subtree: true, attributes: true, attributeFilter: ['aria-labelledby'],
    });
    return () => {
        watcher.disconnect();
        document.removeEventListener('focusin', remember, true);
    };
}
"""

_mount = page_script("screen_readers", _SCRIPT)


def mend_sliders_and_focus() -> None:
    """Mount the script (it renders nothing); call it once per run, last in the sidebar."""
    _mount(key="screen_readers")
