"""The command line: `python -m model {data,train,predict,evaluate,explain,drawings,...}`.

Every command calls the same functions the app's pages call. Errors are one line on stderr and a
non-zero exit code; `evaluate` and `explain` end with one JSON line for scripts.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path


def _store(args):
    from model.serving.store import ModelStore

    return ModelStore(Path(args.store) if args.store else None)


def cmd_data(args) -> int:
    from model import data, google_fonts, stroke_fonts

    directory = data.ensure_files()
    mnist = data.load_mnist(directory)
    print(f"MNIST verified in {directory}: {len(mnist.x_train)} train, {len(mnist.x_test)} test")
    print(f"Stroke fonts verified in {stroke_fonts.ensure_files()}")
    print(f"{len(google_fonts.FAMILIES)} typefaces verified in {google_fonts.ensure_files()}")
    return 0


class _ConsoleProgress:
    """A progress bar on a terminal, a line per epoch otherwise, or JSON lines on request."""

    def __init__(self, as_json: bool):
        self.as_json, self.tty = as_json, sys.stdout.isatty()

    def __call__(self, event: dict) -> None:
        if self.as_json:
            print(json.dumps(event), flush=True)
            return
        kind = event["event"]
        if kind == "start":
            c = event["config"]
            print(
                f"training {c['arch']} on {event['train_size']} digits: {c['epochs']} epochs, "
                f"batch {c['batch_size']}, lr {c['learning_rate']}, augment={c['augment']}"
            )
        elif kind == "batch" and self.tty:
            done = event["batch"] / event["batches"]
            bar = "#" * int(30 * done)
            print(
                f"\repoch {event['epoch']}/{event['epochs']} [{bar:<30}] loss {event['loss']:.4f} "
                f"acc {event['accuracy']:.4f} eta {event['eta']:.0f}s ",
                end="",
                flush=True,
            )
        elif kind == "epoch":
            h = event["history"]
            print(
                f"\repoch {event['epoch']}/{event['epochs']}: loss {h['loss'][-1]:.4f} "
                f"acc {h['accuracy'][-1]:.4f} val_loss {h['val_loss'][-1]:.4f} "
                f"val_acc {h['val_accuracy'][-1]:.4f} ({event['elapsed']:.1f}s)" + " " * 20,
                flush=True,
            )
        elif kind == "done":
            print(
                f"accuracy: MNIST test {event['test_accuracy']:.4f}, drawings "
                f"{event['drawings_accuracy']:.4f}; saved version {event['version']}"
            )


def _run_training(args, work) -> int:
    """Run `work(should_cancel)` holding the training lock; SIGTERM/Ctrl-C cancel it cleanly."""
    from model.serving.jobs import TrainingLock
    from model.train import TrainingCancelled

    cancel = threading.Event()
    # SIGTERM (the app's Cancel button) and Ctrl-C stop after the current batch, writing nothing.
    signal.signal(signal.SIGTERM, lambda *_: cancel.set())
    signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        with TrainingLock(_store(args)):
            work(cancel.is_set)
    except TrainingCancelled as err:
        print(f"\n{err}", file=sys.stderr)
        return 130
    return 0


def cmd_train(args) -> int:
    from model.train import TrainConfig, train_run

    config = TrainConfig.from_args(args)
    store = _store(args)

    def work(should_cancel):
        version = train_run(
            config, store, _ConsoleProgress(args.json_progress), should_cancel, name=args.name
        )
        if args.activate:
            store.activate(version.name)
            print(f"activated {version.name}")

    return _run_training(args, work)


def experiment_progress(as_json: bool):
    """Each run's start, then the trainer's progress, then where the record went."""
    console = _ConsoleProgress(as_json)

    def show(event: dict) -> None:
        kind = event["event"]
        if as_json or kind in ("batch", "epoch"):
            console(event)
        elif kind == "start":
            run, size = f"{event['run']}/{event['runs']}", event["train_size"]
            print(f"run {run}: {event['label']}, {size} digits")
        elif kind == "done":
            print(f"recorded experiment {event['version']}")

    return show


def cmd_experiment(args) -> int:
    """Train an experiment's runs; the last line printed is its figures, as JSON."""
    from model import experiments

    records = experiments.Records(_store(args).root)
    chosen = {
        "imbalance": lambda: experiments.imbalance_runs(args.digit, args.share, args.preset),
        "levers": lambda: experiments.levers_runs(args.preset, args.arch, args.dropout),
        "features": lambda: experiments.features_runs(args.preset),
    }
    runs = chosen[args.experiment]()  # bad parameters fail here, before any training
    params = {
        "imbalance": lambda: {"digit": args.digit, "share": args.share},
        "levers": lambda: {"other_arch": args.arch, "dropout": args.dropout},
        "features": dict,
    }[args.experiment]()
    found = {}

    def work(should_cancel):
        found["record"] = experiments.run_experiment(
            args.experiment,
            runs,
            params,
            args.preset,
            records,
            experiment_progress(args.json_progress),
            should_cancel,
        )

    code = _run_training(args, work)
    if code == 0:
        print(json.dumps(found["record"]["summary"]), flush=True)
    return code


def _predictor(args):
    from model.serving.inference import Predictor, load_active

    store = _store(args)
    if args.model:
        return Predictor.from_version(store.get(args.model))
    _, pointer_problem = store.active_pointer()
    predictor, warnings = load_active(store)
    warnings = [pointer_problem, *warnings] if pointer_problem else warnings
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return predictor


def cmd_predict(args) -> int:
    from model.serving.uploads import ImageRejected, read_image

    predictor = _predictor(args)
    failed = 0
    for path in args.images:
        try:
            prediction = predictor.classify(read_image(Path(path).read_bytes()))
        except (OSError, ImageRejected) as err:
            print(f"{path}: error: {err}", file=sys.stderr)
            failed += 1
            continue
        if prediction is None:
            print(f"{path}: nothing drawn")
            continue
        top = "  ".join(f"{d}: {p:.3f}" for d, p in prediction.top(3))
        if prediction.rejected:
            print(f"{path}: not a digit  (leaned towards  {top})")
        else:
            print(f"{path}: {prediction.digit}  (top 3  {top})")
    return 1 if failed else 0


NPZ_KEYS = (("images", "labels"), ("x", "y"), ("x_test", "y_test"))
DIM_SET = 64  # a set brighter nowhere than this is on another scale than 0-255


def load_npz_set(path: Path):
    """`images` (N, H, W) uint8 white on black and `labels` (N,) digits or -1 (not a digit).

    The file holds them as `images` and `labels` (or `x` and `y`, or Keras's `x_test` and
    `y_test`). Other layouts that say the same are read too: images (N, H, W, 1) or RGB(A),
    flattened square images (N, 784), floats in [0, 1] or [0, 255], bools, 16-bit, a dim scale
    such as 0-16; one-hot labels.
    Dark ink on paper is fine: the preprocessing turns it white on black.
    """
    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            keys = next((pair for pair in NPZ_KEYS if set(pair) <= names), None)
            if keys is None:
                wanted = " or ".join(f"'{x}' and '{y}'" for x, y in NPZ_KEYS)
                found = ", ".join(f"'{n}'" for n in sorted(names)[:6]) or "nothing"
                raise KeyError(f"need {wanted}; found {found}")
            images, labels = archive[keys[0]], archive[keys[1]]
    except KeyError as err:
        raise ValueError(f"{path}: {err.args[0]}") from err
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable .npz file ({err})") from err
    except Exception as err:  # a damaged archive: EOFError, BadZipFile, zlib.error, ...
        raise ValueError(f"{path}: not a readable .npz file ({type(err).__name__})") from err
    try:
        return gray_images(images), digit_labels(labels, len(images))
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def gray_images(images):
    """Any array of images (see `load_npz_set`) as uint8 (N, H, W), ink's level kept."""
    import numpy as np

    from model.preprocess import LUMA

    shape = f"{images.dtype} {images.shape}"
    if images.dtype.kind not in "biuf":
        raise ValueError(f"'images' must be numbers (uint8 (N, H, W) best), got {shape}")
    if (
        images.ndim == 2
        and images.shape[1]
        and round(images.shape[1] ** 0.5) ** 2 == images.shape[1]
    ):
        side = round(images.shape[1] ** 0.5)  # flattened square images, as (N, 784)
        images = images.reshape(len(images), side, side)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    elif images.ndim == 4 and images.shape[-1] in (3, 4):  # RGB(A): its luminance
        images = images[..., :3].astype(np.float64) @ np.array(LUMA)
    if images.ndim != 3:
        raise ValueError(f"'images' must be uint8 (N, H, W), got {shape}")
    if images.dtype == np.uint8 and not 0 < images.max(initial=0) < DIM_SET:
        return images  # the usual set, as it is: no float copy of it
    values = images.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"'images' hold NaN or infinite values ({shape})")
    top = values.max() if values.size else 0.0
    # Floats in [0, 1] and bools are white at 1; 16-bit scans at their brightest; and a set whose
    # brightest pixel is dim, such as scikit-learn's 8x8 digits (0 to 16), would be all "nothing
    # drawn" on a 0-255 scale, so its brightest is white too.
    if top <= 1.0 and images.dtype != np.uint8:
        values = values * 255.0
    elif top > 255.0 or 0 < top < DIM_SET:
        values = values * (255.0 / top)
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def digit_labels(labels, count: int):
    """Labels (N,) of digits 0-9 or -1, from integers, whole floats or one-hot rows."""
    import numpy as np

    if labels.ndim == 2 and labels.shape == (count, 10) and labels.dtype.kind in "biuf":
        if not (np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all()):
            raise ValueError("'labels' of shape (N, 10) must be one-hot rows")
        labels = labels.argmax(axis=1)
    if labels.dtype.kind == "f" and np.isfinite(labels).all() and (labels == np.rint(labels)).all():
        labels = labels.astype(np.int64)
    if labels.shape != (count,) or labels.dtype.kind not in "iu":
        raise ValueError(f"'labels' must be integers of shape ({count},)")
    if len(labels) and (labels.min() < -1 or labels.max() > 9):
        raise ValueError("labels must be digits 0-9, or -1 for not a digit")
    return labels


def cmd_evaluate(args) -> int:

    from model import testsets
    from model.evaluate import defined, evaluate_images, evaluate_inputs, format_report

    if args.npz:
        images, labels = load_npz_set(Path(args.npz))  # a bad file fails before any model loads
        predictor = _predictor(args)
        report, title = evaluate_images(predictor, images, labels), str(args.npz)
        testset = None
    else:
        testset = testsets.BY_NAME[args.set or ("drawings" if args.drawings else "mnist")]()
        predictor = _predictor(args)
        report, title = evaluate_inputs(predictor, testset.inputs, testset.labels), testset.name
    name = predictor.version.name if predictor.version else "?"
    print(format_report(report, f"{title} (model {name})"))
    extra = {}
    if testset is not None and len(set(testset.styles)) > 1:
        # Per style of drawing, or per kind of non-digit: the share answered right.
        # The report already holds every answer: each style's share is read from it, not re-run.
        extra["styles"] = {
            style: part.accuracy for style, part in report.by_group(testset.styles).items()
        }
        for style, accuracy in extra["styles"].items():
            print(f"  {style:>22}: {accuracy:.4f}")
    if args.set == "nondigits":
        from model.nondigits import heldout

        extra["unseen_kinds_rejected"] = report.subset(heldout(testset.styles)).accuracy
        print(f"kinds never trained on, answered not a digit: {extra['unseen_kinds_rejected']:.4f}")
    print(json.dumps(defined({"model": name, "set": title, **report.summary(), **extra})))
    return 0


def cmd_explain(args) -> int:
    """Every attribution method over the images, judged by its deletion curve's area."""
    import numpy as np

    from model.preprocess import preprocess_batch

    if args.n is not None and args.n < 1:
        raise ValueError(f"--n must be at least 1, not {args.n}")
    images, _ = load_npz_set(Path(args.npz))  # a bad file fails before TensorFlow loads
    inputs, empty = preprocess_batch(images[: args.n])
    inputs = np.delete(inputs, empty, axis=0)
    if empty.size:
        print(f"skipped {empty.size} images with nothing drawn", file=sys.stderr)
    if not len(inputs):
        raise ValueError(f"{args.npz}: no image with anything drawn in it")
    from model import attribution, faithfulness

    predictor = _predictor(args)
    network, name = predictor.network, predictor.version.name if predictor.version else "?"

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty() or done == total or done % 50 == 0:
            print(f"\rexplained {done}/{total}", end="", file=sys.stderr, flush=True)

    aucs = faithfulness.deletion_aucs(network, inputs, progress)
    print(file=sys.stderr)
    summary = faithfulness.medians(aucs)
    print(f"deletion AUC, median over {len(inputs)} images (model {name}; lower = more faithful)")
    for key, value in sorted(summary.items(), key=lambda kv: (kv[1] is None, kv[1] or 0)):
        label = attribution.NAMES.get(key, "Random order")
        if value is None:
            print(f"  {label:>22}: n/a ({attribution.why_not(network, key)})")
        else:
            print(f"  {label:>22}: {value:.4f}")
    print(f"most faithful: {attribution.NAMES[faithfulness.most_faithful(summary)]}")
    print(json.dumps({"n": len(inputs), "deletion_auc": summary}))
    return 0


def cmd_drawings(args) -> int:
    from model import drawings

    images, labels = drawings.make_canvas_digits(args.per_digit, seed=args.seed, style=args.style)
    drawings.save_npz(Path(args.out), images, labels)
    print(f"wrote {len(images)} {args.style} drawings to {args.out}")
    return 0


def cmd_benchmark(args) -> int:
    from model.serving.benchmark import run_benchmark

    run_benchmark(_predictor(args), epochs=args.epochs, arch=args.arch, precision=args.precision)
    return 0


def cmd_ship(args) -> int:
    """Copy a trained version into the package, where the app finds it on a fresh machine."""
    import shutil

    from model.atomic import write_json
    from model.serving.store import SHIPPED_DIR, check_name

    version = _store(args).get(args.version)
    if version.problem:
        raise ValueError(f"version {version.name} is broken: {version.problem}")
    target = SHIPPED_DIR / check_name(args.as_name or version.name)
    staging = target.with_name(f".{target.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(version.path, staging)
    write_json(staging / "meta.json", {**version.meta, "name": target.name})
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    print(f"shipped {version.name} as {target}")
    return 0


def cmd_export(args) -> int:
    """Convert a version to TensorFlow Lite (float, or full-integer int8) and score it."""
    from model.serving.export import export_version

    predictor = _predictor(args)
    export_version(
        predictor.version,
        int8=args.int8,
        out=Path(args.out) if args.out else None,
        network=predictor.network,
    )
    return 0


def corrections_of(store, directory: str | None):
    from model.serving.corrections import Corrections

    return Corrections(Path(directory) if directory else store.root / "my-drawings")


def cmd_finetune(args) -> int:
    from model.finetune import finetune_run
    from model.forgetting import FIGURES, forgotten

    store = _store(args)
    base = args.base or store.active_name()
    drawings = corrections_of(store, args.corrections_dir)
    for damaged in drawings.scan()[1]:  # left out by finetune_run, which reads the good ones
        print(
            f"warning: skipping {drawings.directory / damaged.file}: {damaged.problem}",
            file=sys.stderr,
        )
    progress = _ConsoleProgress(args.json_progress)

    def work(should_cancel):
        version = finetune_run(store, base, drawings, progress, should_cancel, epochs=args.epochs)
        for key, points in forgotten(version.meta).items():
            print(f"warning: {FIGURES[key]} is {points:.2f} points worse", file=sys.stderr)

    return _run_training(args, work)


WARM_COMMANDS = ("train", "finetune")


def cmd_warm(args) -> int:
    """Wait, with TensorFlow imported and MNIST loaded, for one command line; then run it.

    The app starts this while the Training or My drawings page is open, so that Retrain starts
    training at once instead of after importing TensorFlow. The command
    arrives on stdin as one JSON list (e.g. ["train", "--epochs", "1", "--json-progress"]). No
    line within --idle seconds, or stdin closed (the app has gone): exit, having done nothing.
    """
    import json
    import select

    from model import data, finetune, train  # noqa: F401 (importing them is the point)

    data.load_mnist()
    ready, _, _ = select.select([sys.stdin], [], [], args.idle)
    line = sys.stdin.readline() if ready else ""
    if not line.strip():
        return 0
    command = json.loads(line)
    if not (isinstance(command, list) and all(isinstance(a, str) for a in command)):
        raise ValueError("warm: the command must be a JSON list of strings")
    if not command or command[0] not in WARM_COMMANDS:
        raise ValueError(f"warm: runs only {' or '.join(WARM_COMMANDS)}, not {command[:1]}")
    return main([*(["--store", args.store] if args.store else []), *command])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__)
    parser.add_argument("--store", help="model store directory (default $DIGIT_STUDIO_HOME)")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("data", help="fetch and verify MNIST").set_defaults(run=cmd_data)

    from model.train_config import DEFAULT_ARCH, FINETUNE_EPOCHS, add_train_arguments

    train = commands.add_parser("train", help="train a network and store it as a new version")
    add_train_arguments(train)
    train.add_argument("--name", help="version name (default: ARCH-DATE-TIME)")
    train.add_argument("--activate", action="store_true", help="make it the active version")
    train.add_argument("--json-progress", action="store_true", help="progress as JSON lines")
    train.set_defaults(run=cmd_train)

    tune = commands.add_parser("finetune", help="fine-tune a version on your saved drawings")
    tune.add_argument("--base", help="version to start from (default: the active one)")
    tune.add_argument("--corrections-dir", help="saved drawings (default: STORE/my-drawings)")
    # The flag's former name, still accepted so that written commands keep working.
    tune.add_argument("--drawings-dir", dest="corrections_dir", help=argparse.SUPPRESS)
    tune.add_argument("--epochs", type=int, default=FINETUNE_EPOCHS)
    tune.add_argument("--json-progress", action="store_true", help="progress as JSON lines")
    tune.set_defaults(run=cmd_finetune)

    experiment = commands.add_parser(
        "experiment", help="imbalance, the four levers, or learned vs hand-made features"
    )
    kinds = experiment.add_subparsers(dest="experiment", required=True)
    imbalance = kinds.add_parser("imbalance", help="one digit cut to a share, then reweighted")
    imbalance.add_argument("--digit", type=int, required=True, help="the digit to cut (0-9)")
    imbalance.add_argument("--share", type=float, required=True, help="the share kept, e.g. 0.05")
    levers = kinds.add_parser("levers", help="more data, more epochs, another network, dropout")
    levers.add_argument("--arch", default="seed_cnn", help="the other architecture")
    levers.add_argument("--dropout", type=float, default=0.0, help="the regularisation run's")
    kinds.add_parser("features", help="HOG or raw pixels into a linear SVM, beside a CNN")
    for one in kinds.choices.values():
        one.add_argument(
            "--preset",
            choices=["quick", "full", "tiny"],
            default="quick",
            help="quick: about a minute; full: far more data; tiny: for the tests",
        )
        one.add_argument("--json-progress", action="store_true", help="progress as JSON lines")
    experiment.set_defaults(run=cmd_experiment)

    predict = commands.add_parser("predict", help="read digits from image files")
    predict.add_argument("images", nargs="+")
    predict.add_argument("--model", help="version name (default: the active one)")
    predict.set_defaults(run=cmd_predict)

    evaluate = commands.add_parser("evaluate", help="accuracy, per class, confusion matrix")
    evaluate.add_argument(
        "--npz", help="images (N,H,W) uint8, white on black or dark on light, + labels (N,)"
    )
    evaluate.add_argument("--model", help="version name (default: the active one)")
    evaluate.add_argument(
        "--set",
        # The keys of model.testsets.BY_NAME, named here so that no other command imports it.
        choices=[
            "mnist",
            "drawings",
            "nondigits",
            "messy",
            "handwriting",
            "strokefonts",
            "typefaces",
        ],
        help="a bundled test set: MNIST test (default), the canvas-like drawings per style, "
        "drawn non-digits per kind, messy digits (scans, photos, odd pens, typefaces) per kind, "
        "real handwriting (13 writers' coarse scans, scikit-learn's UCI digits), digits "
        "drawn along the paths of 9 stroke fonts no network trains on, per font, or digits of "
        "48 Google Fonts families no network trains on, redrawn with the pen, per family",
    )
    evaluate.add_argument("--drawings", action="store_true", help="the same as --set drawings")
    evaluate.set_defaults(run=cmd_evaluate)

    why = commands.add_parser(
        "explain", help="deletion test of every attribution method (lower AUC = more faithful)"
    )
    why.add_argument("--npz", required=True, help="images (N,H,W) uint8 + labels, as evaluate")
    why.add_argument("--n", type=int, help="explain the first N images (default: all)")
    why.add_argument("--model", help="version name (default: the active one)")
    why.set_defaults(run=cmd_explain)

    from model.drawings import STYLE_NAMES

    draw = commands.add_parser("drawings", help="render canvas-like test drawings to an .npz")
    draw.add_argument("--out", required=True)
    draw.add_argument("--per-digit", type=int, default=100)
    draw.add_argument("--seed", type=int, default=0)
    draw.add_argument("--style", choices=STYLE_NAMES, default="mixed")
    # The flag's former name, still accepted so that written commands keep working.
    draw.add_argument("--variant", dest="style", choices=STYLE_NAMES, help=argparse.SUPPRESS)
    draw.set_defaults(run=cmd_drawings)

    bench = commands.add_parser("benchmark", help="latency, throughput, training speed, memory")
    bench.add_argument("--model", help="version name (default: the active one)")
    bench.add_argument("--arch", default=DEFAULT_ARCH, help="network to time training for")
    bench.add_argument("--epochs", type=int, default=1, help="full-MNIST epochs to time")
    bench.add_argument("--precision", default="auto", help="as for train")
    bench.set_defaults(run=cmd_benchmark)

    ship = commands.add_parser("ship", help="copy a version into model/shipped/ (developers)")
    ship.add_argument("version")
    ship.add_argument("--as-name", help="name in model/shipped/ (default: the version's)")
    ship.set_defaults(run=cmd_ship)

    export = commands.add_parser("export", help="convert a version to TensorFlow Lite")
    export.add_argument("--format", choices=["tflite"], default="tflite")
    export.add_argument("--int8", action="store_true", help="full-integer 8-bit quantisation")
    export.add_argument("--model", help="version name (default: the active one)")
    export.add_argument("--out", help="output file (default: VERSION-float.tflite / -int8.tflite)")
    export.set_defaults(run=cmd_export)

    warm = commands.add_parser("warm", help="(the app) load TensorFlow, then run one command")
    warm.add_argument("--idle", type=float, default=600.0, help="seconds to wait for it")
    warm.set_defaults(run=cmd_warm)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from model.data import DataUnavailable
    from model.serving.jobs import TrainingBusy
    from model.serving.store import StoreError

    try:
        return args.run(args)
    except (DataUnavailable, StoreError, TrainingBusy, ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
