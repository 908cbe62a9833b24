"""The real app in headless Chromium: draw digits with the mouse, read the prediction, clear the
canvas, open every page, and retrain a small model from the Training page.

One `streamlit run app.py` (with its own model store) and one browser page serve the whole module,
like one user clicking through the app; the tests run in file order. Screenshots of every page go
to `test-output/screenshots/`. Needs Debian's Chromium at /usr/bin/chromium (tests/run.sh installs
it); run with `pytest -m browser tests/test_browser.py`.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from model.drawings import TEMPLATES, render_strokes
from tests.browser import (
    CANVAS_SELECTOR,
    CLIPPED_JS,
    NO_PREDICTION,
    ONE_STROKE,
    TWO_STROKES,
    at_width,
    browser_test_marks,
    canvas_box,
    canvas_ink,
    click_clear,
    digit_strokes,
    draw_strokes,
    exceptions,
    nav_links,
    new_page,
    open_page,
    read_prediction,
    rerun_after,
    run_app,
    screenshot,
    wait_for_canvas,
    wait_for_ink,
    wait_for_locator,
    wait_for_prediction,
    wait_until_idle,
)

pytestmark = browser_test_marks()

# Page titles in the sidebar → screenshot names. Pages not listed here are still visited (the
# navigation is read from the sidebar) and named after their URL path.
SCREENSHOT_NAMES = {"Draw": "draw", "Inside the CNN": "inside", "Training": "training"}

# (digit, template in model.drawings.TEMPLATES): one-stroke drawings, and some of two strokes
# (a 4 with its stem apart, a 7 with a crossbar), as people draw them.
DRAWINGS = [
    (0, ONE_STROKE[0]),
    (1, ONE_STROKE[1]),
    (2, ONE_STROKE[2]),
    (3, ONE_STROKE[3]),
    (4, TWO_STROKES[4]),
    (5, ONE_STROKE[5]),
    (7, TWO_STROKES[7]),
    (8, ONE_STROKE[8]),
]


@pytest.fixture(scope="module")
def errors() -> list[str]:
    """Uncaught JavaScript errors on the page, collected over the module."""
    return []


@pytest.fixture(scope="module")
def page(server, browser, errors):
    page = new_page(browser)
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(server.url)
    wait_for_canvas(page)
    wait_until_idle(page)
    yield page
    page.context.close()


def on_draw_page(page) -> None:
    """Make sure the Draw page is showing, with an empty canvas."""
    if page.locator(CANVAS_SELECTOR).count() == 0:
        open_page(page, "Draw")
        wait_for_canvas(page)
    wait_until_idle(page)
    if read_prediction(page) != NO_PREDICTION or canvas_ink(page):
        click_clear(page)


def assert_no_exception(page, where: str) -> None:
    shown = exceptions(page)
    assert not shown, f"{where} shows an exception:\n" + "\n---\n".join(shown)


# --- The Draw page -----------------------------------------------------------------------------


def test_draw_page_starts_empty(page):
    assert page.get_by_role("heading", name="Draw a digit").is_visible()
    assert page.locator(CANVAS_SELECTOR).first.is_visible()
    box = page.locator(CANVAS_SELECTOR).first.bounding_box()
    assert (box["width"], box["height"]) == (280, 280)
    assert read_prediction(page) == NO_PREDICTION
    assert page.get_by_text("nothing is drawn yet").is_visible()
    assert canvas_ink(page) == 0
    assert_no_exception(page, "Draw")


def pen_width_input(page):
    slider = page.locator('[data-testid="stSlider"]').filter(has_text="Pen width")
    assert slider.count() == 1, "no Pen width slider"
    return slider.locator('input[type="range"]')


def test_pen_width_slider_sets_the_pen(page):
    on_draw_page(page)
    pen = pen_width_input(page)
    assert (pen.get_attribute("min"), pen.get_attribute("max")) == ("8", "40")
    assert pen.input_value() == "20"
    bar = digit_strokes(1, ONE_STROKE[1])
    draw_strokes(page, bar)
    wait_for_prediction(page, equals="1", timeout=30)
    thin = canvas_ink(page)
    click_clear(page)

    pen.focus()
    rerun_after(page, lambda: pen.press("End"))  # the widest pen, 40 px
    try:
        assert pen_width_input(page).input_value() == "40"
        wait_for_canvas(page)
        draw_strokes(page, bar)
        wait_for_prediction(page, equals="1", timeout=30)
        thick = canvas_ink(page)
        click_clear(page)
        assert thick > 1.6 * thin, (thin, thick)
    finally:
        # Back to 20 even when a step above failed: the page is shared by this module's tests,
        # and a rerun of this one starts from the default pen.
        pen = pen_width_input(page)
        pen.focus()
        pen.press("Home")  # 8, then twelve steps up
        for _ in range(12):
            pen.press("ArrowRight")
        wait_until_idle(page, settle=1.0)  # one run or several, as the key presses arrive
    assert pen_width_input(page).input_value() == "20"


@pytest.mark.parametrize(("digit", "template"), DRAWINGS, ids=[f"{d}-t{t}" for d, t in DRAWINGS])
def test_drawn_digit_is_read_and_cleared(page, digit, template):
    on_draw_page(page)
    draw_strokes(page, digit_strokes(digit, template))
    wait_for_ink(page, more_than=1000)
    value = wait_for_prediction(page, equals=str(digit), timeout=30)
    assert value == str(digit)
    wait_until_idle(page)  # the rest of the readout comes after the metric
    assert page.get_by_text("Confidence").first.is_visible()
    bars = page.locator('[data-testid="probabilityBars"]')
    assert bars.count() == 1, "no probability bars"
    assert f"{digit}: " in bars.get_attribute("aria-label")
    assert_no_exception(page, f"Draw, after drawing a {digit}")

    canvas = page.locator(CANVAS_SELECTOR).first.element_handle()
    click_clear(page)
    assert read_prediction(page) == NO_PREDICTION
    assert canvas_ink(page) == 0, "Clear left ink on the canvas"
    assert page.get_by_text("nothing is drawn yet").is_visible()
    # Cleared in place: a remounted canvas would make the page jump while the new one loads.
    assert canvas.evaluate("(el) => el.isConnected"), "Clear remounted the canvas"


def test_an_mnist_digit_leaves_the_canvas_where_it_was(page):
    """An MNIST digit's picture went above the canvas: at 768 px the canvas, and the button under
    the finger that asked for it, moved 138 px down. It sits beside the answer now."""
    on_draw_page(page)
    title = page.locator("h1").first

    def canvas_top() -> float:  # below the title, whatever the page's scroll
        return canvas_box(page)["y"] - title.bounding_box()["y"]

    before = canvas_top()
    page.get_by_role("button", name="Try an MNIST digit").click()
    wait_for_prediction(page, changed_from=NO_PREDICTION, timeout=30)
    wait_until_idle(page)
    assert page.get_by_role("img", name=re.compile("^MNIST test digit")).count() == 1
    assert abs(canvas_top() - before) <= 4, f"the canvas moved {canvas_top() - before:.0f} px"
    click_clear(page)


def test_every_stroke_updates_the_prediction(page):
    """A 4 in two strokes: the first one alone is not a 4, the second one makes it one."""
    on_draw_page(page)
    first, second = digit_strokes(4, TWO_STROKES[4])
    draw_strokes(page, [first])
    after_one = wait_for_prediction(page, changed_from=NO_PREDICTION, timeout=30)
    wait_until_idle(page)
    draw_strokes(page, [second])
    wait_for_prediction(page, equals="4", timeout=30)
    assert after_one != NO_PREDICTION
    click_clear(page)


# --- Every page --------------------------------------------------------------------------------


def test_every_page_opens_without_an_exception(page, errors):
    links = nav_links(page)
    assert {"Draw", "Inside the CNN", "Training"} <= set(links), links
    failures = []
    for title, href in links.items():
        open_page(page, title)
        page.wait_for_timeout(500)  # charts and images lay out after the run
        wait_until_idle(page, timeout=120)
        name = SCREENSHOT_NAMES.get(title) or href.rstrip("/").rsplit("/", 1)[-1] or "home"
        screenshot(page, name)
        shown = exceptions(page)
        if shown:
            failures.append(f"{title}: " + "\n".join(shown))
    open_page(page, "Draw")
    assert not failures, "pages with an exception:\n" + "\n---\n".join(failures)
    assert not errors, f"uncaught JavaScript errors: {errors}"


# Every button, picture, canvas and table of the page that an ancestor or the window cuts off,
# as [what, px hidden]; the tab rows aside (TABS_HIDDEN_JS measures them).
CUT_OFF_JS = f"""() => {{
    const hidden = {CLIPPED_JS};
    return [...document.querySelectorAll(
        '[data-testid="stMain"] :is(button, img, canvas, table)')]
        .filter((e) => !e.closest('[role="tablist"]') && e.getBoundingClientRect().width >= 2)
        .map((e) => [e.tagName + ' ' + (e.getAttribute('aria-label') || e.alt || e.innerText || '')
            .slice(0, 40), Math.round(hidden(e))])
        .filter(([, px]) => px > 1)
        .concat([...document.querySelectorAll('[data-testid="stMain"] *')]
            // text cut short with an ellipsis: a metric's value, a button's label
            .filter((e) => getComputedStyle(e).textOverflow === 'ellipsis'
                && e.scrollWidth > e.clientWidth + 1 && !e.closest('[role="tablist"]'))
            .map((e) => [e.tagName + ' ' + e.innerText.slice(0, 40),
                e.scrollWidth - e.clientWidth]));
}}"""


# Per row of tabs, how many pixels of its tabs lie out of sight, scrolled sideways.
TABS_HIDDEN_JS = """() => [...document.querySelectorAll('[data-testid="stMain"] [role="tablist"]')]
    .map((row) => row.scrollWidth - row.clientWidth)"""


def test_nothing_is_cut_off_on_a_tablet(page):
    """At 820 px, an iPad Air upright, with the sidebar open, no page cuts off a button, picture,
    canvas, table or text (the Draw page's canvas, Robustness's pictures and Inside's formula
    tables were, in columns too narrow for them; so were Training's metric cards, "studi…"),
    Evaluation shows its confusion matrices at their size (they were at half) and Robustness its
    strip of changes at 84 px (five columns squeezed them to 53 px), and every row of tabs shows
    all its tabs (the explanation lab's six hid 137 px of them, scrolled sideways)."""
    on_draw_page(page)
    draw_strokes(page, digit_strokes(3, ONE_STROKE[3]))
    wait_for_prediction(page, equals="3", timeout=30)
    cut, matrix_width, strip, tabs_hidden = {}, None, [], {}
    try:
        with at_width(page, 820, 1180):
            for title in nav_links(page):
                open_page(page, title)
                page.wait_for_timeout(500)  # images and tables lay out after the run
                wait_until_idle(page, timeout=120)
                if found := page.evaluate(CUT_OFF_JS):
                    cut[title] = found
                if hidden := [px for px in page.evaluate(TABS_HIDDEN_JS) if px > 1]:
                    tabs_hidden[title] = hidden
                if title == "Evaluation":
                    matrix = page.get_by_role("img", name=re.compile("[Cc]onfusion")).first
                    matrix_width = matrix.bounding_box()["width"]
                if title == "Robustness":
                    pictures = page.get_by_role("img", name=re.compile("^It .*, 28×28: ")).all()
                    strip = [picture.bounding_box()["width"] for picture in pictures]
            sidebar = page.locator('[data-testid="stSidebar"]').first.bounding_box()
    finally:
        open_page(page, "Draw")
    assert sidebar and sidebar["width"] > 200, "the sidebar is closed: not the case to test"
    assert not cut, f"cut off at 820 px, [element, px hidden] per page: {cut}"
    assert not tabs_hidden, f"tabs scrolled out of sight at 820 px, px per row: {tabs_hidden}"
    assert matrix_width is not None, "no confusion matrix found on the Evaluation page"
    assert matrix_width >= 390, f"a confusion matrix is shown {matrix_width:.0f} px wide, not 400"
    # The drawing as drawn and its 19 changes, each a card with the 28x28 it reads.
    assert len(strip) == 20, f"Robustness shows {len(strip)} of its 20 cards' 28x28 pictures"
    assert min(strip) >= 83, f"Robustness's strip pictures are {min(strip):.0f} px, not 84"


TOOLBAR_SHOWN_JS = """() => {
    const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
    return [...host.shadowRoot.querySelectorAll('.dc-icon-button')]
        .filter((button) => button.getBoundingClientRect().width > 0)
        .map((button) => button.title);
}"""


def test_the_canvas_toolbar_offers_no_mode_that_stops_the_pen(page):
    """The component's pencil ("Edit") made strokes select and move instead of draw, and Clear
    did not undo it: only Update, Undo and Redo are shown, and the pen draws after Clear."""
    on_draw_page(page)
    page.locator("canvas.upper-canvas").first.hover()
    shown = page.evaluate(TOOLBAR_SHOWN_JS)
    assert shown == ["Update the app with this drawing", "Undo", "Redo"], shown
    draw_strokes(page, digit_strokes(7, ONE_STROKE[7]))
    wait_for_prediction(page, equals="7", timeout=30)
    click_clear(page)
    wait_for_prediction(page, equals=NO_PREDICTION, timeout=30)
    draw_strokes(page, digit_strokes(7, ONE_STROKE[7]))
    wait_for_prediction(page, equals="7", timeout=30)
    click_clear(page)


BIN_SHOWN_JS = """() => {
    const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
    const bin = host.shadowRoot.querySelector('.dc-icon-button[title="Reset canvas & history"]');
    return !!bin && bin.getBoundingClientRect().width > 0;
}"""


def test_the_drawing_carries_to_inside_the_cnn(page):
    on_draw_page(page)
    draw_strokes(page, digit_strokes(3, ONE_STROKE[3]))
    wait_for_prediction(page, equals="3", timeout=30)
    wait_until_idle(page)
    screenshot(page, "draw-3")
    open_page(page, "Inside the CNN")  # the sidebar link keeps the session, and the drawing
    page.wait_for_timeout(500)
    wait_until_idle(page, timeout=120)
    screenshot(page, "inside-3")
    assert_no_exception(page, "Inside the CNN, with a drawing")
    open_page(page, "Draw")
    wait_for_canvas(page)
    # Leaving the page unmounts the canvas; the drawing and its reading come back with it.
    assert wait_for_ink(page, more_than=1000, timeout=15), "the drawing is gone on coming back"
    wait_for_prediction(page, equals="3", timeout=30)
    # The component's bin would reset the canvas to that drawing: it is hidden, and Clear empties.
    assert page.evaluate(BIN_SHOWN_JS) is False, "the canvas toolbar's bin is shown"
    click_clear(page)
    open_page(page, "Inside the CNN")
    open_page(page, "Draw")
    wait_for_canvas(page)
    wait_for_prediction(page, equals=NO_PREDICTION, timeout=30)
    assert canvas_ink(page) == 0, "a cleared drawing came back"


def inside_reads(page) -> str:
    """The digit (or "not a digit") Inside the CNN says it reads."""
    open_page(page, "Inside the CNN")
    text = page.locator('[data-testid="stMain"]').inner_text()
    found = re.search(r"The network reads (\S+)", text)
    assert found, f"Inside the CNN says no reading: {text[:300]}"
    return found.group(1)


def test_an_upload_is_read_by_the_other_pages_until_draw_opens_again(page):
    """The other pages read what was given last: an upload over the drawing. On coming back to
    Draw its uploader is empty, so they read the canvas again, which still shows the drawing."""
    on_draw_page(page)
    draw_strokes(page, digit_strokes(3, ONE_STROKE[3]))
    wait_for_prediction(page, equals="3", timeout=30)
    wait_until_idle(page)
    seven = 255 - render_strokes(TEMPLATES[7][0])
    buffer = io.BytesIO()
    Image.fromarray(seven).save(buffer, format="PNG")
    page.get_by_role("tab", name="Upload").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "seven.png", "mimeType": "image/png", "buffer": buffer.getvalue()}
    )
    page.get_by_text("now read this image").wait_for(timeout=30_000)
    assert inside_reads(page) == "7"
    open_page(page, "Draw")
    wait_for_canvas(page)
    wait_for_prediction(page, equals="3", timeout=30)
    assert inside_reads(page) == "3"
    open_page(page, "Draw")
    wait_for_canvas(page)


def test_the_explanation_lab_replays_the_strokes_and_finds_neighbours(page):
    on_draw_page(page)
    draw_strokes(page, digit_strokes(4, TWO_STROKES[4]))  # the stem apart: two strokes
    wait_for_prediction(page, equals="4", timeout=30)
    wait_until_idle(page)
    open_page(page, "Inside the CNN")
    page.get_by_role("heading", name="4 · Explanation lab").wait_for(timeout=60_000)
    page.locator('img[alt^="Maps of the evidence for the digit 4"]').wait_for(timeout=60_000)

    tab = page.get_by_role("tab", name="Stroke by stroke")
    rerun_after(page, tab.click, timeout=60)
    strip = page.locator('img[alt^="Strip of the ten probabilities after each of 2 strokes"]')
    strip.wait_for(timeout=30_000)
    assert re.search(r"the answers in turn: [^.]*\b4\. ", strip.get_attribute("alt"))
    assert page.get_by_text(re.compile(r"at the second stroke|from the first stroke on")).count()

    tab = page.get_by_role("tab", name="Nearest training digits")
    rerun_after(page, tab.click, timeout=120)  # the index may be built on first use
    neighbours = page.locator('img[alt^="MNIST training digit"]')
    neighbours.first.wait_for(timeout=120_000)
    assert neighbours.count() == 8
    screenshot(page, "inside-lab-4")
    assert_no_exception(page, "Inside the CNN, the explanation lab")
    open_page(page, "Draw")
    wait_for_canvas(page)


# --- Corrections -------------------------------------------------------------------------------


DELETE_ROWS_JS = """() => {
    const rows = {};
    const cards = '[class*="st-key-delete_"]:not(.st-key-delete_all) button';
    for (const button of document.querySelectorAll(cards)) {
        const y = Math.round(button.getBoundingClientRect().y);
        rows[y] = (rows[y] || 0) + 1;
    }
    return Object.keys(rows).map(Number).sort((a, b) => a - b).map((y) => rows[y]);
}"""


def test_my_drawings_gallery_fills_every_row_before_the_next(page, server):
    """15 saved drawings at 1280 px: rows of 8 columns, where 7 fit, left one card alone on a
    row; the gallery now holds as many to a row as fit, and only the last row is short."""
    from model.preprocess import preprocess_canvas
    from model.serving.corrections import Corrections

    saved = Corrections(server.home / "my-drawings")
    for leftover in saved.directory.glob("*.npz"):
        leftover.unlink()
    for i in range(15):
        steps = preprocess_canvas(render_strokes(TEMPLATES[i % 10][0]))
        saved.save(steps.image, steps.gray, i % 10)
    try:
        open_page(page, "My drawings")
        page.get_by_text("15 saved drawings ·").wait_for(timeout=30_000)
        wait_until_idle(page)
        rows = page.evaluate(DELETE_ROWS_JS)
        screenshot(page, "my-drawings-gallery")
    finally:
        for file in saved.directory.glob("*.npz"):
            file.unlink()
        open_page(page, "Draw")
        wait_for_canvas(page)
    assert sum(rows) == 15 and len(rows) >= 2, rows
    assert len(set(rows[:-1])) == 1 and rows[-1] <= rows[0], f"cards per row: {rows}"


def test_a_correction_is_saved_and_found_on_my_drawings(page, server):
    """Draw a 1, say it was meant as a 7, and find it, labelled 7, on My drawings; delete it."""
    saved_dir = server.home / "my-drawings"
    for leftover in saved_dir.glob("*.npz"):  # from an earlier try of this test, if it failed
        leftover.unlink()
    page.goto(server.url)  # a new session: no picked digit or saved drawing from an earlier try
    wait_for_canvas(page)
    on_draw_page(page)
    draw_strokes(page, digit_strokes(1, ONE_STROKE[1]))
    wait_for_prediction(page, equals="1", timeout=30)
    wait_until_idle(page)
    assert not list(saved_dir.glob("*.npz")), "something was saved before the user asked"

    seven = page.locator(".st-key-correction_label").get_by_role("radio", name="7", exact=True)
    rerun_after(page, seven.click)
    assert seven.get_attribute("aria-checked") == "true", "the 7 did not stay picked"
    rerun_after(page, page.locator(".st-key-correction_save button").click)
    alerts = page.locator('[data-testid="stAlert"]')
    try:
        alerts.filter(has_text=re.compile("Saved as a 7")).wait_for(timeout=30_000)
    except Exception as err:
        raise AssertionError(f"after Save the page shows {alerts.all_inner_texts()}") from err
    assert_no_exception(page, "Draw, after saving a correction")
    files = list(saved_dir.glob("*.npz"))
    assert len(files) == 1, files
    with np.load(files[0]) as saved:
        assert int(saved["label"]) == 7
        assert saved["image"].shape == (28, 28) and saved["image"].max() > 0
        assert saved["raw"].shape == (280, 280)
    click_clear(page)

    open_page(page, "My drawings")
    page.get_by_text("1 saved drawing ·").wait_for(timeout=30_000)
    captions = page.locator('[data-testid="stImageCaption"]')
    assert captions.filter(has_text=re.compile(r"^a 7$")).count() == 1, captions.all_inner_texts()
    screenshot(page, "my-drawings")
    assert_no_exception(page, "My drawings")

    rerun_after(page, lambda: page.locator(f".st-key-delete_{files[0].stem} button").click())
    page.get_by_text("No saved drawings yet").wait_for(timeout=30_000)
    assert not list(saved_dir.glob("*.npz")), "Delete left the file"
    open_page(page, "Draw")
    wait_for_canvas(page)


# --- Deep links ----------------------------------------------------------------------------------


def test_a_deep_link_on_a_fresh_server_opens_the_page_under_app_py(browser):
    """Streamlit runs a deep-linked pages/ file on its own until app.py's navigation has run once;
    the page must hand over to app.py (the page list, the sidebar, the wide layout)."""
    with run_app() as fresh:
        page = new_page(browser, f"{fresh.url}/training")
        try:
            page.get_by_role("heading", name="Training").first.wait_for(timeout=60_000)
            wait_until_idle(page, timeout=60)
            assert {"Draw", "Inside the CNN", "Training", "My drawings"} <= set(nav_links(page))
            assert page.get_by_text("Serving model").is_visible()
            assert page.url.endswith("/training")
            assert_no_exception(page, "Training, opened by a deep link")
        finally:
            page.context.close()


def test_an_evaluation_link_opens_its_view_and_leaves_the_next_page_clean(browser, server):
    """`?version=` picks the version; the page only reads it, so the next page's URL is clean."""
    page = new_page(browser, f"{server.url}/evaluation?version=default")
    try:
        page.get_by_role("heading", name="Evaluation").first.wait_for(timeout=60_000)
        wait_until_idle(page, timeout=120)
        version = page.locator(".st-key-evaluation_version input")
        assert version.input_value().startswith("default"), version.input_value()
        link = page.locator('[data-testid="stCode"]').filter(has_text="?version=default")
        for _ in range(3):  # a run still drawing the page may draw the expander closed again
            wait_until_idle(page, timeout=120)
            page.get_by_text("Copy a link to this view").click()
            if wait_for_locator(link, timeout=10):
                break
        assert link.count() == 1 and "/evaluation?version=default" in link.inner_text()
        assert_no_exception(page, "Evaluation, opened by a link")
        open_page(page, "Training")  # waits for exactly the link's URL: no query string
        assert page.url.endswith("/training"), page.url
    finally:
        page.context.close()


# Every table shown (not in a closed expander): its rows, and how many px of them its own scroll
# hides.
TABLE_ROWS_JS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
    .filter((t) => t.querySelector('[role="grid"]'))
    .map((t) => {
        const scroller = t.querySelector('.dvn-scroller');
        return {rows: Number(t.querySelector('[role="grid"]').getAttribute('aria-rowcount')) - 1,
                hidden: scroller.scrollHeight - scroller.clientHeight};
    })"""


@pytest.mark.timeout(420)
def test_a_table_of_a_few_rows_shows_them_all(browser, server):
    """Streamlit's tables show ten rows and scroll the others inside: Evaluation's "A vs B"
    summary hid its 11th row, the kinds of non-digits 4 of 14. Up to ALL_ROWS_UP_TO rows, every
    row shows (pages.tables)."""
    from pages.tables import ALL_ROWS_UP_TO

    page = new_page(browser, f"{server.url}/evaluation?version=default&compare=mlp")
    try:
        page.get_by_role("heading", name="A = default vs B = mlp").wait_for(timeout=300_000)
        wait_until_idle(page, timeout=300)
        page.wait_for_timeout(1000)  # the tables lay out after the run
        tables = page.evaluate(TABLE_ROWS_JS)
    finally:
        page.context.close()
    # The summary: six test sets, five drawing styles, the non-digits' two parts.
    assert tables[0]["rows"] == 13, tables
    few = [t for t in tables if t["rows"] <= ALL_ROWS_UP_TO]
    assert any(t["rows"] > 10 for t in few), tables
    assert all(t["hidden"] <= 1 for t in few), f"rows scrolled out of sight: {few}"


# --- Training ----------------------------------------------------------------------------------


@pytest.mark.timeout(420)
def test_retrain_a_small_model_and_activate_it(page, server):
    open_page(page, "Training")
    form = page.locator('[data-testid="stForm"]').filter(has_text="Retrain")
    form.wait_for()
    form.get_by_text("Quick demo", exact=False).first.click()
    epochs = form.locator('[data-testid="stSlider"]').filter(has_text="Epochs")
    epochs.locator('input[type="range"]').focus()
    epochs.locator('input[type="range"]').press("Home")  # the slider's minimum: 1 epoch
    assert epochs.locator('input[type="range"]').input_value() == "1"
    form.get_by_role("button", name="Retrain").click()

    done = page.get_by_text(re.compile(r"Trained version \S+ in"))
    done.wait_for(timeout=180_000)
    version = re.search(r"Trained version (\S+) in", done.inner_text()).group(1)
    screenshot(page, "training-done")
    assert_no_exception(page, "Training, after a retrain")

    page.get_by_role("button", name="Activate this version").click()
    sidebar = page.locator('[data-testid="stSidebarUserContent"]')
    sidebar.get_by_text(version, exact=True).wait_for(timeout=60_000)
    wait_until_idle(page, timeout=60)
    assert (server.home / "active").read_text().strip() == version
    assert_no_exception(page, "Training, after activating")
    screenshot(page, "training-activated")
