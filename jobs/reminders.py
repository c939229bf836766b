"""Event reminders: every five minutes, members of events starting within the hour are told."""

from __future__ import annotations

from domain import events, notify
from jobs import state
from jobs.broker import task


@task(task_name="quanzi.remind_events", schedule=[{"cron": "*/5 * * * *"}])
async def remind_events() -> int:
    rt = state.runtime()
    with notify.collecting() as ids:
        reminded = await events.send_reminders()
    await notify.deliver(rt.store, ids, rt.send_subscribe)
    return reminded
