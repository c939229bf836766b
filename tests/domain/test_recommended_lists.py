"""RECOMMENDED served from lists a job builds: a request only reads one (or, without one,
serves HOT at once and asks for it), never builds it; what a member may not see is dropped when
the page's posts are loaded, however old the list."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis
from taskiq.api import run_receiver_task

from adapters.redis import Store
from api.ids import to_global_id
from domain.models import CircleMember, JoinPolicy, Post, PostStatus
from quanzi.bootstrap import Runtime
from recommend import serving
from tests.background import queued, until_dropped
from tests.conftest import Api
from tests.factories import make_circle, make_post, make_user, token_for

SHARE = 0.1


def _ids(result: dict) -> list[str]:
    assert "errors" not in result, result
    return [e["node"]["id"] for e in result["data"]["feed"]["edges"]]


async def _builds(runtime: Runtime) -> list[list[object]]:
    return await queued(runtime, "quanzi.build_recommended_feed")


async def _wait_for_list(runtime: Runtime, user_id: int) -> None:
    for _ in range(200):
        if await runtime.redis.get(serving._pointer_key(runtime.store, user_id)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no list was built")


async def _until_dropped(runtime: Runtime, key: str) -> None:
    """Until this process has heard from Redis that `key` changed (adapters/tracking.py)."""
    await until_dropped(serving._held(runtime.store), key)


async def test_without_a_list_the_first_page_is_hot_at_once_and_a_job_builds_the_list(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(6)]
    reader = await make_user()
    own = await make_post(reader, "我自己的帖子")
    token = token_for(runtime, reader)

    first = await api.op("Feed", {"kind": "RECOMMENDED", "first": 4}, token=token)
    # HOT (own post and all), served without building anything: the build is a queued job.
    assert len(_ids(first)) == 4
    assert await runtime.redis.get(serving._pointer_key(runtime.store, reader.id)) is None
    assert await _builds(runtime) == [[reader.id]]
    rest = await api.op(
        "Feed",
        {
            "kind": "RECOMMENDED",
            "first": 4,
            "after": first["data"]["feed"]["pageInfo"]["endCursor"],
        },
        token=token,
    )
    assert len(_ids(first) + _ids(rest)) == 7 == len(set(_ids(first) + _ids(rest)))
    # Asked once: another first page before the job ran asks no second time.
    await api.op("Feed", {"kind": "RECOMMENDED", "first": 4}, token=token)
    assert len(await _builds(runtime)) == 1

    # The worker builds it; the next session reads it: no own post now.
    from jobs import recommender

    runtime.broker.state.runtime = runtime
    worker = asyncio.create_task(run_receiver_task(runtime.broker))
    try:
        await _wait_for_list(runtime, reader.id)
    finally:
        worker.cancel()
    assert recommender.build_recommended_feed.task_name == "quanzi.build_recommended_feed"
    page = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert sorted(_ids(page)) == sorted(to_global_id("Post", p.id) for p in posts)
    assert to_global_id("Post", own.id) not in _ids(page)


async def test_signing_in_asks_for_the_list_once(api: Api, runtime: Runtime) -> None:
    login = await api.op("DevLogin", {"openid": "o-list"})
    assert login["data"]["devLogin"]["token"]
    jobs = await _builds(runtime)
    assert len(jobs) == 1
    user_id = jobs[0][0]
    await api.op("DevLogin", {"openid": "o-list"})
    assert len(await _builds(runtime)) == 1  # already asked
    await serving.build_feed(runtime.store, int(user_id), SHARE)  # type: ignore[call-overload]
    await runtime.redis.delete(runtime.store.key("recclaim", user_id))
    await api.op("DevLogin", {"openid": "o-list"})
    assert len(await _builds(runtime)) == 1  # a fresh list needs no new one


async def test_a_post_hidden_deleted_or_closed_since_the_build_is_never_shown(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(6)]
    reader = await make_user()
    await serving.build_feed(runtime.store, reader.id, SHARE)
    await Post.filter(id=posts[0].id).update(status=PostStatus.HIDDEN)
    await Post.filter(id=posts[1].id).update(status=PostStatus.DELETED)
    page = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 10}, token=token_for(runtime, reader)
    )
    shown = set(_ids(page))
    assert shown == {to_global_id("Post", p.id) for p in posts[2:]}


async def test_a_list_built_by_another_process_is_served_once_redis_says_so(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(3)]
    reader = await make_user()
    token = token_for(runtime, reader)
    await serving.build_feed(runtime.store, reader.id, SHARE)
    first = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert set(_ids(first)) == {to_global_id("Post", p.id) for p in posts}
    pointer_key = serving._pointer_key(runtime.store, reader.id)
    assert serving._held(runtime.store).get(pointer_key)  # the next page reads no Redis

    newer = await make_post(author, "另一个进程建好新列表之后")
    worker = Redis.from_url(runtime.settings.redis_url or "", decode_responses=True)
    try:  # the job's process: a client and a store of its own
        await serving.build_feed(Store(worker, runtime.store.prefix), reader.id, SHARE)
    finally:
        await worker.aclose()
    await _until_dropped(runtime, pointer_key)
    again = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert to_global_id("Post", newer.id) in _ids(again)


async def test_where_redis_refuses_tracking_pages_read_their_lists_each_time(
    runtime: Runtime, refusing_redis: Redis
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(5)]
    reader = await make_user()
    await serving.build_feed(runtime.store, reader.id, SHARE)
    store = Store(refusing_redis, runtime.store.prefix)  # an API process on such a Redis
    pages, after = [], None
    for _ in range(3):
        source = await serving.recommended_source(store, reader, first=2, after=after, cap=50)
        page = source.page()
        pages.append([p.id for p in page.items])
        after = page.cursors[-1] if page.has_next else None
    assert pages[-1] and after is None
    assert sorted(i for page in pages for i in page) == sorted(p.id for p in posts)
    assert not serving._held(store).listening
    await store.stop_tracking()


async def test_a_held_list_never_shows_a_post_hidden_since_it_was_read(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [await make_post(author, f"第 {i} 篇") for i in range(4)]
    reader = await make_user()
    token = token_for(runtime, reader)
    await serving.build_feed(runtime.store, reader.id, SHARE)
    first = await api.op("Feed", {"kind": "RECOMMENDED", "first": 2}, token=token)
    assert len(_ids(first)) == 2
    await Post.filter(id__in=[p.id for p in posts]).update(status=PostStatus.HIDDEN)
    again = await api.op("Feed", {"kind": "RECOMMENDED", "first": 2}, token=token)
    after = first["data"]["feed"]["pageInfo"]["endCursor"]
    rest = await api.op("Feed", {"kind": "RECOMMENDED", "first": 2, "after": after}, token=token)
    assert _ids(again) == [] and _ids(rest) == []


async def test_a_circle_closed_to_the_member_since_the_build_hides_its_posts(
    api: Api, runtime: Runtime
) -> None:
    reader = await make_user()
    author = await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[reader, author])
    inside = await make_post(author, "圈内的帖子", circle_id=circle.id)
    outside = await make_post(author, "公开的帖子")
    await serving.build_feed(runtime.store, reader.id, SHARE)
    token = token_for(runtime, reader)
    page = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert set(_ids(page)) == {to_global_id("Post", p.id) for p in (inside, outside)}
    await CircleMember.filter(circle_id=circle.id, user_id=reader.id).delete()  # left it
    page = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert _ids(page) == [to_global_id("Post", outside.id)]


async def test_a_session_pages_on_through_its_list_after_a_rebuild(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    for i in range(9):
        await make_post(author, f"第 {i} 篇")
    reader = await make_user()
    token = token_for(runtime, reader)
    await serving.build_feed(runtime.store, reader.id, SHARE)
    first = await api.op("Feed", {"kind": "RECOMMENDED", "first": 5}, token=token)
    await make_post(author, "重建之后的新帖")
    await serving.build_feed(runtime.store, reader.id, SHARE)  # a new list, a new session's
    after = first["data"]["feed"]["pageInfo"]["endCursor"]
    rest = await api.op("Feed", {"kind": "RECOMMENDED", "first": 5, "after": after}, token=token)
    seen = _ids(first) + _ids(rest)
    assert len(seen) == 9 == len(set(seen))  # the old list, to its end
    fresh = await api.op("Feed", {"kind": "RECOMMENDED", "first": 20}, token=token)
    assert len(_ids(fresh)) == 10


async def test_an_old_list_is_served_and_a_new_one_asked_for(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    for i in range(3):
        await make_post(author, f"第 {i} 篇")
    reader = await make_user()
    token = token_for(runtime, reader)
    await serving.build_feed(runtime.store, reader.id, SHARE)
    page = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
    assert len(_ids(page)) == 3 and not await _builds(runtime)  # fresh: nothing asked
    pointer_key = serving._pointer_key(runtime.store, reader.id)
    list_token = (await runtime.redis.get(pointer_key)).rsplit(":", 1)[0]
    old = int(time.time()) - serving.REFRESH_AFTER - 1
    await runtime.redis.set(pointer_key, f"{list_token}:{old}")
    await _until_dropped(runtime, pointer_key)
    for _ in range(2):
        again = await api.op("Feed", {"kind": "RECOMMENDED", "first": 10}, token=token)
        assert _ids(again) == _ids(page)  # still served from the old list
    assert await _builds(runtime) == [[reader.id]]  # asked once


async def test_the_hourly_job_builds_the_lists_of_the_active_members(
    api: Api, runtime: Runtime
) -> None:
    from datetime import date

    from domain.likes import like_post
    from domain.models import MemberActivity
    from jobs.recommender import precompute_recommendations
    from recommend import registry
    from tests.factories import RULES

    author = await make_user()
    posts = [await make_post(author, f"猫咪日常 {i} #猫#") for i in range(8)]
    active, idle = await make_user(), await make_user()
    for member in (active, idle):
        for post in posts[:4]:
            await like_post(member, post.id, rules=RULES)
    await MemberActivity.create(user_id=active.id, day=date.today())
    await registry.train_and_register(runtime.recommender, publish=True)
    assert await precompute_recommendations(runtime) == 1  # type: ignore[call-arg]
    assert await runtime.redis.get(serving._pointer_key(runtime.store, active.id))
    assert await runtime.redis.get(serving._pointer_key(runtime.store, idle.id)) is None
    page = await api.op(
        "Feed", {"kind": "RECOMMENDED", "first": 10}, token=token_for(runtime, active)
    )
    # Served from the member's list: nothing was asked for, as a miss would have.
    assert len(_ids(page)) == 8 and not await _builds(runtime)
