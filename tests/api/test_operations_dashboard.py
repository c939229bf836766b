"""The dashboard's extras on the operations side (wave2/console-operations.graphql): trending
topics' rank change since yesterday, weekly cohorts, the recommender's models, the scheduled
jobs' last runs (written by a real worker), and retention scored on demand."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from taskiq import TaskiqMessage, TaskiqResult
from taskiq.api import run_receiver_task

from domain import scheduling, trending
from domain.models import MemberActivity, Post, PostTopic, RecommenderModel, Role, User
from domain.posts import PostDraft
from domain.publishing import NO_SCREENING
from jobs import registry
from jobs.broker import JobRunLog
from jobs.publishing import publish_scheduled_posts
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_post, make_user, token_for


async def _posts_at(topic: str, count: int, at: datetime) -> None:
    author = await make_user()
    for n in range(count):
        post = await make_post(author, f"{topic} 第{n}条 #{topic}#")
        await Post.filter(id=post.id).update(created_at=at)
        await PostTopic.filter(post_id=post.id).update(post_created_at=at)


async def test_trending_topics_say_how_far_they_moved_since_yesterday(
    api: Api, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    await _posts_at("老牌", 3, now - timedelta(hours=30))
    await _posts_at("后起", 1, now - timedelta(hours=30))
    # Yesterday's last board: 老牌 first, 后起 second.
    await trending.refresh(runtime.store, now - timedelta(hours=24), calendar=RULES.calendar)
    await _posts_at("后起", 5, now - timedelta(minutes=30))
    await _posts_at("新面孔", 1, now - timedelta(minutes=30))
    await trending.refresh(runtime.store, now, calendar=RULES.calendar)
    board = (await api.op("TrendingWithRank", {"first": 10}))["data"]["trendingTopics"]
    moves = {t["topic"]["name"]: t["rankChange"] for t in board}
    assert [t["topic"]["name"] for t in board] == ["后起", "新面孔", "老牌"]
    assert moves == {"后起": 1, "新面孔": None, "老牌": -2}
    assert all(t["heat"] > 0 for t in board)


def _local(day: str, hour: int) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+08:00")


async def test_weekly_cohorts_count_members_active_in_each_week_after_the_one_they_joined(
    api: Api, runtime: Runtime
) -> None:
    joined = {
        "甲": _local("2026-01-07", 10),  # Wednesday of the week of Monday 5 January
        "乙": _local("2026-01-11", 23),  # its Sunday night
        "丙": _local("2026-01-12", 1),  # Monday 12 January in the community (Sunday in UTC)
        "丁": _local("2026-01-20", 9),  # after the range
    }
    active = {
        "甲": ["2026-01-07", "2026-01-14"],
        "乙": ["2026-01-20"],
        "丙": ["2026-01-12", "2026-01-25"],
        "丁": ["2026-01-20"],
    }
    for name, at in joined.items():
        user = await make_user(nickname=name)
        await User.filter(id=user.id).update(created_at=at)
        for day in active[name]:
            await MemberActivity.create(user_id=user.id, day=date.fromisoformat(day))
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    variables = {"from": "2026-01-05", "to": "2026-01-18", "days": [2, 0, 1]}
    cohorts = (await api.op("WeeklyCohorts", variables, token=token))["data"]["retentionCohorts"]
    shape = [
        (c["cohortDate"], c["size"], [(p["day"], p["retained"], p["rate"]) for p in c["points"]])
        for c in cohorts
    ]
    assert shape == [
        ("2026-01-05", 2, [(0, 1, 0.5), (1, 1, 0.5), (2, 1, 0.5)]),
        ("2026-01-12", 1, [(0, 1, 1.0), (1, 1, 1.0), (2, 0, 0.0)]),
    ]
    too_far = await api.op("WeeklyCohorts", {**variables, "days": [105]}, token=token)
    assert error_codes(too_far) == ["BAD_USER_INPUT"]
    assert too_far["errors"][0]["extensions"]["field"] == "days"


async def test_the_recommenders_models_newest_first_with_their_figures(
    api: Api, runtime: Runtime
) -> None:
    figures = {"precision_at_10": 0.2, "recall_at_10": 0.3, "auc": 0.8}
    baseline = {"precision_at_10": 0.1, "recall_at_10": 0.2, "auc": 0.7}
    common = {"path": "var/models/x", "users": 3, "items": 4}
    await RecommenderModel.create(version="v1", interactions=10, **common)
    await RecommenderModel.create(
        version="v2",
        interactions=20,
        metrics=figures,
        baseline=baseline,
        published=True,
        current=True,
        **common,
    )
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    models = (await api.op("RecommenderModels", {"first": 10}, token=token))["data"]
    newest, oldest = models["recommenderModels"]
    assert (newest["version"], newest["published"], newest["interactions"]) == ("v2", True, 20)
    assert newest["metrics"] == {
        "precisionAt10": 0.2,
        "recallAt10": 0.3,
        "auc": 0.8,
        "baselinePrecisionAt10": 0.1,
    }
    assert (oldest["version"], oldest["published"], oldest["metrics"]) == ("v1", False, None)
    one = await api.op("RecommenderModels", {"first": 1}, token=token)
    assert [m["version"] for m in one["data"]["recommenderModels"]] == ["v2"]


@contextlib.asynccontextmanager
async def _worker(runtime: Runtime) -> AsyncIterator[None]:
    """A worker on the test's queue, as `quanzi worker` runs one (jobs get the runtime)."""
    runtime.broker.state.runtime = runtime
    worker = asyncio.create_task(run_receiver_task(runtime.broker))
    try:
        yield
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        del runtime.broker.state.runtime


async def _until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(200):  # a worker picks a job up within moments
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the worker did not get to it")


async def _job_runs(api: Api, token: str) -> dict[str, dict]:
    result = await api.op("JobRuns", token=token)
    return {run["name"]: run for run in result["data"]["jobRuns"]}


async def test_every_scheduled_job_is_listed_with_its_last_run_as_the_worker_wrote_it(
    api: Api, runtime: Runtime
) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    runs = await _job_runs(api, token)
    assert set(runs) == {name for name, _ in registry.scheduled_jobs()}
    assert "quanzi.publish_scheduled_posts" in runs and "quanzi.score_retention" in runs
    assert "quanzi.send_subscribe_message" not in runs  # queued by requests, not scheduled
    assert all(r["lastRunAt"] is None and r["outcome"] is None for r in runs.values())

    operator = await make_user(role=Role.OPERATOR)
    post = await scheduling.schedule_post(
        operator,
        PostDraft(body="到点就发"),
        datetime.now(UTC) + timedelta(minutes=2),
        NO_SCREENING,
        rules=RULES,
    )
    await Post.filter(id=post.id).update(publish_at=datetime.now(UTC) - timedelta(seconds=1))
    async with _worker(runtime):
        await runtime.enqueue(publish_scheduled_posts)

        async def published() -> bool:
            run = (await _job_runs(api, token))["quanzi.publish_scheduled_posts"]
            return run["outcome"] == "OK"

        await _until(published)
    assert (await Post.get(id=post.id)).status == "PUBLISHED"
    run = (await _job_runs(api, token))["quanzi.publish_scheduled_posts"]
    started = datetime.fromisoformat(run["lastRunAt"])
    assert timedelta(0) <= datetime.now(UTC) - started < timedelta(minutes=1)
    assert 0 <= run["durationSeconds"] < 30

    # A run that failed says so (what the worker's middleware records after any job).
    log = JobRunLog()
    log.set_broker(runtime.broker)
    message = TaskiqMessage(
        task_id="t1", task_name="quanzi.refresh_hot", labels={}, args=[], kwargs={}
    )
    failed = TaskiqResult(
        is_err=True, return_value=None, execution_time=0.25, error=RuntimeError("Redis 不可用")
    )
    await log.post_execute(message, failed)
    hot = (await _job_runs(api, token))["quanzi.refresh_hot"]
    assert (hot["outcome"], hot["durationSeconds"]) == ("ERROR", 0.25)


async def test_retention_is_scored_on_demand_and_says_when(api: Api, runtime: Runtime) -> None:
    token = token_for(runtime, await make_user(role=Role.OPERATOR))
    for _ in range(3):
        await make_user()
    before = (await api.op("SegmentsWithTime", token=token))["data"]
    assert before["segmentsScoredAt"] is None
    assert all(s["count"] == 0 for s in before["userSegments"])
    async with _worker(runtime):
        queued = await api.op("RefreshRetentionSignals", token=token)
        assert len(queued["data"]["refreshRetentionSignals"]["id"]) == 32

        async def scored() -> bool:
            data = (await api.op("SegmentsWithTime", token=token))["data"]
            return data["segmentsScoredAt"] is not None

        await _until(scored)
    after = (await api.op("SegmentsWithTime", token=token))["data"]
    assert {s["name"]: s["count"] for s in after["userSegments"]}["NEW"] == 4
    scored_at = datetime.fromisoformat(after["segmentsScoredAt"])
    assert timedelta(0) <= datetime.now(UTC) - scored_at < timedelta(minutes=1)
    run = (await _job_runs(api, token))["quanzi.score_retention"]
    assert run["outcome"] == "OK"
