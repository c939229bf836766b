"""The S3 media store through aiobotocore against the local S3 server: path-style, signed,
checksummed, and ServiceUnavailable (never a crash) when the bucket cannot take the file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from adapters.storage import S3Storage, open_s3_storage
from domain.errors import ServiceUnavailable
from tests import s3_stub
from tests.s3_stub import S3Stub


@pytest.fixture
def s3() -> Iterator[S3Stub]:
    stub = s3_stub.start_s3_stub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


def _storage(
    endpoint: str, secret_key: str = s3_stub.SECRET_KEY, timeout_seconds: float = 5.0
) -> AbstractAsyncContextManager[S3Storage]:
    return open_s3_storage(
        endpoint=endpoint,
        bucket=s3_stub.BUCKET,
        access_key=s3_stub.ACCESS_KEY,
        secret_key=secret_key,
        region=s3_stub.REGION,
        timeout_seconds=timeout_seconds,
    )


async def test_an_object_is_put_path_style_with_its_key_quoted_and_its_type(s3: S3Stub) -> None:
    async with _storage(s3.endpoint) as storage:
        await storage.save("images/2026/11/a b+c.png", b"\x89PNG-bytes", "image/png")
    assert s3.objects == {
        f"/{s3_stub.BUCKET}/images/2026/11/a%20b%2Bc.png": (b"\x89PNG-bytes", "image/png")
    }
    assert s3.rejected == []
    sent = s3.requests[0]
    assert sent["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={s3_stub.ACCESS_KEY}/")
    # Over plain HTTP the body's SHA-256 is signed; no optional checksum header is sent.
    assert sent["x-amz-content-sha256"] != s3_stub.UNSIGNED
    assert not [h for h in sent if h.startswith("x-amz-checksum-")]


async def test_the_local_server_checks_the_checksums_botocore_sends_by_default(
    s3: S3Stub,
) -> None:
    config = AioConfig(
        s3={"addressing_style": "path"}, request_checksum_calculation="when_supported"
    )
    async with get_session().create_client(
        "s3",
        endpoint_url=s3.endpoint,
        region_name=s3_stub.REGION,
        aws_access_key_id=s3_stub.ACCESS_KEY,
        aws_secret_access_key=s3_stub.SECRET_KEY,
        config=config,
    ) as client:
        await S3Storage(client, s3_stub.BUCKET).save("k.gif", b"GIF89a", "image/gif")
    assert "x-amz-checksum-crc32" in s3.requests[0]
    assert s3.objects[f"/{s3_stub.BUCKET}/k.gif"] == (b"GIF89a", "image/gif")


async def test_a_refused_signature_is_service_unavailable_and_not_retried(s3: S3Stub) -> None:
    async with _storage(s3.endpoint, secret_key="not-the-secret") as storage:
        with pytest.raises(ServiceUnavailable):
            await storage.save("images/x.jpg", b"jpeg", "image/jpeg")
    assert s3.rejected == [f"/{s3_stub.BUCKET}/images/x.jpg"]
    assert s3.objects == {}


async def test_an_unreachable_bucket_is_service_unavailable() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with _storage(f"http://127.0.0.1:{port}", timeout_seconds=1.0) as storage:
        with pytest.raises(ServiceUnavailable):
            await storage.save("images/x.jpg", b"jpeg", "image/jpeg")
