"""Study: how well does the default recipe read digit shapes it never saw in training?

    .venv/bin/python tests/bench/study_unseen_shapes.py              # about 7 minutes on 2 cores
    .venv/bin/python tests/bench/study_unseen_shapes.py --epochs 5   # a quicker, rougher look
    .venv/bin/python tests/bench/study_unseen_shapes.py --shipped-recipe   # the shipped default's
        whole recipe (its epochs, typeset digits, non-digits, coarse scans...), answering as the
        app does (nudged, calibrated, with the reject); one run, about 10 minutes

Not a test: it trains networks and prints figures, the last line one JSON object with them all.

The bundled drawings test set (`model/testsets.py`) is rendered from the same 70 stroke templates
(7 per digit) as the 12,000 drawings the shipped default trained on, so it measures pens, sizes,
slants and positions more than new shapes. Here the default recipe (`studio_cnn`, augmented,
lr 2e-3, cosine, MNIST + 12,000 drawings) trains once with drawings from templates 0-3 of each
digit only, and once on MNIST alone; both, and the shipped default (which saw every template),
then read 3,000 drawings in all five styles made from templates 4 and 5 alone: the shapes the
first two never saw (for a 1, the long European flag and the curved flag). Template 6, which
every digit has too, is neither trained on nor read here. Each network also reads 1s whose
flags are longer or flatter than any template's (`flags_past_the_templates`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from model import data, drawings, networks  # noqa: E402
from model.evaluate import Report, evaluate_images, evaluate_inputs  # noqa: E402
from model.serving.inference import Predictor  # noqa: E402
from model.serving.store import ModelStore  # noqa: E402
from model.testsets import mnist_test  # noqa: E402
from model.train import (  # noqa: E402
    TrainConfig,
    as_input,
    calibrated,
    canvas_digit_mix,
    fit,
    training_split,
)

SEEN, UNSEEN = (0, 1, 2, 3), (4, 5)
UNSEEN_SEED = 7000  # other drawings than the bundled test set's and the training drawings'
PER_DIGIT = 60  # per style: 5 styles x 10 digits x 60 = 3,000 drawings
DRAWINGS = 12000  # the shipped default's --canvas-digits


def unseen_drawings() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw 280x280 drawings from the unseen templates, all styles: images, labels, style names."""
    images, labels, styles = [], [], []
    for index, style in enumerate(drawings.STYLE_NAMES):
        rendered, digits = drawings.make_canvas_digits(
            PER_DIGIT, seed=UNSEEN_SEED + index, style=style, templates=UNSEEN
        )
        images.append(rendered)
        labels.append(digits)
        styles += [style] * len(digits)
    return np.concatenate(images), np.concatenate(labels), np.array(styles)


# The templates' flags (TEMPLATES[1]) run 0.27-0.54 of the height long, at 39-54 degrees below
# the horizontal. Half of these 1s have a longer flag, half a flatter one: (low, high) ranges.
LONG_FLAG = {"length": (0.58, 0.8), "angle": (35.0, 55.0)}
FLAT_FLAG = {"length": (0.3, 0.6), "angle": (25.0, 36.0)}


def flags_past_the_templates(count: int = 400, seed: int = 123):
    """Raw drawings of 1s whose flag is longer (`LONG_FLAG`) or flatter (`FLAT_FLAG`) than any
    template's, straight or bowed; and whether each one's flag is the long kind."""
    rng = np.random.default_rng(seed)
    images, long = [], []
    for index in range(count):
        kind = LONG_FLAG if index % 2 == 0 else FLAT_FLAG
        length, angle = rng.uniform(*kind["length"]), np.deg2rad(rng.uniform(*kind["angle"]))
        top = np.array([0.58, 0.0])
        tip = top + length * np.array([-np.cos(angle), np.sin(angle)])
        if rng.random() < 0.5:
            flag = drawings.polyline(tuple(tip), tuple(top))
        else:  # bowed upwards
            bow = (tip + top) / 2 - [0.0, 0.08]
            flag = drawings.bezier(tuple(tip), tuple(bow), tuple(top))
        stem = drawings.polyline(tuple(top), (top[0] + rng.uniform(-0.05, 0.05), 1.0))
        strokes = drawings.jitter([drawings.chain(flag, stem)], rng)
        images.append(
            drawings.render_strokes(
                strokes,
                pen_width=rng.uniform(10, 30),
                scale=rng.uniform(0.5, 0.8),
                rotation_deg=rng.uniform(-10, 10),
            )
        )
        long.append(kind is LONG_FLAG)
    return np.stack(images), np.array(long)


def flag_figures(predictor: Predictor, flags) -> dict:
    """The share of `flags_past_the_templates` read as 1 (and not rejected): all, long, flat."""
    images, long = flags
    report = evaluate_images(predictor, images, np.ones(len(images), dtype=int))
    right = report.predicted == 1
    return {
        "read_as_1": round(float(right.mean()), 4),
        "long_flags": round(float(right[long].mean()), 4),
        "flat_flags": round(float(right[~long].mean()), 4),
    }


def shipped_recipe(seed: int | None = None) -> TrainConfig:
    """The shipped default's training options, without its canvas digits (added per template);
    with another `seed`, if given, to see how far one run's figures move."""
    known = set(TrainConfig.__dataclass_fields__)
    options = ModelStore().get("default").meta["config"]
    chosen = {k: v for k, v in options.items() if k in known and k != "canvas_digits"}
    if seed is not None:
        chosen["seed"] = seed
    return TrainConfig(**chosen)


def train(mnist: data.Mnist, epochs: int, templates, config: TrainConfig | None = None):
    """The default recipe (or `config`, then answering as the app does); drawings from
    `templates` only, or none when `templates` is None."""
    whole = config is not None
    config = config or TrainConfig(epochs=epochs, learning_rate=2e-3, augment=True, seed=0)
    x, y, x_val, y_val = training_split(mnist, config)
    if templates is not None:
        extra_x, extra_y = canvas_digit_mix(
            DRAWINGS, templates=templates, stroke_ends=config.stroke_ends
        )
        x = np.concatenate([x, as_input(extra_x)])
        y = np.concatenate([y, extra_y.astype(np.int32)])
    network = networks.BUILDERS[config.arch]()
    started = time.monotonic()
    fit(network, x, y, x_val, y_val, config, lambda event: None, lambda: False)
    print(f"  trained on {len(x):,} digits in {time.monotonic() - started:.0f} s", flush=True)
    return calibrated(network, mnist) if whole else Predictor(network)


def figures(predictor: Predictor, unseen, flags, drawn: int) -> dict:
    """Accuracy on MNIST test, on the unseen shapes and on the 1s of `flags`
    (`flags_past_the_templates`); `drawn`: drawings it trained with."""
    images, labels, styles = unseen
    report = evaluate_images(predictor, images, labels)
    mnist = mnist_test()
    mnist_report = evaluate_inputs(predictor, mnist.inputs, mnist.labels)
    recall = report.per_class()["recall"]
    by_style = {}
    for style in drawings.STYLE_NAMES:
        keep = styles == style
        by_style[style] = Report(report.labels[keep], report.probabilities[keep]).accuracy
    return {
        "training_drawings": drawn,
        "mnist_test": round(mnist_report.accuracy, 4),
        "unseen_shapes": round(report.accuracy, 4),
        "unseen_by_style": {k: round(v, 4) for k, v in by_style.items()},
        "unseen_recall_by_digit": [round(float(r), 4) for r in recall],
        "flags_past_the_templates": flag_figures(predictor, flags),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="as the shipped default: 20")
    parser.add_argument("--shipped-recipe", action="store_true", help="the whole shipped recipe")
    parser.add_argument("--seed", type=int, help="with --shipped-recipe: another seed than its own")
    args = parser.parse_args()
    if args.seed is not None and not args.shipped_recipe:
        parser.error("--seed is for --shipped-recipe")
    mnist = data.load_mnist()
    unseen = unseen_drawings()
    flags = flags_past_the_templates()
    print(f"{len(unseen[1]):,} drawings from templates {UNSEEN} of each digit, all styles")
    runs = {}
    print("shipped default (trained on drawings from every template):", flush=True)
    shipped = Predictor.from_version(ModelStore().get("default"))
    runs["shipped_default_all_templates"] = figures(shipped, unseen, flags, drawn=DRAWINGS)
    if args.shipped_recipe:
        recipe = shipped_recipe(args.seed)
        print(f"shipped recipe, drawings from templates {SEEN} only ({recipe.epochs} epochs):")
        held_out = train(mnist, recipe.epochs, SEEN, recipe)
        runs["shipped_recipe_templates_0123"] = figures(held_out, unseen, flags, drawn=DRAWINGS)
    else:
        print(f"default recipe, drawings from templates {SEEN} only ({args.epochs} epochs):")
        held_out = train(mnist, args.epochs, SEEN)
        runs["drawings_from_templates_0123"] = figures(held_out, unseen, flags, drawn=DRAWINGS)
        print(f"default recipe, MNIST only ({args.epochs} epochs):")
        mnist_only = train(mnist, args.epochs, None)
        runs["mnist_only"] = figures(mnist_only, unseen, flags, drawn=0)
    print()
    for name, row in runs.items():
        worst = int(np.argmin(row["unseen_recall_by_digit"]))
        print(
            f"{name:32s} MNIST test {row['mnist_test']:.2%} · unseen shapes "
            f"{row['unseen_shapes']:.2%} (worst digit {worst}: "
            f"{row['unseen_recall_by_digit'][worst]:.1%})"
        )
    recipe = asdict(
        shipped_recipe(args.seed)
        if args.shipped_recipe
        else TrainConfig(epochs=args.epochs, learning_rate=2e-3, augment=True)
    )
    print(json.dumps({"recipe": recipe, "unseen_templates": UNSEEN, "runs": runs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
