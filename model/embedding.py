"""Where a drawing sits among the digits the network has seen: its nearest training digits, and a
map of the test digits with the drawing on it.

A network reads a digit in two halves: everything up to its last hidden layer turns the pixels
into a vector (an *embedding*, 128 numbers for every network here), and the last layer reads the
ten class scores off that vector with one matrix. Digits the network thinks alike have nearby
embeddings, so the training digits nearest to a drawing's embedding are the ones the network
considers it most like: "which training digits is mine like", in the network's own terms.

- `training_index`: the embeddings of MNIST's 60,000 training digits, built once per version
  and stored with it (`model.version_cache`; float16 on disk, half the size, which moves a
  distance by far less than the gaps between neighbours). `nearest` finds the 8 nearest by
  Euclidean distance, by brute force: one (60,000 x 128) matrix product, a few milliseconds,
  exact, and nothing to tune.
- `test_map`: the 10,000 MNIST test digits' embeddings projected to two dimensions for a
  scatter plot, and `place` puts a new drawing on it. The projection is **PCA**, the two
  directions along which the embeddings vary most: a fixed linear map, so a new drawing lands
  exactly where its embedding says, the same drawing always in the same place, and the point
  moves smoothly as it is drawn. t-SNE and UMAP draw prettier clusters but place a new point
  only by re-fitting (t-SNE) or by an approximate, separately trained mapping (UMAP), and their
  distances between clusters mean little. A linear discriminant would separate the digits more
  but is fitted to the labels, so it shows what the labels say rather than what the network
  computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model import data, explain, version_cache

NEIGHBOURS = 8
MAP_POINTS = 2000  # test digits drawn on the map: enough to show every cluster, light to draw


def embed(network, images: np.ndarray) -> np.ndarray:
    """(N, 28, 28) images → (N, D) float32: the network's last hidden layer."""
    return explain.insight(network).embeddings(images)


# --- Nearest training digits ---------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    vectors: np.ndarray  # (N, D) float32
    squared_norms: np.ndarray  # (N,) float32
    labels: np.ndarray  # (N,) int64

    @classmethod
    def of(cls, vectors: np.ndarray, labels: np.ndarray) -> Index:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return cls(vectors, np.einsum("ij,ij->i", vectors, vectors), np.asarray(labels, np.int64))

    def query(self, vector: np.ndarray, k: int = NEIGHBOURS) -> tuple[np.ndarray, np.ndarray]:
        """The `k` nearest rows to `vector`, nearest first: (indices, Euclidean distances)."""
        vector = np.asarray(vector, np.float32).ravel()
        # |a - b|² = |a|² - 2a·b + |b|²; |vector|² is the same for every row, added at the end.
        partial = self.squared_norms - 2.0 * (self.vectors @ vector)
        k = min(k, len(partial))
        found = np.argpartition(partial, k - 1)[:k]
        found = found[np.argsort(partial[found], kind="stable")]
        squared = np.maximum(partial[found] + float(vector @ vector), 0.0)
        return found, np.sqrt(squared)


def _training_embeddings(network) -> dict[str, np.ndarray]:
    mnist = data.load_mnist()
    vectors = embed(network, mnist.x_train.astype(np.float32) / 255.0)
    return {"vectors": vectors.astype(np.float16), "labels": mnist.y_train.astype(np.int64)}


def training_index(network, version=None) -> Index:
    """The index of MNIST's training digits in this network's last hidden layer, built on first
    use and kept for the version (see `model.version_cache`)."""
    arrays = version_cache.cached(
        version, "train_embeddings", lambda: _training_embeddings(network), network
    )
    return _index_of(arrays)


_indexes: dict[int, tuple[dict, Index]] = {}


def _index_of(arrays: dict[str, np.ndarray]) -> Index:
    """One float32 `Index` per cached array set (converting 60,000 rows takes a moment)."""
    found = _indexes.get(id(arrays))
    if found is None or found[0] is not arrays:
        found = (arrays, Index.of(arrays["vectors"], arrays["labels"]))
        _indexes[id(arrays)] = found
    return found[1]


@dataclass(frozen=True)
class Neighbour:
    index: int  # row in MNIST's training set
    label: int
    distance: float


def nearest(network, index: Index, image: np.ndarray, k: int = NEIGHBOURS) -> list[Neighbour]:
    """The `k` training digits nearest to `image` in the network's last hidden layer."""
    found, distances = index.query(embed(network, np.asarray(image)[None])[0], k)
    return [
        Neighbour(int(i), int(index.labels[i]), float(d))
        for i, d in zip(found, distances, strict=True)
    ]


# --- The map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Map:
    mean: np.ndarray  # (D,) the embeddings' mean
    axes: np.ndarray  # (2, D) the two principal directions, unit length
    points: np.ndarray  # (M, 2) the drawn test digits' places
    rows: np.ndarray  # (M,) which MNIST test digits they are
    labels: np.ndarray  # (M,) their labels
    explained: np.ndarray  # (2,) share of the embeddings' variance along each axis

    def place(self, vectors: np.ndarray) -> np.ndarray:
        """(N, D) embeddings → (N, 2) places on the map."""
        return (np.asarray(vectors, np.float32) - self.mean) @ self.axes.T


def principal_axes(vectors: np.ndarray, count: int = 2) -> tuple[np.ndarray, ...]:
    """(mean, the `count` directions of largest variance (count, D), their variance shares).
    Each direction's sign is fixed (its largest entry positive) so the map never flips."""
    vectors = np.asarray(vectors, np.float64)
    mean = vectors.mean(axis=0)
    _, singular, directions = np.linalg.svd(vectors - mean, full_matrices=False)
    axes = directions[:count]
    signs = np.sign(axes[np.arange(count), np.abs(axes).argmax(axis=1)])
    shares = singular**2 / max(float((singular**2).sum()), 1e-12)
    return mean, axes * signs[:, None], shares[:count]


def _test_map(network, points: int) -> dict[str, np.ndarray]:
    mnist = data.load_mnist()
    vectors = embed(network, mnist.x_test.astype(np.float32) / 255.0)
    mean, axes, shares = principal_axes(vectors)
    # An even sample of every digit, the same one for every version.
    rows = np.sort(np.random.default_rng(0).permutation(len(vectors))[:points])
    placed = (vectors[rows] - mean) @ axes.T
    return {
        "mean": mean.astype(np.float32),
        "axes": axes.astype(np.float32),
        "points": placed.astype(np.float32),
        "rows": rows.astype(np.int64),
        "labels": mnist.y_test[rows].astype(np.int64),
        "explained": shares.astype(np.float32),
    }


def test_map(network, version=None, points: int = MAP_POINTS) -> Map:
    """The map of MNIST's test digits in this network's last hidden layer (PCA fitted on all
    10,000, `points` of them drawn), built on first use and kept for the version."""
    arrays = version_cache.cached(
        version, f"test_map_{points}", lambda: _test_map(network, points), network
    )
    return Map(**arrays)


def place(network, projection: Map, image: np.ndarray) -> tuple[float, float]:
    """Where a drawing lands on the map."""
    x, y = projection.place(embed(network, np.asarray(image)[None]))[0]
    return float(x), float(y)


def local_label(projection: Map, point: tuple[float, float], k: int = 15) -> tuple[int, int, int]:
    """Which digit the map shows around a point: (the most common label among the `k` nearest
    drawn test digits, how many of them have it, k)."""
    distances = np.linalg.norm(projection.points - np.asarray(point, np.float32), axis=1)
    k = min(k, len(distances))
    labels = projection.labels[np.argsort(distances)[:k]]
    counts = np.bincount(labels, minlength=10)
    return int(counts.argmax()), int(counts.max()), k
