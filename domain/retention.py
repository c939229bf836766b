"""Retention signals, scored nightly from each member's days of activity.

Segments (the community's calendar days):
- NEW: joined within the last 7 days.
- ACTIVE: active on 8 or more of the last 30 days, and within the last 3 days.
- CASUAL: otherwise active within the last 14 days.
- DORMANT: last active 15 to 60 days ago (or never, having joined 7 to 60 days ago).
- CHURNED: not active for more than 60 days (or never, having joined earlier).

Churn risk (0–1): 0.5 × recency (days since last active ÷ 14, at most 1) + 0.3 × infrequency
(1 − active days in 30 ÷ 10, at least 0) + 0.2 × decline (how much the last 14 days fell
short of the 14 before). New members are not scored (0); churned members are 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from adapters import sql
from domain.calendar import Calendar
from domain.models import MemberSignal, Segment


@dataclass(frozen=True)
class Signal:
    user_id: int
    segment: Segment
    risk: float
    last_active_day: date | None
    active_days_30: int
    reason: str


def score(
    joined: date,
    last_active: date | None,
    active_30: int,
    last_14: int,
    prev_14: int,
    on: date,
) -> tuple[Segment, float, str]:
    """The segment, risk and reason of one member on a day (pure)."""
    age = (on - joined).days
    idle = (on - last_active).days if last_active else None
    if age < 7:
        return Segment.NEW, 0.0, "新成员"
    if idle is None:
        segment = Segment.DORMANT if age <= 60 else Segment.CHURNED
        return segment, 1.0 if segment is Segment.CHURNED else 0.8, "注册后从未活跃"
    if idle > 60:
        return Segment.CHURNED, 1.0, f"已 {idle} 天未活跃"
    if idle > 14:
        segment = Segment.DORMANT
    elif active_30 >= 8 and idle <= 3:
        segment = Segment.ACTIVE
    else:
        segment = Segment.CASUAL
    decline = max(0.0, (prev_14 - last_14) / max(prev_14, 1))
    risk = 0.5 * min(1.0, idle / 14) + 0.3 * max(0.0, 1 - active_30 / 10) + 0.2 * decline
    reasons = []
    if idle >= 3:
        reasons.append(f"已 {idle} 天未活跃")
    if decline > 0:
        reasons.append(f"近两周活跃天数比前两周少 {round(decline * 100)}%")
    if active_30 < 4:
        reasons.append(f"近 30 天仅活跃 {active_30} 天")
    return segment, round(min(1.0, risk), 4), "；".join(reasons) or "活跃稳定"


async def score_members(calendar: Calendar, on: date | None = None) -> dict[str, int]:
    """Score every member and keep the result; return the size of each segment."""
    on = on or calendar.today()
    rows = await sql.fetch(
        """
        SELECT u.id, (u.created_at AT TIME ZONE $2)::date AS joined, max(a.day) AS last_day,
          count(a.day) FILTER (WHERE a.day > $1::date - 30 AND a.day <= $1) AS d30,
          count(a.day) FILTER (WHERE a.day > $1::date - 14 AND a.day <= $1) AS last14,
          count(a.day) FILTER (WHERE a.day > $1::date - 28 AND a.day <= $1::date - 14) AS prev14
        FROM users u LEFT JOIN member_activity a ON a.user_id = u.id AND a.day <= $1
        GROUP BY u.id ORDER BY u.id
        """,
        on,
        calendar.timezone,
    )
    signals = []
    for r in rows:
        segment, risk, reason = score(
            r["joined"], r["last_day"], r["d30"], r["last14"], r["prev14"], on
        )
        signals.append(Signal(r["id"], segment, risk, r["last_day"], r["d30"], reason))
    if signals:  # upserted in key order (the rows' order): two runs at once take turns
        await sql.fetch(
            "INSERT INTO member_signals (user_id, segment, risk, last_active_day, active_days_30, "
            "reason, computed_at) SELECT * , now() FROM unnest($1::bigint[], $2::text[], "
            "$3::float8[], $4::date[], $5::int[], $6::text[]) "
            "ON CONFLICT (user_id) DO UPDATE SET segment = EXCLUDED.segment, "
            "risk = EXCLUDED.risk, last_active_day = EXCLUDED.last_active_day, "
            "active_days_30 = EXCLUDED.active_days_30, reason = EXCLUDED.reason, "
            "computed_at = now() RETURNING user_id",
            [s.user_id for s in signals],
            [s.segment.value for s in signals],
            [s.risk for s in signals],
            [s.last_active_day for s in signals],
            [s.active_days_30 for s in signals],
            [s.reason for s in signals],
        )
    counts = {segment.value: 0 for segment in Segment}
    for s in signals:
        counts[s.segment.value] += 1
    return counts


async def at_risk(first: int) -> list[MemberSignal]:
    """Members still around but slipping away, riskiest first."""
    return (
        await MemberSignal.filter(
            segment__in=[Segment.ACTIVE, Segment.CASUAL, Segment.DORMANT], risk__gte=0.4
        )
        .order_by("-risk", "user_id")
        .limit(first)
        .select_related("user")
    )


async def scored_at() -> datetime | None:
    """When the members were last scored (None: never)."""
    rows = await sql.fetch("SELECT max(computed_at) AS at FROM member_signals")
    at: datetime | None = rows[0]["at"]
    return at


async def segment_sizes() -> dict[str, int]:
    rows = await sql.fetch("SELECT segment, count(*) AS n FROM member_signals GROUP BY segment")
    sizes = {segment.value: 0 for segment in Segment}
    sizes.update({r["segment"]: int(r["n"]) for r in rows})
    return sizes
