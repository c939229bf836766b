"""Image URLs come from configuration, never from the request; posts take an issued URL with a
CDN's processing suffix and nothing else; /media/ files are cacheable for a year."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from domain.models import Post
from quanzi.bootstrap import Runtime
from tests.api.test_media import jpeg_with_gps
from tests.conftest import Api, configured_api
from tests.factories import make_user, token_for

CDN = "https://cdn.example.com/media"
FORGED = {"Host": "attacker.example", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil"}


async def _upload(client: httpx.AsyncClient, token: str, **headers: str) -> httpx.Response:
    return await client.post(
        "/media/images",
        files={"file": ("photo.jpg", jpeg_with_gps(), "image/jpeg")},
        headers={"Authorization": f"Bearer {token}", **headers},
    )


async def test_a_forged_host_never_reaches_the_url_of_an_upload(
    client: httpx.AsyncClient, api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    default = await _upload(client, token, **FORGED)
    assert default.status_code == 200, default.text
    assert default.json()["url"].startswith("http://127.0.0.1:8000/media/images/")
    on_cdn = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"media_base_url": CDN})
    )
    async with configured_api(on_cdn) as (cdn_api, cdn_client):
        response = await _upload(cdn_client, token, **FORGED)
        assert response.status_code == 200, response.text
        url = response.json()["url"]
        assert url.startswith(CDN + "/images/")
        assert "attacker" not in url and "evil" not in url
        created = await cdn_api.op(
            "CreatePost", {"input": {"body": "图", "imageUrls": [url]}}, token=token
        )
    assert created["data"]["createPost"]["post"]["images"][0]["url"] == url
    forged = url.replace(CDN, "https://attacker.example/media")
    refused = await api.op(
        "CreatePost", {"input": {"body": "图", "imageUrls": [forged]}}, token=token
    )
    assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "imageUrls"}


@pytest.mark.parametrize(
    "suffix",
    [
        "?imageView2/2/w/400",
        "?x-oss-process=image/resize,w_400",
        "?imageMogr2/thumbnail/400x",
        "?imageView2/1/w/200/h/200/format/webp/q/75|imageslim",
        "!thumb",
        "",
    ],
)
async def test_a_post_takes_an_issued_url_with_a_cdn_processing_suffix_as_given(
    client: httpx.AsyncClient, api: Api, runtime: Runtime, suffix: str
) -> None:
    token = token_for(runtime, await make_user())
    issued = (await _upload(client, token)).json()["url"]
    created = await api.op(
        "CreatePost", {"input": {"body": "缩略图", "imageUrls": [issued + suffix]}}, token=token
    )
    images = created["data"]["createPost"]["post"]["images"]
    assert images == [{"url": issued + suffix, "width": 64, "height": 48}]
    submitted = await api.op(
        "SubmitFeedback",
        {"input": {"category": "BUG", "content": "截图", "imageUrls": [issued + suffix]}},
        token=token,
    )
    assert "errors" not in submitted, submitted


@pytest.mark.parametrize(
    "forge",
    [
        lambda url: url.replace("/media/", "/media/../media/"),
        lambda url: url.replace("/media/", "/media/./"),
        lambda url: url.replace("http://", "http://attacker.example@"),
        lambda url: url.replace("http://127.0.0.1:8000", "http://attacker.example"),
        lambda url: url.replace("/images/", "\\images/"),
        lambda url: url.replace("http://", "HTTP://"),
        lambda url: url + "?a=1&b=2",
        lambda url: url + "?x=@attacker.example",
        lambda url: url + "?x=%2e%2e",
        lambda url: url + "#fragment",
        lambda url: url + "?" + "w" * 201,
        lambda url: url + "!" + "s" * 33,
        lambda url: url + "!thumb?imageView2/2/w/400",
        lambda url: url + "?imageView2/2/w/400!thumb",
        lambda url: url + "/../../etc/passwd",
        lambda url: url + "?",
        lambda url: url + " ",
        lambda url: url[:-1],
    ],
)
async def test_anything_else_than_an_issued_url_is_refused(
    client: httpx.AsyncClient, api: Api, runtime: Runtime, forge: object
) -> None:
    token = token_for(runtime, await make_user())
    issued = (await _upload(client, token)).json()["url"]
    forged = forge(issued)  # type: ignore[operator]
    assert forged != issued
    refused = await api.op(
        "CreatePost", {"input": {"body": "图", "imageUrls": [forged]}}, token=token
    )
    assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "imageUrls"}
    assert await Post.all().count() == 0


async def test_media_files_are_cacheable_for_a_year_and_never_sniffed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    url = (await _upload(client, token)).json()["url"]
    path = url.removeprefix(runtime.settings.public_media_url)
    served = await client.get("/media" + path)
    assert served.status_code == 200
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-type"] == "image/jpeg"
    again = await client.get("/media" + path, headers={"If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = await client.get("/media/images/2026/11/" + "0" * 32 + ".jpg")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")


async def test_a_chunked_upload_is_told_that_content_length_is_required(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
        yield jpeg_with_gps() + b"\r\n--x--\r\n"

    for lang, message in (
        ("zh", "上传需要 Content-Length 请求头（不接受分块传输）"),
        ("en", "An upload needs a Content-Length header (chunked uploads are not accepted)."),
    ):
        response = await client.post(
            "/media/images",
            content=chunks(),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "multipart/form-data; boundary=x",
                "Accept-Language": lang,
            },
        )
        assert response.status_code == 411
        assert "content-length" not in {k.lower() for k in response.request.headers}
        assert response.json() == {
            "errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]
        }
