"""What is computed once per model version and kept: embeddings, prototypes, top inputs.

Some pictures of a network take seconds to compute (the last hidden layer of 60,000 training
digits, ten class prototypes) but never change while the network does not. They are computed on
first use and stored as `.npz` files, tried in this order:

1. beside the version, in `<version>/lab/`: a trained version's artefacts go when it is deleted;
2. in the cache directory beside MNIST (`lab/<name>-<digest>/`): for the shipped versions, whose
   directory is part of the package, and for a store on a read-only disk;
3. nowhere: when neither can be written, they are kept in this process's memory only.

Every file records the SHA-256 of the `model.keras` it was computed from; a file whose network
has since changed (a version written again under the same name) is computed afresh. Whatever
tier answers, the arrays are also kept in memory, so a version is read from disk at most once
per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model import data
from model.atomic import atomic_write

DIGEST_KEY = "model_digest"
_memory: dict[tuple, dict[str, np.ndarray]] = {}
_networks: dict[tuple, object] = {}
_locks: dict[tuple, threading.Lock] = {}
_locks_lock = threading.Lock()


def model_digest(version) -> str:
    """The first 16 hex digits of the SHA-256 of the version's `model.keras`."""
    return data.sha256_of(version.model_file)[:16]


def shared_root() -> Path:
    """The cache directory beside MNIST's (see `model.data.cache_dir`)."""
    return data.cache_dir().parent / "lab"


def directories(version, digest: str) -> list[Path]:
    """Where a version's artefacts may live, in the order they are tried. Nothing is written
    into a shipped version: its directory is part of the package."""
    shared = shared_root() / f"{version.name}-{digest}"
    return [shared] if version.shipped else [version.path / "lab", shared]


def read(path: Path, digest: str) -> dict[str, np.ndarray] | None:
    """The arrays of a cached file made from this network; None if absent, damaged or stale."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except Exception:  # absent, cut short, overwritten: numpy and zipfile raise many kinds
        return None
    if str(arrays.pop(DIGEST_KEY, "")) != digest:
        return None
    return arrays


def write(path: Path, arrays: dict[str, np.ndarray], digest: str) -> bool:
    """Write all or nothing; False if the place is not writable."""
    try:
        with atomic_write(path) as f:
            np.savez(f, **arrays, **{DIGEST_KEY: np.array(digest)})
        return True
    except OSError:
        return False


def _lock_for(key: tuple) -> threading.Lock:
    with _locks_lock:
        return _locks.setdefault(key, threading.Lock())


def cached(
    version, what: str, build: Callable[[], dict[str, np.ndarray]], network=None
) -> dict[str, np.ndarray]:
    """The arrays named `what` for this version: from memory, from disk, or built by `build()`
    and stored. Without a version (a network only in memory) they are kept in memory, keyed by
    the network object. Two sessions asking at once build them once."""
    if version is None:
        # Keyed by the object: it is kept alive with its arrays, so its id is never reused.
        key = ("memory", id(network), what)
        digest = None
        _networks[key] = network
    else:
        digest = model_digest(version)
        key = (str(version.path), digest, what)
    with _lock_for(key):
        if key in _memory:
            return _memory[key]
        arrays = None
        places = [] if version is None else directories(version, digest)
        places = [directory / f"{what}.npz" for directory in places]
        for path in places:
            arrays = read(path, digest)
            if arrays is not None:
                break
        if arrays is None:
            arrays = build()
            for path in places:
                if write(path, arrays, digest):
                    break
        _memory[key] = arrays
        return arrays


def forget() -> None:
    """Drop what is kept in memory (tests; the files stay)."""
    _memory.clear()
    _networks.clear()
