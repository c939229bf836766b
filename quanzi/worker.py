"""`quanzi worker` and `quanzi scheduler`: the composition roots of the job processes.

The worker has one broker. Its start-up event builds the runtime (the same services the API
has) into taskiq's state, where jobs receive it by dependency injection (jobs/runtime.py);
its shutdown event stops it."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client import start_http_server
from taskiq import TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.api import run_receiver_task, run_scheduler_task
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq.schedule_sources import LabelScheduleSource

from jobs.broker import make_broker, retry_source
from jobs.registry import JOB_MODULES
from quanzi.bootstrap import start_runtime, stop_runtime
from quanzi.settings import Settings

# Imported so that taskiq knows every job by name (and the scheduler their schedules).
__all__ = ["JOB_MODULES", "run_scheduler", "run_worker"]


async def run_scheduler(settings: Settings) -> None:
    """The one scheduler process: kicks scheduled jobs (reminders...) onto the queue."""
    redis_url, prefix = settings.redis_url or "", settings.redis_prefix
    broker = make_broker(redis_url, prefix)
    await broker.startup()
    try:
        # The jobs (and their schedules) are declared on the shared broker; the scheduler
        # sends them by name through the real one.
        sources = [LabelScheduleSource(async_shared_broker), retry_source(redis_url, prefix)]
        await run_scheduler_task(TaskiqScheduler(broker, sources))
    finally:
        await broker.shutdown()


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    broker = make_broker(settings.redis_url or "", settings.redis_prefix)
    broker.is_worker_process = True

    async def start(state: TaskiqState) -> None:
        # The runtime enqueues (follow-up jobs, subscribe messages) through this same broker.
        state.runtime = await start_runtime(settings, broker=broker)

    async def finish(state: TaskiqState) -> None:
        await stop_runtime(state.runtime)
        del state.runtime

    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, start)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, finish)
    await broker.startup()
    if settings.worker_metrics_port:
        # Job durations and outcomes (jobs/broker.py) for Prometheus to scrape.
        start_http_server(settings.worker_metrics_port)
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
