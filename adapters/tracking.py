"""Redis keys under one prefix, held in this process for as long as Redis says they are unchanged.

Server-assisted client-side caching (Redis's CLIENT TRACKING, broadcasting mode): Redis sends
the name of every key under the prefix that changes, expires or is evicted, whoever changed it,
to one connection of this process (RESP2, subscribed to __redis__:invalidate, the tracking
redirected to itself), and that key is dropped here as soon as the message is read.

- Values are held only while that connection listens. Until it has subscribed, after it
  failed, and until it has subscribed again, every read goes to Redis; each time it
  (re)subscribes, everything held is dropped, since what changed meanwhile went unheard.
- A value read before a change was heard is not held (`mark` then `put`): the change may be
  the one that made it old.
- A process that changes a key itself says so at once (`changed`), so it reads its own
  writes without waiting for the message.
- Whatever happens to the connection, nothing is held longer than MAX_AGE seconds.
- A Redis that refuses CLIENT TRACKING (some managed services) is read through, as before."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, cast

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError, RedisError, ResponseError

log = logging.getLogger("quanzi.tracking")
T = TypeVar("T")

MAX_AGE = 60.0
# An idle listener asks Redis for a PONG this often, and gives a connection up when the
# PONG has not come by the next time: a connection gone silent (a half-open TCP connection
# after a partition or a failover) is noticed within twice this.
PING_EVERY = 10.0
RECONNECT_MAX_SECONDS = 5.0
# Keys whose last change is remembered for `put` (past this, every read in flight is refused).
CHANGES_REMEMBERED = 10_000
INVALIDATE = "__redis__:invalidate"
_REPLY_SECONDS = 5.0


def _resp2(settings: dict[str, Any]) -> dict[str, Any]:
    """The store's connection settings for a RESP2 connection that waits as long as it must
    (without the maintenance notifications that only RESP3 carries), kept alive by TCP."""
    kept = {k: v for k, v in settings.items() if not k.startswith(("maint_", "orig_"))}
    if "path" not in kept:  # TCP, not a Unix socket
        kept["socket_keepalive"] = True
    return {
        **kept,
        "protocol": 2,
        "socket_timeout": None,
        # Its own PINGs only (redis-py's health check would swallow PONGs), and no retries: a
        # connection redis-py re-made by itself would be subscribed but not tracked.
        "health_check_interval": 0,
        "retry": None,
        "retry_on_error": [],
        "retry_on_timeout": False,
    }


class TrackedKeys:
    """Values of keys under `prefix`, at most `size` of them (least recently read go first)."""

    def __init__(self, redis: Redis, prefix: str, size: int) -> None:
        self.prefix = prefix
        # What CLIENT LIST calls the listening connection.
        self.client_name = "quanzi-tracking:" + "".join(c if c.isalnum() else "-" for c in prefix)
        self._redis = redis  # the store's client, for its connection settings
        self._size = size
        self._held: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._epoch = 0  # changes heard (or everything dropped) so far
        self._changed: dict[str, int] = {}  # key -> the epoch of its last change heard
        self._floor = 0  # a read marked before this epoch is never held
        self._listening = False
        self._refused = False
        self._stopped = False
        self._task: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        """Whether values read now may be held (the listener has subscribed)."""
        return self._listening

    def can_hold(self) -> bool:
        """Whether values read now may be held; when not, the listener starts (or is on its
        way) for the reads to come."""
        if not self._listening:
            self._start()
        return self._listening

    def get(self, key: str) -> object | None:
        """The value held for `key`, or None: then read Redis (and `put` what it said)."""
        if not self.can_hold():
            return None
        entry = self._held.get(key)
        if entry is None:
            return None
        held_at, value = entry
        if time.monotonic() - held_at > MAX_AGE:
            del self._held[key]
            return None
        self._held.move_to_end(key)
        return value

    def mark(self) -> int:
        """Taken before reading Redis, and given to `put` with what was read."""
        return self._epoch

    def put(self, key: str, value: object, mark: int) -> None:
        """Hold what Redis said of `key`, unless a change of it was heard since `mark`."""
        if not self._listening or mark < self._floor or self._changed.get(key, -1) > mark:
            return
        self._held[key] = (time.monotonic(), value)
        self._held.move_to_end(key)
        if len(self._held) > self._size:
            self._held.popitem(last=False)

    async def through(self, key: str, read: Callable[[], Awaitable[T | None]]) -> T | None:
        """The value held for `key`, or else what `read` (of Redis) answers, held if it may
        be (None, a key Redis has not, is never held)."""
        held = self.get(key)
        if held is not None:
            return cast(T, held)  # what a read of this key answered before
        mark = self.mark()
        value = await read()
        if value is not None:
            self.put(key, value, mark)
        return value

    def changed(self, keys: Iterable[str]) -> None:
        """Drop these keys (this process changed them, or Redis said they changed)."""
        self._epoch += 1
        for key in keys:
            self._held.pop(key, None)
            self._changed[key] = self._epoch
        if len(self._changed) > CHANGES_REMEMBERED:  # forgotten: refuse every read in flight
            self._changed.clear()
            self._floor = self._epoch

    def forget(self) -> None:
        """Drop everything held, and refuse every read already in flight."""
        self._held.clear()
        self._changed.clear()
        self._epoch += 1
        self._floor = self._epoch

    def _start(self) -> None:
        if self._refused or self._stopped:
            return
        loop = asyncio.get_running_loop()
        task = self._task
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self._task = loop.create_task(self._listen(), name=f"tracking {self.prefix}")

    async def stop(self) -> None:
        self._stopped = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _listen(self) -> None:
        delay = 0.1
        while True:
            try:
                await self._listen_once()
            except _Refused as exc:
                self._refused = True
                log.warning("Redis refuses client tracking, reading through: %s", exc)
                return
            except (RedisError, OSError) as exc:
                log.warning("tracking of %s lost Redis, reconnecting: %s", self.prefix, exc)
            except Exception:  # a bug here must not fail requests: they read through
                self._refused = True
                log.exception("tracking of %s failed, reading through", self.prefix)
                return
            finally:
                came_up, self._listening = self._listening, False
                self.forget()
            # Back off only while connections fail before they listen.
            delay = 0.1 if came_up else min(delay * 2, RECONNECT_MAX_SECONDS)
            await asyncio.sleep(delay)

    async def _listen_once(self) -> None:
        """Listen on one connection of its own, in RESP2 (invalidations come as pub/sub
        messages), until it fails."""
        pool = self._redis.connection_pool
        client = Redis(
            connection_pool=ConnectionPool(
                connection_class=pool.connection_class, **_resp2(pool.connection_kwargs)
            )
        )
        pubsub = client.pubsub()
        try:
            async with asyncio.timeout(_REPLY_SECONDS):
                await self._subscribe(pubsub)
            asked = False  # a PING is waiting for its PONG
            while True:
                message = await pubsub.get_message(timeout=PING_EVERY)
                if message is None:
                    if asked:
                        raise ConnectionError(f"no PONG in {PING_EVERY:.0f} s")
                    await pubsub.ping()
                    asked = True
                    continue
                asked = False
                if message["type"] == "subscribe":
                    self.forget()
                    self._listening = True
                elif message["type"] == "message":
                    keys = message["data"]
                    if keys is None:  # FLUSHDB, FLUSHALL: everything
                        self.forget()
                    else:
                        self.changed(keys if isinstance(keys, list) else [keys])
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()
            with contextlib.suppress(RedisError, OSError):
                await client.aclose()

    async def _subscribe(self, pubsub: PubSub) -> None:
        """Name the connection, track the prefix to it, subscribe it to the invalidations;
        _Refused when Redis refuses any of it."""
        await _ask(pubsub, "CLIENT", "SETNAME", self.client_name)
        own = await _ask(pubsub, "CLIENT", "ID")
        await _ask(
            pubsub, "CLIENT", "TRACKING", "ON", "REDIRECT", str(own), "BCAST", "PREFIX", self.prefix
        )
        await pubsub.subscribe(INVALIDATE)


async def _ask(pubsub: PubSub, *command: str) -> object:
    """A command's reply on a connection that is not subscribed yet."""
    await pubsub.execute_command(*command)
    try:
        reply = await pubsub.parse_response(block=True)
    except ResponseError as exc:
        raise _Refused(exc) from exc
    if isinstance(reply, ResponseError):
        raise _Refused(reply)
    return reply


class _Refused(Exception):
    """Redis refused a command the tracking needs (no CLIENT TRACKING, an ACL without it)."""
