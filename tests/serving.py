"""The app on a real port, for clients that speak to a server (WebSockets, Python `gql`):
uvicorn configured as `quanzi serve` configures it, in the test's own event loop, on the
test's runtime."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette

from api.app import create_app
from quanzi.bootstrap import Runtime
from quanzi.cli import uvicorn_options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(runtime: Runtime, **settings: object) -> AsyncIterator[str]:
    """The app on a real port (its `host:port`), with some settings changed (in the runtime
    too, as a process configured so would have them); its lifespan runs."""
    configured = runtime.settings.model_copy(update=settings)
    app = create_app(runtime=dataclasses.replace(runtime, settings=configured))
    # As `quanzi serve` runs it, on the test's own event loop.
    options = {**uvicorn_options(configured), "loop": "asyncio", "log_level": "warning"}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), **options))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server did not start"
        await asyncio.sleep(0.02)
    host = f"127.0.0.1:{server.config.port}"
    _served[host] = app
    try:
        yield host
    finally:
        _served.pop(host, None)
        server.should_exit = True
        await task


_served: dict[str, Starlette] = {}  # the apps `serving` runs, by host:port


async def listening(host: str, member_id: int, count: int = 1, within: float = 10) -> None:
    """Until the app served at `host` (host:port or its URL) would hand a notification
    published now to exactly `count` of the member's live subscriptions: a subscribe frame
    sent is not yet a subscription listening, nor a socket closed one released."""
    hub = _served[host.split("://")[-1]].state.hub
    deadline = asyncio.get_running_loop().time() + within
    while hub.listening(member_id) != count:
        assert asyncio.get_running_loop().time() < deadline, "the subscription never listened"
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def serving_url(runtime: Runtime, **settings: object) -> AsyncIterator[str]:
    """`serving`, answering the base URL (`http://host:port`) the Node suites are given."""
    async with serving(runtime, **settings) as host:
        yield f"http://{host}"
