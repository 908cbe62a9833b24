"""Study: which drawn non-digits does a version still take for digits, template by template?

    .venv/bin/python tests/bench/nondigit_templates.py              # the active version; 1 minute
    .venv/bin/python tests/bench/nondigit_templates.py --model NAME [--store DIR] [--each 60]

Not a test: it prints figures, the last line one JSON object with them all.

The evaluation's non-digit set reports a share per kind. A person trying the app draws one thing
at a time, a capital A first, so a kind's share can hide a template it always misses. Here every
drawn template of the letters, symbols, shapes and scribbles (trained on) and of the doodles and
music notes (held out) is drawn `--each` times, jittered by hand in the mixed style, as
`model.nondigits` draws them, and read as the Draw page reads a drawing. Each row: the share
answered "not a digit", and the digit the rest were read as most often.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from model import calibration, nondigits, preprocess  # noqa: E402
from model.drawings import STYLES, jitter  # noqa: E402
from model.serving.inference import Predictor  # noqa: E402
from model.serving.store import ModelStore  # noqa: E402
from model.typefaces import render_sized  # noqa: E402

KINDS = ("letters", "symbols", "shapes", "scribbles", "doodles", "music")


def read_template(predictor, generator, each: int, rng: np.random.Generator) -> tuple[float, int]:
    """(share rejected, the digit most often read instead, -1 if none) for `each` drawings."""
    drawn = [
        render_sized(jitter(generator(rng), rng), STYLES["mixed"].sample(rng)) for _ in range(each)
    ]
    inputs, _ = preprocess.preprocess_batch(np.stack(drawn))
    probabilities, rejected = calibration.answers(predictor, inputs)
    taken = np.bincount(probabilities.argmax(axis=1)[~rejected], minlength=10)
    return float(rejected.mean()), int(taken.argmax()) if taken.any() else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="a version name (default: the active one)")
    parser.add_argument("--store", type=Path, help="the version store (default: the app's)")
    parser.add_argument("--each", type=int, default=60, help="drawings per template")
    args = parser.parse_args()
    store = ModelStore(args.store)
    version = store.get(args.model) if args.model else store.get(store.active_pointer()[0])
    predictor = Predictor.from_version(version)
    rng = np.random.default_rng(7)
    rows = [
        (kind, name, *read_template(predictor, generator, args.each, rng))
        for kind in KINDS
        for name, generator in nondigits.DRAWN[kind].items()
    ]
    for kind, name, share, digit in sorted(rows, key=lambda row: row[2]):
        instead = f"the rest read as {digit}" if digit >= 0 else ""
        print(f"{kind:10s} {name:16s} {share:6.1%} not a digit  {instead}")
    per_kind = {kind: float(np.mean([r[2] for r in rows if r[0] == kind])) for kind in KINDS}
    print(
        json.dumps(
            {
                "version": version.name,
                "each": args.each,
                "per_kind": per_kind,
                "templates": {f"{k}/{n}": round(s, 3) for k, n, s, _ in rows},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
