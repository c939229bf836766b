"""How the feedback desk keeps up: tickets received and resolved, how fast the first reply
came against the SLA (QUANZI_FEEDBACK_SLA_HOURS), ratings, and the tickets overdue now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from adapters import sql
from domain import access
from domain.analytics import check_range
from domain.errors import Forbidden
from domain.models import FeedbackCategory, User
from domain.rules import CommunityRules


@dataclass(frozen=True)
class CategoryCount:
    category: FeedbackCategory
    count: int


@dataclass(frozen=True)
class FeedbackMetrics:
    received: int
    resolved: int
    median_first_reply_seconds: float | None
    within_sla_rate: float | None
    average_rating: float | None
    by_category: list[CategoryCount]


async def feedback_metrics(
    viewer: User, start: date, end: date, *, rules: CommunityRules
) -> FeedbackMetrics:
    """The tickets received over a range of community days (operators): how many, how many of
    them are resolved now, the median time to their first reply, the share answered within
    the SLA (of those answered or already past due), their average rating, and how many per
    category (every category, zeros included). One query."""
    if not access.can_work_feedback_desk(viewer):
        raise Forbidden()
    check_range(start, end)
    lo, hi = rules.calendar.bounds(start, end)
    rows = await sql.fetch(
        """
        SELECT category, count(*) AS received,
            count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
            percentile_cont(0.5) WITHIN GROUP (
                ORDER BY extract(epoch FROM first_replied_at - created_at)
            ) AS median,
            count(*) FILTER (WHERE first_replied_at <= created_at + $3::interval) AS within,
            count(*) FILTER (
                WHERE first_replied_at IS NOT NULL OR created_at + $3::interval < $4
            ) AS due,
            avg(rating)::float8 AS rating
        FROM feedback WHERE created_at >= $1 AND created_at < $2
        GROUP BY GROUPING SETS ((category), ())
        """,
        lo,
        hi,
        rules.feedback_sla,
        datetime.now(UTC),
    )
    totals = next((r for r in rows if r["category"] is None), None)
    counts = {r["category"]: int(r["received"]) for r in rows if r["category"] is not None}
    by_category = [CategoryCount(c, counts.get(c.value, 0)) for c in FeedbackCategory]
    if totals is None:  # no ticket in the range: GROUPING SETS' total row still comes back
        return FeedbackMetrics(0, 0, None, None, None, by_category)
    due = int(totals["due"])
    median, rating = totals["median"], totals["rating"]
    return FeedbackMetrics(
        received=int(totals["received"]),
        resolved=int(totals["resolved"]),
        median_first_reply_seconds=round(float(median), 3) if median is not None else None,
        within_sla_rate=round(int(totals["within"]) / due, 6) if due else None,
        average_rating=round(float(rating), 4) if rating is not None else None,
        by_category=by_category,
    )


@dataclass(frozen=True)
class Overdue:
    count: int
    oldest_created_at: datetime | None


async def unanswered_past_due(
    rules: CommunityRules, now: datetime, conn: BaseDBAsyncClient | None = None
) -> Overdue:
    """Tickets with no reply yet past their due time (feedback_unanswered_idx)."""
    row = (
        await sql.fetch(
            "SELECT count(*) AS n, min(created_at) AS oldest FROM feedback "
            "WHERE first_replied_at IS NULL AND created_at < $1",
            now - rules.feedback_sla,
            conn=conn,
        )
    )[0]
    return Overdue(int(row["n"]), row["oldest"])


async def overdue_count(viewer: User, *, rules: CommunityRules) -> int:
    """The console home page's overdue tickets (operators, who work the desk)."""
    if not access.can_work_feedback_desk(viewer):
        raise Forbidden()
    return (await unanswered_past_due(rules, datetime.now(UTC))).count
