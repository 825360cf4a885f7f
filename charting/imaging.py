"""Reading and re-encoding photos with Pillow: pure functions of bytes, no database, no storage.

Accepted: JPEG, PNG and HEIC/HEIF (pillow-heif). What comes out is always a fresh JPEG made from
the pixels alone: turned upright by the EXIF orientation first, then saved without EXIF, XMP,
ICC or any other metadata, so a phone's location and device never reach the storage.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "HEIF": "HEIC", "HEIC": "HEIC"}
# 50 megapixels: more than any phone or tablet camera's photo; a "bomb" that claims more is refused
# from its header, before a pixel is decoded.
MAX_PIXELS = 50_000_000
MAX_SIDE = 12_000
# The stored image is at most this long on its longer side; the renditions are smaller.
STORED_SIDE, SCREEN_SIDE, THUMB_SIDE = 3000, 1600, 320
JPEG_QUALITY = 88


class ImageRefused(ValueError):
    """The bytes are not a photo we take; the message says why, for the person uploading."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, UnidentifiedImageError):
            raise ImageRefused("This file is not a photo we can read: upload a JPEG, PNG or HEIC image.") from None
        raise ImageRefused("This image is too large in pixels.") from None
    except Exception:  # a damaged header: Pillow's plugins raise all sorts
        raise ImageRefused("This file is not a photo we can read: upload a JPEG, PNG or HEIC image.") from None
    if image.format not in ACCEPTED_FORMATS:
        raise ImageRefused(f"{image.format or 'This'} files are not accepted: upload a JPEG, PNG or HEIC image.")
    width, height = image.size
    if width < 1 or height < 1 or width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageRefused(
            f"This image is too large ({width}×{height} pixels); the most is {MAX_PIXELS // 1_000_000} megapixels."
        )
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    """The pixels turned as the camera meant them (EXIF orientation), on white where transparent."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image)
    except ImageRefused:
        raise
    except Exception:  # truncated or corrupt pixel data
        raise ImageRefused("This photo is damaged or incomplete: take or choose it again.") from None
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> Encoded:
    """A new JPEG of the pixels only: a fresh image carries no info from the source."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded(out.getvalue(), clean.width, clean.height)


def photo_reencode(data: bytes) -> Encoded:
    """The upload as the JPEG we store: upright, at most STORED_SIDE, without any metadata.

    Raises ImageRefused with a message for the person uploading.
    """
    image = _open(data)
    if image.format == "JPEG":  # decode a phone's 48 MP at a fraction of the size: fast and light on memory
        image.draft("RGB", (STORED_SIDE, STORED_SIDE))
    upright = _upright_rgb(image)
    upright.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(upright)


def photo_rendition(data: bytes, side: int) -> Encoded:
    """A smaller JPEG of a stored photo (already upright and clean), at most `side` on its longer side."""
    image = _upright_rgb(_open(data))
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return _jpeg(image)
