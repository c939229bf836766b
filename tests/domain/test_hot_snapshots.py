"""HOT snapshots are ranked by a job, not by the readers: a stale one is read while one job
(asked once, whoever asks) builds the next, and where there is none yet a burst of readers
waits for one build rather than each ranking the posts (domain/hot.py)."""

from __future__ import annotations

import asyncio
import time

from taskiq.api import run_receiver_task

from api.ids import to_global_id
from domain import hot
from domain.models import Topic
from domain.pagination import decode_offset_cursor
from quanzi.bootstrap import Runtime
from tests.background import queued, until, until_dropped
from tests.conftest import Api
from tests.factories import make_post, make_user

HOT = {"kind": "HOT", "first": 10}


def _ids(result: dict) -> set[str]:
    assert "errors" not in result, result
    return {e["node"]["id"] for e in result["data"]["feed"]["edges"]}


def _global(*posts: object) -> set[str]:
    return {to_global_id("Post", p.id) for p in posts}  # type: ignore[attr-defined]


async def _hot_jobs(runtime: Runtime) -> list[list[object]]:
    """The HOT rebuilds waiting in the API's queue, oldest first."""
    return await queued(runtime, "quanzi.refresh_hot")


async def _snapshots(runtime: Runtime) -> int:
    """How many snapshots were ever built (none expires within a test)."""
    pattern = runtime.store.key("hot", "snap", "*")
    return len([k async for k in runtime.redis.scan_iter(match=pattern, count=500)])


async def _current(runtime: Runtime, scope: str) -> str:
    return str(await runtime.redis.get(hot._current_key(runtime.store, scope)))


async def _age(runtime: Runtime, scope: str, seconds: int) -> None:
    """The scope's current snapshot as if built `seconds` ago, written as another process
    would; returns once this process has let go of what it held."""
    key = hot._current_key(runtime.store, scope)
    name = (await _current(runtime, scope)).partition("@")[0]
    await runtime.redis.set(key, f"{name}@{int(time.time()) - seconds}", keepttl=True)
    await until_dropped(hot._held(runtime.store), key)


async def _run_jobs_until(runtime: Runtime, scope: str, changed_from: str) -> None:
    """Run the worker until a job built the scope a new snapshot, and this process heard."""
    runtime.broker.state.runtime = runtime
    worker = asyncio.create_task(run_receiver_task(runtime.broker))

    async def rebuilt() -> bool:
        return await _current(runtime, scope) != changed_from

    try:
        await until(rebuilt, "the job built no snapshot")
    finally:
        worker.cancel()
    await until_dropped(hot._held(runtime.store), hot._current_key(runtime.store, scope))


async def test_a_stale_snapshot_is_read_while_one_job_ranks_the_next(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    ranked = [await make_post(author, f"排过名的 {i}") for i in range(3)]
    first = await api.op("Feed", HOT)  # no snapshot yet: this reader's request builds it
    assert _ids(first) == _global(*ranked)
    assert await _hot_jobs(runtime) == [] and await _snapshots(runtime) == 1
    fresh = await api.op("Feed", HOT)  # fresh: nothing asked
    assert _ids(fresh) == _global(*ranked) and await _hot_jobs(runtime) == []

    newer = await make_post(author, "排名之后发的")
    await _age(runtime, "all", hot.STALE_AFTER)
    stale = await _current(runtime, "all")
    pages = await asyncio.gather(*(api.op("Feed", HOT) for _ in range(16)))
    # Everyone reads the stale snapshot at once; one job is asked for the next; no request
    # ranked anything.
    assert all(_ids(page) == _global(*ranked) for page in pages)
    assert await _hot_jobs(runtime) == [["all"]]
    assert await _snapshots(runtime) == 1
    await api.op("Feed", HOT)
    assert await _hot_jobs(runtime) == [["all"]]  # asked once

    await _run_jobs_until(runtime, "all", stale)
    assert await _snapshots(runtime) == 2
    assert _ids(await api.op("Feed", HOT)) == _global(*ranked, newer)


async def test_a_burst_of_readers_without_a_snapshot_waits_for_one_ranking(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(4)]
    pages = await asyncio.gather(*(api.op("Feed", HOT) for _ in range(16)))
    assert all(_ids(page) == _global(*posts) for page in pages)
    assert await _snapshots(runtime) == 1
    cursors = {page["data"]["feed"]["pageInfo"]["endCursor"] for page in pages}
    assert len(cursors) == 1  # every reader pages through the one snapshot


async def test_a_topic_s_stale_snapshot_is_ranked_again_by_the_job(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    first = await make_post(author, "先来的 #跑步#")
    order = {"name": "跑步", "orderBy": "HOT", "first": 10}
    before = await api.op("TopicFeed", order)
    topic = before["data"]["topic"]
    assert [e["node"]["id"] for e in topic["posts"]["edges"]] == [to_global_id("Post", first.id)]
    scope = f"topic:{(await Topic.get(name='跑步')).id}"
    second = await make_post(author, "后来的 #跑步#")
    await _age(runtime, scope, hot.STALE_AFTER)
    stale = await _current(runtime, scope)
    again = await api.op("TopicFeed", order)
    assert len(again["data"]["topic"]["posts"]["edges"]) == 1  # the stale one, at once
    assert await _hot_jobs(runtime) == [[scope]]

    await _run_jobs_until(runtime, scope, stale)
    page = await api.op("TopicFeed", order)
    ids = {e["node"]["id"] for e in page["data"]["topic"]["posts"]["edges"]}
    assert ids == _global(first, second)


async def test_a_current_snapshot_named_before_names_carried_their_time_is_read_and_replaced(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    post = await make_post(author, "升级前排的")
    await api.op("Feed", HOT)
    key = hot._current_key(runtime.store, "all")
    name = (await _current(runtime, "all")).partition("@")[0]
    await runtime.redis.set(key, name, keepttl=True)  # as the release before wrote it
    await until_dropped(hot._held(runtime.store), key)
    page = await api.op("Feed", HOT)
    assert _ids(page) == _global(post)
    cursor = page["data"]["feed"]["pageInfo"]["endCursor"]
    assert decode_offset_cursor(cursor)[0] == name  # read from that very snapshot
    assert await _hot_jobs(runtime) == [["all"]] and await _snapshots(runtime) == 1
