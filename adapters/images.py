"""Image decoding with Pillow, for the domain's ImageInspector: read an upload's header, then
re-encode it in its own format without its metadata (EXIF with its GPS position, comments,
XMP)."""

from __future__ import annotations

import io
import re
import struct
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
# A GIF is walked block by block before Pillow sees it. Real encoders write 255-byte
# sub-blocks, so 10 MiB is ~41,000 of them; a file made of far more (tiny sub-blocks, stray
# bytes, which Pillow skips one by one) costs seconds of Python and is refused instead.
GIF_MAX_BLOCKS = 100_000
_GIF_BLOCK = re.compile(rb"[!,;]")


@contextmanager
def _decoding() -> Iterator[None]:
    """Pillow's failures, decompression bombs included, as UnreadableImage."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableImage() from None
    except (OSError, ValueError, SyntaxError, struct.error):  # truncated or corrupt files
        raise UnreadableImage() from None


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.format not in FORMATS:
        raise UnreadableImage()
    return image


def _skip_sub_blocks(data: bytes, pos: int, budget: list[int]) -> int:
    while pos < len(data) and data[pos]:
        pos += data[pos] + 1
        budget[0] -= 1
        if budget[0] < 0:
            raise UnreadableImage()
    return pos + 1


def _gif_frames(data: bytes, max_frames: int) -> tuple[int, int, int]:
    """(frames, width, height) of a GIF from its block structure, no pixel decoded: the canvas
    grows to hold every frame, as Pillow's does. Counting stops past `max_frames`."""
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames, budget = 0, [GIF_MAX_BLOCKS]
    while frames <= max_frames:
        found = _GIF_BLOCK.search(data, pos)
        budget[0] -= (found.start() if found else len(data)) - pos  # stray bytes, skipped
        if budget[0] < 0:
            raise UnreadableImage()
        if found is None or found.group() == b";":
            break
        if found.group() == b"!":
            pos = _skip_sub_blocks(data, found.start() + 2, budget)
            continue
        if found.start() + 10 > len(data):
            break
        x, y, w, h, flags = struct.unpack_from("<HHHHB", data, found.start() + 1)
        pos = found.start() + 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
        pos = _skip_sub_blocks(data, pos + 1, budget)  # after the LZW code size
        frames += 1
        width, height = max(width, x + w), max(height, y + h)
    return frames, width, height


class PillowImages:
    """The ImageInspector the composition root hands the domain."""

    def probe(self, data: bytes, *, max_frames: int) -> ImageHeader:
        with _decoding():
            # A GIF is walked before Pillow opens it: opening reads the blocks before the first
            # frame one sub-block at a time in Python.
            gif = _gif_frames(data, max_frames) if data.startswith(b"GIF8") else None
            image = _open(data)
            width, height = image.size
            frames = 1  # PNG and JPEG are re-encoded from their first frame only
            if gif is not None and image.format == "GIF":
                frames, width, height = gif
            elif image.format == "WEBP":
                frames = getattr(image, "n_frames", 1)  # from libwebp's demuxer, no decoding
            return ImageHeader(FORMATS[str(image.format)][0], width, height, frames)

    def strip_metadata(self, data: bytes) -> CleanImage:
        with _decoding():
            image = _open(data)
            image.load()
            fmt = str(image.format)
            animated = getattr(image, "n_frames", 1) > 1
            out = io.BytesIO()
            # Pillow copies a GIF's comment block from what it read unless told otherwise.
            blank: dict[str, object] = {"comment": b""} if fmt == "GIF" else {}
            if fmt in ("GIF", "WEBP") and animated:
                image.save(out, format=fmt, save_all=True, **blank)
            else:
                if fmt == "JPEG":
                    image = ImageOps.exif_transpose(image)  # keep the orientation, drop EXIF
                icc = image.info.get("icc_profile")
                params: dict[str, object] = {"icc_profile": icc} if icc else {}
                params.update(blank)
                if fmt == "JPEG":
                    params["quality"] = JPEG_QUALITY
                image.save(out, format=fmt, **params)
        content_type, extension = FORMATS[fmt]
        return CleanImage(out.getvalue(), content_type, extension, image.width, image.height)
