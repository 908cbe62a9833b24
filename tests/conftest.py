"""Shared fixtures: an isolated model store for the whole session; the real MNIST, loaded once;
for the app's pages under Streamlit's AppTest, a fresh model store per test and a page opener."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Absolute: AppTest resolves a relative script path against the calling test's file.
APP = str(REPO_ROOT / "app.py")


@pytest.fixture(scope="session", autouse=True)
def isolated_store_home(tmp_path_factory) -> Path:
    """Point DIGIT_STUDIO_HOME at a fresh directory so no test touches the user's model store.

    Set in os.environ, so subprocesses (`python -m model ...`) inherit it too.
    """
    home = tmp_path_factory.mktemp("digit-studio-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIGIT_STUDIO_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST (60,000 + 10,000 digits), verified against its checksums."""
    from model.data import load_mnist

    return load_mnist()


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh model store for one app test (DIGIT_STUDIO_HOME); the cached store, trainer and
    predictors are dropped around the test, and a training run it left going (or a child waiting
    for one) is ended."""
    import streamlit as st

    root = tmp_path / "home"
    monkeypatch.setenv("DIGIT_STUDIO_HOME", str(root))
    st.cache_resource.clear()
    yield root
    from pages.resources import trainer

    job = trainer().job
    if job is not None and job.running and job.process is not None:
        job.process.kill()
    trainer().stop_warm()  # a child the Training or My drawings page started ahead of a run
    st.cache_resource.clear()


@pytest.fixture
def open_page(home) -> Callable[..., AppTest]:
    """`open_page(path)`: the app under AppTest, switched to the page `path` and run once, on
    this test's fresh model store; it has raised no exception.

    `timeout` is AppTest's limit per run, in seconds; `visit_draw_page_first` runs the default
    (Draw) page before switching, as a visitor who arrives there.
    """
    from streamlit.testing.v1 import AppTest

    def open_page(
        path: str, *, timeout: float = 180, visit_draw_page_first: bool = False
    ) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=timeout)
        if visit_draw_page_first:
            at.run()
        at.switch_page(path)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


@pytest.fixture
def read_only():
    """`read_only(directory)`: nothing can be written in `directory` until the test ends.

    As root, permission bits do not stop writes: the directory is bind-mounted read-only onto
    itself (writes fail with EROFS, as on a read-only disk), or else made immutable. As anyone
    else, its permission bits do.
    """
    undo: list[list[str] | Path] = []

    def make(directory: Path) -> None:
        directory = Path(directory)
        if os.geteuid() != 0:
            for path in (directory, *[p for p in directory.iterdir() if p.is_dir()]):
                path.chmod(0o555)
                undo.append(path)
            return
        mount = subprocess.run(["mount", "--bind", str(directory), str(directory)], check=False)
        if mount.returncode == 0:
            undo.append(["umount", str(directory)])
            remount = ["mount", "-o", "remount,ro,bind", str(directory)]
            if subprocess.run(remount, check=False).returncode == 0:
                return
        for path in (directory, *[p for p in directory.iterdir() if p.is_dir()]):
            if subprocess.run(["chattr", "+i", str(path)], check=False).returncode != 0:
                pytest.skip("cannot make a directory read-only for root here")
            undo.append(["chattr", "-i", str(path)])

    yield make
    for step in reversed(undo):
        if isinstance(step, Path):
            with contextlib.suppress(OSError):
                step.chmod(0o755)
        else:
            subprocess.run(step, check=False)


# ── The browser tests: one app server and one Chromium per test module ─────────────────────────


@pytest.fixture(scope="module")
def server():
    """The app on a free port with its own model store (a module may override it)."""
    from tests.browser import run_app

    with run_app() as app:
        yield app


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright."""
    from tests.browser import chromium

    with chromium() as chrome:
        yield chrome


# ── The experiments at their tiny preset, run once for the model and page tests ───────────────

TINY_EXPERIMENTS = {
    "imbalance": ["--digit", "5", "--share", "0.05"],
    "levers": ["--arch", "seed_cnn", "--dropout", "0"],
    "features": [],
}


@pytest.fixture(scope="session")
def tiny_experiments(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """`python -m model experiment KIND ... --preset tiny` for each kind, run in this process
    (TensorFlow is loaded once) into a store of their own: (that store, {kind: the JSON object
    printed last}). The command installs its own SIGTERM and SIGINT handlers; pytest's return."""
    import io
    import json
    import signal

    from model.__main__ import main

    root = tmp_path_factory.mktemp("experiments-home")
    printed = {}
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for kind, args in TINY_EXPERIMENTS.items():
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["--store", str(root), "experiment", kind, *args, "--preset", "tiny"])
            assert code == 0, out.getvalue()[-2000:]
            printed[kind] = json.loads(out.getvalue().strip().splitlines()[-1])
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return root, printed


@pytest.fixture
def unfetchable(monkeypatch) -> Callable[[str], None]:
    """`unfetchable(key)`: test set `key` (a `model.testsets.BY_NAME` key) behaves as on a machine
    where its data was never fetched and there is no npm to fetch it; the pages' memory of which
    sets are missing is forgotten around the test."""
    from model import data, testsets
    from pages.scores import why_missing

    def unfetchable(key: str) -> None:
        def load(*args, **kwargs):
            raise data.DataUnavailable(f"The data of {key} is not here and `npm` is not installed.")

        monkeypatch.setitem(testsets.BY_NAME, key, load)
        if key == "mnist":  # read by more than its test set: int8 calibration, neighbours...
            monkeypatch.setattr(data, "load_mnist", load)
        why_missing.clear()

    yield unfetchable
    why_missing.clear()
