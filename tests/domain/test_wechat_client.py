"""The one WeChat client against the local WeChat server: the shared access token, refreshed
once when WeChat calls it invalid or expired (40001, 42001, 40014) for every API that takes
it, and Redis outages that only cost a token fetch."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from redis.asyncio import Redis

from adapters.redis import Store
from adapters.wechat import TOKEN_EXPIRED, WeChatClient
from domain.errors import ServiceUnavailable
from domain.ports import Scene, SendResult, Suggestion
from quanzi.bootstrap import Runtime
from tests.wechat_stub import APPID, SECRET, WeChatStub, start_stub

MESSAGE = {"thing1": "有人评论了你的帖子", "time2": "2026-11-27 10:00"}


@pytest.fixture
def stub() -> Iterator[WeChatStub]:
    own = start_stub()
    yield own
    own.server.shutdown()
    own.server.server_close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def _client(stub: WeChatStub, http: httpx.AsyncClient, store: Store) -> WeChatClient:
    return WeChatClient(http=http, store=store, api_base=stub.url, appid=APPID, secret=SECRET)


async def _send(client: WeChatClient, openid: str = "o-fan") -> SendResult:
    return await client.send_subscribe_message(
        openid=openid, template_id="tmpl-comment", page="pages/inbox/index", data=MESSAGE
    )


async def test_one_access_token_serves_every_call_until_wechat_refuses_it(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    client = _client(stub, http, runtime.store)
    verdict = await client.check_text(openid="o-writer", content="你好", scene=Scene.FORUM)
    assert verdict == Suggestion.PASS
    assert await _send(client) == SendResult(True, retry=False)
    assert stub.tokens_issued == 1
    assert stub.token_requests[0]["force_refresh"] is False


@pytest.mark.parametrize("errcode", sorted(TOKEN_EXPIRED))
async def test_an_expired_token_is_replaced_once_for_content_checks_and_subscribe_messages(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient, errcode: int
) -> None:
    stub.expired_errcode = errcode
    client = _client(stub, http, runtime.store)
    assert await client.access_token() == "access-1"
    stub.revoked_tokens.add("access-1")

    verdict = await client.check_text(openid="o-w", content="WX-REVIEW 看看", scene=Scene.FORUM)
    assert verdict == Suggestion.REVIEW
    assert stub.tokens_issued == 2
    assert stub.token_requests[-1]["force_refresh"] is True

    stub.revoked_tokens.add("access-2")
    assert await _send(client) == SendResult(True, retry=False)
    assert stub.tokens_issued == 3
    assert [m["touser"] for m in stub.messages] == ["o-fan"]
    assert await client.access_token() == "access-3"  # the new token is shared from the cache


async def test_a_token_refused_again_after_the_refresh_is_not_retried_forever(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    stub.revoke_every_token = True
    client = _client(stub, http, runtime.store)
    assert await client.check_text(openid="o", content="WX-RISKY", scene=Scene.COMMENT) == "pass"
    assert stub.tokens_issued == 2
    assert await _send(client) == SendResult(False, retry=False)
    assert stub.tokens_issued == 3  # the cached access-2, refused, then one more
    assert stub.checked == [] and stub.messages == []


async def test_a_token_another_process_already_replaced_is_taken_from_the_cache(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    client = _client(stub, http, runtime.store)
    await runtime.redis.set(runtime.store.key("wechat", "access_token"), "access-9")
    assert await client.access_token(rejected="access-1") == "access-9"
    assert stub.tokens_issued == 0
    assert await client.access_token(rejected="access-9") == "access-1"
    assert stub.token_requests == [
        {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": True}
    ]


async def test_subscribe_send_retries_only_what_may_get_better(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    client = _client(stub, http, runtime.store)
    assert await _send(client, "busy") == SendResult(False, retry=True)
    assert await _send(client, "broken") == SendResult(False, retry=True)
    assert await _send(client, "refused") == SendResult(False, retry=False)
    stub.server.shutdown()
    stub.server.server_close()
    assert await _send(client) == SendResult(False, retry=True)  # WeChat unreachable


async def test_wrong_credentials_make_checks_pass_and_sends_retry_without_raising(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    client = WeChatClient(
        http=http, store=runtime.store, api_base=stub.url, appid=APPID, secret="wrong"
    )
    with pytest.raises(ServiceUnavailable):
        await client.access_token()
    assert await client.check_text(openid="o", content="WX-RISKY", scene=Scene.FORUM) == "pass"
    assert await _send(client) == SendResult(False, retry=True)


async def test_with_redis_down_every_call_still_works_on_a_fresh_token(
    stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: no Redis there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    redis = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5)
    try:
        client = _client(stub, http, Store(redis, "qz-down:"))
        verdict = await client.check_text(openid="o", content="WX-RISKY", scene=Scene.FORUM)
        assert verdict == Suggestion.RISKY
        assert await _send(client) == SendResult(True, retry=False)
        assert stub.tokens_issued == 2  # nothing cached: each call fetched the stable token
    finally:
        await redis.aclose()


async def test_a_burst_of_checks_without_a_token_fetches_one(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    checks = [
        _client(stub, http, runtime.store).check_text(
            openid=f"o-{i}", content="你好", scene=Scene.FORUM
        )
        for i in range(8)
    ]
    assert await asyncio.gather(*checks) == [Suggestion.PASS] * 8
    assert stub.tokens_issued == 1
    assert len(stub.checked) == 8


async def test_a_burst_of_checks_refused_one_token_forces_one_refresh(
    runtime: Runtime, stub: WeChatStub, http: httpx.AsyncClient
) -> None:
    client = _client(stub, http, runtime.store)
    assert await client.access_token() == "access-1"
    stub.revoked_tokens.add("access-1")  # WeChat refuses it from now on: 40001
    checks = [
        client.check_text(openid=f"o-{i}", content="你好", scene=Scene.FORUM) for i in range(8)
    ]
    assert await asyncio.gather(*checks) == [Suggestion.PASS] * 8
    # One forced refresh (WeChat allows few a day), whose token every retried check used.
    assert [r["force_refresh"] for r in stub.token_requests] == [False, True]
    assert await client.access_token() == "access-2"
