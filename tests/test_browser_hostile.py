"""Hostile files and racing trainers in the real app, in headless Chromium.

A server over a store seeded with damaged files (tests/hostile.py): My drawings lists the damaged
drawings with Delete (screenshots at 1280 and 390 px); uploads with Markdown in their names are
shown as typed, a 16-bit PNG is read and shown, a file over the limit is refused by the browser;
the Training page's "another training run" note goes away by itself when that run ends.
"""

from __future__ import annotations

import io
import signal
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model.drawings import TEMPLATES, render_strokes
from model.serving.uploads import MAX_BYTES
from pages.formatting import WORD_JOINER
from tests.browser import (
    browser_test_marks,
    exceptions,
    new_page,
    run_app,
    screenshot,
    wait_until_idle,
)
from tests.hostile import DAMAGED, seed_hostile_store, training_lock_held_elsewhere

pytestmark = browser_test_marks()

HOSTILE_NAME = (
    "**bold** [link](http://example.com) :red[red] $x^2$ <b>_x_</b> www.example.org a@b.io.png"
)


@pytest.fixture(scope="module")
def server():
    home = Path(tempfile.mkdtemp(prefix="digit-studio-hostile-"))
    seed_hostile_store(home)
    with run_app(home) as app:
        yield app


def open_at(browser, url: str, width: int = 1280):
    page = new_page(browser)
    page.set_viewport_size({"width": width, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_timeout(500)
    wait_until_idle(page, timeout=120)
    return page


def assert_no_exception(page, where: str) -> None:
    shown = exceptions(page)
    assert not shown, f"{where} shows an exception:\n" + "\n---\n".join(shown)


@pytest.mark.parametrize("width", [1280, 390])
def test_my_drawings_lists_damaged_drawings_with_delete(server, browser, width):
    page = open_at(browser, f"{server.url}/my_drawings", width)
    try:
        assert_no_exception(page, "My drawings")
        page.get_by_text("5 saved drawing files cannot be read").wait_for()
        for drawing_id in DAMAGED:
            assert page.get_by_text(f"{drawing_id}.npz", exact=False).count() == 1
        assert page.get_by_text("label 42 is not -1 to 9").count() == 1
        deletes = page.get_by_role("button", name="Delete", exact=True)
        assert deletes.count() == len(DAMAGED) + 1  # each damaged file and the good drawing
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "serving default instead" in sidebar
        screenshot(page, f"my-drawings-damaged-{width}")
    finally:
        page.context.close()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, name: str, raw: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "image/png", "buffer": raw}
    )
    page.wait_for_timeout(500)
    wait_until_idle(page, timeout=60)


def test_uploads_with_hostile_names_and_odd_formats(server, browser):
    page = open_at(browser, server.url)
    try:
        page.get_by_role("tab", name="Upload").click()
        sixteen = render_strokes(TEMPLATES[3][0]).astype(np.uint16) * 257
        upload(page, HOSTILE_NAME, png(Image.fromarray(sixteen)))
        assert_no_exception(page, "a 16-bit PNG")
        caption = page.locator('[data-testid="stImageCaption"]').first
        shown = caption.inner_text().strip().replace(WORD_JOINER, "")
        assert shown == HOSTILE_NAME, "the file name is shown as typed, not as Markdown"
        assert caption.locator("a, strong, em, b, .katex").count() == 0
        metric = page.locator('[data-testid="stMetricValue"]').last.inner_text()  # first: Draw
        assert metric.strip() == "3"
        screenshot(page, "upload-hostile-name")

        upload(page, HOSTILE_NAME, b"not an image at all")
        assert_no_exception(page, "a file that is no image")
        alert = page.locator('[data-testid="stAlert"]', has_text="Cannot read").first.inner_text()
        alert = alert.replace(WORD_JOINER, "")
        assert f"Cannot read it: {HOSTILE_NAME} is not a readable image" in alert
        assert "<_io" not in alert
        assert page.locator('[data-testid="stAlert"] a').count() == 0

        upload(page, "blank.png", png(Image.new("L", (200, 200), 255)))
        assert_no_exception(page, "a blank image")
        page.get_by_text("No ink found in blank.png").wait_for(timeout=15_000)
        panel = page.get_by_role("tabpanel").filter(has_text="No ink found")
        assert panel.get_by_text("Nothing drawn yet").count() == 0  # the canvas's words

        gif = io.BytesIO()
        Image.fromarray(255 - render_strokes(TEMPLATES[7][0])).save(gif, format="GIF")
        upload(page, "seven.gif", gif.getvalue())  # every format the reader takes is offered
        assert_no_exception(page, "a GIF")
        metric = page.locator('[data-testid="stMetricValue"]').last.inner_text()
        assert metric.strip() == "7", metric

        upload(page, "big.png", b"\0" * (MAX_BYTES + 1))
        page.get_by_text("or smaller").first.wait_for(timeout=15_000)  # refused in the browser
        assert_no_exception(page, "a file over the limit")
    finally:
        page.context.close()
    assert "big.png" not in server.log.read_text(errors="replace")


def test_the_other_run_note_goes_when_that_run_ends(server, browser):
    page = None
    with training_lock_held_elsewhere(server.home) as holder:
        try:
            page = open_at(browser, f"{server.url}/training")
            note = page.get_by_text(f"Another training run (pid {holder.pid})")
            note.wait_for()
            retrain = page.get_by_role("button", name="Retrain")
            assert retrain.is_disabled()
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            note.wait_for(state="detached", timeout=20_000)  # no click, no reload
            page.wait_for_timeout(500)
            wait_until_idle(page, timeout=60)
            assert retrain.is_enabled()
            assert_no_exception(page, "Training after the other run")
        finally:
            if page is not None:
                page.context.close()
