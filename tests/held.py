"""Waiting for this process to hear from Redis that a key it holds changed
(adapters/tracking.py): a write by another connection reaches it a moment later."""

from __future__ import annotations

import asyncio

from adapters.tracking import TrackedKeys


async def until_dropped(held: TrackedKeys, key: str) -> None:
    """Until `held` no longer holds `key` (at once, when it never did)."""
    for _ in range(200):
        if held.get(key) is None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} is still held")
