"""Reading an uploaded image safely: size limits, decompression bombs, odd formats.

An upload is untrusted bytes. We refuse files over MAX_BYTES before decoding, refuse images whose
header declares more than MAX_PIXELS before any pixel is decoded (a 30000x30000 PNG is a few
kilobytes but gigabytes once decoded), and turn every decoding failure into one clear message.
16-bit, palette and transparent images are handled by `preprocess.to_gray`.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 4096 * 4096
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")


class ImageRejected(ValueError):
    """The upload is not an image we can read; the message says why."""


def read_image(raw: bytes) -> Image.Image:
    """Decode uploaded bytes into a fully loaded PIL image, or raise ImageRejected."""
    if len(raw) > MAX_BYTES:
        raise ImageRejected(
            f"the file is {len(raw) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
        )
    if not raw:
        raise ImageRejected("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(
                    f"the image is {width}x{height} pixels; the limit is {MAX_PIXELS:,} pixels"
                )
            if width < 8 or height < 8:
                raise ImageRejected(f"the image is only {width}x{height} pixels; too small to read")
            image.load()  # decode now, so a truncated file fails here and not later
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ImageRejected(f"the image is too large to decode safely ({err})") from err
    except (OSError, SyntaxError, ValueError) as err:
        # PIL raises UnidentifiedImageError (an OSError) for non-images, OSError when truncated.
        raise ImageRejected(f"not a readable image ({type(err).__name__}: {err})") from err
    return image
