"""Fault tolerance against a real Redis that is stopped and started again: what does not need
Redis keeps working, what does answers SERVICE_UNAVAILABLE, /healthz says so, and the service
recovers by itself once Redis is back."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import httpx
from redis.asyncio import Redis

from adapters.redis import Store
from api.app import create_app
from api.ids import to_global_id
from domain.models import Comment, PostLike
from quanzi.bootstrap import Runtime
from quanzi.embedded import _stop_process, start_redis
from tests.conftest import Api, error_codes
from tests.factories import make_post, make_user, token_for


async def test_with_redis_stopped_reads_and_writes_go_on_and_it_recovers_alone(
    runtime: Runtime,
) -> None:
    directory = Path(tempfile.mkdtemp(prefix="qz-fault-"))
    url, process = start_redis(directory)
    assert process is not None
    redis = Redis.from_url(url, decode_responses=True, socket_timeout=1)
    own = dataclasses.replace(runtime, store=Store(redis, runtime.store.prefix))
    author = await make_user()
    post = await make_post(author, "Redis 停了也要能看")
    member = await make_user()
    token = token_for(runtime, member)
    post_id = to_global_id("Post", post.id)
    transport = httpx.ASGITransport(app=create_app(runtime=own))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://q.test") as client:
            api = Api(client)
            assert "errors" not in await api.op("Feed", {"kind": "HOT", "first": 5}, token=token)

            _stop_process(process)  # Redis goes away
            health = await client.get("/healthz")
            assert health.status_code == 503 and health.json()["redis"].startswith("down")
            assert "errors" not in await api.op("Viewer", token=token)
            latest = await api.op("Feed", {"kind": "LATEST", "first": 5}, token=token)
            assert [e["node"]["id"] for e in latest["data"]["feed"]["edges"]] == [post_id]
            assert "errors" not in await api.op("PostDetail", {"id": post_id}, token=token)
            liked = await api.op("LikePost", {"postId": post_id}, token=token)
            assert "errors" not in liked, liked  # rate limits fail open, the push is skipped
            commented = await api.op(
                "AddComment", {"postId": post_id, "body": "还能评论"}, token=token
            )
            assert "errors" not in commented, commented
            hot = await api.op("Feed", {"kind": "HOT", "first": 5}, token=token)
            assert error_codes(hot) == ["SERVICE_UNAVAILABLE"]

            url_again, process = start_redis(directory)  # Redis comes back, same address
            assert url_again == url and process is not None
            assert (await client.get("/healthz")).status_code == 200
            hot = await api.op("Feed", {"kind": "HOT", "first": 5}, token=token)
            assert "errors" not in hot, hot
    finally:
        await redis.aclose()
        if process is not None:
            _stop_process(process)
    assert await PostLike.filter(user_id=member.id).count() == 1
    assert await Comment.filter(author_id=member.id).count() == 1
