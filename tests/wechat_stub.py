"""A real local HTTP server that speaks WeChat's jscode2session, for sign-in tests.

Codes behave as on WeChat: a registered code answers its openid once and then 40163; an unknown
code answers 40029. Special codes make WeChat misbehave: "busy" (-1), "limited" (45011),
"risky" (40226), "slow" (answers after 3 s), "broken" (HTTP 502), "garbage" (not JSON).

It also serves the APIs that take an access token: /cgi-bin/stable_token hands out tokens,
/wxa/msg_sec_check (version 2) answers "risky" for text containing WX-RISKY, "review" for
WX-REVIEW and "pass" otherwise, and /cgi-bin/message/subscribe/send accepts well-formed
messages (touser "busy" answers -1, "refused" 43101, "broken" HTTP 502). A token the test
revoked answers `expired_errcode` (40001 unless the test picks 42001 or 40014); with
`revoke_every_token` no token works.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

APPID = "wx-test-app"
SECRET = "wx-test-secret"


@dataclass
class WeChatStub:
    server: ThreadingHTTPServer
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    calls: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens_issued: int = 0
    revoked_tokens: set[str] = field(default_factory=set)
    revoke_every_token: bool = False
    expired_errcode: int = 40001
    token_requests: list[dict[str, object]] = field(default_factory=list)
    checked: list[dict[str, object]] = field(default_factory=list)
    messages: list[dict[str, object]] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def issue_code(self, code: str, openid: str, unionid: str | None = None) -> str:
        """What wx.login() would hand the mini-program for this member."""
        identity = {"openid": openid, "session_key": f"sk-{openid}"}
        if unionid:
            identity["unionid"] = unionid
        with self.lock:
            self.codes[code] = identity
        return code

    def answer(self, params: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.calls.append(params)
        if params.get("appid") != APPID:
            return 200, _json({"errcode": 40013, "errmsg": "invalid appid"})
        if params.get("secret") != SECRET:
            return 200, _json({"errcode": 40125, "errmsg": "invalid appsecret"})
        if params.get("grant_type") != "authorization_code":
            return 200, _json({"errcode": 40002, "errmsg": "invalid grant_type"})
        code = params.get("js_code", "")
        special = {
            "busy": (200, _json({"errcode": -1, "errmsg": "system error"})),
            "limited": (200, _json({"errcode": 45011, "errmsg": "api minute-quota reach limit"})),
            "risky": (200, _json({"errcode": 40226, "errmsg": "high risk user"})),
            "broken": (502, b"<html>Bad Gateway</html>"),
            "garbage": (200, b"<html>not json</html>"),
        }
        if code in special:
            return special[code]
        if code == "slow":
            time.sleep(3)
        with self.lock:
            if code in self.used:
                return 200, _json({"errcode": 40163, "errmsg": "code been used"})
            identity = self.codes.get(code)
            if identity is None:
                return 200, _json({"errcode": 40029, "errmsg": "invalid code"})
            self.used.add(code)
        return 200, _json(identity)

    def answer_post(self, path: str, params: dict[str, str], body: dict) -> tuple[int, bytes]:
        if path == "/cgi-bin/stable_token":
            if body.get("appid") != APPID or body.get("secret") != SECRET:
                return 200, _json({"errcode": 40013, "errmsg": "invalid appid"})
            with self.lock:
                self.token_requests.append(body)
                self.tokens_issued += 1
                token = f"access-{self.tokens_issued}"
            return 200, _json({"access_token": token, "expires_in": 7200})
        if path == "/wxa/msg_sec_check":
            refused = self._refuse_token(params.get("access_token", ""))
            if refused:
                return refused
            if body.get("version") != 2 or not body.get("openid"):
                return 200, _json({"errcode": 47001, "errmsg": "data format error"})
            with self.lock:
                self.checked.append(body)
            content = str(body.get("content", ""))
            suggest = (
                "risky" if "WX-RISKY" in content else "review" if "WX-REVIEW" in content else "pass"
            )
            return 200, _json(
                {"errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": 100}}
            )
        if path == "/cgi-bin/message/subscribe/send":
            refused = self._refuse_token(params.get("access_token", ""))
            if refused:
                return refused
            special = {
                "busy": (200, _json({"errcode": -1, "errmsg": "system error"})),
                "refused": (200, _json({"errcode": 43101, "errmsg": "user refuse to accept"})),
                "broken": (502, b"<html>Bad Gateway</html>"),
            }
            if body.get("touser") in special:
                return special[str(body["touser"])]
            data = body.get("data") or {}
            valid = (
                isinstance(body.get("touser"), str)
                and isinstance(body.get("template_id"), str)
                and all(isinstance(v, dict) and "value" in v for v in data.values())
                and len(str(data.get("thing1", {}).get("value", ""))) <= 20
            )
            if not valid:
                return 200, _json({"errcode": 47003, "errmsg": "argument invalid"})
            with self.lock:
                self.messages.append(body)
            return 200, _json({"errcode": 0, "errmsg": "ok"})
        return 404, b"not found"

    def _refuse_token(self, token: str) -> tuple[int, bytes] | None:
        if not token.startswith("access-"):
            return 200, _json({"errcode": 40001, "errmsg": "invalid credential"})
        if self.revoke_every_token or token in self.revoked_tokens:
            return 200, _json({"errcode": self.expired_errcode, "errmsg": "token expired"})
        return None


def _json(body: dict[str, object]) -> bytes:
    return json.dumps(body).encode()


def start_stub() -> WeChatStub:
    stub: WeChatStub

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/sns/jscode2session":
                status, body = 404, b"not found"
            else:
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, body = stub.answer(params)
            self.send_response(status)
            # WeChat labels its JSON text/plain.
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            status, payload = stub.answer_post(url.path, params, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub = WeChatStub(server=server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return stub
