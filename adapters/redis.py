"""Redis access for the domain: one client and the key prefix every Quanzi key starts with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from redis.asyncio import Redis

from adapters.tracking import TrackedKeys


@dataclass(frozen=True)
class Store:
    redis: Redis
    prefix: str = "qz:"
    # Keys this process holds while Redis tracks them for it (adapters/tracking.py), by prefix
    # and event loop: a listener hears changes for the loop it runs in.
    _tracked: dict[tuple[str, asyncio.AbstractEventLoop], TrackedKeys] = field(
        default_factory=dict, compare=False, repr=False
    )

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    def tracked(self, *parts: object, size: int) -> TrackedKeys:
        """The keys under key(*parts, "") that this process holds (at most `size`)."""
        at = (self.key(*parts, ""), asyncio.get_running_loop())
        held = self._tracked.get(at)
        if held is None:
            for gone in [k for k in self._tracked if k[1].is_closed()]:
                del self._tracked[gone]
            held = self._tracked[at] = TrackedKeys(self.redis, at[0], size)
        return held

    def forget_tracked(self) -> None:
        """Drop every key held (tests, which empty Redis between them)."""
        for held in self._tracked.values():
            held.forget()

    async def stop_tracking(self) -> None:
        """Stop this loop's listeners."""
        loop = asyncio.get_running_loop()
        for (_, in_loop), held in list(self._tracked.items()):
            if in_loop is loop:
                await held.stop()
