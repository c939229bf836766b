"""The console over HTTP: a client per staff member, signed in through a one-time link as
`quanzi console-link` makes it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from api.app import create_app
from domain.console_login import create_login_link
from domain.models import User
from quanzi.bootstrap import Runtime

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
SignIn = Callable[[User], Awaitable[httpx.AsyncClient]]


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found and found.group(1), page.text[:500]
    return found.group(1)


@pytest.fixture
async def browser(runtime: Runtime) -> AsyncIterator[Callable[[], httpx.AsyncClient]]:
    """New cookie jars on one app: each a browser of its own."""
    app = create_app(runtime=runtime)
    clients: list[httpx.AsyncClient] = []

    def open_browser() -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://quanzi.test"
        )
        clients.append(client)
        return client

    yield open_browser
    for client in clients:
        await client.aclose()


@pytest.fixture
def sign_in(runtime: Runtime, browser: Callable[[], httpx.AsyncClient]) -> SignIn:
    async def signed_in(user: User) -> httpx.AsyncClient:
        client = browser()
        token = await create_login_link(runtime.store, user)
        answer = await client.post("/console/login/link", data={"token": token})
        assert answer.status_code == 200, answer.text
        return client

    return signed_in
