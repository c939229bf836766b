"""Image upload for wx.uploadFile, and posts that may only use what this service issued."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from domain.models import MediaUpload
from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for


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
    assert body["url"].startswith("http://quanzi.test/media/images/")
    stored = await client.get(body["url"].removeprefix("http://quanzi.test"))
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


async def test_anonymous_uploads_are_unauthenticated(client: httpx.AsyncClient) -> None:
    response = await _upload(client, jpeg_with_gps(), None)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_with_s3_configured_uploads_land_in_the_bucket_signed(
    runtime: Runtime, api: Api
) -> None:
    import dataclasses

    from adapters.storage import S3Storage
    from api.app import create_app
    from tests import s3_stub

    s3 = s3_stub.start_s3_stub()
    try:
        public = f"{s3.endpoint}/{s3_stub.BUCKET}"
        settings = runtime.settings.model_copy(update={"media_base_url": public})
        storage = S3Storage(
            http=runtime.http,
            endpoint=s3.endpoint,
            bucket=s3_stub.BUCKET,
            access_key=s3_stub.ACCESS_KEY,
            secret_key=s3_stub.SECRET_KEY,
            region=s3_stub.REGION,
        )
        app = create_app(runtime=dataclasses.replace(runtime, settings=settings, media=storage))
        transport = httpx.ASGITransport(app=app)
        member = await make_user()
        async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
            response = await _upload(client, jpeg_with_gps(), token_for(runtime, member))
        assert response.status_code == 200, response.text
        url = response.json()["url"]
        assert url.startswith(public + "/images/")
        stored = await runtime.http.get(url)
        assert stored.status_code == 200
        assert stored.headers["content-type"] == "image/jpeg"
        assert b"SecretPhone" not in stored.content
        assert s3.rejected == []

        wrong = dataclasses.replace(storage, secret_key="not-the-secret")
        app = create_app(runtime=dataclasses.replace(runtime, settings=settings, media=wrong))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
            refused = await _upload(client, jpeg_with_gps(), token_for(runtime, member))
        assert refused.status_code == 503
        assert refused.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert len(s3.rejected) == 1
        assert await MediaUpload.all().count() == 1  # the failed upload left no record
    finally:
        s3.server.shutdown()
        s3.server.server_close()
