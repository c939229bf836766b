"""Uploaded images: bounded in size and pixels, stripped of metadata (EXIF with its GPS
position, comments, XMP), stored, and recorded so posts can use them: by the URL issued, or
that URL with a CDN's image-processing suffix."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from domain.errors import BadInput
from domain.models import MediaUpload, User
from domain.ports import CleanImage, ImageInspector, MediaStore, UnreadableImage

ACCEPTED_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Re-encoding an animation decodes every frame onto the whole canvas, so the pixel limit
# bounds frames × width × height; the frame cap bounds the per-frame work of tiny frames.
MAX_FRAMES = 300
# What a CDN's image processing appends to an issued URL: a query (Qiniu and Tencent
# `?imageView2/2/w/400`, `?imageMogr2/thumbnail/400x`, Aliyun `?x-oss-process=image/resize,w_400`)
# or a style (Upyun, Qiniu `!thumb`). Nothing else: no second parameter, no escapes, no `@`.
PROCESSING_SUFFIX = re.compile(r"(\?[A-Za-z0-9/_,=.|-]{1,200}|![A-Za-z0-9_-]{1,32})\Z", re.ASCII)


def clean_image(
    images: ImageInspector, data: bytes, *, max_bytes: int, max_pixels: int
) -> CleanImage:
    """The image re-encoded without its metadata; BAD_USER_INPUT when it is not an image we
    accept or is too big. The pixel count, of every frame of an animation, is checked from the
    headers, before decoding."""
    if len(data) > max_bytes:
        raise BadInput("image_too_large", field="file", max_mb=max_bytes // (1024 * 1024))
    try:
        header = images.probe(data, max_frames=MAX_FRAMES)
        if header.content_type not in ACCEPTED_TYPES:
            raise BadInput("image_type", field="file")
        if header.width * header.height > max_pixels:
            raise BadInput("image_too_many_pixels", field="file")
        if header.frames > MAX_FRAMES or header.frames * header.width * header.height > max_pixels:
            raise BadInput("image_too_many_frames", field="file", max=MAX_FRAMES)
        return images.strip_metadata(data)
    except UnreadableImage:
        raise BadInput("image_type", field="file") from None


async def store_image(
    owner: User,
    data: bytes,
    storage: MediaStore,
    images: ImageInspector,
    *,
    base_url: str,
    max_bytes: int,
    max_pixels: int,
) -> MediaUpload:
    """Clean, store and record one image for `owner`; return the record with its URL."""
    image = await asyncio.to_thread(
        clean_image, images, data, max_bytes=max_bytes, max_pixels=max_pixels
    )
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


def _issued_part(url: str) -> str:
    """The URL as issued: without a processing suffix, if it has one."""
    suffix = PROCESSING_SUFFIX.search(url)
    return url[: suffix.start()] if suffix else url


async def issued_images(owner: User, urls: Sequence[str], *, field: str) -> list[MediaUpload]:
    """The uploads behind `urls` (each an image URL this service issued to `owner`, as issued
    or with a CDN processing suffix), in order; BAD_USER_INPUT naming `field` otherwise.
    The URLs themselves are kept as given: the suffix chooses the rendition shown."""
    issued = [_issued_part(url) for url in urls]
    uploads = {u.url: u for u in await MediaUpload.filter(url__in=issued, owner_id=owner.id)}
    if any(url not in uploads for url in issued):
        raise BadInput("foreign_image", field=field)
    return [uploads[url] for url in issued]
