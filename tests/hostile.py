"""A model store seeded with damaged and hostile files, for the AppTest and browser tests.

It holds one good saved drawing beside zero-byte, truncated, bit-flipped, wrong-shape and
wrong-label ones; versions whose metadata has the wrong types (the issue's cases), whose history
has a string for a list, whose meta.json nests a hundred thousand deep; a garbage `active`
pointer; a training lock file with garbage in it (held by nobody). And another process that holds
a store's training lock (`training_lock_held_elsewhere`).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from model.drawings import TEMPLATES, render_strokes
from model.preprocess import preprocess_canvas
from model.serving.corrections import Corrections
from model.serving.store import SHIPPED_DIR
from tests.browser import REPO_ROOT

BROKEN_VERSIONS = {
    "bogus-meta": json.dumps({"arch": "bogus", "test_accuracy": "high"}),
    "list-meta": "[1, 2, 3]",
    "deep-meta": "[" * 100_000,
    "huge-number": json.dumps({"arch": "mlp", "params": 10**400}),
}
BAD_HISTORY = "bad-history"  # good metadata, a string where a list belongs
DAMAGED = {
    "20250101-000000-00000001": "empty",
    "20250101-000000-00000002": "truncated",
    "20250101-000000-00000003": "flipped",
    "20250101-000000-00000004": "wrong shape",
    "20250101-000000-00000005": "label 42",
}


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def seed_hostile_store(home: Path, active: bytes = b"\xff\xfe\x00 not a name") -> str:
    """Fill `home` as the module docstring says; returns the good drawing's id."""
    drawings = Corrections(home / "my-drawings")
    steps = preprocess_canvas(render_strokes(TEMPLATES[3][0]))
    good = drawings.save(steps.image, steps.gray, 3)
    good_bytes = (drawings.directory / f"{good}.npz").read_bytes()
    for drawing_id, damage in DAMAGED.items():
        raw = {
            "empty": b"",
            "truncated": good_bytes[: len(good_bytes) // 2],
            "flipped": good_bytes[:300] + bytes([good_bytes[300] ^ 0x10]) + good_bytes[301:],
            "wrong shape": npz(image=np.zeros((20, 20), np.uint8)),
            "label 42": npz(
                image=steps.image.astype(np.uint8),
                raw=steps.gray,
                label=np.int64(42),
                created=np.float64(1.7e9),
            ),
        }[damage]
        (drawings.directory / f"{drawing_id}.npz").write_bytes(raw)
    versions = home / "versions"
    for name, meta in {**BROKEN_VERSIONS, BAD_HISTORY: None}.items():
        shutil.copytree(SHIPPED_DIR / "default", versions / name)
        if meta is not None:
            (versions / name / "meta.json").write_text(meta)
    (versions / BAD_HISTORY / "history.json").write_text(json.dumps({"loss": "falling"}))
    (home / "active").write_bytes(active)
    (home / "training.lock").write_bytes(b"\x00garbage")
    return good


@contextlib.contextmanager
def training_lock_held_elsewhere(store_root: Path):
    """Another process holding the training lock of the store at `store_root`: yields the process
    once it holds the lock; killed on leaving (SIGKILL, as a crash ends it) if still alive."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from model.serving.jobs import TrainingLock\n"
            "from model.serving.store import ModelStore\n"
            "lock = TrainingLock(ModelStore(Path(sys.argv[1])))\n"
            "lock.acquire()\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            str(store_root),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()
