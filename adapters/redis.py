"""Redis access for the domain: one client and the key prefix every Quanzi key starts with."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis

from adapters.tracking import TrackedKeys


@dataclass(frozen=True)
class Store:
    redis: Redis
    prefix: str = "qz:"
    # Keys this process holds while Redis tracks them for it (adapters/tracking.py), by prefix.
    _tracked: dict[str, TrackedKeys] = field(default_factory=dict, compare=False, repr=False)

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    def tracked(self, *parts: object, size: int) -> TrackedKeys:
        """The keys under key(*parts, "") that this process holds (at most `size`)."""
        prefix = self.key(*parts, "")
        held = self._tracked.get(prefix)
        if held is None:
            held = self._tracked[prefix] = TrackedKeys(self.redis, prefix, size)
        return held

    def forget_tracked(self) -> None:
        """Drop every key held (tests, which empty Redis between them)."""
        for held in self._tracked.values():
            held.forget()

    async def stop_tracking(self) -> None:
        for held in self._tracked.values():
            await held.stop()
