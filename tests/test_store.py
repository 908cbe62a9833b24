"""The model store: versions on disk, names that cannot escape it, atomic writes, fallbacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from model.serving.store import (
    DEFAULT_VERSION,
    FILES,
    ModelStore,
    StoreError,
    check_name,
    default_root,
)


def fill(meta: dict | None = None):
    """A `write` callback that writes a complete version (the store never loads model.keras)."""

    def write(directory: Path) -> None:
        (directory / "model.keras").write_bytes(b"PK\x03\x04 not loaded by the store")
        (directory / "history.json").write_text(json.dumps({"loss": [1.0], "val_loss": [1.1]}))
        (directory / "meta.json").write_text(json.dumps(meta or {"arch": "mlp", "params": 1}))

    return write


def make_version(base: Path, name: str, meta: dict | None = None) -> Path:
    path = base / name
    path.mkdir(parents=True)
    fill(meta)(path)
    return path


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A shipped-versions directory with a working "default"."""
    directory = tmp_path / "shipped"
    make_version(directory, DEFAULT_VERSION, {"arch": "studio_cnn", "test_accuracy": 0.99})
    return directory


@pytest.fixture
def store(tmp_path: Path, shipped: Path) -> ModelStore:
    return ModelStore(tmp_path / "store", shipped_dir=shipped)


def staging_dirs(store: ModelStore) -> list[Path]:
    return list(store.root.glob(".staging-*"))


def names(store: ModelStore) -> list[str]:
    return [v.name for v in store.list()]


# --- The basics ----------------------------------------------------------------------------


def test_default_root_is_the_sessions_tmp_home(isolated_store_home):
    assert default_root() == isolated_store_home
    assert ModelStore().root == isolated_store_home


def test_add_get_list(store: ModelStore):
    assert names(store) == [DEFAULT_VERSION]
    version = store.add("mlp-1", fill({"arch": "mlp", "params": 42}))
    assert version.name == "mlp-1" and not version.shipped and version.problem is None
    assert version.path == store.versions_dir / "mlp-1"
    assert version.meta == {"arch": "mlp", "params": 42}
    assert all((version.path / f).is_file() for f in FILES)
    assert version.history() == {"loss": [1.0], "val_loss": [1.1]}
    store.add("mlp-2", fill())
    assert names(store) == [DEFAULT_VERSION, "mlp-1", "mlp-2"]  # shipped first, then the user's
    listed = store.list()
    assert listed[0].shipped and not listed[1].shipped
    assert store.get("mlp-2").meta["arch"] == "mlp"
    assert store.get(DEFAULT_VERSION).shipped
    assert not staging_dirs(store)


def test_get_unknown_version(store: ModelStore):
    with pytest.raises(StoreError, match="no version named"):
        store.get("nope")


def test_activate_and_active_name(store: ModelStore):
    assert store.active_name() == DEFAULT_VERSION  # nothing activated yet
    store.add("v1", fill())
    store.activate("v1")
    assert store.active_name() == "v1"
    assert (store.root / "active").read_text() == "v1"
    # A second store on the same root (another process) sees the same.
    assert ModelStore(store.root, shipped_dir=store.shipped_dir).active_name() == "v1"
    store.activate(DEFAULT_VERSION)
    assert store.active_name() == DEFAULT_VERSION
    with pytest.raises(StoreError):
        store.activate("missing")
    assert store.active_name() == DEFAULT_VERSION
    assert not list(store.root.glob(".active.*"))  # no temporary file left


def test_activating_a_broken_version_is_refused(store: ModelStore):
    (store.versions_dir / "half").mkdir()
    with pytest.raises(StoreError, match="broken"):
        store.activate("half")
    assert store.active_name() == DEFAULT_VERSION


def test_delete(store: ModelStore):
    store.add("v1", fill())
    store.add("v2", fill())
    store.activate("v2")
    store.delete("v1")
    assert names(store) == [DEFAULT_VERSION, "v2"]
    assert not (store.versions_dir / "v1").exists()
    with pytest.raises(StoreError, match="active"):
        store.delete("v2")
    with pytest.raises(StoreError, match="ships with the app"):
        store.delete(DEFAULT_VERSION)
    assert (store.shipped_dir / DEFAULT_VERSION / "model.keras").is_file()
    with pytest.raises(StoreError):
        store.delete("v1")  # already gone
    store.activate(DEFAULT_VERSION)
    store.delete("v2")
    assert names(store) == [DEFAULT_VERSION]


def test_unique_name(store: ModelStore):
    first = store.unique_name("mlp")
    assert first.startswith("mlp-") and check_name(first) == first
    store.add(first, fill())
    second = store.unique_name("mlp")
    assert second != first and second.startswith(first)
    assert store.unique_name("default") != DEFAULT_VERSION


def test_adding_an_existing_name_keeps_the_original(store: ModelStore):
    store.add("v1", fill({"arch": "mlp", "params": 1}))
    with pytest.raises((StoreError, OSError)):
        store.add("v1", fill({"arch": "rnn", "params": 2}))
    assert store.get("v1").meta == {"arch": "mlp", "params": 1}
    assert not staging_dirs(store)


# --- Names ---------------------------------------------------------------------------------


BAD_NAMES = ["../x", "/etc", "a/b", "", "..", ".", "x/../../y", "a\\b", ".hidden", "-rf", "a" * 81,
             "a b", "v1\n", "v1\0", "ü"]  # fmt: skip


@pytest.mark.parametrize("name", BAD_NAMES)
def test_names_that_try_to_escape_are_refused(store: ModelStore, name: str, tmp_path: Path):
    with pytest.raises(StoreError, match="invalid version name"):
        check_name(name)
    with pytest.raises(StoreError):
        store.get(name)
    with pytest.raises(StoreError):
        store.add(name, fill())
    with pytest.raises(StoreError):
        store.activate(name)
    with pytest.raises(StoreError):
        store.delete(name)
    assert not staging_dirs(store)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shipped", "store"]  # nothing outside


def test_a_non_string_name_is_refused():
    for name in (None, 3, b"v1", Path("v1")):
        with pytest.raises(StoreError):
            check_name(name)


def test_good_names_are_accepted(store: ModelStore):
    for name in ("v1", "studio_cnn-20250101-120000", "A.b_c-9", "x" * 80):
        assert check_name(name) == name
        store.add(name, fill())
    assert len(store.list()) == 5


def test_a_garbage_active_pointer_cannot_escape(store: ModelStore):
    for garbage in ("../../etc/passwd", "", "\0\0", "a/b", "x" * 500):
        (store.root / "active").write_text(garbage)
        assert store.active_name() == DEFAULT_VERSION
    (store.root / "active").write_bytes(b"\xff\xfe\x00 not text")
    assert store.active_name() == DEFAULT_VERSION
    (store.root / "active").unlink()
    assert store.active_name() == DEFAULT_VERSION
    (store.root / "active").mkdir()  # even a directory in its place
    assert store.active_name() == DEFAULT_VERSION


def test_an_active_pointer_with_a_trailing_newline_is_read(store: ModelStore):
    store.add("v1", fill())
    (store.root / "active").write_text("v1\n")  # as `echo v1 > active` writes it
    assert store.active_name() == "v1"


# --- Atomic writes -------------------------------------------------------------------------


def test_a_failing_write_leaves_nothing(store: ModelStore):
    def write(directory: Path) -> None:
        fill()(directory)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        store.add("v1", write)
    assert names(store) == [DEFAULT_VERSION]
    assert not (store.versions_dir / "v1").exists()
    assert not staging_dirs(store)
    with pytest.raises(StoreError):
        store.get("v1")


def test_an_interrupted_write_leaves_nothing(store: ModelStore):
    def write(directory: Path) -> None:
        (directory / "model.keras").write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.add("v1", write)
    assert names(store) == [DEFAULT_VERSION]
    assert not staging_dirs(store)


def test_an_incomplete_write_is_refused(store: ModelStore):
    def write(directory: Path) -> None:
        (directory / "model.keras").write_bytes(b"x")
        (directory / "meta.json").write_text("{}")

    with pytest.raises(StoreError, match=r"history\.json"):
        store.add("v1", write)
    assert names(store) == [DEFAULT_VERSION]
    assert not staging_dirs(store)


def test_a_version_is_invisible_while_being_written(store: ModelStore):
    seen = {}

    def write(directory: Path) -> None:
        fill()(directory)
        seen["names"] = names(store)
        seen["staging"] = staging_dirs(store)

    store.add("v1", write)
    assert seen["names"] == [DEFAULT_VERSION]
    assert len(seen["staging"]) == 1
    assert names(store) == [DEFAULT_VERSION, "v1"]


def _dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(child.stdout)


def test_stale_staging_dirs_are_swept_on_open(store: ModelStore):
    dead = store.root / f".staging-{_dead_pid()}-abc"
    dead.mkdir()
    (dead / "model.keras").write_bytes(b"half a model")
    nameless = store.root / ".staging-junk"
    nameless.mkdir()
    mine = store.root / f".staging-{os.getpid()}-live"  # a live process is still writing
    mine.mkdir()
    reopened = ModelStore(store.root, shipped_dir=store.shipped_dir)
    assert not dead.exists()
    assert not nameless.exists()
    assert mine.exists()
    assert names(reopened) == [DEFAULT_VERSION]  # staging dirs are never listed
    mine.rmdir()


# --- Broken versions -----------------------------------------------------------------------


def test_broken_versions_are_listed_with_their_problem(store: ModelStore):
    good = make_version(store.versions_dir, "good")
    no_model = make_version(store.versions_dir, "no-model")
    (no_model / "model.keras").unlink()
    empty = store.versions_dir / "empty"
    empty.mkdir()
    bad_json = make_version(store.versions_dir, "bad-json")
    (bad_json / "meta.json").write_text("{not json")
    no_arch = make_version(store.versions_dir, "no-arch")
    (no_arch / "meta.json").write_text(json.dumps({"params": 3}))
    a_list = make_version(store.versions_dir, "a-list")
    (a_list / "meta.json").write_text("[1, 2]")
    (store.versions_dir / "stray-file").write_text("not a version")
    (store.versions_dir / ".hidden").mkdir()

    listed = {v.name: v for v in store.list()}
    assert sorted(listed) == sorted(
        [DEFAULT_VERSION, "good", "no-model", "empty", "bad-json", "no-arch", "a-list"]
    )
    assert listed["good"].problem is None and good.is_dir()
    assert "model.keras" in listed["no-model"].problem
    assert all(f in listed["empty"].problem for f in FILES)
    assert "metadata" in listed["bad-json"].problem
    assert "arch" in listed["no-arch"].problem
    assert listed["a-list"].problem
    assert store.get("bad-json").problem  # get reports it the same way


def test_unreadable_history_is_a_store_error(store: ModelStore):
    version = store.add("v1", fill())
    (version.path / "history.json").write_text("{oops")
    with pytest.raises(StoreError, match="history"):
        version.history()


# --- A read-only store ---------------------------------------------------------------------


def test_a_store_that_cannot_be_created_still_lists_shipped(tmp_path: Path, shipped: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("the store's root is under a regular file: mkdir fails even as root")
    store = ModelStore(blocker / "store", shipped_dir=shipped)
    assert store.writable is False
    assert names(store) == [DEFAULT_VERSION]
    assert store.get(DEFAULT_VERSION).problem is None
    assert store.active_name() == DEFAULT_VERSION
    with pytest.raises(StoreError, match="read-only"):
        store.add("v1", fill())
    with pytest.raises(StoreError, match="read-only"):
        store.activate(DEFAULT_VERSION)
    assert blocker.read_text().startswith("the store's root")


def test_a_read_only_store_is_noticed_though_versions_exists(tmp_path, shipped, read_only):
    root = tmp_path / "ro"
    ModelStore(root, shipped_dir=shipped)  # versions/ exists: mkdir(exist_ok=True) succeeds
    read_only(root)
    store = ModelStore(root, shipped_dir=shipped)
    assert store.writable is False
    with pytest.raises(StoreError, match="read-only"):
        store.add("v1", fill())
    with pytest.raises(StoreError, match="read-only"):
        store.activate(DEFAULT_VERSION)
    assert names(store) == [DEFAULT_VERSION]
    assert sorted(p.name for p in root.iterdir()) == ["versions"], "the probe left nothing"
