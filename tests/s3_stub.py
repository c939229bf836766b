"""A real local HTTP server speaking the S3 object API (path-style PUT and GET), which checks
every request's Signature V4 with botocore, AWS's own signer, before accepting it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDQUANZITEST"
SECRET_KEY = "s3-test-secret/abc+def"
REGION = "ap-shanghai"
BUCKET = "quanzi-media"


@dataclass
class S3Stub:
    server: ThreadingHTTPServer
    objects: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"


def _signature_ok(method: str, url: str, headers: dict[str, str], body: bytes) -> bool:
    auth = headers.get("authorization", "")
    try:
        signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
        given = auth.split("Signature=")[1]
        credential = auth.split("Credential=")[1].split(",")[0]
    except IndexError:
        return False
    access_key, _day, region, service, _ = credential.split("/")
    if access_key != ACCESS_KEY or region != REGION or service != "s3":
        return False
    request = AWSRequest(method=method, url=url, data=body, headers={n: headers[n] for n in signed})
    request.context["timestamp"] = headers["x-amz-date"]
    signer = S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    return expected == given


def start_s3_stub() -> S3Stub:
    stub: S3Stub

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            url = f"http://{headers['host']}{self.path}"
            if not self.path.startswith(f"/{BUCKET}/") or not _signature_ok(
                "PUT", url, headers, body
            ):
                stub.rejected.append(self.path)
                self._reply(403, b"<Error><Code>SignatureDoesNotMatch</Code></Error>")
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
