"""Uploaded images are untrusted bytes: refused clearly when bad, read correctly when odd."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from model.drawings import TEMPLATES, render_strokes
from model.preprocess import preprocess_canvas
from model.serving.uploads import MAX_BYTES, MAX_PIXELS, ImageRejected, read_image


def png_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def with_declared_size(png: bytes, width: int, height: int) -> bytes:
    """The same PNG with its IHDR claiming another size (and a valid CRC, so PIL trusts it)."""
    assert png[12:16] == b"IHDR"
    ihdr = bytearray(png[16:29])  # width, height, depth, colour type, ...
    ihdr[0:8] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + bytes(ihdr)) & 0xFFFFFFFF)
    return png[:16] + bytes(ihdr) + crc + png[33:]


@pytest.fixture(scope="module")
def drawing() -> np.ndarray:
    return render_strokes(TEMPLATES[6][0], pen_width=20.0, scale=0.7)


@pytest.fixture(scope="module")
def drawing_png(drawing) -> bytes:
    return png_bytes(Image.fromarray(drawing))


def test_a_good_png_is_read(drawing_png, drawing):
    image = read_image(drawing_png)
    assert image.size == (280, 280)
    np.testing.assert_array_equal(np.asarray(image), drawing)


@pytest.mark.parametrize(
    "raw",
    [b"hello, world", b"GIF89a" + b"\0" * 20, b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n" + b"x" * 100],
    ids=["text", "broken gif", "png signature only", "pdf"],
)
def test_non_images_are_rejected(raw):
    with pytest.raises(ImageRejected, match="not a readable image"):
        read_image(raw)


def test_an_svg_is_rejected():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"></svg>'
    with pytest.raises(ImageRejected):
        read_image(svg)


def test_a_truncated_png_is_rejected(drawing_png):
    for cut in (len(drawing_png) // 2, len(drawing_png) * 3 // 4, 40):
        with pytest.raises(ImageRejected, match="not a readable image"):
            read_image(drawing_png[:cut])


def test_a_corrupted_png_is_rejected(drawing_png):
    raw = bytearray(drawing_png)
    middle = len(raw) // 2
    raw[middle : middle + 64] = b"\xff" * 64  # inside the compressed pixel data
    with pytest.raises(ImageRejected):
        read_image(bytes(raw))


def test_a_decompression_bomb_is_rejected_before_decoding():
    small = png_bytes(Image.new("1", (64, 64)))
    bomb = with_declared_size(small, 30000, 30000)
    assert len(bomb) < 1000  # a few hundred bytes that would decode to 900 million pixels
    assert struct.unpack(">II", bomb[16:24]) == (30000, 30000)  # the header really says so
    with pytest.raises(ImageRejected) as caught:
        read_image(bomb)
    message = str(caught.value)
    assert "30000x30000" in message or "too large" in message


def test_just_over_the_pixel_limit_is_rejected():
    side = int(MAX_PIXELS**0.5)
    over = with_declared_size(png_bytes(Image.new("L", (16, 16))), side + 1, side)
    with pytest.raises(ImageRejected, match="pixels"):
        read_image(over)


def test_a_file_over_the_size_limit_is_rejected(drawing_png):
    big = drawing_png + b"\0" * (MAX_BYTES + 1 - len(drawing_png))
    assert len(big) == MAX_BYTES + 1
    with pytest.raises(ImageRejected, match="MB"):
        read_image(big)


def test_a_file_at_the_size_limit_is_not_refused_for_its_size(drawing_png):
    # Trailing bytes after IEND are ignored by PNG readers: this is a valid image of MAX_BYTES.
    padded = drawing_png + b"\0" * (MAX_BYTES - len(drawing_png))
    assert read_image(padded).size == (280, 280)


def test_an_empty_file_is_rejected():
    with pytest.raises(ImageRejected, match="empty"):
        read_image(b"")


@pytest.mark.parametrize("size", [(1, 1), (7, 7), (280, 3), (2, 280)])
def test_too_small_images_are_rejected(size):
    with pytest.raises(ImageRejected, match="too small"):
        read_image(png_bytes(Image.new("L", size, 255)))


def test_an_unsupported_format_is_rejected(drawing):
    buffer = io.BytesIO()
    Image.fromarray(drawing).save(buffer, format="PPM")
    with pytest.raises(ImageRejected):
        read_image(buffer.getvalue())


def test_sixteen_bit_png_is_read_and_preprocessed(drawing):
    sixteen = Image.fromarray(drawing.astype(np.uint16) * 257)
    raw = png_bytes(sixteen)
    image = read_image(raw)
    assert image.mode.startswith("I")
    assert np.asarray(image).max() > 255  # really 16-bit data
    result = preprocess_canvas(image)
    assert result is not None
    reference = preprocess_canvas(drawing).image
    assert np.abs(result.image - reference).mean() < 0.01


def test_palette_png_is_read_and_preprocessed(drawing):
    palette = Image.fromarray(drawing).convert("RGB").quantize(colors=16)
    image = read_image(png_bytes(palette))
    assert image.mode == "P"
    result = preprocess_canvas(image)
    assert result is not None
    reference = preprocess_canvas(drawing).image
    assert np.abs(result.image - reference).mean() < 0.03


def test_black_on_white_jpeg_is_read_and_preprocessed(drawing):
    buffer = io.BytesIO()
    Image.fromarray(255 - drawing).convert("RGB").save(buffer, format="JPEG", quality=85)
    image = read_image(buffer.getvalue())
    result = preprocess_canvas(image)
    assert result is not None
    assert np.abs(result.image - preprocess_canvas(drawing).image).mean() < 0.03


def test_transparent_png_is_read_and_preprocessed(drawing):
    rgba = np.zeros((*drawing.shape, 4), np.uint8)
    rgba[..., 3] = drawing  # black ink, its opacity the stroke; the rest transparent
    image = read_image(png_bytes(Image.fromarray(rgba, "RGBA")))
    result = preprocess_canvas(image)
    assert result is not None
    assert np.abs(result.image - preprocess_canvas(drawing).image).mean() < 0.01


def test_read_image_is_fully_loaded(drawing_png):
    image = read_image(drawing_png)
    # Decoded now: using it later needs no file and cannot fail on truncation.
    assert image.getbbox() is not None
    assert image.im is not None
