"""Trending topics: a time-decayed heat, gated by velocity, kept in a Redis sorted set.

Heat: every post (5), share (4; one per member, post and channel a day, as shareCount counts
them), comment (3) and like (1) in a topic over the last 48 hours, each weighted by
0.5^(age / half-life). Velocity: the weight of the last 24 hours against the
topic's daily average over the 7 days before, smoothed and capped (×0.5 to ×3). A topic that
is always big keeps a factor near 1; one that is suddenly talked about gets up to 3."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import cast

from adapters import sql
from adapters.flights import Flights
from adapters.redis import Store
from domain.calendar import DEFAULT_TIMEZONE, Calendar
from domain.circles import readable_by_all_sql
from domain.models import PostStatus, Topic

HALF_LIFE_HOURS = 6.0
HEAT_WINDOW_HOURS = 48
BASELINE_DAYS = 7
SMOOTHING = 5.0
VELOCITY_MIN, VELOCITY_MAX = 0.5, 3.0
KEEP = 200  # topics kept in the board
DEFAULT_CALENDAR = Calendar(DEFAULT_TIMEZONE)

# The board is one for every reader, signed out included: only what every reader may read
# counts, a published post in no circle closed to anyone (domain.circles.readable_by_all_sql).
# A post hidden, rejected or deleted since takes its shares, comments and likes along.
_SHOWN = f"p.status = $5 AND {readable_by_all_sql('p')}"
_EVENTS = f"""
WITH ev AS (
  SELECT pt.topic_id, p.created_at AS at, 5.0 AS w
    FROM post_topics pt JOIN posts p ON p.id = pt.post_id
    WHERE {_SHOWN} AND p.created_at > $1::timestamptz - interval '8 days'
      AND p.created_at <= $1::timestamptz
  UNION ALL
  SELECT pt.topic_id, s.created_at, 4.0 FROM shares s JOIN post_topics pt ON pt.post_id = s.post_id
    JOIN posts p ON p.id = s.post_id
    WHERE s.counted AND {_SHOWN}
      AND s.created_at > $1::timestamptz - interval '8 days' AND s.created_at <= $1::timestamptz
  UNION ALL
  SELECT pt.topic_id, c.created_at, 3.0
    FROM comments c JOIN post_topics pt ON pt.post_id = c.post_id JOIN posts p ON p.id = c.post_id
    WHERE c.status = $5 AND {_SHOWN} AND c.created_at > $1::timestamptz - interval '8 days'
      AND c.created_at <= $1::timestamptz
  UNION ALL
  SELECT pt.topic_id, l.created_at, 1.0
    FROM post_likes l JOIN post_topics pt ON pt.post_id = l.post_id JOIN posts p ON p.id = l.post_id
    WHERE {_SHOWN}
      AND l.created_at > $1::timestamptz - interval '8 days' AND l.created_at <= $1::timestamptz
)
SELECT topic_id,
  coalesce(sum(w * power(0.5, extract(epoch FROM ($1::timestamptz - at)) / 3600.0 / $2))
           FILTER (WHERE at > $1::timestamptz - make_interval(hours => $3)), 0) AS heat,
  coalesce(sum(w) FILTER (WHERE at > $1::timestamptz - interval '1 day'), 0) AS recent,
  coalesce(sum(w) FILTER (WHERE at <= $1::timestamptz - interval '1 day'), 0) / $4 AS baseline
FROM ev GROUP BY topic_id
"""


@dataclass(frozen=True)
class TopicHeat:
    topic_id: int
    heat: float
    velocity: float

    @property
    def score(self) -> float:
        return round(self.heat * self.velocity, 4)


def velocity(recent: float, baseline: float) -> float:
    factor = (recent + SMOOTHING) / (baseline + SMOOTHING)
    return max(VELOCITY_MIN, min(VELOCITY_MAX, factor))


async def compute(now: datetime | None = None) -> list[TopicHeat]:
    now = now or datetime.now(UTC)
    rows = await sql.fetch(
        _EVENTS,
        now,
        HALF_LIFE_HOURS,
        HEAT_WINDOW_HOURS,
        float(BASELINE_DAYS),
        PostStatus.PUBLISHED.value,  # comments say it the same way
    )
    heats = [
        TopicHeat(
            r["topic_id"], float(r["heat"]), velocity(float(r["recent"]), float(r["baseline"]))
        )
        for r in rows
        if float(r["heat"]) > 0
    ]
    return sorted(heats, key=lambda h: h.score, reverse=True)[:KEEP]


def _key(store: Store) -> str:
    return store.key("trending", "topics")


def _ranks_key(store: Store, day: date) -> str:
    """Each topic's rank on the board as a day's last refresh left it (topic id → rank)."""
    return store.key("trending", "ranks", day.isoformat())


RANKS_KEPT = 3 * 24 * 3600  # seconds: yesterday's ranks are read all day today
_EMPTY = "-"  # the one member of a board with no topic on it
# Readers finding no board wait for one computation rather than each computing it.
_computing: Flights[int] = Flights()


async def refresh(
    store: Store, now: datetime | None = None, *, calendar: Calendar = DEFAULT_CALENDAR
) -> int:
    """Recompute the board and swap it in atomically, and keep its ranks as the day's (the
    community's calendar): tomorrow's rank changes count from the day's last board. Return
    how many topics are on it."""
    now = now or datetime.now(UTC)
    heats = await compute(now)
    staging = _key(store) + ":next"
    ranks = _ranks_key(store, calendar.today(now))
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.delete(staging)
        pipe.delete(ranks)
        if heats:
            pipe.zadd(staging, {str(h.topic_id): h.score for h in heats})
            pipe.rename(staging, _key(store))
            pipe.hset(ranks, mapping={str(h.topic_id): i + 1 for i, h in enumerate(heats)})
        else:  # a board with nothing on it is a board too: readers do not compute it again
            pipe.delete(_key(store))
            pipe.zadd(_key(store), {_EMPTY: 0})
            pipe.hset(ranks, _EMPTY, 0)  # the day had a board, with nothing on it
        pipe.expire(ranks, RANKS_KEPT)
        await pipe.execute()
    return len(heats)


@dataclass(frozen=True)
class Trending:
    rank: int
    heat: float
    topic: Topic
    rank_change: int | None = None  # rank yesterday − rank now; None: not on it yesterday


async def top(store: Store, first: int, *, calendar: Calendar = DEFAULT_CALENDAR) -> list[Trending]:
    """The board's first topics, each with how many places it rose since yesterday's last
    board (negative: fell)."""
    if not await store.redis.exists(_key(store)):  # never computed, or Redis lost it
        await _computing.once(_key(store), partial(refresh, store, calendar=calendar))
    board = cast(
        list[tuple[str, float]],
        await store.redis.zrevrange(_key(store), 0, first - 1, withscores=True),
    )
    board = [(member, score) for member, score in board if member != _EMPTY]
    ids = [int(member) for member, _ in board]
    topics = {t.id: t for t in await Topic.filter(id__in=ids)}
    ranked = [(topics[int(m)], float(s)) for m, s in board if int(m) in topics]
    yesterday = calendar.today() - timedelta(days=1)
    before = (
        await store.redis.hmget(_ranks_key(store, yesterday), [str(t.id) for t, _ in ranked])
        if ranked
        else []
    )
    return [
        Trending(
            rank=i + 1,
            heat=s,
            topic=t,
            rank_change=int(old) - (i + 1) if old is not None else None,
        )
        for i, ((t, s), old) in enumerate(zip(ranked, before, strict=True))
    ]


async def heat_of(store: Store, topic_ids: list[int]) -> list[float]:
    if not topic_ids:
        return []
    scores = await store.redis.zmscore(_key(store), [str(i) for i in topic_ids])
    return [float(s) if s is not None else 0.0 for s in scores]
