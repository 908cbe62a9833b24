"""Fine-tuning the shipped model on 50 saved drawings and 10 saved non-digits: a new, inactive
version whose metadata holds before/after figures, without forgetting MNIST nor how to say "not a
digit". Trains for real (about a minute or two on a CPU)."""

from __future__ import annotations

import time

import pytest

from model.calibration import NOT_A_DIGIT
from model.drawings import make_canvas_digits
from model.nondigits import make_nondigits
from model.preprocess import preprocess_canvas
from model.serving.corrections import Corrections
from model.serving.store import ModelStore
from model.train_config import TrainConfig, training_precision

pytestmark = pytest.mark.slow


@pytest.fixture
def saved_drawings(tmp_path) -> Corrections:
    corrections = Corrections(tmp_path / "my-drawings")
    images, labels = make_canvas_digits(5, seed=7)
    nondigits, _ = make_nondigits(10, seed=7)  # saved with "Wrong? It's a: not a digit"
    labels = [*labels.tolist(), *[NOT_A_DIGIT] * len(nondigits)]
    for image, label in zip([*images, *nondigits], labels, strict=True):
        steps = preprocess_canvas(image)
        corrections.save(steps.image, steps.gray, int(label))
    assert len(corrections.ids()) == 60
    return corrections


def test_finetune_on_50_drawings_keeps_mnist(tmp_path, saved_drawings):
    from model.finetune import finetune_run

    store = ModelStore(tmp_path / "store")
    assert "default" in [v.name for v in store.list()]  # the shipped versions are listed
    events = []
    started = time.perf_counter()
    version = finetune_run(store, "default", saved_drawings, on_progress=events.append)
    wall = time.perf_counter() - started

    tune = version.meta["finetune"]
    before, after = tune["before"], tune["after"]
    print(
        f"\nfine-tune on 60 drawings: {wall:.1f} s wall · MNIST {before['test_accuracy']:.4f} → "
        f"{after['test_accuracy']:.4f} · drawings {before['drawings_accuracy']:.4f} → "
        f"{after['drawings_accuracy']:.4f} · held out {before['held_out_accuracy']:.2f} → "
        f"{after['held_out_accuracy']:.2f}"
    )
    assert not version.shipped and version.problem is None
    assert version.name in [v.name for v in store.list()]
    assert store.active_name() == "default"  # stored, not served, until the user keeps it
    assert version.meta["parent"] == "default"
    assert version.meta["precision"] == training_precision(TrainConfig(arch="studio_cnn"))
    assert tune["user_drawings"] == 60 and tune["held_out"] == 12
    # The recipe adds up to the images trained on, for the Training page to say.
    replay = sum(tune["replay"].values())
    assert replay + (60 - 12) * tune["repeats"] == version.meta["train_size"]
    assert tune["replay"]["nondigits"] > 0  # the default learned "not a digit": it rehearses
    for figures in (before, after):
        assert set(figures) >= {"test_accuracy", "drawings_accuracy", "held_out_accuracy"}
    assert version.meta["test_accuracy"] == after["test_accuracy"]
    # Not forgetting MNIST: at most 0.2 percentage points lower than before.
    assert after["test_accuracy"] >= before["test_accuracy"] - 0.002
    assert after["held_out_accuracy"] >= before["held_out_accuracy"] - 0.1
    # Nor how to say "not a digit": it rehearsed the base's non-digits and was calibrated anew.
    assert version.meta["config"]["nondigits"] == store.get("default").meta["config"]["nondigits"]
    assert version.meta["nudged"] is True and 0 < version.meta["reject_threshold"] < 1
    assert after["nondigits_rejected"] >= before["nondigits_rejected"] - 0.1
    assert after["test_rejected"] <= 0.003
    kinds = [event["event"] for event in events]
    assert kinds[0] == "start" and kinds[-1] == "done" and "epoch" in kinds
    # The start event tells the app's job the recipe and the size, beside the config.
    started_with = events[0]
    assert started_with["finetune"]["replay"] == tune["replay"]
    assert started_with["train_size"] == version.meta["train_size"]
    assert events[-1]["version"] == version.name
