"""A real local HTTP server that speaks the WeCom (企业微信) group robot's webhook, for the
alert announcement tests.

POST /cgi-bin/webhook/send?key=KEY with `{"msgtype": "markdown", "markdown": {"content":
...}}` answers `{"errcode": 0, "errmsg": "ok"}` and keeps the message, as the robot posts it
in the group. Like WeCom: an unknown key answers 93000, a body that is not a markdown message
40008, an empty content or one over 4096 bytes of UTF-8 40058. `fail_next` makes the next N
messages answer -1 ("system busy"); `broken_next` the next N answer HTTP 502.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "wecom-test-key"


@dataclass
class WeComStub:
    server: ThreadingHTTPServer
    messages: list[str] = field(default_factory=list)  # markdown contents taken
    requests: int = 0
    fail_next: int = 0
    broken_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/cgi-bin/webhook/send?key={KEY}"

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.requests = 0
            self.fail_next = self.broken_next = 0

    def answer(self, key: str | None, body: object) -> tuple[int, dict[str, object] | None]:
        with self.lock:
            self.requests += 1
            if self.broken_next:
                self.broken_next -= 1
                return 502, None
            if key != KEY:
                return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
            markdown = body.get("markdown") if isinstance(body, dict) else None
            if (
                not isinstance(body, dict)
                or body.get("msgtype") != "markdown"
                or not (isinstance(markdown, dict) and isinstance(markdown.get("content"), str))
            ):
                return 200, {"errcode": 40008, "errmsg": "invalid message type"}
            content = markdown["content"]
            if not content.strip() or len(content.encode("utf-8")) > 4096:
                return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length"}
            if self.fail_next:
                self.fail_next -= 1
                return 200, {"errcode": -1, "errmsg": "system busy"}
            self.messages.append(content)
            return 200, {"errcode": 0, "errmsg": "ok"}


def start_wecom_stub() -> WeComStub:
    stub: WeComStub

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if url.path != "/cgi-bin/webhook/send":
                status, payload = 404, None
            else:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                status, payload = stub.answer(parse_qs(url.query).get("key", [None])[0], body)
            data = json.dumps(payload).encode() if payload is not None else b"<html>502</html>"
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub = WeComStub(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub
