"""Background training: one run at a time, in a child process, watched from the app.

The app starts `python -m model train|finetune|experiment ... --json-progress` as a child process,
the same code path as the command line. The child prints one JSON event per line (batches,
epochs, the final version), which a reader thread turns into a `TrainingJob` that any page in any
session can display. Training in a separate process keeps the app's inference responsive and
makes Cancel (SIGTERM: stop after this batch, write nothing) and even a SIGKILL safe: the store
only ever gains complete versions.

Each run the app starts is also noted in the store (`run.json`: its command, when it started, how
it ended). A run that never ended there is one the app stopped with, a restart or a crash taking
its child down too: `Trainer.interrupted` finds it, so that the page that started it can say so.

`TrainingLock` is an operating-system file lock taken by every training run (app or CLI) for its
whole life: only one trains at a time, and the kernel frees it when the holder dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from filelock import FileLock, Timeout

from model.atomic import write_json
from model.serving.store import ModelStore

REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_RECORD = "run.json"  # in the store: the latest run the app started, and how it ended
RUNNING = ("starting", "running", "evaluating")


class TrainingBusy(RuntimeError):
    """Another training run is going: one that holds the lock, or one this process started."""


_LOOKS = threading.Lock()  # TrainingLock.holder's looks in this process, one at a time


class TrainingLock:
    """The operating system's lock (`flock`) on `training.lock`, held for a run's whole life.

    Only the kernel decides who holds it, and it lets go when the holder exits, however it ends
    (SIGKILL included): no pid is read to guess whether a lock is stale. The holder's pid is
    written into the file after the lock is taken, for messages only.
    """

    WAIT = 2.0  # seconds a run waits for the lock: `holder()` takes it for an instant to look

    def __init__(self, store: ModelStore):
        self.path = store.root / "training.lock"
        self._lock = FileLock(self.path, thread_local=False)

    def holder(self) -> int | None:
        """None if no run holds the lock; else the holder's pid (0 if not written yet).

        It looks by taking the lock for an instant. Two looks at once would each take the other
        for a run: looks in this process take turns, and one from another process (another app
        server) is outlasted by looking three times, 10 ms apart; a run holds it for seconds.
        """
        with _LOOKS:
            for _ in range(3):
                probe = FileLock(self.path, thread_local=False)
                try:
                    probe.acquire(blocking=False)
                except Timeout:
                    time.sleep(0.01)
                    continue
                except OSError:
                    return None  # no store to train in: nobody can be training there
                probe.release()
                return None
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def acquire(self, wait: float = WAIT) -> None:
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            pid = self.holder()
            who = f" (pid {pid})" if pid else ""
            raise TrainingBusy(f"another training run is in progress{who}") from None
        try:
            with open(self.path, "r+") as f:  # the lock file is never truncated by others
                f.write(str(os.getpid()))
                f.truncate()
        except OSError:
            pass  # the pid is only for messages

    def release(self) -> None:
        if self._lock.is_locked:
            with contextlib.suppress(OSError), open(self.path, "r+") as f:
                f.truncate()  # no pid: nobody's
            self._lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


@dataclass
class TrainingJob:
    """What a page needs to show about one training run; updated by the reader thread."""

    args: list[str]
    state: str = "starting"  # starting, running, evaluating, done, failed, cancelled
    config: dict = field(default_factory=dict)
    started_with: dict = field(default_factory=dict)  # the start event's other facts (train_size)
    progress: dict = field(default_factory=dict)  # the latest batch event
    history: dict = field(default_factory=dict)  # per-epoch curves so far
    version: str | None = None
    test_accuracy: float | None = None
    message: str = ""
    cancel_requested: bool = False
    started: float = field(default_factory=time.time)
    finished: float | None = None
    process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.state in RUNNING

    @property
    def command(self) -> list[str]:
        """Its command line after `python -m model` and the store: ["train", ...], ["finetune",
        ...] or ["experiment", KIND, ...]; [] if it runs no `python -m model`. Read by position,
        so a store named "train" is no run."""
        pairs = range(len(self.args) - 1)
        start = next((i + 2 for i in pairs if self.args[i : i + 2] == ["-m", "model"]), None)
        words = [] if start is None else self.args[start:]
        return words[2:] if words[:1] == ["--store"] else words

    def cancel(self) -> None:
        if self.running and self.process is not None:
            self.cancel_requested = True
            self.process.send_signal(signal.SIGTERM)  # the trainer stops after this batch

    def apply(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "start":
            self.state, self.config = "running", event.get("config", {})
            self.started_with = {k: v for k, v in event.items() if k not in ("event", "config")}
        elif kind == "batch":
            self.progress = event
        elif kind == "epoch":
            self.history = event.get("history", {})
            self.progress = {**self.progress, "epoch": event["epoch"], "eta": event["eta"]}
        elif kind == "evaluating":
            self.state = "evaluating"
        elif kind == "done":
            self.version, self.test_accuracy = event["version"], event.get("test_accuracy")


class Trainer:
    """Starts training runs in child processes and remembers the latest one (one per process).

    `prewarm()` starts the next run's child ahead of time (`python -m model warm`: TensorFlow
    imported, MNIST loaded, waiting for its command line), and `start()` hands the run to it when
    one is waiting: the run's first batch comes without waiting for TensorFlow's import.
    """

    WARM_IDLE = 600.0  # seconds a warm child waits for its command before it exits
    WARM_MARGIN = 30.0  # a child this close to its end is not handed a run

    # Every run that any Trainer of this process started. A child takes the training lock only
    # once TensorFlow is imported, seconds after it starts: in between, the lock is free, and a
    # second page (Experiments, then Training) would start a run of its own that then fails.
    _started: ClassVar[list[tuple[Path, TrainingJob]]] = []  # (store root, run)
    _starting = threading.Lock()

    def running_here(self) -> TrainingJob | None:
        """A run into this store that this process started, from any page, still going."""
        root = self.store.root.resolve()
        # Read without the lock: `start` replaces the list whole, never changes it in place.
        return next((job for at, job in Trainer._started if at == root and job.running), None)

    def interrupted(self) -> dict | None:
        """The record (`run.json`) of the latest run the app started, if that run never ended:
        the app stopped while it trained. None if it ended, or still trains (here, or as a child
        left from before a restart, which holds the lock)."""
        if self.running_here() is not None:
            return None
        try:
            record = json.loads((self.store.root / RUN_RECORD).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("state") not in RUNNING:
            return None
        return record if self.lock.holder() is None else None

    def forget_interrupted(self) -> None:
        """Mark the interrupted run's record as said: it is not reported again."""
        record = self.interrupted()
        if record is not None:
            with contextlib.suppress(OSError):
                write_json(self.store.root / RUN_RECORD, {**record, "state": "interrupted"})

    def __init__(self, store: ModelStore):
        self.store = store
        self.lock = TrainingLock(store)
        self.job: TrainingJob | None = None
        self._guard = threading.Lock()
        self._warm: tuple[subprocess.Popen, object, float] | None = None  # process, stderr, when

    def _base_args(self) -> list[str]:
        return [sys.executable, "-m", "model", "--store", str(self.store.root)]

    def _spawn(self, args: list[str], stdin=None) -> tuple[subprocess.Popen, object]:
        # stderr goes to a file, not a pipe: a chatty library filling an unread pipe's buffer
        # would block the child forever.
        errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by _watch)
        try:
            process = subprocess.Popen(
                args,
                cwd=REPO_ROOT,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                bufsize=1,
            )
        except BaseException:
            errors.close()
            raise
        return process, errors

    def prewarm(self) -> None:
        """Have a child ready for the next run, unless one is, or a run is going (from any page
        of this server or elsewhere: a second TensorFlow import would take its CPU)."""
        with self._guard:
            if self._warm is not None and self._warm[0].poll() is None:
                return  # one waits already: no need to look for a run (the lock's look is slow)
            if self.running_here() is not None or self.lock.holder() is not None:
                return
            args = [*self._base_args(), "warm", "--idle", str(self.WARM_IDLE)]
            process, errors = self._spawn(args, stdin=subprocess.PIPE)
            self._warm = (process, errors, time.monotonic())

    def stop_warm(self) -> None:
        """End a waiting child: closing its stdin ends it once it waits; one still loading
        TensorFlow is killed, which loses nothing, since it has done nothing yet."""
        with self._guard:
            warm, self._warm = self._warm, None
        if warm is not None:
            process, errors, _ = warm
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            errors.close()

    def _hand_to_warm(self, command: list[str]) -> tuple[subprocess.Popen, object] | None:
        """Give `command` to the waiting child; None if there is none fit to take it."""
        warm, self._warm = self._warm, None
        if warm is None:
            return None
        process, errors, since = warm
        fresh = time.monotonic() - since < self.WARM_IDLE - self.WARM_MARGIN
        if process.poll() is None and fresh:
            try:
                process.stdin.write(json.dumps(command) + "\n")
                process.stdin.close()
                return process, errors
            except OSError:  # it has just exited
                pass
        process.kill()
        process.wait()
        errors.close()
        return None

    def start(self, cli_args: list[str]) -> TrainingJob:
        """Start `python -m model *cli_args` (`["train", ...]`, `["finetune", ...]`...); if a run
        is going, return that one instead."""
        with self._guard, Trainer._starting:
            if self.job is not None and self.job.running:
                return self.job
            other = self.running_here()
            pid = (other.process.pid if other.process else 0) if other else self.lock.holder()
            if pid is not None:
                raise TrainingBusy(f"another training run is in progress (pid {pid})")
            command = [*cli_args, "--json-progress"]
            job = TrainingJob(args=[*self._base_args(), *command])
            handed = self._hand_to_warm(command)
            job.process, errors = handed or self._spawn(job.args)
            self.job = job
            going = [(root, run) for root, run in Trainer._started if run.running]
            Trainer._started = [*going, (self.store.root.resolve(), job)]
            record = self.store.root / RUN_RECORD
            note_run(record, job)
            threading.Thread(target=self._watch, args=(job, errors, record), daemon=True).start()
            return job

    @staticmethod
    def _watch(job: TrainingJob, error_file, record: Path) -> None:
        process = job.process
        for line in process.stdout:
            try:
                job.apply(json.loads(line))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # not an event (a library printed something)
        code = process.wait()
        with error_file:
            error_file.seek(0)
            errors = error_file.read().strip()
        if code == 0 and job.version:
            state, message = "done", f"trained version {job.version}"
        elif code == 130 or (job.cancel_requested and code == -signal.SIGTERM):
            # 130: stopped after a batch; -SIGTERM: cancelled before the handler was installed
            state, message = "cancelled", "training cancelled; nothing was saved"
        else:
            last = errors.splitlines()[-1] if errors else f"exit code {code}"
            if code < 0:
                last = f"the training process was killed by signal {-code}"
            state, message = "failed", f"training failed: {last}; nothing was saved"
        # The record first: once the job says it ended, no page may take the run for interrupted.
        note_run(record, job, state)
        job.finished = time.time()
        job.state, job.message = state, message


def note_run(record: Path, job: TrainingJob, state: str | None = None) -> None:
    """Write what `job` runs ("train", "finetune", "experiment"), when it started and its `state`
    (its own if None) to `record`. A store that cannot take it loses only the notice of an
    interrupted run."""
    noted = {"command": next(iter(job.command), ""), "started": job.started}
    with contextlib.suppress(OSError):
        write_json(record, {**noted, "state": state or job.state})
