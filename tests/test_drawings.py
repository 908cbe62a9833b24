"""Synthetic canvas drawings: reproducible, on the canvas, and each style changes what it says."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import drawings
from model.drawings import (
    STYLE_NAMES,
    TEMPLATES,
    make_canvas_digit_sets,
    make_canvas_digits,
    polyline,
    render_strokes,
    save_npz,
)

SIZE = drawings.CANVAS
BAR = (polyline((0.5, 0.0), (0.5, 1.0)),)  # a plain 1: easy to measure
INK = 127  # a pixel at least half white is ink


def ink_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """Top, left, bottom, right (exclusive) of the ink."""
    rows, cols = np.nonzero(image > INK)
    return rows.min(), cols.min(), rows.max() + 1, cols.max() + 1


def ink(images: np.ndarray) -> np.ndarray:
    """Amount of ink per image, in white pixels' worth."""
    return images.reshape(len(images), -1).sum(axis=1) / 255.0


def orientation(image: np.ndarray) -> float:
    """Angle of the ink's long axis from vertical, in degrees, from its second moments."""
    rows, cols = np.nonzero(image)
    weight = image[rows, cols].astype(np.float64)
    y = rows - np.average(rows, weights=weight)
    x = cols - np.average(cols, weights=weight)
    xx, yy, xy = (np.average(v, weights=weight) for v in (x * x, y * y, x * y))
    return float(np.degrees(0.5 * np.arctan2(2 * xy, yy - xx)))


@pytest.fixture(scope="module")
def sets() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return make_canvas_digit_sets(4, seed=11)


# --- Templates ---------------------------------------------------------------------------


def test_every_digit_has_several_templates_in_the_unit_box():
    assert sorted(TEMPLATES) == list(range(10))
    for digit, shapes in TEMPLATES.items():
        assert len(shapes) >= 4, digit
        for strokes in shapes:
            points = np.concatenate(strokes)
            assert points.shape[1] == 2 and np.isfinite(points).all()
            assert points.min() >= -0.1 and points.max() <= 1.1, digit
            # Every template spans the box's height: scale means "digit height".
            assert np.ptp(points[:, 1]) > 0.9, digit


def turns(stroke: np.ndarray) -> np.ndarray:
    """Degrees the path turns at each inner point."""
    a, b = np.diff(stroke[:-1], axis=0), np.diff(stroke[1:], axis=0)
    cross, dot = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], (a * b).sum(axis=1)
    return np.abs(np.degrees(np.arctan2(cross, dot)))


def test_curves_are_smooth():
    # A corner is one sharp turn (the foot of a 2, the waist of a 3); a curve sampled too coarsely
    # is sharp turns in a row, and the round pen would show each of them.
    for digit, shapes in TEMPLATES.items():
        for strokes in shapes:
            for stroke in strokes:
                short = np.hypot(*np.diff(stroke, axis=0).T) < 0.06
                sharp = (turns(stroke) > 12) & short[:-1] & short[1:]
                assert not (sharp[:-2] & sharp[1:-1] & sharp[2:]).any(), digit


def test_the_smoothness_check_catches_a_coarse_arc():
    coarse = drawings.arc(0.5, 0.5, 0.1, 0.1, 0, 360)[::8]  # a corner every 32 degrees
    short = np.hypot(*np.diff(coarse, axis=0).T) < 0.06
    sharp = (turns(coarse) > 12) & short[:-1] & short[1:]
    assert (sharp[:-2] & sharp[1:-1] & sharp[2:]).any()


# --- render_strokes ----------------------------------------------------------------------


def test_render_is_white_anti_aliased_ink_on_black():
    image = render_strokes(TEMPLATES[8][0])
    assert image.shape == (SIZE, SIZE) and image.dtype == np.uint8
    assert image[0].max() == image[-1].max() == image[:, 0].max() == image[:, -1].max() == 0
    assert (image == 255).sum() > 1000  # solid white pen
    edges = (image > 0) & (image < 255)
    assert 100 < edges.sum() < (image == 255).sum()  # soft edges, not a blur


def test_scale_and_center_place_the_digit():
    image = render_strokes(BAR, scale=0.5, center=(0.3, 0.6), pen_width=20)
    top, left, bottom, right = ink_box(image)
    # Height of the pen path plus the round caps; width is the pen's.
    assert abs((bottom - top) - (0.5 * SIZE + 20)) <= 2
    assert abs((right - left) - 20) <= 2
    assert abs((top + bottom) / 2 - 0.6 * SIZE) <= 1.5
    assert abs((left + right) / 2 - 0.3 * SIZE) <= 1.5


def test_pen_width_changes_the_ink():
    thin, thick = (render_strokes(TEMPLATES[3][0], pen_width=w) for w in (10, 30))
    ratio = ink(thick[None])[0] / ink(thin[None])[0]
    assert 2.2 < ratio < 3.5  # about proportional to the width, less where strokes overlap


def test_slant_leans_the_top_right():
    image = render_strokes(BAR, slant=0.3, scale=0.8)
    top, _, bottom, _ = ink_box(image)
    top_x = np.nonzero(image[top + 15] > INK)[0].mean()
    bottom_x = np.nonzero(image[bottom - 15] > INK)[0].mean()
    assert top_x - bottom_x > 0.25 * (bottom - top - 30)


def test_rotation_turns_about_the_centre_anticlockwise():
    upright = render_strokes(BAR, scale=0.8)
    turned = render_strokes(BAR, scale=0.8, rotation_deg=20)
    _, left, _, right = ink_box(upright)
    top, t_left, bottom, t_right = ink_box(turned)
    assert (t_right - t_left) - (right - left) > 0.8 * SIZE * np.sin(np.radians(20)) - 4
    top_x = np.nonzero(turned[top + 15] > INK)[0].mean()
    bottom_x = np.nonzero(turned[bottom - 15] > INK)[0].mean()
    assert top_x < bottom_x  # y points down: anticlockwise takes the top to the left
    assert abs((t_left + t_right) / 2 - (left + right) / 2) <= 1.5
    assert abs(ink(turned[None])[0] - ink(upright[None])[0]) < 0.02 * ink(upright[None])[0]


@settings(max_examples=30, deadline=None)
@given(
    cx=st.floats(-0.5, 1.5),
    cy=st.floats(-0.5, 1.5),
    scale=st.floats(0.2, 0.6),
    rotation=st.floats(-30, 30),
    pen=st.floats(6, 34),
)
def test_the_digit_is_moved_onto_the_canvas_never_cut(cx, cy, scale, rotation, pen):
    style = {"scale": scale, "rotation_deg": rotation, "pen_width": pen, "slant": 0.2}
    placed = render_strokes(TEMPLATES[0][0], center=(cx, cy), **style)
    middle = render_strokes(TEMPLATES[0][0], center=(0.5, 0.5), **style)
    # Same ink wherever it was asked to go: nothing fell off the edge.
    assert abs(ink(placed[None])[0] - ink(middle[None])[0]) < 0.01 * ink(middle[None])[0]


def test_a_digit_too_tall_for_the_canvas_is_centred_that_way():
    high, low = (render_strokes(TEMPLATES[0][0], scale=1.2, center=(0.0, y)) for y in (0.0, 1.0))
    assert np.array_equal(high, low)  # asked for the top or the bottom, it gets the middle...
    _, left, _, _ = ink_box(high)
    assert left == 0  # ...and is only pushed in as far as needed sideways


# --- make_canvas_digits -----------------------------------------------------------------------


def test_same_seed_same_drawings_other_seed_other_drawings():
    images, labels = make_canvas_digits(2, seed=5)
    again, again_labels = make_canvas_digits(2, seed=5)
    other, _ = make_canvas_digits(2, seed=6)
    assert np.array_equal(images, again) and np.array_equal(labels, again_labels)
    assert all(not np.array_equal(a, b) for a, b in zip(images, other, strict=True))


def test_two_drawings_of_one_digit_differ():
    images, labels = make_canvas_digits(5, seed=2)
    for digit in range(10):
        same = images[labels == digit]
        assert all(not np.array_equal(same[0], other) for other in same[1:])


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_shapes_dtypes_and_balanced_labels(sets, style):
    images, labels = sets[style]
    assert images.shape == (40, SIZE, SIZE) and images.dtype == np.uint8
    assert labels.shape == (40,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [4] * 10


@pytest.mark.parametrize("style", STYLE_NAMES)
def test_every_drawing_has_ink_on_a_black_background(sets, style):
    images, _ = sets[style]
    for image in images:
        assert (image > INK).sum() > 150
        assert (image == 0).mean() > 0.6
        border = np.concatenate([image[:3].ravel(), image[-3:].ravel()])
        border = np.concatenate([border, image[:, :3].ravel(), image[:, -3:].ravel()])
        assert (border == 0).mean() > 0.8


def test_styles_come_as_a_set():
    sets = make_canvas_digit_sets(1, seed=3)
    assert tuple(sets) == STYLE_NAMES
    for style, (images, labels) in sets.items():
        alone = make_canvas_digits(1, seed=3, style=style)
        assert np.array_equal(images, alone[0]) and np.array_equal(labels, alone[1])


def test_thin_and_thick_change_only_the_pen(sets):
    mixed, thin, thick = (ink(sets[v][0]) for v in ("mixed", "thin", "thick"))
    assert (thin < mixed).all() and (mixed < thick).all()
    assert np.median(thick / thin) > 2.5  # 26-34 px against 8-12 px


def test_small_offcentre_is_small_and_away_from_the_middle(sets):
    images, _ = sets["small_offcentre"]
    mixed, _ = sets["mixed"]
    heights = []
    for image in images:
        top, left, bottom, right = ink_box(image)
        # 0.4 of the canvas at most, plus the pen, a little slant and rotation
        assert bottom - top < 0.4 * SIZE * 1.1 + 26 and right - left < 0.4 * SIZE + 26
        heights.append(bottom - top)
    assert max(ink_box(image)[2] - ink_box(image)[0] for image in mixed) > max(heights)

    def offset(image):
        top, left, bottom, right = ink_box(image)
        return np.hypot((top + bottom) / 2 - SIZE / 2, (left + right) / 2 - SIZE / 2)

    far = [offset(image) for image in images]
    assert np.median(far) > 0.2 * SIZE > np.median([offset(image) for image in mixed])
    assert max(far) > 0.35 * SIZE  # some reach a corner


def test_rotated_turns_the_same_drawings_further(sets):
    mixed, _ = sets["mixed"]
    rotated, _ = sets["rotated"]
    turn = np.array([orientation(r) - orientation(m) for m, r in zip(mixed, rotated, strict=True)])
    turn = (turn + 90) % 180 - 90
    assert np.abs(turn).mean() > 3  # up to 20 degrees against up to 8
    # ... and it is a turn: the same strokes, the same ink.
    assert np.allclose(ink(rotated), ink(mixed), rtol=0.04)


def test_unknown_style_names_the_known_ones():
    with pytest.raises(ValueError, match="small_offcentre") as error:
        make_canvas_digits(1, style="wobbly")
    assert all(style in str(error.value) for style in STYLE_NAMES)


def ink_width(image: np.ndarray) -> int:
    columns = np.flatnonzero((image > 128).any(axis=0))
    return int(columns[-1] - columns[0] + 1)


def test_templates_choose_the_shapes_drawn():
    everything = make_canvas_digits(3, seed=4)
    every_position = make_canvas_digits(3, seed=4, templates=range(drawings.TEMPLATES_PER_DIGIT))
    np.testing.assert_array_equal(everything[0], every_position[0])  # the default: all of them
    # A 1 as a plain bar (template 0) is narrow; with the long European flag (4) it is wide.
    bars, labels = make_canvas_digits(5, seed=4, templates=[0])
    flags, _ = make_canvas_digits(5, seed=4, templates=[4])
    ones = labels == 1
    assert np.mean([ink_width(i) for i in flags[ones]]) > 1.5 * np.mean(
        [ink_width(i) for i in bars[ones]]
    )
    last = drawings.TEMPLATES_PER_DIGIT - 1
    assert make_canvas_digits(1, seed=4, templates=[last])[0].max() > 0  # the last one draws
    for bad in ([], [last + 1], [-1]):
        with pytest.raises(ValueError, match=f"templates must be positions 0 to {last}"):
            make_canvas_digits(1, templates=bad)


def test_stroke_ends_run_on_or_stop_short_and_rings_stay_closed():
    rng = np.random.default_rng(0)
    flag = TEMPLATES[1][2]  # a short flag: (0.32, 0.25) up to (0.56, 0), then down
    starts = np.array([drawings.vary_ends(flag, rng)[0][0] for _ in range(300)])
    # Half the time the start stays; else it runs on along the flag (up to RUN_ON) or stops short.
    reach = np.hypot(*(starts - [0.56, 0.0]).T)
    short_flag, european_flag = np.hypot(0.24, 0.25), np.hypot(0.38, 0.38)
    assert np.isclose(np.median(reach), short_flag, atol=1e-6)
    assert reach.max() > european_flag + 0.1  # runs on past the longest template flag
    assert reach.min() < short_flag - 0.05
    assert reach.max() <= short_flag + drawings.RUN_ON + 1e-6
    # A bar stops at most 0.1 short at each end and runs on straight.
    lengths = []
    for _ in range(100):
        (varied,) = drawings.vary_ends(BAR, rng)
        lengths.append(np.hypot(*np.diff(varied, axis=0).T).sum())
        assert np.allclose(varied[:, 0], 0.5)
    longest = 1.0 + 2 * drawings.RUN_ON
    assert 0.8 - 1e-9 <= min(lengths) < 0.9 and 1.4 < max(lengths) <= longest + 1e-9
    # A short stroke loses at most a quarter at an end, as the other end left it.
    dash = (polyline((0.5, 0.0), (0.5, 0.12)),)
    for _ in range(100):
        (varied,) = drawings.vary_ends(dash, rng, longer=0.0)
        assert np.hypot(*np.diff(varied, axis=0).T).sum() >= 0.12 * 0.75**2 - 1e-9
    ring = TEMPLATES[0][0][0]
    assert np.array_equal(drawings.vary_ends([ring], rng)[0], ring)


def test_stroke_ends_vary_the_drawings_only_when_asked(monkeypatch):
    calls = []

    def counted(strokes, rng):
        calls.append(len(strokes))
        return strokes

    monkeypatch.setattr(drawings, "vary_ends", counted)
    make_canvas_digits(3, seed=4)
    assert calls == []
    make_canvas_digits(3, seed=4, stroke_ends=True)
    assert len(calls) == 30  # once per drawing


def test_no_drawings_is_empty_not_an_error():
    images, labels = make_canvas_digits(0)
    assert images.shape == (0, SIZE, SIZE) and labels.shape == (0,)


# --- save_npz ----------------------------------------------------------------------------


def test_save_npz_round_trips_and_leaves_no_temp_files(tmp_path):
    images, labels = make_canvas_digits(1, seed=4)
    path = tmp_path / "sets" / "mixed.npz"
    assert save_npz(path, images, labels) == path
    save_npz(path, images[:3], labels[:3])  # overwrite in place
    with np.load(path) as data:
        assert sorted(data.files) == ["images", "labels"]
        assert np.array_equal(data["images"], images[:3])
        assert np.array_equal(data["labels"], labels[:3])
        assert data["images"].dtype == np.uint8
    assert [p.name for p in path.parent.iterdir()] == ["mixed.npz"]


def test_save_npz_failure_keeps_the_old_file(tmp_path, monkeypatch):
    images, labels = make_canvas_digits(1, seed=4)
    path = tmp_path / "mixed.npz"
    save_npz(path, images, labels)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", crash)
    with pytest.raises(OSError, match="disk full"):
        save_npz(path, images[:1], labels[:1])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["mixed.npz"]


def test_the_drawings_command_takes_a_style_and_its_former_flag(tmp_path, capsys):
    from model.__main__ import main

    for flag in ("--style", "--variant"):
        out = tmp_path / f"{flag.strip('-')}.npz"
        assert main(["drawings", "--out", str(out), "--per-digit", "1", flag, "thin"]) == 0
        with np.load(out) as saved:
            expected, _ = make_canvas_digits(1, seed=0, style="thin")
            assert np.array_equal(saved["images"], expected)
    assert capsys.readouterr().out.count("wrote 10 thin drawings") == 2
    with pytest.raises(SystemExit):
        main(["drawings", "--help"])
    usage = capsys.readouterr().out
    assert "--style" in usage and "--variant" not in usage  # the old name is not advertised


@pytest.mark.parametrize(("asked", "drawn"), [(1234, 1200), (20, 20), (50, 50), (51, 50)])
def test_a_drawn_set_holds_whole_rounds_of_the_digits_in_every_style(asked, drawn):
    """What the Training page says a run drew is what `make_canvas_digits` makes per style."""
    from model.drawings import STYLE_NAMES, drawn_count, make_canvas_digits, per_digit_and_style

    per_style = make_canvas_digits(per_digit_and_style(asked), seed=1)[0]
    assert drawn_count(asked) == drawn == min(asked, len(per_style) * len(STYLE_NAMES))
