"""Scheduled publishing: every minute, the scheduled posts whose time has come go out."""

from __future__ import annotations

from domain import notifications, scheduling
from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime


@task(task_name="quanzi.publish_scheduled_posts", schedule=[{"cron": "* * * * *"}])
async def publish_scheduled_posts(runtime: JobRuntime = FromWorker) -> int:
    """Publish the due posts (at most a minute late); what they earn and tell (a first
    post's badge) is delivered after each commit, as a request's is."""
    with notifications.collecting() as ids:
        published = await scheduling.publish_due(runtime.screener, rules=runtime.rules)
    await notifications.deliver(runtime.store, ids, runtime.send_subscribe)
    return len(published)
