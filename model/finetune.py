"""Fine-tuning on the user's own drawings: teach the model your handwriting, without forgetting.

A few dozen drawings are far too few to train on alone: the network would learn them and forget
MNIST. So the saved drawings (most of them; a seeded fifth is held out to measure on) are repeated
and mixed with a replay sample of MNIST and of the synthetic canvas drawings, and the active model
is trained on the mix for a few epochs at a small learning rate. The result is a new version with
before/after figures on MNIST test, the bundled drawings and the held-out drawings; the user decides
whether to keep it. Nothing changes until they do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import numpy as np

from model import data
from model.calibration import Calibration
from model.evaluate import evaluate_inputs, score
from model.serving.corrections import Corrections
from model.serving.inference import Predictor, load_network
from model.serving.store import ModelStore, Version
from model.train import (
    TrainConfig,
    calibrated,
    canvas_digit_mix,
    fit,
    nondigit_drawings,
    run_facts,
    save_version,
    score_of,
)
from model.train_config import FINETUNE_EPOCHS, VALIDATION_SIZE, trained_nondigit_count

REPLAY_MNIST = 4000
REPLAY_CANVAS_DIGITS = 1000
REPLAY_NONDIGITS = 1000
USER_SHARE = 0.2  # the user's drawings make up about this share of each epoch
MAX_REPEATS = 20  # a few drawings repeated too often teach a single mislabelled one too well


def split_held_out(labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held out): a seeded fifth is held out once there are 5 or more drawings."""
    order = np.random.default_rng(seed).permutation(len(labels))
    held = len(labels) // 5 if len(labels) >= 5 else 0
    return np.sort(order[held:]), np.sort(order[:held])


def accuracy(predictor, images: np.ndarray, labels: np.ndarray) -> float | None:
    """The share of the held-out drawings answered right ("not a digit" included)."""
    if len(labels) == 0:
        return None
    return evaluate_inputs(predictor, images.astype(np.float32) / 255.0, labels).accuracy


def rehearsal(mnist: data.Mnist, trained_nondigits: int, rng: np.random.Generator):
    """What fine-tuning rehearses beside the user's drawings, so that it forgets nothing: MNIST
    training digits and canvas digits and, for a base that learned "not a digit", non-digits
    (or it would unlearn them). Returns (images, labels, how many of each)."""
    replay = rng.choice(len(mnist.x_train) - VALIDATION_SIZE, REPLAY_MNIST, replace=False)
    drawn_x, drawn_y = canvas_digit_mix(6000)
    drawn = rng.choice(len(drawn_y), REPLAY_CANVAS_DIGITS, replace=False)
    nondigits_x, nondigits_y = np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.int8)
    if trained_nondigits:
        nondigits_x, nondigits_y = nondigit_drawings(trained_nondigits)
        kept = rng.choice(len(nondigits_y), min(REPLAY_NONDIGITS, len(nondigits_y)), replace=False)
        nondigits_x, nondigits_y = nondigits_x[kept], nondigits_y[kept]
    x = np.concatenate([mnist.x_train[replay], drawn_x[drawn], nondigits_x])
    y = np.concatenate(
        [mnist.y_train[replay], drawn_y[drawn], nondigits_y.astype(np.int32)]
    ).astype(np.int32)
    return x, y, {"mnist": len(replay), "canvas_digits": len(drawn), "nondigits": len(nondigits_y)}


def finetune_run(
    store: ModelStore,
    base_name: str,
    corrections: Corrections,
    on_progress: Callable[[dict], None] = lambda event: None,
    should_cancel: Callable[[], bool] = lambda: False,
    epochs: int = FINETUNE_EPOCHS,
    seed: int = 0,
) -> Version:
    """Fine-tune version `base_name` on the saved drawings; store the result (not activated)."""
    user_images, user_labels = corrections.arrays()
    if len(user_labels) == 0:
        raise ValueError("there are no saved drawings to fine-tune on")
    base = store.get(base_name)
    network = load_network(base.model_file)
    base_predictor = Predictor(network, calibration=Calibration.of(base.meta))
    train_idx, held_idx = split_held_out(user_labels, seed)
    held_images, held_labels = user_images[held_idx], user_labels[held_idx]

    rng = np.random.default_rng(seed)
    mnist = data.load_mnist()
    trained_nondigits = trained_nondigit_count(base.meta)
    rehearsed_x, rehearsed_y, rehearsed = rehearsal(mnist, trained_nondigits, rng)
    share = USER_SHARE * (REPLAY_MNIST + REPLAY_CANVAS_DIGITS) / max(1, len(train_idx))
    repeats = int(np.clip(round(share), 1, MAX_REPEATS))
    x = np.concatenate([rehearsed_x, np.repeat(user_images[train_idx], repeats, axis=0)])
    y = np.concatenate([rehearsed_y, np.repeat(user_labels[train_idx], repeats)]).astype(np.int32)
    config = TrainConfig(
        arch=base.meta.get("arch", "?"),
        epochs=epochs,
        batch_size=128,
        learning_rate=3e-4,
        augment=True,
        seed=seed,
        nondigits=trained_nondigits,  # so that fine-tuning this one rehearses them too
    )
    # What the mix is made of, for the pages to say: the config describes a run from scratch.
    recipe = {
        "user_drawings": len(user_labels),
        "held_out": len(held_labels),
        "repeats": repeats,
        "replay": rehearsed,
    }
    on_progress(
        {"event": "start", "config": asdict(config), "train_size": len(x), "finetune": recipe}
    )
    held_out = held_images, held_labels
    before = {**score(base_predictor), "held_out_accuracy": accuracy(base_predictor, *held_out)}
    x_val, y_val = mnist.x_train[-VALIDATION_SIZE:], mnist.y_train[-VALIDATION_SIZE:]
    history, seconds = fit(
        network,
        x.astype(np.float32)[..., None] / 255.0,
        y.astype(np.int32),
        x_val.astype(np.float32)[..., None] / 255.0,
        y_val.astype(np.int32),
        config,
        on_progress,
        should_cancel,
    )
    on_progress({"event": "evaluating"})
    predictor = calibrated(network, mnist)
    after = {**score(predictor), "held_out_accuracy": accuracy(predictor, *held_out)}
    meta = {
        **{k: v for k, v in base.meta.items() if k in ("arch", "params", "data_checksum")},
        "parent": base.name,
        "finetune": {**recipe, "before": before, "after": after},
        **score_of(after),
        **predictor.calibration.meta(),
        **run_facts(config, seconds, len(x)),
    }
    version = save_version(store, network, history, meta, stem=f"{config.arch}-tuned")
    on_progress(
        {
            "event": "done",
            "version": version.name,
            **score_of(after),
            "before": before,
            "after": after,
        }
    )
    return version
