"""Image upload for wx.uploadFile, and posts that may only use what this service issued."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from adapters.storage import open_s3_storage
from api.app import create_app
from domain.models import MediaUpload
from domain.ports import MediaStore
from quanzi.bootstrap import Runtime
from tests import s3_stub
from tests.conftest import Api
from tests.factories import make_user, token_for
from tests.s3_stub import S3Stub


@pytest.fixture
def s3() -> Iterator[S3Stub]:
    stub = s3_stub.start_s3_stub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def _served_path(runtime: Runtime, url: str) -> str:
    """Where the test app serves an image it issued (on the configured base)."""
    base = runtime.settings.public_media_url
    assert url.startswith(base + "/")
    return "/media" + url.removeprefix(base)


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def _upload(
    client: httpx.AsyncClient, data: bytes, token: str | None, name: str = "photo.jpg"
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/media/images", files={"file": (name, data, "image/jpeg")}, headers=headers
    )


async def test_an_uploaded_photo_loses_its_metadata_and_can_be_posted(
    client: httpx.AsyncClient, api: Api, runtime: Runtime
) -> None:
    member = await make_user()
    token = token_for(runtime, member)
    original = jpeg_with_gps()
    assert b"SecretPhone" in original
    response = await _upload(client, original, token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["width"], body["height"]) == (64, 48)
    assert body["url"].startswith(runtime.settings.public_media_url + "/images/")
    stored = await client.get(_served_path(runtime, body["url"]))
    assert stored.status_code == 200
    assert b"SecretPhone" not in stored.content
    assert not Image.open(io.BytesIO(stored.content)).getexif()

    created = await api.op(
        "CreatePost", {"input": {"body": "看图", "imageUrls": [body["url"]]}}, token=token
    )
    assert created["data"]["createPost"]["post"]["images"] == [
        {"url": body["url"], "width": 64, "height": 48}
    ]
    # Someone else cannot attach the same upload.
    other = token_for(runtime, await make_user())
    stolen = await api.op(
        "CreatePost", {"input": {"body": "偷图", "imageUrls": [body["url"]]}}, token=other
    )
    assert stolen["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "imageUrls"}


async def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    for data in (b"<?php system($_GET['c']); ?>", b"GIF89a-but-not-really", b""):
        response = await _upload(client, data, token, name="innocent.jpg")
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "field": "file",
        }
    assert await MediaUpload.all().count() == 0


async def test_huge_files_and_pixel_bombs_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    too_big = await _upload(client, b"\xff\xd8" + b"\0" * (11 * 1024 * 1024), token)
    assert too_big.status_code == 413
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")  # 64 megapixels, a few KB
    response = await _upload(client, bomb.getvalue(), token, name="bomb.png")
    assert response.status_code == 400
    assert "尺寸太大" in response.json()["errors"][0]["message"]


def _gif(frames: int, size: tuple[int, int], comment: bytes = b"") -> bytes:
    images = [Image.new("RGB", size, (i * 60, 0, 0)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], comment=comment)
    return out.getvalue()


def gif_bomb(frames: int, size: tuple[int, int]) -> bytes:
    """One plain frame's image block repeated: a few KB a frame, however large the frame."""
    out = io.BytesIO()
    Image.new("P", size, 0).save(out, format="GIF")
    single = out.getvalue()
    blocks = 13 + 3 * 2 ** ((single[10] & 7) + 1)  # header, screen, global colour table
    return single[:blocks] + single[blocks:-1] * frames + b";"


async def _health_meanwhile(client: httpx.AsyncClient) -> httpx.Response:
    await asyncio.sleep(0.05)  # once the upload is under way
    return await client.get("/healthz")


async def test_an_animated_gif_bomb_is_refused_from_its_header_and_others_are_served_meanwhile(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Refused on the frames and sizes its blocks declare (the message says so), no pixel
    decoded; how long that takes: bench/hostile_bench.py (5 ms)."""
    token = token_for(runtime, await make_user())
    bomb = gif_bomb(20, (4000, 4000))  # 320 megapixels to decode, each frame under 40
    assert len(bomb) < 300_000 and Image.open(io.BytesIO(bomb)).n_frames == 20
    await client.get("/healthz")  # warm
    refused, health = await asyncio.gather(
        _upload(client, bomb, token, name="bomb.gif"), _health_meanwhile(client)
    )
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "file"}
    assert error["message"].startswith("动图的帧数或尺寸太大")
    assert health.status_code == 200
    assert await MediaUpload.all().count() == 0


async def test_an_animation_within_the_limits_stays_animated_and_loses_its_comment(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    for frames in (1, 3):
        original = _gif(frames, (40, 30), comment=b"SecretComment")
        assert b"SecretComment" in original
        response = await _upload(client, original, token, name="moving.gif")
        assert response.status_code == 200, response.text
        stored = await client.get(_served_path(runtime, response.json()["url"]))
        assert b"SecretComment" not in stored.content
        image = Image.open(io.BytesIO(stored.content))
        assert "comment" not in image.info
        assert getattr(image, "n_frames", 1) == frames


async def test_anonymous_uploads_are_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await _upload(client, jpeg_with_gps(), None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _upload_through(runtime: Runtime, storage: MediaStore, base_url: str) -> httpx.Response:
    """Upload a photo through the app built on this runtime with another media store."""
    settings = runtime.settings.model_copy(update={"media_base_url": base_url})
    app = create_app(runtime=dataclasses.replace(runtime, settings=settings, media=storage))
    member = await make_user()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://q.test"
    ) as client:
        return await _upload(client, jpeg_with_gps(), token_for(runtime, member))


async def test_with_s3_configured_uploads_land_in_the_bucket_signed(
    runtime: Runtime, s3: S3Stub
) -> None:
    public = f"{s3.endpoint}/{s3_stub.BUCKET}"
    async with open_s3_storage(
        endpoint=s3.endpoint,
        bucket=s3_stub.BUCKET,
        access_key=s3_stub.ACCESS_KEY,
        secret_key=s3_stub.SECRET_KEY,
        region=s3_stub.REGION,
    ) as storage:
        response = await _upload_through(runtime, storage, public)
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url.startswith(public + "/images/")
    stored = await runtime.http.get(url)
    assert stored.status_code == 200
    assert stored.headers["content-type"] == "image/jpeg"
    assert b"SecretPhone" not in stored.content
    assert s3.rejected == []
    assert await MediaUpload.all().count() == 1


async def test_an_upload_the_bucket_refuses_is_service_unavailable_and_leaves_no_record(
    runtime: Runtime, s3: S3Stub
) -> None:
    async with open_s3_storage(
        endpoint=s3.endpoint,
        bucket=s3_stub.BUCKET,
        access_key=s3_stub.ACCESS_KEY,
        secret_key="not-the-secret",
        region=s3_stub.REGION,
    ) as storage:
        refused = await _upload_through(runtime, storage, f"{s3.endpoint}/{s3_stub.BUCKET}")
    assert refused.status_code == 503
    assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert len(s3.rejected) == 1  # a refused signature is not retried
    assert s3.objects == {}
    assert await MediaUpload.all().count() == 0
