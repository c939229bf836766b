"""The job queue: taskiq over a Redis list, one broker per process, made by its composition
root (the API's and the worker's runtime, the scheduler).

Jobs are declared on taskiq's shared broker at import (no connection then, and it never
sends anything itself): a process enqueues through the broker its runtime holds, and the
worker finds the jobs by name. A failed job is retried up to three times with exponential
backoff and jitter: the retry waits in a Redis schedule source that the scheduler process
(`quanzi scheduler`) hands back to the queue when it is due."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from asyncpg import PostgresError
from prometheus_client import Counter, Histogram
from taskiq import (
    AsyncBroker,
    AsyncTaskiqDecoratedTask,
    AsyncTaskiqTask,
    SmartRetryMiddleware,
    TaskiqMessage,
    TaskiqMiddleware,
    TaskiqResult,
)
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq_redis import ListQueueBroker, ListRedisScheduleSource
from tortoise.exceptions import BaseORMException

from domain import job_runs

log = logging.getLogger("quanzi.jobs")
task = async_shared_broker.task
_P = ParamSpec("_P")
_R = TypeVar("_R")

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


class JobRunLog(TaskiqMiddleware):
    """Each run of a scheduled job (one with a schedule label, whoever queued it) is kept as
    its last run: start, duration, outcome (domain/job_runs.py). Wired here, every scheduled
    job records itself, and a new one cannot be forgotten."""

    async def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        job = self.broker.find_task(message.task_name)
        if job is None or not job.labels.get("schedule"):
            return
        seconds = float(result.execution_time)
        started = datetime.now(UTC) - timedelta(seconds=seconds)
        outcome = job_runs.JobOutcome.ERROR if result.is_err else job_runs.JobOutcome.OK
        error = repr(result.error) if result.is_err else ""
        try:
            await job_runs.record(message.task_name, started, seconds, outcome, error)
        except (OSError, BaseORMException, PostgresError) as exc:
            # The job ran; only its line on the console is stale.
            log.warning("the run of %s was not recorded: %s", message.task_name, exc)


def retry_source(redis_url: str, prefix: str) -> ListRedisScheduleSource:
    return ListRedisScheduleSource(redis_url, prefix=prefix + "retries")


def make_broker(redis_url: str, prefix: str) -> ListQueueBroker:
    """The queue under `prefix` in Redis, with job metrics and retries (not yet started)."""
    return ListQueueBroker(
        redis_url,
        queue_name=prefix + "jobs",
        # The worker waits on BRPOP for as long as the queue is empty: no read timeout.
        socket_timeout=None,
    ).with_middlewares(
        JobMetrics(),
        JobRunLog(),
        SmartRetryMiddleware(
            default_retry_count=3,
            default_retry_label=True,
            default_delay=5,
            use_jitter=True,
            use_delay_exponent=True,
            max_delay_exponent=300,
            schedule_source=retry_source(redis_url, prefix),
        ),
    )


async def enqueue(
    broker: AsyncBroker,
    job: AsyncTaskiqDecoratedTask[_P, _R],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> AsyncTaskiqTask[_R]:
    """Put a job on the queue of `broker`."""
    return await job.kicker().with_broker(broker).kiq(*args, **kwargs)
