"""Shared helpers to drive the real app in headless Chromium: the server, the pen and the readout.

Used by `tests/test_browser.py` and the benchmarks `tests/bench/bench_app.py` and
`tests/bench/bench_load.py` (which also share the in-page scripts, the server's memory and the
figures' percentiles here):

    with app_server() as url, chromium() as browser:
        page = browser.new_page()
        page.goto(url)
        wait_for_canvas(page)
        draw_strokes(page, digit_strokes(7))
        wait_for_prediction(page, equals="7")

The server is `streamlit run app.py` in a child process with its own model store
(DIGIT_STUDIO_HOME in a temporary directory), so nothing here touches the user's models.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "test-output"  # git-ignored
SCREENSHOTS = OUTPUT / "screenshots"
LOGS = OUTPUT / "logs"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1280, "height": 900}

CANVAS = 280  # side of the Draw page's canvas, in pixels
CANVAS_SELECTOR = "canvas.upper-canvas"  # Fabric.js's event layer; CSS locators pierce shadow DOM
DRAWING_SELECTOR = "canvas.dc-canvas.lower-canvas"  # the layer Fabric.js renders the drawing on
NO_PREDICTION = "–"  # the metric's value while nothing is drawn (an en dash)
EXCEPTION_SELECTOR = '[data-testid="stException"]'  # a Streamlit exception box


# --- The server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py`: its base URL, process and model store directory."""

    url: str
    process: subprocess.Popen
    home: Path
    log: Path
    started: float  # time.perf_counter() just before the process was launched

    @property
    def pid(self) -> int:
        return self.process.pid


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate the server and everything it started (a training child, say), then reap it."""
    if process.poll() is None:
        # The server is the leader of its own process group (start_new_session): signal that
        # group, which holds only processes this helper started.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    # Children that outlived the server (they keep the group id) get the same treatment.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def run_app(
    home: Path | None = None,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    root: Path = REPO_ROOT,
) -> Iterator[AppServer]:
    """Start the app on a free port with an isolated model store; stop it (and its children) after.

    `home` is the model store directory (DIGIT_STUDIO_HOME); a fresh temporary one by default,
    removed afterwards. `env` adds to the server's environment (e.g. a Streamlit option as
    STREAMLIT_RUNNER_POST_SCRIPT_GC=false). Waits until `/_stcore/health` answers "ok", at most
    `timeout` seconds. `root` is the checkout to serve (another copy of the repository, say, to
    compare two versions). The server's output goes to `test-output/logs/streamlit-<port>.log`.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    own_home = home is None
    home = Path(tempfile.mkdtemp(prefix="digit-studio-home-")) if own_home else Path(home)
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"streamlit-{port}.log"
    env = {
        **os.environ,
        **(env or {}),
        "DIGIT_STUDIO_HOME": str(home),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # No file watcher: nothing is edited while the app is driven, and watching a busy tree
        # costs CPU (an inotify queue overflow makes it rescan everything).
        "--server.fileWatcherType",
        "none",
    ]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = started + timeout
        while not _health(url):
            if process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {process.returncode}; see {log_path}:\n"
                    + log_path.read_text(errors="replace")[-3000:]
                )
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{url} not healthy after {timeout:.0f} s; see {log_path}")
            time.sleep(0.1)
        yield AppServer(url=url, process=process, home=home, log=log_path, started=started)
    finally:
        _stop(process)
        if own_home:
            shutil.rmtree(home, ignore_errors=True)


def process_tree(pid: int) -> list[psutil.Process]:
    """The process `pid` and all its descendants; empty if it is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MiB (the server and a training child)."""
    total = 0
    for process in process_tree(pid):
        with contextlib.suppress(psutil.Error):  # a child that has just exited
            total += process.memory_info().rss
    return total / 2**20


@contextlib.contextmanager
def app_server(home: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """`run_app`, yielding just the base URL (e.g. ``http://127.0.0.1:8765``)."""
    with run_app(home, timeout) as server:
        yield server.url


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def browser_test_marks() -> list:
    """The marks of every browser test module (`pytestmark = browser_test_marks()`)."""
    import pytest

    return [
        # A real browser on a busy 2-core machine can miss a deadline; a real bug fails every try.
        pytest.mark.flaky(reruns=2, reruns_delay=5),
        pytest.mark.browser,
        pytest.mark.slow,
        pytest.mark.skipif(
            not chromium_available(),
            reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        ),
        pytest.mark.timeout(300),
    ]


@contextlib.contextmanager
def chromium(headless: bool = True):
    """Playwright's Chromium API on Debian's /usr/bin/chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=headless)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, url: str | None = None):
    """A page in a fresh context (own cookies, own Streamlit session), at `url` if given."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    if url is not None:
        page.goto(url)
    return page


# --- Waiting for the app ---------------------------------------------------------------------


PAINTED_JS = """(canvas) => {
    // Fabric.js has painted the drawing layer's background: the canvas is ready for a pen.
    if (!canvas.isConnected || !canvas.width) return false;
    return canvas.getContext('2d').getImageData(1, 1, 1, 1).data[3] === 255;
}"""


CLIPPED_JS = """(element) => {
    // How much of `element` its scrolling or clipping ancestors and the viewport hide, in px.
    const box = element.getBoundingClientRect();
    let left = 0, right = innerWidth;
    for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
        if (getComputedStyle(e).overflowX === 'visible') continue;
        const r = e.getBoundingClientRect();
        left = Math.max(left, r.left);
        right = Math.min(right, r.right);
    }
    return box.width - Math.max(0, Math.min(box.right, right) - Math.max(box.left, left));
}"""


@contextlib.contextmanager
def at_width(page, width: int, height: int | None = None):
    """`page` at `width` px wide (and `height` tall, or as tall as it was), its size given back
    afterwards: a module's page is shared by its tests."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": height or before["height"]})
    try:
        yield page
    finally:
        page.set_viewport_size(before)


def wait_for_canvas(page, timeout: float = 60.0):
    """The canvas's event layer, once it is visible and Fabric.js has painted its background."""
    canvas = page.locator(CANVAS_SELECTOR).first
    canvas.wait_for(state="visible", timeout=timeout * 1000)
    drawing = page.locator(DRAWING_SELECTOR).first
    deadline = time.monotonic() + timeout
    while not drawing.evaluate(PAINTED_JS):
        if time.monotonic() > deadline:
            raise TimeoutError("the canvas never painted its background")
        page.wait_for_timeout(50)
    return canvas


IDLE_JS = """() => {
    // No script or fragment run in progress, and none of its elements still marked stale.
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    if (app.dataset.testConnectionState && app.dataset.testConnectionState !== 'CONNECTED') {
        return false;
    }
    return !document.querySelector('[data-stale="true"]');
}"""


def wait_for_locator(locator, timeout: float) -> bool:
    """Whether `locator` shows within `timeout` seconds (False instead of an exception)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(timeout=timeout * 1000)
    except PlaywrightTimeout:
        return False
    return True


def wait_until_idle(page, timeout: float = 30.0, settle: float = 0.2) -> None:
    """Wait until no script run is in progress (and stays so for `settle` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        page.wait_for_function(IDLE_JS, timeout=max(1.0, deadline - time.monotonic()) * 1000)
        page.wait_for_timeout(settle * 1000)
        if page.evaluate(IDLE_JS):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the app kept running")


_WATCH_RUN_JS = """() => {
    // Note when a script or fragment run starts, however briefly it lasts.
    const app = document.querySelector('[data-testid="stApp"]');
    window.__runSeen = false;
    window.__runWatch?.disconnect();
    // A run that starts and ends before the observer is called shows only in the records; count
    // changes *into* running (each record's new value is the next one's old value), so that a
    // run already going when the watch began is not taken for the one the action causes.
    window.__runWatch = new MutationObserver((records) => {
        const states = records.slice(1).map((record) => record.oldValue);
        states.push(app.dataset.testScriptState);
        if (states.includes('running')) window.__runSeen = true;
    });
    window.__runWatch.observe(app, {
        attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state'],
    });
}"""


def rerun_after(page, action, timeout: float = 30.0) -> None:
    """Do `action()` (a click, a key press) and wait for the run it causes to start and end.

    `wait_until_idle` alone can return before the widget's new value has even reached the
    server; this waits until a run has been seen.
    """
    page.evaluate(_WATCH_RUN_JS)
    action()
    page.wait_for_function("() => window.__runSeen", timeout=timeout * 1000)
    page.evaluate("() => window.__runWatch.disconnect()")
    wait_until_idle(page, timeout)


def exceptions(page) -> list[str]:
    """The text of every Streamlit exception box on the page."""
    return page.locator(EXCEPTION_SELECTOR).all_inner_texts()


# --- The readout -------------------------------------------------------------------------------

# The value of the st.metric labelled `label`, or null if there is none. Shared by the helpers
# below and by the benchmark's in-page timer.
METRIC_JS = """(label) => {
    for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
        const name = metric.querySelector('[data-testid="stMetricLabel"]');
        if (!name || name.innerText.trim() !== label) continue;
        const value = metric.querySelector('[data-testid="stMetricValue"]');
        if (value) return value.innerText.trim();
    }
    return null;
}"""


def read_prediction(page) -> str | None:
    """The "Prediction" metric's value: a digit, NO_PREDICTION, or None if it is not shown."""
    return page.evaluate(METRIC_JS, "Prediction")


def wait_for_prediction(
    page,
    *,
    equals: str | None = None,
    changed_from: str | None = None,
    timeout: float = 15.0,
) -> str:
    """Wait until the "Prediction" metric equals `equals` and/or differs from `changed_from`.

    With neither, waits until the metric is shown at all. Returns the value; on a timeout raises
    an AssertionError naming the value last seen.
    """
    check = f"""([label, equals, changedFrom]) => {{
        const value = ({METRIC_JS})(label);
        if (value === null) return false;
        if (equals !== null && value !== equals) return false;
        if (changedFrom !== null && value === changedFrom) return false;
        return true;
    }}"""
    try:
        page.wait_for_function(
            check, arg=["Prediction", equals, changed_from], timeout=timeout * 1000
        )
    except Exception as err:
        if type(err).__name__ != "TimeoutError":
            raise
        raise AssertionError(
            f"Prediction is {read_prediction(page)!r} after {timeout:.0f} s; "
            f"expected equals={equals!r} changed_from={changed_from!r}"
        ) from None
    return read_prediction(page)


# --- The pen -----------------------------------------------------------------------------------


def digit_strokes(
    digit: int,
    template: int = 0,
    *,
    height: float = 200.0,
    center: tuple[float, float] = (CANVAS / 2, CANVAS / 2),
) -> list[np.ndarray]:
    """A digit as a person would draw it: `model.drawings.TEMPLATES[digit][template]`'s strokes
    scaled to `height` pixels and centred on the canvas, in canvas coordinates (x right, y down).
    """
    from model.drawings import TEMPLATES

    strokes = [np.asarray(s, dtype=np.float64) for s in TEMPLATES[digit][template]]
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    middle = (low + high) / 2
    scale = height / max(high[1] - low[1], 1e-6)
    return [(s - middle) * scale + np.asarray(center) for s in strokes]


# One template per digit that a person draws in a single stroke (the benchmark's drawings: each
# gives exactly one canvas update), and one that several of the digits need two strokes for.
ONE_STROKE = {0: 0, 1: 0, 2: 0, 3: 0, 4: 5, 5: 2, 6: 0, 7: 0, 8: 0, 9: 0}
TWO_STROKES = {1: 3, 4: 0, 5: 0, 7: 1, 8: 1, 9: 3}


def canvas_box(page, timeout: float = 15.0, still: float = 0.15) -> dict:
    """The canvas's bounding box (viewport pixels) once it has stayed put for `still` seconds.

    While a rerun settles, elements come and go above the canvas and move it: a stroke aimed at
    a moving canvas lands beside it.
    """
    canvas = page.locator(CANVAS_SELECTOR).first
    canvas.scroll_into_view_if_needed()  # a click further down may have scrolled it away
    deadline = time.monotonic() + timeout
    box = canvas.bounding_box()
    while True:
        page.wait_for_timeout(still * 1000)
        again = canvas.bounding_box()
        if box is not None and again == box:
            return box
        if time.monotonic() > deadline:
            raise AssertionError(f"the canvas does not stay put: {box} then {again}")
        box = again


_NEXT_FRAMES_JS = """() => new Promise(
    (done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true)))
)"""


def draw_strokes(page, strokes: Sequence[np.ndarray], step_px: float = 6.0) -> None:
    """Draw `strokes` (canvas coordinates) with the real mouse: press, move, release per stroke.

    Between two points the mouse moves in steps of about `step_px` pixels, so Fabric.js's pencil
    records a path as it does under a hand.
    """
    box = canvas_box(page)
    for stroke in strokes:
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        points = np.clip(points, 1, CANVAS - 1)  # the canvas ignores the pen outside it
        x0, y0 = points[0]
        page.mouse.move(box["x"] + x0, box["y"] + y0)
        page.mouse.down()
        previous = points[0]
        for point in points[1:]:
            steps = max(1, int(np.hypot(*(point - previous)) / step_px))
            page.mouse.move(box["x"] + point[0], box["y"] + point[1], steps=steps)
            previous = point
        if len(points) == 1:  # a dot: wiggle so the pencil has a path
            page.mouse.move(box["x"] + x0 + 1, box["y"] + y0 + 1)
        page.mouse.up()
    # Fabric.js paints a finished path on the drawing layer at the next animation frame, not at
    # mouse-up: wait for two frames so that the strokes are on the canvas when this returns.
    page.evaluate(_NEXT_FRAMES_JS)


def draw_digit(page, digit: int, template: int | None = None) -> None:
    """Draw `digit` with its one-stroke template, or the template given."""
    draw_strokes(page, digit_strokes(digit, ONE_STROKE[digit] if template is None else template))


# --- What is on the canvas -------------------------------------------------------------------

INK_JS = """(canvas) => {
    // Pixels brighter than a dim grey in the canvas Fabric.js renders the drawing on.
    const ctx = canvas.getContext('2d');
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i] > 32 || data[i + 1] > 32 || data[i + 2] > 32) ink++;
    }
    return ink;
}"""


def canvas_ink(page) -> int:
    """How many pixels of the visible canvas show ink (0 for a blank, black canvas)."""
    return page.locator(DRAWING_SELECTOR).first.evaluate(INK_JS)


def wait_for_ink(page, more_than: int = 1000, timeout: float = 5.0) -> int:
    """Wait until the canvas shows more than `more_than` ink pixels; return how many it shows."""
    deadline = time.monotonic() + timeout
    while (ink := canvas_ink(page)) <= more_than:
        if time.monotonic() > deadline:
            raise AssertionError(f"the strokes did not land on the canvas: {ink} ink pixels")
        page.wait_for_timeout(50)
    return ink


def nav_links(page) -> dict[str, str]:
    """The sidebar's page links: title (without its icon) → href."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    found = {}
    for i in range(links.count()):
        link = links.nth(i)
        title = link.inner_text().strip().splitlines()[-1].strip()  # the icon comes first
        found[title] = link.get_attribute("href") or ""
    return found


def open_page(page, title: str) -> None:
    """Open a page through its sidebar link (the Streamlit session, and its state, is kept)."""
    href = nav_links(page)[title]
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').first.click()
    page.wait_for_url(href)
    page.wait_for_timeout(200)  # let the page change start before waiting for its end
    wait_until_idle(page, timeout=120)


def click_clear(page, timeout: float = 30.0) -> None:
    """Press the Draw page's Clear button; return once the canvas is empty and ready again.

    Waits until the readout is back to "no prediction", the run is over, the visible canvas
    shows no ink, and its place on the page has stopped moving (the readout beside it shrinks).
    """
    canvas_box(page)  # in view and still
    page.get_by_role("button", name="Clear").click()
    wait_for_prediction(page, equals=NO_PREDICTION, timeout=timeout)
    wait_until_idle(page, timeout)
    wait_for_canvas(page, timeout)
    deadline = time.monotonic() + timeout
    while canvas_ink(page):
        if time.monotonic() > deadline:
            raise AssertionError(f"after Clear the canvas shows {canvas_ink(page)} ink pixels")
        page.wait_for_timeout(100)
    canvas_box(page, timeout)


# --- Figures (the benchmarks') ---------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values: list[float]) -> dict[str, float]:
    """Median, 95th percentile, minimum and maximum, rounded to 0.1."""
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 95), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


# --- Screenshots -----------------------------------------------------------------------------


def screenshot(page, name: str) -> Path:
    """A full-page screenshot in `test-output/screenshots/<name>.png`; returns its path.

    Streamlit scrolls its main area inside the page, so the viewport is stretched to the height
    of that area first and restored afterwards.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = page.viewport_size or VIEWPORT
    content = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.querySelector('section.main');
            const heights = [document.documentElement.scrollHeight];
            if (main) heights.push(main.scrollHeight);
            const side = document.querySelector('[data-testid="stSidebarContent"]');
            if (side) heights.push(side.scrollHeight);
            return Math.max(...heights);
        }"""
    )
    tall = min(max(size["height"], int(content) + 40), 6000)
    try:
        if tall != size["height"]:
            page.set_viewport_size({"width": size["width"], "height": tall})
            page.wait_for_timeout(300)  # let charts re-layout
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall != size["height"]:
            page.set_viewport_size(size)
    return path
