"""Lists of post ids in Redis that never change once written (HOT snapshots, RECOMMENDED
lists; "-" alone is a list written empty), read a window at a time. Where this process can
hold what it reads (adapters/tracking.py), a list is read whole once and its windows are cut
from what is held; where it cannot, each window is read from Redis."""

from __future__ import annotations

from array import array
from typing import Any

from adapters.redis import Store
from adapters.tracking import TrackedKeys


def ids_of(stored: list[Any]) -> array[int] | None:
    """A stored list's ids, or None when it is gone (an empty list is no key in Redis)."""
    if not stored:
        return None
    return array("q", [int(p) for p in stored if p != "-"])


async def window(
    store: Store, held: TrackedKeys, key: str, offset: int, size: int
) -> array[int] | None:
    """size + 1 ids of the list at `key` from `offset` (the one more says whether a next page
    exists); None when the list is gone."""
    if not held.listening:  # nothing can be held: the window alone
        held.get(key)  # (which starts the listener, for the reads to come)
        return ids_of(await store.redis.lrange(key, offset, offset + size))

    async def whole() -> array[int] | None:
        return ids_of(await store.redis.lrange(key, 0, -1))

    items = await held.through(key, whole)
    return items[offset : offset + size + 1] if items is not None else None
