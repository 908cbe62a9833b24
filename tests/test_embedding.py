"""model.embedding and model.version_cache: the nearest training digits in the shipped default's
last hidden layer, the map of the test digits, and the per-version cache on disk, on a read-only
disk and in memory."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from model import embedding, version_cache
from model.serving.inference import Predictor
from model.serving.store import ModelStore
from pages.lab_neighbours import LABEL_GAP, label_offsets, map_scales


@pytest.fixture(scope="module")
def default():
    version = ModelStore().get("default")
    return Predictor.from_version(version).network, version


def test_an_index_finds_the_nearest_rows_exactly():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(500, 16)).astype(np.float32)
    index = embedding.Index.of(vectors, rng.integers(0, 10, 500))
    query = rng.normal(size=16).astype(np.float32)
    found, distances = index.query(query, k=8)
    expected = np.linalg.norm(vectors - query, axis=1)
    np.testing.assert_array_equal(found, np.argsort(expected)[:8])
    np.testing.assert_allclose(distances, np.sort(expected)[:8], rtol=1e-4)


def test_a_training_digit_finds_itself_and_its_label(default, mnist):
    network, version = default
    index = embedding.training_index(network, version)
    assert index.vectors.shape == (60000, 128)
    for row in (7, 1234, 45678):
        image = mnist.x_train[row].astype(np.float32) / 255
        neighbours = embedding.nearest(network, index, image)
        assert len(neighbours) == 8
        assert neighbours[0].index == row and neighbours[0].distance < 0.05
        assert neighbours[0].label == int(mnist.y_train[row])
        labels = [n.label for n in neighbours]
        assert labels.count(int(mnist.y_train[row])) >= 6  # its neighbours are mostly its digit
        assert [n.distance for n in neighbours] == sorted(n.distance for n in neighbours)


def test_the_map_places_a_test_digit_where_it_is_drawn(default, mnist):
    network, version = default
    projection = embedding.test_map(network, version)
    assert projection.points.shape == (embedding.MAP_POINTS, 2)
    np.testing.assert_array_equal(projection.labels, mnist.y_test[projection.rows])
    row = int(projection.rows[10])
    x, y = embedding.place(network, projection, mnist.x_test[row].astype(np.float32) / 255)
    np.testing.assert_allclose((x, y), projection.points[10], atol=1e-3)
    assert 0 < projection.explained.sum() < 1
    # Digits of one kind sit together: each digit's points are nearer their own centre.
    centres = np.stack([projection.points[projection.labels == d].mean(0) for d in range(10)])
    own = np.linalg.norm(projection.points - centres[projection.labels], axis=1)
    spread = np.linalg.norm(projection.points - projection.points.mean(0), axis=1)
    assert own.mean() < 0.8 * spread.mean()


def apart(middles, offsets, avoid, scale) -> float:
    """The least distance, in pixels at `scale`, between two labels or a label and a point."""
    at = np.asarray(middles) * scale + offsets
    pairs = [np.hypot(*(a - b)) for i, a in enumerate(at) for b in at[i + 1 :]]
    return min(pairs + [np.hypot(*(a - p)) for a in at for p in np.asarray(avoid) * scale])


def test_labels_that_would_touch_are_nudged_apart_and_off_the_cross():
    # "1" and "0" nearly on one spot, "6" and "9" close, the cross on "4", "8" far from all.
    middles = np.array(
        [[-4.3, -2.0], [-5.0, -2.3], [-4.4, 1.6], [-4.1, 2.1], [-7.0, -2.2], [8, 20]]
    )
    cross = np.array([[-7.2, -2.3]])
    scales = map_scales(np.array([[-10, -10], [32, 33]]))
    offsets = label_offsets(middles, cross, scales)
    for scale in scales:  # legible at a phone's width and at a wide screen's
        assert apart(middles, offsets, cross, scale) >= LABEL_GAP
    assert (offsets[-1] == 0).all()  # a label already clear stays on its middle
    assert np.abs(offsets).max() < 3 * LABEL_GAP  # and the others stay beside theirs


def test_labels_on_one_spot_part():
    offsets = label_offsets(np.zeros((2, 2)), np.empty((0, 2)), [(10.0, 10.0)])
    assert np.hypot(*(offsets[0] - offsets[1])) >= LABEL_GAP


# --- The per-version cache -----------------------------------------------------------------------


def fake_version(directory: Path, shipped: bool = False) -> SimpleNamespace:
    directory.mkdir(parents=True)
    (directory / "model.keras").write_bytes(b"weights")
    return SimpleNamespace(
        name="v1", path=directory, shipped=shipped, model_file=directory / "model.keras"
    )


@pytest.fixture
def shared(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "shared"
    monkeypatch.setattr(version_cache, "shared_root", lambda: root)
    version_cache.forget()
    yield root
    version_cache.forget()


def counting_build():
    calls = []

    def build():
        calls.append(1)
        return {"x": np.arange(4.0)}

    return build, calls


def test_a_trained_version_keeps_its_arrays_beside_it(tmp_path, shared):
    version = fake_version(tmp_path / "v1")
    build, calls = counting_build()
    np.testing.assert_array_equal(version_cache.cached(version, "things", build)["x"], np.arange(4))
    assert (version.path / "lab" / "things.npz").is_file() and not shared.exists()
    version_cache.forget()
    version_cache.cached(version, "things", build)
    assert len(calls) == 1  # read back from disk
    version.model_file.write_bytes(b"other weights")  # the version written again
    version_cache.forget()
    version_cache.cached(version, "things", build)
    assert len(calls) == 2  # a stale file is not used


def test_a_shipped_version_keeps_them_in_the_shared_cache(tmp_path, shared):
    version = fake_version(tmp_path / "shipped-v1", shipped=True)
    build, _ = counting_build()
    version_cache.cached(version, "things", build)
    assert not (version.path / "lab").exists()
    assert len(list(shared.glob("v1-*/things.npz"))) == 1


def test_a_read_only_disk_keeps_them_in_memory(tmp_path, shared, read_only):
    version = fake_version(tmp_path / "v1")
    shared.mkdir()
    read_only(version.path)
    read_only(shared)
    build, calls = counting_build()
    first = version_cache.cached(version, "things", build)
    assert version_cache.cached(version, "things", build) is first
    assert len(calls) == 1 and not list(shared.iterdir())
    assert not (version.path / "lab").exists()
