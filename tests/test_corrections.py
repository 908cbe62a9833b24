"""model.serving.corrections: the user's labelled drawings, saved only on request, all or none."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from model import atomic
from model.serving.corrections import Corrections, CorrectionsError, label_counts


def image28(value: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.zeros((28, 28), np.uint8)
    image[6:22, 10:18] = value
    image[rng.integers(28), rng.integers(28)] = 255
    return image


def raw(seed: int = 0) -> np.ndarray:
    gray = np.zeros((280, 280), np.uint8)
    gray[60:220, 100:180] = 255
    gray[seed % 280, 0] = 7
    return gray


@pytest.fixture
def store(tmp_path) -> Corrections:
    return Corrections(tmp_path / "my-drawings")


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_save_list_load_delete(store):
    assert store.ids() == [] and store.all() == []  # the directory need not exist yet
    first = store.save(image28(seed=1), raw(1), 3)
    second = store.save(image28(seed=2).astype(np.float32) / 255.0, raw(2), np.int64(8))
    assert store.ids() == sorted([first, second])
    assert files(store.directory) == sorted([f"{first}.npz", f"{second}.npz"])

    loaded = store.load(first)
    assert loaded.id == first and loaded.label == 3
    assert loaded.image.dtype == np.uint8 and loaded.image.shape == (28, 28)
    assert np.array_equal(loaded.image, image28(seed=1))
    assert np.array_equal(loaded.raw, raw(1)) and loaded.raw.dtype == np.uint8
    assert loaded.created > 0
    # A float image in [0, 1] is stored as uint8.
    assert np.array_equal(store.load(second).image, image28(seed=2))
    assert [d.label for d in store.all()] == [3, 8] or [d.label for d in store.all()] == [8, 3]

    store.delete(first)
    assert store.ids() == [second]
    with pytest.raises(CorrectionsError):
        store.delete(first)
    with pytest.raises(CorrectionsError):
        store.load(first)


def test_delete_all(store):
    for digit in range(4):
        store.save(image28(seed=digit), raw(digit), digit)
    assert store.delete_all() == 4
    assert store.ids() == [] and files(store.directory) == []
    assert store.delete_all() == 0


def test_ids_that_are_not_ids_are_refused(store):
    store.save(image28(), raw(), 1)
    for bad in ("../outside", "x", "", "20250101-000000-zzzzzzzz"):
        with pytest.raises(CorrectionsError):
            store.load(bad)
        with pytest.raises(CorrectionsError):
            store.delete(bad)
    assert len(store.ids()) == 1


def test_unreadable_files_are_skipped(store):
    kept = store.save(image28(), raw(), 5)
    (store.directory / "20250101-000000-0badf00d.npz").write_bytes(b"not a zip")
    (store.directory / "notes.txt").write_text("hello")
    assert [d.id for d in store.all()] == [kept]
    with pytest.raises(CorrectionsError, match="unreadable"):
        store.load("20250101-000000-0badf00d")


def test_export_round_trips_in_the_evaluate_format(store, tmp_path):
    from model.__main__ import load_npz_set

    labels = [7, 1, 0, 9]
    for index, digit in enumerate(labels):
        store.save(image28(seed=index), raw(index), digit)
    out = tmp_path / "export" / "mine.npz"
    assert store.export_npz(out) == 4
    with np.load(out) as f:
        assert set(f.files) == {"images", "labels"}
        assert f["images"].dtype == np.uint8 and f["images"].shape == (4, 28, 28)
        assert sorted(f["labels"].tolist()) == sorted(labels)
        expected = {int(d.label): d.image for d in store.all()}
        for image, label in zip(f["images"], f["labels"], strict=True):
            assert np.array_equal(image, expected[int(label)])
    images, got = load_npz_set(out)  # what `python -m model evaluate --npz` reads
    assert len(images) == 4 and sorted(got.tolist()) == sorted(labels)
    assert [p.name for p in out.parent.iterdir()] == ["mine.npz"]  # no temp file left


def test_export_of_nothing_is_an_empty_set(store, tmp_path):
    assert store.export_npz(tmp_path / "none.npz") == 0
    with np.load(tmp_path / "none.npz") as f:
        assert f["images"].shape == (0, 28, 28) and f["labels"].shape == (0,)


def test_a_drawing_that_is_not_a_digit_is_saved_with_label_minus_one(store, tmp_path):
    store.save(image28(), raw(), -1)
    store.save(image28(), raw(), 4)
    assert sorted(d.label for d in store.all()) == [-1, 4]
    images, labels = store.arrays()
    assert sorted(labels.tolist()) == [-1, 4] and images.shape == (2, 28, 28)
    store.export_npz(tmp_path / "mine.npz")
    from model.__main__ import load_npz_set

    _, got = load_npz_set(tmp_path / "mine.npz")  # evaluate --npz reads -1: not a digit
    assert sorted(got.tolist()) == [-1, 4]


@pytest.mark.parametrize("label", [10, -2, "3", True, False, 3.0, None])
def test_a_label_that_is_not_a_digit_is_refused(store, label):
    with pytest.raises(CorrectionsError, match="label must be a digit"):
        store.save(image28(), raw(), label)
    assert files(store.directory) == []


def test_nothing_drawn_is_refused(store):
    with pytest.raises(CorrectionsError, match="nothing is drawn"):
        store.save(None, raw(), 3)
    with pytest.raises(CorrectionsError, match="nothing is drawn"):
        store.save(image28(), None, 3)
    with pytest.raises(CorrectionsError, match="28x28"):
        store.save(np.zeros((20, 20), np.uint8), raw(), 3)
    assert store.ids() == []


def crash(*args, **kwargs):
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize(
    ("target", "name"),
    [(np, "savez_compressed"), (os, "replace")],
    ids=["mid-write", "at-rename"],
)
def test_a_failed_write_leaves_nothing_behind(store, monkeypatch, target, name):
    kept = store.save(image28(), raw(), 4)
    before = files(store.directory)
    monkeypatch.setattr(target, name, crash)
    with pytest.raises(CorrectionsError, match="could not save"):
        store.save(image28(seed=9), raw(9), 6)
    monkeypatch.undo()
    assert files(store.directory) == before  # no new drawing, no temp file
    assert store.ids() == [kept] and store.load(kept).label == 4


def test_a_crash_mid_write_never_shows_a_half_drawing(store, monkeypatch):
    """An exception that is not a disk error (the process dying mid-write) escapes as it is, but
    the half-written file never appears as a drawing, and the saved ones are untouched."""
    kept = store.save(image28(), raw(), 4)

    def die(file, **arrays):
        file.write(b"PK\x03\x04half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", die)
    with pytest.raises(KeyboardInterrupt):
        store.save(image28(seed=9), raw(9), 6)
    monkeypatch.undo()
    assert store.ids() == [kept] and [d.id for d in store.all()] == [kept]
    assert [p for p in files(store.directory) if p.endswith(".npz")] == [f"{kept}.npz"]


def test_a_crash_mid_write_leaves_no_temp_file(store, monkeypatch):
    kept = store.save(image28(), raw(), 4)

    def die(file, **arrays):
        file.write(b"PK\x03\x04half a zip")
        raise RuntimeError("the writer died")

    monkeypatch.setattr(np, "savez_compressed", die)
    with pytest.raises(RuntimeError):
        store.save(image28(seed=9), raw(9), 6)
    monkeypatch.undo()
    assert files(store.directory) == [f"{kept}.npz"]


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "Read-only file system"), (errno.ENOSPC, "No space left on device")],
)
def test_a_read_only_or_full_disk_is_a_clear_error(store, monkeypatch, code, words):
    kept = store.save(image28(), raw(), 2)

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(CorrectionsError) as caught:
        store.save(image28(seed=3), raw(3), 7)
    monkeypatch.undo()
    message = str(caught.value)
    assert words in message and str(store.directory) in message
    assert files(store.directory) == [f"{kept}.npz"]
    assert store.load(kept).label == 2


def test_a_directory_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(CorrectionsError, match="could not save"):
        Corrections(blocker / "my-drawings").save(image28(), raw(), 1)


def test_label_counts_digits_in_order_then_not_a_digit(store):
    for label in (7, -1, 2, 7, -1, 7):
        store.save(image28(seed=label + 5), raw(), label)
    assert list(label_counts(store.all()).items()) == [(2, 1), (7, 3), (-1, 2)]
    assert label_counts([]) == {}
