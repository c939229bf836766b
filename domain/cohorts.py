"""Weekly retention cohorts (the daily ones are analytics.retention_cohorts).

A cohort is the members who joined in one calendar week (Monday to Sunday, the community's
calendar), named by its Monday; week N's point counts those active at least once in the Nth
week after it (N = 0: the week they joined)."""

from __future__ import annotations

from datetime import date

from adapters import sql
from domain.analytics import Cohort, RetentionPoint, check_range
from domain.calendar import Calendar
from domain.errors import BadInput

WEEKS_MAX = 104  # how far after joining a point may look
POINTS_MAX = 60


async def weekly_cohorts(
    calendar: Calendar, start: date, end: date, weeks: list[int]
) -> list[Cohort]:
    """For each week's new members (those who joined between `start` and `end`): how many
    were active in each of the given weeks after."""
    check_range(start, end)
    if not weeks or len(weeks) > POINTS_MAX or any(not 0 <= n <= WEEKS_MAX for n in weeks):
        raise BadInput("bad_input", field="days")
    rows = await sql.fetch(
        """
        WITH cohort AS (
          SELECT id, date_trunc('week', (created_at AT TIME ZONE $3)::date)::date AS week
          FROM users WHERE (created_at AT TIME ZONE $3)::date BETWEEN $1 AND $2
        )
        SELECT c.week, n, count(*) AS size, count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM member_activity a WHERE a.user_id = c.id
              AND a.day BETWEEN c.week + 7 * n AND c.week + 7 * n + 6)) AS kept
        FROM cohort c CROSS JOIN unnest($4::int[]) AS n
        GROUP BY c.week, n ORDER BY c.week, n
        """,
        start,
        end,
        calendar.timezone,
        sorted(set(weeks)),
    )
    cohorts: dict[date, Cohort] = {}
    for r in rows:
        cohort = cohorts.setdefault(r["week"], Cohort(r["week"], int(r["size"]), []))
        kept = int(r["kept"])
        rate = round(kept / cohort.size, 6) if cohort.size else 0.0
        cohort.points.append(RetentionPoint(int(r["n"]), kept, rate))
    return list(cohorts.values())
