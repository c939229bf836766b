"""Community figures broken down by a dimension, for the dashboard's stacked charts: the
reports of each community day by reason."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from adapters import sql
from domain.calendar import Calendar
from domain.models import ReportReason


@dataclass(frozen=True)
class ReasonCount:
    reason: ReportReason
    count: int


async def reports_by_reason(calendar: Calendar, days: Sequence[date]) -> list[list[ReasonCount]]:
    """For each day asked, its reports per reason (reasons with none left out, the others in
    ReportReason's order). One query over the days' span (reports_created_idx)."""
    if not days:
        return []
    lo, hi = calendar.bounds(min(days), max(days))
    rows = await sql.fetch(
        "SELECT (created_at AT TIME ZONE $3)::date AS day, reason, count(*) AS n FROM reports "
        "WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2",
        lo,
        hi,
        calendar.timezone,
    )
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["day"]][row["reason"]] = int(row["n"])
    return [
        [ReasonCount(r, counts[day][r.value]) for r in ReportReason if r.value in counts[day]]
        for day in days
    ]
