"""One Redis pub/sub connection per process for every live `notificationAdded`.

A connection per subscription let one member hold the whole Redis pool (and with it
/healthz, HOT, leaderboards and the rate limits). Here one task listens to every member's
channel by pattern and hands each id to the in-memory queues of that member's listeners;
listeners are capped per socket and per member. The task reconnects after a Redis outage
(what was published meanwhile stays in the inbox; only its live push is lost)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from redis.exceptions import RedisError

from domain.errors import RateLimited
from quanzi.bootstrap import RedisStore

log = logging.getLogger("quanzi.notification_hub")

# Ids waiting for a slow listener; past this the oldest live pushes are dropped (the inbox
# keeps them), so a socket that stops reading cannot grow the process.
QUEUE_MAX = 100
RECONNECT_MAX_SECONDS = 5.0
READY_WAIT_SECONDS = 2.0


@dataclass(eq=False)
class Listener:
    member_id: int
    socket: object
    queue: asyncio.Queue[int] = field(default_factory=lambda: asyncio.Queue(QUEUE_MAX))

    def put(self, notification_id: int) -> None:
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(notification_id)


class NotificationHub:
    def __init__(self, *, per_socket: int, per_member: int) -> None:
        self.per_socket = per_socket
        self.per_member = per_member
        self._members: dict[int, set[Listener]] = {}
        self._sockets: dict[int, int] = {}  # id(socket) -> listeners
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._prefix = ""

    @property
    def listeners(self) -> int:
        return sum(len(group) for group in self._members.values())

    def listening(self, member_id: int) -> int:
        """How many of the member's listeners would be handed a notification published now."""
        return len(self._members.get(member_id, ())) if self._ready.is_set() else 0

    @contextlib.asynccontextmanager
    async def listen(
        self, store: RedisStore, member_id: int, socket: object
    ) -> AsyncIterator[asyncio.Queue[int]]:
        """A queue of the ids of the member's new notifications while the block runs;
        RATE_LIMITED when the socket or the member already has as many as allowed."""
        if self._sockets.get(id(socket), 0) >= self.per_socket:
            raise RateLimited("too_many_subscriptions", max=self.per_socket)
        if len(self._members.get(member_id, ())) >= self.per_member:
            raise RateLimited("too_many_subscriptions", max=self.per_member)
        group = self._members.setdefault(member_id, set())
        listener = Listener(member_id, socket)
        group.add(listener)
        self._sockets[id(socket)] = self._sockets.get(id(socket), 0) + 1
        try:
            self._start(store)
            with contextlib.suppress(TimeoutError):  # Redis down: it listens once back
                await asyncio.wait_for(self._ready.wait(), READY_WAIT_SECONDS)
            yield listener.queue
        finally:
            group.discard(listener)
            if not group:
                self._members.pop(member_id, None)
            left = self._sockets.get(id(socket), 1) - 1
            if left:
                self._sockets[id(socket)] = left
            else:
                self._sockets.pop(id(socket), None)

    def _start(self, store: RedisStore) -> None:
        if self._task is None or self._task.done():
            self._prefix = store.key("notify", "")  # notifications.channel without the member
            self._task = asyncio.create_task(self._run(store), name="notification-hub")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, store: RedisStore) -> None:
        pattern = _glob_escape(self._prefix) + "*"
        delay = 0.1
        while True:
            pubsub = store.redis.pubsub()
            try:
                await pubsub.psubscribe(pattern)
                self._ready.set()
                delay = 0.1
                while True:
                    message = await pubsub.get_message(timeout=10)
                    if message is not None and message["type"] == "pmessage":
                        self._deliver(message["channel"], message["data"])
            except (RedisError, OSError) as exc:
                self._ready.clear()
                log.warning("notification hub lost Redis, reconnecting: %s", exc)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _deliver(self, channel: str, data: str) -> None:
        try:
            member_id, notification_id = int(channel[len(self._prefix) :]), int(data)
        except ValueError:
            return
        for listener in self._members.get(member_id, ()):
            listener.put(notification_id)


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
