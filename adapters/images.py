"""Image decoding with Pillow, for the domain's ImageInspector: read an upload's header, then
re-encode it in its own format without its metadata (EXIF with its GPS position, comments,
XMP)."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.ports import CleanImage, ImageHeader, UnreadableImage

# Pillow format -> (content type, file extension); other formats are not offered to the domain.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
JPEG_QUALITY = 90


@contextmanager
def _decoding() -> Iterator[None]:
    """Pillow's failures, decompression bombs included, as UnreadableImage."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableImage() from None
    except (OSError, ValueError, SyntaxError):  # truncated or corrupt files
        raise UnreadableImage() from None


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.format not in FORMATS:
        raise UnreadableImage()
    return image


class PillowImages:
    """The ImageInspector the composition root hands the domain."""

    def probe(self, data: bytes) -> ImageHeader:
        with _decoding():
            image = _open(data)
            width, height = image.size
            return ImageHeader(FORMATS[str(image.format)][0], width, height)

    def strip_metadata(self, data: bytes) -> CleanImage:
        with _decoding():
            image = _open(data)
            image.load()
            fmt = str(image.format)
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
                    params["quality"] = JPEG_QUALITY
                image.save(out, format=fmt, **params)
        content_type, extension = FORMATS[fmt]
        return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)
