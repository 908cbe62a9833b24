"""Benchmark: retrain from the Training page in Chromium, from the click to the new version shown.

    .venv/bin/python tests/bench/bench_retrain.py                      # 1 epoch, full MNIST
    .venv/bin/python tests/bench/bench_retrain.py --epochs 2 --size "Quick demo (2,000 digits)"

Not a test: it prints figures, the last line one JSON object with all of them.

It starts the app (`tests.browser.run_app`, its own model store), opens the Training page, sets the
retrain form (default architecture, no augmentation; the given epochs, batch size and training
set), waits 5 s as a user choosing would (the page starts the run's process meanwhile), clicks
Retrain and waits for "Trained version … in". Printed: the wall time from the click
to that message; the training time and the seconds per epoch the run wrote into the version's
metadata (the rest is the child process starting TensorFlow, loading MNIST, scoring both test
sets and writing the version); the CPU seconds used by the trainer, the server and the browser
(Chromium shares the two cores here: a real user's browser runs on their own machine); the
machine's load average before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import threading
import time
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser import (  # noqa: E402
    chromium,
    new_page,
    process_tree,
    run_app,
    wait_until_idle,
)

BATCH_SIZES = [32, 64, 128, 256]  # the Training page's choices


class CpuSampler(threading.Thread):
    """CPU seconds of every process this script started, by side, sampled every 0.5 s (the
    training child exits before the end: its last sample counts)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.last: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()

    @staticmethod
    def side(process: psutil.Process) -> str:
        command = " ".join(process.cmdline())
        if " -m model " in f"{command} ":
            return "trainer"
        return "server" if "streamlit" in command else "browser"

    def run(self) -> None:
        while not self.done.wait(0.5):
            for process in process_tree(os.getpid())[1:]:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    self.last[process.pid] = (self.side(process), times.user + times.system)

    def totals(self) -> dict[str, float]:
        self.done.set()
        self.join()
        sums: dict[str, float] = {"trainer": 0.0, "server": 0.0, "browser": 0.0}
        for side, seconds in self.last.values():
            sums[side] += seconds
        return {side: round(seconds, 1) for side, seconds in sums.items()}


def set_epochs(form, epochs: int) -> None:
    slider = form.locator('[data-testid="stSlider"]').filter(has_text="Epochs")
    knob = slider.locator('input[type="range"]')
    knob.focus()
    knob.press("Home")  # 1
    for _ in range(epochs - 1):
        knob.press("ArrowRight")
    if knob.input_value() != str(epochs):
        raise RuntimeError(f"the Epochs slider shows {knob.input_value()}, not {epochs}")


def set_batch_size(form, batch: int) -> None:
    """The Batch size select-slider, by keyboard: Home is its smallest choice."""
    slider = form.locator('[data-testid="stSlider"]').filter(has_text="Batch size")
    knob = slider.get_by_role("slider")
    knob.focus()
    knob.press("Home")
    for _ in range(BATCH_SIZES.index(batch)):
        knob.press("ArrowRight")
    shown = knob.get_attribute("aria-valuetext") or knob.get_attribute("aria-valuenow")
    if shown not in (str(batch), str(BATCH_SIZES.index(batch))):
        raise RuntimeError(f"the Batch size slider shows {shown}, not {batch}")


def retrain(url: str, home: Path, epochs: int, size: str, batch: int = 128) -> dict:
    with chromium() as browser:
        page = new_page(browser, f"{url}/training")
        page.set_default_timeout(60_000)
        form = page.locator('[data-testid="stForm"]').filter(has_text="Retrain")
        form.wait_for()
        wait_until_idle(page, timeout=120)
        form.get_by_text(size, exact=True).click()
        set_epochs(form, epochs)
        set_batch_size(form, batch)
        page.wait_for_timeout(5000)  # a user takes that long to choose: the run's child loads
        started = time.perf_counter()
        form.get_by_role("button", name="Retrain").click()
        done = page.get_by_text(re.compile(r"Trained version \S+ in"))
        done.wait_for(timeout=900_000)
        wall = time.perf_counter() - started
        name = re.search(r"Trained version (\S+) in", done.inner_text()).group(1)
    meta = json.loads((home / "versions" / name / "meta.json").read_text())
    return {
        "version": name,
        "epochs": epochs,
        "batch_size": batch,
        "training_set": size,
        "train_size": meta.get("train_size"),
        "click_to_done_s": round(wall, 2),
        "training_s": meta.get("wall_seconds"),
        "seconds_per_epoch": meta.get("seconds_per_epoch"),
        "test_accuracy": meta.get("test_accuracy"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--size", default="Full (55,000)", help="a Training set choice's label")
    parser.add_argument("--batch", type=int, default=128, choices=BATCH_SIZES)
    args = parser.parse_args()
    before = [round(x, 1) for x in os.getloadavg()[:2]]
    cpu = CpuSampler()
    with run_app() as server:
        cpu.start()
        figures = retrain(server.url, server.home, args.epochs, args.size, args.batch)
    figures["cpu_seconds"] = cpu.totals()
    after = [round(x, 1) for x in os.getloadavg()[:2]]
    print(
        f"retrain {figures['epochs']} epoch(s) on {figures['train_size']:,} digits, batch "
        f"{figures['batch_size']}: "
        f"{figures['click_to_done_s']:.1f} s from the click to the new version shown; "
        f"training {figures['training_s']} s ({figures['seconds_per_epoch']} s/epoch), "
        f"MNIST test {figures['test_accuracy']:.2%}"
    )
    print(f"CPU seconds while it ran, by side: {figures['cpu_seconds']}")
    print(f"load average {before} → {after} on {os.cpu_count()} CPUs")
    print(json.dumps({**figures, "load_average": [before, after], "cpus": os.cpu_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
