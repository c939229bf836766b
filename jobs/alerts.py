"""The alert detectors, every 5 minutes (and when an operator asks, runAlertChecks), and the
announcement of each alert they open to the WeCom group robot (QUANZI_ALERT_WEBHOOK). Only
this job announces: a request never waits for the robot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from domain import alert_checks, alerts
from domain.calendar import Calendar
from domain.models import Alert
from domain.ports import AlertPusher
from jobs.broker import task
from jobs.runtime import FromWorker, JobRuntime

log = logging.getLogger("quanzi.jobs.alerts")

# One more try after a failed push, this long after it.
RETRY_SECONDS = 1.0


async def announce(pusher: AlertPusher | None, opened: Sequence[Alert], calendar: Calendar) -> int:
    """Push each newly opened alert once (one retry when the push fails); return how many the
    robot took."""
    if pusher is None:
        return 0
    pushed = 0
    for alert in opened:
        content = alerts.webhook_markdown(alert, calendar)
        for attempt in range(2):
            if await pusher.push_markdown(content):
                pushed += 1
                break
            if attempt == 0:
                await asyncio.sleep(RETRY_SECONDS)
        else:
            log.warning("alert %s (%s) was not announced", alert.id, alert.kind)
    return pushed


@task(task_name="quanzi.run_alert_checks", schedule=[{"cron": "*/5 * * * *"}])
async def run_alert_checks(runtime: JobRuntime = FromWorker) -> dict[str, int]:
    run = await alert_checks.run_checks(runtime.rules)
    pushed = await announce(runtime.alert_pusher, run.opened, runtime.rules.calendar)
    if run.opened:
        log.warning("alerts opened: %s", ", ".join(a.kind for a in run.opened))
    return {"opened": len(run.opened), "resolved": len(run.resolved), "announced": pushed}
