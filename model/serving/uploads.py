"""Reading an uploaded image safely: size limits, decompression bombs, odd formats.

An upload is untrusted bytes. We refuse files over MAX_BYTES before decoding, refuse images whose
header declares more than MAX_PIXELS or a side over MAX_SIDE before any pixel is decoded (a
30000x30000 PNG is a few kilobytes but gigabytes once decoded), and turn every decoding failure
into one clear message that names the file. 16-bit, palette and transparent images are handled by
`preprocess.to_gray`; `displayable` gives the page an 8-bit copy that any image encoder takes.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024  # also .streamlit/config.toml's server.maxUploadSize, in MiB
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 8192  # a 8192x2048 photo is fine; a 2,000,000x8 strip is not a digit
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
EXTENSIONS = ("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff")  # of those FORMATS
FORMATS_TEXT = ", ".join(FORMATS[:-1]) + f" or {FORMATS[-1]}"
# Modes `preprocess.to_gray` reads as they are; any other (CMYK, YCbCr, LAB...) becomes RGB.
READ_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "I", "I;16", "I;16B", "I;16L", "F"}
WIDE_MODES = {"I", "I;16", "I;16B", "I;16L", "F"}  # more than 8 bits a pixel


class ImageRejected(ValueError):
    """The upload is not an image we can read; the message says why."""


def read_image(raw: bytes, name: str = "the file") -> Image.Image:
    """Decode uploaded bytes into a fully loaded PIL image, or raise ImageRejected.

    `name` (the file's name) starts every message.
    """
    if len(raw) > MAX_BYTES:
        raise ImageRejected(
            f"{name} is {len(raw) / 2**20:.1f} MB; the limit is {MAX_BYTES / 2**20:.0f} MB"
        )
    if not raw:
        raise ImageRejected(f"{name} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise ImageRejected(
                    f"{name} is {width}x{height} pixels; the limit is {MAX_PIXELS:,} pixels "
                    f"and {MAX_SIDE:,} a side"
                )
            if width < 8 or height < 8:
                raise ImageRejected(f"{name} is only {width}x{height} pixels; too small to read")
            image.load()  # decode now, so a truncated file fails here and not later
            if image.mode not in READ_MODES:
                image = image.convert("RGB")
            np.asarray(image)  # a mode numpy cannot take fails here, not in a page
    except ImageRejected:
        raise
    except UnidentifiedImageError:
        raise ImageRejected(f"{name} is not a readable image: not {FORMATS_TEXT}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"{name} is too large to decode safely") from None
    except Exception as err:
        # Decoders of hostile bytes raise more than OSError (struct.error, ZeroDivisionError,
        # IndexError, ... from PIL's plugins). The message keeps the reason, not the object:
        # PIL's own messages can name an in-memory file as "<_io.BytesIO object at 0x...>".
        reason = str(err).split(" <_io.", 1)[0].strip() or type(err).__name__
        raise ImageRejected(f"{name} is not a readable image ({reason})") from None
    return image


def displayable(image: Image.Image, longest: int = 1024) -> Image.Image:
    """An 8-bit L, RGB or RGBA copy that every encoder takes, at most `longest` px a side.

    A 16-bit or float image is scaled to its own maximum, as `preprocess.to_gray` reads it (PIL's
    conversion would clip it to white); the page shows it as PNG or JPEG, which take 8 bits only.
    """
    if image.mode in WIDE_MODES:
        array = np.asarray(image, dtype=np.float64)
        top = np.nanmax(array) if array.size else 0.0
        scale = 255.0 / top if np.isfinite(top) and top > 0 else 0.0
        shown = Image.fromarray(np.clip(np.nan_to_num(array * scale), 0, 255).astype(np.uint8))
    elif image.mode in ("L", "RGB", "RGBA"):
        shown = image.copy()
    else:
        transparent = "A" in image.mode or "transparency" in image.info
        shown = image.convert("RGBA" if transparent else "RGB")
    shown.thumbnail((longest, longest))
    return shown
