"""Event reminders: every five minutes, members of events starting within the hour are told."""

from __future__ import annotations

from domain import events, notifications
from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime


@task(task_name="quanzi.remind_events", schedule=[{"cron": "*/5 * * * *"}])
async def remind_events(runtime: JobRuntime = FromWorker) -> int:
    with notifications.collecting() as ids:
        reminded = await events.send_reminders()
    await notifications.deliver(runtime.store, ids, runtime.send_subscribe)
    return reminded
