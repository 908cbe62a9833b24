"""Every network learns; the comparison figures are measured; the Compare page shows them all.

The page runs under Streamlit's AppTest with a fresh model store (slow: it measures four networks
and converts the active one to TFLite twice, ~30-60 s cold).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from model import compare, networks
from model.atomic import write_json
from model.describe import readings_text
from model.drawings import TEMPLATES, render_strokes, sample_drawing
from model.serving.inference import Predictor
from model.serving.store import SHIPPED_DIR, ModelStore
from model.train import TrainConfig, train_run

SHIPPED_NETWORKS = ["default", "seed_cnn", "mlp", "rnn"]

# 2,000 digits, one epoch: 125 steps of 16 at a constant 3e-3. The convnets and the MLP reach
# 85-93% on MNIST test this way; the LSTM learns more slowly (~70%), still seven times chance.
QUICK = {"subset": 2000, "epochs": 1, "batch_size": 16, "learning_rate": 3e-3}
QUICK_FLOOR = {"studio_cnn": 0.8, "seed_cnn": 0.8, "mlp": 0.8, "rnn": 0.55}


@pytest.fixture(scope="module")
def quick_store(tmp_path_factory) -> ModelStore:
    root = tmp_path_factory.mktemp("compare")
    (root / "shipped").mkdir()
    return ModelStore(root / "store", shipped_dir=root / "shipped")


@pytest.mark.slow
@pytest.mark.parametrize("arch", list(networks.BUILDERS))
def test_every_network_learns_from_2000_digits_in_one_epoch(arch, quick_store, mnist):
    config = TrainConfig(arch=arch, schedule="constant", **QUICK)
    version = train_run(config, quick_store, mnist=mnist, name=f"quick-{arch}")
    assert version.meta["arch"] == arch and version.meta["train_size"] == 2000
    assert version.meta["test_accuracy"] > QUICK_FLOOR[arch], version.meta["test_accuracy"]
    assert version.meta["drawings_accuracy"] > 0.3  # drawings are harder; still far above chance


def test_shipped_networks_are_all_there_and_sound():
    store = ModelStore(shipped_dir=SHIPPED_DIR)
    for name in SHIPPED_NETWORKS:
        version = store.get(name)
        assert version.shipped and version.problem is None, name
        assert version.meta["test_accuracy"] > 0.98, name
        assert version.model_file.stat().st_size < 3_000_000, name
    assert {store.get(n).meta["arch"] for n in SHIPPED_NETWORKS} == set(networks.BUILDERS)


def test_measure_figures_are_computed_from_the_model():
    version = ModelStore(shipped_dir=SHIPPED_DIR).get("mlp")
    predictor = Predictor.from_version(version)
    figures = compare.measure(version, predictor)
    assert figures["model"] == "mlp" and figures["format"] == "Keras"
    assert abs(figures["test_accuracy"] - version.meta["test_accuracy"]) < 1e-3
    assert abs(figures["drawings_accuracy"] - version.meta["drawings_accuracy"]) < 1e-3
    assert figures["params"] == version.meta["params"] == predictor.network.count_params()
    assert figures["file_bytes"] == version.model_file.stat().st_size
    assert 0 < figures["latency_ms"] < 1000


def test_every_network_reads_the_sample_three_and_says_so_in_words():
    names = ["default", "mlp"]
    predictors = {name: Predictor.from_version(ModelStore().get(name)) for name in names}
    readings = compare.readings(predictors, compare.drawing_input(sample_drawing()))
    assert [r["model"] for r in readings] == names
    for r in readings:
        assert r["digit"] == 3 and not r["rejected"]
        assert r["confidence"] == pytest.approx(float(r["probabilities"].max()))
        assert r["probabilities"].shape == (10,)
    text = readings_text(readings)
    assert text.startswith("default reads 3 (") and "; mlp reads 3 (" in text
    unsure = {**readings[0], "rejected": True, "confidence": 0.4}
    assert readings_text([unsure]) == "default reads not a digit (closest 3, 40.0%)"


def test_sample_drawing_is_a_three_on_the_canvas():
    pixels = sample_drawing()
    assert pixels.shape == (280, 280) and pixels.dtype == np.uint8
    image = compare.drawing_input(pixels)
    assert image is not None and image.shape == (28, 28)
    assert compare.drawing_input(np.zeros((280, 280, 4), np.uint8)) is None


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def home(home: Path) -> Path:
    """conftest's fresh, empty model store; the page's cached measurements are dropped too."""
    st.cache_data.clear()
    yield home
    st.cache_data.clear()


def canvas_of(digit: int) -> np.ndarray:
    gray = render_strokes(TEMPLATES[digit][0])
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def check(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def captions(at: AppTest) -> str:
    return "\n".join(caption.value for caption in at.caption)


@pytest.mark.slow
def test_compare_page_measures_every_network_and_the_tflite_exports(home, open_page):
    at = open_page("pages/compare.py")
    assert at.title[0].value == "Compare"
    reading, size, speed = (at.dataframe[i].value for i in range(3))
    models = [m.rstrip(" ★") for m in reading["model"]]
    assert models == list(size["model"]) == list(speed["model"])  # row by row the same models
    assert models == [*SHIPPED_NETWORKS, "default (float)", "default (int8)"]
    assert list(size["network"]) == ["studio_cnn", "seed_cnn", "mlp", "rnn", *["studio_cnn"] * 2]
    assert (reading["MNIST"] > 98).all() and (reading["drawings"] > 90).all()
    assert ((reading["non-digits"] >= 0) & (reading["ECE"] >= 0)).all()
    assert (speed["ms"] > 0).all() and (size["KB"] > 50).all()
    assert size["KB"].iloc[5] <= size["KB"].iloc[4] / 3  # int8 against float
    assert speed["s/epoch"][4:].isna().all()  # converted, not trained: shown as "–"
    # Each trained network's seconds come with the images an epoch went through.
    shipped_sizes = [ModelStore(home).get(name).meta["train_size"] for name in SHIPPED_NETWORKS]
    assert list(speed["images"][:4]) == shipped_sizes and speed["images"][4:].isna().all()
    # What serves the app is marked: the active version's own .tflite, run by LiteRT.
    assert [m for m in reading["model"] if "★" in m] == ["default (float) ★"]
    # No version of one's own yet: no empty list to pick from, a line on where one comes from.
    assert not at.multiselect
    assert "A version you train or fine-tune" in captions(at)
    assert "★ serves the app: default's TensorFlow Lite float file" in captions(at)
    assert max(len(t.columns) for t in (reading, size, speed)) <= 5  # narrow enough for a phone
    assert any("Nothing drawn yet" in i.value for i in at.info)
    charts = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert len(charts) == 2  # accuracy vs latency; probabilities
    # Readable at 320 px: the legends over and under the plot, not beside it; no title to cut.
    for chart in charts:
        legends = [c["legend"]["orient"] for c in chart["encoding"].values() if "legend" in c]
        assert legends and set(legends) <= {"top", "bottom"}, legends
        # Model names whole, one a row: "… (float)" and "… (int8)" differ only at their end.
        model = chart["encoding"]["color"]["legend"]
        assert model["labelLimit"] == 0 and model["columns"] == 1, model
        assert "title" not in chart and chart["autosize"]["type"] == "fit-x"
    # One colour per model in both charts: the same models, in the same order, on one scale.
    domains = [chart["encoding"]["color"]["scale"]["domain"] for chart in charts]
    assert domains[0] == domains[1] == models, domains
    # Dots that both themes show: each colour 3:1 or more on white and on black (WCAG 1.4.11).
    for chart in charts:
        for colour in chart["encoding"]["color"]["scale"]["range"]:
            low = min(contrast(colour, "#ffffff"), contrast(colour, "#000000"))
            assert low >= 3.0, f"{colour}: {low:.2f}:1"
    assert any("Accuracy against single-drawing latency" in m.value for m in at.markdown)
    reads = at.dataframe[3].value
    assert len(reads) == 6 and set(reads["reads"]) == {"3"}
    # One decimal everywhere, and never "100.0%" for what is not certain.
    assert reads["confidence"].str.fullmatch(r"\d{1,2}\.\d%|>99\.9%").all(), reads
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["default.keras", "default-float.tflite", "default-int8.tflite"]

    # A drawing from the Draw page: every network reads it; the figures come from the cache.
    at.session_state["drawing"] = canvas_of(7)
    at.run(timeout=60)
    check(at)
    assert not any("Nothing drawn yet" in i.value for i in at.info)
    assert (at.dataframe[3].value["reads"] == "7").sum() >= 5

    # A version of the user's own joins the table when chosen; one without a .tflite file.
    mine = home / "versions" / "my-mlp"
    shutil.copytree(SHIPPED_DIR / "mlp", mine, ignore=shutil.ignore_patterns("*.tflite"))
    meta = ModelStore().get("my-mlp").meta
    write_json(mine / "meta.json", {**meta, "name": "my-mlp"})
    at.run()
    at.multiselect(key="compare_versions").set_value(["my-mlp"]).run()
    check(at)
    table = at.dataframe[0].value
    assert "my-mlp" in list(table["model"])
    assert len(table) == 7 == len(at.dataframe[1].value) == len(at.dataframe[2].value)

    # Active, it serves the app as Keras: the star moves to its Keras row.
    ModelStore().activate("my-mlp")
    at.run()
    check(at)
    assert [m for m in at.dataframe[0].value["model"] if "★" in m] == ["my-mlp ★"]
    assert "★ serves the app, as Keras: my-mlp has no TensorFlow Lite file" in captions(at)


def test_without_mnist_the_networks_still_read_the_drawing(open_page, unfetchable):
    unfetchable("mnist")
    at = open_page("pages/compare.py")
    assert "The networks cannot be scored on this machine" in at.warning[0].value
    assert at.header[0].value == "Your drawing, read by every network"
    reads = at.dataframe[0].value  # the readings: no tables of figures without test digits
    assert len(reads) >= 5 and (reads["reads"] == "3").sum() >= 4
    assert any("TFLite int8 calibrates its integer ranges on MNIST" in i.value for i in at.info)
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["default.keras", "default-float.tflite"]


def contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio of two colours written #rrggbb."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
