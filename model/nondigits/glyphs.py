"""Glyphs: characters of many scripts and symbol blocks, from the training fonts.

Outlier exposure generalises with the diversity of its negatives, so "glyphs" draws on
thousands of characters. Which ones is decided once by `select_glyphs` and stored in
`GLYPHS_FILE`; `python -m model.nondigits --glyphs` redoes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from model import typefaces
from model.drawings import STYLES

# The characters of the held-out typeset kinds (see the package): no glyph may be one of them.
GREEK = "ΔΞΠΣΦΨΩ" + "αηλμπρφψω"  # no γ: it is drawn as a y, an open 4
MATH = "∀∇≈≤≥⊂⊃∠⊕⊗≡ℵ⇒∝"  # no ∃: a reversed E is a flat-topped 3

GLYPHS_FILE = Path(__file__).with_name("glyphs.txt")

# The Unicode blocks drawn from. Left out on purpose, as the held-out kinds draw on them: Greek
# and Coptic and Greek Extended, Mathematical Operators and the other math blocks, math
# alphanumerics, musical symbols, Miscellaneous Symbols (2600-26FF: sun, cloud, flower, notes)
# and the pictographs; Number Forms too (Roman numerals, fractions).
GLYPH_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x00A0, 0x00FF, "Latin-1 Supplement"),
    (0x0100, 0x017F, "Latin Extended-A"),
    (0x0180, 0x024F, "Latin Extended-B"),
    (0x0250, 0x02AF, "IPA Extensions"),
    (0x02B0, 0x02FF, "Spacing Modifier Letters"),
    (0x0400, 0x04FF, "Cyrillic"),
    (0x0500, 0x052F, "Cyrillic Supplement"),
    (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x07C0, 0x07FF, "NKo"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x13A0, 0x13FF, "Cherokee"),
    (0x1400, 0x167F, "Unified Canadian Aboriginal Syllabics"),
    (0x1680, 0x169F, "Ogham"),
    (0x16A0, 0x16FF, "Runic"),
    (0x1D00, 0x1D7F, "Phonetic Extensions"),
    (0x1D80, 0x1DBF, "Phonetic Extensions Supplement"),
    (0x1E00, 0x1EFF, "Latin Extended Additional"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x2070, 0x209F, "Superscripts and Subscripts"),
    (0x20A0, 0x20CF, "Currency Symbols"),
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2190, 0x21FF, "Arrows"),
    (0x2300, 0x23FF, "Miscellaneous Technical"),
    (0x2400, 0x243F, "Control Pictures"),
    (0x2440, 0x245F, "Optical Character Recognition"),
    (0x2460, 0x24FF, "Enclosed Alphanumerics"),
    (0x2500, 0x257F, "Box Drawing"),
    (0x2580, 0x259F, "Block Elements"),
    (0x25A0, 0x25FF, "Geometric Shapes"),
    (0x2700, 0x27BF, "Dingbats"),
    (0x27F0, 0x27FF, "Supplemental Arrows-A"),
    (0x2800, 0x28FF, "Braille Patterns"),
    (0x2900, 0x297F, "Supplemental Arrows-B"),
    (0x2B00, 0x2BFF, "Miscellaneous Symbols and Arrows"),
    (0x2C00, 0x2C5F, "Glagolitic"),
    (0x2C60, 0x2C7F, "Latin Extended-C"),
    (0x2D00, 0x2D2F, "Georgian Supplement"),
    (0x2D30, 0x2D7F, "Tifinagh"),
    (0x2E00, 0x2E7F, "Supplemental Punctuation"),
    (0x4DC0, 0x4DFF, "Yijing Hexagram Symbols"),
    (0xA640, 0xA69F, "Cyrillic Extended-B"),
    (0xA700, 0xA71F, "Modifier Tone Letters"),
    (0xA720, 0xA7FF, "Latin Extended-D"),
    (0xFB00, 0xFB4F, "Alphabetic Presentation Forms"),
    (0xFB50, 0xFDFF, "Arabic Presentation Forms-A"),
    (0xFE70, 0xFEFF, "Arabic Presentation Forms-B"),
    (0x1D300, 0x1D35F, "Tai Xuan Jing Symbols"),
    (0x1F000, 0x1F02F, "Mahjong Tiles"),
    (0x1F030, 0x1F09F, "Domino Tiles"),
    (0x1F0A0, 0x1F0FF, "Playing Cards"),
)

# Words in a character's name that leave it out: numbers in any form, Greek letters (ohm, micro,
# APL's alpha: the held-out greek), and what the held-out doodles and music draw.
NUMBER_WORDS = frozenset(
    [
        "DIGIT",
        "NUMBER",
        "NUMERAL",
        "FRACTION",
        "ZERO",
        "ONE",
        "TWO",
        "THREE",
        "FOUR",
        "FIVE",
        "SIX",
        "SEVEN",
        "EIGHT",
        "NINE",
        "TEN",
    ]
)
GREEK_WORDS = frozenset(
    [
        "GREEK",
        "ALPHA",
        "BETA",
        "GAMMA",
        "DELTA",
        "EPSILON",
        "ZETA",
        "ETA",
        "THETA",
        "IOTA",
        "KAPPA",
        "LAMDA",
        "LAMBDA",
        "MU",
        "NU",
        "XI",
        "OMICRON",
        "PI",
        "RHO",
        "SIGMA",
        "TAU",
        "UPSILON",
        "PHI",
        "CHI",
        "PSI",
        "OMEGA",
        "OHM",
        "MICRO",
        "DIGAMMA",
        "KOPPA",
        "SAMPI",
        "STIGMA",
    ]
)
HELDOUT_WORDS = frozenset(
    [
        "FLOWER",
        "FLORETTE",
        "FLORAL",
        "TREE",
        "CLOUD",
        "FISH",
        "SUN",
        "CAT",
        "UMBRELLA",
        "CAR",
        "AUTOMOBILE",
        "ENVELOPE",
        "CUP",
        "BOAT",
        "SHIP",
        "SAILBOAT",
        "MUSHROOM",
        "NOTE",
        "NOTES",
        "MUSIC",
        "MUSICAL",
    ]
)
HELDOUT_CODES = frozenset(range(0x2135, 0x2139))  # ℵ ℶ ℷ ℸ: math's Hebrew letters
# Shapes the package's rules leave out (see its docstring, in __init__.py), by name: an upright
# or slanted arrow is a flagged 1 or has a 7 in its head; the rest are read as 3, 5, 8 or 0
# whatever their marks.
UPRIGHT_WORDS = frozenset(["UP", "UPWARDS", "DOWN", "DOWNWARDS", "NORTH", "SOUTH"])
SHAPE_WORDS = frozenset(
    [
        "EZH",
        "YOGH",
        "TONE",
        "DZE",
        "ZE",
        "ABKHASIAN",
        "KSI",
        "CHE",
        "BE",
        "JE",
        "SCHWA",
        "ETH",
        "BYELORUSSIAN",
        "CIRCLE",
        "OVAL",
        "ELLIPSE",
        "ZERO",
        "GLOTTAL",
    ]
)
SHAPE_PHRASES = ("OPEN E", "SHARP S", "REVERSED E", "TURNED E", "DOWN AND", "DOUBLE S")
# Canadian syllabics' K and Q series are b, q, p and d turned about: a b is a 6, a q a 9.
SYLLABIC_DIGIT_LIKE = re.compile(r"^CANADIAN SYLLABICS (?:[A-Z-]+ )?(?:FINAL )?[KQ]")
DIGIT_LIKE_SYMBOLS = frozenset("⌀◎◍◌◦◯⊘")  # rings, with a bar or in a ring: 0s
ROUND_LAST_WORDS = frozenset({"O", "OH"})  # Cyrillic О, its monocular and binocular Os, Armenian օ
# Latin letters the package leaves out (read as digits), and so every letter built on them.
DIGIT_LIKE_LATIN = frozenset("OoQDIlijJZzSsbGgqyB")
GLYPH_THRESHOLD = 0.68  # drop a glyph whose blurred 28x28 correlates this well with a digit's
PLAIN_STYLE = {
    "pen_width": 20.0,
    "scale": 0.7,
    "center": (0.5, 0.5),
    "slant": 0.0,
    "rotation_deg": 0.0,
    "aspect": 1.0,
}


def glyph_block(code: int) -> str | None:
    """The name of the `GLYPH_BLOCKS` block `code` is in, or None."""
    for start, end, name in GLYPH_BLOCKS:
        if start <= code <= end:
            return name
    return None


def latin_base(name: str) -> str | None:
    """The letter a Latin letter is built on, from its name: "Ś" → "S", "ɓ" → "b"; else None."""
    match = re.match(r"LATIN (CAPITAL|SMALL) LETTER (?:DOTLESS )?([A-Z])\b", name)
    if not match:
        return None
    return match[2] if match[1] == "CAPITAL" else match[2].lower()


def excluded_by_name(char: str) -> str | None:
    """Why `char` is left out by its Unicode data alone, or None: the first half of the rule."""
    code = ord(char)
    if glyph_block(code) is None:
        return "block"
    category = unicodedata.category(char)
    if category[0] in "MZCN":  # marks, spaces, controls and formats, numbers of every kind
        return f"category {category}"
    name = unicodedata.name(char, "")
    words = set(re.findall(r"[A-Z]+", name))
    if not name or words & NUMBER_WORDS:
        return "number"
    if words & GREEK_WORDS or any(
        0x0370 <= ord(c) <= 0x03FF or 0x1F00 <= ord(c) <= 0x1FFF
        for c in unicodedata.normalize("NFKD", char)
    ):
        return "greek"
    if words & HELDOUT_WORDS or code in HELDOUT_CODES or char in MATH or char in GREEK:
        return "held out"
    if name.startswith("BRAILLE PATTERN"):
        dots = name.rsplit("-", 1)[-1] if "-" in name else ""
        if len(dots) < 3 or not (set(dots) & set("1237") and set(dots) & set("4568")):
            return "too few dots, or a column of them"
    elif (
        words & SHAPE_WORDS
        or any(phrase in name for phrase in SHAPE_PHRASES)
        or name.split()[-1] in ROUND_LAST_WORDS
        or SYLLABIC_DIGIT_LIKE.match(name)
        or char in DIGIT_LIKE_SYMBOLS
        or (words & {"ARROW", "ARROWS", "HARPOON", "HARPOONS"} and words & UPRIGHT_WORDS)
    ):
        return "read as a digit"
    base = latin_base(name)
    if base and base in DIGIT_LIKE_LATIN:
        return f"built on {base}"
    if any(c in DIGIT_LIKE_LATIN for c in unicodedata.normalize("NFKD", char)):
        return "built on a digit-like letter"
    return None


def plain_28(font: Path, char: str) -> np.ndarray | None:
    """`char` in `font` redrawn with the pen in `PLAIN_STYLE`, preprocessed to 28x28, or None
    when it has no glyph, draws nothing, or is a lone bar, dot or tiny mark."""
    from model.preprocess import preprocess_batch

    strokes = typefaces.glyph_strokes(font, char)
    if not strokes:
        return None
    points = np.concatenate(strokes)
    extent = np.ptp(points, axis=0)
    # Thin in one direction after normalising to the longest side: a bar, a dash, a slash.
    centred = points - points.mean(axis=0)
    spread = np.linalg.svd(centred, compute_uv=False) if len(points) > 1 else np.zeros(2)
    if len(points) < 2 or spread[0] == 0 or spread[-1] / spread[0] < 0.15 or extent.max() < 0.5:
        return None
    bitmap = typefaces.glyph_bitmap(font, char)
    if max(bitmap.shape) - 8 < 0.2 * typefaces.GLYPH_SIZE:  # a dot, a comma, an accent
        return None
    image, empty = preprocess_batch(typefaces.render_sized(strokes, dict(PLAIN_STYLE))[None])
    return None if empty.size else image[0]


def blurred(image: np.ndarray) -> np.ndarray:
    """A 28x28 lightly blurred and standardised, so that a dot product is a correlation."""
    from scipy.ndimage import gaussian_filter

    flat = gaussian_filter(image.astype(np.float64), 1.0).ravel()
    flat = flat - flat.mean()
    return flat / (np.linalg.norm(flat) or 1.0)


def font_digit_vectors() -> tuple[np.ndarray, list[str]]:
    """Every training font's digits in `PLAIN_STYLE`, blurred: (n, 784) and their labels."""
    vectors, labels = [], []
    for font in typefaces.training_fonts():
        for digit in typefaces.DIGITS:
            image = plain_28(font, digit)
            if image is None:  # a 1 is a lone bar: draw it anyway
                from model.preprocess import preprocess_batch

                strokes = typefaces.glyph_strokes(font, digit)
                render = typefaces.render_sized(strokes, dict(PLAIN_STYLE))
                image = preprocess_batch(render[None])[0][0]
            vectors.append(blurred(image))
            labels.append(f"{digit} {font.stem}")
    return np.stack(vectors), labels


def score_glyphs(chars: Sequence[str]) -> dict[str, tuple[float, str] | None]:
    """Each character's best correlation with any digit in any font, over every font that maps
    it, and which digit; None when any of its fonts draws nothing or a lone bar or dot."""
    refs, labels = font_digit_vectors()
    fonts = typefaces.unicode_fonts()
    scores: dict[str, tuple[float, str] | None] = {}
    for char in chars:
        best, which = -1.0, ""
        for font in typefaces.fonts_mapping(char, fonts):
            image = plain_28(font, char)
            if image is None:
                best = None
                break
            correlations = refs @ blurred(image)
            k = int(np.argmax(correlations))
            if correlations[k] > best:
                best, which = float(correlations[k]), f"{labels[k]} vs {font.stem}"
        scores[char] = None if best is None or best < -0.5 else (best, which)
    return scores


def glyph_candidates() -> list[str]:
    """Every character some `typefaces.unicode_fonts()` maps that its name does not rule out."""
    codes = set()
    for font in typefaces.unicode_fonts():
        codes |= set(typefaces.character_map(font))
    return [chr(code) for code in sorted(codes) if excluded_by_name(chr(code)) is None]


def select_glyphs(threshold: float = GLYPH_THRESHOLD) -> tuple[list[str], dict]:
    """The glyphs to keep, in code point order, and every candidate's score."""
    scores = score_glyphs(glyph_candidates())
    kept = [c for c, s in scores.items() if s is not None and s[0] < threshold]
    return kept, scores


def write_glyphs(chars: Sequence[str], path: Path = GLYPHS_FILE) -> None:
    """`chars` to `path`, a comment line and a line of characters per block."""
    lines = [
        "# Characters for the 'glyphs' kind of non-digits, chosen by",
        "# model.nondigits.glyphs.select_glyphs (python -m model.nondigits --glyphs).",
        "# One line of characters per Unicode block.",
    ]
    for start, end, name in GLYPH_BLOCKS:
        block = [c for c in chars if start <= ord(c) <= end]
        if block:
            lines += [f"# U+{start:04X}-U+{end:04X} {name}: {len(block)}", "".join(block)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_glyphs(path: Path = GLYPHS_FILE) -> str:
    """The stored glyph characters, in file order."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return "".join(line for line in lines if line and not line.startswith("#"))


GLYPHS = read_glyphs() if GLYPHS_FILE.exists() else ""


def pick_glyph(rng: np.random.Generator) -> tuple[Path, str]:
    """A glyph picked uniformly, and a random one of the fonts that map it: (font, char)."""
    if not GLYPHS:
        raise FileNotFoundError(f"{GLYPHS_FILE} is missing: python -m model.nondigits --glyphs")
    char = GLYPHS[rng.integers(len(GLYPHS))]
    fonts = typefaces.fonts_mapping(char, typefaces.unicode_fonts())
    return fonts[rng.integers(len(fonts))], char


def draw_glyph(rng: np.random.Generator, style: str) -> np.ndarray:
    """A glyph picked uniformly, in a random one of the fonts that map it."""
    font, char = pick_glyph(rng)
    return typefaces.draw_char(font, char, rng, STYLES[style].sample(rng))
