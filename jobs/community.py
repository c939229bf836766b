"""The community's scheduled jobs: trending topics, HOT snapshots, activity and metrics,
retention signals, sensitive-word hits, counter reconciliation and expired sign-ins. Each
re-reads the state it works on, with the worker's runtime."""

from __future__ import annotations

import logging
from datetime import timedelta

from domain import analytics, auth, counters, hot, retention, trending, word_hits
from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime

log = logging.getLogger("quanzi.jobs")


@task(task_name="quanzi.refresh_trending", schedule=[{"cron": "*/5 * * * *"}])
async def refresh_trending(runtime: JobRuntime = FromWorker) -> int:
    return await trending.refresh(runtime.store, calendar=runtime.rules.calendar)


@task(task_name="quanzi.refresh_hot", schedule=[{"cron": "*/5 * * * *"}])
async def refresh_hot(scope: str = "all", runtime: JobRuntime = FromWorker) -> str:
    """A new HOT snapshot of a scope: "all" every five minutes, and any scope a reader found
    stale (domain.hot.current_snapshot)."""
    return await hot.build_snapshot(runtime.store, scope)


@task(task_name="quanzi.record_activity", schedule=[{"cron": "*/5 * * * *"}])
async def record_activity(runtime: JobRuntime = FromWorker) -> int:
    """Flush the day's activity marks from Redis, then keep yesterday's and today's metrics."""
    calendar = runtime.rules.calendar
    written = await analytics.flush_activity(runtime.store, calendar)
    today = calendar.today()
    for day in (today - timedelta(days=1), today):
        await analytics.store_day(calendar, day)
    return written


@task(task_name="quanzi.flush_word_hits", schedule=[{"cron": "* * * * *"}])
async def flush_word_hits(runtime: JobRuntime = FromWorker) -> int:
    """Move the sensitive words' hits counted in Redis into the word list."""
    return await word_hits.flush_hits(runtime.store)


@task(task_name="quanzi.score_retention", schedule=[{"cron": "30 3 * * *"}])
async def score_retention(runtime: JobRuntime = FromWorker) -> dict[str, int]:
    """Score every member's churn risk and segment (also queued by refreshRetentionSignals)."""
    return await retention.score_members(runtime.rules.calendar)


@task(task_name="quanzi.reconcile_counters", schedule=[{"cron": "0 4 * * *"}])
async def reconcile_counters() -> dict[str, int]:
    repaired = await counters.recount_all()
    if any(repaired.values()):
        log.warning("counters drifted and were repaired: %s", repaired)
    return repaired


@task(task_name="quanzi.forget_expired_sign_ins", schedule=[{"cron": "30 4 * * *"}])
async def forget_expired_sign_ins(runtime: JobRuntime = FromWorker) -> int:
    """Delete the refresh tokens expired longer ago than an access token lives."""
    return await auth.forget_expired_sign_ins(runtime.tokens)
