"""Proxy headers through the served stack: uvicorn with `quanzi serve`'s own options, on a
real socket, believes X-Forwarded-For only from the proxies QUANZI_TRUSTED_PROXIES names."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from starlette.types import Receive, Scope, Send

from quanzi.cli import uvicorn_options
from quanzi.settings import Settings


async def _echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers the client address the application is given (what rate limits key on)."""
    if scope["type"] != "http":
        return
    client = scope.get("client") or ("none", 0)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": client[0].encode()})


@contextmanager
def _served(settings: Settings) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {**uvicorn_options(settings), "loop": "asyncio", "log_level": "warning"}
    server = uvicorn.Server(uvicorn.Config(_echo_client, host="127.0.0.1", port=port, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _seen_as(url: str, forwarded: str) -> str:
    return httpx.get(url, headers={"X-Forwarded-For": forwarded}).text


def test_a_forwarded_for_header_from_the_same_machine_is_ignored_by_default() -> None:
    settings = Settings(trust_forwarded_for=False)
    assert uvicorn_options(settings)["proxy_headers"] is False
    with _served(settings) as url:
        assert _seen_as(url, "203.0.113.7") == "127.0.0.1"


def test_a_forwarded_for_header_counts_only_from_a_listed_proxy() -> None:
    listed = Settings(trusted_proxies="127.0.0.1")
    with _served(listed) as url:
        assert _seen_as(url, "203.0.113.7") == "203.0.113.7"
    elsewhere = Settings(trusted_proxies="10.0.0.2, 192.0.2.0/24")
    with _served(elsewhere) as url:
        assert _seen_as(url, "203.0.113.7") == "127.0.0.1"
