"""The upload rules (bytes, type, pixels) in the domain over Pillow's decoding in the adapter,
without IO: the pixel limit is read from the header before any pixel is decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from adapters.images import PillowImages
from domain.errors import BadInput
from domain.media import clean_image
from domain.ports import CleanImage, ImageHeader

LIMITS = {"max_bytes": 1024 * 1024, "max_pixels": 10_000}


def _encoded(fmt: str, size: tuple[int, int] = (40, 30), **params: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=fmt, **params)
    return out.getvalue()


def _reason(data: bytes) -> str:
    with pytest.raises(BadInput) as refused:
        clean_image(PillowImages(), data, **LIMITS)
    assert refused.value.field == "file"
    return refused.value.message_key


def test_each_accepted_format_keeps_its_type_and_size() -> None:
    for fmt, content_type in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")):
        image = clean_image(PillowImages(), _encoded(fmt), **LIMITS)
        assert (image.content_type, image.width, image.height) == (content_type, 40, 30)


def test_exif_is_dropped_and_the_orientation_applied() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90°: the stored 40×30 shows as 30×40
    exif[0x010F] = "SecretPhone"
    image = clean_image(PillowImages(), _encoded("JPEG", exif=exif), **LIMITS)
    assert (image.width, image.height) == (30, 40)
    assert b"SecretPhone" not in image.data
    assert not Image.open(io.BytesIO(image.data)).getexif()


def test_too_many_bytes_too_many_pixels_and_other_formats_are_refused() -> None:
    assert _reason(b"\xff\xd8" + b"\0" * (1024 * 1024)) == "image_too_large"
    assert _reason(_encoded("PNG", (200, 51))) == "image_too_many_pixels"
    assert _reason(_encoded("BMP")) == "image_type"
    assert _reason(_encoded("JPEG")[:200]) == "image_type"  # truncated
    assert _reason(b"GIF89a-but-not-really") == "image_type"


class _Header:
    """An inspector whose header promises more than the limit: the pixels are never decoded."""

    def probe(self, data: bytes) -> ImageHeader:
        return ImageHeader("image/png", 50_000, 50_000)

    def strip_metadata(self, data: bytes) -> CleanImage:
        raise AssertionError("decoded a pixel bomb")


def test_the_pixel_limit_is_checked_before_decoding() -> None:
    with pytest.raises(BadInput):
        clean_image(_Header(), b"png", **LIMITS)
