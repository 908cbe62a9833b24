"""The Experiments page under AppTest, on the records of real (tiny) experiment runs: each tab
shows its results, the drawing is read by every kept learner, a run held by another process
turns the buttons off; and in a fresh process the page opens without importing TensorFlow."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from model.drawings import TEMPLATES, render_strokes
from model.serving.jobs import TrainingLock
from model.serving.store import ModelStore
from tests.test_serving import PAGES_WITHOUT_TF, run_fresh

pytestmark = pytest.mark.slow
PAGE = "pages/experiments.py"


def with_records(home, tiny_experiments) -> dict:
    root, printed = tiny_experiments
    shutil.copytree(root / "experiments", home / "experiments")
    return printed


def test_each_tab_shows_its_experiments_results(open_page, home, tiny_experiments):
    printed = with_records(home, tiny_experiments)
    at = open_page(PAGE)
    assert [tab.label for tab in at.tabs] == [
        "Imbalanced data",
        "The four levers",
        "Learned vs hand-made features",
    ]
    recall = printed["imbalance"]["recall"]
    shown = [m.value for m in at.metric if m.label.startswith("Recall of 5")]
    assert shown == [f"{recall[run]:.2%}" for run in ("balanced", "imbalanced", "reweighted")]
    # Per tab, narrow tables: how well each run reads, what it is, what its training took; the
    # features' tab adds what each reads the drawing as.
    tables = [frame.value.set_index("run") for frame in at.dataframe]
    assert len(tables) == 3 + 3 + 4
    imbalance, levers, features, reads = tables[0], tables[3], tables[6], tables[9]
    assert len(imbalance) == 3 and len(levers) == 5 and len(features) == 3
    more_data = printed["levers"]["accuracy"]["more_data"]
    assert levers.loc["more data (3×)", "MNIST"] == pytest.approx(100 * more_data, abs=0.005)
    assert reads["reads"].str.fullmatch(r"\d").all()  # the sample 3, read by each
    assert len(at.image) == 3 + 2  # three confusion matrices; the drawing and its HOG
    assert all(button.disabled is False for button in at.button if button.label.startswith("Run"))


def test_the_users_drawing_is_read_by_the_hand_made_features(open_page, home, tiny_experiments):
    with_records(home, tiny_experiments)
    at = open_page(PAGE)
    gray = render_strokes(TEMPLATES[7][0])
    at.session_state["drawing"] = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    read = at.dataframe[-1].value["reads"]
    assert (read == "7").sum() >= 2
    assert not any("Draw a digit" in str(i.value) for i in at.info)


def test_another_run_turns_the_buttons_off(open_page, home):
    lock = TrainingLock(ModelStore())
    lock.acquire()
    try:
        at = open_page(PAGE)
        assert any("Another training run" in str(i.value) for i in at.info)
        runs = [b for b in at.button if b.label.startswith("Run")]
        assert len(runs) == 6 and all(b.disabled for b in runs)
        assert "No results yet" in "\n".join(str(c.value) for c in at.caption)
    finally:
        lock.release()


def test_a_retrain_of_this_app_is_named_before_it_takes_the_lock(open_page, home):
    """A retrain started on the Training page (this server's other Trainer) is named as such
    and turns the buttons off, even in the seconds before its child has taken the lock."""
    from model.serving.jobs import Trainer

    job = Trainer(ModelStore(home)).start(["train", "--subset", "300", "--epochs", "1"])
    try:
        at = open_page(PAGE)
    finally:
        job.cancel()
        job.process.kill()
    named = f"A retrain started on the Training page (pid {job.process.pid}) is in progress"
    assert any(str(i.value).startswith(named) for i in at.info), [i.value for i in at.info]
    runs = [b for b in at.button if b.label.startswith("Run")]
    assert len(runs) == 6 and all(b.disabled for b in runs)


def test_the_page_opens_without_tensorflow(tmp_path, tiny_experiments):
    with_records(tmp_path, tiny_experiments)
    seen = run_fresh(PAGES_WITHOUT_TF, PAGE, home=tmp_path)
    assert seen == {PAGE: {"exceptions": [], "tensorflow": False}}


def test_the_progress_bar_says_epoch_and_batch_and_no_stray_number():
    """An experiment's bar once read "batch 111/1577.523435714593271": the seconds left glued to
    the batch count."""
    from types import SimpleNamespace

    from pages.training_progress import no_time, progress_fraction_and_text

    progress = {"epochs": 3, "batches": 157, "epoch": 1, "batch": 111, "eta": 7.523435714593271}
    job = SimpleNamespace(state="running", progress=progress)
    done, text = progress_fraction_and_text(job, preparing="", evaluating="", eta_text=no_time)
    assert text == "epoch 1/3 · batch 111/157"
    assert done == pytest.approx(111 / (3 * 157))
