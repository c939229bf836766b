"""The upload rules (bytes, type, pixels) in the domain over Pillow's decoding in the adapter,
without IO: the pixel limit is read from the header before any pixel is decoded."""

from __future__ import annotations

import io
import struct
import time

import pytest
from PIL import Image

from adapters.images import PillowImages
from domain.errors import BadInput
from domain.media import clean_image
from domain.ports import CleanImage, ImageHeader

LIMITS = {"max_bytes": 11 * 1024 * 1024, "max_pixels": 10_000}


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
    assert _reason(b"\xff\xd8" + b"\0" * (11 * 1024 * 1024)) == "image_too_large"
    assert _reason(_encoded("PNG", (200, 51))) == "image_too_many_pixels"
    assert _reason(_encoded("BMP")) == "image_type"
    assert _reason(_encoded("JPEG")[:200]) == "image_type"  # truncated
    assert _reason(b"GIF89a-but-not-really") == "image_type"


class _Header:
    """An inspector whose header promises more than the limit: the pixels are never decoded."""

    def probe(self, data: bytes, *, max_frames: int) -> ImageHeader:
        return ImageHeader("image/png", 50_000, 50_000)

    def strip_metadata(self, data: bytes) -> CleanImage:
        raise AssertionError("decoded a pixel bomb")


def test_the_pixel_limit_is_checked_before_decoding() -> None:
    with pytest.raises(BadInput):
        clean_image(_Header(), b"png", **LIMITS)


def _gif_frames(*frames: tuple[int, int, int, int], padding: bytes = b"") -> bytes:
    """A GIF on a 10×10 screen with the given (x, y, width, height) frames, hand-built."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    blocks = b"".join(
        b"," + struct.pack("<HHHHB", *frame, 0) + b"\x02\x02\x4c\x01\x00" + padding
        for frame in frames
    )
    return screen + blocks + b";"


def test_a_later_frame_larger_than_the_screen_counts_with_the_canvas_it_grows() -> None:
    header = PillowImages().probe(_gif_frames((0, 0, 1, 1), (90, 0, 10, 10)), max_frames=5)
    assert (header.frames, header.width, header.height) == (2, 100, 10)
    assert _reason(_gif_frames((0, 0, 1, 1), (190, 40, 10, 10))) == "image_too_many_frames"


def test_frames_are_counted_only_up_to_the_cap_and_stuffed_gifs_are_refused_quickly() -> None:
    many = _gif_frames(*[(0, 0, 1, 1)] * 5000)
    assert PillowImages().probe(many, max_frames=300).frames == 301
    assert _reason(many) == "image_too_many_frames"
    started = time.monotonic()
    assert _reason(_gif_frames((0, 0, 1, 1), padding=b"\0" * 500_000)) == "image_type"
    comment = b"!\xfe" + b"\x01a" * 300_000 + b"\0"
    assert _reason(_gif_frames((0, 0, 1, 1), padding=comment)) == "image_type"
    assert time.monotonic() - started < 1


def test_a_gif_stuffed_before_its_first_frame_is_refused_before_pillow_reads_it() -> None:
    plain = _gif_frames((0, 0, 1, 1))
    comment = b"!\xfe" + b"\x01a" * 5_000_000 + b"\0"  # 10 MB of 1-byte sub-blocks
    stuffed = plain[:19] + comment + plain[19:]  # after the screen and its colour table
    started = time.monotonic()
    assert _reason(stuffed) == "image_type"
    assert time.monotonic() - started < 0.5  # Pillow alone takes over a second to open it
