"""What a training run is asked for, checked without TensorFlow: `TrainConfig`, the networks'
names, and the arithmetic precision a run trains in on this machine.

`TrainConfig` is the one place a training option is defined: its defaults are the command line's
(`add_train_arguments` builds the `train` command's flags from its fields) and the Training form's,
and the form starts a run with `TrainConfig.cli_args()`. Kept apart from `model.train` so that the
app's Training page can offer the choices (and say what this CPU trains in) without importing
TensorFlow into the serving process.
"""

from __future__ import annotations

import argparse
import functools
import os
from dataclasses import dataclass, fields
from pathlib import Path

# The networks `model.networks` builds, with what each is, for menus and messages.
ARCH_DESCRIPTIONS = {
    "studio_cnn": "three small conv stages + dropout (default)",
    "seed_cnn": "the classic Keras MNIST convnet",
    "mlp": "dense layers on the 784 pixels",
    "rnn": "an LSTM reading the rows top to bottom",
}
DEFAULT_ARCH = "studio_cnn"
VALIDATION_SIZE = 5000  # held out from the 60,000 training digits; the test set stays unseen
TRAINING_DIGITS = 60000 - VALIDATION_SIZE  # what a run trains on without --subset
# The typefaces typeset digits are drawn from: matplotlib's bundled ones (DejaVu, STIX, Computer
# Modern), or those and the training pool of Google Fonts families (`model.google_fonts`).
TYPEFACE_POOLS = ("matplotlib", "google")
NONDIGITS_MIX = 14000  # drawn non-digits the shipped versions were trained with
FINETUNE_EPOCHS = 3  # few: the user's drawings are repeated, and more epochs learn them by heart


# The options that vary how --augment changes the images; none means anything without it.
# The options that add to --augment, and what each is called on the pages.
AUGMENT_OPTIONS = {
    "elastic": "elastic",
    "lowres": "coarse scans",
    "stretch": "stretched to a square",
    "squeeze": "squeezed narrow",
}


@dataclass
class TrainConfig:
    arch: str = DEFAULT_ARCH
    epochs: int = 5
    batch_size: int = 128
    learning_rate: float = 1e-3
    augment: bool = False
    elastic: bool = False  # with augment: bend half the images by a smooth random field
    lowres: bool = False  # with augment: show a fifth of the images as a coarse scan would
    stretch: bool = False  # with augment: stretch some digits towards a square box
    squeeze: bool = False  # with augment: squeeze some digits to a narrow box
    plain_epochs: int = 0  # with augment: the last epochs see the images as they are
    subset: int | None = None  # number of training digits; None = all 55,000
    seed: int = 0
    schedule: str = "cosine"  # learning rate: "cosine" decay to zero, or "constant"
    canvas_digits: int = 0  # canvas-like synthetic digits mixed into the training set
    stroke_ends: bool = False  # with canvas digits: strokes start and end where other hands would
    typeset: int = 0  # digits from the training typefaces redrawn with the pen
    typefaces: str = "matplotlib"  # which: matplotlib's, or also the Google Fonts training pool
    stroke_fonts: int = 0  # digits from the training stroke fonts drawn with the pen
    nondigits: int = 0  # drawn letters, symbols, shapes, scribbles, labelled "not a digit"
    first_drawn: int = 0  # with nondigits: more of the kinds people draw first (letters, symbols)
    teachers: str = ""  # stored versions, comma-separated, whose averaged answers it also learns
    precision: str = "auto"  # "float32", "bfloat16" (mixed), or "auto": bfloat16 where it is native

    def check(self) -> TrainConfig:
        if self.arch not in ARCH_DESCRIPTIONS:
            names = ", ".join(ARCH_DESCRIPTIONS)
            raise ValueError(f"unknown architecture {self.arch!r}; choose one of {names}")
        if not 1 <= self.epochs <= 200:
            raise ValueError("epochs must be between 1 and 200")
        if not 1 <= self.batch_size <= 4096:
            raise ValueError("batch size must be between 1 and 4096")
        if not 0 < self.learning_rate <= 1:
            raise ValueError("learning rate must be in (0, 1]")
        if self.subset is not None and not 10 <= self.subset <= TRAINING_DIGITS:
            raise ValueError(f"subset must be between 10 and {TRAINING_DIGITS}")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError("schedule must be 'cosine' or 'constant'")
        if not 0 <= self.canvas_digits <= 50000:
            raise ValueError("canvas digits must be between 0 and 50000")
        if self.stroke_ends and not self.canvas_digits:
            raise ValueError("stroke ends vary the canvas digits: add --canvas-digits")
        if not 0 <= self.typeset <= 50000:
            raise ValueError("typeset must be between 0 and 50000")
        if self.typefaces not in TYPEFACE_POOLS:
            raise ValueError(f"typefaces must be one of {', '.join(TYPEFACE_POOLS)}")
        if self.typefaces != "matplotlib" and not self.typeset:
            raise ValueError("--typefaces picks the typefaces of --typeset: add it")
        if not 0 <= self.stroke_fonts <= 50000:
            raise ValueError("stroke fonts must be between 0 and 50000")
        for option in AUGMENT_OPTIONS:
            if getattr(self, option) and not self.augment:
                raise ValueError(f"{CLI_FLAGS[option][0]} is part of --augment: add it")
        if self.plain_epochs and not self.augment:
            raise ValueError("plain epochs end an augmented run: add --augment")
        if not 0 <= self.plain_epochs < self.epochs:
            raise ValueError("plain epochs must be fewer than the epochs")
        if not 0 <= self.nondigits <= 50000:
            raise ValueError("nondigits must be between 0 and 50000")
        if not 0 <= self.first_drawn <= 50000:
            raise ValueError("first drawn must be between 0 and 50000")
        if self.first_drawn and not self.nondigits:
            raise ValueError("first drawn non-digits add to the drawn non-digits: add --nondigits")
        if self.teachers and not all(name.strip() for name in self.teachers.split(",")):
            raise ValueError("teachers must be version names separated by commas")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")
        return self

    def cli_args(self) -> list[str]:
        """The `python -m model train ...` arguments that ask for this run (defaults left out)."""
        args = ["train"]
        for option in fields(self):
            value, flag = getattr(self, option.name), CLI_FLAGS[option.name][0]
            if value == option.default:
                continue
            args += [flag] if isinstance(value, bool) else [flag, str(value)]
        return args

    def teacher_names(self) -> list[str]:
        return [name.strip() for name in self.teachers.split(",") if name.strip()]

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> TrainConfig:
        """The run a parsed `train` command line asks for."""
        return cls(**{option.name: getattr(args, option.name) for option in fields(cls)})


# Each option's flag on the `train` command line and its help; every TrainConfig field has one.
CLI_FLAGS = {
    # Names are checked by TrainConfig.check: argparse choices would print the same list.
    "arch": ("--arch", ", ".join(ARCH_DESCRIPTIONS)),
    "epochs": ("--epochs", None),
    "batch_size": ("--batch-size", None),
    "learning_rate": ("--lr", "the starting learning rate"),
    "augment": ("--augment", "shift, rotate, scale, thicken"),
    "elastic": ("--elastic", "with --augment: also bend half the images elastically"),
    "lowres": ("--lowres", "with --augment: also show a fifth as coarse, low-resolution scans"),
    "stretch": (
        "--stretch",
        "with --augment: also stretch some digits towards a square box, as some scanners do",
    ),
    "squeeze": (
        "--squeeze",
        "with --augment: also squeeze some digits narrow, as condensed typefaces draw them",
    ),
    "plain_epochs": (
        "--plain-epochs",
        "with --augment: the last N epochs train on the images unaugmented",
    ),
    "subset": ("--subset", "train on this many digits (default: all)"),
    "seed": ("--seed", None),
    "schedule": ("--schedule", None),
    "canvas_digits": ("--canvas-digits", "mix in this many canvas-like synthetic digits"),
    "stroke_ends": (
        "--stroke-ends",
        "with --canvas-digits: start and end each stroke earlier or later, as hands do",
    ),
    "typeset": ("--typeset", "mix in this many digits from typefaces, redrawn with the pen"),
    "typefaces": (
        "--typefaces",
        "with --typeset: matplotlib's typefaces, or google: also 98 Google Fonts families",
    ),
    "stroke_fonts": (
        "--stroke-fonts",
        "mix in this many digits drawn along Hershey's stroke fonts (varied by --stroke-ends too)",
    ),
    "nondigits": (
        "--nondigits",
        'mix in this many drawn letters, symbols, shapes and scribbles as "not a digit"',
    ),
    "first_drawn": (
        "--first-drawn",
        "with --nondigits: mix in this many more of the non-digits people draw first, drawn "
        "letters and symbols (half each)",
    ),
    "teachers": (
        "--teachers",
        "distil: also learn the averaged answers of these stored versions (comma-separated)",
    ),
    "precision": (
        "--precision",
        "float32, bfloat16 (mixed) or auto: bfloat16 for the CNNs where the CPU has it",
    ),
}
CHOICES = {"schedule": ["cosine", "constant"], "typefaces": list(TYPEFACE_POOLS)}


def trained_nondigit_count(meta: dict) -> int:
    """How many drawn non-digits a stored version trained on (`train --nondigits`): 0 when none,
    or when its meta.json does not say (a version from before "not a digit" existed). The base
    mix only: `--first-drawn`'s extra letters and symbols are more of kinds it already counts."""
    count = (meta.get("config") or {}).get("nondigits")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 0


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The `train` command's flags, one per TrainConfig field, with its defaults."""
    types = {"subset": int}  # the one option whose default (None) does not tell its type
    for option in fields(TrainConfig):
        flag, help_text = CLI_FLAGS[option.name]
        if isinstance(option.default, bool):
            parser.add_argument(flag, dest=option.name, action="store_true", help=help_text)
            continue
        parser.add_argument(
            flag,
            dest=option.name,
            type=types.get(option.name, type(option.default)),
            default=option.default,
            choices=CHOICES.get(option.name),
            metavar=None if option.name in CHOICES else flag.lstrip("-").upper().replace("-", "_"),
            help=help_text,
        )
    # The flag's name before canvas digits had a word of their own, kept for old scripts.
    parser.add_argument(
        "--drawings", dest="canvas_digits", type=int, default=0, help=argparse.SUPPRESS
    )


PRECISIONS = ("auto", "float32", "bfloat16")
# Mixed bfloat16 pays off for the convolutions only: the dense and recurrent nets train no faster.
BFLOAT16_ARCHS = ("studio_cnn", "seed_cnn")


@functools.cache  # the CPU does not change under a running process
def native_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX or AVX-512 BF16), for oneDNN to use.

    Elsewhere bfloat16 is emulated and slower than float32, so "auto" stays with float32 there.
    """
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0":
        return False
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line for line in cpuinfo.splitlines() if line.startswith("flags")), "").split()
    return "amx_bf16" in flags or "avx512_bf16" in flags


def training_precision(config: TrainConfig) -> str:
    """The precision a run actually trains in: "float32" or "bfloat16"."""
    if config.precision == "auto":
        native = config.arch in BFLOAT16_ARCHS and native_bfloat16()
        return "bfloat16" if native else "float32"
    return config.precision
