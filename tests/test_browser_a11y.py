"""Accessibility of the real app, audited by axe-core (Deque's engine) in headless Chromium.

axe-core comes from the npm registry (`npm pack`, pinned version and checksum), is cached in
`~/.cache/digit-studio/axe-core/` and is never committed. It is injected into every page of the
app, reached through the sidebar as a visitor would (the Draw page after drawing a digit, so the
readout is there; Inside the CNN with that drawing), at 1280 px and at a phone's 390x844, and in
the dark theme (the browser preferring dark) at 1280 px, and run
with the WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices (heading order, table
headers...). No violation of any impact may be found, in the app's content or in Streamlit's
navigation. The figures per page and rule are printed (run with `-s`) and written to
`test-output/a11y/axe-<viewport>-<scheme>.json`.

The keyboard tests: Tab reaches the pen-width slider and the Clear button on the Draw page, and
Enter or Space on Clear clears the drawing; a sidebar page link reached by Tab shows an outline,
in either theme.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.browser import (
    NO_PREDICTION,
    OUTPUT,
    browser_test_marks,
    canvas_ink,
    draw_digit,
    wait_for_canvas,
    wait_for_ink,
    wait_for_prediction,
    wait_until_idle,
)

pytestmark = browser_test_marks()

AXE_VERSION = "4.10.3"
# sha256 of package/axe.min.js in axe-core-4.10.3.tgz (npm itself checks the tarball's sha512).
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"
AXE_CACHE = Path.home() / ".cache" / "digit-studio" / "axe-core" / AXE_VERSION

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Nothing is left out: the drawing canvas (a third-party component in its own shadow root) is
# audited too; its toolbar's buttons are made 24 px by pages/canvas_component.py.
EXCLUDE: list[str] = []

VIEWPORTS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}


def fetch_axe() -> Path:
    """axe.min.js of AXE_VERSION from the npm registry, cached; skips when npm is missing."""
    target = AXE_CACHE / "axe.min.js"
    if target.exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("needs npm to fetch axe-core from the npm registry (apt-get install npm)")
    AXE_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"],
            cwd=tmp,
            check=True,
            capture_output=True,
            timeout=300,
        )
        tarball = next(Path(tmp).glob("axe-core-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None, "axe-core's tarball has no package/axe.min.js"
            data = member.read()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "axe.min.js checksum differs"
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


@pytest.fixture(scope="module")
def axe_script() -> str:
    return fetch_axe().read_text()


def open_sidebar(page) -> None:
    """On a narrow screen the sidebar starts collapsed: open it."""
    nav = page.locator('[data-testid="stSidebarNav"]')
    if nav.count() and nav.first.is_visible():
        return
    page.locator('[data-testid="stExpandSidebarButton"]').first.click()
    nav.first.wait_for(state="visible")
    page.wait_for_timeout(400)  # the slide-in animation


def nav_titles(page) -> dict[str, str]:
    """The sidebar's page links: title (without its icon) → href."""
    open_sidebar(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    found = {}
    for i in range(links.count()):
        link = links.nth(i)
        title = link.inner_text().strip().splitlines()[-1].strip()
        found[title] = link.get_attribute("href") or ""
    return found


def open_page(page, title: str, href: str) -> None:
    open_sidebar(page)
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first.click()
    page.wait_for_url(href)
    page.wait_for_timeout(200)
    wait_until_idle(page, timeout=180)
    page.wait_for_timeout(1000)  # charts and images lay out after the run
    wait_until_idle(page, timeout=60)


AXE_RUN_JS = """async ([exclude, tags]) => {
    const result = await axe.run(
        {exclude: exclude},
        {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
            iframes: false,
            elementRef: true,
        },
    );
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({
            target: n.target.join(' '),
            html: n.html.slice(0, 300),
            summary: (n.failureSummary || '').slice(0, 400),
        })),
    }));
}"""


def audit(page, axe_script: str) -> list[dict]:
    """axe-core's violations of RULE_TAGS on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_script)
    return page.evaluate(AXE_RUN_JS, [EXCLUDE, RULE_TAGS])


def settled_audit(page, axe_script: str) -> list[dict]:
    """`audit`, and where it finds a violation, once more after the page has settled: a
    spinner or a half-laid-out chart caught mid-run is a moment, not the page."""
    found = audit(page, axe_script)
    if found:
        page.wait_for_timeout(2000)
        wait_until_idle(page, timeout=120)
        found = audit(page, axe_script)
    return found


def summarise(violations: list[dict]) -> dict:
    """Elements in violation by impact, and by rule (`rule (impact)` → elements)."""
    by_impact: Counter = Counter()
    by_rule: dict[str, int] = {}
    for v in violations:
        by_impact[v["impact"]] += len(v["nodes"])
        by_rule[f"{v['id']} ({v['impact']})"] = len(v["nodes"])
    return {"by_impact": dict(by_impact), "by_rule": by_rule}


@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    ("viewport", "scheme"), [("1280", "light"), ("390", "light"), ("1280", "dark")]
)
def test_no_violation_on_any_page(server, browser, axe_script, viewport, scheme):
    """`scheme`: the browser's colour preference, which Streamlit's theme follows."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    results: dict[str, list[dict]] = {}
    try:
        page.goto(server.url)
        wait_for_canvas(page)
        wait_until_idle(page)
        draw_digit(page, 3)
        wait_for_ink(page)
        wait_for_prediction(page, equals="3", timeout=60)
        wait_until_idle(page)
        results["Draw"] = settled_audit(page, axe_script)
        for title, href in nav_titles(page).items():
            if title == "Draw":
                continue
            open_page(page, title, href)
            results[title] = settled_audit(page, axe_script)
    finally:
        context.close()

    report = {title: summarise(found) | {"violations": found} for title, found in results.items()}
    out = OUTPUT / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"axe-{viewport}-{scheme}.json").write_text(json.dumps(report, indent=2))
    print(f"\naxe-core {AXE_VERSION}, {viewport} px, {scheme}: elements in violation per page")
    for title, summary in report.items():
        rules = ", ".join(f"{rule} {n}" for rule, n in summary["by_rule"].items()) or "none"
        print(f"  {title}: {summary['by_impact'] or 'none'} · {rules}")

    failing = [
        f"{title}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(n["target"] for n in v["nodes"][:5])
        for title, found in results.items()
        for v in found
    ]
    assert not failing, "accessibility violations:\n" + "\n".join(failing)


# --- The keyboard --------------------------------------------------------------------------------

FOCUSED_JS = """() => {
    const el = document.activeElement;
    if (!el) return '';
    const label = el.getAttribute('aria-label') || el.innerText || '';
    return `${el.tagName}|${el.getAttribute('type') || ''}|${label.trim().slice(0, 60)}`;
}"""


def tab_until(page, wanted, presses: int = 80) -> list[str]:
    """Press Tab until `wanted(focused)` holds; the focus descriptions met on the way."""
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        seen.append(focused)
        if wanted(focused):
            return seen
    raise AssertionError(f"Tab never reached it in {presses} presses; focus went: {seen}")


def is_clear(focused: str) -> bool:
    return focused.startswith("BUTTON|") and focused.rsplit("|", 1)[-1].endswith("Clear")


@pytest.fixture(scope="module")
def draw_page(server, browser):
    context = browser.new_context(viewport=VIEWPORTS["1280"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url)
    wait_for_canvas(page)
    wait_until_idle(page)
    yield page
    context.close()


def test_tab_reaches_the_pen_width_slider_and_clear(draw_page):
    page = draw_page
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen = tab_until(page, lambda f: "Pen width" in f or f.startswith("INPUT|range"))
    assert page.evaluate("() => document.activeElement.type") == "range", seen
    seen = tab_until(page, is_clear, presses=10)
    assert is_clear(seen[-1]), seen


NAV_LINK_FOCUS_JS = """() => {
    const link = document.activeElement;
    if (!link || link.dataset.testid !== 'stSidebarNavLink') return null;
    const style = getComputedStyle(link);
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            color: style.outlineColor};
}"""


@contextlib.contextmanager
def focus_free_page(server, browser, scheme: str):
    """The Draw page at 1280 px in the colour `scheme`, nothing focused yet."""
    context = browser.new_context(viewport=VIEWPORTS["1280"], color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url)
        wait_for_canvas(page)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_sidebar_page_link_with_the_focus_is_outlined(server, browser, scheme):
    """Streamlit marked a focused page link only with a grey 1.1:1 on the sidebar, the same as
    the current page's: app.py outlines it."""
    with focus_free_page(server, browser, scheme) as page:
        tab_until(page, lambda focused: focused.endswith("Training"))
        focus = page.evaluate(NAV_LINK_FOCUS_JS)
    assert focus is not None, "Tab reached a Training that is not a sidebar page link"
    assert focus["style"] == "solid" and focus["width"] >= 2, focus


FOCUS_OUTLINE_JS = """() => {
    const style = getComputedStyle(document.activeElement);
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            color: style.outlineColor};
}"""
OUTLINE_RED = "rgb(207, 66, 80)"  # app.py's #cf4250: 4.3:1 on white, 3.1:1 or more on dark


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_focused_button_and_tab_are_outlined(server, browser, scheme):
    """Streamlit marked a focused button, tab or pill with a pale ring, 2.2:1 on white (WCAG
    asks 3:1 of what shows a control's state): app.py outlines them."""
    with focus_free_page(server, browser, scheme) as page:
        tab_until(page, lambda focused: focused == "DIV||Draw")  # the Draw tab, not the link
        tab = page.evaluate(FOCUS_OUTLINE_JS)
        tab_until(page, is_clear)
        button = page.evaluate(FOCUS_OUTLINE_JS)
    for focus in (tab, button):
        assert focus == {"style": "solid", "width": 2, "color": OUTLINE_RED}, (tab, button)


CANVAS_NAMES_JS = """() => {
    // Every <canvas> of the drawing component: its role, name, and whether it is hidden.
    const host = document.querySelector('[data-testid="stBidiComponentIsolated"]');
    return [...host.shadowRoot.querySelectorAll('canvas')].map((c) => ({
        upper: c.classList.contains('upper-canvas'), role: c.getAttribute('role'),
        name: c.getAttribute('aria-label'), hidden: c.getAttribute('aria-hidden'),
    }));
}"""


def test_the_drawing_canvas_is_named_and_its_other_layers_hidden(draw_page):
    canvases = draw_page.evaluate(CANVAS_NAMES_JS)
    drawn_on = [c for c in canvases if c["upper"]]
    assert len(drawn_on) == 1, canvases
    assert drawn_on[0]["role"] == "img" and "Drawing canvas" in (drawn_on[0]["name"] or "")
    assert all(c["hidden"] == "true" for c in canvases if not c["upper"]), canvases


@pytest.mark.parametrize("key", ["Enter", " "], ids=["Enter", "Space"])
def test_enter_or_space_on_clear_clears(draw_page, key):
    page = draw_page
    draw_digit(page, 7)
    wait_for_ink(page)
    wait_for_prediction(page, equals="7", timeout=60)
    wait_until_idle(page)
    page.get_by_role("button", name="Clear").focus()
    page.keyboard.press(key)
    wait_for_prediction(page, equals=NO_PREDICTION, timeout=30)
    wait_until_idle(page)
    wait_for_canvas(page)
    deadline_ms = 10_000
    while canvas_ink(page) and deadline_ms > 0:
        page.wait_for_timeout(100)
        deadline_ms -= 100
    assert canvas_ink(page) == 0, "Clear by keyboard left ink on the canvas"


ANNOUNCER_JS = """() => {
    const region = document.getElementById('digit-studio-announcer');
    return region && {role: region.getAttribute('role'), live: region.getAttribute('aria-live'),
                      text: region.textContent, width: region.getBoundingClientRect().width};
}"""


def announced(page, starts: str, timeout_ms: int = 10_000) -> dict:
    """The live region's state once its text starts with `starts` (or as it is at the timeout)."""
    region = page.evaluate(ANNOUNCER_JS)
    while timeout_ms > 0 and not (region and region["text"].startswith(starts)):
        page.wait_for_timeout(100)
        timeout_ms -= 100
        region = page.evaluate(ANNOUNCER_JS)
    return region


def test_a_screen_reader_is_told_each_new_answer(draw_page):
    """The Prediction metric changes in place; a polite live region, out of sight, says the
    answer whenever it changes: after a stroke, and after Clear."""
    page = draw_page
    draw_digit(page, 3)
    wait_for_prediction(page, equals="3", timeout=60)
    region = announced(page, "Prediction: 3")
    assert region is not None, "no live region on the Draw page"
    assert (region["role"], region["live"]) == ("status", "polite"), region
    assert region["text"].startswith("Prediction: 3. Confidence "), region
    assert region["width"] <= 1, f"the live region is visible: {region}"
    page.get_by_role("button", name="Clear").click()
    wait_for_prediction(page, equals=NO_PREDICTION, timeout=30)
    assert announced(page, "Nothing drawn")["text"] == "Nothing drawn yet"


TOOLBARS_OVER_TEXT_JS = """() => {
    // Every table toolbar that is shown, and how many px of the element above its table it
    // covers: the element just before the table's, or before its column's if it is the first.
    const above = (element) => {
        for (let e = element; e && e.dataset.testid !== 'stMain'; e = e.parentElement) {
            let before = e.previousElementSibling;
            while (before && before.getBoundingClientRect().height === 0) {
                before = before.previousElementSibling;
            }
            if (before) return before;
        }
        return null;
    };
    return [...document.querySelectorAll('[data-testid="stElementToolbar"]')]
        .filter((bar) => getComputedStyle(bar).opacity !== '0')
        .map((bar) => {
            const shown = above(bar.closest('[data-testid="stElementContainer"]'));
            const r = bar.getBoundingClientRect();
            const a = shown ? shown.getBoundingClientRect() : {top: r.top, bottom: r.top};
            return {above: shown ? shown.innerText.slice(0, 40) : null,
                    covered: Math.max(0, Math.min(r.bottom, a.bottom) - Math.max(r.top, a.top))};
        });
}"""


def test_on_a_touch_screen_a_tables_toolbar_covers_nothing_above_it(server, browser):
    """A touch screen always shows a table's toolbar (search, download, fullscreen), 44 px above
    the table; it covered the heading above each table on Compare until app.py made room."""
    context = browser.new_context(
        viewport=VIEWPORTS["390"], is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url)
        wait_for_canvas(page)
        open_page(page, "Compare", nav_titles(page)["Compare"])
        page.locator('[data-testid="stDataFrame"]').first.wait_for()
        toolbars = page.evaluate(TOOLBARS_OVER_TEXT_JS)
    finally:
        context.close()
    assert len(toolbars) >= 3, f"Compare's tables should show their toolbars by touch: {toolbars}"
    covering = [t for t in toolbars if t["covered"] > 0]
    assert not covering, f"toolbars over the text above their table: {covering}"


def test_on_a_tablet_one_tap_closes_the_sidebar(server, browser):
    """A tablet opens the sidebar 300 px wide, and its close button showed on hover only: a first
    tap on its empty-looking corner only showed the button. By touch it is shown, and one tap
    closes the sidebar."""
    context = browser.new_context(
        viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url)
        wait_for_canvas(page)
        close = page.locator('[data-testid="stSidebarCollapseButton"]')
        shown = close.evaluate("element => getComputedStyle(element).visibility")
        assert shown == "visible", f"the sidebar's close button is {shown} on a touch screen"
        page.tap('[data-testid="stSidebarCollapseButton"] button')
        page.wait_for_timeout(1000)  # the sidebar slides away
        sidebar = page.locator('[data-testid="stSidebar"]').first.bounding_box()
    finally:
        context.close()
    assert sidebar["x"] + sidebar["width"] <= 0, f"one tap left the sidebar open: {sidebar}"


def test_at_200_percent_zoom_the_sidebar_closes_after_a_page_is_chosen(server, browser):
    """A laptop at 200% zoom is a 640 px wide page: the sidebar opened over it, and Streamlit
    closes it after a page link only on a phone's user agent. It covered 300 of the 640 px, the
    new page's title included, until closed by hand."""
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server.url)
        wait_for_canvas(page)
        open_sidebar(page)
        page.locator('[data-testid="stSidebarNav"] a', has_text="Training").first.click()
        page.get_by_role("heading", name="Training", level=1).wait_for()
        page.wait_for_timeout(1000)  # the sidebar slides away
        sidebar = page.locator('[data-testid="stSidebar"]').first.bounding_box()
        title = page.get_by_role("heading", name="Training", level=1).bounding_box()
    finally:
        context.close()
    assert sidebar["x"] + sidebar["width"] <= 0, f"the sidebar stayed over the page: {sidebar}"
    assert title["x"] >= 0, title


def slider_names(page) -> list[str]:
    """Every slider's accessible name, as Chromium's accessibility tree gives it."""
    tree = page.locator('[data-testid="stMain"]').aria_snapshot()
    return re.findall(r'- slider "([^"]*)"', tree)


def said_twice(name: str) -> bool:
    words = name.split()
    half = len(words) // 2
    return len(words) % 2 == 0 and words[:half] == words[half:]


def test_every_slider_is_named_once(server, browser):
    """React Aria names a slider's thumb by itself and by its group, both with the label: a
    screen reader said "Pen width Pen width". pages/screen_readers.py names it once, on first
    view, after the slider moves, and on a page reached through the sidebar."""
    with focus_free_page(server, browser, "light") as page:
        assert slider_names(page) == ["Pen width"]
        page.get_by_role("slider", name="Pen width", exact=True).press("ArrowRight")
        wait_until_idle(page)
        assert slider_names(page) == ["Pen width"]
        open_page(page, "Robustness", nav_titles(page)["Robustness"])
        names = slider_names(page)
    assert len(names) >= 5, names  # shift right, shift down, turn, size, pen
    assert not [name for name in names if said_twice(name)], names


UPLOADER_FOCUS_JS = """() => {
    const focused = document.activeElement;
    return {
        inUploader: !!focused.closest('[data-testid="stFileUploader"]'),
        name: focused.getAttribute('aria-label') || focused.innerText,
    };
}"""


def test_after_an_upload_by_keyboard_the_focus_stays_on_the_uploader(server, browser, tmp_path):
    """A file chosen with the keyboard redraws the uploader, and its focused button with it: the
    focus fell to the page. pages/screen_readers.py gives it back to the uploader's first button:
    the file's Remove, then, once that is pressed, the upload button."""
    seven = tmp_path / "seven.png"
    picture = Image.new("L", (200, 200), 255)
    ImageDraw.Draw(picture).line([(60, 40), (140, 40), (90, 170)], fill=0, width=14)
    picture.save(seven)
    with focus_free_page(server, browser, "light") as page:
        page.get_by_role("tab", name="Upload").click()
        page.locator('[data-testid="stFileUploaderDropzone"] button').first.focus()
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Enter")
        chooser.value.set_files(seven)
        shown = page.locator('img[alt^="The uploaded image: read as"]')
        shown.wait_for()
        wait_until_idle(page)
        read_as = shown.get_attribute("alt")
        after_upload = page.evaluate(UPLOADER_FOCUS_JS)
        page.keyboard.press("Enter")  # on Remove
        page.get_by_role("button", name="Remove seven.png").wait_for(state="detached")
        wait_until_idle(page)
        after_removal = page.evaluate(UPLOADER_FOCUS_JS)
    assert "read as 7" in read_as, read_as
    assert after_upload["inUploader"] and "Remove" in after_upload["name"], after_upload
    assert after_removal["inUploader"] and "Upload" in after_removal["name"], after_removal
