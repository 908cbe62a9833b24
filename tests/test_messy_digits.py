"""Messy digits: reproducible, balanced, made of MNIST test digits only, readable by the app's
preprocessing, and each kind really is the mess it is named after."""

from __future__ import annotations

import numpy as np
import pytest

from model import data, messy_digits
from model.__main__ import load_npz_set
from model.messy_digits import KINDS, chosen_test_digits, kind_rng, magnify_ink, write_npz
from model.preprocess import INK_LEVEL, preprocess_batch, preprocess_canvas, to_gray, white_on_black

PER_KIND = 20
SEED = 0
PAPER_KINDS = ("noisy_scan", "photo")


@pytest.fixture(scope="module")
def messy():
    return messy_digits.messy_digits(PER_KIND, seed=SEED)


@pytest.fixture(scope="module")
def sources(mnist) -> np.ndarray:
    """The MNIST test digit behind each image of `messy`, in the same order."""
    labels = mnist.y_test.astype(np.int64)
    return np.concatenate(
        [chosen_test_digits(labels, PER_KIND, kind_rng(SEED, kind)) for kind in KINDS]
    )


def ink_of(image: np.ndarray) -> np.ndarray:
    """White-on-black ink in [0, 1], as the app sees an upload before cropping."""
    gray = white_on_black(to_gray(image)).astype(np.float32)
    return gray / gray.max()


def of_kind(messy, kind: str) -> list[int]:
    return [i for i, name in enumerate(messy[2]) if name == kind]


def network_input(image: np.ndarray) -> np.ndarray:
    result = preprocess_canvas(image)
    assert result is not None
    return result.image


# --- The set ------------------------------------------------------------------------------------


def test_same_seed_same_images_other_seed_other_images():
    first, labels, kinds = messy_digits.messy_digits(2, seed=5)
    again, labels_again, kinds_again = messy_digits.messy_digits(2, seed=5)
    other = messy_digits.messy_digits(2, seed=6)[0]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert np.array_equal(labels, labels_again) and np.array_equal(kinds, kinds_again)
    assert not any(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other, strict=True)
    )


def test_each_kind_is_made_the_same_alone_or_with_the_others():
    alone = messy_digits.messy_digits(3, seed=2, kinds=["photo"])
    together = messy_digits.messy_digits(3, seed=2)
    photos = [i for i, kind in enumerate(together[2]) if kind == "photo"]
    assert all(np.array_equal(alone[0][j], together[0][i]) for j, i in enumerate(photos))
    assert np.array_equal(alone[1], together[1][photos])


def test_every_kind_has_balanced_labels_cycling_through_the_digits(messy):
    images, labels, kinds = messy
    assert len(images) == len(labels) == len(kinds) == PER_KIND * len(KINDS)
    assert labels.dtype == np.int64 and kinds.dtype.kind == "U"
    for kind in KINDS:
        assert list(labels[kinds == kind]) == [i % 10 for i in range(PER_KIND)]


def test_labels_are_those_of_distinct_mnist_test_digits(messy, sources, mnist):
    _, labels, kinds = messy
    assert np.array_equal(labels, mnist.y_test[sources])
    for kind in KINDS:
        assert len(set(sources[kinds == kind])) == PER_KIND  # none used twice in a kind


class Untouchable:
    """Stands in for MNIST's training digits: any use of them fails the test."""

    def __getattr__(self, name):
        raise AssertionError("a messy digit was made from MNIST's training digits")

    def __getitem__(self, index):
        self.__getattr__("__getitem__")

    def __len__(self):
        self.__getattr__("__len__")

    def __array__(self, *args, **kwargs):
        self.__getattr__("__array__")


def test_only_mnist_test_digits_are_used(monkeypatch, mnist):
    test_only = data.Mnist(Untouchable(), Untouchable(), mnist.x_test, mnist.y_test)
    monkeypatch.setattr(data, "load_mnist", lambda *args, **kwargs: test_only)
    images, labels, _ = messy_digits.messy_digits(2, seed=SEED)
    assert len(images) == len(labels) == 2 * len(KINDS)


def test_unknown_kinds_are_refused_by_name():
    with pytest.raises(ValueError, match="smudged"):
        messy_digits.messy_digits(1, kinds=["smudged"])


# --- What the app makes of them -----------------------------------------------------------------


def test_images_are_square_grayscale_uploads_of_plausible_sizes(messy):
    for image in messy[0]:
        assert image.dtype == np.uint8 and image.ndim == 2
        assert image.shape[0] == image.shape[1] and 56 <= image.shape[0] <= 280


def test_every_image_survives_preprocessing_cropped_to_the_digit(messy):
    """Noise, paper and ruled lines stay below the ink level: the crop is the digit's, not the
    whole picture, and the digit is never cut off at the picture's edge."""
    for image in messy[0]:
        result = preprocess_canvas(image)
        assert result is not None, "read as nothing drawn"
        top, left, bottom, right = result.box
        side = image.shape[0]
        assert min(top, left) > 0 and max(bottom, right) < side
        assert max(bottom - top, right - left) < 0.8 * side


def test_scans_and_photos_are_dark_ink_on_uneven_paper_under_the_ink_level(messy):
    for kind in PAPER_KINDS:
        for i in of_kind(messy, kind):
            image = messy[0][i]
            edge = max(3, image.shape[0] // 25)  # a strip of paper the digit never reaches
            frame = np.concatenate([image[:edge].ravel(), image[-edge:].ravel()])
            assert np.median(frame) > 200  # light paper: the app inverts it
            ink = ink_of(image)
            paper = np.concatenate([ink[:edge].ravel(), ink[-edge:].ravel()])
            assert paper.max() < INK_LEVEL
            assert len(np.unique(image)) > 30  # noise, shading and JPEG, not flat paper


def test_the_other_kinds_come_in_both_polarities(messy):
    for kind in set(KINDS) - set(PAPER_KINDS):
        light = [np.median(messy[0][i][0]) > 127 for i in of_kind(messy, kind)]
        assert any(light) and not all(light), kind


# --- Each kind is its mess ----------------------------------------------------------------------


def steepest_edge(ink: np.ndarray) -> float:
    return float(max(np.abs(np.diff(ink, axis=0)).max(), np.abs(np.diff(ink, axis=1)).max()))


def test_blurred_digits_are_smoother_than_the_clean_ones(messy, sources, mnist):
    for i in of_kind(messy, "blurred"):
        clean = magnify_ink(mnist.x_test[sources[i]])  # the same size, not blurred
        assert steepest_edge(ink_of(messy[0][i])) < 0.9 * steepest_edge(clean)


def ink_amount(image: np.ndarray) -> float:
    """Ink in the network's input: what a thicker or thinner pen changes once size is equalised."""
    return float(network_input(image).sum())


def test_thick_pens_lay_more_ink_and_thin_pens_less(messy, sources, mnist):
    def ratios(kind):
        return np.array(
            [
                ink_amount(messy[0][i]) / ink_amount(mnist.x_test[sources[i]])
                for i in of_kind(messy, kind)
            ]
        )

    thick, thin = ratios("thick_pen"), ratios("thin_pen")
    assert thick.min() > 1.0 and np.median(thick) > 1.3
    assert np.median(thin) < 0.85 and thin.max() < 1.2


def high_frequency_share(inputs: np.ndarray) -> float:
    """Share of a 28x28 input's energy above a quarter cycle per pixel: its fine detail."""
    power = np.abs(np.fft.fft2(inputs - inputs.mean())) ** 2
    frequency = np.fft.fftfreq(inputs.shape[0])
    radius = np.hypot(*np.meshgrid(frequency, frequency))
    return float(power[radius > 0.25].sum() / power.sum())


@pytest.mark.parametrize("kind", ["lowres_scan", "tiny_scan"])
def test_low_resolution_scans_lose_the_fine_detail(messy, sources, mnist, kind):
    lowres, clean = [], []
    for i in of_kind(messy, kind):
        lowres.append(high_frequency_share(network_input(messy[0][i])))
        clean.append(high_frequency_share(network_input(mnist.x_test[sources[i]])))
    assert np.median(lowres) < 0.75 * np.median(clean)


def test_tiny_scans_have_seventeen_grey_levels_at_most(messy):
    for i in of_kind(messy, "tiny_scan"):
        assert len(np.unique(messy[0][i])) <= 17


def test_slanted_digits_are_sheared_and_turned(messy, sources, mnist):
    """The network reads a differently shaped digit; a shear and a turn may partly cancel on
    a round digit, so it is the typical change that must be large."""
    changes = []
    for i in of_kind(messy, "slanted"):
        clean = network_input(mnist.x_test[sources[i]])
        changes.append(np.abs(network_input(messy[0][i]) - clean).mean())
    assert min(changes) > 0.01 and np.median(changes) > 0.08


# --- For the command line -----------------------------------------------------------------------


def test_the_npz_is_what_evaluate_reads_white_on_black_at_one_size(messy, tmp_path):
    images, labels, kinds = messy
    path = write_npz(tmp_path / "messy.npz", images, labels, kinds)
    stored, stored_labels = load_npz_set(path)
    assert stored.shape == (len(images), 112, 112) and stored.dtype == np.uint8
    assert np.array_equal(stored_labels, labels)
    with np.load(path) as archive:
        assert np.array_equal(archive["kinds"], kinds)
    borders = np.concatenate([stored[:, 0], stored[:, -1], stored[:, :, 0], stored[:, :, -1]], 1)
    assert (np.median(borders, axis=1) < 128).all()  # the CLI does not invert: done here
    _, empty = preprocess_batch(stored)
    assert len(empty) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["messy.npz"]  # no staging file left
