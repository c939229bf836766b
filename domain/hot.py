"""The HOT ranking: recent posts by engagement against age, in Lemmy's manner,
hot = log10(max(2, score + 2)) / (hours + 2)^1.8 with score = likes + comments + answers +
2 × shares (shareCount: one share per member, post and channel a day, see domain/shares.py).
Ranks are computed into numbered snapshots in Redis; a reader pages through one snapshot, so
a post never shows twice or goes missing while ranks move underneath.

When the window holds fewer posts than a snapshot takes (a quiet week, or a community
imported with only old posts), older posts follow by the same score without the window, so
HOT (and RECOMMENDED, which falls back on it) is never empty while published posts exist.

A scope's current snapshot is rebuilt by a job: every five minutes for "all" (the
scheduler), and for any scope when a reader finds its current one older than STALE_AFTER
(the first such reader in any process asks, once). Readers go on reading the current one
meanwhile: no request ranks posts while a snapshot exists, and a burst of readers never
ranks them once each. Only where a scope has none at all (its first reader, or half an
hour without a job) is one built on the request, once per process however many readers wait."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from adapters import sql
from adapters.flights import Flights
from adapters.redis import Store
from adapters.tracking import TrackedKeys
from domain import id_lists
from domain.auth import SignInCheck
from domain.errors import BadInput
from domain.models import PostStatus, User
from domain.pagination import PageSource, check_first, decode_offset_cursor

WINDOW_DAYS = 7  # older posts no longer move
SNAPSHOT_SIZE = 1000
SNAPSHOT_TTL = 3600  # a reader can page through a snapshot for an hour
FRESH_FOR = 300  # a new snapshot every five minutes (the scheduler's job)
# A reader finding the current snapshot older than this asks for a new one (the job had a
# minute past its five to do it), at most once every REBUILD_CLAIM seconds in any process...
STALE_AFTER = FRESH_FOR + 60
REBUILD_CLAIM = 60
# ...and readers start on it for up to half an hour, so that they can still page through it
# for as long again; past that the scope has no current snapshot until one is built.
CURRENT_TTL = SNAPSHOT_TTL // 2
SNAPSHOTS_HELD = 200  # current names and snapshots (~8 KB each) a process holds
_rankings: Flights[str] = Flights()  # the rankings under way in this process
# Asked to have a scope's snapshot rebuilt (a job's: api.feeds.rebuild_hot).
Rebuild = Callable[[str], Awaitable[object]]

_PUBLISHED = PostStatus.PUBLISHED.value
_HOT = """log(greatest(2, p.like_count + p.comment_count + p.answer_count + 2 * p.share_count + 2))
       / power(extract(epoch FROM ($1::timestamptz - p.created_at)) / 3600.0 + 2, 1.8)"""
# $1 now, $2 the window's days, $3 how many, $4 the published status, $5 a topic's id.
_RANK = f"""
SELECT p.id, {_HOT} AS hot
FROM posts p {{join}}
WHERE p.status = $4 AND p.created_at > $1::timestamptz - make_interval(days => $2)
  AND p.created_at <= $1::timestamptz {{where}}
ORDER BY hot DESC, p.id DESC LIMIT $3
"""
# Before the window: the newest OLDER_POOL older posts (a seek on the posts' or the topic's
# time index, however large the history) ranked by the same score. Age is a power and
# engagement a logarithm, so the best of the older posts are among the newest of them.
OLDER_POOL = 10 * SNAPSHOT_SIZE
_OLDER = f"""
SELECT p.id, {_HOT} AS hot
FROM (SELECT p.* FROM posts p {{join}}
      WHERE p.status = $4 AND {{newest}} <= $1::timestamptz - make_interval(days => $2) {{where}}
      ORDER BY {{newest}} DESC LIMIT {OLDER_POOL}) p
ORDER BY hot DESC, p.id DESC LIMIT $3
"""
_TOPIC = {"join": "JOIN post_topics pt ON pt.post_id = p.id", "where": "AND pt.topic_id = $5"}


def hot_rank(score: int, hours: float) -> float:
    """The same formula in Python (for tests and explanations)."""
    return math.log10(max(2, score + 2)) / (hours + 2) ** 1.8


def _current_key(store: Store, scope: str) -> str:
    return store.key("hot", scope, "current")


async def build_snapshot(store: Store, scope: str = "all", now: datetime | None = None) -> str:
    """Rank the recent posts of a scope ("all" or "topic:<id>") into a new snapshot."""
    now = now or datetime.now(UTC)
    rows = await _ranked(scope, _RANK, now, SNAPSHOT_SIZE)
    if len(rows) < SNAPSHOT_SIZE:  # older posts fill up, after every recent one
        rows += await _ranked(scope, _OLDER, now, SNAPSHOT_SIZE - len(rows))
    snapshot = f"{scope}:{uuid.uuid4().hex[:12]}"
    key = store.key("hot", "snap", snapshot)
    async with store.redis.pipeline(transaction=True) as pipe:
        if rows:
            pipe.rpush(key, *[str(r["id"]) for r in rows])
        else:
            pipe.rpush(key, "-")  # an empty snapshot is a snapshot too
        pipe.expire(key, SNAPSHOT_TTL)
        built = f"{snapshot}@{int(time.time())}"  # its name and when it was built
        pipe.set(_current_key(store, scope), built, ex=CURRENT_TTL)
        await pipe.execute()
    _held(store).changed([_current_key(store, scope)])  # this process reads it at once
    return snapshot


async def _ranked(scope: str, template: str, now: datetime, limit: int) -> list[dict]:
    if scope == "all":
        query = template.format(join="", where="", newest="p.created_at")
        return await sql.fetch(query, now, WINDOW_DAYS, limit, _PUBLISHED)
    topic_id = int(scope.split(":", 1)[1])
    query = template.format(**_TOPIC, newest="pt.post_created_at")
    return await sql.fetch(query, now, WINDOW_DAYS, limit, _PUBLISHED, topic_id)


def _held(store: Store) -> TrackedKeys:
    """The current snapshots' names and the snapshots this process holds while Redis tracks
    them (a snapshot never changes; a scope's current one does every FRESH_FOR seconds)."""
    return store.tracked("hot", size=SNAPSHOTS_HELD)


async def current_snapshot(store: Store, scope: str, rebuild: Rebuild | None = None) -> str:
    """The snapshot readers start from now. One older than STALE_AFTER is still read while
    `rebuild` (asked once, in any process) has a new one built; where there is none, it is
    built now, once in this process whoever else is waiting for it."""
    key = _current_key(store, scope)
    current = await _held(store).through(key, partial(store.redis.get, key))
    if not current:  # a burst of readers waits for one ranking rather than each ranking anew
        return await _rankings.once(key, partial(build_snapshot, store, scope))
    snapshot, at, built = str(current).partition("@")
    if not at:  # a name written before names carried their time: stale
        built = "0"
    if (
        time.time() - int(built) >= STALE_AFTER
        and rebuild is not None
        and await id_lists.claim_rebuild(store, store.key("hotclaim", scope), REBUILD_CLAIM)
    ):
        await rebuild(scope)
    return snapshot


async def hot_source(
    store: Store,
    scope: str,
    *,
    viewer: User | None,
    first: int | None,
    after: str | None,
    cap: int,
    versions: bool = False,
    heads: bool = False,
    rebuild: Rebuild | None = None,
    sign_in: SignInCheck | None = None,
) -> PageSource[Any]:
    """A page of a scope's HOT snapshot (with `versions` and `heads`, read as
    domain.feeds.latest_source reads them), as read (domain.id_lists.readable_source): its
    posts the viewer may read now. A first page asks `rebuild` for a new snapshot when the
    current one is stale (current_snapshot)."""
    size = check_first(first, cap=cap)
    if after:
        snapshot, offset = decode_offset_cursor(after)
        if not snapshot.startswith(scope + ":"):
            raise BadInput("bad_cursor", field="after")
    else:
        snapshot, offset = await current_snapshot(store, scope, rebuild), 0
    key = store.key("hot", "snap", snapshot)
    ids = await id_lists.window(store, _held(store), key, offset, size)
    if not ids and after:
        raise BadInput("bad_cursor", field="after")  # the snapshot expired: start over
    return await id_lists.readable_source(
        snapshot, ids or (), offset, size, viewer, versions=versions, heads=heads, sign_in=sign_in
    )
