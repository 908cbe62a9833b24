"""The training lock: an operating-system lock that exactly one process holds, whatever the
file says, and that the kernel frees when its holder dies."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from model.serving.jobs import TrainingBusy, TrainingLock
from model.serving.store import ModelStore
from tests.hostile import training_lock_held_elsewhere

RACERS = 8
TRIALS = 200
# What the lock file holds before a trial: nothing at all, a dead process's pid, an empty file
# (what the old pid-file lock left between its create and its write), our own pid.
STARTS = ("no file", "dead pid", "empty", "live pid")


def dead_pid() -> int:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # exited and reaped: its pid belongs to no process
    return dead.pid


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path / "store")


@pytest.mark.parametrize("content", ["dead pid", "", "garbage\x00", "live pid"])
def test_what_the_file_says_does_not_matter(store, content):
    lock = TrainingLock(store)
    text = {"dead pid": str(dead_pid()), "live pid": str(os.getppid())}.get(content, content)
    lock.path.write_text(text)
    assert lock.holder() is None, "nobody holds the lock, whatever pid the file names"
    lock.acquire(wait=0)
    try:
        assert lock.path.read_text() == str(os.getpid())
        assert TrainingLock(store).holder() == os.getpid()
    finally:
        lock.release()
    assert lock.holder() is None


def test_the_kernel_frees_the_lock_of_a_killed_holder(store):
    with training_lock_held_elsewhere(store.root) as holder:
        lock = TrainingLock(store)
        assert lock.holder() == holder.pid
        with pytest.raises(TrainingBusy, match=f"pid {holder.pid}"):
            lock.acquire(wait=0)
    lock.acquire(wait=0)  # at once: no pid to find stale, no file to clear
    lock.release()


def test_looking_at_the_lock_never_turns_a_run_away(store):
    """`holder()` takes the lock for an instant; a run starting then waits that instant out."""
    stop = threading.Event()

    def look() -> None:
        while not stop.is_set():
            TrainingLock(store).holder()

    lookers = [threading.Thread(target=look) for _ in range(2)]
    for thread in lookers:
        thread.start()
    try:
        for _ in range(100):
            with TrainingLock(store):
                pass
    finally:
        stop.set()
        for thread in lookers:
            thread.join()


def test_looks_at_once_never_see_a_run_that_is_not_there(store):
    """Many sessions of one server look at the lock at the same moment: nobody holds it."""
    seen: list[int | None] = []

    def look() -> None:
        seen.extend(TrainingLock(store).holder() for _ in range(100))

    lookers = [threading.Thread(target=look) for _ in range(4)]
    for thread in lookers:
        thread.start()
    for thread in lookers:
        thread.join()
    assert seen == [None] * 400


def _race(root: str, seat: int, start, tried, released, results) -> None:
    lock = TrainingLock(ModelStore(Path(root)))
    for trial in range(TRIALS):
        start.wait()
        try:
            lock.acquire(wait=0)
        except TrainingBusy:
            held = False
        else:
            held = True
        results.put((trial, seat, held))
        tried.wait()  # every racer has tried while the holders still hold
        if held:
            lock.release()
        released.wait()


@pytest.mark.slow
def test_eight_processes_racing_200_times_have_exactly_one_holder(store):
    context = multiprocessing.get_context("spawn")  # no copy of this process's TensorFlow
    start, tried, released = (context.Barrier(RACERS + 1, timeout=120) for _ in range(3))
    results = context.Queue()
    racers = [
        context.Process(target=_race, args=(str(store.root), seat, start, tried, released, results))
        for seat in range(RACERS)
    ]
    for racer in racers:
        racer.start()
    lock_file = store.root / "training.lock"
    stale = str(dead_pid())
    try:
        for trial in range(TRIALS):
            state = STARTS[trial % len(STARTS)]
            if state == "no file":
                lock_file.unlink(missing_ok=True)
            else:
                lock_file.write_text(
                    {"dead pid": stale, "live pid": str(os.getpid())}.get(state, "")
                )
            start.wait()
            tried.wait()
            released.wait()
        outcomes = [results.get(timeout=60) for _ in range(RACERS * TRIALS)]
    finally:
        for racer in racers:
            racer.join(timeout=30)
            if racer.is_alive():
                racer.kill()
    holders = Counter(trial for trial, _, held in outcomes if held)
    per_trial = Counter(holders[trial] for trial in range(TRIALS))
    assert per_trial == {1: TRIALS}, f"holders per trial: {dict(per_trial)}"
    assert all(racer.exitcode == 0 for racer in racers)
