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
    try:
        yield f"127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def serving_url(runtime: Runtime, **settings: object) -> AsyncIterator[str]:
    """`serving`, answering the base URL (`http://host:port`) the Node suites are given."""
    async with serving(runtime, **settings) as host:
        yield f"http://{host}"
