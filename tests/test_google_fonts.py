"""Google Fonts typefaces from npm: checked faces, two pools that never overlap, real digits in
each; the held-out pool's test set; a damaged face is fetched again, never used."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from model import data, google_fonts, typefaces
from model.testsets import TYPEFACES_PER_DIGIT, typefaces_test


def test_the_pools_never_overlap_and_every_face_is_verified():
    assert not set(google_fonts.TRAINING) & set(google_fonts.HELDOUT)
    assert len(google_fonts.TRAINING) >= 90 and len(google_fonts.HELDOUT) >= 40
    directory = google_fonts.ensure_files()
    checksums = {
        google_fonts.woff_name(family): sha for family, (_, sha) in google_fonts.FAMILIES.items()
    }
    assert data.verify(directory, checksums) == []
    for face in google_fonts.training_faces() + google_fonts.heldout_faces():
        assert face.suffix == ".ttf" and face.is_file()


@pytest.mark.parametrize("pool", ["TRAINING", "HELDOUT"])
def test_every_face_draws_ten_distinct_digits(pool):
    faces = google_fonts.faces(getattr(google_fonts, pool))
    for face in faces:
        table = typefaces.character_map(face)
        glyphs = [table.get(ord(digit), 0) for digit in typefaces.DIGITS]
        assert all(glyphs) and len(set(glyphs)) == 10, face.stem
        for digit in typefaces.DIGITS:
            assert typefaces.glyph_strokes(face, digit), f"{face.stem} {digit}"


def test_the_typeface_test_set_draws_every_heldout_family_alike():
    testset = typefaces_test()
    families = len(google_fonts.HELDOUT)
    assert len(testset.labels) == 10 * 5 * TYPEFACES_PER_DIGIT
    assert families == TYPEFACES_PER_DIGIT  # one of each digit per family and style
    drawn = Counter(zip(testset.styles, testset.labels, strict=True))
    assert set(testset.styles) == set(google_fonts.HELDOUT)
    assert set(drawn.values()) == {5}  # every family, every digit, in each of the 5 styles
    assert testset.inputs.shape == (len(testset.labels), 28, 28)
    ink = testset.inputs.reshape(len(testset.labels), -1).max(axis=1)
    assert (ink > 0.5).all()  # every drawing has ink after the canvas preprocessing


@pytest.mark.slow
def test_a_damaged_face_is_fetched_again(tmp_path: Path, monkeypatch):
    """Really runs `npm pack`, for the one damaged family only."""
    shutil.which("npm") or pytest.skip("npm is not installed")
    source = google_fonts.ensure_files()
    copy = tmp_path / "data" / "google-fonts"
    shutil.copytree(source, copy)
    family = next(iter(google_fonts.HELDOUT))
    woff = copy / google_fonts.woff_name(family)
    woff.write_bytes(woff.read_bytes()[:1000])
    (copy / google_fonts.truetype_name(family)).unlink()
    monkeypatch.setenv("DIGIT_STUDIO_DATA", str(tmp_path / "data"))
    assert google_fonts.ensure_files() == copy
    assert data.sha256_of(woff) == google_fonts.FAMILIES[family][1]
    assert (copy / google_fonts.truetype_name(family)).is_file()
    assert not list(copy.glob(".fetch-*"))
    strokes = typefaces.glyph_strokes(copy / google_fonts.truetype_name(family), "7")
    assert strokes and np.concatenate(strokes).size > 0
