"""Background training: the trainer's child process, progress, cancel, a killed child, the lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.serving.jobs import Trainer, TrainingBusy, TrainingJob, TrainingLock
from model.serving.store import ModelStore

TINY = ["train", "--subset", "300", "--epochs", "1", "--batch-size", "64"]
LONG = ["train", "--subset", "3000", "--epochs", "20", "--batch-size", "64"]
ROOT = Path(__file__).resolve().parent.parent


def wait_until(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s")
        time.sleep(0.2)


def wait_done(job: TrainingJob, timeout: float = 120.0) -> None:
    wait_until(lambda: not job.running, timeout)


def user_versions(store: ModelStore) -> list[str]:
    return [v.name for v in store.list() if not v.shipped]


def assert_nothing_left(store: ModelStore) -> None:
    assert user_versions(store) == []
    assert list(store.root.glob(".staging-*")) == []
    assert TrainingLock(store).holder() is None


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path / "store")


@pytest.mark.slow
def test_a_tiny_run_trains_and_stores_a_version(store):
    trainer = Trainer(store)
    job = trainer.start(TINY)
    assert job.running
    assert trainer.start(TINY) is job, "a second start while running returns the same job"
    assert trainer.job is job
    wait_done(job)
    assert job.state == "done", job.message
    assert job.process.returncode == 0
    assert job.version in user_versions(store)
    version = store.get(job.version)
    assert version.problem is None
    assert len(job.history["loss"]) == 1
    assert set(job.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert version.history() == job.history
    assert version.meta["train_size"] == 300
    assert 0.0 <= job.test_accuracy <= 1.0
    assert job.progress["batch"] == job.progress["batches"] == 5  # ceil(300 / 64)
    assert store.active_name() == "default", "training never activates"
    assert TrainingLock(store).holder() is None
    second = trainer.start([*TINY, "--name", "second-run"])
    assert second is not job, "a finished job does not block the next one"
    second.cancel()
    wait_done(second)


@pytest.mark.slow
def test_a_run_started_by_another_page_blocks_a_second_before_it_takes_the_lock(store):
    """Experiments and Training each have a Trainer. A child takes the lock only once TensorFlow
    is imported: a second start in that window began a run of its own, and one of them failed."""
    experiments, training = Trainer(store), Trainer(store)
    job = experiments.start(TINY)
    try:
        assert TrainingLock(store).holder() is None, "the child already holds the lock"
        assert training.running_here() is job
        with pytest.raises(TrainingBusy, match=f"pid {job.process.pid}"):
            training.start([*TINY, "--name", "second-run"])
    finally:
        job.cancel()
        wait_done(job)
    assert training.running_here() is None
    assert Trainer(ModelStore(store.root.parent / "other")).running_here() is None


@pytest.mark.slow
def test_cancel_mid_run_writes_nothing(store):
    trainer = Trainer(store)
    job = trainer.start(LONG)
    wait_until(lambda: "batch" in job.progress or not job.running)
    assert job.running, job.message
    assert TrainingLock(store).holder() == job.process.pid
    job.cancel()
    wait_done(job)
    assert job.state == "cancelled", job.message
    assert job.process.returncode == 130
    assert "nothing was saved" in job.message
    assert job.progress["epoch"] < 20
    assert_nothing_left(store)


@pytest.mark.slow
def test_a_killed_child_fails_cleanly_and_its_stale_lock_is_cleared(store):
    trainer = Trainer(store)
    job = trainer.start(LONG)
    wait_until(lambda: "batch" in job.progress or not job.running)
    assert job.running, job.message
    job.process.kill()
    wait_done(job, timeout=30)
    assert job.state == "failed"
    assert "killed by signal 9" in job.message
    assert "nothing was saved" in job.message
    # The kernel let go of the dead child's lock; its pid in the file means nothing.
    assert TrainingLock(store).holder() is None
    assert_nothing_left(store)

    again = trainer.start(LONG)
    assert again is not job and again.running
    again.cancel()  # right away, before the child installed its SIGTERM handler: still a cancel
    wait_done(again)
    assert again.state == "cancelled", again.message
    assert_nothing_left(store)


@pytest.mark.slow
def test_a_bad_option_fails_with_the_trainers_message(store):
    job = Trainer(store).start(["train", "--subset", "5", "--epochs", "1"])
    wait_done(job)
    assert job.state == "failed"
    assert "subset must be between" in job.message
    assert_nothing_left(store)


# An app that dies mid-run, as a crash or a restart of the server does: its child goes too (its
# next progress line meets a closed pipe) and nobody is left to note how the run ended.
DYING_APP = """
import os, signal, sys, time
from model.serving.jobs import Trainer
from model.serving.store import ModelStore
job = Trainer(ModelStore(sys.argv[1])).start(sys.argv[2:])
while job.running and "batch" not in job.progress:
    time.sleep(0.1)
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_run_the_app_stopped_with_is_reported_until_dismissed(store):
    trainer = Trainer(store)
    job = trainer.start(TINY)
    wait_done(job)
    assert job.state == "done" and trainer.interrupted() is None, "a run that ended is not"

    app = subprocess.run([sys.executable, "-c", DYING_APP, str(store.root), *LONG], cwd=ROOT)
    assert app.returncode == -9
    wait_until(lambda: TrainingLock(store).holder() is None, timeout=60)  # its child is gone
    record = trainer.interrupted()
    assert record is not None and record["command"] == "train", record
    assert record["started"] > job.started
    assert user_versions(store) == [job.version], "the interrupted run saved nothing"
    trainer.forget_interrupted()
    assert trainer.interrupted() is None
    assert Trainer(store).interrupted() is None, "dismissed for every page and session"


def test_the_lock_is_exclusive(store):
    lock = TrainingLock(store)
    lock.acquire()
    try:
        assert lock.holder() == os.getpid()
        with pytest.raises(TrainingBusy, match=f"pid {os.getpid()}"):
            TrainingLock(store).acquire(wait=0)
        with pytest.raises(TrainingBusy):
            Trainer(store).start(TINY)
    finally:
        lock.release()
    assert lock.holder() is None
    with TrainingLock(store):  # free again
        pass


# --- A child started ahead of the run (Trainer.prewarm) ------------------------------------------


@pytest.mark.slow
def test_a_prewarmed_child_runs_the_next_training(store):
    trainer = Trainer(store)
    trainer.prewarm()
    waiting = trainer._warm[0]
    trainer.prewarm()
    assert trainer._warm[0] is waiting, "one waiting child at a time"
    time.sleep(1.0)
    assert waiting.poll() is None, "the child waits for its command"
    job = trainer.start([*TINY, "--name", "warm-run"])
    assert job.process is waiting, "the run went to the waiting child"
    assert trainer._warm is None
    wait_done(job)
    assert job.state == "done", job.message
    assert job.version == "warm-run" and "warm-run" in user_versions(store)
    assert job.progress["batch"] == job.progress["batches"] == 5
    assert TrainingLock(store).holder() is None


def test_a_waiting_child_ends_when_told_or_when_nobody_comes(store):
    trainer = Trainer(store)
    trainer.prewarm()
    waiting = trainer._warm[0]
    trainer.stop_warm()
    assert waiting.poll() is not None and trainer._warm is None
    idle = subprocess.run(
        [sys.executable, "-m", "model", "--store", str(store.root), "warm", "--idle", "0.5"],
        stdin=subprocess.PIPE,  # open, and nothing comes
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert idle.returncode == 0, idle.stderr
    assert user_versions(store) == []


def test_a_waiting_child_runs_only_training(store):
    bad = subprocess.run(
        [sys.executable, "-m", "model", "--store", str(store.root), "warm"],
        input='["data"]\n',
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert "runs only train or finetune" in bad.stderr


def test_a_dead_waiting_child_is_not_handed_the_run(store):
    trainer = Trainer(store)
    trainer.prewarm()
    waiting = trainer._warm[0]
    waiting.kill()
    waiting.wait()
    job = trainer.start([*TINY, "--name", "cold-run"])
    assert job.process is not waiting
    wait_done(job)
    assert job.state == "done", job.message


@pytest.mark.parametrize(
    ("store", "command"),
    [
        ("/srv/studio", ["train", "--epochs", "3"]),
        ("train", ["finetune", "--epochs", "3"]),  # a store's name is not the command
        ("experiment", ["experiment", "levers", "--preset", "quick"]),
    ],
)
def test_a_job_knows_its_command_whatever_the_store_is_called(store, command):
    args = [sys.executable, "-m", "model", "--store", store, *command, "--json-progress"]
    assert TrainingJob(args=args).command == [*command, "--json-progress"]
    assert TrainingJob(args=[sys.executable, "-m", "model", *command]).command == command
    assert TrainingJob(args=[sys.executable, "-m", "model.cli", *command]).command == []
