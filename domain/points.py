"""The points ledger: awards within the daily caps, withdrawals, bounties' escrow.

Built like money. Every change is one ledger row with the balance after it, written in the
transaction of the action that earns it, under the member's row lock, and keyed so that a
retried action is awarded once. A member's points always equal the sum of their ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain.models import PointsReason
from domain.rules import CommunityRules


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
    rules: CommunityRules,
    target: tuple[str, int] | None = None,
    day: date | None = None,
) -> Award | None:
    """Add `amount` to a member's points once per key, within the reason's daily cap.
    None when the key was already used or the cap is reached. Must run in the transaction of
    the action that earns it."""
    if amount == 0:
        return None
    day = day or rules.calendar.today()
    # The member's row lock puts their ledger writes in a line: caps and balances are exact.
    rows = await sql.fetch(
        "SELECT points FROM users WHERE id = $1 FOR NO KEY UPDATE", user_id, conn=conn
    )
    if not rows:
        return None
    if await already_awarded(key, conn):
        return None
    cap = rules.daily_cap(reason)
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


async def already_awarded(key: str, conn: BaseDBAsyncClient) -> bool:
    """Whether the award of `key` was made (read without locking the member's row)."""
    return bool(
        await sql.fetch("SELECT 1 FROM points_entries WHERE idempotency_key = $1", key, conn=conn)
    )


async def take_back(
    user_id: int,
    award_key: str,
    reason: PointsReason,
    conn: BaseDBAsyncClient,
    *,
    rules: CommunityRules,
) -> Award | None:
    """Reverse an award made today (a like withdrawn the same day); once per award."""
    rows = await sql.fetch(
        "SELECT id, amount, day FROM points_entries WHERE idempotency_key = $1",
        award_key,
        conn=conn,
    )
    if not rows or rows[0]["day"] != rules.calendar.today() or rows[0]["amount"] <= 0:
        return None
    entry = rows[0]
    return await award(
        user_id,
        -entry["amount"],
        reason,
        f"reverse:{entry['id']}",
        conn,
        rules=rules,
        day=entry["day"],
    )
