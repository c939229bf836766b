"""The points ledger: awards, daily caps, withdrawals, bounties' escrow; levels and badges.

Built like money. Every change is one ledger row with the balance after it, written in the
transaction of the action that earns it, under the member's row lock, and keyed so that a
retried action is awarded once. A member's points always equal the sum of their ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.levels import DEFAULT_THRESHOLDS
from domain.models import PointsReason


@dataclass(frozen=True)
class PointsRules:
    """Operators change these numbers through settings."""

    timezone: str = "Asia/Shanghai"
    post: int = 5
    post_daily: int = 5
    reply: int = 2
    reply_daily: int = 10
    like_received: int = 1
    like_received_daily: int = 50
    accepted_answer: int = 15
    featured: int = 20
    checkin: int = 2
    checkin_streak_bonus: int = 5
    checkin_streak_days: int = 7
    invite: int = 20
    bounty_max: int = 10_000
    level_thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS

    def daily_cap(self, reason: PointsReason) -> tuple[int, tuple[PointsReason, ...]] | None:
        """(awards allowed a day, reasons sharing that cap) for a reason, None when uncapped."""
        if reason is PointsReason.POST:
            return self.post_daily, (PointsReason.POST,)
        if reason in (PointsReason.COMMENT, PointsReason.ANSWER):
            return self.reply_daily, (PointsReason.COMMENT, PointsReason.ANSWER)
        if reason is PointsReason.LIKE_RECEIVED:
            return self.like_received_daily, (PointsReason.LIKE_RECEIVED,)
        return None


_rules = PointsRules()


def configure(rules: PointsRules) -> None:
    """Set this process's rules (the composition root does, from settings)."""
    global _rules
    _rules = rules


def rules() -> PointsRules:
    return _rules


def today(now: datetime | None = None) -> date:
    """The community's calendar day (Asia/Shanghai by default)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(_rules.timezone)).date()


@dataclass(frozen=True)
class Award:
    amount: int
    balance_after: int


async def award(
    user_id: int,
    amount: int,
    reason: PointsReason,
    key: str,
    conn: BaseDBAsyncClient,
    *,
    target: tuple[str, int] | None = None,
    day: date | None = None,
) -> Award | None:
    """Add `amount` to a member's points once per key, within the reason's daily cap.
    None when the key was already used or the cap is reached. Must run in the transaction of
    the action that earns it."""
    if amount == 0:
        return None
    day = day or today()
    # The member's row lock puts their ledger writes in a line: caps and balances are exact.
    rows = await sql.fetch(
        "SELECT points FROM users WHERE id = $1 FOR NO KEY UPDATE", user_id, conn=conn
    )
    if not rows:
        return None
    if await sql.fetch("SELECT 1 FROM points_entries WHERE idempotency_key = $1", key, conn=conn):
        return None
    cap = _rules.daily_cap(reason)
    if cap is not None and amount > 0:
        limit, shared = cap
        awarded = await sql.fetch(
            "SELECT count(*) AS n FROM points_entries WHERE user_id = $1 AND day = $2 "
            "AND reason = ANY($3::text[]) AND amount > 0",
            user_id,
            day,
            [r.value for r in shared],
            conn=conn,
        )
        if awarded[0]["n"] >= limit:
            return None
    balance = rows[0]["points"] + amount
    if balance < 0:
        return None  # never below zero; callers that must not fail check first
    await sql.fetch(
        "INSERT INTO points_entries (user_id, amount, reason, balance_after, target_type, "
        "target_id, idempotency_key, day, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) RETURNING id",
        user_id,
        amount,
        reason.value,
        balance,
        target[0] if target else None,
        target[1] if target else None,
        key,
        day,
        conn=conn,
    )
    await sql.execute("UPDATE users SET points = $2 WHERE id = $1", user_id, balance, conn=conn)
    return Award(amount, balance)


async def take_back(
    user_id: int, award_key: str, reason: PointsReason, conn: BaseDBAsyncClient
) -> Award | None:
    """Reverse an award made today (a like withdrawn the same day); once per award."""
    rows = await sql.fetch(
        "SELECT id, amount, day FROM points_entries WHERE idempotency_key = $1",
        award_key,
        conn=conn,
    )
    if not rows or rows[0]["day"] != today() or rows[0]["amount"] <= 0:
        return None
    entry = rows[0]
    return await award(
        user_id, -entry["amount"], reason, f"reverse:{entry['id']}", conn, day=entry["day"]
    )
