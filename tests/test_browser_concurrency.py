"""Twenty real browser sessions predicting at once while a training run goes on.

The README promises that one server serves many users with one loaded model: under load every
request is answered, none with an error, and each answer is the one a quiet server gives.
`tests/test_reliability.py` checks the predictor from 20 threads; this checks the whole path that
users take (Chromium, the canvas component, Streamlit's websocket and script threads, the shared
predictor) against the real server, with a training process competing for the same two cores.

One `streamlit run app.py` serves the test. First, in one session on the quiet server, each digit
is drawn and its readout recorded: the "Prediction" metric and the probability bars' aria-label
(the ten probabilities to 0.1 %). Then `python -m model train` runs on the server's store, 20
sessions (20 browser contexts) open, and all of them draw at once, session i the digit i % 10.
Every session must show the quiet readout for its digit, with no exception box and no dropped
connection, while the trainer is still running and still computing. Last, the server must have
read the model file once: an audit hook in the server process (a `sitecustomize` on its
PYTHONPATH, nothing in the app) notes every `model.tflite` it opens.

The sessions are driven through Playwright's async API, with the load benchmark's helpers
(`tests/bench/bench_load.py`); run with `pytest -m browser tests/test_browser_concurrency.py -s` to
see the latencies.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bench.bench_load import (
    STATE_JS,
    Drawing,
    Training,
    clear,
    first_line,
    open_session,
    open_sessions,
    start_training,
    timed_drawing,
)
from tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available, run_app, spread

# Like tests/test_browser.py's; one rerun: a real browser on a busy 2-core machine can miss a
# deadline, a real bug fails both tries. The test takes about two minutes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="needs Debian's Chromium at " + CHROMIUM),
    pytest.mark.flaky(reruns=1, reruns_delay=5),
    pytest.mark.timeout(300),
]

SESSIONS = 20
DIGITS = range(10)
DIGIT_NAMES = {str(d) for d in DIGITS}
PREDICTION_TIMEOUT = 120.0  # seconds: 20 sessions, a trainer and Chromium share two cores
READY_TIMEOUT = 120.0  # seconds for a session's first page
OPEN_PARALLEL = 4  # sessions loading their first page at a time
BARS_SELECTOR = '[data-testid="probabilityBars"]'

# Small epochs, so that a few of them pass before the burst; far more than the test can wait for,
# so that the run never ends (and never writes a version that could become active) by itself.
TRAINING_OPTIONS = ("--subset", "4000", "--epochs", "200")
FIRST_EPOCH_TIMEOUT = 120.0
TRAINER_CPU_S_DURING_BURST = 1.0  # at least this much computing, or it was only alive

# Imported by the server process at start-up (Python's `site` imports any `sitecustomize` on the
# path): an audit hook that appends every `model.tflite` the process opens to a file. os.write
# raises no audit event, so the hook cannot call itself.
MODEL_READS_HOOK = '''\
"""Test hook from tests/test_browser_concurrency.py: note every model.tflite this process opens."""
import os
import sys

_log = os.open(os.environ["DIGIT_STUDIO_MODEL_READS"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)


def _note(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if path.endswith("model.tflite"):
            os.write(_log, (path + "\\n").encode())


sys.addaudithook(_note)
'''


@dataclass(frozen=True)
class Readout:
    """What the Draw page shows for a drawing: the predicted digit and the ten probabilities."""

    prediction: str | None
    probabilities: str | None  # the bars' aria-label: "probabilities, 0: 0.0%, 1: ..."


@dataclass
class SessionOutcome:
    """One burst session: its drawing (latency, error) and what the page showed afterwards."""

    session: int
    digit: int
    drawing: Drawing
    readout: Readout | None
    connection: str | None  # the app's connection state at the end
    disconnects: int  # times the connection left CONNECTED since the page opened


@dataclass
class Burst:
    """The 20 sessions' outcomes, and the trainer's activity while they drew."""

    outcomes: list[SessionOutcome]
    drawing_s: float  # from the start of the drawing to the last session's readout
    trainer_running_after: bool  # checked once every session had its readout
    trainer_cpu_s: float  # CPU seconds the trainer used while the sessions drew
    trainer_epochs: int  # epochs it finished meanwhile

    @property
    def latencies_ms(self) -> list[float]:
        return [o.drawing.latency_ms for o in self.outcomes if o.drawing.latency_ms is not None]


# --- The server's model reads --------------------------------------------------------------


def model_reads_env(directory: Path) -> dict[str, str]:
    """The server's extra environment: the audit hook on its path, and the file it writes to."""
    (directory / "sitecustomize.py").write_text(MODEL_READS_HOOK)
    path = os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path, "DIGIT_STUDIO_MODEL_READS": str(directory / "model-reads.log")}


def model_reads(directory: Path) -> list[str]:
    log = directory / "model-reads.log"
    return log.read_text().splitlines() if log.exists() else []


# --- Reading the page ------------------------------------------------------------------------


async def read_readout(page, drawing: Drawing) -> Readout:
    bars = page.locator(BARS_SELECTOR).first
    label = await bars.get_attribute("aria-label", timeout=PREDICTION_TIMEOUT * 1000)
    return Readout(prediction=drawing.value, probabilities=label)


async def quiet_readouts(browser, url: str) -> dict[int, Readout]:
    """Each digit drawn in turn in one session on a quiet server, clearing in between."""
    page = await open_session(browser, url, READY_TIMEOUT)
    readouts = {}
    try:
        for digit in DIGITS:
            drawing = await timed_drawing(page, 0, digit, PREDICTION_TIMEOUT)
            assert drawing.error is None, f"quiet run, digit {digit}: {drawing.error}"
            readouts[digit] = await read_readout(page, drawing)
            # A readout to compare with: a digit and ten probabilities (right or wrong is
            # tests/test_browser.py's business; here only "the same as quiet" counts).
            assert readouts[digit].prediction in DIGIT_NAMES, readouts[digit]
            assert readouts[digit].probabilities.count("%") == 10, readouts[digit]
            await clear(page, PREDICTION_TIMEOUT)
    finally:
        await page.context.close()
    return readouts


# --- The burst -------------------------------------------------------------------------------


async def draw_once(page, session: int) -> SessionOutcome:
    """Draw digit `session % 10` and take the readout it got; an error is recorded, not raised."""
    digit = DIGITS[session % len(DIGITS)]
    drawing = await timed_drawing(page, session, digit, PREDICTION_TIMEOUT)
    readout = await read_readout(page, drawing) if drawing.error is None else None
    state = await page.evaluate(STATE_JS)
    return SessionOutcome(
        session, digit, drawing, readout, state["connection"], state["disconnects"]
    )


async def burst(browser, url: str, training: Training) -> Burst:
    """Open SESSIONS sessions, then let all of them draw at the same time, `training` running."""
    pages = await open_sessions(browser, url, SESSIONS, OPEN_PARALLEL, READY_TIMEOUT)
    try:
        failed = [f"session {i}: {first_line(p)}" for i, p in enumerate(pages) if not_open(p)]
        assert not failed, "sessions that never showed the canvas:\n" + "\n".join(failed)
        cpu_s, epochs = training.cpu_s(), training.epochs_done()
        began = time.perf_counter()
        outcomes = await asyncio.gather(*(draw_once(page, i) for i, page in enumerate(pages)))
        return Burst(
            outcomes,
            drawing_s=time.perf_counter() - began,
            trainer_running_after=training.process.poll() is None,
            trainer_cpu_s=training.cpu_s() - cpu_s,
            trainer_epochs=training.epochs_done() - epochs,
        )
    finally:
        for page in pages:
            if not not_open(page):
                await page.context.close()


def not_open(page) -> bool:
    """open_sessions gives the exception in place of a page that did not open."""
    return isinstance(page, BaseException)


def problems(outcomes: list[SessionOutcome], quiet: dict[int, Readout]) -> list[str]:
    """Every way a burst session fell short of the quiet run: an empty list if none did."""
    found = []
    for outcome in outcomes:
        where = f"session {outcome.session} (drew {outcome.digit})"
        if outcome.drawing.error is not None:
            found.append(f"{where}: {outcome.drawing.error}")
        elif outcome.readout != quiet[outcome.digit]:
            found.append(f"{where}: {outcome.readout} under load, {quiet[outcome.digit]} quiet")
        if outcome.connection != "CONNECTED" or outcome.disconnects:
            found.append(
                f"{where}: connection {outcome.connection}, dropped {outcome.disconnects} times"
            )
    return found


# --- The trainer -----------------------------------------------------------------------------


def wait_for_first_epoch(training: Training) -> None:
    """Until the trainer has finished an epoch: past its start-up, batches flowing."""
    deadline = time.monotonic() + FIRST_EPOCH_TIMEOUT
    while training.epochs_done() < 1:
        assert training.ended is None, f"the training run exited; see {training.log}"
        assert time.monotonic() < deadline, f"no epoch done in time; see {training.log}"
        time.sleep(0.5)


# --- The test --------------------------------------------------------------------------------


async def burst_while_training(browser, server) -> tuple[Burst, Training]:
    """Start a training run on the server's store, burst once it is training, then stop it."""
    training = await asyncio.to_thread(
        start_training, server.home, options=TRAINING_OPTIONS, name="test-browser-concurrency"
    )
    try:
        await asyncio.to_thread(wait_for_first_epoch, training)
        return await burst(browser, server.url, training), training
    finally:
        await asyncio.to_thread(training.stop)  # SIGTERM, then SIGKILL if need be


async def quiet_then_burst(server) -> tuple[dict[int, Readout], Burst, Training]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            quiet = await quiet_readouts(browser, server.url)
            return quiet, *await burst_while_training(browser, server)
        finally:
            await browser.close()


def test_twenty_sessions_predict_as_in_a_quiet_run_while_training(tmp_path):
    with run_app(env=model_reads_env(tmp_path)) as server:
        quiet, loaded, training = asyncio.run(quiet_then_burst(server))
        log = server.log.read_text(errors="replace")
    latency = spread(loaded.latencies_ms) if loaded.latencies_ms else None
    print(
        f"\n{SESSIONS} sessions drew at once in {loaded.drawing_s:.1f} s, latency ms {latency}; "
        f"meanwhile the trainer used {loaded.trainer_cpu_s:.1f} CPU s, "
        f"{loaded.trainer_epochs} epochs"
    )

    trouble = problems(loaded.outcomes, quiet)
    assert not trouble, "\n".join(trouble)
    assert loaded.trainer_running_after, f"training ended before the burst did; see {training.log}"
    assert loaded.trainer_cpu_s >= TRAINER_CPU_S_DURING_BURST, (
        f"the trainer computed only {loaded.trainer_cpu_s:.1f} CPU s during the burst"
    )
    assert "Traceback" not in log, f"the server logged an error; see {server.log}"
    # 21 sessions, 30 predictions, one read of the model file: the predictor is shared.
    reads = model_reads(tmp_path)
    assert len(reads) == 1 and reads[0].endswith("default/model.tflite"), reads
