"""Digits drawn along stroke fonts' paths: real glyphs, fetched and checked, drawn as the canvas
draws; two pools that never overlap; a damaged font file is never used."""

from __future__ import annotations

import numpy as np
import pytest

from model import data, stroke_fonts
from model.preprocess import preprocess_batch
from model.stroke_fonts import HELDOUT_FONTS, TRAINING_FONTS, parse_path, stroke_font_digits
from model.testsets import stroke_fonts_test


def test_the_pools_never_overlap_and_each_font_has_digits_of_its_own():
    assert not set(TRAINING_FONTS) & set(HELDOUT_FONTS)
    shapes = {}
    for font in TRAINING_FONTS + HELDOUT_FONTS:
        digits = stroke_fonts.digit_strokes(font)
        assert len(digits) == 10
        for strokes in digits:
            points = np.concatenate(strokes)
            assert points.min(axis=0)[0] == pytest.approx(0.0)
            assert (points[:, 1].min(), points[:, 1].max()) == pytest.approx((0.0, 1.0))
        # A font repeating another's digits would add nothing to its pool.
        key = tuple(np.concatenate(s).round(3).tobytes() for s in digits)
        assert key not in shapes, f"{font} draws the digits of {shapes.get(key)}"
        shapes[key] = font


def test_paths_of_both_formats_are_parsed():
    hershey = parse_path("M6,5 L8,4 11,1 11,22 M10,2 L10,22")
    assert [s.tolist() for s in hershey] == [
        [[6, 5], [8, 4], [11, 1], [11, 22]],
        [[10, 2], [10, 22]],
    ]
    svg = parse_path("M 444 665 L 403 592 L 295.5 362", y_up=True)
    assert len(svg) == 1 and svg[0].tolist() == [[444, -665], [403, -592], [295.5, -362]]


def test_the_glyphs_are_the_digits_they_claim():
    """A 1 is tall and narrow, a 0 a closed loop, a 7 has its bar on top: the characters were
    read at the right codes, in every font, the right way up."""
    for font in TRAINING_FONTS + HELDOUT_FONTS:
        digits = stroke_fonts.digit_strokes(font)
        one = np.concatenate(digits[1])
        assert np.ptp(one[:, 0]) < 0.75 * np.ptp(one[:, 1]), font
        seven = np.concatenate(digits[7])
        top = seven[seven[:, 1] < 0.15]
        assert np.ptp(top[:, 0]) > 0.35, f"{font}: a 7 without its bar on top"


def test_drawings_are_reproducible_and_drawn_like_the_canvas():
    first = stroke_font_digits(3, seed=5, fonts=HELDOUT_FONTS, style="thick")
    again = stroke_font_digits(3, seed=5, fonts=HELDOUT_FONTS, style="thick")
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    images, labels, fonts = first
    assert images.shape == (30, 280, 280) and images.dtype == np.uint8
    assert labels.tolist() == list(range(10)) * 3
    assert set(fonts) <= set(HELDOUT_FONTS)
    _, empty = preprocess_batch(images)
    assert len(empty) == 0
    other = stroke_font_digits(3, seed=6, fonts=HELDOUT_FONTS, style="thick")[0]
    assert not np.array_equal(images, other)


def test_the_test_set_draws_only_held_out_fonts():
    testset = stroke_fonts_test()
    assert len(testset.labels) == 2000
    assert set(testset.styles) == set(HELDOUT_FONTS)
    assert np.bincount(testset.labels).tolist() == [200] * 10


def test_a_damaged_font_file_is_removed_and_fetched_again(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGIT_STUDIO_DATA", str(tmp_path))
    directory = stroke_fonts.fonts_dir()
    directory.mkdir(parents=True)
    for name in stroke_fonts.CHECKSUMS:
        (directory / name).write_bytes(b"not a font")

    def offline(target):
        raise data.DataUnavailable("npm is offline in this test")

    monkeypatch.setattr(stroke_fonts, "fetch", offline)
    with pytest.raises(data.DataUnavailable):
        stroke_fonts.ensure_files()
    assert not any(directory.iterdir()), "a damaged file is never left to be used"
