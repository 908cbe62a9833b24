"""How the pages write figures: percentages, durations, dates; "–" where there is none."""

from __future__ import annotations

import math
import re

from model import google_fonts
from model.describe import confidence_text
from model.drawings import STYLE_WORDS, drawn_count
from model.nondigits import KIND_WORDS
from model.train_config import AUGMENT_OPTIONS, TRAINING_DIGITS

# Characters that make Markdown or Streamlit's extensions (colours, icons, LaTeX) anywhere in a
# line, and those that make a list or a heading at its start: CommonMark takes a backslash before
# any of them as the character itself. Others ("-", ".", "/") stay readable as they are.
_MARKUP = re.compile(r"([\\`*_{}\[\]()#!|<>~$:@&^=])|^([-+]|\d+[.)])", re.MULTILINE)
WORD_JOINER = "\u2060"
# The config keys of digits drawn with the pen, which come in whole rounds (`drawn_count`).
DRAWN_DIGITS = ("canvas_digits", "typeset", "stroke_fonts")
# Where an autolink starts, as escaped: "://", "www." and "@" (an e-mail address).
_AUTOLINK = re.compile(r"(\\:)(//)|(www)(\.)|()(\\@)", re.IGNORECASE)


def percent(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2%}"


def confidence(p: float) -> str:
    """A probability as a short percentage that never rounds a near-certainty up to 100%."""
    if p < 0.995:
        return f"{p:.0%}"
    return confidence_text(p)  # and "–" for NaN, which is not below anything


# Why "+ 0.0" below: a negative weight times a blank pixel is -0.0 in floating point, and a
# value that rounds to zero from below prints as "-0.000"; either reads as a negative amount.


def number(value: float) -> str:
    """A term of a formula, signed: three decimals, or two significant digits when tiny; a zero
    is "+0.000", never "-0.000"."""
    value = float(value) + 0.0
    if abs(value) >= 5e-4 or value == 0:
        return f"{round(value, 3) + 0.0:+.3f}"
    return f"{value:+.1e}"


def factor(value: float) -> str:
    """A number to multiply by, to three decimals: in brackets when negative, zero unsigned."""
    value = round(float(value), 3) + 0.0
    return f"{value:.3f}" if value >= 0 else f"({value:.3f})"


def fixed(value: float, places: int = 4) -> str:
    """`value` to `places` decimals, with no minus sign on a value that rounds to zero."""
    return f"{round(float(value), places) + 0.0:.{places}f}"


def duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def created_text(meta: dict) -> str:
    created = meta.get("created", "")
    return created[:16].replace("T", " ") if created else "–"


def augmentation_text(config: dict) -> str:
    """How a version's training images were varied, from its config: "augmented (+ coarse
    scans)", or "no augmentation"."""
    if not config.get("augment"):
        return "no augmentation"
    extras = [name for key, name in AUGMENT_OPTIONS.items() if config.get(key)]
    plain = config.get("plain_epochs")
    if isinstance(plain, int) and plain > 0:
        extras.append(f"the last {plain} epochs plain" if plain > 1 else "the last epoch plain")
    return "**augmented**" + (f" (+ {', '.join(extras)})" if extras else "")


def finetune_mix_text(tune: dict, config: dict) -> str:
    """What a fine-tune (`model.finetune`) trained on: the user's drawings, repeated, among a
    replay of what the model knew. `tune` is its recipe, `config` its training configuration."""
    count = {k: v if isinstance(v, int) else 0 for k, v in tune.items()}
    used = max(0, count.get("user_drawings", 0) - count.get("held_out", 0))
    yours = f"your {used:,} drawing{'' if used == 1 else 's'}, each {count.get('repeats', 0)} times"
    replay = tune.get("replay")
    if not isinstance(replay, dict):  # a version from before the replay was recorded
        if config.get("nondigits"):  # it rehearsed some of those its base learned from
            return f"{yours}, mixed with MNIST, canvas digits and drawn non-digits"
        return f"{yours}, mixed with MNIST and canvas digits"
    names = {"mnist": "MNIST", "canvas_digits": "canvas digits", "nondigits": "drawn non-digits"}
    parts = [
        f"{replay[key]:,} {name}"
        for key, name in names.items()
        if isinstance(replay.get(key), int) and replay[key] > 0
    ]
    return ", ".join([yours, *parts])


def training_mix_text(meta: dict) -> str:
    """What a version trained on, from its metadata: the images in all, and of what kinds."""
    config = meta.get("config", {})
    total = meta.get("train_size")
    head = f"**{total:,}** training images" if isinstance(total, int) else "training images"
    if isinstance(tune := meta.get("finetune"), dict):
        parent = meta.get("parent")
        of = f" (a fine-tune of {plain(parent)})" if isinstance(parent, str) else ""
        return f"{head}: {finetune_mix_text(tune, config)}{of}"
    counts = [config.get("subset") or TRAINING_DIGITS]
    parts = [f"{counts[0]:,} MNIST"]
    asked = {key: config[key] for key in DRAWN_DIGITS if isinstance(config.get(key), int)}
    drawn = {key: drawn_count(n) for key, n in asked.items() if n > 0}
    if "canvas_digits" in drawn:
        varied = " (stroke ends varied)" if config.get("stroke_ends") else ""
        parts.append(f"{drawn['canvas_digits']:,} canvas digits{varied}")
    if "typeset" in drawn:
        google = f" ({len(google_fonts.TRAINING)} Google Fonts families too)"
        pool = google if config.get("typefaces") == "google" else ""
        parts.append(f"{drawn['typeset']:,} typeset digits{pool}")
    if "stroke_fonts" in drawn:
        parts.append(f"{drawn['stroke_fonts']:,} stroke-font digits")
    counts += drawn.values()
    if config.get("nondigits"):
        parts.append(f"{config['nondigits']:,} drawn non-digits")
        counts.append(config["nondigits"])
    if config.get("first_drawn"):
        parts.append(f"{config['first_drawn']:,} more letters and symbols (drawn first)")
        counts.append(config["first_drawn"])
    # The parts are the counts drawn (digits come in whole rounds of ten in every style);
    # training leaves out a drawing in which the preprocessing finds nothing drawn
    # (model.train.preprocessed_drawings). The metadata keeps only the total, so the shortfall
    # is said as such, not charged to one part.
    if isinstance(total, int) and all(isinstance(n, int) for n in counts) and sum(counts) > total:
        blank = sum(counts) - total
        parts.append(f"less {blank:,} drawing{'s' if blank > 1 else ''} left out as blank")
    return f"{head}: {', '.join(parts)}"


def _escape(match: re.Match) -> str:
    found = match.group(0)
    if found[0].isdigit():  # "1." starting a line: a backslash before the digit does nothing
        return f"{found[:-1]}\\{found[-1]}"
    return f"\\{found}"


def plain(text: str) -> str:
    """`text` shown as it is by Streamlit's Markdown: no bold, links, colours, icons or LaTeX.

    For what comes from outside (file names, messages quoting files): `**x**`, `[a](b)`,
    `:red[x]`, `$x$` in a file name must show as typed. Backslashes make the punctuation
    literal; a bare URL or e-mail address would still become a link (GitHub's autolinks look
    at the text after escapes are undone), so an invisible word joiner (U+2060) breaks them.
    """
    escaped = _MARKUP.sub(_escape, str(text))
    return _AUTOLINK.sub(
        lambda m: WORD_JOINER.join(g for g in m.groups() if g is not None), escaped
    )


def group_name(value: str) -> str:
    """A drawing style or a kind of non-digit as a visitor reads it ("small, off-centre", "stray
    marks"), not as the code spells it; a font's or typeface's name as it is."""
    return KIND_WORDS.get(value) or STYLE_WORDS.get(value) or value
