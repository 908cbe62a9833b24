"""The model store: trained versions on disk, which one is active, and rollback.

    <root>/versions/<name>/model.keras   the network
    <root>/versions/<name>/history.json  per-epoch loss and accuracy, train and validation
    <root>/versions/<name>/meta.json     architecture, parameters, data checksum, accuracy, time...
    <root>/active                        the active version's name
    <root>/.staging-<pid>-*/             versions being written by process <pid>

A version is written into a staging directory and renamed into place in one step, so a crash or a
kill mid-training leaves no half version (staging directories of dead processes are swept on open).
The shipped versions live read-only in the package (`model/shipped/`); they are always listed and
are what the app falls back to when the active version is missing or broken. Version names are
checked against a strict pattern, so a name from a user can never become a path outside the store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from model.atomic import atomic_write
from model.serving.schema import Invalid, check_history, check_meta

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "shipped"
DEFAULT_VERSION = "default"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}\Z")  # \Z: no trailing newline
FILES = ("model.keras", "history.json", "meta.json")
LITE_FILE = "model.tflite"  # optional: model.keras as float TFLite, which the app serves
MAX_JSON_BYTES = 1 << 20  # meta.json and history.json are a few KB; more is not ours


class StoreError(RuntimeError):
    """A version that does not exist, is broken, or cannot be written."""


def default_root() -> Path:
    """$DIGIT_STUDIO_HOME, else the user's data directory."""
    if env := os.environ.get("DIGIT_STUDIO_HOME"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "digit-studio"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not a trainer any more.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or ".." in name:
        raise StoreError(f"invalid version name {name!r}: use letters, digits, '-', '_' and '.'")
    return name


def probe_write(directory: Path) -> None:
    """Write and remove a small file in `directory`; OSError if it cannot be written."""
    fd, probe = tempfile.mkstemp(dir=directory, prefix=".write-probe-")
    try:
        os.write(fd, b"probe")
    finally:
        os.close(fd)
        os.unlink(probe)


@dataclass
class Version:
    name: str
    path: Path
    shipped: bool
    meta: dict = field(default_factory=dict)
    problem: str | None = None  # why it cannot be used, if broken

    @property
    def model_file(self) -> Path:
        return self.path / "model.keras"

    @property
    def lite_file(self) -> Path:
        return self.path / LITE_FILE

    def history(self) -> dict[str, list[float]]:
        """The per-epoch curves, checked; StoreError naming the file if they are unusable."""
        path = self.path / "history.json"
        try:
            return check_history(read_json(path))
        except (OSError, ValueError) as err:  # Invalid is a ValueError
            raise StoreError(f"version {self.name}: {path.name} unreadable ({err})") from err


def read_json(path: Path) -> object:
    """A small JSON file's content; OSError or ValueError (with the reason) if it is not one."""
    with open(path, "rb") as f:
        raw = f.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise ValueError(f"larger than {MAX_JSON_BYTES // 1024} KB")
    try:
        return json.loads(raw)
    except RecursionError:  # nested thousands deep: json gives up with RecursionError
        raise ValueError("nested too deeply") from None


def inspect_version(path: Path, shipped: bool) -> Version:
    """A version with its checked metadata, or marked broken with the reason.

    A broken version's metadata is left empty: nothing in it can be trusted for display.
    """
    version = Version(name=path.name, path=path, shipped=shipped)
    missing = [f for f in FILES if not (path / f).is_file()]
    if missing:
        version.problem = f"missing {', '.join(missing)}"
        return version
    try:
        version.meta = check_meta(read_json(path / "meta.json"))
    except Invalid as err:
        version.problem = f"metadata wrong (meta.json: {err})"
    except (OSError, ValueError) as err:  # ValueError: not JSON, or not UTF-8
        version.problem = f"metadata unreadable (meta.json: {err})"
    return version


class ModelStore:
    """Versions on disk; the shipped ones are read-only and always present."""

    def __init__(self, root: Path | None = None, shipped_dir: Path = SHIPPED_DIR):
        self.root = Path(root) if root else default_root()
        self.shipped_dir = shipped_dir
        self.versions_dir = self.root / "versions"
        self.writable = True
        try:
            self.versions_dir.mkdir(parents=True, exist_ok=True)
            self.sweep_staging()
            # mkdir(exist_ok=True) succeeds on a read-only disk when the directory exists: only
            # writing tells. Versions are staged in the root and renamed into versions/.
            for directory in (self.root, self.versions_dir):
                probe_write(directory)
        except OSError:
            self.writable = False  # read-only disk: the shipped versions still serve

    def sweep_staging(self) -> None:
        """Remove staging directories left by crashed or killed runs (their pid is gone)."""
        for staging in self.root.glob(".staging-*"):
            pid = staging.name.split("-")[1]
            if not (pid.isdigit() and pid_alive(int(pid))):
                shutil.rmtree(staging, ignore_errors=True)

    def list(self) -> list[Version]:
        """Shipped versions first, then the user's, newest last."""
        found = []
        for base, shipped in ((self.shipped_dir, True), (self.versions_dir, False)):
            if base.is_dir():  # hidden and odd names (staging leftovers) are not versions
                names = sorted(
                    p for p in base.iterdir() if p.is_dir() and NAME_PATTERN.match(p.name)
                )
                found += [inspect_version(p, shipped) for p in names]
        return found

    def get(self, name: str) -> Version:
        check_name(name)
        for base, shipped in ((self.shipped_dir, True), (self.versions_dir, False)):
            if (base / name).is_dir():
                return inspect_version(base / name, shipped)
        raise StoreError(f"no version named {name!r}")

    def active_name(self) -> str:
        return self.active_pointer()[0]

    def active_pointer(self) -> tuple[str, str | None]:
        """(the active version's name, why the `active` file could not be read or None).

        No `active` file means the default, and says nothing; an unreadable one also means the
        default, and the second item says why, for the page to show.
        """
        path = self.root / "active"
        try:
            with open(path, "rb") as f:
                raw = f.read(200)  # a name is at most 80 characters
            return check_name(raw.decode().strip()), None
        except FileNotFoundError:
            return DEFAULT_VERSION, None
        except OSError as err:
            reason = err.strerror or str(err)
        except UnicodeDecodeError:
            reason = "not text"
        except StoreError:  # its message would repeat the file's content
            reason = "not a version name"
        return DEFAULT_VERSION, (
            f"The active-version file {path} is unreadable ({reason}); "
            f"serving {DEFAULT_VERSION} instead."
        )

    def activate(self, name: str) -> None:
        version = self.get(name)
        if version.problem:
            raise StoreError(f"version {name} is broken: {version.problem}")
        if not self.writable:
            raise StoreError(f"the model store at {self.root} is read-only")
        with atomic_write(self.root / "active", "w") as file:
            file.write(name)

    def unique_name(self, stem: str) -> str:
        base = check_name(f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}")
        name, n = base, 1
        while (self.versions_dir / name).exists() or (self.shipped_dir / name).exists():
            n += 1
            name = f"{base}-{n}"
        return name

    def check_new_name(self, name: str) -> str:
        """`name` if it is valid and no version (shipped or trained) has it yet."""
        check_name(name)
        if (self.shipped_dir / name).exists() or (self.versions_dir / name).exists():
            raise StoreError(f"a version named {name!r} exists already")
        return name

    def add(self, name: str, write: Callable[[Path], None]) -> Version:
        """Create a version: `write(dir)` fills a staging directory, which is then renamed in."""
        self.check_new_name(name)
        if not self.writable:
            raise StoreError(f"the model store at {self.root} is read-only")
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=f".staging-{os.getpid()}-"))
        try:
            staging.chmod(0o755)  # mkdtemp makes it private; a version is readable like any file
            write(staging)
            missing = [f for f in FILES if not (staging / f).is_file()]
            if missing:
                raise StoreError(f"version {name} incomplete: missing {', '.join(missing)}")
            try:
                os.rename(staging, self.versions_dir / name)  # atomic on one file system
            except OSError as err:
                raise StoreError(f"cannot store version {name}: {err.strerror or err}") from err
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self.get(name)

    def delete(self, name: str) -> None:
        version = self.get(name)
        if version.shipped:
            raise StoreError(f"version {name} ships with the app and cannot be deleted")
        if self.active_name() == name:
            raise StoreError(f"version {name} is active; activate another one first")
        shutil.rmtree(version.path)
