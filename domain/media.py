"""Uploaded images: sniffed from their bytes, bounded in size and pixels, stripped of metadata
(EXIF with its GPS position, comments, XMP), stored, and recorded so posts can use them."""

from __future__ import annotations

import asyncio
import io
import secrets
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image, ImageOps, UnidentifiedImageError

from adapters.storage import Storage
from domain.errors import BadInput
from domain.models import MediaUpload, User

# Pillow format -> (content type, file extension)
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_image(data: bytes, *, max_bytes: int, max_pixels: int) -> CleanImage:
    """Re-encode an uploaded image without its metadata; BAD_USER_INPUT when it is not an
    image we accept or is too big."""
    if len(data) > max_bytes:
        raise BadInput("image_too_large", field="file", max_mb=max_bytes // (1024 * 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise BadInput("image_type", field="file")
            width, height = image.size
            if width * height > max_pixels:
                raise BadInput("image_too_many_pixels", field="file")
            image.load()
            fmt = image.format
            animated = getattr(image, "n_frames", 1) > 1
            out = io.BytesIO()
            if fmt in ("GIF", "WEBP") and animated:
                image.save(out, format=fmt, save_all=True)
            else:
                if fmt == "JPEG":
                    image = ImageOps.exif_transpose(image)  # keep the orientation, drop EXIF
                icc = image.info.get("icc_profile")
                params: dict[str, object] = {"icc_profile": icc} if icc else {}
                if fmt == "JPEG":
                    params["quality"] = 90
                image.save(out, format=fmt, **params)
    except BadInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadInput("image_type", field="file") from None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt files
        raise BadInput("image_type", field="file") from None
    content_type, extension = FORMATS[fmt]
    return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)


async def store_image(
    owner: User,
    data: bytes,
    storage: Storage,
    *,
    base_url: str,
    max_bytes: int,
    max_pixels: int,
) -> MediaUpload:
    """Clean, store and record one image for `owner`; return the record with its URL."""
    image = await asyncio.to_thread(clean_image, data, max_bytes=max_bytes, max_pixels=max_pixels)
    now = datetime.now(UTC)
    key = f"images/{now:%Y/%m}/{secrets.token_hex(16)}.{image.extension}"
    await storage.save(key, image.data, image.content_type)
    return await MediaUpload.create(
        owner=owner,
        url=base_url.rstrip("/") + "/" + key,
        storage_key=key,
        content_type=image.content_type,
        size=len(image.data),
        width=image.width,
        height=image.height,
    )
