"""The user's own labelled drawings: saved only when they say "Wrong? It's a _".

Each drawing is one small `.npz` file in `<store root>/my-drawings/` (by default
~/.local/share/digit-studio/my-drawings, on the machine running the app; nothing is sent anywhere):
the 28x28 the network read, the raw canvas in grayscale, the label, and when it was saved. A file is
written to a temporary name and renamed into place, so a crash, a full disk or a read-only disk
never leaves a half-written drawing and never touches the drawings already saved.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.calibration import NOT_A_DIGIT

ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")


def label_text(label: int) -> str:
    """How a saved label reads in a sentence: "a 7", or "not a digit"."""
    return "not a digit" if label == NOT_A_DIGIT else f"a {label}"


class CorrectionsError(RuntimeError):
    """A drawing that cannot be saved, found or exported; the message says why."""


@dataclass(frozen=True)
class SavedDrawing:
    id: str
    label: int
    image: np.ndarray  # (28, 28) uint8, what the network read
    raw: np.ndarray  # (H, W) uint8 grayscale canvas, white on black
    created: float


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
        staged = self.directory / f".{drawing_id}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(staged, "wb") as f:
                np.savez_compressed(
                    f,
                    image=image,
                    raw=np.asarray(raw_gray, dtype=np.uint8),
                    label=np.int8(label),  # -1: not a digit
                    created=np.float64(time.time()),
                )
                f.flush()
                os.fsync(f.fileno())
            os.replace(staged, target)
        except BaseException as err:
            with contextlib.suppress(OSError):  # the directory itself may be what failed
                staged.unlink(missing_ok=True)
            if isinstance(err, OSError):
                raise CorrectionsError(
                    f"could not save the drawing in {self.directory}: {err.strerror or err}"
                ) from err
            raise
        return drawing_id

    def load(self, drawing_id: str) -> SavedDrawing:
        try:
            with np.load(self._path(drawing_id)) as f:
                return SavedDrawing(
                    drawing_id, int(f["label"]), f["image"], f["raw"], float(f["created"])
                )
        except (OSError, KeyError, ValueError) as err:
            raise CorrectionsError(f"saved drawing {drawing_id} is unreadable: {err}") from err

    def ids(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.npz") if ID_PATTERN.match(p.stem))

    def all(self) -> list[SavedDrawing]:
        """Every readable saved drawing, oldest first (unreadable files are skipped)."""
        found = []
        for drawing_id in self.ids():
            try:
                found.append(self.load(drawing_id))
            except CorrectionsError:
                continue
        return found

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
