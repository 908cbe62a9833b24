"""Reliability: many sessions predicting at once while training runs, and broken files on disk.

The app serves every session from one process with one loaded model; these tests hold it to the
promises in the README: every request answered, identical predictions under load, and a broken
version never takes the app down.
"""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from model import drawings
from model.serving.inference import Predictor, load_active
from model.serving.jobs import Trainer, TrainingLock
from model.serving.store import SHIPPED_DIR, ModelStore

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def canvas(image: np.ndarray) -> np.ndarray:
    return np.dstack([image, image, image, np.full_like(image, 255)])


@pytest.fixture(scope="module")
def default_predictor() -> Predictor:
    return Predictor.from_version(ModelStore().get("default"))


@pytest.mark.slow
def test_twenty_sessions_predict_identically_while_training(tmp_path, default_predictor):
    images, labels = drawings.make_canvas_digits(4, seed=31)  # 40 drawings
    canvases = [canvas(image) for image in images]
    quiet = np.stack([default_predictor.classify(c).probabilities for c in canvases])

    store = ModelStore(tmp_path / "store")
    job = Trainer(store).start(["train", "--subset", "4000", "--epochs", "3"])
    deadline = time.time() + 120
    while job.state != "running" or not job.progress:  # wait until batches are being trained
        assert job.running and time.time() < deadline, job.message
        time.sleep(0.2)

    def session(seat: int) -> np.ndarray:
        order = np.random.default_rng(seat).permutation(len(canvases))
        answers = np.zeros_like(quiet)
        for i in order:
            answers[i] = default_predictor.classify(canvases[i]).probabilities
        return answers

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(session, range(20)))
    assert job.running, "training should still be going while the sessions predict"
    for answers in results:
        assert np.array_equal(answers.argmax(axis=1), quiet.argmax(axis=1))
        np.testing.assert_allclose(answers, quiet, atol=1e-6)
    assert (quiet.argmax(axis=1) == labels).mean() >= 0.95
    job.cancel()
    while job.running:
        time.sleep(0.2)
    assert job.state == "cancelled"
    assert TrainingLock(store).holder() is None


def _copy_default(store: ModelStore, name: str) -> Path:
    target = store.versions_dir / name
    shutil.copytree(SHIPPED_DIR / "default", target)
    meta = json.loads((target / "meta.json").read_text())
    (target / "meta.json").write_text(json.dumps({**meta, "name": name}))
    return target


@pytest.mark.parametrize(
    "damage",
    ["truncated model", "garbage model", "missing meta", "garbage meta", "missing model"],
)
def test_broken_active_version_falls_back_to_default(tmp_path, damage):
    store = ModelStore(tmp_path)
    path = _copy_default(store, "mine")
    store.activate("mine")
    model_file = path / "model.keras"
    if damage == "truncated model":
        model_file.write_bytes(model_file.read_bytes()[:5000])
    elif damage == "garbage model":
        model_file.write_bytes(b"this is not a keras file")
    elif damage == "missing meta":
        (path / "meta.json").unlink()
    elif damage == "garbage meta":
        (path / "meta.json").write_text("{not json")
    else:
        model_file.unlink()
    predictor, warnings = load_active(store)
    assert predictor.version.name == "default"
    assert len(warnings) == 1 and "mine" in warnings[0]
    assert predictor.classify(canvas(drawings.make_canvas_digits(1, seed=2)[0][3])).digit == 3


def test_app_starts_and_says_which_version_is_broken(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    store = ModelStore(tmp_path)
    path = _copy_default(store, "broken-one")
    store.activate("broken-one")
    (path / "model.keras").write_bytes(b"\x00" * 100)
    monkeypatch.setenv("DIGIT_STUDIO_HOME", str(tmp_path))
    import streamlit as st

    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "broken-one" in warnings
    assert "default" in " ".join(m.value for m in at.sidebar.markdown)
    assert at.metric[0].label == "Prediction"


def test_app_serves_from_a_read_only_store(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    blocker = tmp_path / "file"
    blocker.write_text("a file where the store's directory should be")
    monkeypatch.setenv("DIGIT_STUDIO_HOME", str(blocker / "store"))
    import streamlit as st

    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert "read-only" in " ".join(w.value for w in at.sidebar.warning)
