"""Load benchmark: N users drawing at once on one server, stroke → prediction, in the page.

    .venv/bin/python tests/bench/bench_load.py --sessions 1 5 20
    .venv/bin/python tests/bench/bench_load.py --sessions 20 --drawings 6 --while-training

Not a test: it prints two lines of figures per N and, last, one JSON object with all of them.

What it does. It starts the app once (`tests.browser.run_app`: `streamlit run app.py` with its
own model store) and warms it up with one untimed drawing. Then, for each N in --sessions, it
opens N independent sessions (N browser contexts in one headless Chromium, driven through
Playwright's async API from one thread), at most --open-parallel of them loading at a time, and
waits until every one shows the canvas. Then all N start together, their requests in flight at
the same time: each session draws --drawings different digits (one-stroke templates, real mouse
strokes), clearing the canvas in between.

How latency is measured. Inside each page, a `mouseup` listener on the document (capture phase)
records `performance.now()` when the pen is lifted, and a MutationObserver records
`performance.now()` when the "Prediction" metric first shows a value other than the one it had
at mouse-up; the latency is the difference, both clocks being the page's own. Two medians split
it up: mouse-up → the page learns the rerun started (the canvas sending its image, the server
receiving and scheduling it), and the metric's change → the rerun over (the rest of the page that
the same rerun still draws, which keeps the server busy for the others).

What is counted, per N.
- predictions: strokes that got a prediction; "wrong" when it is not the digit drawn;
- errors, one each: a stroke with no prediction within --timeout, a Streamlit exception box
  (`[data-testid="stException"]`), a dropped connection (the app's `data-test-connection-state`
  leaving CONNECTED), a Clear that never completed, a session that never showed the canvas or
  could not be reloaded after an error (the page is reloaded after every error);
- predictions per second: predictions / the wall time from all N sessions ready to the last one
  done (drawing the strokes and clearing take their share of it: their medians are printed);
- server peak memory: the largest resident set of the server and its children, sampled every
  0.2 s in a background thread while the N sessions open and draw;
- cores used while drawing, per side: the server, the browser (Chromium and Playwright's driver:
  the simulated users share the machine with the server, which matters on 2 cores), the trainer.

With --while-training, a training run (`python -m model --store HOME train --subset 20000
--epochs 30` on the server's store) is started first and stopped (SIGTERM, then SIGKILL) at the
end. The load average is printed at the start and the end: on a shared machine, compare runs only
at similar loads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import psutil  # noqa: E402

from tests.browser import (  # noqa: E402
    CANVAS,
    CANVAS_SELECTOR,
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWING_SELECTOR,
    EXCEPTION_SELECTOR,
    IDLE_JS,
    INK_JS,
    LOGS,
    METRIC_JS,
    NO_PREDICTION,
    ONE_STROKE,
    PAINTED_JS,
    VIEWPORT,
    digit_strokes,
    process_tree,
    rss_mb,
    run_app,
    spread,
)

DIGITS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
POLL_MS = 100  # how often Playwright re-checks a wait condition (the timings do not depend on it)

# --- In-page instruments -----------------------------------------------------------------------

# Installed once per page (again after a reload). Per armed stroke: when the pen was lifted and
# the metric's value then; when the page learnt that the server started the rerun (the app's
# script state turning "running": the stroke has been sent, received and scheduled); when and to
# what the metric changed; when the rerun was over ("notRunning" again: the rest of the page, after
# the metric, done). Always: how often the connection dropped.
TIMER_JS = f"""() => {{
    const metric = {METRIC_JS};
    const load = (window.__load = {{ armed: false, up: null, before: null, started: null,
                                      updated: null, value: null, finished: null,
                                      script: null, connection: null, disconnects: 0 }});
    document.addEventListener('mouseup', () => {{
        if (!load.armed) return;
        load.armed = false;
        load.up = performance.now();
        load.before = metric('Prediction');
    }}, true);
    const watch = () => {{
        const now = performance.now();
        const app = document.querySelector('[data-testid="stApp"]');
        const connection = app ? app.dataset.testConnectionState || null : null;
        if (connection !== load.connection) {{
            if (load.connection === 'CONNECTED') load.disconnects++;
            load.connection = connection;
        }}
        load.script = app ? app.dataset.testScriptState || null : null;
        if (load.up === null) return;
        if (load.started === null && load.script === 'running') load.started = now;
        if (load.updated === null) {{
            const value = metric('Prediction');
            if (value !== null && value !== load.before) {{
                load.updated = now;
                load.value = value;
            }}
        }}
        if (load.updated !== null && load.finished === null && load.script === 'notRunning') {{
            load.finished = now;
        }}
    }};
    watch();
    new MutationObserver(watch).observe(document.body, {{ subtree: true, childList: true,
                                                         characterData: true, attributes: true }});
}}"""
ARM_JS = """() => Object.assign(window.__load, { armed: true, up: null, started: null,
                                                 updated: null, value: null, finished: null })"""
UPDATED_JS = "() => window.__load.updated !== null"
FINISHED_JS = "() => window.__load.finished !== null"
STATE_JS = "() => window.__load"

PREDICTION_IS_JS = f"([label, value]) => ({METRIC_JS})(label) === value"


class DrawingFailed(Exception):
    """The page did not get where it should (the message says how): an error, counted."""


# --- Driving one page (async versions of tests/browser.py's pen and waits) ---------------------


async def wait_for_canvas(page, timeout: float) -> None:
    """Until the canvas is visible and Fabric.js has painted its background."""
    await page.locator(CANVAS_SELECTOR).first.wait_for(state="visible", timeout=timeout * 1000)
    drawing = page.locator(DRAWING_SELECTOR).first
    deadline = time.monotonic() + timeout
    while not await drawing.evaluate(PAINTED_JS):
        if time.monotonic() > deadline:
            raise DrawingFailed("the canvas never painted its background")
        await asyncio.sleep(0.05)


async def wait_until_idle(page, timeout: float, settle: float = 0.2) -> None:
    """Until no script run is in progress, and none starts for `settle` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = max(1.0, deadline - time.monotonic())
        await page.wait_for_function(IDLE_JS, timeout=left * 1000, polling=POLL_MS)
        await asyncio.sleep(settle)
        if await page.evaluate(IDLE_JS):
            return
        if time.monotonic() > deadline:
            raise DrawingFailed("the app kept running")


async def canvas_box(page, timeout: float, still: float = 0.15) -> dict:
    """The canvas's bounding box once it has stayed put for `still` seconds."""
    canvas = page.locator(CANVAS_SELECTOR).first
    deadline = time.monotonic() + timeout
    box = await canvas.bounding_box()
    while True:
        await asyncio.sleep(still)
        again = await canvas.bounding_box()
        if box is not None and again == box:
            return box
        if time.monotonic() > deadline:
            raise DrawingFailed(f"the canvas does not stay put: {box} then {again}")
        box = again


async def draw_strokes(page, strokes, timeout: float, step_px: float = 6.0) -> None:
    """Press, move in ~`step_px` steps, release: one real mouse stroke per stroke."""
    import numpy as np

    box = await canvas_box(page, timeout)
    for stroke in strokes:
        points = np.clip(np.asarray(stroke, dtype=np.float64).reshape(-1, 2), 1, CANVAS - 1)
        await page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
        await page.mouse.down()
        previous = points[0]
        for point in points[1:]:
            steps = max(1, int(np.hypot(*(point - previous)) / step_px))
            await page.mouse.move(box["x"] + point[0], box["y"] + point[1], steps=steps)
            previous = point
        await page.mouse.up()


async def clear(page, timeout: float) -> None:
    """Press Clear; return once the readout says "no prediction" and the canvas is blank again."""
    where = await canvas_box(page, timeout)
    await page.get_by_role("button", name="Clear").click(timeout=timeout * 1000)
    await page.wait_for_function(
        PREDICTION_IS_JS, arg=["Prediction", NO_PREDICTION], timeout=timeout * 1000, polling=POLL_MS
    )
    await wait_until_idle(page, timeout)
    await wait_for_canvas(page, timeout)
    drawing = page.locator(DRAWING_SELECTOR).first
    deadline = time.monotonic() + timeout
    while await drawing.evaluate(INK_JS) or await canvas_box(page, timeout) != where:
        if time.monotonic() > deadline:
            raise DrawingFailed("after Clear the canvas still shows ink or has moved")
        await asyncio.sleep(0.1)


async def open_session(browser, url: str, timeout: float):
    """A fresh context (its own Streamlit session) at `url`, canvas ready, timer installed."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        await page.goto(url, timeout=timeout * 1000)
        await wait_for_canvas(page, timeout)
        await wait_until_idle(page, timeout)
        await page.evaluate(TIMER_JS)
    except BaseException:
        await context.close()
        raise
    return page


async def open_sessions(browser, url: str, count: int, parallel: int, timeout: float) -> list:
    """`count` sessions, at most `parallel` loading at a time; a page or the exception each."""
    gate = asyncio.Semaphore(parallel)

    async def one():
        async with gate:
            return await open_session(browser, url, timeout)

    return await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)


async def reload_session(page, timeout: float) -> None:
    """After a failure: reload the page (a new session), wait for the canvas, re-arm the timer."""
    await page.reload(timeout=timeout * 1000)
    await wait_for_canvas(page, timeout)
    await wait_until_idle(page, timeout)
    await page.evaluate(TIMER_JS)


def first_line(err: BaseException) -> str:
    """An exception in one line (Playwright's messages go on with a call log)."""
    text = (str(err).strip().splitlines() or [""])[0][:300]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


# --- One drawing, one session ------------------------------------------------------------------


@dataclass
class Drawing:
    session: int
    digit: int
    value: str | None = None  # what the Prediction metric showed
    latency_ms: float | None = None  # mouse-up → the metric's new value, in the page
    started_ms: float | None = None  # mouse-up → the page learns the rerun has started
    rest_ms: float | None = None  # the metric's new value → the rerun over (rest of the page)
    stroke_s: float | None = None  # moving the mouse through the stroke (Playwright's side)
    clear_s: float | None = None  # Clear, until the canvas is blank and the app idle again
    error: str | None = None

    @property
    def wrong(self) -> bool:
        return self.error is None and self.value != str(self.digit)


def digit_for(session: int, index: int) -> int:
    """Each session draws different digits, and sessions side by side draw different ones."""
    return DIGITS[(session + index) % len(DIGITS)]


async def where_it_stopped(page) -> str:
    """What the page had got to when a drawing failed: for the error message."""
    try:
        state = await page.evaluate(STATE_JS)
        boxes = await page.locator(EXCEPTION_SELECTOR).all_inner_texts()
    except Exception as err:
        return f" (the page cannot say: {first_line(err)})"
    if state["up"] is None:
        return " (the pen's mouseup never reached the page)"
    seconds = (await page.evaluate("performance.now()") - state["up"]) / 1000
    stages = [
        f"{seconds:.0f} s after mouse-up",
        "rerun started" if state["started"] is not None else "no rerun started",
        f"prediction {state['value']!r} came {(state['updated'] - state['up']) / 1000:.0f} s "
        "after mouse-up"
        if state["updated"] is not None
        else f"prediction still {state['before']!r}",
        f"script {state['script']}",
        f"connection {state['connection']}",
    ]
    if boxes:
        stages.append("exception: " + " | ".join(b.strip()[:300] for b in boxes))
    return " (" + ", ".join(stages) + ")"


async def timed_drawing(page, session: int, digit: int, timeout: float) -> Drawing:
    """Draw `digit` and time its prediction in the page; an error is recorded, not raised.

    Waits until the rerun the stroke caused is over, so that the next step (Clear) starts from a
    quiet page.
    """
    drawing = Drawing(session=session, digit=digit)
    try:
        disconnects = (await page.evaluate(STATE_JS))["disconnects"]
        await page.evaluate(ARM_JS)
        pen = time.perf_counter()
        await draw_strokes(page, digit_strokes(digit, ONE_STROKE[digit]), timeout)
        drawing.stroke_s = time.perf_counter() - pen
        await page.wait_for_function(UPDATED_JS, timeout=timeout * 1000, polling=POLL_MS)
        await page.wait_for_function(FINISHED_JS, timeout=timeout * 1000, polling=POLL_MS)
        state = await page.evaluate(STATE_JS)
    except Exception as err:
        drawing.error = first_line(err) + await where_it_stopped(page)
        return drawing
    drawing.value = state["value"]
    drawing.latency_ms = state["updated"] - state["up"]
    if state["started"] is not None:
        drawing.started_ms = state["started"] - state["up"]
    drawing.rest_ms = state["finished"] - state["updated"]
    if state["disconnects"] > disconnects:
        drawing.error = f"disconnected (connection state now {state['connection']})"
    elif boxes := await page.locator(EXCEPTION_SELECTOR).all_inner_texts():
        drawing.error = "exception: " + " | ".join(b.strip()[:300] for b in boxes)
    return drawing


async def run_session(page, session: int, start: asyncio.Event, args):
    """Wait for the start signal, then draw `args.drawings` digits, clearing in between.

    Returns the Drawings and the other errors (a Clear that never completed, a lost session).
    After an error the page is reloaded (a new session, --ready-timeout like a first page); if
    even that fails, the session stops.
    """
    timeout = args.timeout
    await start.wait()
    results, errors = [], []
    for i in range(args.drawings):
        drawing = await timed_drawing(page, session, digit_for(session, i), timeout)
        results.append(drawing)
        try:
            if drawing.error is not None:
                await reload_session(page, args.ready_timeout)
                continue
            clearing = time.perf_counter()
            try:
                await clear(page, timeout)
                drawing.clear_s = time.perf_counter() - clearing
            except Exception as err:
                errors.append(f"session {session}: Clear failed: {first_line(err)}")
                await reload_session(page, args.ready_timeout)
        except Exception as err:
            errors.append(f"session {session}: lost, reload failed: {first_line(err)}")
            break
    return results, errors


# --- The server's side: memory and CPU ---------------------------------------------------------


class MemorySampler(threading.Thread):
    """Samples the resident memory of a process and its children every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.2):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            sample = rss_mb(self.pid)
            with self._lock:
                self.peak_mb = max(self.peak_mb, sample)

    def reset(self) -> float:
        """Start a new peak (from the current size); returns the peak so far."""
        with self._lock:
            peak, self.peak_mb = self.peak_mb, rss_mb(self.pid)
        return peak

    def stop(self) -> None:
        self._stop_event.set()


def cpu_seconds(server_pid: int, training: Training | None) -> dict[str, float]:
    """CPU time used so far by the server, the trainer, and everything else this script started
    (Playwright's driver and Chromium: the simulated users' side, on the same machine)."""
    own = {p.pid: p for p in process_tree(os.getpid())}
    groups = {"server": process_tree(server_pid)}
    if training is not None:
        groups["trainer"] = process_tree(training.process.pid)
    taken = {p.pid for tree in groups.values() for p in tree}
    groups["browser"] = [p for pid, p in own.items() if pid not in taken and pid != os.getpid()]
    totals = {}
    for name, processes in groups.items():
        totals[name] = 0.0
        for process in processes:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                totals[name] += times.user + times.system
    if training is not None:  # including what it used until it exited, if it has
        totals["trainer"] = training.cpu_s()
    return totals


# --- One phase: N sessions at once ---------------------------------------------------------------


async def run_phase(browser, url: str, sessions: int, args, server_pid, training, memory):
    """Open `sessions` sessions, then let them all draw at the same time; the phase's figures."""
    memory.reset()
    opened = time.perf_counter()
    pages = await open_sessions(browser, url, sessions, args.open_parallel, args.ready_timeout)
    ready_s = time.perf_counter() - opened
    errors = [
        f"session {i}: never showed the canvas: {first_line(p)}"
        for i, p in enumerate(pages)
        if isinstance(p, BaseException)
    ]
    live = [(i, p) for i, p in enumerate(pages) if not isinstance(p, BaseException)]

    start = asyncio.Event()
    tasks = [run_session(page, i, start, args) for i, page in live]
    cpu_before = cpu_seconds(server_pid, training)
    began = time.perf_counter()
    start.set()
    outcomes = await asyncio.gather(*tasks)
    wall_s = time.perf_counter() - began
    cpu_after = cpu_seconds(server_pid, training)
    peak_mb = memory.reset()

    drawings = [d for results, _ in outcomes for d in results]
    errors += [e for _, trouble in outcomes for e in trouble]
    errors += [f"session {d.session}, digit {d.digit}: {d.error}" for d in drawings if d.error]
    for i, page in live:
        with contextlib.suppress(Exception):
            if (await page.evaluate(STATE_JS))["connection"] != "CONNECTED":
                errors.append(f"session {i}: not connected at the end")
        await page.context.close()
    # A side whose processes exited meanwhile took their CPU time along: None if it shows.
    used = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
    cores = {k: round(v / wall_s, 2) if v >= 0 else None for k, v in used.items()}
    phase = figures(sessions, len(live), drawings, errors, wall_s, ready_s, peak_mb, cores)
    phase["while_training"] = training is not None
    if training is not None:  # how much of the drawing the trainer was there for
        until = min(training.ended or began + wall_s, began + wall_s)
        phase["training_s"] = round(max(0.0, until - began), 1)
    return phase


def median_of(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def figures(sessions, ready, drawings, errors, wall_s, ready_s, peak_mb, cores) -> dict:
    """One phase's figures (a prediction is a stroke that got one, right or wrong)."""
    predicted = [d for d in drawings if d.error is None]
    latencies = [d.latency_ms for d in predicted]
    latency = spread(latencies) if latencies else None
    return {
        "sessions": sessions,
        "sessions_ready": ready,
        "all_ready_s": round(ready_s, 1),
        "drawings": len(drawings),
        "predictions": len(predicted),
        "wall_s": round(wall_s, 1),
        "predictions_per_s": round(len(predicted) / wall_s, 2) if wall_s else None,
        "latency_ms": latency,
        "wrong": sum(d.wrong for d in drawings),
        "wrong_cases": [f"drew {d.digit} → {d.value}" for d in drawings if d.wrong],
        "errors": len(errors),
        "error_cases": errors,
        "server_peak_mb": round(peak_mb),
        "cpu_cores_used": cores,  # average cores busy during the drawing, per side
        "cpu_s_per_prediction": {
            k: round(v * wall_s / len(predicted), 2) if predicted and v is not None else None
            for k, v in cores.items()
        },  # a drawing, its prediction and the Clear after it: what each cost each side
        "rerun_started_ms_median": median_of([d.started_ms for d in predicted]),
        "after_metric_ms_median": median_of([d.rest_ms for d in predicted]),
        "stroke_s_median": median_of([d.stroke_s for d in drawings]),
        "clear_s_median": median_of([d.clear_s for d in drawings]),
        "latencies_ms": [round(x, 1) for x in latencies],
    }


def whole(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def print_phase(phase: dict) -> None:
    latency = phase["latency_ms"] or {"median": float("nan"), "p95": float("nan")}
    print(
        f"sessions {phase['sessions']:3d} | predictions {phase['predictions']:4d} "
        f"| {phase['predictions_per_s']:5.2f}/s | median {latency['median']:6.0f} ms "
        f"| p95 {latency['p95']:6.0f} ms | wrong {phase['wrong']} | errors {phase['errors']} "
        f"| server peak {phase['server_peak_mb']} MB"
        + (
            f" | while training ({phase['training_s']} s of the {phase['wall_s']} s)"
            if phase["while_training"]
            else ""
        ),
        flush=True,
    )
    cores = ", ".join(f"{k} {v}" for k, v in phase["cpu_cores_used"].items())
    per_prediction = ", ".join(f"{k} {v}" for k, v in phase["cpu_s_per_prediction"].items())
    print(
        f"    medians: mouse-up → rerun started {whole(phase['rerun_started_ms_median'])} ms, "
        f"metric → rerun over {whole(phase['after_metric_ms_median'])} ms",
        flush=True,
    )
    print(
        f"    {phase['sessions_ready']}/{phase['sessions']} sessions ready in "
        f"{phase['all_ready_s']} s; drawing took {phase['wall_s']} s (medians: stroke "
        f"{phase['stroke_s_median']} s, Clear {phase['clear_s_median']} s); cores used: {cores} "
        f"(CPU s per prediction: {per_prediction})",
        flush=True,
    )
    for case in phase["wrong_cases"]:
        print(f"    wrong: {case}", flush=True)
    for case, count in Counter(phase["error_cases"]).items():
        print(f"    error: {case}" + (f" (×{count})" if count > 1 else ""), flush=True)


# --- Background training -----------------------------------------------------------------------


@dataclass
class Training:
    """The background training run: its process, its log, and when it ended by itself."""

    process: subprocess.Popen
    log: Path
    ended: float | None = None  # time.perf_counter() when it exited
    cpu_seen: float = 0.0  # its CPU seconds, last seen alive (a process's go when it exits)

    def cpu_s(self) -> float:
        total = 0.0
        for process in process_tree(self.process.pid):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        self.cpu_seen = max(self.cpu_seen, total)
        return self.cpu_seen

    def _wait(self) -> None:
        while self.process.poll() is None:
            self.cpu_s()
            time.sleep(0.5)
        self.ended = time.perf_counter()

    def stop(self) -> bool:
        """SIGTERM (the trainer stops after its batch), SIGKILL if need be; was it running?"""
        running = self.process.poll() is None
        for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)  # its own group: the trainer and its children
            try:
                self.process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        return running

    def epochs_done(self) -> int:
        text = self.log.read_text(errors="replace")
        return len(re.findall(r"^\s*epoch \d+/\d+:", text, re.MULTILINE))


# The background training run's options (`python -m model train ...`).
TRAINING_OPTIONS = ("--subset", "20000", "--epochs", "30")


def start_training(
    home: Path,
    timeout: float = 300.0,
    options: tuple[str, ...] = TRAINING_OPTIONS,
    name: str = "bench-load",
) -> Training:
    """`python -m model train OPTIONS` on the server's store; returns once it is really training.

    Its output goes to `test-output/logs/<name>-training-<pid>.log`.
    """
    log = LOGS / f"{name}-training-{os.getpid()}.log"
    command = [sys.executable, "-m", "model", "--store", str(home), "train", *options]
    with open(log, "wb") as out:
        training = Training(
            subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env={**os.environ, "DIGIT_STUDIO_HOME": str(home), "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            ),
            log,
        )
    threading.Thread(target=training._wait, daemon=True).start()
    started = re.compile(r"^training \S+ on \d+ digits", re.MULTILINE)  # the trainer's first line
    deadline = time.monotonic() + timeout
    while not started.search(log.read_text(errors="replace")):
        if training.ended is not None or time.monotonic() > deadline:
            training.stop()
            raise RuntimeError(f"the training run did not start; see {log}")
        time.sleep(0.5)
    return training


# --- Main --------------------------------------------------------------------------------------


async def benchmark(server, args, memory: MemorySampler, training: Training | None) -> list[dict]:
    """Warm the app up with one untimed drawing, then one phase per N."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # The first session loads the model and makes TensorFlow's first call.
            page = await open_session(browser, server.url, args.ready_timeout)
            warm = await timed_drawing(page, 0, 7, args.ready_timeout)
            await page.context.close()
            if warm.error is not None:
                raise RuntimeError(f"the warm-up drawing failed: {warm.error}")
            phases = []
            for sessions in args.sessions:
                phase = await run_phase(
                    browser, server.url, sessions, args, server.pid, training, memory
                )
                print_phase(phase)
                phases.append(phase)
            return phases
        finally:
            await browser.close()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 20], metavar="N")
    parser.add_argument("--drawings", type=int, default=6, help="digits each session draws")
    parser.add_argument("--while-training", action="store_true", help="with a training run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per prediction")
    parser.add_argument(
        "--ready-timeout", type=float, default=180.0, help="seconds for a session's first page"
    )
    parser.add_argument(
        "--open-parallel",
        type=int,
        default=4,
        metavar="K",
        help="sessions loading their first page at a time (the drawing is always all at once)",
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    load_start = load_average()
    print(f"load average at start {load_start} on {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    training = None
    with run_app() as server:
        memory = MemorySampler(server.pid)
        memory.start()
        try:
            if args.while_training:
                training = start_training(server.home)
                print(f"training in the background (pid {training.process.pid})", flush=True)
            phases = asyncio.run(benchmark(server, args, memory, training))
        finally:
            memory.stop()
            if training is not None:
                still_training = training.stop()
                epochs = training.epochs_done()
    load_end = load_average()
    print(f"load average at end {load_end}", flush=True)
    summary = {
        "sessions": args.sessions,
        "drawings_per_session": args.drawings,
        "timeout_s": args.timeout,
        "open_parallel": args.open_parallel,
        "while_training": training is not None,
        "phases": phases,
        "load_average_start": load_start,
        "load_average_end": load_end,
        "cpus": os.cpu_count(),
        "total_s": round(time.perf_counter() - started, 1),
    }
    if training is not None:
        summary["training"] = {
            "command": " ".join(["python -m model train", *TRAINING_OPTIONS]),
            "still_running_at_end": still_training,
            "epochs_done": epochs,
            "log": str(training.log),
        }
        print(
            f"training: {epochs} epochs done; "
            + ("still running at the end" if still_training else "it had finished before the end"),
            flush=True,
        )
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
