"""The user's own labelled drawings: saved only when they say "Wrong? It's a _".

Each drawing is one small `.npz` file in `<store root>/my-drawings/` (by default
~/.local/share/digit-studio/my-drawings, on the machine running the app, shared by everyone who
uses it; nothing is sent elsewhere):
the 28x28 the network read, the raw canvas in grayscale, the label, and when it was saved. A file is
written to a temporary name and renamed into place, so a crash, a full disk or a read-only disk
never leaves a half-written drawing and never touches the drawings already saved.

Reading checks every file before use: a zip archive of the four arrays, each `.npy` header's dtype
and shape checked before its data is read (a damaged header cannot make us allocate gigabytes),
the label -1..9 (-1: "not a digit") in any integer type, the time a real date. A file that fails is
reported as damaged, by name, with the reason, and can still be deleted.
"""

from __future__ import annotations

import math
import re
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.atomic import atomic_write
from model.calibration import NOT_A_DIGIT

ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")
MAX_FILE_BYTES = 1 << 20  # a saved drawing is a few KB (a 280x280 canvas, compressed)
MAX_RAW_SIDE = 4096  # the raw canvas's longest side; the Draw page's is 280
LABELS = range(NOT_A_DIGIT, 10)  # -1: "not a digit"
LATEST_TIME = 253402300799.0  # 9999-12-31: later times cannot be shown as dates


def label_text(label: int) -> str:
    """How a label reads in a sentence: "a 7", "an 8", or "not a digit"."""
    if label == NOT_A_DIGIT:
        return "not a digit"
    return f"an {label}" if label == 8 else f"a {label}"


class CorrectionsError(RuntimeError):
    """A drawing that cannot be saved, found or exported; the message says why."""


@dataclass(frozen=True)
class Correction:
    """One drawing the user saved with its right label: a correction of the network."""

    id: str
    label: int  # 0-9, or -1 for "not a digit"
    image: np.ndarray  # (28, 28) uint8, what the network read
    raw: np.ndarray  # (H, W) uint8 grayscale canvas, white on black
    created: float


def label_counts(drawings: list[Correction]) -> dict[int, int]:
    """How many drawings carry each label, digits in order then -1 ("not a digit"); labels no
    drawing carries are left out."""
    counts = np.bincount([d.label - NOT_A_DIGIT for d in drawings], minlength=11)
    order = [*range(10), NOT_A_DIGIT]
    return {
        label: int(counts[label - NOT_A_DIGIT]) for label in order if counts[label - NOT_A_DIGIT]
    }


@dataclass(frozen=True)
class DamagedCorrection:
    """A file in the corrections directory that cannot be read as a correction, and why."""

    id: str
    file: str  # its name, for the message
    problem: str


def _read_npy(archive: zipfile.ZipFile, key: str, dtype_ok, shape_ok, wanted: str) -> np.ndarray:
    """One array of the archive, its header checked before its data is read."""
    try:
        info = archive.getinfo(f"{key}.npy")
    except KeyError:
        raise CorrectionsError(f"it has no '{key}' array") from None
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        if dtype.hasobject or not dtype_ok(dtype) or not shape_ok(shape):
            raise CorrectionsError(f"its '{key}' must be {wanted}, not {dtype} {shape}")
        size = math.prod(shape) * dtype.itemsize
        data = member.read(size)
    if len(data) != size:
        raise CorrectionsError(f"its '{key}' array is cut short")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")


def read_correction(path: Path, drawing_id: str) -> Correction:
    """The drawing in `path`, checked; CorrectionsError saying what is wrong otherwise."""
    size = path.stat().st_size
    if size == 0:
        raise CorrectionsError("it is empty")
    if size > MAX_FILE_BYTES:
        raise CorrectionsError(f"it is larger than {MAX_FILE_BYTES // 1024} KB")
    try:
        with zipfile.ZipFile(path) as archive:
            image = _read_npy(
                archive,
                "image",
                lambda d: d == np.uint8,
                lambda s: s == (28, 28),
                "uint8 of shape (28, 28)",
            )
            raw = _read_npy(
                archive,
                "raw",
                lambda d: d == np.uint8,
                lambda s: len(s) == 2 and min(s) > 0 and max(s) <= MAX_RAW_SIDE,
                f"uint8 (H, W) with sides 1-{MAX_RAW_SIDE}",
            )
            label = _read_npy(
                archive,
                "label",
                lambda d: d.kind in "iu",
                lambda s: math.prod(s) == 1,
                "one integer",
            )
            created = _read_npy(
                archive,
                "created",
                lambda d: d.kind in "iuf",
                lambda s: math.prod(s) == 1,
                "one number",
            )
    except CorrectionsError:
        raise
    except zipfile.BadZipFile as err:
        if "CRC" in str(err):
            raise CorrectionsError("its content is damaged (a checksum fails)") from err
        raise CorrectionsError("it is cut short, or not a drawing file at all") from err
    except Exception as err:
        # zipfile, zlib and numpy's header parser raise many kinds for a damaged archive
        # (EOFError, zlib.error, ValueError, NotImplementedError, ...).
        raise CorrectionsError(f"its content is damaged ({type(err).__name__})") from err
    label_value, when = int(label.reshape(-1)[0]), float(created.reshape(-1)[0])
    if label_value not in LABELS:
        raise CorrectionsError(f"its label {label_value} is not -1 to 9")
    if not 0 <= when <= LATEST_TIME:  # NaN fails too
        raise CorrectionsError(f"its time {when} is not a date")
    return Correction(drawing_id, label_value, image, raw, when)


class Corrections:
    """A directory of labelled drawings."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _path(self, drawing_id: str) -> Path:
        if not ID_PATTERN.match(drawing_id):
            raise CorrectionsError(f"no saved drawing {drawing_id!r}")
        return self.directory / f"{drawing_id}.npz"

    def save(self, image28: np.ndarray, raw_gray: np.ndarray, label: int) -> str:
        """Save one drawing with its right label; returns its id."""
        if image28 is None or raw_gray is None:
            raise CorrectionsError("nothing is drawn, so there is nothing to save")
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
            raise CorrectionsError(f"the label must be a digit 0-9 or -1, not {label!r}")
        if not NOT_A_DIGIT <= int(label) <= 9:
            raise CorrectionsError(
                f"the label must be a digit 0-9 or -1 (not a digit), not {label}"
            )
        image = np.asarray(image28)
        if image.shape != (28, 28):
            raise CorrectionsError(f"expected a 28x28 image, got {image.shape}")
        if image.dtype != np.uint8:
            image = (np.clip(image, 0, 1) * 255).round().astype(np.uint8)
        drawing_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        target = self._path(drawing_id)
        try:
            with atomic_write(target) as file:
                np.savez_compressed(
                    file,
                    image=image,
                    raw=np.asarray(raw_gray, dtype=np.uint8),
                    label=np.int8(label),  # -1: not a digit
                    created=np.float64(time.time()),
                )
        except OSError as err:
            raise CorrectionsError(
                f"could not save the drawing in {self.directory}: {err.strerror or err}"
            ) from err
        return drawing_id

    def _read(self, drawing_id: str) -> Correction:
        """The drawing; CorrectionsError with the reason alone (FileNotFoundError if gone)."""
        try:
            return read_correction(self._path(drawing_id), drawing_id)
        except FileNotFoundError:
            raise
        except OSError as err:
            raise CorrectionsError(err.strerror or str(err)) from err

    def load(self, drawing_id: str) -> Correction:
        try:
            return self._read(drawing_id)
        except FileNotFoundError as err:
            raise CorrectionsError(f"no saved drawing {drawing_id!r}") from err
        except CorrectionsError as err:
            raise CorrectionsError(f"saved drawing {drawing_id}.npz is unreadable: {err}") from err

    def ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.npz") if ID_PATTERN.match(p.stem))

    def scan(self) -> tuple[list[Correction], list[DamagedCorrection]]:
        """(every readable saved drawing, oldest first; every damaged one, with its reason)."""
        found, damaged = [], []
        for drawing_id in self.ids():
            try:
                found.append(self._read(drawing_id))
            except FileNotFoundError:
                continue  # deleted meanwhile
            except CorrectionsError as err:
                damaged.append(DamagedCorrection(drawing_id, f"{drawing_id}.npz", str(err)))
        return found, damaged

    def all(self) -> list[Correction]:
        """Every readable saved drawing, oldest first (damaged files are skipped)."""
        return self.scan()[0]

    def delete(self, drawing_id: str) -> None:
        try:
            self._path(drawing_id).unlink()
        except FileNotFoundError as err:
            raise CorrectionsError(f"no saved drawing {drawing_id!r}") from err

    def delete_all(self) -> int:
        ids = self.ids()
        for drawing_id in ids:
            self._path(drawing_id).unlink(missing_ok=True)
        return len(ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(images (N, 28, 28) uint8, labels (N,) int8, -1 = not a digit) of every saved drawing."""
        saved = self.all()
        if not saved:
            return np.zeros((0, 28, 28), np.uint8), np.zeros((0,), np.int8)
        return np.stack([d.image for d in saved]), np.array([d.label for d in saved], np.int8)

    def export_npz(self, path: Path) -> int:
        """Write `images` and `labels` (the format `python -m model evaluate --npz` reads)."""
        from model.drawings import save_npz

        images, labels = self.arrays()
        save_npz(Path(path), images, labels)
        return len(labels)
