"""A real local HTTP server speaking the S3 object API (path-style PUT and GET) as S3 does:
HTTP/1.1 with `Expect: 100-continue`, every request's Signature V4 checked with botocore (AWS's
own signer), the body checked against its signed SHA-256 and against any checksum header
(Content-MD5, x-amz-checksum-crc32/-sha1/-sha256)."""

from __future__ import annotations

import base64
import hashlib
import threading
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDQUANZITEST"
SECRET_KEY = "s3-test-secret/abc+def"
REGION = "ap-shanghai"
BUCKET = "quanzi-media"
UNSIGNED = "UNSIGNED-PAYLOAD"


@dataclass
class S3Stub:
    server: ThreadingHTTPServer
    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)  # headers of every PUT

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def _signature_ok(method: str, url: str, headers: dict[str, str]) -> bool:
    auth = headers.get("authorization", "")
    try:
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        given = auth.split("Signature=")[1]
        credential = auth.split("Credential=")[1].split(",")[0]
        access_key, _day, region, service, _ = credential.split("/")
    except (IndexError, ValueError):
        return False
    if access_key != ACCESS_KEY or region != REGION or service != "s3":
        return False
    if "x-amz-content-sha256" not in signed or any(n not in headers for n in signed):
        return False
    # The canonical request takes the body's hash from x-amz-content-sha256, which the caller
    # checks against the body itself.
    request = AWSRequest(method=method, url=url, headers={n: headers[n] for n in signed})
    request.context["timestamp"] = headers["x-amz-date"]
    signer = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return expected == given


def _checksums_ok(body: bytes, headers: dict[str, str]) -> bool:
    digests = {
        "content-md5": lambda: base64.b64encode(hashlib.md5(body).digest()).decode(),
        "x-amz-checksum-crc32": lambda: base64.b64encode(
            zlib.crc32(body).to_bytes(4, "big")
        ).decode(),
        "x-amz-checksum-sha1": lambda: base64.b64encode(hashlib.sha1(body).digest()).decode(),
        "x-amz-checksum-sha256": lambda: base64.b64encode(hashlib.sha256(body).digest()).decode(),
    }
    for name, value in headers.items():
        if name.startswith("x-amz-checksum-") and name != "x-amz-checksum-type":
            if name not in digests:
                return False  # an algorithm this stub cannot verify: refuse, do not guess
        if name in digests and digests[name]() != value:
            return False
    return True


def start_s3_stub() -> S3Stub:
    stub: S3Stub

    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 so that `Expect: 100-continue` is answered, as S3 does, before the body.
        protocol_version = "HTTP/1.1"

        def _reply(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _refuse(self, code: str) -> None:
            stub.rejected.append(self.path)
            self._reply(403, f"<Error><Code>{code}</Code></Error>".encode(), "application/xml")

        def do_PUT(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            stub.requests.append(headers)
            # botocore streams aws-chunked bodies (checksum in a trailer) only over HTTPS, which
            # this server does not speak: a body here is always plain, of Content-Length bytes.
            body = self.rfile.read(int(headers.get("content-length", "0")))
            content_sha = headers.get("x-amz-content-sha256", "")
            url = f"http://{headers['host']}{self.path}"
            if not self.path.startswith(f"/{BUCKET}/") or not _signature_ok("PUT", url, headers):
                self._refuse("SignatureDoesNotMatch")
                return
            if content_sha not in (UNSIGNED, hashlib.sha256(body).hexdigest()):
                self._refuse("XAmzContentSHA256Mismatch")
                return
            if not _checksums_ok(body, headers):
                self._refuse("BadDigest")
                return
            stub.objects[self.path] = (body, headers.get("content-type", ""))
            self._reply(200)

        def do_GET(self) -> None:
            if self.path not in stub.objects:
                self._reply(404)
                return
            body, content_type = stub.objects[self.path]
            self._reply(200, body, content_type)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub = S3Stub(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub
