"""Leaderboards of points earned this week, this month and ever, served from Redis sorted
sets ranked from the ledger. A board older than FRESH_FOR is ranked again by the first reader
to find it so, in any process, while the others read it as it is; one Redis does not have
(its first reader, or a lost Redis) is ranked once per process however many readers wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import partial
from typing import cast

from adapters import sql
from adapters.flights import Flights
from adapters.redis import Store
from domain.calendar import Calendar
from domain.models import User

# Moving points between members' pockets is not earning them.
_NOT_EARNED = ("BOUNTY_ESCROW", "BOUNTY_REFUND")
FRESH_FOR = 30  # seconds a board is served before it is ranked again from the ledger
KEPT_FOR = 600  # seconds a board is kept for the readers who come while it is ranked again


class Period(StrEnum):
    WEEK = "WEEK"
    MONTH = "MONTH"
    ALL = "ALL"


@dataclass(frozen=True)
class Standing:
    rank: int
    points: int
    user: User


def period_start(period: Period, day: date) -> date | None:
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return None


async def _rebuild(store: Store, key: str, start: date | None) -> None:
    rows = await sql.fetch(
        "SELECT user_id, sum(amount) AS earned FROM points_entries "
        "WHERE ($1::date IS NULL OR day >= $1) AND reason <> ALL($2::text[]) "
        "GROUP BY user_id HAVING sum(amount) > 0",
        start,
        list(_NOT_EARNED),
    )
    async with store.redis.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        if rows:
            pipe.zadd(key, {str(r["user_id"]): int(r["earned"]) for r in rows})
        else:
            pipe.zadd(key, {"-": 0})  # an empty board is a board too
        pipe.expire(key, KEPT_FOR)
        pipe.set(_fresh_key(key), 1, ex=FRESH_FOR)
        await pipe.execute()


def _fresh_key(board: str) -> str:
    return f"{board}:fresh"


# A burst of readers finding no board waits for one ranking rather than each ranking anew.
_rankings: Flights[None] = Flights()


async def leaderboard(
    store: Store, calendar: Calendar, period: Period, first: int
) -> list[Standing]:
    """The top `first` earners of the period (weeks start on Monday, community time)."""
    day = calendar.today()
    start = period_start(period, day)
    key = store.key("leaderboard", period.value, start.isoformat() if start else "all")
    async with store.redis.pipeline(transaction=False) as pipe:
        pipe.exists(key)
        pipe.set(_fresh_key(key), 1, nx=True, ex=FRESH_FOR)  # stale: this reader ranks it
        exists, stale = await pipe.execute()
    if not exists:
        await _rankings.once(key, partial(_rebuild, store, key, start))
    elif stale:
        await _rebuild(store, key, start)
    top = cast(list[tuple[str, float]], await store.redis.zrevrange(key, 0, first, withscores=True))
    ranked = [(int(member), int(score)) for member, score in top if member != "-"][:first]
    users = {u.id: u for u in await User.filter(id__in=[uid for uid, _ in ranked])}
    return [
        Standing(rank=i + 1, points=points, user=users[uid])
        for i, (uid, points) in enumerate(ranked)
        if uid in users
    ]
