"""The job queue: taskiq over a Redis list, created by each process's composition root.

Jobs are declared on taskiq's shared broker at import (no connection then); `make_broker`
points them at the real Redis queue when a process starts. A failed job is retried up to
three times with exponential backoff and jitter: the retry waits in a Redis schedule source
that the scheduler process (`quanzi scheduler`) hands back to the queue when it is due."""

from __future__ import annotations

from taskiq import SmartRetryMiddleware
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq_redis import ListQueueBroker, ListRedisScheduleSource

from quanzi.settings import Settings

task = async_shared_broker.task


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
        SmartRetryMiddleware(
            default_retry_count=3,
            default_retry_label=True,
            default_delay=5,
            use_jitter=True,
            use_delay_exponent=True,
            max_delay_exponent=300,
            schedule_source=retry_source(settings),
        )
    )
    async_shared_broker.default_broker(broker)
    return broker
