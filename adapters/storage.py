"""Where uploaded files go: a local directory (default) or an S3-compatible bucket."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from domain.errors import ServiceUnavailable


class Storage(Protocol):
    async def save(self, key: str, data: bytes, content_type: str) -> None: ...


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


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class S3Storage:
    """An S3-compatible bucket (AWS S3, Tencent COS, Aliyun OSS, MinIO), path-style PUTs
    signed with AWS Signature Version 4."""

    http: httpx.AsyncClient
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    timeout: float = 10.0

    def object_path(self, key: str) -> str:
        return f"/{self.bucket}/" + quote(key, safe="/-_.~")

    def signed_headers(
        self, method: str, path: str, body: bytes, content_type: str, now: datetime
    ) -> dict[str, str]:
        host = urlsplit(self.endpoint).netloc
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        day = now.strftime("%Y%m%d")
        payload_hash = hashlib.sha256(body).hexdigest()
        headers = {
            "content-type": content_type,
            "host": host,
            "x-amz-content-sha256": payload_hash,
            "x-amz-date": amz_date,
        }
        names = sorted(headers)
        canonical = "\n".join(
            [
                method,
                path,
                "",
                "".join(f"{n}:{headers[n]}\n" for n in names),
                ";".join(names),
                payload_hash,
            ]
        )
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = _hmac(("AWS4" + self.secret_key).encode(), day)
        for part in (self.region, "s3", "aws4_request"):
            key = _hmac(key, part)
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
            f"SignedHeaders={';'.join(names)}, Signature={signature}"
        )
        del headers["host"]  # httpx sends it
        return headers

    async def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self.object_path(key)
        headers = self.signed_headers("PUT", path, data, content_type, datetime.now(UTC))
        try:
            response = await self.http.put(
                self.endpoint.rstrip("/") + path,
                content=data,
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.HTTPError:
            raise ServiceUnavailable() from None
        if response.status_code not in (200, 201, 204):
            raise ServiceUnavailable()
