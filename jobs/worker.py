"""`quanzi worker`: runs the job queue with the same runtime the API has."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import start_http_server
from taskiq import TaskiqScheduler
from taskiq.api import run_receiver_task, run_scheduler_task
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq.schedule_sources import LabelScheduleSource

from jobs import (  # noqa: F401 - registers the jobs
    community,
    messages,
    recommender,
    reminders,
    state,
)
from jobs.broker import make_broker, retry_source
from quanzi.bootstrap import start_runtime, stop_runtime
from quanzi.settings import Settings


async def run_scheduler(settings: Settings) -> None:
    """The one scheduler process: kicks scheduled jobs (reminders...) onto the queue."""
    broker = make_broker(settings)
    await broker.startup()
    try:
        # The jobs (and their schedules) are declared on the shared broker; the scheduler
        # sends them by name through the real one.
        sources = [LabelScheduleSource(async_shared_broker), retry_source(settings)]
        await run_scheduler_task(TaskiqScheduler(broker, sources))
    finally:
        await broker.shutdown()


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    runtime = await start_runtime(settings)
    state.set_runtime(runtime)
    if settings.worker_metrics_port:
        # Job durations and outcomes (jobs/broker.py) for Prometheus to scrape.
        start_http_server(settings.worker_metrics_port)
    broker = make_broker(settings)
    await broker.startup()
    receiver = asyncio.create_task(run_receiver_task(broker, max_async_tasks=20))
    try:
        if stop is None:
            await receiver
        else:
            await stop.wait()
    finally:
        receiver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await receiver
        await broker.shutdown()
        state.set_runtime(None)
        await stop_runtime(runtime)
