"""Non-digit drawings and typeface glyphs: reproducible, inked, drawn with the pen, kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.ndimage import distance_transform_edt
from skimage.morphology import skeletonize

from model import typefaces
from model.drawings import CANVAS, STYLES
from model.nondigits import (
    HELDOUT_KINDS,
    KINDS,
    TRAINING_KINDS,
    composites,
    glyphs,
    letters,
    make_nondigits,
    remixed,
    scribbles,
)
from model.preprocess import preprocess_batch
from model.typefaces import heldout_fonts, training_fonts, typeface_chars, typeface_digits

INK = 127  # a pixel at least half white is ink


def stroke_width(image: np.ndarray) -> float:
    """The ink's typical stroke width: twice the distance from its centre line to its edge."""
    ink = image > INK
    return 2 * float(np.median(distance_transform_edt(ink)[skeletonize(ink)]))


def ink(images: np.ndarray) -> np.ndarray:
    """Amount of ink per image, in white pixels' worth."""
    return images.reshape(len(images), -1).sum(axis=1) / 255.0


# --- Kinds --------------------------------------------------------------------------------


def test_training_and_heldout_kinds_are_disjoint_and_all_listed():
    assert not set(TRAINING_KINDS) & set(HELDOUT_KINDS)
    assert set(KINDS) == set(TRAINING_KINDS) | set(HELDOUT_KINDS)
    assert {"letters", "font_letters", "symbols", "shapes", "scribbles", "stray"} <= set(
        TRAINING_KINDS
    )
    assert "heldout_font_letters" in HELDOUT_KINDS and len(HELDOUT_KINDS) >= 4
    assert all(KINDS[kind] for kind in KINDS)


def test_same_seed_same_drawings_and_another_seed_others():
    first, kinds = make_nondigits(14, seed=5)
    again, kinds_again = make_nondigits(14, seed=5)
    other, _ = make_nondigits(14, seed=6)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(kinds, kinds_again)
    assert first.shape == (14, CANVAS, CANVAS) and first.dtype == np.uint8
    assert all((a != b).any() for a, b in zip(first, other, strict=True))


def test_kinds_cycle_evenly_in_the_order_given():
    chosen = ("shapes", "stray", "letters")
    _, kinds = make_nondigits(8, seed=0, kinds=chosen)
    assert kinds.tolist() == [chosen[i % 3] for i in range(8)]


def test_unknown_kind_or_style_is_refused():
    with pytest.raises(ValueError, match="unknown kinds"):
        make_nondigits(2, kinds=("letters", "digits"))
    with pytest.raises(ValueError, match="unknown style"):
        make_nondigits(2, style="huge")


@pytest.mark.parametrize("kind", TRAINING_KINDS + HELDOUT_KINDS)
def test_every_drawing_has_ink_and_survives_preprocessing(kind):
    images, _ = make_nondigits(24, seed=2, kinds=(kind,))
    assert (images.reshape(len(images), -1).max(axis=1) > 200).all()
    _, empty = preprocess_batch(images)
    assert empty.size == 0, f"{kind}: drawings {empty.tolist()} read as nothing drawn"


def test_style_changes_the_pen_not_the_drawing():
    thin, _ = make_nondigits(12, seed=4, style="thin")
    thick, _ = make_nondigits(12, seed=4, style="thick")
    assert (ink(thin) < ink(thick)).all()


def test_stray_marks_are_several_and_apart():
    rng = np.random.default_rng(0)
    for _ in range(200):
        for make in scribbles.STRAY.values():
            strokes = make(rng)
            assert len(strokes) >= 3
            assert scribbles.least_gap(strokes) >= scribbles.MARK_GAP  # none touch
            columns = np.floor(np.array([stroke.mean(axis=0)[0] for stroke in strokes]) * 3)
            assert len(set(columns)) > 1  # not stacked into a broken 1


# --- Typefaces ----------------------------------------------------------------------------


def test_training_fonts_are_matplotlibs_with_real_letters_and_digits():
    fonts = training_fonts()
    names = {font.stem for font in fonts}
    assert {"DejaVuSans", "DejaVuSerif", "STIXGeneral", "cmr10"} <= names
    assert not names & {"cmex10", "cmsy10", "LastResortHE-Regular", "DejaVuSansDisplay"}
    assert not any(name.startswith(("STIXNonUni", "STIXSiz")) for name in names)
    for font in fonts:  # every digit and letter is a glyph of its own, with ink
        assert typefaces.maps_latin(font)
        assert all(typefaces.glyph_strokes(font, char) for char in "0123456789AxK")


def test_heldout_fonts_share_nothing_with_training_fonts():
    held, trained = heldout_fonts(), training_fonts()
    assert len(held) >= 8
    assert not {font.name for font in held} & {font.name for font in trained}
    families = ("DejaVu", "STIX", "cm")
    assert not any(font.name.startswith(families) for font in held)


def test_missing_heldout_fonts_name_the_packages(monkeypatch):
    monkeypatch.setattr(
        typefaces, "HELDOUT_FONT_FILES", {"fonts-not-here": ("/nonexistent/Face.otf",)}
    )
    with pytest.raises(FileNotFoundError, match="apt-get install fonts-not-here"):
        heldout_fonts()
    with pytest.raises(FileNotFoundError, match="fonts-not-here"):
        make_nondigits(2, kinds=("greek",))


def test_glyph_strokes_fill_the_unit_box_and_absent_glyphs_are_empty():
    font = Path(training_fonts()[0])
    for char in "4Kx":
        points = np.concatenate(typefaces.glyph_strokes(font, char))
        assert points.min() >= 0.0 and points.max() <= 1.0 + 1e-9
        assert max(np.ptp(points[:, 0]), np.ptp(points[:, 1])) == pytest.approx(1.0)
    assert typefaces.glyph_strokes(font, "中") == ()


@pytest.mark.parametrize("pen_width", [10.0, 24.0])
def test_glyphs_are_redrawn_with_the_pen(pen_width):
    """A bold face comes out as thin as a thin pen draws it: the pen, not the type, sets it."""
    rng = np.random.default_rng(0)
    bold = next(font for font in training_fonts() if font.stem == "DejaVuSans-Bold")
    for font, char in [(bold, "H"), (bold, "4"), (training_fonts()[-1], "k")]:
        image = typefaces.draw_char(font, char, rng, {"pen_width": pen_width, "scale": 0.8})
        assert stroke_width(image) == pytest.approx(pen_width, rel=0.2), (font.name, char)


def test_typeface_digits_cycle_labels_and_reproduce():
    images, labels = typeface_digits(3, seed=1, fonts=training_fonts())
    assert images.shape == (30, CANVAS, CANVAS) and images.dtype == np.uint8
    assert labels.tolist() == list(range(10)) * 3
    again, _ = typeface_digits(3, seed=1, fonts=training_fonts())
    np.testing.assert_array_equal(images, again)
    _, empty = preprocess_batch(images)
    assert empty.size == 0


def test_typeface_chars_refuse_a_character_no_font_has():
    with pytest.raises(ValueError, match="none of the"):
        typeface_chars("中", 1, seed=0, fonts=training_fonts())


def test_wide_glyphs_are_sized_by_their_longest_side():
    """An m or a wave scaled by its height alone would run off the canvas."""
    params = {**STYLES["mixed"].sample(np.random.default_rng(0)), "scale": 0.6, "aspect": 1.0}
    params.update(slant=0.0, rotation_deg=0.0, center=(0.5, 0.5), pen_width=12.0)
    wide = [np.array([[0.0, 0.45], [1.0, 0.55]])]
    image = typefaces.render_sized(wide, params)
    cols = np.flatnonzero((image > INK).any(axis=0))
    assert cols[-1] - cols[0] + 1 == pytest.approx(0.6 * CANVAS + 12.0, abs=4)


# --- Glyphs -------------------------------------------------------------------------------


def test_glyphs_are_many_and_none_is_held_out_or_a_number():
    import unicodedata

    chars = glyphs.GLYPHS
    assert len(chars) >= 1000 and len(set(chars)) == len(chars)
    assert KINDS["glyphs"] == tuple(chars) and "glyphs" in TRAINING_KINDS
    heldout = set(glyphs.MATH) | set(glyphs.GREEK) | set(letters.LATIN_LETTERS)
    for char in chars:
        code, name = ord(char), unicodedata.name(char)
        assert not (0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF), char  # Greek
        assert not (0x2200 <= code <= 0x22FF or 0x27C0 <= code <= 0x27EF), char  # math
        assert not (0x2980 <= code <= 0x2AFF or 0x1D400 <= code <= 0x1D7FF), char
        assert not (0x2600 <= code <= 0x26FF or 0x1D100 <= code <= 0x1D1FF), char  # doodles, music
        assert not 0x2150 <= code <= 0x218F, char  # number forms
        assert unicodedata.category(char)[0] not in "NMZC", char
        assert not {"DIGIT", "NUMBER", "FRACTION"} & set(name.split()), char
        assert char not in heldout
        assert glyphs.excluded_by_name(char) is None, char
        assert typefaces.fonts_mapping(char, typefaces.unicode_fonts())


def test_name_rule_drops_digits_and_lookalikes():
    for char in "٣٤٥٧٨٩३۴①❶½ⅠЗзбЧʒƽƧӡßØ∃∑αΩµ♪☀∀ℵ↑↗":
        assert glyphs.excluded_by_name(char) is not None, char
    for char in "ЖЯдшאבשضعᚠⴵ→↔■▲✖⠟":
        assert glyphs.excluded_by_name(char) is None, char


def test_stored_glyphs_pass_the_pen_rule_for_a_sample():
    """A sample of the stored list is drawn, and none correlates with a digit above threshold."""
    sample = glyphs.GLYPHS[:: len(glyphs.GLYPHS) // 12][:12]
    scores = glyphs.score_glyphs(sample)
    for char, score in scores.items():
        assert score is not None and score[0] < glyphs.GLYPH_THRESHOLD, (char, score)
    digit_like = glyphs.score_glyphs("ɜ")  # a reversed open e, a 3 in any font
    assert digit_like["ɜ"] is None or digit_like["ɜ"][0] >= 0.6


def test_glyphs_kind_reproduces_by_seed():
    first, kinds = make_nondigits(6, seed=3, kinds=("glyphs",))
    again, _ = make_nondigits(6, seed=3, kinds=("glyphs",))
    np.testing.assert_array_equal(first, again)
    assert set(kinds) == {"glyphs"}


# --- Composites ---------------------------------------------------------------------------


def test_composites_put_two_parts_side_by_side_or_stacked_in_the_unit_box():
    rng = np.random.default_rng(3)
    for _ in range(60):
        points = np.concatenate(composites.composite(rng))
        assert points.min() >= -0.35 and points.max() <= 1.35  # overlaid parts may shift a little
    left = composites.placed([np.array([[0, 0], [1, 2]])], (0, 0, 0.5, 1))
    assert np.allclose(np.ptp(left[0], axis=0), [0.5, 1.0])  # fitted, shape kept
    assert np.allclose(left[0].mean(axis=0), [0.25, 0.5])  # centred in its box


def test_a_filled_shape_is_hatched_inside_its_outline_only():
    square = [np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)]
    strokes = composites.filled(square, np.random.default_rng(0))
    hatch = np.concatenate(strokes[1:])
    assert len(strokes) > 10  # many lines across
    assert hatch.min() >= -1e-9 and hatch.max() <= 1 + 1e-9


def test_composites_that_look_like_a_digit_are_drawn_again():
    from model.drawings import TEMPLATES

    assert all(composites.digit_like(TEMPLATES[digit][0]) for digit in range(10))
    rng = np.random.default_rng(7)
    drawn = [composites.composite(rng) for _ in range(40)]
    kept = [strokes for strokes in drawn if not composites.digit_like(strokes)]
    assert len(kept) >= 20  # most composites are nothing like a digit
    images, _ = make_nondigits(20, seed=9, kinds=("composites",))
    x, _ = preprocess_batch(images)
    correlations = composites.reference_digits() @ np.stack([glyphs.blurred(i) for i in x]).T
    assert correlations.max() < 0.9  # as drawn (jittered, any pen), still far from every digit


# --- Remixed digits -------------------------------------------------------------------------


def test_a_digit_cut_and_moved_keeps_its_ink_but_not_its_shape():
    from model.drawings import TEMPLATES, densify

    rng = np.random.default_rng(2)
    seven = composites.unit_box(TEMPLATES[7][0])
    for _ in range(20):
        pieces = remixed.cut_and_moved(seven, rng)
        assert len(pieces) == 2  # one stroke, cut once
        kept, piece = pieces
        assert np.allclose(kept[0], seven[0][0])  # the first part stays where it was
        # The piece is as long as before the move (turned about its middle), which moved
        # 0.3-0.5 away.
        whole = np.hypot(*np.diff(seven[0], axis=0).T).sum()
        parts = sum(np.hypot(*np.diff(p, axis=0).T).sum() for p in pieces)
        assert np.isclose(parts, whole, rtol=0.02)
        before = densify(seven[0], 0.02)[-len(piece) :]
        assert 0.3 - 1e-9 <= np.hypot(*(piece.mean(axis=0) - before.mean(axis=0))) <= 0.5 + 1e-9
        # ... and turned by 60-120 degrees: its chord points another way.
        was, now = before[-1] - before[0], piece[-1] - piece[0]
        cosine = was @ now / np.linalg.norm(was) / np.linalg.norm(now)
        assert np.cos(np.deg2rad(120)) - 1e-9 <= cosine <= np.cos(np.deg2rad(60)) + 1e-9


def test_remixed_digits_are_never_a_lone_bar_nor_digit_like():
    rng = np.random.default_rng(5)
    remixes = [remixed.remix(rng) for _ in range(40)]
    assert sum(composites.digit_like(r, remixed.REMIX_THRESHOLD) for r in remixes) >= 5
    for _ in range(30):  # what is drawn: none of those
        strokes = remixed.remixed_strokes(rng)
        extent = np.ptp(np.concatenate(strokes), axis=0)
        assert extent.min() >= 0.25 * extent.max()
        assert not composites.digit_like(strokes, remixed.REMIX_THRESHOLD)
    images, kinds = make_nondigits(10, seed=5, kinds=("remixed",))
    assert set(kinds) == {"remixed"} and preprocess_batch(images)[1].size == 0


def test_every_kind_and_style_has_words_for_a_visitor():
    """A kind added without its words would show as the code spells it ("heldout_font_letters")."""
    from model.drawings import STYLE_WORDS
    from model.nondigits import KIND_WORDS

    assert set(KIND_WORDS) == set(TRAINING_KINDS + HELDOUT_KINDS)
    assert all("_" not in words for words in KIND_WORDS.values())
    assert all("_" not in STYLE_WORDS.get(style, style) for style in STYLES)
