"""Test rig: a database of our own on a real PostgreSQL, built through the migrations and
dropped at the end; our own Redis key prefix; a real local WeChat stand-in.

With DATABASE_URL / REDIS_URL set (CI, developers' machines) the tests use those servers;
without them they start the embedded ones under var/test/.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from tortoise import Tortoise

from adapters.database import migrate
from api.app import create_app
from domain import id_lists
from quanzi.bootstrap import Runtime, start_runtime, stop_runtime
from quanzi.embedded import embedded_servers
from quanzi.logs import configure_logging
from quanzi.settings import Settings, load_settings
from tests.contract import operation
from tests.wechat_stub import APPID, SECRET, WeChatStub, start_stub

ROOT = Path(__file__).resolve().parents[1]
RUN_ID = uuid.uuid4().hex[:10]


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def _asyncpg_dsn(url: str) -> str:
    return "postgresql" + url[url.index(":") :]


@pytest.fixture(scope="session", autouse=True)
def _logging() -> None:
    configure_logging("INFO", json=True)


@pytest.fixture(scope="session")
def server_urls() -> Iterator[tuple[str, str]]:
    with embedded_servers(
        ROOT / "var" / "test", os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    ) as servers:
        assert servers.database_url and servers.redis_url
        yield servers.database_url, servers.redis_url


@pytest.fixture(scope="session")
async def database_url(server_urls: tuple[str, str]) -> AsyncIterator[str]:
    admin_url = server_urls[0]
    name = f"quanzi_test_{RUN_ID}"
    admin = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_database(admin_url, name)
    await migrate(url, quiet=True)
    yield url
    await Tortoise.close_connections()
    admin = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def wechat() -> Iterator[WeChatStub]:
    stub = start_stub()
    yield stub
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    server_urls: tuple[str, str],
    wechat: WeChatStub,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return load_settings(
        media_dir=tmp_path_factory.mktemp("media"),
        env="test",
        var_dir=ROOT / "var" / "test",
        database_url=database_url,
        redis_url=server_urls[1],
        redis_prefix=f"qzt:{RUN_ID}:",
        jwt_secret="test-secret-" + "x" * 40,
        wechat_appid=APPID,
        wechat_secret=SECRET,
        wechat_api_base=wechat.url,
        wechat_timeout=1.0,
        dev_login=True,
        log_json=False,
        db_pool_max=10,
    )


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    rt = await start_runtime(settings)
    yield rt
    async for key in rt.redis.scan_iter(match=settings.redis_prefix + "*", count=500):
        await rt.redis.delete(key)
    await stop_runtime(rt)


@pytest.fixture(autouse=True)
async def _clean_slate(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test starts from empty tables, an empty key prefix and a fresh WeChat stand-in."""
    yield
    if "runtime" not in request.fixturenames:
        return
    rt: Runtime = request.getfixturevalue("runtime")
    tables = sorted(
        model._meta.db_table for app in Tortoise.apps.values() for model in app.values()
    )
    await Tortoise.get_connection("default").execute_script(
        "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
    )
    async for key in rt.redis.scan_iter(match=rt.settings.redis_prefix + "*", count=500):
        await rt.redis.delete(key)
    id_lists.forget_claims()  # what this process remembers of those keys
    rt.store.forget_tracked()
    stub: WeChatStub = request.getfixturevalue("wechat")
    with stub.lock:
        stub.codes.clear()
        stub.used.clear()
        stub.calls.clear()
        stub.checked.clear()
        stub.messages.clear()
        stub.revoked_tokens.clear()
        stub.tokens_issued = 0


class Api:
    """Talks to the app over HTTP the way the mini-program does."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        lang: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if lang is not None:
            sent["Accept-Language"] = lang
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=sent
        )
        # 401 / 403: a bearer token refused before the operation ran (api/edge.py).
        assert response.status_code in (200, 400, 401, 403), response.text
        return response.json()

    async def op(self, name: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict:
        """Send the contract's operation `name` exactly as the client does."""
        return await self.execute(operation(name), variables, **kw)


@asynccontextmanager
async def configured_api(
    runtime: Runtime, **settings: object
) -> AsyncIterator[tuple[Api, httpx.AsyncClient]]:
    """The app built with some settings changed, on the test's runtime."""
    configured = runtime.settings.model_copy(update=settings)
    transport = httpx.ASGITransport(app=create_app(settings=configured, runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://quanzi.test") as client:
        yield Api(client), client


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors") or []]


@pytest.fixture(scope="session")
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://quanzi.test") as c:
        yield c


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
