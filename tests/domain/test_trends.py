"""Trending topics, the HOT ranking, retention segments and counter reconciliation, with
controlled timestamps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from adapters.redis import Store
from api.ids import to_global_id
from domain import hot, retention, trending
from domain.counters import recount_all
from domain.likes import like_post
from domain.models import (
    CircleMember,
    JoinPolicy,
    MemberActivity,
    Post,
    PostLike,
    PostStatus,
    PostTopic,
    Role,
    User,
)
from quanzi.bootstrap import Runtime
from tests.background import until
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_circle, make_post, make_user, token_for
from tests.locks import table_locked, waiting

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def _post_at(author: User, body: str, at: datetime) -> Post:
    post = await make_post(author, body)
    await Post.filter(id=post.id).update(created_at=at)
    await PostTopic.filter(post_id=post.id).update(post_created_at=at)
    return post


async def _likes_at(post: Post, count: int, at: datetime) -> None:
    for _ in range(count):
        await like_post(await make_user(), post.id, rules=RULES)
    await PostLike.filter(post_id=post.id, created_at__gt=at).update(created_at=at)


async def test_heat_decays_with_age(runtime: Runtime) -> None:
    author = await make_user()
    await _post_at(author, "新鲜事 #新话题#", NOW - timedelta(hours=1))
    await _post_at(author, "旧闻 #旧话题#", NOW - timedelta(hours=13))
    heats = {h.topic_id: h.heat for h in await trending.compute(NOW)}
    from domain.models import Topic

    new, old = await Topic.get(name="新话题"), await Topic.get(name="旧话题")
    # Posts weigh 5; 12 more hours is two half-lives: a quarter of the heat.
    assert abs(heats[new.id] / heats[old.id] - 4.0) < 0.01


async def test_a_spike_beats_a_steady_giant(runtime: Runtime) -> None:
    author = await make_user()
    for day in range(1, 8):  # the giant: ten posts a day, every day
        for i in range(10):
            await _post_at(author, f"日常 {day}-{i} #大话题#", NOW - timedelta(days=day, hours=2))
    for i in range(10):
        await _post_at(author, f"今天 {i} #大话题#", NOW - timedelta(hours=3))
    for i in range(6):  # the spike: nothing before, six posts in the last hours
        await _post_at(author, f"突发 {i} #突发话题#", NOW - timedelta(hours=2))
    board = await trending.compute(NOW)
    from domain.models import Topic

    spike, giant = await Topic.get(name="突发话题"), await Topic.get(name="大话题")
    ranked = [h.topic_id for h in board]
    heat = {h.topic_id: h for h in board}
    assert heat[giant.id].heat > heat[spike.id].heat  # bigger in raw heat...
    assert ranked.index(spike.id) < ranked.index(giant.id)  # ...but the spike leads
    assert heat[giant.id].velocity < 1.5 < heat[spike.id].velocity


async def test_trending_topics_through_the_api(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    await make_post(author, "最近很火 #热点#")
    await make_post(author, "也很火 #热点#")
    await make_post(author, "一般 #冷门#")
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    assert error_codes(await api.op("RefreshTrending", token=token_for(runtime, author))) == [
        "FORBIDDEN"
    ]
    job = await api.op("RefreshTrending", token=operator)
    assert job["data"]["refreshTrending"]["id"]
    await trending.refresh(runtime.store)  # what the queued job does
    result = await api.op("TrendingTopics", {"first": 5})
    board = result["data"]["trendingTopics"]
    assert [(t["rank"], t["topic"]["name"]) for t in board] == [(1, "热点"), (2, "冷门")]
    assert board[0]["heat"] > board[1]["heat"] > 0
    topic = await api.op("TopicFeed", {"name": "热点"})
    assert topic["data"]["topic"]["id"] == board[0]["topic"]["id"]


async def test_a_young_post_with_few_likes_beats_an_old_one_with_a_few_more(
    runtime: Runtime,
) -> None:
    author = await make_user()
    old = await _post_at(author, "昨天的帖子", datetime.now(UTC) - timedelta(hours=20))
    young = await _post_at(author, "刚发的帖子", datetime.now(UTC) - timedelta(hours=1))
    for _ in range(6):
        await like_post(await make_user(), old.id, rules=RULES)
    for _ in range(3):
        await like_post(await make_user(), young.id, rules=RULES)
    assert hot.hot_rank(3, 1) > hot.hot_rank(6, 20)
    source = await hot.hot_source(runtime.store, "all", viewer=None, first=10, after=None, cap=50)
    page = source.page()
    assert [p.id for p in page.items] == [young.id, old.id]


async def test_hot_pages_never_skip_or_repeat_while_ranks_change(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    posts = [
        await _post_at(author, f"帖子{i}", datetime.now(UTC) - timedelta(hours=i)) for i in range(9)
    ]
    first = await api.op("Feed", {"kind": "HOT", "first": 4})
    seen = [e["node"]["id"] for e in first["data"]["feed"]["edges"]]
    # Ranks move: the oldest post suddenly gets liked a lot, and a snapshot is rebuilt.
    for _ in range(10):
        await like_post(await make_user(), posts[-1].id, rules=RULES)
    await hot.build_snapshot(runtime.store)
    after = first["data"]["feed"]["pageInfo"]["endCursor"]
    while after:
        page = await api.op("Feed", {"kind": "HOT", "first": 4, "after": after})
        feed = page["data"]["feed"]
        seen += [e["node"]["id"] for e in feed["edges"]]
        after = feed["pageInfo"]["endCursor"] if feed["pageInfo"]["hasNextPage"] else None
    assert sorted(seen) == sorted(to_global_id("Post", p.id) for p in posts)
    assert len(seen) == len(set(seen))
    # A new reader sees the new ranks: the liked post climbed from last into the top four.
    fresh = await api.op("Feed", {"kind": "HOT", "first": 4})
    top = [e["node"]["id"] for e in fresh["data"]["feed"]["edges"]]
    assert to_global_id("Post", posts[-1].id) in top
    assert to_global_id("Post", posts[-1].id) not in seen[:4]


async def test_a_snapshot_built_by_another_process_is_served_once_redis_says_so(
    api: Api, runtime: Runtime
) -> None:
    author = await make_user()
    old = await make_post(author, "旧快照里的帖子")
    current, held = hot._current_key(runtime.store, "all"), hot._held(runtime.store)
    for _ in range(200):  # the first page builds the snapshot; a later one holds its name
        first = await api.op("Feed", {"kind": "HOT", "first": 10})
        if held.get(current):
            break
        await asyncio.sleep(0.01)
    assert _ids(first) == [to_global_id("Post", old.id)]
    assert held.get(current)  # the next page reads no Redis
    newer = await make_post(author, "新快照里的帖子")
    worker = Redis.from_url(runtime.settings.redis_url or "", decode_responses=True)
    try:  # the scheduler's job, in a process of its own
        await hot.build_snapshot(Store(worker, runtime.store.prefix))
    finally:
        await worker.aclose()
    for _ in range(200):
        if held.get(current) is None:
            break
        await asyncio.sleep(0.01)
    again = await api.op("Feed", {"kind": "HOT", "first": 10})
    assert to_global_id("Post", newer.id) in _ids(again)


async def test_a_held_snapshot_never_shows_what_the_reader_may_no_longer_see(
    api: Api, runtime: Runtime
) -> None:
    author, reader = await make_user(), await make_user()
    circle = await make_circle(join_policy=JoinPolicy.APPROVAL, members=[reader, author])
    inside = await make_post(author, "圈内", circle_id=circle.id)
    hidden = await make_post(author, "之后被隐藏")
    shown = await make_post(author, "一直可见")
    token = token_for(runtime, reader)
    first = await api.op("Feed", {"kind": "HOT", "first": 10}, token=token)
    assert set(_ids(first)) == {to_global_id("Post", p.id) for p in (inside, hidden, shown)}
    signed_out = await api.op("Feed", {"kind": "HOT", "first": 10})
    assert set(_ids(signed_out)) == {to_global_id("Post", p.id) for p in (hidden, shown)}
    await Post.filter(id=hidden.id).update(status=PostStatus.HIDDEN)
    await CircleMember.filter(circle_id=circle.id, user_id=reader.id).delete()  # left it
    again = await api.op("Feed", {"kind": "HOT", "first": 10}, token=token)
    assert _ids(again) == [to_global_id("Post", shown.id)]


def _ids(result: dict) -> list[str]:
    assert "errors" not in result, result
    return [e["node"]["id"] for e in result["data"]["feed"]["edges"]]


async def test_topic_feed_orders_by_hot_too(api: Api, runtime: Runtime) -> None:
    author = await make_user()
    quiet = await make_post(author, "安静 #话题#")
    loud = await make_post(author, "热闹 #话题#")
    await make_post(author, "别的 #其他#")
    for _ in range(5):
        await like_post(await make_user(), quiet.id, rules=RULES)
    result = await api.op("TopicFeed", {"name": "话题", "orderBy": "HOT"})
    ids = [e["node"]["id"] for e in result["data"]["topic"]["posts"]["edges"]]
    assert ids == [to_global_id("Post", quiet.id), to_global_id("Post", loud.id)]


async def test_a_quiet_community_s_empty_board_is_computed_once_not_on_every_read(
    api: Api, runtime: Runtime
) -> None:
    # held back while another connection locks post_topics (pg_stat_activity keeps 1 KB)
    computing = trending._EVENTS[:200]
    async with table_locked(runtime, "post_topics") as lock:
        readers = [asyncio.create_task(api.op("TrendingTopics", {"first": 5})) for _ in range(8)]

        async def started() -> bool:
            return await waiting(lock, computing) >= 1

        await until(started, "nobody computed the board")
        await asyncio.sleep(0.2)  # the other readers have arrived: none computes it again
        assert await waiting(lock, computing) == 1
    assert all(r["data"]["trendingTopics"] == [] for r in await asyncio.gather(*readers))
    async with table_locked(runtime, "post_topics"):  # nothing trends: a board all the same
        quiet = await asyncio.wait_for(api.op("TrendingTopics", {"first": 5}), 5)
    assert quiet["data"]["trendingTopics"] == []
    author = await make_user()
    await make_post(author, "终于有人说话 #新话题#")
    await trending.refresh(runtime.store)  # the job's next run
    board = (await api.op("TrendingTopics", {"first": 5}))["data"]["trendingTopics"]
    assert [t["topic"]["name"] for t in board] == ["新话题"]


async def test_at_risk_members_and_segment_sizes(api: Api, runtime: Runtime) -> None:
    on = runtime.rules.calendar.today()
    fading, steady = await make_user(nickname="渐行渐远"), await make_user(nickname="常客")
    await User.filter(id__in=[fading.id, steady.id]).update(
        created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    for back in range(0, 28):
        await MemberActivity.create(user=steady, day=on - timedelta(days=back))
        if back >= 10:
            await MemberActivity.create(user=fading, day=on - timedelta(days=back))
    await retention.score_members(runtime.rules.calendar, on)
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    risky = await api.op("AtRiskUsers", {"first": 5}, token=operator)
    rows = risky["data"]["atRiskUsers"]
    assert [r["user"]["nickname"] for r in rows] == ["渐行渐远"]
    assert "10 天未活跃" in rows[0]["reason"]
    segments = await api.op("UserSegments", token=operator)
    sizes = {s["name"]: s["count"] for s in segments["data"]["userSegments"]}
    assert sizes["ACTIVE"] == 1 and sizes["CASUAL"] == 1


async def test_reconciliation_reports_and_repairs_drift(runtime: Runtime) -> None:
    post = await make_post(await make_user(), "帖子")
    await like_post(await make_user(), post.id, rules=RULES)
    await recount_all()  # settle what the test's direct domain calls left behind
    assert all(v == 0 for v in (await recount_all()).values())
    await Post.filter(id=post.id).update(like_count=7)
    repaired = await recount_all()
    assert repaired["posts"] == 1 and sum(repaired.values()) == 1
    await post.refresh_from_db()
    assert post.like_count == 1


async def test_the_scheduler_sends_scheduled_jobs_to_the_real_queue(runtime: Runtime) -> None:
    from taskiq import TaskiqScheduler
    from taskiq.brokers.shared_broker import async_shared_broker
    from taskiq.schedule_sources import LabelScheduleSource

    from jobs import community, reminders  # noqa: F401 - registers the jobs

    source = LabelScheduleSource(async_shared_broker)
    await source.startup()
    schedules = {s.task_name: s for s in await source.get_schedules()}
    assert {"quanzi.refresh_trending", "quanzi.remind_events"} <= set(schedules)
    queue = runtime.settings.redis_prefix + "jobs"
    before = await runtime.redis.llen(queue)
    scheduler = TaskiqScheduler(runtime.broker, [source])  # type: ignore[arg-type]
    await scheduler.on_ready(source, schedules["quanzi.refresh_trending"])
    assert await runtime.redis.llen(queue) == before + 1
    await runtime.redis.delete(queue)
