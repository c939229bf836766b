"""Redis access for the domain: one client and the key prefix every Quanzi key starts with."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis


@dataclass(frozen=True)
class Store:
    redis: Redis
    prefix: str = "qz:"

    def key(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    async def ping(self) -> bool:
        return bool(await self.redis.ping())
