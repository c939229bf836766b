"""What happens behind a request, as tests watch it: a condition coming true, a key this
process holds dropped once Redis says it changed (adapters/tracking.py), the jobs queued."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from adapters.tracking import TrackedKeys
from quanzi.bootstrap import Runtime


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Until `condition` holds (5 s at most, then `what` fails the test)."""
    for _ in range(500):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(what)


async def until_dropped(held: TrackedKeys, key: str) -> None:
    """Until `held` no longer holds `key` (at once, when it never did)."""

    async def dropped() -> bool:
        return held.get(key) is None

    await until(dropped, f"{key} is still held")


async def queued(runtime: Runtime, task_name: str) -> list[list[object]]:
    """The arguments of each `task_name` job waiting in the API's queue, oldest first."""
    raw = await runtime.redis.lrange(runtime.settings.redis_prefix + "jobs", 0, -1)
    jobs = [json.loads(m) for m in reversed(raw)]
    return [j["args"] for j in jobs if j["task_name"] == task_name]
