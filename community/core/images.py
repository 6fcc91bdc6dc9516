"""Uploaded images made safe to serve: decoded by Pillow (never trusted by name or claimed type),
bounded in bytes and pixels, turned upright, shrunk, and re-encoded without EXIF (GPS) or comments."""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from community.core.errors import ValidationFailed

FORMATS = ["JPEG", "PNG", "WEBP"]
MAX_PIXELS = 40_000_000  # a 40-megapixel photo decodes; a decompression bomb does not


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_image(data: bytes, *, field: str, max_bytes: int, max_side: int) -> CleanImage:
    """A WebP re-encoding of `data` no larger than `max_side` on its longer side; ValidationFailed
    naming `field` for anything that is not a JPEG, PNG or WebP image within the limits."""
    if len(data) > max_bytes:
        raise ValidationFailed(fields={field: _l("Images can be at most %(mb)d MB.", mb=max(1, max_bytes // 2**20))})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationFailed(fields={field: _l("This image has too many pixels.")})
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError):
        raise ValidationFailed(fields={field: _l("Upload a PNG, JPEG or WebP image.")}) from None
    if upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    upright.save(out, format="WEBP", quality=82, method=4)  # no exif=, no comment: both are dropped
    return CleanImage(out.getvalue(), "image/webp", upright.width, upright.height)
