"""Training writes complete versions or nothing; inference loads them and falls back when broken."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import augment, data, networks
from model.augment import (
    augment_batch,
    box_of,
    ink_box,
    random_elastic,
    random_lowres,
    random_squeeze,
    random_stretch,
    warp,
)
from model.calibration import NOT_A_DIGIT
from model.drawings import TEMPLATES, render_strokes
from model.evaluate import evaluate_inputs
from model.serving.inference import ModelFileError, Predictor, load_active
from model.serving.store import DEFAULT_VERSION, FILES, ModelStore, StoreError
from model.serving.tf_runtime import keras, tf
from model.train import (
    FIRST_DRAWN_KINDS,
    FIRST_DRAWN_SEED,
    VALIDATION_SIZE,
    TrainConfig,
    TrainingCancelled,
    as_input,
    dtype_policy,
    epoch_stages,
    make_dataset,
    nondigit_drawings,
    train_run,
    training_precision,
    training_split,
    with_teachers,
)
from model.train_config import ARCH_DESCRIPTIONS, DEFAULT_ARCH, native_bfloat16

SUBSET = 1000


def canvas_rgba(gray: np.ndarray) -> np.ndarray:
    """White-on-black pixels as the canvas sends them: RGBA, alpha 255."""
    return np.dstack([gray, gray, gray, np.full_like(gray, 255)])


def staging_dirs(store: ModelStore) -> list[Path]:
    return list(store.root.glob(".staging-*"))


def user_versions(store: ModelStore) -> list[str]:
    return [v.name for v in store.list() if not v.shipped]


@pytest.fixture(scope="module")
def shipped_dir(tmp_path_factory) -> Path:
    """An (initially empty) shipped-versions directory, so these tests never use model/shipped."""
    return tmp_path_factory.mktemp("shipped")


@pytest.fixture(scope="module")
def store(tmp_path_factory, shipped_dir: Path) -> ModelStore:
    return ModelStore(tmp_path_factory.mktemp("store"), shipped_dir=shipped_dir)


@pytest.fixture(scope="module")
def trained(store: ModelStore, mnist):
    """One real training run: studio_cnn, 1,000 digits, 1 epoch, augmented."""
    events: list[dict] = []
    config = TrainConfig(subset=SUBSET, epochs=1, augment=True, seed=3)
    version = train_run(config, store, on_progress=events.append, mnist=mnist, name="first")
    return version, events


@pytest.fixture(scope="module")
def predictor(trained) -> Predictor:
    return Predictor.from_version(trained[0])


# --- Training ------------------------------------------------------------------------------


@pytest.mark.slow
def test_train_run_writes_a_complete_version(trained, store: ModelStore):
    version, _ = trained
    assert version.name == "first" and version.problem is None and not version.shipped
    assert version.path == store.versions_dir / "first"
    for name in FILES:
        assert (version.path / name).is_file() and (version.path / name).stat().st_size > 0
    assert not staging_dirs(store)
    assert store.active_name() == DEFAULT_VERSION  # a new version is not activated by itself

    history = json.loads((version.path / "history.json").read_text())
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for key, values in history.items():
        assert len(values) == 1, key
        assert np.isfinite(values[0])
    assert 0.0 <= history["accuracy"][0] <= 1.0 and 0.0 <= history["val_accuracy"][0] <= 1.0
    assert history["loss"][0] > 0

    meta = json.loads((version.path / "meta.json").read_text())
    assert meta == version.meta
    assert meta["name"] == "first"
    assert meta["arch"] == "studio_cnn"
    assert meta["params"] == networks.studio_cnn().count_params() == 98442
    assert meta["data_checksum"] == data.DATA_CHECKSUM
    assert meta["train_size"] == SUBSET
    assert meta["config"]["augment"] is True and meta["config"]["epochs"] == 1
    assert 0.0 < meta["test_accuracy"] <= 1.0
    for key in (k for k in meta if k.endswith("_accuracy")):  # e.g. drawings_accuracy too
        assert 0.0 <= meta[key] <= 1.0, key
    assert set(meta["versions"]) >= {"python", "tensorflow", "keras", "numpy"}
    assert meta["versions"]["tensorflow"] == tf.__version__
    assert meta["wall_seconds"] > 0


@pytest.mark.slow
def test_progress_events(trained):
    _, events = trained
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and kinds[-2:] == ["evaluating", "done"]
    assert kinds.count("epoch") == 1
    assert events[0]["train_size"] == SUBSET
    batches = [e for e in events if e["event"] == "batch"]
    assert batches, "no batch progress was reported"
    assert batches[-1]["batch"] == batches[-1]["batches"] == 8  # ceil(1000 / 128)
    assert all(0 <= b["accuracy"] <= 1 and b["loss"] > 0 for b in batches)
    epoch = next(e for e in events if e["event"] == "epoch")
    assert len(epoch["history"]["val_loss"]) == 1
    assert events[-1]["version"] == "first"


@pytest.mark.slow
def test_cancel_writes_nothing(store: ModelStore, mnist, trained):
    before = user_versions(store)
    calls = []

    def should_cancel() -> bool:
        calls.append(1)
        return len(calls) >= 3  # the user presses Cancel during the third batch

    events: list[dict] = []
    config = TrainConfig(subset=SUBSET, epochs=3, augment=True)
    with pytest.raises(TrainingCancelled):
        train_run(config, store, events.append, should_cancel, mnist=mnist, name="cancelled")
    assert len(calls) == 3  # it stopped right after the batch in which it was asked to
    assert [e["event"] for e in events].count("epoch") <= 1
    assert "done" not in [e["event"] for e in events]
    assert user_versions(store) == before
    assert not (store.versions_dir / "cancelled").exists()
    assert not staging_dirs(store)


@pytest.mark.slow
@pytest.mark.parametrize("failing_event", ["batch", "evaluating"])
def test_a_failing_progress_callback_writes_nothing(
    store: ModelStore, mnist, failing_event, trained
):
    before = user_versions(store)

    def on_progress(event: dict) -> None:
        if event["event"] == failing_event:
            raise RuntimeError(f"the page went away at {failing_event}")

    config = TrainConfig(subset=SUBSET, epochs=1)
    with pytest.raises(RuntimeError, match="the page went away"):
        train_run(config, store, on_progress, mnist=mnist, name=f"failed-{failing_event}")
    assert user_versions(store) == before
    assert not staging_dirs(store)


def test_train_config_checks():
    TrainConfig().check()
    for bad in (
        {"arch": "nope"},
        {"epochs": 0},
        {"epochs": 201},
        {"batch_size": 0},
        {"learning_rate": 0},
        {"learning_rate": 2},
        {"subset": 5},
        {"subset": 60000},
        {"schedule": "linear"},
        {"precision": "float16"},
    ):
        with pytest.raises(ValueError):
            TrainConfig(**bad).check()


def test_training_precision():
    native = native_bfloat16()
    assert training_precision(TrainConfig(arch="studio_cnn")) == (
        "bfloat16" if native else "float32"
    )
    assert training_precision(TrainConfig(arch="seed_cnn")) == training_precision(TrainConfig())
    for arch in ("mlp", "rnn"):  # no faster in bfloat16
        assert training_precision(TrainConfig(arch=arch)) == "float32"
    assert training_precision(TrainConfig(precision="float32")) == "float32"
    assert training_precision(TrainConfig(arch="rnn", precision="bfloat16")) == "bfloat16"


def test_dtype_policy_is_restored_even_on_error():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError), dtype_policy("mixed_bfloat16"):
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
        raise RuntimeError
    assert keras.config.dtype_policy().name == before == "float32"


@pytest.mark.slow
def test_a_bfloat16_run_stores_a_float32_network(store: ModelStore, mnist):
    """Mixed bfloat16 trains a copy; the stored network is float32 and learned as much."""
    config = TrainConfig(subset=2000, epochs=2, precision="bfloat16", seed=5)
    version = train_run(config, store, mnist=mnist, name="bf16")
    float32 = train_run(replace(config, precision="float32"), store, mnist=mnist, name="f32")
    assert version.meta["precision"] == "bfloat16"
    assert float32.meta["precision"] == "float32"
    # 2,000 digits, 2 epochs: about 70% either way (chance is 10%).
    assert version.meta["test_accuracy"] > 0.5
    assert version.meta["test_accuracy"] == pytest.approx(float32.meta["test_accuracy"], abs=0.1)
    network = keras.models.load_model(version.model_file, compile=False)
    assert {layer.dtype_policy.name for layer in network.layers} == {"float32"}
    assert {w.dtype for w in network.get_weights()} == {np.dtype("float32")}
    # The float32 network scores what training measured on it, read the way training read it:
    # as the app does (the nudged copies, the version's temperature and reject threshold).
    served = Predictor.from_version(version, lite=False)
    report = evaluate_inputs(served, as_input(mnist.x_test)[..., 0], mnist.y_test)
    assert report.accuracy == pytest.approx(version.meta["test_accuracy"], abs=1e-4)
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left alone


def test_invalid_config_fails_before_anything_is_written(tmp_path: Path):
    store = ModelStore(tmp_path / "store", shipped_dir=tmp_path)
    with pytest.raises(ValueError):
        train_run(TrainConfig(arch="nope"), store, mnist=None)
    assert not list(store.versions_dir.iterdir())


def test_a_taken_name_fails_before_training(tmp_path: Path):
    (tmp_path / "shipped" / "default").mkdir(parents=True)
    store = ModelStore(tmp_path / "store", shipped_dir=tmp_path / "shipped")
    events: list[dict] = []
    with pytest.raises(StoreError, match="exists already"):
        train_run(TrainConfig(), store, on_progress=events.append, name="default")
    assert events == []  # refused before any data was loaded or any batch trained
    assert not list(store.versions_dir.iterdir())


def test_training_split(mnist):
    config = TrainConfig(subset=500, seed=1)
    x, y, x_val, y_val = training_split(mnist, config)
    assert x.shape == (500, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() == 1.0
    assert y.shape == (500,) and set(np.unique(y)) == set(range(10))
    assert x_val.shape == (VALIDATION_SIZE, 28, 28, 1) and len(y_val) == VALIDATION_SIZE
    again = training_split(mnist, TrainConfig(subset=500, seed=1))
    np.testing.assert_array_equal(x, again[0])  # the same seed, the same subset
    other = training_split(mnist, TrainConfig(subset=500, seed=2))
    assert not np.array_equal(x, other[0])
    # The validation digits are never trained on.
    train_all = training_split(mnist, TrainConfig())[0]
    assert len(train_all) == 60000 - VALIDATION_SIZE
    np.testing.assert_array_equal(x_val, as_input(mnist.x_train[-VALIDATION_SIZE:]))


def test_augmentation_keeps_shape_and_range(mnist):
    images = tf.constant(as_input(mnist.x_train[:64]))
    out = augment_batch(images, tf.random.Generator.from_seed(0)).numpy()
    assert out.shape == (64, 28, 28, 1)
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert not np.allclose(out, images.numpy())  # it does change the digits
    # ...but keeps them recognisable: most ink stays where it was.
    overlap = (np.minimum(out, images.numpy()).sum()) / images.numpy().sum()
    assert overlap > 0.3


def test_warp_moves_pixels_by_the_flow(mnist):
    images = tf.constant(as_input(mnist.x_train[:4]))
    still = warp(images, tf.zeros([4, 28, 28, 2])).numpy()
    np.testing.assert_allclose(still, images.numpy(), atol=1e-6)
    # Reading one pixel to the right moves the digit one pixel left; the right edge reads the
    # background beyond the image.
    flow = tf.concat([tf.ones([4, 28, 28, 1]), tf.zeros([4, 28, 28, 1])], axis=-1)
    moved = warp(images, flow).numpy()
    np.testing.assert_allclose(moved[:, :, :-1], images.numpy()[:, :, 1:], atol=1e-6)
    assert (moved[:, :, -1] == 0).all()


def test_typeset_digits_join_the_training_set(mnist):
    plain = training_split(mnist, TrainConfig(subset=100))
    x, y, _, _ = training_split(mnist, TrainConfig(subset=100, typeset=50))
    assert len(x) == len(plain[0]) + 50
    np.testing.assert_array_equal(x[:100], plain[0])
    # Five of each digit, each drawn with ink, centred by the app's preprocessing.
    assert np.bincount(y[100:], minlength=10).tolist() == [5] * 10
    assert (x[100:].reshape(50, -1).max(axis=1) > 0.5).all()
    with pytest.raises(ValueError, match="--augment"):
        TrainConfig(elastic=True).check()


def test_first_drawn_adds_letters_and_symbols_to_the_non_digits(mnist):
    """`--first-drawn` draws the kinds people draw first more often: the non-digits as they
    were, then drawings of letters and symbols only, all labelled "not a digit"."""
    base = training_split(mnist, TrainConfig(subset=100, nondigits=20))
    x, y, _, _ = training_split(mnist, TrainConfig(subset=100, nondigits=20, first_drawn=10))
    assert len(x) == len(base[0]) + 10
    np.testing.assert_array_equal(x[:120], base[0])
    assert (y[100:] == NOT_A_DIGIT).all()
    letters, _ = nondigit_drawings(10, seed=FIRST_DRAWN_SEED, kinds=FIRST_DRAWN_KINDS)
    np.testing.assert_array_equal(x[120:], as_input(letters))
    any_kind, _ = nondigit_drawings(10, seed=FIRST_DRAWN_SEED)
    assert not np.array_equal(letters, any_kind)
    with pytest.raises(ValueError, match="add --nondigits"):
        TrainConfig(first_drawn=10).check()


def test_elastic_distortion_bends_digits_but_keeps_them_in_place(mnist):
    images = as_input(mnist.x_train[:64])
    out = random_elastic(tf.constant(images), tf.random.Generator.from_seed(0)).numpy()
    plain = augment_batch(tf.constant(images), tf.random.Generator.from_seed(0)).numpy()
    bent = augment_batch(tf.constant(images), tf.random.Generator.from_seed(0), elastic=True)
    assert not np.allclose(bent.numpy(), plain)  # asked for, the augmentation bends too
    changed = np.abs(out - images).reshape(64, -1).max(axis=1) > 0.2
    assert 0.3 < changed.mean() < 0.7  # about half the digits are bent...
    # ...smoothly and a little: the ink's amount and its centre hardly move.
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), images.sum(axis=(1, 2, 3)), rtol=0.2)
    rows = np.arange(28)[None, :, None, None]
    centre = (out * rows).sum(axis=(1, 2, 3)) / out.sum(axis=(1, 2, 3))
    before = (images * rows).sum(axis=(1, 2, 3)) / images.sum(axis=(1, 2, 3))
    assert np.abs(centre - before).max() < 2.0


def test_low_resolution_scans_blur_a_fifth_of_the_digits_in_place(mnist):
    images = as_input(mnist.x_train[:512])
    out = random_lowres(tf.constant(images), tf.random.Generator.from_seed(0)).numpy()
    changed = np.abs(out - images).reshape(512, -1).max(axis=1) > 1e-6
    assert 0.12 < changed.mean() < 0.28  # about LOWRES_SHARE of them
    # Averaged down and back up: the ink stays where it was, its fine detail goes.
    np.testing.assert_allclose(
        out[changed].sum(axis=(1, 2, 3)), images[changed].sum(axis=(1, 2, 3)), rtol=0.25
    )
    detail = lambda x: np.abs(np.diff(x, axis=1)).sum()  # noqa: E731
    assert detail(out[changed]) < detail(images[changed])
    np.testing.assert_array_equal(out[~changed], images[~changed])
    with pytest.raises(ValueError, match="--augment"):
        TrainConfig(lowres=True).check()


def test_ink_box_finds_the_drawn_pixels():
    image = np.zeros((2, 28, 28, 1), np.float32)
    image[0, 5:21, 12:15] = 1.0  # a bar 16 tall, 3 wide; the second image is empty
    top, bottom, left, right = (v.numpy() for v in ink_box(tf.constant(image)))
    assert (top[0], bottom[0], left[0], right[0]) == (5, 20, 12, 14)
    assert bottom[1] < top[1]


def hold_the_warp_still(monkeypatch, share: str) -> None:
    """No rotation, shear, scale or shift: only the box change whose `share` is set to all."""
    monkeypatch.setattr(augment, share, 1.0)
    for name, value in (("MAX_ROTATION", 0.0), ("MAX_SHEAR", 0.0), ("MAX_SHIFT", 0.0)):
        monkeypatch.setattr(augment, name, value)
    monkeypatch.setattr(augment, "SCALE_RANGE", (1.0, 1.0))


def box_sizes(box) -> tuple[np.ndarray, np.ndarray]:
    """An `ink_box` answer as (widths, heights)."""
    top, bottom, left, right = (v.numpy() for v in box)
    return right - left + 1, bottom - top + 1


def test_stretching_widens_narrow_digits_towards_a_square_box(mnist, monkeypatch):
    images = as_input(mnist.x_train[:512])
    fx, fy, chosen = (
        v.numpy()
        for v in random_stretch(box_of(tf.constant(images)), tf.random.Generator.from_seed(0))
    )
    stretched = (fx > 1.001) | (fy > 1.001)
    assert 0.08 < stretched.mean() < 0.22  # about STRETCH_SHARE of them
    assert np.all(chosen[stretched])  # the mask says which were stretched
    assert np.all((fx >= 1) & (fy >= 1)) and not np.any((fx > 1.001) & (fy > 1.001))
    # Never past the square: the stretched side at most reaches the longer one.
    top, bottom, left, right = (v.numpy() for v in ink_box(tf.constant(images)))
    height, width = bottom - top + 1, right - left + 1
    assert np.all(width * fx <= np.maximum(height, width) + 1e-3)
    assert np.all(height * fy <= np.maximum(height, width) + 1e-3)
    # Warped with everything else held still, a 1 comes out as a broad bar as tall as it was.
    hold_the_warp_still(monkeypatch, "STRETCH_SHARE")
    ones = images[mnist.y_train[:512] == 1][:20]
    out = augment.random_affine(tf.constant(ones), tf.random.Generator.from_seed(1), stretch=True)
    before, after = ink_box(tf.constant(ones)), ink_box(out)
    (w0, h0), (w1, h1) = box_sizes(before), box_sizes(after)
    assert np.all(w1 >= w0 - 1) and np.mean(w1 / w0) > 1.5
    assert np.abs(h1 - h0).max() <= 1
    np.testing.assert_array_equal(
        augment.random_affine(tf.constant(ones), tf.random.Generator.from_seed(1)).numpy(), ones
    )
    with pytest.raises(ValueError, match="--augment"):
        TrainConfig(stretch=True).check()


def test_the_stretch_is_about_the_digits_own_box_and_before_the_warp(monkeypatch):
    bars = np.zeros((8, 28, 28, 1), np.float32)
    bars[:, 2:18, 3:6] = 1.0  # off centre: rows 2-17, columns 3-5 (centre 9.5, 4)
    monkeypatch.setattr(augment, "STRETCH_SHARE", 1.0)
    for name, value in (("MAX_ROTATION", 0.0), ("MAX_SHEAR", 0.0), ("MAX_SHIFT", 0.0)):
        monkeypatch.setattr(augment, name, value)
    monkeypatch.setattr(augment, "SCALE_RANGE", (0.5, 0.5))  # then halved about the middle
    out = augment.random_affine(tf.constant(bars), tf.random.Generator.from_seed(2), stretch=True)
    top, bottom, left, right = (v.numpy() for v in ink_box(out))
    # Stretched about its own centre, then halved about 13.5: its centre lands at (11.5, 8.75).
    # Stretched after the warp, or about another point, the stretch would move the centre too.
    np.testing.assert_allclose((top + bottom) / 2, 11.5, atol=1.0)
    np.testing.assert_allclose((left + right) / 2, 8.75, atol=1.0)
    assert np.mean((right - left + 1) / 1.5) > 1.5  # wider than the halved bar's 1.5 px


def test_squeezing_narrows_wide_digits(mnist, monkeypatch):
    images = as_input(mnist.x_train[:512])
    box = box_of(tf.constant(images))
    spare_none = tf.zeros([512], tf.bool)
    fx = random_squeeze(box, tf.random.Generator.from_seed(0), spare_none).numpy()
    squeezed = fx < 0.999
    assert 0.06 < squeezed.mean() < 0.22  # about SQUEEZE_SHARE, less the digits already narrow
    assert np.all(fx <= 1)
    low, high = augment.SQUEEZE_ASPECT
    aspect = (box.width.numpy() * fx / box.height.numpy())[squeezed]
    assert np.all((aspect >= low - 1e-3) & (aspect <= high + 1e-3))
    spare_all = tf.ones([512], tf.bool)
    np.testing.assert_array_equal(
        random_squeeze(box, tf.random.Generator.from_seed(0), spare_all), 1
    )
    # Warped with everything else held still, a 0 comes out narrow and as tall as it was.
    hold_the_warp_still(monkeypatch, "SQUEEZE_SHARE")
    noughts = images[mnist.y_train[:512] == 0][:20]
    out = augment.random_affine(
        tf.constant(noughts), tf.random.Generator.from_seed(1), squeeze=True
    )
    (w0, h0), (w1, h1) = box_sizes(ink_box(tf.constant(noughts))), box_sizes(ink_box(out))
    assert np.all(w1 / h1 <= high + 0.15) and np.all(w1 < w0)
    assert np.abs(h1 - h0).max() <= 1
    with pytest.raises(ValueError, match="--augment"):
        TrainConfig(squeeze=True).check()


def test_the_squeeze_is_about_the_digits_own_box_and_before_the_warp(monkeypatch):
    slabs = np.zeros((8, 28, 28, 1), np.float32)
    slabs[:, 2:10, 0:16] = 1.0  # off centre and wide: rows 2-9, columns 0-15 (centre 5.5, 7.5)
    hold_the_warp_still(monkeypatch, "SQUEEZE_SHARE")
    monkeypatch.setattr(augment, "SCALE_RANGE", (0.5, 0.5))  # then halved about the middle
    out = augment.random_affine(tf.constant(slabs), tf.random.Generator.from_seed(2), squeeze=True)
    top, bottom, left, right = (v.numpy() for v in ink_box(out))
    # Squeezed about its own centre, then halved about 13.5: its centre lands at (9.5, 10.5).
    # Squeezed after the warp, or about another point, the squeeze would move the centre too.
    np.testing.assert_allclose((top + bottom) / 2, 9.5, atol=1.0)
    np.testing.assert_allclose((left + right) / 2, 10.5, atol=1.0)
    assert np.all((right - left + 1) <= 0.6 * 4 + 2)  # as narrow as SQUEEZE_ASPECT allows


def test_an_image_is_stretched_or_squeezed_never_both(mnist, monkeypatch):
    images = as_input(mnist.x_train[:64])
    hold_the_warp_still(monkeypatch, "STRETCH_SHARE")
    monkeypatch.setattr(augment, "SQUEEZE_SHARE", 1.0)
    both = augment.random_affine(
        tf.constant(images), tf.random.Generator.from_seed(4), stretch=True, squeeze=True
    )
    stretched = augment.random_affine(
        tf.constant(images), tf.random.Generator.from_seed(4), stretch=True
    )
    np.testing.assert_array_equal(both.numpy(), stretched.numpy())  # the squeeze spares them all


def test_runs_without_a_box_change_draw_the_random_numbers_they_always_drew():
    images = tf.zeros((4, 28, 28, 1))
    warped, drawn = tf.random.Generator.from_seed(3), tf.random.Generator.from_seed(3)
    augment.random_affine(images, warped)
    for shape in ([4], [4], [4], [4, 2]):  # angle, shear, scale, shift
        drawn.uniform(shape)
    np.testing.assert_array_equal(warped.state.numpy(), drawn.state.numpy())
    # Nor do stretched runs draw more since the squeeze came: the shipped recipes replay.
    augment.random_affine(images, warped, stretch=True)
    for shape in ([4], [4], [4], [4, 2], [4], [4]):  # ... then the stretch's choice and amount
        drawn.uniform(shape)
    np.testing.assert_array_equal(warped.state.numpy(), drawn.state.numpy())


def test_plain_epochs_end_an_augmented_run_on_the_images_as_they_are(mnist, store):
    config = TrainConfig(epochs=5, augment=True, lowres=True, plain_epochs=2)
    (augmented, turn), (plain, end) = epoch_stages(config)
    assert (augmented, turn, end) == (config, 3, 5)
    assert not (plain.augment or plain.lowres or plain.stretch or plain.squeeze)
    assert not plain.plain_epochs
    assert epoch_stages(TrainConfig(epochs=5, augment=True)) == [
        (TrainConfig(epochs=5, augment=True), 5)
    ]
    x, y = as_input(mnist.x_train[:256]), mnist.y_train[:256].astype(np.int32)
    originals = {image.tobytes() for image in x}
    seen = lambda stage: [  # noqa: E731
        image.tobytes() in originals for image in next(iter(make_dataset(x, y, stage)))[0].numpy()
    ]
    assert all(seen(plain)) and sum(seen(augmented)) < 0.1 * len(x)
    for wrong, message in [
        (TrainConfig(epochs=5, plain_epochs=1), "--augment"),
        (TrainConfig(epochs=5, augment=True, plain_epochs=5), "fewer than the epochs"),
        (TrainConfig(epochs=5, augment=True, plain_epochs=-1), "fewer than the epochs"),
    ]:
        with pytest.raises(ValueError, match=message):
            wrong.check()
    # A real run: its epochs are counted on across the two stages, and the config is kept.
    events: list[dict] = []
    run = TrainConfig(subset=SUBSET, epochs=2, augment=True, plain_epochs=1)
    version = train_run(run, store, events.append, mnist=mnist, name="plain-end")
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [1, 2]
    assert len(version.history()["loss"]) == 2
    assert version.meta["config"]["plain_epochs"] == 1


def test_distilled_loss_mixes_the_label_with_the_teachers_answer():
    p = np.array([[0.7, 0.2] + [0.0125] * 8, [0.1] * 10], np.float32)
    q = np.array([[0.5, 0.5] + [0.0] * 8, [0.1] * 10], np.float32)
    rows = np.column_stack([[0.0, -1.0], q])  # a 0, and a drawing that is no digit
    got = np.asarray(networks.distilled_loss(rows, p))
    hard = np.asarray(networks.digit_loss(np.array([0, -1]), p))
    soft = -(q * np.log(p)).sum(axis=1)
    w = networks.DISTILL_WEIGHT
    np.testing.assert_allclose(got, (1 - w) * hard + w * soft, rtol=1e-5)
    assert hard[1] == pytest.approx(0.0, abs=1e-5)  # all ten alike: nothing to pull
    accuracy = np.asarray(networks.distilled_accuracy(rows, p))
    assert accuracy.tolist() == [1.0, 1.0]  # the 0 read as 0; no digit above half for the other


@pytest.mark.slow
def test_a_student_learns_from_its_teachers_answers(trained, store: ModelStore, mnist):
    teacher, _ = trained
    x = as_input(mnist.x_train[:50])
    reading = Predictor.from_version(teacher)
    rows = with_teachers(mnist.y_train[:50], x, [reading])
    assert rows.shape == (50, 11)
    np.testing.assert_array_equal(rows[:, 0], mnist.y_train[:50])
    np.testing.assert_allclose(rows[:, 1:].sum(axis=1), 1.0, atol=1e-4)  # probabilities
    np.testing.assert_allclose(rows[:, 1:], reading.calibration.read(reading, x[..., 0]), atol=1e-5)
    config = TrainConfig(subset=SUBSET, epochs=1, augment=True, seed=4, teachers=teacher.name)
    student = train_run(config, store, mnist=mnist, name="student")
    assert student.meta["config"]["teachers"] == teacher.name
    # It learnt the teacher's answers: most test digits get the teacher's digit.
    test = as_input(mnist.x_test[:500])[..., 0]
    taught = Predictor.from_version(student).probabilities_batched(test).argmax(axis=1)
    told = reading.probabilities_batched(test).argmax(axis=1)
    assert (taught == told).mean() > 0.5
    history = json.loads((student.path / "history.json").read_text())
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    with pytest.raises(ValueError, match="commas"):
        TrainConfig(teachers="a,,b").check()


# --- Networks ------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", sorted(networks.BUILDERS))
def test_every_architecture_maps_an_image_to_ten_probabilities(arch):
    network = networks.build(arch)
    assert tuple(network.input_shape) == (None, 28, 28, 1)
    assert tuple(network.output_shape) == (None, 10)
    assert network.layers[-1].get_config()["activation"] == "softmax"
    assert network.optimizer is not None  # compiled, ready to train
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    probabilities = network(x, training=False).numpy()
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (probabilities >= 0).all()


def test_every_named_architecture_has_a_builder():
    # The names the app offers (without TensorFlow) are the networks `model.networks` builds.
    assert list(ARCH_DESCRIPTIONS) == list(networks.BUILDERS)
    assert DEFAULT_ARCH == TrainConfig().arch == "studio_cnn"
    assert DEFAULT_ARCH in networks.BUILDERS


def test_unknown_architecture():
    with pytest.raises(ValueError, match="unknown architecture"):
        networks.build("nope")


def test_seed_cnn_is_the_classic_keras_mnist_convnet():
    network = networks.seed_cnn()
    layers = network.layers
    assert [type(layer).__name__ for layer in layers] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    conv1, pool1, conv2, pool2, _, dense, out = layers
    for conv, filters in ((conv1, 32), (conv2, 64)):
        config = conv.get_config()
        assert config["filters"] == filters
        assert tuple(config["kernel_size"]) == (3, 3)
        assert config["activation"] == "relu"
        assert config["padding"] == "valid"
        assert tuple(config["strides"]) == (1, 1)
    for pool in (pool1, pool2):
        assert tuple(pool.get_config()["pool_size"]) == (2, 2)
    assert dense.get_config()["units"] == 128 and dense.get_config()["activation"] == "relu"
    assert out.get_config()["units"] == 10 and out.get_config()["activation"] == "softmax"
    assert network.count_params() == 225_034
    assert tuple(conv2.output.shape) == (None, 11, 11, 64)
    assert tuple(pool2.output.shape) == (None, 5, 5, 64)


# --- Inference -----------------------------------------------------------------------------


@pytest.mark.slow
def test_classify_a_canvas_drawing(predictor: Predictor):
    drawing = render_strokes(TEMPLATES[7][0], pen_width=20.0, scale=0.7, center=(0.4, 0.6))
    prediction = predictor.classify(canvas_rgba(drawing))
    assert prediction is not None
    p = prediction.probabilities
    assert p.shape == (10,) and p.dtype == np.float32
    assert p.sum() == pytest.approx(1.0, abs=1e-5)
    assert (p >= 0).all()
    assert prediction.digit == int(np.argmax(p))
    assert prediction.confidence == pytest.approx(float(p.max()))
    top = prediction.top(3)
    assert top[0][0] == prediction.digit
    assert [q for _, q in top] == sorted((q for _, q in top), reverse=True)
    assert prediction.preprocessed.image.shape == (28, 28)


@pytest.mark.slow
def test_an_empty_canvas_is_not_classified(predictor: Predictor):
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    assert predictor.classify(blank) is None


@pytest.mark.slow
def test_probabilities_agree_with_the_network(predictor: Predictor, mnist):
    x = as_input(mnist.x_test[:64])
    expected = predictor.network(x, training=False).numpy()
    got = predictor.probabilities(x[..., 0])
    np.testing.assert_allclose(got, expected, atol=1e-5)
    batched = predictor.probabilities_batched(x[..., 0], batch_size=10)
    np.testing.assert_allclose(batched, expected, atol=1e-5)
    assert predictor.probabilities_batched(np.zeros((0, 28, 28), np.float32)).shape == (0, 10)


@pytest.mark.slow
def test_reloaded_model_scores_what_training_measured(predictor: Predictor, trained, mnist):
    version, _ = trained
    report = evaluate_inputs(predictor, as_input(mnist.x_test)[..., 0], mnist.y_test)
    assert report.n == 10000
    assert report.accuracy == pytest.approx(version.meta["test_accuracy"], abs=1e-3)


def _copy_version(version_path: Path, target: Path) -> Path:
    shutil.copytree(version_path, target)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "missing"])
def test_a_damaged_model_file_raises_model_file_error(trained, store: ModelStore, damage):
    version, _ = trained
    path = _copy_version(version.path, store.versions_dir / f"damaged-{damage}")
    model_file = path / "model.keras"
    raw = model_file.read_bytes()
    if damage == "truncated":
        model_file.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        model_file.write_bytes(b"\x00garbage" * 1000)
    elif damage == "empty":
        model_file.write_bytes(b"")
    else:
        model_file.unlink()
    try:
        with pytest.raises(ModelFileError) as caught:
            Predictor.from_version(store.get(path.name))
        assert isinstance(caught.value, StoreError)
        assert path.name in str(caught.value)
    finally:
        shutil.rmtree(path)


@pytest.mark.slow
def test_load_active_falls_back_to_the_shipped_default(trained, store: ModelStore, shipped_dir):
    version, _ = trained
    default = _copy_version(version.path, shipped_dir / DEFAULT_VERSION)
    broken = _copy_version(version.path, store.versions_dir / "broken")
    raw = (broken / "model.keras").read_bytes()
    (broken / "model.keras").write_bytes(raw[: len(raw) // 3])
    try:
        store.activate("broken")  # its files are all there: only loading finds the damage
        predictor, warnings = load_active(store)
        assert predictor.version.name == DEFAULT_VERSION and predictor.version.shipped
        assert len(warnings) == 1 and "broken" in warnings[0]
        assert store.active_name() == "broken"  # the fallback does not rewrite the user's choice

        store.activate("first")
        predictor, warnings = load_active(store)
        assert predictor.version.name == "first" and warnings == []

        (store.root / "active").write_text("gone-version")
        predictor, warnings = load_active(store)
        assert predictor.version.name == DEFAULT_VERSION
        assert "gone-version" in warnings[0]

        # With the default broken too there is nothing to fall back on: a clear error.
        (default / "model.keras").write_bytes(b"junk")
        store.activate("broken")
        with pytest.raises(StoreError, match=r"broken.*default"):
            load_active(store)
    finally:
        (store.root / "active").unlink(missing_ok=True)
        shutil.rmtree(broken)
        shutil.rmtree(default)


@pytest.mark.slow
def test_a_model_saved_by_keras_round_trips(trained, tmp_path: Path, predictor: Predictor, mnist):
    """What the store saved is the trained network: a plain Keras load gives the same outputs."""
    version, _ = trained
    network = keras.models.load_model(version.model_file, compile=False)
    x = as_input(mnist.x_test[:16])
    np.testing.assert_allclose(network(x).numpy(), predictor.probabilities(x[..., 0]), atol=1e-5)
