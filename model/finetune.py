"""Fine-tuning on the user's own drawings: teach the model your handwriting, without forgetting.

A few dozen drawings are far too few to train on alone: the network would learn them and forget
MNIST. So the saved drawings (most of them; a seeded fifth is held out to measure on) are repeated
and mixed with a replay sample of MNIST and of the synthetic canvas drawings, and the active model
is trained on the mix for a few epochs at a small learning rate. The result is a new version with
before/after figures on MNIST test, the bundled drawings and the held-out drawings; the user decides
whether to keep it. Nothing changes until they do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict

import numpy as np

from model import data
from model.corrections import Corrections
from model.inference import load_network
from model.store import ModelStore, Version
from model.train import (
    TrainConfig,
    fit,
    library_versions,
    save_version,
    score,
    score_of,
    synthetic_drawings,
    training_precision,
)

REPLAY_MNIST = 4000
REPLAY_DRAWINGS = 1000
USER_SHARE = 0.2  # the user's drawings make up about this share of each epoch
MAX_REPEATS = 20  # a few drawings repeated too often teach a single mislabelled one too well


def split_held_out(labels: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held out): a seeded fifth is held out once there are 5 or more drawings."""
    order = np.random.default_rng(seed).permutation(len(labels))
    held = len(labels) // 5 if len(labels) >= 5 else 0
    return np.sort(order[held:]), np.sort(order[:held])


def accuracy(network, images: np.ndarray, labels: np.ndarray) -> float | None:
    if len(labels) == 0:
        return None
    inputs = images.astype(np.float32)[..., None] / 255.0
    predicted = network.predict(inputs, batch_size=256, verbose=0).argmax(axis=1)
    return float((predicted == labels).mean())


def finetune_run(
    store: ModelStore,
    base_name: str,
    corrections: Corrections,
    on_progress: Callable[[dict], None] = lambda event: None,
    should_cancel: Callable[[], bool] = lambda: False,
    epochs: int = 3,
    seed: int = 0,
) -> Version:
    """Fine-tune version `base_name` on the saved drawings; store the result (not activated)."""
    user_images, user_labels = corrections.arrays()
    if len(user_labels) == 0:
        raise ValueError("there are no saved drawings to fine-tune on")
    base = store.get(base_name)
    network = load_network(base.model_file)
    train_idx, held_idx = split_held_out(user_labels, seed)
    held_images, held_labels = user_images[held_idx], user_labels[held_idx]

    rng = np.random.default_rng(seed)
    mnist = data.load_mnist()
    replay = rng.choice(len(mnist.x_train) - 5000, REPLAY_MNIST, replace=False)
    drawn_x, drawn_y = synthetic_drawings(6000)
    drawn = rng.choice(len(drawn_y), REPLAY_DRAWINGS, replace=False)
    share = USER_SHARE * (REPLAY_MNIST + REPLAY_DRAWINGS) / max(1, len(train_idx))
    repeats = int(np.clip(round(share), 1, MAX_REPEATS))
    x = np.concatenate(
        [mnist.x_train[replay], drawn_x[drawn], np.repeat(user_images[train_idx], repeats, axis=0)]
    )
    y = np.concatenate(
        [mnist.y_train[replay], drawn_y[drawn], np.repeat(user_labels[train_idx], repeats)]
    )
    config = TrainConfig(
        arch=base.meta.get("arch", "?"),
        epochs=epochs,
        batch_size=128,
        learning_rate=3e-4,
        augment=True,
        seed=seed,
    )
    on_progress({"event": "start", "config": asdict(config), "train_size": len(x)})
    before = {**score(network), "held_out_accuracy": accuracy(network, held_images, held_labels)}
    x_val, y_val = mnist.x_train[-5000:], mnist.y_train[-5000:]
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
    after = {**score(network), "held_out_accuracy": accuracy(network, held_images, held_labels)}
    meta = {
        **{k: v for k, v in base.meta.items() if k in ("arch", "params", "data_checksum")},
        "config": asdict(config),
        "parent": base.name,
        "finetune": {
            "user_drawings": len(user_labels),
            "held_out": len(held_labels),
            "repeats": repeats,
            "before": before,
            "after": after,
        },
        **score_of(after),
        "train_size": len(x),
        "wall_seconds": round(seconds, 2),
        "seconds_per_epoch": round(seconds / epochs, 2),
        "precision": training_precision(config),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": library_versions(),
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
