"""A post's topics are counted before any other work: thousands of them in one request are
refused at once, and other requests are served meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from quanzi.bootstrap import Runtime
from tests.conftest import Api
from tests.factories import make_user, token_for

TOPICS = [f"话题{i}" for i in range(12_000)]  # ~100 KB of JSON


async def _timed(call: Awaitable[Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = await call
    return result, time.monotonic() - started


async def _trivial_meanwhile(api: Api) -> tuple[Any, float]:
    await asyncio.sleep(0.05)  # once the big request is under way
    return await _timed(api.execute("{ __typename }"))


def _refused(result: dict[str, Any]) -> None:
    error = result["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "topics"}
    assert error["message"] == "最多 5 个话题"


async def test_twelve_thousand_topics_on_a_new_post_are_refused_at_once(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    await api.execute("{ __typename }")  # warm
    (created, created_in), (trivial, trivial_in) = await asyncio.gather(
        _timed(
            api.op("CreatePost", {"input": {"body": "话题很多", "topics": TOPICS}}, token=token)
        ),
        _trivial_meanwhile(api),
    )
    _refused(created)
    assert created_in < 1.0
    assert trivial == {"data": {"__typename": "Query"}} and trivial_in < 1.0


async def test_twelve_thousand_topics_on_an_edit_are_refused_at_once(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user())
    created = await api.op("CreatePost", {"input": {"body": "先发一篇"}}, token=token)
    post_id = created["data"]["createPost"]["post"]["id"]
    (edited, edited_in), (trivial, trivial_in) = await asyncio.gather(
        _timed(api.op("EditPost", {"id": post_id, "input": {"topics": TOPICS}}, token=token)),
        _trivial_meanwhile(api),
    )
    _refused(edited)
    assert edited_in < 1.0
    assert trivial == {"data": {"__typename": "Query"}} and trivial_in < 1.0
