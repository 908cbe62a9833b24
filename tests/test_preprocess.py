"""Preprocessing: any drawing, wherever and however large, becomes the same MNIST-style 28x28."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from model.drawings import CANVAS, TEMPLATES, polyline, render_strokes
from model.preprocess import BOX, FIELD, preprocess_canvas, to_gray, white_on_black

REFERENCE_SCALE = 0.7  # digit height as a fraction of the canvas, with the app's 20 px pen
SAME = 0.06  # mean absolute difference below which two 28x28 inputs are "the same digit"
BAR = (polyline((0.5, 0.0), (0.5, 1.0)),)  # a plain 1


def draw(strokes, scale=REFERENCE_SCALE, center=(0.5, 0.5), size=CANVAS) -> np.ndarray:
    """Render like the canvas, the pen growing with the digit so that the shape stays the same."""
    pen = 20.0 * scale / REFERENCE_SCALE * size / CANVAS
    return render_strokes(strokes, size=size, scale=scale, pen_width=pen, center=center)


def net_input(pixels) -> np.ndarray:
    result = preprocess_canvas(pixels)
    assert result is not None, "a drawing was taken for an empty canvas"
    return result.image


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference, allowing a 1-pixel shift.

    The centre of mass is moved to the centre by a whole number of pixels (as in MNIST), so the
    same digit can land up to a pixel apart; anything else must match.
    """
    return min(
        float(np.abs(np.roll(a, (dy, dx), axis=(0, 1)) - b).mean())
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(image.shape)
    return float((ys * image).sum() / image.sum()), float((xs * image).sum() / image.sum())


def ink_extent(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image > 0)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def assert_network_input(image: np.ndarray) -> None:
    assert image.shape == (FIELD, FIELD)
    assert image.dtype == np.float32
    assert image.min() >= 0.0
    assert image.max() == pytest.approx(1.0)


REFERENCES = {
    (digit, index): net_input(draw(shape))
    for digit, shapes in TEMPLATES.items()
    for index, shape in enumerate(shapes)
}
CANONICAL = {digit: REFERENCES[digit, 0] for digit in TEMPLATES}  # each digit's first template

templates = st.sampled_from(sorted(REFERENCES))
scales = st.floats(0.3, 0.9)
centres = st.tuples(st.floats(0.1, 0.9), st.floats(0.1, 0.9))


# --- Invariance: size and position do not matter -------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=templates, scale=scales, center=centres)
def test_same_digit_anywhere_any_size_gives_the_same_input(template, scale, center):
    digit, index = template
    image = net_input(draw(TEMPLATES[digit][index], scale=scale, center=center))
    assert_network_input(image)
    own = distance(image, REFERENCES[template])
    assert own < SAME
    # And it is nearer its own digit than any other digit's usual shape.
    for other, reference in CANONICAL.items():
        if other != digit:
            assert distance(image, reference) > own, f"looks more like a {other}"


def test_different_digits_give_clearly_different_inputs():
    """The tolerance above would catch a wrong digit: distinct digits are further apart."""
    for a in CANONICAL:
        for b in CANONICAL:
            if a < b:
                assert distance(CANONICAL[a], CANONICAL[b]) > SAME + 0.01, (a, b)


def test_a_digit_moved_by_a_few_pixels_is_unchanged_exactly_when_aligned():
    image = draw(TEMPLATES[5][0])
    moved = np.roll(image, (17, -23), axis=(0, 1))  # the ink is far from the border
    assert np.abs(moved.astype(int)).sum() == np.abs(image.astype(int)).sum()
    np.testing.assert_array_equal(net_input(moved), net_input(image))


@settings(max_examples=30, deadline=None)
@given(template=templates, scale=scales, center=centres)
def test_output_is_mnist_like(template, scale, center):
    digit, index = template
    result = preprocess_canvas(draw(TEMPLATES[digit][index], scale=scale, center=center))
    image = result.image
    assert_network_input(image)
    cy, cx = centre_of_mass(image)
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0
    assert max(ink_extent(image)) in (BOX - 1, BOX, BOX + 1)
    # Centring never pushes ink out of the field: all of the scaled digit is there.
    assert image.sum() == pytest.approx(result.scaled.sum() / result.scaled.max(), rel=1e-4)


def test_a_tall_digit_keeps_its_aspect_ratio():
    image = net_input(draw(BAR))
    height, width = ink_extent(image)
    assert height == BOX
    assert width <= 6  # a bar stays a bar; it is not stretched to 20x20


# --- Colours and formats --------------------------------------------------------------------


@pytest.fixture(scope="module")
def three() -> np.ndarray:
    return draw(TEMPLATES[3][0])


def test_black_on_white_equals_white_on_black(three):
    expected = net_input(three)
    np.testing.assert_array_equal(net_input(255 - three), expected)
    paper = np.dstack([255 - three] * 3)  # dark ink on white paper, RGB
    np.testing.assert_array_equal(net_input(paper), expected)
    np.testing.assert_array_equal(net_input(Image.fromarray(255 - three)), expected)


def test_canvas_rgba_with_opaque_alpha(three):
    rgba = np.dstack([three, three, three, np.full_like(three, 255)])
    np.testing.assert_array_equal(net_input(rgba), net_input(three))


def test_coloured_ink_on_a_coloured_background(three):
    # A yellow pen on dark blue: only the brightness difference carries the digit.
    ink = three[..., None] / 255.0
    rgb = (ink * [255, 220, 0] + (1 - ink) * [10, 20, 90]).astype(np.uint8)
    assert distance(net_input(rgb), net_input(three)) < SAME


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA", "P", "I;16", "I", "F"])
def test_pil_image_modes(three, mode):
    if mode == "I;16":
        image = Image.fromarray(three.astype(np.uint16) * 257)  # 16-bit, full range
        assert image.mode == "I;16"
    else:
        image = Image.fromarray(three).convert(mode)
        assert image.mode == mode
    result = net_input(image)
    assert_network_input(result)
    assert distance(result, net_input(three)) < 0.01


def test_adaptive_palette_and_transparent_png(three, tmp_path):
    reference = net_input(three)
    palette = Image.fromarray(three).convert("RGB").quantize(colors=8)
    assert palette.mode == "P"
    assert distance(net_input(palette), reference) < SAME
    # Black ink on a transparent background (a typical exported drawing): transparent = paper.
    rgba = np.zeros((*three.shape, 4), np.uint8)
    rgba[..., 3] = three  # black ink whose opacity is the stroke
    path = tmp_path / "transparent.png"
    Image.fromarray(rgba, "RGBA").save(path)
    with Image.open(path) as png:
        assert distance(net_input(png), reference) < SAME


def test_sixteen_bit_array_with_small_values(three):
    # 16-bit data that only uses its low range is stretched, not read as near-black.
    faint = three.astype(np.uint16) * 4
    assert distance(net_input(faint), net_input(three)) < 0.01


def test_to_gray_and_white_on_black():
    paper = np.full((10, 10), 250, np.uint8)
    paper[3:7, 4] = 5
    out = white_on_black(to_gray(paper))
    assert out[0, 0] == 0 and out[4, 4] == 245  # inverted, the paper's level taken away
    night = np.zeros((10, 10), np.uint8)
    night[3:7, 4] = 250
    np.testing.assert_array_equal(white_on_black(to_gray(night)), night)  # the canvas: as it is


def test_grey_paper_is_background_not_ink():
    # A photo of a dark digit on grey paper with a lighting gradient: without taking the paper's
    # level away, a quarter of the ink's brightness is paper too, and the crop is the whole photo.
    photo = np.tile(np.linspace(195, 215, 200), (200, 1)).astype(np.uint8)
    photo[60:140, 95:105] = 40  # a 1, 80 px tall, in the middle
    result = preprocess_canvas(photo)
    top, left, bottom, right = result.box
    assert (top, bottom) == (60, 140) and (left, right) == (95, 105)
    assert result.image[0].max() == 0 and result.image[:, 0].max() == 0  # a clean field


# --- Edge cases -----------------------------------------------------------------------------


def test_empty_canvas_is_nothing_drawn():
    assert preprocess_canvas(np.zeros((CANVAS, CANVAS, 4), np.uint8)) is None
    blank_rgba = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    blank_rgba[..., 3] = 255
    assert preprocess_canvas(blank_rgba) is None
    assert preprocess_canvas(np.full((CANVAS, CANVAS), 255, np.uint8)) is None  # white paper
    assert preprocess_canvas(Image.new("RGB", (CANVAS, CANVAS), "white")) is None


def test_faint_noise_is_nothing_drawn():
    noise = np.random.default_rng(0).integers(0, 40, (CANVAS, CANVAS), dtype=np.uint8)
    assert preprocess_canvas(noise) is None


@settings(max_examples=20, deadline=None)
@given(center=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)))
def test_a_single_click_is_nothing_drawn(center):
    dot = render_strokes([np.array([[0.5, 0.5]])], pen_width=20.0, center=center)
    assert (dot > 127).sum() > 250  # a real 20 px disc of ink
    assert preprocess_canvas(dot) is None


@pytest.mark.parametrize("pen", [8.0, 14.0, 20.0, 30.0])  # the widest pen's disc is digit-sized
def test_a_click_moved_a_pixel_or_two_is_nothing_drawn(pen):
    for drag in (1.0, 2.0):  # the pen's path, in canvas pixels: 0.5 of the canvas, down `drag`
        click = render_strokes(
            [polyline((0.5, 0.0), (0.5, 1.0))], pen_width=pen, scale=drag / CANVAS
        )
        assert preprocess_canvas(click) is None, f"a {pen:.0f} px click moved {drag:.0f} px"


@pytest.mark.parametrize("digit", range(10))
def test_a_small_digit_in_a_thin_pen_is_a_drawing(digit):
    """22 px tall in the thinnest pen (8 px), as a phone user may write: a 0 fills its box as
    much as a click's disc does, but holds several discs' worth of ink. Such digits, 0, 2, 3, 5,
    6, 8 and 9 most, were answered "nothing drawn" with ink on the canvas."""
    for template in TEMPLATES[digit]:
        small = render_strokes(template, pen_width=8.0, scale=22 / CANVAS)
        assert preprocess_canvas(small) is not None


def test_a_short_dash_is_still_a_drawing():
    # A stroke (not a round dot) of the same pen is ink: e.g. the start of a 1.
    dash = render_strokes(BAR, pen_width=20.0, scale=0.3)
    result = preprocess_canvas(dash)
    assert result is not None
    assert_network_input(result.image)


@pytest.mark.parametrize("side", ["top", "bottom", "left", "right"])
def test_ink_touching_the_border(side):
    image = draw(TEMPLATES[2][0])
    rows, cols = np.nonzero(image)
    cut = {
        "top": (slice(rows.min() + 3, None), slice(None)),
        "bottom": (slice(None, rows.max() - 2), slice(None)),
        "left": (slice(None), slice(cols.min() + 3, None)),
        "right": (slice(None), slice(None, cols.max() - 2)),
    }[side]
    touching = image[cut]
    edge = {"top": touching[0], "bottom": touching[-1], "left": touching[:, 0]}.get(
        side, touching[:, -1]
    )
    assert edge.max() == 255  # the ink really runs into the border
    result = net_input(touching)
    assert_network_input(result)
    # Losing 3 pixels of a 20 px pen off one side of the stroke barely changes it.
    assert distance(result, net_input(image)) < SAME


def test_a_one_that_is_five_pixels_wide():
    thin = render_strokes(BAR, pen_width=5.0, scale=0.7)
    assert ink_extent(thin > 127)[1] <= 6  # at most 6 px of solid ink across
    image = net_input(thin)
    assert_network_input(image)
    height, width = ink_extent(image)
    assert height == BOX and width <= 2
    cy, cx = centre_of_mass(image)
    assert abs(cx - 13.5) <= 1.0 and abs(cy - 13.5) <= 1.0


def test_a_full_canvas_scribble():
    rng = np.random.default_rng(7)
    zigzag = polyline(*(tuple(p) for p in rng.uniform(0.0, 1.0, (80, 2))))
    scribble = render_strokes([zigzag], pen_width=24.0, scale=0.95)
    assert (scribble > 127).mean() > 0.5  # most of the canvas is ink
    image = net_input(scribble)
    assert_network_input(image)
    assert max(ink_extent(image)) == BOX


def test_a_canvas_filled_with_ink_is_nothing_drawn():
    # All white on the black canvas reads as white paper with nothing on it.
    assert preprocess_canvas(np.full((CANVAS, CANVAS, 3), 255, np.uint8)) is None


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((1, 1), np.uint8),
        np.full((1, 1), 255, np.uint8),
        np.full((2, 2), 255, np.uint8),
        np.zeros((1, 1, 4), np.uint8),
        np.full((3, 1), 255, np.uint8),
    ],
    ids=["1x1 black", "1x1 white", "2x2 white", "1x1 rgba", "3x1 white"],
)
def test_tiny_arrays_are_nothing_drawn(pixels):
    assert preprocess_canvas(pixels) is None


def test_a_tiny_drawing_is_upscaled():
    tiny = np.zeros((8, 8), np.uint8)
    tiny[1:7, 4] = 255  # a 6 px tall 1 on an 8x8 image
    image = net_input(tiny)
    assert_network_input(image)
    assert ink_extent(image)[0] == BOX


@settings(max_examples=60, deadline=None)
@given(
    pixels=arrays(
        np.uint8,
        st.tuples(st.integers(1, 40), st.integers(1, 40)),
        elements=st.integers(0, 255),
    )
)
def test_any_gray_array_gives_nothing_or_a_valid_input(pixels):
    result = preprocess_canvas(pixels)
    if result is not None:
        assert_network_input(result.image)
        top, left, bottom, right = result.box
        assert 0 <= top < bottom <= pixels.shape[0] and 0 <= left < right <= pixels.shape[1]


def test_an_mnist_test_digit_as_a_drawing_is_that_digit_enlarged():
    from model.testsets import mnist_drawing, mnist_test

    pixels, label = mnist_drawing(0)
    assert pixels.shape == (280, 280) and pixels.dtype == np.uint8
    assert label == int(mnist_test().labels[0]) == 7
    shrunk = Image.fromarray(pixels).resize((28, 28), Image.Resampling.BOX)
    original = mnist_test().inputs[0]
    assert np.abs(np.asarray(shrunk) / 255.0 - original).mean() < 0.02
    other = mnist_test().inputs[1]
    assert np.abs(np.asarray(shrunk) / 255.0 - other).mean() > 0.1
