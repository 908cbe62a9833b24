"""Writing a file all or nothing: every file the project writes goes through `atomic_write`.

A reader (another session, the app while the CLI trains, a cache lookup after a crash) must see
the old file or the new one, never half of one. So the bytes go to a hidden temporary file beside
the destination, are flushed to disk, and the file is then renamed over the destination: a rename
within one directory is atomic on POSIX file systems.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a stand-in for `path` to write to; it replaces `path` when the block ends cleanly.

    If the block raises (or the process dies), the stand-in is removed (or left hidden, its name
    starting with a dot) and `path` is as it was. The parent directory is created if missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(staged, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(staged)
        raise


def write_json(path: str | os.PathLike, data: object) -> None:
    """`data` as indented JSON at `path`, written all or nothing."""
    with atomic_write(path, "w") as file:
        json.dump(data, file, indent=1)
