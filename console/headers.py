"""Headers on every console response: a strict Content-Security-Policy (no inline script or
style, nothing from another origin, never framed), and pages never cached."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)

_ALWAYS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # A sign-in link's token is in its URL: no page passes its address on.
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


_IMMUTABLE = b"public, max-age=31536000, immutable"


class ConsoleHeaders:
    """Adds the console's security headers; pages (not the versioned static files) are
    `no-store`, as they show what only the signed-in staff member may see; static files are
    cached for a year under their versioned URLs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/console/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {name for name, _ in _ALWAYS}
                ]
                headers.extend(_ALWAYS)
                headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                # Static URLs carry their content's hash (?v=), so a new file is a new URL.
                headers.append((b"cache-control", _IMMUTABLE if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
