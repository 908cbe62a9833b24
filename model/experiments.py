"""Experiments a learner can run: the article's answers, tried on real MNIST.

- `imbalance`: one digit is cut to a share of its training examples. Its recall (the share of
  its test digits read right) falls; with the kept ones repeated until the digit weighs as much
  as before (oversampling: in expectation, a class weight of 1/share) it recovers. Three runs:
  balanced, imbalanced, reweighted.
- `levers`: "how do I improve a model?" From one baseline: more data, more epochs, another
  architecture, another dropout rate (regularisation). Five runs, their curves overlaid.
- `features`: "deep or traditional learning?" Hand-made features (HOG) and raw pixels, each into
  a linear SVM (`model.handmade`), beside a CNN that learns its own, on the same digits.

Each network run trains with `model.train.fit`, the trainer of every version, on a seeded subset of
MNIST's training digits, in float32, and is scored by its own answer (the highest probability;
no calibration, no "not a digit") on MNIST's 10,000 test digits and the 3,000 canvas-like test
drawings. An experiment's runs, their curves and figures are kept as an experiment record in the
model store (`Records`), which the Experiments page compares side by side.

`PRESETS` size the runs: "quick" for a class to watch (the README gives its time here), "full"
trains on much more, "tiny" is for the tests (its figures mean little). This module imports
TensorFlow only to train: the app reads the records without it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from model.atomic import write_json
from model.serving.store import NAME_PATTERN, check_name, read_json
from model.train_config import ARCH_DESCRIPTIONS, TRAINING_DIGITS, VALIDATION_SIZE, TrainConfig

KINDS = {
    "imbalance": "Imbalanced data",
    "levers": "The four levers",
    "features": "Learned vs hand-made features",
}
Progress = Callable[[dict], None]


@dataclass(frozen=True)
class Preset:
    arch: str
    subset: int  # training digits
    epochs: int
    validation: int  # validation digits scored after every epoch (for the curves)
    batch_size: int = 32  # small batches: more steps from few digits in few epochs


PRESETS = {
    "imbalance": {
        "tiny": Preset("mlp", 1500, 3, 500),
        "quick": Preset("studio_cnn", 3000, 4, 1000),
        "full": Preset("studio_cnn", 55000, 3, VALIDATION_SIZE),
    },
    "levers": {
        "tiny": Preset("mlp", 500, 2, 500),
        "quick": Preset("studio_cnn", 1000, 3, 1000),
        "full": Preset("studio_cnn", 5000, 5, VALIDATION_SIZE),
    },
    "features": {
        "tiny": Preset("mlp", 1000, 2, 500),
        "quick": Preset("studio_cnn", 5000, 3, 1000),
        "full": Preset("studio_cnn", 55000, 3, VALIDATION_SIZE),
    },
}
# Both levers cost the same: three times the baseline's training steps.
MORE_DATA, MORE_EPOCHS = 3, 3


@dataclass(frozen=True)
class Run:
    """One training run of an experiment."""

    name: str  # the key in figures: "balanced", "more_data", "hog"...
    label: str  # what the page calls it
    config: TrainConfig
    validation: int
    dropout: float | None = None  # every Dropout layer's rate; None: the network's own
    cut: tuple[int, float] | None = None  # (digit, share): keep only that share of the digit
    oversample: bool = False  # repeat the cut digit's kept examples back to its count
    learner: str = "network"  # or "pixels" / "hog": a linear SVM on those features


def preset(kind: str, name: str) -> Preset:
    if name not in PRESETS[kind]:
        raise ValueError(f"preset must be one of {', '.join(PRESETS[kind])}, not {name!r}")
    return PRESETS[kind][name]


def base_config(chosen: Preset) -> TrainConfig:
    # float32: the levers change dropout rates, which a bfloat16 trainee would rebuild away.
    return TrainConfig(
        arch=chosen.arch,
        epochs=chosen.epochs,
        batch_size=chosen.batch_size,
        subset=chosen.subset,
        precision="float32",
    ).check()


# --- The runs of each experiment ----------------------------------------------------------------


def imbalance_runs(digit: int, share: float, preset_name: str = "quick") -> list[Run]:
    if not (isinstance(digit, int) and 0 <= digit <= 9):
        raise ValueError("digit must be between 0 and 9")
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]: the part of the digit's examples kept")
    chosen = preset("imbalance", preset_name)
    config, validation = base_config(chosen), chosen.validation
    return [
        Run("balanced", "balanced", config, validation),
        Run("imbalanced", f"{digit} cut to {share:.0%}", config, validation, cut=(digit, share)),
        Run(
            "reweighted",
            f"{digit} cut, then oversampled",
            config,
            validation,
            cut=(digit, share),
            oversample=True,
        ),
    ]


def levers_runs(
    preset_name: str = "quick", other_arch: str = "seed_cnn", dropout: float = 0.0
) -> list[Run]:
    chosen = preset("levers", preset_name)
    if other_arch not in ARCH_DESCRIPTIONS or other_arch == chosen.arch:
        others = ", ".join(a for a in ARCH_DESCRIPTIONS if a != chosen.arch)
        raise ValueError(f"the other architecture must be one of {others}")
    if not 0 <= dropout <= 0.9:
        raise ValueError("dropout must be between 0 and 0.9")
    base, validation = base_config(chosen), chosen.validation
    more = min(chosen.subset * MORE_DATA, TRAINING_DIGITS)
    return [
        Run("baseline", "baseline", base, validation),
        Run("more_data", f"more data ({MORE_DATA}×)", replace(base, subset=more), validation),
        Run(
            "more_epochs",
            f"more epochs ({MORE_EPOCHS}×)",
            replace(base, epochs=chosen.epochs * MORE_EPOCHS),
            validation,
        ),
        Run(
            "architecture",
            f"another network: {other_arch}",
            replace(base, arch=other_arch),
            validation,
        ),
        Run(
            "regularisation",
            f"dropout {dropout:g}",
            base,
            validation,
            dropout=dropout,
        ),
    ]


def features_runs(preset_name: str = "quick") -> list[Run]:
    chosen = preset("features", preset_name)
    config, validation = base_config(chosen), chosen.validation
    return [
        Run("pixels", "raw pixels + linear SVM", config, validation, learner="pixels"),
        Run("hog", "HOG features + linear SVM", config, validation, learner="hog"),
        Run("cnn", "CNN, learns its features", config, validation),
    ]


# --- Data ------------------------------------------------------------------------------------


def cut(x, y, digit: int, share: float, seed: int = 0, oversample: bool = False):
    """Keep a random `share` of `digit`'s examples (at least one) and all the others; with
    `oversample`, repeat the kept ones until the digit has as many examples as before."""
    theirs = np.flatnonzero(y == digit)
    kept = np.random.default_rng(seed).permutation(theirs)[: max(1, round(share * len(theirs)))]
    if oversample:
        kept = np.resize(kept, len(theirs))  # the kept ones, over and over
    keep = np.sort(np.concatenate([np.flatnonzero(y != digit), kept]))
    return x[keep], y[keep]


def training_data(run: Run, mnist):
    """The run's training digits and labels, and its validation digits and labels."""
    from model.train import training_split

    x, y, x_val, y_val = training_split(mnist, run.config)
    if run.cut is not None:
        x, y = cut(x, y, *run.cut, seed=run.config.seed, oversample=run.oversample)
    return x, y, x_val[: run.validation], y_val[: run.validation]


# --- Scores -------------------------------------------------------------------------------------


def scores(answers: dict[str, np.ndarray], labels: dict[str, np.ndarray]) -> dict:
    """Accuracy on each test set; recall per digit and the confusion matrix on MNIST test."""
    figures = {
        f"{name}_accuracy": float((answers[name] == labels[name]).mean()) for name in answers
    }
    from model.evaluate import confusion_matrix

    matrix = confusion_matrix(labels["mnist"], answers["mnist"])
    figures["recall"] = (np.diag(matrix) / matrix.sum(axis=1).clip(1)).tolist()
    figures["confusion"] = matrix.tolist()
    return figures


# --- Training ---------------------------------------------------------------------------------


def set_dropout(network, rate: float) -> None:
    """Every Dropout layer of `network` drops `rate` of its inputs; ValueError if it has none.

    A Dropout layer reads its rate at every call, and the float32 copy that trains
    (`model.train.trainee_network`) is cloned from the layers' configurations, which carry it.
    """
    dropouts = [layer for layer in network.layers if type(layer).__name__ == "Dropout"]
    if not dropouts:
        raise ValueError(f"{network.name} has no dropout to change")
    for layer in dropouts:
        layer.rate = rate


def train_network(run: Run, data, on_progress: Progress, should_cancel):
    """A fresh network trained on `data`: (network, history, seconds)."""
    from model import networks, train
    from model.serving.tf_runtime import keras

    keras.utils.set_random_seed(run.config.seed)  # the same seed, the same initial weights
    network = networks.BUILDERS[run.config.arch]()
    if run.dropout is not None:
        set_dropout(network, run.dropout)
    history, seconds = train.fit(network, *data, run.config, on_progress, should_cancel)
    return network, history, seconds


def run_one(run: Run, mnist, test_sets, on_progress: Progress, should_cancel, files: dict):
    """Train and score one run; its result for the record. Files to keep go into `files`."""
    from model.serving.inference import Predictor
    from model.train import TrainingCancelled

    data = training_data(run, mnist)
    x, y = data[0], data[1]
    start = {"event": "start", "config": asdict(run.config), "learner": run.learner}
    on_progress({**start, "train_size": len(x)})
    labels = {name: test.labels for name, test in test_sets.items()}
    if run.learner == "network":
        network, history, seconds = train_network(run, data, on_progress, should_cancel)
        on_progress({"event": "evaluating"})
        predictor = Predictor(network)
        answers = {
            name: predictor.probabilities_batched(test.inputs).argmax(axis=1)
            for name, test in test_sets.items()
        }
        if run.name == "cnn":  # for the page to read the user's drawing without TensorFlow
            files["cnn.tflite"] = tflite_or_none(network)
    else:
        from model import data as mnist_data
        from model import handmade

        started, rows = time.monotonic(), {}
        progress = {"event": "batch", "epoch": 1, "epochs": 1, "batches": 2}
        on_progress({**progress, "batch": 0, "elapsed": 0.0, "eta": float("nan")})
        train_rows = handmade.features(run.learner, x.reshape(len(x), 28, 28))
        if should_cancel():
            raise TrainingCancelled("experiment cancelled; nothing was recorded")
        reader = handmade.train_reader(run.learner, train_rows, y, seed=run.config.seed)
        seconds = time.monotonic() - started
        on_progress({**progress, "batch": 1, "elapsed": seconds, "eta": float("nan")})
        for name, test in test_sets.items():
            directory = mnist_data.cache_dir() / "features"
            rows[name] = handmade.cached_features(run.learner, test.inputs, directory)
        answers = {name: reader.read(None, rows[name]) for name in test_sets}
        files[f"{run.learner}.npz"] = reader
        history = {}
    return {
        "name": run.name,
        "label": run.label,
        "learner": run.learner,
        "config": asdict(run.config),
        "dropout": run.dropout,
        "cut": list(run.cut) if run.cut else None,
        "oversample": run.oversample,
        "train_size": len(x),
        "counts": np.bincount(y[y >= 0], minlength=10).tolist(),
        "history": history,
        "seconds": round(seconds, 2),
        **scores(answers, labels),
    }


def tflite_or_none(network) -> bytes | None:
    """`network` as a float TFLite model, or None where the converter fails."""
    from model.serving.export import to_tflite

    try:
        return to_tflite(network)
    except Exception:  # the converter raises many kinds; the figures stand without it
        return None


def summary(kind: str, params: dict, runs: list[dict]) -> dict:
    """The figures the command line prints last, as JSON."""
    accuracy = {run["name"]: run["mnist_accuracy"] for run in runs}
    drawings = {run["name"]: run["drawings_accuracy"] for run in runs}
    if kind == "imbalance":
        recall = {run["name"]: run["recall"][params["digit"]] for run in runs}
        return {**params, "recall": recall, "accuracy": accuracy}
    if kind == "features":
        return {
            "train_size": runs[0]["train_size"],
            "accuracy": accuracy,
            "drawings_accuracy": drawings,
        }
    return {"accuracy": accuracy, "drawings_accuracy": drawings}


def run_experiment(
    kind: str,
    runs: list[Run],
    params: dict,
    preset_name: str,
    records: Records,
    on_progress: Progress = lambda event: None,
    should_cancel: Callable[[], bool] = lambda: False,
    mnist=None,
) -> dict:
    """Train and score every run, record them, and return the record (with its "name").

    Progress events are the trainer's, each with the run's number, their count and its label;
    the last is {"event": "done", "version": the record's name}. Cancelled (TrainingCancelled
    from the trainer): nothing is recorded.
    """
    from model import data
    from model.testsets import canvas_test, mnist_test

    mnist = mnist or data.load_mnist()
    test_sets = {"mnist": mnist_test(), "drawings": canvas_test()}
    started, results, files = time.monotonic(), [], {}
    for number, run in enumerate(runs, start=1):
        tag = {"run": number, "runs": len(runs), "label": run.label}

        def report(event, tag=tag):
            on_progress({**event, **tag})

        results.append(run_one(run, mnist, test_sets, report, should_cancel, files))
    record = {
        "kind": kind,
        "preset": preset_name,
        "params": params,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": round(time.monotonic() - started, 1),
        "runs": results,
        "summary": summary(kind, params, results),
    }
    record["name"] = records.add(kind, record, files)
    on_progress({"event": "done", "version": record["name"], "experiment": kind})
    return record


# --- Records --------------------------------------------------------------------------------


class Records:
    """Experiment records: <store>/experiments/<name>/record.json, with the files a run keeps
    (a hand-made-features reader's weights, a CNN's TFLite) beside it. A record is written in a
    staging directory and renamed into place, so a killed run leaves none half written."""

    def __init__(self, store_root: Path):
        self.directory = Path(store_root) / "experiments"

    def names(self) -> list[str]:
        """The records' names, newest first."""
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if p.is_dir() and NAME_PATTERN.match(p.name)]
        return [p.name for p in sorted(found, key=lambda p: p.name.split("-", 1)[-1], reverse=True)]

    @staticmethod
    def title(name: str) -> str:
        """A record's name in words: "levers-20260101-093000" → "levers, 2026-01-01 09:30:00"."""
        kind, day, clock = [*name.split("-"), "", ""][:3]
        if len(day) != 8 or len(clock) < 6:
            return name
        return f"{kind}, {day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}:{clock[4:6]}"

    def path(self, name: str) -> Path:
        return self.directory / check_name(name)

    def load(self, name: str) -> dict:
        """A record; ValueError saying why when it is missing or not one."""
        path = self.path(name) / "record.json"
        try:
            record = read_json(path)
        except (OSError, ValueError) as err:
            raise ValueError(f"experiment {name}: {path.name} unreadable ({err})") from err
        runs = record.get("runs") if isinstance(record, dict) else None
        if record.get("kind") not in KINDS or not isinstance(runs, list) or not runs:
            raise ValueError(f"experiment {name}: {path.name} is not an experiment record")
        needed = {"name", "label", "mnist_accuracy", "drawings_accuracy", "recall", "confusion"}
        if not all(isinstance(run, dict) and needed <= run.keys() for run in runs):
            raise ValueError(f"experiment {name}: a run in {path.name} lacks its figures")
        return {**record, "name": name}

    def read(self, name: str, image: np.ndarray) -> dict[str, int]:
        """The digit each of the record's kept learners reads in one (28, 28) input, by run name
        (the hand-made features' linear SVMs in numpy, the CNN through its TFLite file)."""
        from model import handmade
        from model.serving.lite_runtime import TFLitePredictor

        directory, answers = self.path(name), {}
        for kind in handmade.KINDS:
            if (directory / f"{kind}.npz").is_file():
                reader = handmade.LinearReader.load(directory / f"{kind}.npz")
                answers[kind] = int(reader.read(image[None])[0])
        if (directory / "cnn.tflite").is_file():
            cnn = TFLitePredictor((directory / "cnn.tflite").read_bytes(), name=name)
            answers["cnn"] = int(cnn.probabilities(image[None])[0].argmax())
        return answers

    def add(self, kind: str, record: dict, files: dict) -> str:
        """Write `record` and `files` ({file name: bytes, or an object with `.save(path)`})."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name, number = f"{kind}-{stamp}", 1
        while (self.directory / name).exists():
            number += 1
            name = f"{kind}-{stamp}-{number}"
        staging = Path(tempfile.mkdtemp(dir=self.directory, prefix=f".staging-{os.getpid()}-"))
        try:
            staging.chmod(0o755)
            for file_name, content in files.items():
                if isinstance(content, bytes):
                    (staging / file_name).write_bytes(content)
                elif content is not None:
                    content.save(staging / file_name)
            write_json(staging / "record.json", {**record, "name": name})
            os.rename(staging, self.directory / name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return name


# --- The three experiments, by name ---------------------------------------------------------------


def imbalance(digit: int, share: float, preset_name: str, records: Records, **kwargs) -> dict:
    runs = imbalance_runs(digit, share, preset_name)
    params = {"digit": digit, "share": share}
    return run_experiment("imbalance", runs, params, preset_name, records, **kwargs)


def levers(preset_name: str, records: Records, other_arch="seed_cnn", dropout=0.0, **kwargs):
    runs = levers_runs(preset_name, other_arch, dropout)
    params = {"other_arch": other_arch, "dropout": dropout}
    return run_experiment("levers", runs, params, preset_name, records, **kwargs)


def features(preset_name: str, records: Records, **kwargs) -> dict:
    runs = features_runs(preset_name)
    return run_experiment("features", runs, {}, preset_name, records, **kwargs)
