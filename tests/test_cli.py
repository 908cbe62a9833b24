"""`python -m model` as a user runs it: real subprocesses, exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model.drawings import TEMPLATES, make_canvas_digits, render_strokes, save_npz
from model.nondigits import make_nondigits

REPO_ROOT = Path(__file__).resolve().parent.parent
MODEL = "cli-model"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


def run_cli(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, DIGIT_STUDIO_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "model", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if "error" in line.lower()]


@pytest.fixture(scope="module")
def trained(home: Path) -> subprocess.CompletedProcess:
    """One real `train` run; the other commands use the version it writes."""
    return run_cli(home, "train", "--subset", "500", "--epochs", "1", "--name", MODEL)


def test_train_writes_a_version(trained, home: Path):
    assert trained.returncode == 0, trained.stderr
    version = home / "versions" / MODEL
    assert version.is_dir()
    assert {p.name for p in version.iterdir()} >= {"model.keras", "history.json", "meta.json"}
    meta = json.loads((version / "meta.json").read_text())
    assert meta["train_size"] == 500 and meta["config"]["epochs"] == 1
    assert MODEL in trained.stdout
    assert not list(home.glob(".staging-*"))
    assert not (home / "active").exists()  # not activated without --activate


def test_evaluate_npz(trained, home: Path, tmp_path: Path):
    images, labels = make_canvas_digits(2, seed=5)
    npz = save_npz(tmp_path / "set.npz", images, labels)
    result = run_cli(home, "evaluate", "--npz", str(npz), "--model", MODEL)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == 20
    assert 0.0 <= summary["accuracy"] <= 1.0
    assert summary["model"] == MODEL
    assert sum(summary["per_class"]["support"]) == 20
    assert "confusion" in result.stdout


def _npz_missing_key(path: Path) -> None:
    np.savez(path, images=np.zeros((3, 28, 28), np.uint8))


def _npz_wrong_dtype(path: Path) -> None:
    np.savez(path, images=np.full((3, 28, 28), "x"), labels=np.zeros(3, np.int64))


def _npz_wrong_shape(path: Path) -> None:
    np.savez(path, images=np.zeros((3, 28, 27, 2), np.uint8), labels=np.zeros(3, np.int64))


def _npz_not_one_hot(path: Path) -> None:
    np.savez(path, images=np.zeros((3, 28, 28), np.uint8), labels=np.full((3, 10), 0.1))


def _not_an_npz(path: Path) -> None:
    path.write_text("images,labels\n1,2\n")


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (_npz_missing_key, "labels"),
        (_npz_wrong_dtype, "numbers"),
        (_npz_wrong_shape, "(N, H, W)"),
        (_npz_not_one_hot, "one-hot"),
        (_not_an_npz, "npz"),
    ],
    ids=["missing key", "wrong dtype", "wrong shape", "not one-hot", "not an npz"],
)
def test_evaluate_a_bad_npz(home: Path, tmp_path: Path, write, message):
    path = tmp_path / "bad.npz"
    write(path)
    result = run_cli(home, "evaluate", "--npz", str(path), "--model", MODEL)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one line, no traceback
    assert lines[0].startswith("error:") and message in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == ""


def _layouts(images: np.ndarray, labels: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """The same set saved the ways other tools save digits: each must read as the set itself."""
    unit = images.astype(np.float32) / 255.0
    return {
        "x and y, floats in [0, 1]": {"x": unit, "y": labels},
        "Keras's x_test and y_test, (N, H, W, 1)": {"x_test": images[..., None], "y_test": labels},
        "flattened (N, 784), floats in [0, 255]": {
            "images": images.reshape(len(images), -1).astype(np.float64),
            "labels": labels.astype(np.float32),
        },
        "RGB, one-hot labels": {
            "images": np.repeat(images[..., None], 3, axis=-1),
            "labels": np.eye(10, dtype=np.uint8)[labels],
        },
        "16-bit": {"images": images.astype(np.uint16) * 257, "labels": labels.astype(np.int8)},
        "0 to 16, as scikit-learn's digits": {"images": images / 255.0 * 16.0, "labels": labels},
    }


def test_npz_sets_saved_other_ways_read_the_same(tmp_path: Path):
    from model.__main__ import load_npz_set

    images, labels = make_canvas_digits(1, seed=7)
    for name, arrays in _layouts(images, labels).items():
        path = tmp_path / "set.npz"
        np.savez(path, **arrays)
        got_images, got_labels = load_npz_set(path)
        assert got_images.dtype == np.uint8 and got_images.shape == images.shape, name
        assert np.abs(got_images.astype(int) - images).max() <= 1, name  # scaled back to 0-255
        assert got_labels.tolist() == labels.tolist(), name


def test_evaluate_npz_of_floats_and_dark_ink_on_paper(trained, home: Path, tmp_path: Path):
    """Floats in [0, 1], dark ink on white paper: the same answers as the canvas's own."""
    images, labels = make_canvas_digits(2, seed=5)
    plain = save_npz(tmp_path / "plain.npz", images, labels)
    paper = tmp_path / "paper.npz"
    np.savez(paper, x=1.0 - images.astype(np.float32) / 255.0, y=labels)
    summaries = []
    for path in (plain, paper):
        result = run_cli(home, "evaluate", "--npz", str(path), "--model", MODEL)
        assert result.returncode == 0, result.stderr
        summaries.append(json.loads(result.stdout.strip().splitlines()[-1]))
    assert summaries[0]["n"] == summaries[1]["n"] == 20
    assert summaries[1]["accuracy"] == summaries[0]["accuracy"]
    assert summaries[1]["rejected"] == summaries[0]["rejected"]


def test_evaluate_a_missing_model(home: Path):
    result = run_cli(home, "evaluate", "--model", "no-such-version")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert any("no-such-version" in line for line in error_lines(result)), result.stderr


def test_predict_a_png(trained, home: Path, tmp_path: Path):
    drawing = render_strokes(TEMPLATES[4][0], pen_width=20.0, scale=0.7)
    png = tmp_path / "four.png"
    Image.fromarray(drawing).save(png)
    blank = tmp_path / "blank.png"
    Image.new("L", (280, 280), 0).save(blank)
    result = run_cli(home, "predict", str(png), str(blank), "--model", MODEL)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    match = re.fullmatch(
        rf"{re.escape(str(png))}: (\d)  \(top 3  (\d): ([01]\.\d{{3}})  (\d): ([01]\.\d{{3}})"
        rf"  (\d): ([01]\.\d{{3}})\)",
        lines[0],
    )
    assert match, lines[0]
    digit, top = int(match[1]), [int(match[i]) for i in (2, 4, 6)]
    probabilities = [float(match[i]) for i in (3, 5, 7)]
    assert digit == top[0] and len(set(top)) == 3
    assert probabilities == sorted(probabilities, reverse=True)
    assert lines[1] == f"{blank}: nothing drawn"


def test_predict_a_non_image(trained, home: Path, tmp_path: Path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture")
    result = run_cli(home, "predict", str(fake), "--model", MODEL)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = error_lines(result)
    assert len(errors) == 1 and str(fake) in errors[0] and "not a readable image" in errors[0]


def test_train_with_an_unknown_architecture(trained, home: Path):
    before = sorted(p.name for p in (home / "versions").iterdir())
    result = run_cli(home, "train", "--arch", "nope", "--subset", "100", "--epochs", "1")
    assert result.returncode != 0
    assert "unknown architecture 'nope'" in result.stderr and "studio_cnn" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert sorted(p.name for p in (home / "versions").iterdir()) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--precision", "half"], "precision must be one of auto, float32, bfloat16"),
        (["--name", "default"], "a version named 'default' exists already"),  # shipped
    ],
)
def test_train_refuses_before_training(trained, home: Path, args, message):
    before = sorted(p.name for p in (home / "versions").iterdir())
    result = run_cli(home, "train", "--subset", "100", "--epochs", "1", *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert "training studio_cnn" not in result.stdout  # refused before the run started
    assert sorted(p.name for p in (home / "versions").iterdir()) == before


# The store's folder by default; elsewhere with --corrections-dir or its former name.
@pytest.mark.parametrize("flag", [None, "--corrections-dir", "--drawings-dir"])
def test_finetune_skips_damaged_drawings_with_a_warning(tmp_path: Path, flag: str | None):
    drawings = tmp_path / ("my-drawings" if flag is None else "elsewhere")
    drawings.mkdir()
    (drawings / "20250101-000000-00000001.npz").write_bytes(b"")
    (drawings / "20250101-000000-00000002.npz").write_bytes(b"PK\x03\x04cut")
    result = run_cli(tmp_path, "finetune", *([] if flag is None else [flag, str(drawings)]))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"warning: skipping {drawings}/20250101-000000-00000001.npz: it is empty" in (
        result.stderr
    )
    assert "20250101-000000-00000002.npz: it is cut short" in result.stderr
    assert error_lines(result) == ["error: there are no saved drawings to fine-tune on"]


def test_predict_says_a_garbage_active_pointer_falls_back(tmp_path: Path):
    (tmp_path / "active").write_bytes(b"\x00\xff")
    image = tmp_path / "three.png"
    Image.fromarray(render_strokes(TEMPLATES[3][0])).save(image)
    result = run_cli(tmp_path, "predict", str(image))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{image}: 3")
    assert (
        f"warning: The active-version file {tmp_path / 'active'} is unreadable (not text); "
        "serving default instead." in result.stderr
    )


def test_evaluate_npz_with_not_a_digit_labels(home: Path, tmp_path: Path):
    """Label -1 means "not a digit": right when not answered with a digit. The shipped default
    answers drawn shapes "not a digit" and reads the digits."""
    digits, digit_labels = make_canvas_digits(2, seed=5)
    shapes, _ = make_nondigits(20, seed=5, kinds=("shapes",))
    images = np.concatenate([digits, shapes])
    labels = np.concatenate([digit_labels.astype(np.int64), np.full(len(shapes), -1)])
    npz = save_npz(tmp_path / "mixed.npz", images, labels)
    result = run_cli(home, "evaluate", "--npz", str(npz), "--model", "default")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == 40 and sum(summary["per_class"]["support"]) == 20
    assert {"accuracy", "rejected", "ece"} <= set(summary)
    # The shapes are answered "not a digit" and the digits read: both count as right.
    assert summary["accuracy"] >= 0.9
    assert 0.4 <= summary["rejected"] <= 0.6
    assert 0.0 <= summary["ece"] <= 1.0


def strict_json(text: str) -> dict:
    """Parse as a strict JSON reader would: NaN and Infinity are not JSON."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_evaluate_npz_of_only_non_digits_prints_strict_json(home: Path, tmp_path: Path):
    """With no digit in the set, recall and calibration are undefined: null, not NaN."""
    shapes, _ = make_nondigits(6, seed=7, kinds=("shapes",))
    npz = save_npz(tmp_path / "shapes.npz", shapes, np.full(len(shapes), -1))
    result = run_cli(home, "evaluate", "--npz", str(npz), "--model", "default")
    assert result.returncode == 0, result.stderr
    summary = strict_json(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == 6 and summary["ece"] is None
    assert summary["accuracy"] == summary["rejected"] >= 0.5
    assert summary["per_class"]["recall"] == [None] * 10


def test_predict_says_not_a_digit(home: Path, tmp_path: Path):
    shape = tmp_path / "shape.png"
    images, _ = make_nondigits(1, seed=3, kinds=("shapes",))
    Image.fromarray(images[0]).save(shape)
    result = run_cli(home, "predict", str(shape), "--model", "default")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"{re.escape(str(shape))}: not a digit  \(leaned towards  (\d: [01]\.\d{{3}}  ){{2}}"
        r"\d: [01]\.\d{3}\)",
        result.stdout.strip(),
    ), result.stdout


METHOD_KEYS = {"gradcam", "hirescam", "integrated_gradients", "smoothgrad", "occlusion"}


@pytest.fixture(scope="module")
def mnist_npz(tmp_path_factory) -> Path:
    """The first 12 MNIST test digits as `evaluate --npz` reads them: uint8 (N, 28, 28) + labels;
    one of them blank, which there is nothing to explain in."""
    from model.data import load_mnist

    mnist = load_mnist()
    images = mnist.x_test[:12].copy()
    images[1] = 0
    path = tmp_path_factory.mktemp("explain") / "mnist.npz"
    np.savez(path, images=images, labels=mnist.y_test[:12].astype(np.int64))
    return path


@pytest.mark.parametrize("model", ["default", "mlp"])
def test_explain_prints_the_deletion_areas_as_json(home: Path, mnist_npz: Path, model: str):
    result = run_cli(home, "explain", "--npz", str(mnist_npz), "--n", "5", "--model", model)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary) == {"n", "deletion_auc"}
    assert summary["n"] == 4  # the first 5, less the blank one
    assert "skipped 1 images with nothing drawn" in result.stderr
    aucs = summary["deletion_auc"]
    assert set(aucs) == METHOD_KEYS | {"saliency", "random"}
    applied = METHOD_KEYS - {"gradcam", "hirescam"} if model == "mlp" else METHOD_KEYS
    for key in applied | {"saliency", "random"}:
        assert 0.0 <= aucs[key] <= 1.0, (key, aucs)
    if model == "mlp":
        assert aucs["gradcam"] is None and aucs["hirescam"] is None
        assert "Grad-CAM: n/a (Grad-CAM needs a convolutional layer" in result.stdout
    assert aucs["integrated_gradients"] < aucs["random"]
    assert "most faithful:" in result.stdout


def test_explain_a_bad_npz_or_n(home: Path, mnist_npz: Path, tmp_path: Path):
    bad = tmp_path / "bad.npz"
    _npz_missing_key(bad)
    for args, message in (
        (("--npz", str(bad)), "labels"),
        (("--npz", str(mnist_npz), "--n", "0"), "--n must be at least 1"),
    ):
        result = run_cli(home, "explain", *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("error:"), result.stderr
        assert message in result.stderr


def test_evaluate_offers_every_bundled_test_set():
    # The parser names the sets without importing model.testsets (the `data` command needs none).
    from model import testsets
    from model.__main__ import build_parser

    evaluate = build_parser()._subparsers._group_actions[0].choices["evaluate"]
    (option,) = [a for a in evaluate._actions if "--set" in a.option_strings]
    assert list(option.choices) == list(testsets.BY_NAME)
