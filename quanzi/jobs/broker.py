"""The job queue: taskiq over a Redis list, created by each process's composition root.

Jobs are declared on taskiq's shared broker at import (no connection then); `make_broker`
points them at the real Redis queue when a process starts."""

from __future__ import annotations

from taskiq import SimpleRetryMiddleware
from taskiq.brokers.shared_broker import async_shared_broker
from taskiq_redis import ListQueueBroker

from quanzi.settings import Settings

task = async_shared_broker.task


def make_broker(settings: Settings) -> ListQueueBroker:
    broker = ListQueueBroker(
        settings.redis_url or "",
        queue_name=settings.redis_prefix + "jobs",
        # The worker waits on BRPOP for as long as the queue is empty: no read timeout.
        socket_timeout=None,
    ).with_middlewares(SimpleRetryMiddleware(default_retry_count=3))
    async_shared_broker.default_broker(broker)
    return broker
