"""`model.atomic`: a file is replaced whole or not at all, with nothing left beside it."""

import json

import pytest

from model.atomic import atomic_write, write_json


def test_a_write_replaces_the_file_and_leaves_no_stand_in(tmp_path):
    path = tmp_path / "deep" / "er" / "file.bin"  # missing directories are made
    with atomic_write(path) as file:
        file.write(b"first")
    with atomic_write(path) as file:
        file.write(b"second")
    assert path.read_bytes() == b"second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.bin"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "meta.json"
    write_json(path, {"version": 1})
    with pytest.raises(RuntimeError), atomic_write(path, "w") as file:
        file.write('{"version": 2, "half')
        raise RuntimeError("the process died here")
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["meta.json"]
