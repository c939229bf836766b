"""The job queue: taskiq over a Redis list, created by each process's composition root.

Jobs are declared on taskiq's shared broker at import (no connection then); `make_broker`
points them at the real Redis queue when a process starts. A failed job is retried up to
three times with exponential backoff and jitter: the retry waits in a Redis schedule source
that the scheduler process (`quanzi scheduler`) hands back to the queue when it is due."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram
from taskiq import SmartRetryMiddleware, TaskiqMessage, TaskiqMiddleware, TaskiqResult
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq_redis import ListQueueBroker, ListRedisScheduleSource

from quanzi.settings import Settings

task = async_shared_broker.task

JOB_DURATION = Histogram(
    "quanzi_job_duration_seconds",
    "Time a background job ran",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0),
)
JOB_RUNS = Counter("quanzi_job_runs_total", "Background job runs by outcome", ["job", "outcome"])


class JobMetrics(TaskiqMiddleware):
    """Each finished job's duration and outcome, for the worker's /metrics."""

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        JOB_DURATION.labels(message.task_name).observe(result.execution_time)
        JOB_RUNS.labels(message.task_name, "error" if result.is_err else "ok").inc()


def retry_source(settings: Settings) -> ListRedisScheduleSource:
    return ListRedisScheduleSource(
        settings.redis_url or "", prefix=settings.redis_prefix + "retries"
    )


def make_broker(settings: Settings) -> ListQueueBroker:
    broker = ListQueueBroker(
        settings.redis_url or "",
        queue_name=settings.redis_prefix + "jobs",
        # The worker waits on BRPOP for as long as the queue is empty: no read timeout.
        socket_timeout=None,
    ).with_middlewares(
        JobMetrics(),
        SmartRetryMiddleware(
            default_retry_count=3,
            default_retry_label=True,
            default_delay=5,
            use_jitter=True,
            use_delay_exponent=True,
            max_delay_exponent=300,
            schedule_source=retry_source(settings),
        ),
    )
    async_shared_broker.default_broker(broker)
    return broker
