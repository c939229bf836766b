"""Daily check-in: once per calendar day in the community's time zone, with a streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters import sql
from domain import badges
from domain.calendar import Calendar
from domain.errors import Conflict
from domain.models import PointsReason, User
from domain.points import award
from domain.rules import CommunityRules


@dataclass(frozen=True)
class CheckinResult:
    streak: int
    points_awarded: int


async def check_in(
    user: User, *, rules: CommunityRules, now: datetime | None = None
) -> CheckinResult:
    """Check in for today; the streak grows from yesterday's or starts again at 1.
    Every `checkin_streak_days`-th day in a row earns the bonus. Twice a day is CONFLICT."""
    day = rules.calendar.today(now)
    try:
        async with in_transaction() as conn:
            rows = await sql.fetch(
                "SELECT last_checkin_day, checkin_streak FROM users WHERE id = $1 "
                "FOR NO KEY UPDATE",
                user.id,
                conn=conn,
            )
            last, streak = rows[0]["last_checkin_day"], rows[0]["checkin_streak"]
            streak = streak + 1 if last == day - timedelta(days=1) else 1
            await sql.fetch(
                "INSERT INTO checkins (user_id, day, streak, created_at) "
                "VALUES ($1, $2, $3, now()) RETURNING id",
                user.id,
                day,
                streak,
                conn=conn,
            )
            await sql.execute(
                "UPDATE users SET last_checkin_day = $2, checkin_streak = $3 WHERE id = $1",
                user.id,
                day,
                streak,
                conn=conn,
            )
            earned = 0
            daily = await award(
                user.id,
                rules.checkin,
                PointsReason.CHECKIN,
                f"checkin:{user.id}:{day}",
                conn,
                rules=rules,
                day=day,
            )
            earned += daily.amount if daily else 0
            if streak % rules.checkin_streak_days == 0:
                bonus = await award(
                    user.id,
                    rules.checkin_streak_bonus,
                    PointsReason.CHECKIN_STREAK,
                    f"streak:{user.id}:{day}",
                    conn,
                    rules=rules,
                    day=day,
                )
                earned += bonus.amount if bonus else 0
                await badges.grant(user.id, "STREAK_7", conn)
    except IntegrityError:
        raise Conflict("already_checked_in") from None
    user.last_checkin_day, user.checkin_streak = day, streak
    return CheckinResult(streak=streak, points_awarded=earned)


def checked_in_today(user: User, calendar: Calendar) -> bool:
    return user.last_checkin_day == calendar.today()


def current_streak(user: User, calendar: Calendar) -> int:
    """The streak still alive: checked in today or yesterday."""
    yesterday = calendar.today() - timedelta(days=1)
    if user.last_checkin_day is None or user.last_checkin_day < yesterday:
        return 0
    return user.checkin_streak
