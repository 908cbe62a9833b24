"""The app's serving path: versions run from their lite file with LiteRT, no TensorFlow needed.

Checked: every shipped version has a lite file that answers like its Keras network; a fresh
process serves and classifies a drawing without importing TensorFlow; a newly trained version
gets a lite file; a damaged lite file falls back to Keras; a damaged `.keras` still marks the
version broken although the lite file is intact.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.serving.inference import ModelFileError, Predictor, load_active
from model.serving.store import LITE_FILE, SHIPPED_DIR, ModelStore
from model.testsets import mnist_test
from tests.browser import REPO_ROOT


@pytest.mark.parametrize("name", ["default", "seed_cnn", "mlp", "rnn"])
def test_shipped_lite_file_answers_like_keras(name):
    version = ModelStore().get(name)
    assert (version.path / LITE_FILE).is_file(), f"{name} has no {LITE_FILE}"
    served = Predictor.from_version(version)
    assert served.backend == "litert"
    keras = Predictor(served.network, version)  # the network, loaded on first use
    assert keras.backend == "keras"
    inputs = mnist_test().inputs[:2000]
    lite_p, keras_p = served.probabilities_batched(inputs), keras.probabilities_batched(inputs)
    assert np.abs(lite_p - keras_p).max() < 1e-4
    assert (lite_p.argmax(1) == keras_p.argmax(1)).all()


SERVE_WITHOUT_TF = """
import json, sys
import numpy as np
from model.serving.inference import load_active
from model.serving.store import ModelStore
from model.drawings import TEMPLATES, render_strokes

predictor, warnings = load_active(ModelStore())
image = render_strokes(TEMPLATES[7][0])
prediction = predictor.classify(image)
print(json.dumps({
    "backend": predictor.backend,
    "digit": prediction.digit,
    "warnings": warnings,
    "tensorflow": "tensorflow" in sys.modules,
    "keras": "keras" in sys.modules,
}))
"""


def run_fresh(script: str, *args: str, home: Path, timeout: float = 300):
    """Run `script` in a new Python process on the store `home`; its last line, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO_ROOT,
        env={"DIGIT_STUDIO_HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_fresh_process_serves_without_tensorflow(tmp_path):
    report = run_fresh(SERVE_WITHOUT_TF, home=tmp_path, timeout=120)
    assert report == {
        "backend": "litert",
        "digit": 7,
        "warnings": [],
        "tensorflow": False,
        "keras": False,
    }


def test_a_damaged_lite_file_falls_back_to_keras(tmp_path):
    store = ModelStore(tmp_path)
    shutil.copytree(SHIPPED_DIR / "default", store.versions_dir / "copy")
    (store.versions_dir / "copy" / LITE_FILE).write_bytes(b"not a flat buffer" * 100)
    predictor = Predictor.from_version(store.get("copy"))
    assert predictor.backend == "keras"
    assert predictor.probabilities(mnist_test().inputs[:1]).shape == (1, 10)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "weights missing"])
def test_a_damaged_keras_file_breaks_the_version_although_its_lite_file_is_whole(tmp_path, damage):
    store = ModelStore(tmp_path)
    shutil.copytree(SHIPPED_DIR / "default", store.versions_dir / "copy")
    model_file = store.versions_dir / "copy" / "model.keras"
    raw = model_file.read_bytes()
    if damage == "truncated":
        model_file.write_bytes(raw[: len(raw) - 1000])
    elif damage == "garbage":
        model_file.write_bytes(raw[:100] + b"\x00" * 2000 + raw[2100:])
    else:
        import zipfile

        with zipfile.ZipFile(model_file, "w") as archive:
            archive.writestr("config.json", "{}")
    with pytest.raises(ModelFileError):
        Predictor.from_version(store.get("copy"))
    store.activate("copy")
    predictor, warnings = load_active(store)
    assert predictor.version.name == "default"
    assert any("copy" in warning for warning in warnings)


PAGES_WITHOUT_TF = """
import json, sys
from streamlit.testing.v1 import AppTest

seen = {}
at = AppTest.from_file("app.py", default_timeout=180)
at.run()
for page in sys.argv[1:]:
    at.switch_page(page)
    at.run()
    seen[page] = {
        "exceptions": [str(e.value) for e in at.exception],
        "tensorflow": "tensorflow" in sys.modules,
    }
print(json.dumps(seen))
"""


def test_pages_that_need_no_layers_open_without_tensorflow(tmp_path):
    # Importing TensorFlow costs the server 3.4 s and half a gigabyte: only Inside the CNN and
    # Compare, which show the layers themselves, may do it.
    pages = ["pages/draw.py", "pages/training.py", "pages/evaluation.py", "pages/my_drawings.py"]
    seen = run_fresh(PAGES_WITHOUT_TF, *pages, home=tmp_path)
    assert seen == {page: {"exceptions": [], "tensorflow": False} for page in pages}
