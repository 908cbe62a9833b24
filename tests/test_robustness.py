"""model.robustness: shifts, turns, sizes and pens applied to a full-size drawing, and whether the
shipped model still reads a clean drawing after small ones."""

from __future__ import annotations

import numpy as np
import pytest

from model.drawings import TEMPLATES, polyline, render_strokes
from model.robustness import change_thickness, ink_centre, transform_drawing, variant_strip


def ink_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the pixels above half brightness."""
    rows = np.flatnonzero((gray > 127).any(axis=1))
    cols = np.flatnonzero((gray > 127).any(axis=0))
    return rows[0], cols[0], rows[-1] + 1, cols[-1] + 1


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    return render_strokes(TEMPLATES[7][0])


@pytest.fixture(scope="module")
def el() -> np.ndarray:
    """An asymmetric stroke: an L, small enough that turning it keeps it on the canvas."""
    return render_strokes([polyline((0.3, 0.0), (0.3, 1.0), (0.8, 1.0))], scale=0.5)


def test_identity_is_a_no_op(seven):
    out = transform_drawing(seven)
    assert out.shape == seven.shape and out.dtype == np.uint8
    assert np.array_equal(out, seven)
    assert out is not seven  # a copy: changing it never changes the drawing
    assert np.array_equal(transform_drawing(seven, angle=360), seven)


@pytest.mark.parametrize(("dx", "dy"), [(10, 0), (0, -25), (-30, 17), (20, 20)])
def test_a_shift_moves_the_ink_by_dx_dy(seven, dx, dy):
    top, left, bottom, right = ink_box(seven)
    moved = transform_drawing(seven, dx=dx, dy=dy)
    assert ink_box(moved) == (top + dy, left + dx, bottom + dy, right + dx)
    assert (moved > 127).sum() == (seven > 127).sum()  # nothing fell off the canvas


def test_ink_shifted_off_the_canvas_is_lost(seven):
    assert (transform_drawing(seven, dx=200) > 127).sum() < (seven > 127).sum() / 2


def test_turning_an_asymmetric_stroke_changes_it(el):
    turned = transform_drawing(el, angle=90)
    assert not np.array_equal(turned, el)
    top, left, bottom, right = ink_box(el)
    t_top, t_left, t_bottom, t_right = ink_box(turned)
    # An L taller than wide becomes wider than tall, about the same middle.
    assert bottom - top > right - left
    assert t_right - t_left > t_bottom - t_top
    assert abs((t_bottom - t_top) - (right - left)) <= 3
    assert np.allclose(ink_centre(turned), ink_centre(el), atol=3)
    # Anticlockwise: the L's foot, at the bottom pointing right, now points up, on the right.
    assert (turned[t_top : t_top + 10, t_right - 20 : t_right] > 127).any()
    back = transform_drawing(turned, angle=-90)
    assert np.abs(back.astype(int) - el.astype(int)).mean() < 3


def test_scale_resizes_about_the_middle_of_the_ink(seven):
    top, left, bottom, right = ink_box(seven)
    half = transform_drawing(seven, scale=0.5)
    h_top, h_left, h_bottom, h_right = ink_box(half)
    assert abs((h_bottom - h_top) - (bottom - top) / 2) <= 2
    assert abs((h_right - h_left) - (right - left) / 2) <= 2
    assert np.allclose(ink_centre(half), ink_centre(seven), atol=2)
    with pytest.raises(ValueError):
        transform_drawing(seven, scale=0)


def test_thickness_adds_and_removes_ink(seven):
    ink = (seven > 127).sum()
    thicker, thinner = transform_drawing(seven, thickness=4), transform_drawing(seven, thickness=-4)
    assert (thicker > 127).sum() > ink * 1.2
    assert (thinner > 127).sum() < ink * 0.8
    assert (transform_drawing(seven, thickness=8) > 127).sum() > (thicker > 127).sum()
    # Growing then wearing away by as much gives back roughly the drawing (a closing).
    closed = change_thickness(change_thickness(seven, 4), -4)
    assert abs(int((closed > 127).sum()) - int(ink)) < 0.1 * ink
    # Wearing away more than the pen's half width leaves (almost) nothing.
    assert (transform_drawing(seven, thickness=-12) > 127).sum() < 0.02 * ink


def test_other_shapes_are_refused():
    with pytest.raises(ValueError):
        transform_drawing(np.zeros((4, 4, 3), np.uint8))


def test_the_variant_strip_is_labelled_drawings_of_the_same_shape(seven):
    strip = variant_strip(seven)
    labels = [label for label, _ in strip]
    assert labels[0] == "as drawn"
    assert len(labels) == len(set(labels)) >= 15
    assert any("turned" in lab for lab in labels) and any("size" in lab for lab in labels)
    assert any("pen" in lab for lab in labels) and any("moved" in lab for lab in labels)
    for _, image in strip:
        assert image.shape == seven.shape and image.dtype == np.uint8
    assert np.array_equal(strip[0][1], seven)
    assert sum(not np.array_equal(image, seven) for _, image in strip) == len(strip) - 1
    rect = np.zeros((120, 200), np.uint8)
    rect[40:80, 60:140] = 255
    assert all(image.shape == (120, 200) for _, image in variant_strip(rect))


@pytest.fixture(scope="module")
def predictor():
    from model.serving.inference import load_active
    from model.serving.store import ModelStore

    return load_active(ModelStore(), "default")[0]


@pytest.mark.parametrize("digit", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
def test_the_default_model_keeps_a_clean_digit_under_small_changes(predictor, digit):
    drawing = render_strokes(TEMPLATES[digit][0])
    assert predictor.classify(drawing).digit == digit
    for change in (
        {"dx": 30, "dy": -20},
        {"dx": -40, "dy": 25},
        {"angle": 8},
        {"angle": -8},
        {"scale": 0.8},
        {"thickness": 2},
        {"thickness": -2},
    ):
        prediction = predictor.classify(transform_drawing(drawing, **change))
        assert prediction is not None and prediction.digit == digit, (change, prediction.top(2))
