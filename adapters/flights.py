"""Work under way in this process, by key: a caller asking for what is already under way
waits for it rather than doing it again (a burst of readers finding a cache empty ranks,
counts or loads once, not once each)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Generic, TypeVar

T = TypeVar("T")


class Flights(Generic[T]):
    def __init__(self) -> None:
        self._under_way: dict[str, asyncio.Future[T]] = {}

    async def once(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """What `work` gives, from the call under way for `key` or from a new one. A caller
        that goes away (cancelled) does not end the work the others wait for."""
        pending = self._under_way.get(key)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            pending = asyncio.ensure_future(work())
            self._under_way[key] = pending
            pending.add_done_callback(partial(self._done, key))
        return await asyncio.shield(pending)

    def _done(self, key: str, done: asyncio.Future[T]) -> None:
        if self._under_way.get(key) is done:
            del self._under_way[key]
