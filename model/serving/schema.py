"""What a version's `meta.json` and `history.json` must hold: the types and ranges the pages use.

Both files are read from disk, where anything can be: a hand edit, a half-synced copy, another
program's file. `check_meta` and `check_history` return the checked content or raise `Invalid`
naming the field, so the store can mark the version broken (or the curves missing) with that
message instead of a page failing later on a string where it formats a number.

Keys nobody checks here are kept as they are: newer versions of the app may write more, and a
file from one must stay readable by the others. A known key that is `null` counts as absent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from model.calibration import TEMPERATURE_RANGE

Check = Callable[[object, str], object]


class Invalid(ValueError):
    """A value of the wrong type or out of range; the message names the field."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def number(low: float | None = None, high: float | None = None, *, above: float | None = None):
    """A finite int or float (not a bool) in [low, high], or greater than `above`."""

    def check(value: object, field: str) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        # An int is finite (and may be too large for a float: no isfinite on it).
        ok = ok and (isinstance(value, int) or math.isfinite(value))
        ok = ok and (low is None or value >= low) and (high is None or value <= high)
        ok = ok and (above is None or value > above)
        if not ok:
            if above is not None:
                wanted = f"a number above {above:g}"
            elif low is not None and high is not None:
                wanted = f"a number in [{low:g}, {high:g}]"
            elif low is not None:
                wanted = f"a number of at least {low:g}"
            else:
                wanted = "a finite number"
            raise Invalid(f"{field} must be {wanted}, not {_shown(value)}")
        return value

    return check


SAFE_INTEGER = 2**53  # larger ones lose digits in the browser (JavaScript) and in Arrow floats


def integer(low: int | None = None):
    """An int (not a bool) of at least `low`, and smaller than SAFE_INTEGER in size."""

    def check(value: object, field: str) -> int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        ok = ok and abs(value) < SAFE_INTEGER and (low is None or value >= low)
        if not ok:
            wanted = "an integer" if low is None else f"an integer of at least {low}"
            raise Invalid(f"{field} must be {wanted} (below 2**53), not {_shown(value)}")
        return value

    return check


def text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text, not {_shown(value)}")
    return value


IDENTIFIER = re.compile(r"^[A-Za-z0-9_.-]{1,80}\Z")


def identifier(value: object, field: str) -> str:
    """A name such as an architecture's: letters, digits, '_', '.', '-' (shown as code)."""
    if not isinstance(value, str) or not IDENTIFIER.match(value):
        raise Invalid(
            f"{field} must be a name of letters, digits, '_', '.' or '-', not {_shown(value)}"
        )
    return value


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be true or false, not {_shown(value)}")
    return value


def mapping(fields: dict[str, Check]) -> Check:
    """A JSON object whose known keys are checked (null = absent) and whose others are kept."""

    def check(value: object, field: str) -> dict:
        if not isinstance(value, dict):
            raise Invalid(f"{field} must be an object, not {_shown(value)}")
        checked = {}
        for key, item in value.items():
            if key in fields:
                if item is not None:
                    checked[key] = fields[key](item, f"{field}.{key}")
            else:
                checked[key] = item
        return checked

    return check


def text_values(value: object, field: str) -> dict:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Invalid(f"{field} must be an object of texts, not {_shown(value)}")
    return value


FRACTION = number(0.0, 1.0)
SCORES = mapping(
    {
        "test_accuracy": FRACTION,
        "drawings_accuracy": FRACTION,
        "held_out_accuracy": FRACTION,
        "nondigits_rejected": FRACTION,
    }
)
CONFIG = mapping(
    {
        "arch": identifier,
        "epochs": integer(1),
        "batch_size": integer(1),
        "learning_rate": number(above=0.0),
        "augment": flag,
        "elastic": flag,
        "lowres": flag,
        "stretch": flag,
        "squeeze": flag,
        "plain_epochs": integer(0),
        "subset": integer(1),
        "seed": integer(),
        "schedule": text,
        "canvas_digits": integer(0),
        "drawings": integer(0),  # what versions trained before the rename call canvas_digits
        "stroke_ends": flag,
        "typeset": integer(0),
        "typefaces": text,
        "stroke_fonts": integer(0),
        "nondigits": integer(0),
        "first_drawn": integer(0),
        "precision": text,
    }
)
META = mapping(
    {
        "name": text,
        "arch": identifier,
        "config": CONFIG,
        "params": integer(0),
        "train_size": integer(0),
        "data_checksum": text,
        "test_accuracy": FRACTION,
        "drawings_accuracy": FRACTION,
        "wall_seconds": number(0.0),
        "seconds_per_epoch": number(0.0),
        "precision": text,
        "created": text,
        "versions": text_values,
        "parent": text,
        "finetune": mapping(
            {
                "user_drawings": integer(0),
                "held_out": integer(0),
                "repeats": integer(0),
                # What each drawing was mixed with (model.finetune), for the pages to say.
                "replay": mapping(
                    {"mnist": integer(0), "canvas_digits": integer(0), "nondigits": integer(0)}
                ),
                "before": SCORES,
                "after": SCORES,
            }
        ),
        "nondigits_rejected": FRACTION,
        # Calibration: a softmax temperature and the confidence below which an answer is
        # "not a digit" (the ranges `Calibration.of` accepts).
        "temperature": number(TEMPERATURE_RANGE[0], TEMPERATURE_RANGE[1]),
        "reject_threshold": FRACTION,
        "nudged": flag,
    }
)


def check_meta(meta: object) -> dict:
    """`meta.json`'s content, checked; raises Invalid."""
    checked = META(meta, "meta")
    if not checked.get("arch"):
        raise Invalid("meta has no 'arch' field")
    return checked


CURVES = ("loss", "accuracy", "val_loss", "val_accuracy")


def check_history(history: object) -> dict[str, list[float]]:
    """`history.json`'s content: each curve a list of numbers (NaN allowed: a diverged epoch)."""
    if not isinstance(history, dict):
        raise Invalid(f"history must be an object, not {_shown(history)}")
    for key in CURVES:
        values = history.get(key)
        if values is None:
            continue
        if not isinstance(values, list):
            raise Invalid(f"history.{key} must be a list of numbers, not {_shown(values)}")
        accuracy = "accuracy" in key
        for value in values:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = ok and (isinstance(value, int) or not math.isinf(value)) and not value < 0
            ok = ok and not (accuracy and value > 1)  # NaN compares false: allowed
            if not ok:
                wanted = "fractions in [0, 1]" if accuracy else "numbers of at least 0"
                raise Invalid(f"history.{key} must hold {wanted}, not {_shown(value)}")
    return history
