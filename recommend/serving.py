"""Serving recommendations. A job precomputes each recently active member's ranked candidates
into Redis, and builds from them the member's RECOMMENDED list: what they have seen, wrote, or
can no longer see dropped, a share of fresh posts mixed in, filled up from HOT. Members the
model does not know are scored from their followed topics and circles (a dot product, no
training) and then HOT.

A request never builds a list: it pages through the member's stored one by position, and
where there is none yet it serves the HOT page at once and asks for one to be built
(`rebuild`, a job). Lists are built after training, at sign-in, on a miss, and again when a
session starts on one older than REFRESH_AFTER. Each build is a new list; the member's
pointer moves to it, and a session already paging through the old one goes on there
until it expires.

A list never changes, so a process holds each one it has read, and the member's pointer to
it, while Redis tracks them for it (adapters/tracking.py): a page then reads nothing from
Redis, and a new list is served as soon as the pointer moves."""

from __future__ import annotations

import time
import uuid
from array import array
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import numpy as np

from adapters import sql
from adapters.redis import Store
from adapters.tracking import TrackedKeys
from domain import hot, id_lists
from domain.auth import SignInCheck
from domain.errors import BadInput
from domain.models import PostStatus, User
from domain.pagination import PageSource, check_first, decode_offset_cursor
from recommend import dataset, registry
from recommend.model import Trained

LIST_TTL = 2 * 24 * 3600
FEED_LENGTH = 300
ACTIVE_DAYS = 7
BATCH = 512
# A built RECOMMENDED list is read for two hours (a session started on it pages on after a
# newer one replaced it); a session starting on one older than REFRESH_AFTER asks for a new
# one, at most once per member every BUILD_CLAIM seconds.
FEED_TTL = 2 * 3600
REFRESH_AFTER = 600
BUILD_CLAIM = 120
# Pointers and lists a process holds (adapters/tracking.py): a list is ~2.4 KB.
LISTS_HELD = 10_000


def _candidates_key(store: Store, version: str, user_id: int) -> str:
    return store.key("rec", version, user_id)


async def active_members() -> list[int]:
    """The members active in the last ACTIVE_DAYS days: those whose lists are kept ready."""
    rows = await sql.fetch(
        "SELECT DISTINCT user_id FROM member_activity WHERE day >= current_date - $1::int",
        ACTIVE_DAYS,
    )
    return [r["user_id"] for r in rows]


async def precompute(
    store: Store, version: str, trained: Trained, size: int, user_ids: list[int] | None = None
) -> int:
    """Rank every item for the known members active lately (or those given); return how
    many lists were written."""
    if user_ids is None:
        user_ids = await active_members()
    index = trained.user_index
    known = [u for u in user_ids if dataset.user_key(u) in index]
    if not known:
        return 0
    items = np.array([int(i[1:]) for i in trained.item_ids()])
    item_bias, item_repr = trained.model.get_item_representations(trained.item_features)
    _, user_repr = trained.model.get_user_representations(trained.user_features)
    written = 0
    for start in range(0, len(known), BATCH):
        batch = known[start : start + BATCH]
        positions = np.array([index[dataset.user_key(u)] for u in batch])
        scores = user_repr[positions] @ item_repr.T + item_bias
        top = np.argsort(-scores, axis=1)[:, :size]
        async with store.redis.pipeline(transaction=False) as pipe:
            for user_id, order in zip(batch, top, strict=True):
                key = _candidates_key(store, version, user_id)
                pipe.delete(key)
                pipe.rpush(key, *[str(p) for p in items[order]])
                pipe.expire(key, LIST_TTL)
            await pipe.execute()
        written += len(batch)
    return written


async def _ranked_ids(store: Store, user_id: int, explore_share: float) -> list[int]:
    """The member's feed order, built once per paging session."""
    candidates: list[int] = []
    loaded = await registry.current()
    if loaded is not None:
        row, trained = loaded
        stored = await store.redis.lrange(_candidates_key(store, row.version, user_id), 0, -1)
        candidates = [int(p) for p in stored]
        if not candidates and dataset.user_key(user_id) not in trained.user_index:
            features = (await dataset.user_features([user_id])).get(dataset.user_key(user_id), [])
            follows = [f for f in features if not f.startswith("level:")]
            if follows:  # cold start: what the member chose to follow, through item features
                scores = trained.scores_from_features(follows)
                items = trained.item_ids()
                candidates = [int(items[i][1:]) for i in np.argsort(-scores)[:FEED_LENGTH]]
    hot_ids = [
        int(p)
        for p in await store.redis.lrange(
            store.key("hot", "snap", await _hot_snapshot(store)), 0, FEED_LENGTH
        )
        if p != "-"
    ]
    fresh = [
        r["id"]
        for r in await sql.fetch_records(
            "SELECT id FROM posts WHERE status = $2 AND created_at > $1 "
            "ORDER BY created_at DESC LIMIT 50",
            datetime.now(UTC) - timedelta(days=1),
            PostStatus.PUBLISHED.value,
        )
    ]
    ordered: list[int] = []
    explore = iter(fresh)
    every = max(2, round(1 / explore_share)) if explore_share > 0 else 0
    for position, post_id in enumerate(dict.fromkeys(candidates + hot_ids)):
        if every and position % every == every - 1:
            ordered.extend(p for p in [next(explore, None)] if p is not None)
        ordered.append(post_id)
    ordered = list(dict.fromkeys(ordered + fresh))
    # Nothing seen, nothing of one's own, nothing that is no longer published.
    keep = await sql.fetch_records(
        "SELECT id FROM posts WHERE id = ANY($1::bigint[]) AND status = $3 "
        "AND author_id <> $2 AND NOT EXISTS (SELECT 1 FROM post_views v "
        "WHERE v.post_id = posts.id AND v.user_id = $2)",
        ordered,
        user_id,
        PostStatus.PUBLISHED.value,
    )
    allowed = {r["id"] for r in keep}
    return [p for p in ordered if p in allowed][:FEED_LENGTH]


async def _hot_snapshot(store: Store) -> str:
    return await hot.current_snapshot(store, "all")


def _feed_key(store: Store, user_id: int, token: str) -> str:
    return store.key("recfeed", user_id, token)


def _pointer_key(store: Store, user_id: int) -> str:
    """The member's current list: "<token>:<built at, unix seconds>"."""
    return store.key("recfeed", user_id, "current")


async def build_feed(store: Store, user_id: int, explore_share: float) -> int:
    """Build the member's RECOMMENDED list and make it their current one; return its length.
    The job's work (jobs/recommender.py), never a request's."""
    ids = await _ranked_ids(store, user_id, explore_share)
    token = uuid.uuid4().hex[:12]
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.rpush(_feed_key(store, user_id, token), *([str(i) for i in ids] or ["-"]))
        pipe.expire(_feed_key(store, user_id, token), FEED_TTL)
        pipe.set(_pointer_key(store, user_id), f"{token}:{int(time.time())}", ex=FEED_TTL)
        await pipe.execute()
    _held(store).changed([_pointer_key(store, user_id)])  # this process reads it at once
    return len(ids)


async def build_feeds(store: Store, user_ids: Collection[int], explore_share: float) -> int:
    """Build the lists of these members (after training: every active one)."""
    for user_id in user_ids:
        await build_feed(store, user_id, explore_share)
    return len(user_ids)


async def needs_feed(store: Store, user_id: int) -> bool:
    """Whether the member has no list, or one older than REFRESH_AFTER, and nobody asked for a
    new one lately (this call claims the asking)."""
    pointer = await store.redis.get(_pointer_key(store, user_id))
    if pointer is not None and time.time() - int(str(pointer).rsplit(":", 1)[1]) < REFRESH_AFTER:
        return False
    return await _claim_build(store, user_id)


async def _claim_build(store: Store, user_id: int) -> bool:
    # outside the tracked prefix: nobody holds it
    return await id_lists.claim_rebuild(store, store.key("recclaim", user_id), BUILD_CLAIM)


# A session's first list in one round trip: the member's pointer and the list it names, from
# its start to ARGV[2] (-1: all of it); "" when there is none. KEYS[1] the pointer; ARGV[1]
# the list keys' prefix.
_CURRENT_LIST = """
local pointer = redis.call('GET', KEYS[1])
if not pointer then return {''} end
local token = string.match(pointer, '^([^:]+):')
local list = redis.call('LRANGE', ARGV[1] .. token, 0, tonumber(ARGV[2]))
table.insert(list, 1, pointer)
return list
"""


def _held(store: Store) -> TrackedKeys:
    """The pointers and lists this process holds while Redis tracks them (a list never
    changes; a pointer moves when a new list is built)."""
    return store.tracked("recfeed", size=LISTS_HELD)


async def _first_window(
    store: Store, held: TrackedKeys, user_id: int, size: int
) -> tuple[str, array[int] | None]:
    """The member's pointer ("" without one) and the first size + 1 ids of the list it names
    (None when it is gone). Read whole and held when this process can hold it."""
    pointer_key = _pointer_key(store, user_id)
    pointer = held.get(pointer_key)
    if isinstance(pointer, str):
        items = held.get(_feed_key(store, user_id, pointer.split(":", 1)[0]))
        if isinstance(items, array):
            return pointer, items[: size + 1]
    whole, mark = held.can_hold(), held.mark()
    pointer, *stored = await store.redis.eval(
        _CURRENT_LIST, 1, pointer_key, store.key("recfeed", user_id, ""), -1 if whole else size
    )
    items = id_lists.ids_of(stored)
    if whole and pointer and items is not None:
        held.put(pointer_key, pointer, mark)
        held.put(_feed_key(store, user_id, pointer.split(":", 1)[0]), items, mark)
    return str(pointer), items[: size + 1] if items is not None else None


async def recommended_source(
    store: Store,
    viewer: User,
    *,
    first: int | None,
    after: str | None,
    cap: int,
    rebuild: Callable[[int], Awaitable[object]] | None = None,
    versions: bool = False,
    heads: bool = False,
    sign_in: SignInCheck | None = None,
) -> PageSource[Any]:
    """A page of the member's list (with `versions` and `heads`, read as
    domain.feeds.latest_source reads them), as read (domain.id_lists.readable_source). A
    session's first page reads their current list, asking `rebuild` for a new one when it is
    older than REFRESH_AFTER; without a list it is the HOT page (and its cursors page on
    through HOT) while `rebuild` builds one."""
    size = check_first(first, cap=cap)
    user_id = viewer.id
    held = _held(store)
    hot_source = partial(  # without a list: HOT, read as this page would be
        hot.hot_source, store, "all", viewer=viewer, first=size, cap=cap, sign_in=sign_in
    )
    if after:
        token, offset = decode_offset_cursor(after)
        if token.startswith("all:"):  # a session that started on HOT stays there
            return await hot_source(after=after, versions=versions, heads=heads)
        window = await id_lists.window(store, held, _feed_key(store, user_id, token), offset, size)
        if not window:
            raise BadInput("bad_cursor", field="after")  # the list expired: start over
    else:
        offset = 0
        pointer, window = await _first_window(store, held, user_id, size)
        if pointer and window is not None:
            token, built = pointer.rsplit(":", 1)
            stale = time.time() - int(built) >= REFRESH_AFTER
            if stale and rebuild is not None and await _claim_build(store, user_id):
                await rebuild(user_id)
        else:  # no list yet (or it expired): HOT now, the member's list soon
            if rebuild is not None and await _claim_build(store, user_id):
                await rebuild(user_id)
            return await hot_source(after=None, versions=versions, heads=heads)
    return await id_lists.readable_source(
        token, window, offset, size, viewer, versions=versions, heads=heads, sign_in=sign_in
    )
