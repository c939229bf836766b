"""Where uploaded files go: a local directory (default) or an S3-compatible bucket (AWS S3,
Tencent COS, Aliyun OSS, MinIO) through aiobotocore, AWS's own client made async. Both fill
the domain's MediaStore."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from domain.errors import ServiceUnavailable

log = logging.getLogger("quanzi.storage")


@dataclass(frozen=True)
class LocalStorage:
    """Files under a directory, served by the API at /media/ (or a CDN in front of it)."""

    root: Path

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, key, data)

    def _write(self, key: str, data: bytes) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)


@dataclass(frozen=True)
class S3Storage:
    """PUTs objects into one bucket through an open S3 client (see `open_s3_storage`)."""

    client: Any  # aiobotocore's S3 client: its methods are generated from the service model
    bucket: str
    timeout: float = 30.0

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        try:
            # A bound on the whole call, retries included: the client's own timeouts do not
            # cover a server that never answers `Expect: 100-continue`.
            async with asyncio.timeout(self.timeout):
                await self.client.put_object(
                    Bucket=self.bucket, Key=key, Body=data, ContentType=content_type
                )
        except (BotoCoreError, ClientError, OSError, TimeoutError) as exc:
            log.warning("S3 upload of %s failed: %s", key, exc)
            raise ServiceUnavailable() from None


@asynccontextmanager
async def open_s3_storage(
    *,
    endpoint: str,
    bucket: str,
    access_key: str,
    secret_key: str,
    region: str,
    timeout_seconds: float = 10.0,
) -> AsyncIterator[S3Storage]:
    """An S3 client for the bucket, its connections kept for the process's life.

    Path-style addressing (`endpoint/bucket/key`) works on every S3-compatible service and
    needs no DNS per bucket. Checksums are sent only where the S3 API requires them: the
    CRC32 headers botocore adds by default since 1.36 are refused by some S3-compatible
    services, and Signature V4 already covers the body's SHA-256."""
    config = AioConfig(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        connect_timeout=timeout_seconds,
        read_timeout=timeout_seconds,
        retries={"max_attempts": 2, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = get_session()
    async with session.create_client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    ) as client:
        yield S3Storage(client, bucket, timeout=3 * timeout_seconds)
