"""Training: one function, `train_run`, used by the command line and by the app alike.

It trains a named network on MNIST (optionally a subset, optionally augmented), reports progress
through a callback after every batch and epoch, stops when `should_cancel()` turns true, and on
success writes a new version (model, history, metadata) into the model store in one atomic step.
A cancelled or failed run writes nothing: the store and the active model stay as they were.
"""

from __future__ import annotations

import contextlib
import math
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace

import numpy as np

from model import data, drawings, networks, preprocess
from model.atomic import write_json
from model.augment import augment_batch
from model.calibration import NOT_A_DIGIT, Calibration, calibrate
from model.evaluate import SCORE_KEYS, score
from model.serving.export import to_tflite
from model.serving.inference import Predictor
from model.serving.store import LITE_FILE, ModelStore, Version
from model.serving.tf_runtime import keras, tf
from model.train_config import AUGMENT_OPTIONS, VALIDATION_SIZE, TrainConfig, training_precision

TRAINING_DRAWINGS_SEED = 900_000  # evaluation drawings use small seeds; these never overlap
NONDIGITS_SEED = 800_000
FIRST_DRAWN_SEED = 810_000
VALIDATION_DRAWINGS_SEED = 700_000  # drawings that calibrate, beside MNIST's validation digits
VALIDATION_DRAWINGS = 3000
TYPESET_SEED = 600_000
STROKE_FONTS_SEED = 500_000
# The non-digits people draw first on a digit canvas, which `--first-drawn` draws more of.
FIRST_DRAWN_KINDS = ("letters", "symbols")

Progress = Callable[[dict], None]


class TrainingCancelled(Exception):
    """The user cancelled; nothing was written."""


@contextlib.contextmanager
def dtype_policy(name: str):
    """Build layers under Keras's global dtype policy `name`, then restore the previous one."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def as_input(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) → the float32 (N, 28, 28, 1) in [0, 1] every network takes."""
    return (images.astype(np.float32) / 255.0)[..., None]


def preprocessed_drawings(
    name: str, count: int, seed: int, make, sources: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """`count` canvas drawings in all styles, as preprocessed uint8 28x28 and labels, cached.

    `make(seed, style)` renders one style's share: (images (n, 280, 280) uint8, labels). The
    drawings go through the app's own preprocessing, as a drawing on the Draw page does; those in
    which it finds nothing drawn are dropped. The cache is named by the source of the
    preprocessing and of `sources`, the modules `make` draws with: change one, and the set is
    drawn afresh.
    """
    signature = data.source_signature(preprocess, *sources)
    path = data.cache_dir() / f"{name}-{signature}-{count}-{seed}.npz"
    cached = data.read_cache(path, {"images": ("u", (28, 28)), "labels": ("iu", ())})
    if cached is not None:  # None: not cached yet, or damaged (and removed)
        return cached["images"], cached["labels"]
    images, labels = [], []
    for index, style in enumerate(drawings.STYLE_NAMES):
        rendered, answers = make(seed + index, style)
        inputs, empty = preprocess.preprocess_batch(rendered)
        keep = np.setdiff1d(np.arange(len(inputs)), empty)
        images.append((inputs[keep] * 255).round().astype(np.uint8))
        labels.append(np.asarray(answers)[keep])
    images, labels = np.concatenate(images)[:count], np.concatenate(labels)[:count]
    drawings.save_npz(path, images, labels)
    return images, labels


def canvas_digit_mix(
    count: int, seed: int = TRAINING_DRAWINGS_SEED, templates=None, stroke_ends: bool = False
):
    """`count` canvas-like drawings of digits (all styles), preprocessed, cached on disk.

    MNIST holds almost no European 1s (with a flag) or crossed 7s, few very thick or thin strokes:
    rendering such drawings the way the canvas does, through the app's own preprocessing, teaches
    the network the digits people draw. The seed differs from the evaluation sets' seeds.
    `templates`: draw only from these template positions of each digit (all by default), to
    hold the others out as shapes the network has never seen (tests/bench/study_unseen_shapes.py).
    `stroke_ends`: strokes start and end where other hands would (`drawings.vary_ends`).
    """
    only = "" if templates is None else "-t" + "".join(str(t) for t in sorted(templates))
    if stroke_ends:
        only += "-ends"
    per_digit = drawings.per_digit_and_style(count)

    def make(seed, style):
        return drawings.make_canvas_digits(
            per_digit, seed=seed, style=style, templates=templates, stroke_ends=stroke_ends
        )

    return preprocessed_drawings(f"training-drawings{only}", count, seed, make, (drawings,))


def typeset_fonts(pool: str = "matplotlib") -> tuple:
    """The typeface files typeset digits are drawn from (see `TYPEFACE_POOLS`)."""
    from model import google_fonts, typefaces

    fonts = typefaces.training_fonts()
    return fonts + google_fonts.training_faces() if pool == "google" else fonts


def typeset_digits(count: int, seed: int = TYPESET_SEED, pool: str = "matplotlib"):
    """`count` digits from the training typefaces redrawn with the pen (all styles), preprocessed
    and cached: type designers' shapes, which no stroke template has (a 1 with a long flag, an
    open 4, a 9 with a straight tail), so the network learns more than the templates' forms.
    `pool` "google" adds the training pool of Google Fonts families to matplotlib's typefaces.
    """
    from model import google_fonts, typefaces

    per_digit = drawings.per_digit_and_style(count)
    name, sources = "training-typeset", (drawings, typefaces)
    if pool == "google":
        name, sources = "training-typeset-google", (*sources, google_fonts)

    def make(seed, style):
        # Only when the set is drawn: a cached set needs no fonts, fetched or checked.
        fonts = typeset_fonts(pool)
        return typefaces.typeface_digits(per_digit, seed=seed, fonts=fonts, style=style)

    return preprocessed_drawings(name, count, seed, make, sources)


def stroke_font_mix(count: int, seed: int = STROKE_FONTS_SEED, stroke_ends: bool = False):
    """`count` digits drawn along the training stroke fonts' paths (all styles), preprocessed and
    cached: other designers' hands (a 2 with a loop, a 7 with a serif, blackletter), drawn as the
    canvas draws. `stroke_ends` as for `canvas_digit_mix`.
    """
    from model import stroke_fonts

    per_digit = drawings.per_digit_and_style(count)
    fonts = stroke_fonts.TRAINING_FONTS

    def make(seed, style):
        images, labels, _ = stroke_fonts.stroke_font_digits(
            per_digit, seed=seed, fonts=fonts, style=style, stroke_ends=stroke_ends
        )
        return images, labels

    name = "training-stroke-fonts" + ("-ends" if stroke_ends else "")
    return preprocessed_drawings(name, count, seed, make, (drawings, stroke_fonts))


def nondigit_drawings(count: int, seed: int = NONDIGITS_SEED, kinds: tuple[str, ...] = ()):
    """`count` drawn non-digits of the training kinds (letters, symbols, shapes, scribbles...),
    or of only `kinds` (none given: the training kinds, cached under the name they always had),
    preprocessed and cached, labelled `NOT_A_DIGIT`.
    """
    from model import nondigits, typefaces

    per_style = -(-count // len(drawings.STYLE_NAMES))
    chosen = kinds or nondigits.TRAINING_KINDS

    def make(seed, style):
        images, _ = nondigits.make_nondigits(per_style, seed=seed, style=style, kinds=chosen)
        return images, np.full(len(images), NOT_A_DIGIT, np.int8)

    name = "-".join(["training-nondigits", *kinds])
    return preprocessed_drawings(name, count, seed, make, (nondigits, typefaces, drawings))


def training_split(mnist: data.Mnist, config: TrainConfig):
    """Train/validation arrays: the last 5,000 training digits validate; a seeded subset trains."""
    x, y = mnist.x_train[:-VALIDATION_SIZE], mnist.y_train[:-VALIDATION_SIZE]
    if config.subset:
        pick = np.random.default_rng(config.seed).permutation(len(x))[: config.subset]
        x, y = x[pick], y[pick]
    parts = [(x, y)]  # then the drawn images, in this order
    if config.canvas_digits:
        parts.append(canvas_digit_mix(config.canvas_digits, stroke_ends=config.stroke_ends))
    if config.typeset:
        parts.append(typeset_digits(config.typeset, pool=config.typefaces))
    if config.stroke_fonts:
        parts.append(stroke_font_mix(config.stroke_fonts, stroke_ends=config.stroke_ends))
    if config.nondigits:
        parts.append(nondigit_drawings(config.nondigits))
    if config.first_drawn:
        kinds = FIRST_DRAWN_KINDS
        parts.append(nondigit_drawings(config.first_drawn, seed=FIRST_DRAWN_SEED, kinds=kinds))
    x = np.concatenate([images for images, _ in parts])
    y = np.concatenate([labels.astype(np.int32) for _, labels in parts])
    x_val, y_val = mnist.x_train[-VALIDATION_SIZE:], mnist.y_train[-VALIDATION_SIZE:]
    return as_input(x), y.astype(np.int32), as_input(x_val), y_val.astype(np.int32)


def with_teachers(labels: np.ndarray, x: np.ndarray, teachers: list[Predictor]) -> np.ndarray:
    """Labels as distillation rows: [label, the teachers' averaged probabilities] (N, 11).

    Each teacher reads the un-augmented inputs once, before training, as the app reads them
    (nudged copies averaged), without its temperature's sharpening: the augmented copies then
    learn the answer for their original, which a small warp hardly changes.
    """
    answers = [teacher.calibration.read(teacher, x[..., 0]) for teacher in teachers]
    soft = np.mean(answers, axis=0).astype(np.float32)
    return np.column_stack([labels.astype(np.float32), soft])


def make_dataset(x, y, config: TrainConfig) -> tf.data.Dataset:
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=config.seed).batch(config.batch_size)
    if config.augment:
        rng = tf.random.Generator.from_seed(config.seed)
        options = {option: getattr(config, option) for option in AUGMENT_OPTIONS}
        dataset = dataset.map(
            lambda images, labels: (augment_batch(images, rng, **options), labels)
        )
    return dataset.prefetch(2)


def epoch_stages(config: TrainConfig) -> list[tuple[TrainConfig, int]]:
    """The run in stages of (config, the epoch it ends after): the augmented epochs, then the
    `plain_epochs` that see the images as they are.

    Augmentation makes MNIST look like drawings, rotated, thickened and coarsened well beyond
    what the test digits show; a few last epochs on the images themselves, at the schedule's
    small learning rates, let the network settle on real digits without forgetting the rest.
    """
    if not config.plain_epochs:
        return [(config, config.epochs)]
    plain = replace(config, augment=False, plain_epochs=0, **dict.fromkeys(AUGMENT_OPTIONS, False))
    return [(config, config.epochs - config.plain_epochs), (plain, config.epochs)]


class _Reporter(keras.callbacks.Callback):
    """Sends progress after every batch and epoch, and stops training when asked to."""

    def __init__(self, epochs, batches, on_progress: Progress, should_cancel):
        super().__init__()
        self.epochs, self.batches = epochs, batches
        self.on_progress, self.should_cancel = on_progress, should_cancel
        self.history: dict[str, list[float]] = {}
        self.started = time.monotonic()
        self.epoch = 0
        self.cancelled = False

    def _elapsed_and_eta(self, done_batches: int) -> tuple[float, float]:
        elapsed = time.monotonic() - self.started
        total = self.epochs * self.batches
        eta = elapsed / done_batches * (total - done_batches) if done_batches else math.nan
        return elapsed, eta

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.should_cancel():
            self.cancelled = True
            self.model.stop_training = True
        elapsed, eta = self._elapsed_and_eta(self.epoch * self.batches + batch + 1)
        if batch % 10 == 0 or batch + 1 == self.batches:
            self.on_progress(
                {
                    "event": "batch",
                    "epoch": self.epoch + 1,
                    "epochs": self.epochs,
                    "batch": batch + 1,
                    "batches": self.batches,
                    "loss": float(logs.get("loss", math.nan)),
                    "accuracy": float(logs.get("accuracy", math.nan)),
                    "elapsed": elapsed,
                    "eta": eta,
                }
            )

    def on_epoch_end(self, epoch, logs=None):
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            self.history.setdefault(key, []).append(float(logs[key]))
        elapsed, eta = self._elapsed_and_eta((epoch + 1) * self.batches)
        self.on_progress(
            {
                "event": "epoch",
                "epoch": epoch + 1,
                "epochs": self.epochs,
                "history": self.history,
                "elapsed": elapsed,
                "eta": eta,
            }
        )


def trainee_network(network, config: TrainConfig):
    """A copy of `network`, weights and all, that trains in `training_precision(config)`.

    In bfloat16 the trainee is built under Keras's mixed policy (bfloat16 compute, float32
    weights); in float32 it is a plain clone.
    """
    if training_precision(config) == "bfloat16":
        with dtype_policy("mixed_bfloat16"):
            trainee = networks.BUILDERS[config.arch]()
    else:
        trainee = keras.models.clone_model(network)
    trainee.set_weights(network.get_weights())
    return trainee


def fit(
    network,
    x,
    y,
    x_val,
    y_val,
    config: TrainConfig,
    on_progress: Progress,
    should_cancel: Callable[[], bool],
) -> tuple[dict[str, list[float]], float]:
    """Train `network`'s weights; returns (history, seconds).

    A copy of the network trains (see `trainee_network`) and its weights are copied back when it
    finishes, so `network` stays float32 and carries no optimizer state into its saved file.

    Raises TrainingCancelled when `should_cancel()` turned true; `network` is then unchanged.
    """
    keras.utils.set_random_seed(config.seed)
    batches = math.ceil(len(x) / config.batch_size)
    rate = config.learning_rate
    if config.schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, config.epochs * batches)
    networks.compile_network(network, rate)  # for the saved file's record; it does not train
    distilled = y.ndim == 2  # rows of [label, the teachers' ten probabilities]
    trainee = networks.compile_network(trainee_network(network, config), rate, distilled)
    reporter = _Reporter(config.epochs, batches, on_progress, should_cancel)
    started = time.monotonic()
    first = 0
    for stage, last in epoch_stages(config):
        trainee.fit(
            make_dataset(x, y, stage),
            initial_epoch=first,
            epochs=last,
            validation_data=(x_val, y_val),
            validation_batch_size=1000,
            callbacks=[reporter],
            shuffle=False,  # the dataset shuffles itself, seeded
            verbose=0,
        )
        if reporter.cancelled:
            raise TrainingCancelled("training cancelled; no version was written")
        first = last
    network.set_weights(trainee.get_weights())
    return reporter.history, time.monotonic() - started


def validation_digits(mnist: data.Mnist) -> list[tuple[np.ndarray, np.ndarray]]:
    """Digits no run trains on, as (inputs, labels) sets: MNIST's 5,000 validation digits and
    3,000 canvas drawings."""
    drawn_x, drawn_y = canvas_digit_mix(VALIDATION_DRAWINGS, seed=VALIDATION_DRAWINGS_SEED)
    return [
        (as_input(mnist.x_train[-VALIDATION_SIZE:])[..., 0], mnist.y_train[-VALIDATION_SIZE:]),
        (as_input(drawn_x)[..., 0], drawn_y),
    ]


def calibrated(network, mnist: data.Mnist) -> Predictor:
    """`network` served with the temperature and reject threshold fitted on validation digits."""
    predictor = Predictor(network)
    reading = Calibration(nudged=True)
    sets = [
        (reading.read(predictor, inputs), labels.astype(np.int64))
        for inputs, labels in validation_digits(mnist)
    ]
    predictor.calibration = calibrate(sets, nudged=reading.nudged)
    return predictor


def score_of(meta: dict) -> dict[str, float]:
    return {key: meta[key] for key in SCORE_KEYS if key in meta}


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def save_version(
    store: ModelStore,
    network,
    history: dict,
    meta: dict,
    stem: str,
    name: str | None = None,
) -> Version:
    """Write model, history and metadata as a new version, atomically.

    Beside the `.keras` goes its lite file (float TFLite), which the app serves from (see
    `model.serving.inference`). Should the converter fail, the version is stored without it and
    served through Keras.
    """
    name = name or store.unique_name(stem)

    def write(directory):
        network.save(directory / "model.keras")
        try:
            lite = to_tflite(network)
        except Exception as err:  # the converter raises many kinds; the .keras is enough
            print(f"no lite file for {name}: {type(err).__name__}: {err}", file=sys.stderr)
        else:
            (directory / LITE_FILE).write_bytes(lite)
        write_json(directory / "history.json", history)
        write_json(directory / "meta.json", {"name": name, **meta})

    return store.add(name, write)


def run_facts(config: TrainConfig, seconds: float, train_size: int) -> dict:
    """What a trained version's metadata says of its run: its config, how long it took, in what
    precision, when, and with which libraries."""
    return {
        "config": asdict(config),
        "train_size": train_size,
        "wall_seconds": round(seconds, 2),
        "seconds_per_epoch": round(seconds / config.epochs, 2),
        "precision": training_precision(config),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "versions": library_versions(),
    }


def train_run(
    config: TrainConfig,
    store: ModelStore,
    on_progress: Progress = lambda event: None,
    should_cancel: Callable[[], bool] = lambda: False,
    mnist: data.Mnist | None = None,
    name: str | None = None,
) -> Version:
    """Train a network from scratch and store it as a new version (not activated)."""
    config.check()
    if name is not None:
        store.check_new_name(name)  # now, not after the whole run
    mnist = mnist or data.load_mnist()
    x, y, x_val, y_val = training_split(mnist, config)
    if config.teachers:
        teachers = [Predictor.from_version(store.get(n)) for n in config.teacher_names()]
        y, y_val = with_teachers(y, x, teachers), with_teachers(y_val, x_val, teachers)
    on_progress({"event": "start", "config": asdict(config), "train_size": len(x)})
    keras.utils.set_random_seed(config.seed)  # the same seed, the same initial weights
    network = networks.BUILDERS[config.arch]()
    history, seconds = fit(network, x, y, x_val, y_val, config, on_progress, should_cancel)
    on_progress({"event": "evaluating"})
    predictor = calibrated(network, mnist)
    meta = {
        "arch": config.arch,
        "params": int(network.count_params()),
        "data_checksum": data.DATA_CHECKSUM,
        **score(predictor),
        **predictor.calibration.meta(),
        **run_facts(config, seconds, len(x)),
    }
    version = save_version(store, network, history, meta, stem=config.arch, name=name)
    on_progress({"event": "done", "version": version.name, **score_of(version.meta)})
    return version
