"""The Training page under Streamlit's AppTest: curves, versions, a real retrain from the form,
activating the new version and rolling back to the shipped default.

The page trains in a child process (`python -m model train`), so these tests are slow (~1 min).
"""

from __future__ import annotations

import json
import os
import time

import pytest
from streamlit.testing.v1 import AppTest

from model import google_fonts
from model.serving.jobs import TrainingLock
from model.serving.store import SHIPPED_DIR, ModelStore
from pages.formatting import augmentation_text, training_mix_text

pytestmark = pytest.mark.slow


def version_choice(at: AppTest):
    """The "Version to serve" selectbox (its key changes with the active version)."""
    return next(s for s in at.selectbox if s.label == "Version to serve")


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def test_page_shows_the_active_models_curves_metadata_and_versions(open_page):
    at = open_page("pages/training.py", timeout=90)
    assert at.title[0].value == "Training"
    assert "Active model: default" in texts(at.header)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Architecture"] == "studio_cnn"
    assert metrics["Parameters"] == "98,442"
    assert metrics["MNIST test accuracy"].endswith("%")
    assert "Time in the epochs" in metrics
    assert any("epochs" in c and "batch" in c and "tensorflow" in c for c in texts(at.caption))
    # What it trained on, from the shipped default's config: its mix and its augmentation.
    recipe = next(c for c in texts(at.caption) if "training images" in c)
    assert "55,000 MNIST" in recipe and "canvas digits (stroke ends varied)" in recipe
    assert "drawn non-digits" in recipe
    assert "augmented** (+ coarse scans, stretched to a square)" in recipe
    assert len(at.get("vega_lite_chart")) == 2  # loss and accuracy
    metadata = json.loads(at.code[0].value)  # the metadata, as plain JSON text
    assert metadata["arch"] == "studio_cnn" and metadata["config"]["epochs"] > 0
    table = at.dataframe[0].value
    status = dict(zip(table["name"], table["status"], strict=True))
    assert status["default"] == "active, shipped"
    assert [name for name, state in status.items() if "active" in state] == ["default"]
    assert status["mlp"] == "shipped"
    made = at.dataframe[1].value.set_index("name")  # the second narrow table: how it was made
    assert made.loc["default", "epochs"] > 0 and made.loc["default", "images"] > 55000
    assert version_choice(at).value == "default"
    assert at.button(key="retrain_submit")


def test_the_recipe_caption_says_how_the_images_were_varied():
    assert augmentation_text({}) == "no augmentation"
    assert augmentation_text({"augment": True}) == "**augmented**"
    varied = {"augment": True, "lowres": True, "stretch": True, "squeeze": True, "plain_epochs": 5}
    assert augmentation_text(varied) == (
        "**augmented** (+ coarse scans, stretched to a square, squeezed narrow,"
        " the last 5 epochs plain)"
    )
    one = {"augment": True, "elastic": True, "plain_epochs": 1}
    assert augmentation_text(one) == "**augmented** (+ elastic, the last epoch plain)"


def test_the_mix_adds_up_to_the_images_trained_on():
    """The shipped default asked for 93,000 images and trained on 92,999: the preprocessing left
    out one drawing as blank. The parts said must add up to the total."""
    meta = json.loads((SHIPPED_DIR / "default" / "meta.json").read_text())
    assert training_mix_text(meta) == (
        "**92,999** training images: 55,000 MNIST, 12,000 canvas digits (stroke ends varied), "
        f"12,000 typeset digits ({len(google_fonts.TRAINING)} Google Fonts families too), "
        "14,000 drawn non-digits, less 1 drawing left out as blank"
    )
    whole = {"train_size": 1200, "config": {"subset": 1000, "stroke_fonts": 200}}
    assert training_mix_text(whole) == (
        "**1,200** training images: 1,000 MNIST, 200 stroke-font digits"
    )
    letters = {"train_size": 72110, "config": {"nondigits": 14000, "first_drawn": 3112}}
    assert training_mix_text(letters) == (
        "**72,110** training images: 55,000 MNIST, 14,000 drawn non-digits, 3,112 more letters "
        "and symbols (drawn first), less 2 drawings left out as blank"
    )
    # Drawn digits come in whole rounds of the ten digits in the five styles: 1,234 asked on
    # the command line are 1,200 drawn (20 asked are 20: a round cut short), none left out.
    rounded = {"train_size": 56220, "config": {"typeset": 1234, "canvas_digits": 20}}
    assert training_mix_text(rounded) == (
        "**56,220** training images: 55,000 MNIST, 20 canvas digits, 1,200 typeset digits"
    )


def test_a_finetunes_mix_is_its_own_not_a_run_from_scratchs():
    """A fine-tune's config is a run from scratch's (55,000 MNIST, 14,000 non-digits asked):
    its mix is said from its recipe, or, written before the recipe had its replay, in words."""
    config = {"nondigits": 14000, "subset": None}
    tune = {"user_drawings": 13, "held_out": 2, "repeats": 20}
    meta = {"train_size": 6220, "config": config, "parent": "default", "finetune": tune}
    assert training_mix_text(meta) == (
        "**6,220** training images: your 11 drawings, each 20 times, mixed with MNIST, canvas "
        "digits and drawn non-digits (a fine-tune of default)"
    )
    replay = {"mnist": 4000, "canvas_digits": 1000, "nondigits": 1000}
    meta["finetune"] = {**tune, "replay": replay}
    assert training_mix_text(meta) == (
        "**6,220** training images: your 11 drawings, each 20 times, 4,000 MNIST, 1,000 canvas "
        "digits, 1,000 drawn non-digits (a fine-tune of default)"
    )


def test_broken_versions_and_another_trainer_are_shown(home, open_page):
    broken = home / "versions" / "half-written"
    broken.mkdir(parents=True)
    (broken / "meta.json").write_text(json.dumps({"arch": "mlp"}))
    other = TrainingLock(ModelStore(home))  # another trainer: this process holds the lock
    other.acquire()
    try:
        at = open_page("pages/training.py", timeout=90)
    finally:
        other.release()
    assert any("half-written" in e and "missing model.keras" in e for e in texts(at.error))
    assert "half-written" not in version_choice(at).options
    table = at.dataframe[0].value
    assert "broken" in table.set_index("name").loc["half-written", "status"]
    assert any(
        i.startswith(f"Another training run (pid {os.getpid()}), from the command line or another")
        for i in texts(at.info)
    ), texts(at.info)
    assert at.button(key="retrain_submit").disabled


def test_an_experiment_of_this_app_is_named_as_such(home, open_page):
    """An Experiments page run (its own Trainer, this server) is named, not charged to the
    command line or another server; even before its child has imported TensorFlow and taken
    the lock, Retrain waits for it."""
    from model.serving.jobs import Trainer

    args = ["experiment", "imbalance", "--digit", "5", "--share", "0.05", "--preset", "quick"]
    job = Trainer(ModelStore(home)).start(args)  # as the Experiments page's own trainer does
    try:
        at = open_page("pages/training.py", timeout=90)
    finally:
        job.cancel()
        job.process.kill()
    named = f"An experiment started on the Experiments page (pid {job.process.pid}) is in progress"
    assert any(i.startswith(named) for i in texts(at.info)), texts(at.info)
    assert at.button(key="retrain_submit").disabled


def test_a_retrain_the_app_stopped_with_is_said_until_dismissed(home, open_page):
    """The app stopped mid-run (a restart, a crash) and its child with it: the run's record in
    the store still says it runs. The Training page says it never finished, until dismissed; a
    fine-tune's record is My drawings' to say."""
    record = {"command": "train", "started": time.time() - 120, "state": "running"}
    home.mkdir(parents=True, exist_ok=True)
    (home / "run.json").write_text(json.dumps(record))
    at = open_page("pages/training.py", timeout=90)
    said = [w for w in texts(at.warning) if "did not finish" in w]
    assert said and said[0].startswith("The retrain started at "), texts(at.warning)
    assert "the active model is unchanged" in said[0]
    at.button(key="interrupted_train").click().run(timeout=90)
    assert not [w for w in texts(at.warning) if "did not finish" in w]
    assert json.loads((home / "run.json").read_text())["state"] == "interrupted"
    assert not at.button(key="retrain_submit").disabled

    (home / "run.json").write_text(json.dumps({**record, "command": "finetune"}))
    at = open_page("pages/training.py", timeout=90)
    assert not [w for w in texts(at.warning) if "did not finish" in w]


def test_retrain_from_the_form_then_activate_and_roll_back(home, open_page):
    at = open_page("pages/training.py", timeout=90)
    at.radio(key="retrain_size").set_value("Quick demo (2,000 digits)")
    at.slider(key="retrain_epochs").set_value(1)
    at.select_slider(key="retrain_batch").set_value(128)
    at.button(key="retrain_submit").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    started = time.monotonic()
    seen_progress = False
    success = []
    while time.monotonic() - started < 180:
        success = [s for s in texts(at.success) if "Trained version" in s]
        if success:
            break
        seen_progress = seen_progress or bool(at.get("progress"))
        time.sleep(1.0)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert success, f"no success message; errors {texts(at.error)} warnings {texts(at.warning)}"
    assert seen_progress, "the running job's progress was never shown"

    versions = [v for v in ModelStore(home).list() if not v.shipped]
    assert len(versions) == 1
    new = versions[0].name
    assert new in success[0]
    assert ModelStore(home).active_name() == "default"  # trained, not yet active
    assert new in list(at.dataframe[0].value["name"])
    # One epoch on 2,000 digits reads far worse than the shipped default: said before activating.
    said = texts(at.warning)
    assert any("the active model (default) at 99." in w for w in said), said
    # The same warning where any stored version is picked to serve.
    at.button(key="dismiss_job").click().run()
    assert not any("the active model (default)" in w for w in texts(at.warning))
    assert any("More epochs, more digits" in w for w in said)  # what a run of one's own needs
    version_choice(at).set_value(new).run()
    picked = [w for w in texts(at.warning) if "the active model (default) at 99." in w]
    assert picked and "More epochs" not in picked[0]  # a shipped network is picked here too

    at.button(key="activate_version").click()
    at.run()
    assert not at.exception
    assert ModelStore(home).active_name() == new
    assert f"Active model: {new}" in texts(at.header)

    version_choice(at).set_value("default")
    at.button(key="activate_version").click()
    at.run()
    assert not at.exception
    assert ModelStore(home).active_name() == "default"
    assert "Active model: default" in texts(at.header)
    assert any("default" in s and "active model" in s for s in texts(at.success))


def test_cancel_from_the_page_keeps_the_store_unchanged(home, open_page):
    at = open_page("pages/training.py", timeout=90)
    at.radio(key="retrain_size").set_value("Medium (10,000)")
    at.slider(key="retrain_epochs").set_value(20)
    at.button(key="retrain_submit").click()
    at.run()
    started = time.monotonic()
    from pages.resources import trainer

    # Cancel once the child reports batches, so the run really stops mid-epoch.
    while "batch" not in trainer().job.progress:
        assert trainer().job.running, trainer().job.message
        assert time.monotonic() - started < 120, "no batch progress"
        time.sleep(0.5)
    at.run()
    assert at.get("progress"), "the live panel shows the progress bar"
    assert "batch" in at.get("progress")[0].proto.text
    at.button(key="cancel_training").click()
    at.run()
    assert trainer().job.cancel_requested
    while not any("cancelled" in w for w in texts(at.warning)):
        assert time.monotonic() - started < 180, "the cancel never finished"
        time.sleep(1.0)
        at.run()
    assert any("active model is unchanged" in w for w in texts(at.warning))
    assert [v for v in ModelStore(home).list() if not v.shipped] == []
    assert ModelStore(home).active_name() == "default"
    assert at.button(key="retrain_submit"), "the form is back"


def test_a_deleted_version_or_a_finetune_is_not_offered_for_activation(open_page):
    """A run's version deleted since (a fine-tune discarded on My drawings, a version deleted
    in another session) cannot be activated; a fine-tune's outcome is My drawings' to show."""
    from model.serving.jobs import TrainingJob
    from pages.resources import trainer

    at = open_page("pages/training.py", timeout=90)
    now = time.time()
    for command in ("train", "finetune"):
        args = ["python", "-m", "model", command, "--json-progress"]
        trainer().job = TrainingJob(
            args=args, state="done", version="gone-20261207-110711", started=now - 56, finished=now
        )
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert "activate_new" not in [b.key for b in at.button]
        assert not any("Trained version" in s for s in texts(at.success))
        deleted = [i for i in texts(at.info) if "has since been deleted" in i]
        assert len(deleted) == (command == "train"), texts(at.info)
    trainer().job = None


def test_a_running_finetune_is_said_to_be_one_with_its_own_mix(open_page):
    """A fine-tune started on My drawings shows here as one, with the mix it trains on (its
    start event carries the recipe), not as a run on 55,000 digits."""
    from model.serving.jobs import TrainingJob
    from pages.resources import trainer

    at = open_page("pages/training.py", timeout=90)
    recipe = {"user_drawings": 13, "held_out": 2, "repeats": 20}
    recipe["replay"] = {"mnist": 4000, "canvas_digits": 1000, "nondigits": 1000}
    config = {"arch": "studio_cnn", "epochs": 3, "batch_size": 128, "learning_rate": 3e-4}
    config |= {"augment": True, "nondigits": 14000}
    args = ["python", "-m", "model", "finetune", "--epochs", "3", "--json-progress"]
    job = TrainingJob(args=args)
    job.apply({"event": "start", "config": config, "train_size": 6220, "finetune": recipe})
    trainer().job = job
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    heading = next(m for m in texts(at.markdown) if "in progress" in m)
    trainer().job = None
    assert heading.startswith("**Fine-tuning on your drawings in progress** · running")
    assert "**6,220** training images: your 11 drawings, each 20 times, 4,000 MNIST" in heading
    assert "55,000" not in heading


def test_the_accuracy_axis_of_a_finetune_labels_its_ticks_apart():
    """A fine-tune's accuracy spans about a point: ".0%" labelled its ticks "100%, 99%, 99%".
    The ticks the browser drew for this history (tickCount 5) were 98.4% to 99.4%, 0.2 apart."""
    from pages.training_curves import tick_format

    accuracy = [0.98424, 0.98360, 0.98344, 0.99420, 0.99440, 0.99440]  # train, then validation
    shown = tick_format(accuracy, percent_axis=True)
    ticks = [0.984, 0.986, 0.988, 0.990, 0.992, 0.994]
    labels = [format(tick, shown) for tick in ticks]
    assert len(set(labels)) == len(ticks), labels
    # A run from scratch climbs 15 points: whole percentages, steps of 2, read apart.
    assert tick_format([0.8476, 0.9944], percent_axis=True) == ".0%"
    assert tick_format([0.0257, 0.0678], percent_axis=False) == ".2f"  # ticks 0.01 apart
    assert tick_format([0.99, 0.99], percent_axis=True) == ".2%"  # one value, one tick
