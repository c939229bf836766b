"""Lists of post ids in Redis that never change once written (HOT snapshots, RECOMMENDED
lists; "-" alone is a list written empty), read a window at a time. Where this process can
hold what it reads (adapters/tracking.py), a list is read whole once and its windows are cut
from what is held; where it cannot, each window is read from Redis. A window becomes a page
of the posts in it the viewer may read now, with cursors by position in the list. A list
grown stale is read on while a job builds the next, asked for once (claim_rebuild)."""

from __future__ import annotations

import time
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from adapters.redis import Store
from adapters.tracking import TrackedKeys
from domain import reads
from domain.auth import SignInCheck
from domain.models import User
from domain.pagination import Page, PageSource, encode_cursor

# When this process last asked Redis to claim a list's rebuild: a claim lasts as long as its
# caller says, so asking again sooner is a round trip per page for nothing (every page read
# from a stale list, until the job has built the new one).
_asked: dict[str, float] = {}


def forget_claims() -> None:
    """Forget the claims asked (tests, which empty Redis between them)."""
    _asked.clear()


async def claim_rebuild(store: Store, key: str, seconds: int) -> bool:
    """Whether this caller is the one to have a stale list rebuilt: the first to ask in any
    process within `seconds` (a claim at `key`, outside every tracked prefix)."""
    now = time.monotonic()
    if now - _asked.get(key, -seconds) < seconds:
        return False
    if len(_asked) >= 100_000:
        _asked.clear()
    _asked[key] = now
    return bool(await store.redis.set(key, 1, nx=True, ex=seconds))


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
    if not held.can_hold():  # the window alone
        return ids_of(await store.redis.lrange(key, offset, offset + size))

    async def whole() -> array[int] | None:
        return ids_of(await store.redis.lrange(key, 0, -1))

    items = await held.through(key, whole)
    return items[offset : offset + size + 1] if items is not None else None


async def readable_source(
    name: str,
    window: Sequence[int],
    offset: int,
    size: int,
    viewer: User | None,
    *,
    versions: bool,
    heads: bool,
    sign_in: SignInCheck | None = None,
) -> PageSource[Any]:
    """The page of `window`, size + 1 ids of the list `name` from `offset` (the one more says
    whether a next page exists): its posts the viewer may read now. Lists are minutes old: a
    post removed or hidden since, or in a circle now closed to the viewer, is left out here
    (domain.reads.readable_rows). With heads, its content is the list's name, the window and
    the rows read; the statement also confirms `sign_in` (domain.auth.read_confirming)."""
    shown = window[:size]
    rows = await reads.readable_rows(shown, viewer, versions=versions, heads=heads, sign_in=sign_in)

    def make() -> Page[Any]:
        posts, card_versions = reads.readable_posts(rows, versions=versions, heads=heads)
        kept = [(i, offset + n + 1) for n, i in enumerate(shown) if i in posts]
        has_next = len(window) > size
        # The next page starts past the whole window, whatever was left out at its end: a
        # page whose every post was removed since has no edge to page on from, yet more may
        # follow.
        last = offset + len(shown)
        return Page(
            items=[posts[i] for i, _ in kept],
            cursors=[_cursor(name, position) for _, position in kept],
            has_next=has_next,
            versions=card_versions,
            next_after=(
                _cursor(name, last)
                if has_next and size > 0 and (not kept or kept[-1][1] != last)
                else None  # (`first: 0` asks for no edge and no cursor to page on from)
            ),
        )

    content = (
        (name, offset, size, tuple(window), reads.rows_key(rows)) if heads and versions else None
    )
    return PageSource(content, make)


# A list's cursors, the same text for every page of it (a list never changes: a new one has
# a name of its own).
@lru_cache(maxsize=100_000)
def _cursor(name: str, position: int) -> str:
    return encode_cursor([name, position])
